"""The demo: label the bundled statements by stance and tone, offline, and chart them."""
from __future__ import annotations

from pathlib import Path


def run_demo(out_dir: Path = Path("outputs"), progress: bool = True) -> dict[str, Path]:
    """Label every bundled statement with the default model; write a results CSV and charts.

    Returns the paths written (``results``, ``stance_chart``, ``tone_chart``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from stance.classifier import Classifier
    from stance.data import load_statements, write_table
    from stance.plot import plot_stance_by_source, plot_tone_by_source

    statements = load_statements()
    clf = Classifier(progress=progress)
    results = clf.classify(statements, "stance", target_col="target")
    results = clf.classify(results, "tone")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"results": write_table(results, out_dir / "results.csv")}
    for key, plot in (("stance_chart", plot_stance_by_source), ("tone_chart", plot_tone_by_source)):
        ax = plot(results)
        paths[key] = out_dir / f"{key.removesuffix('_chart')}_by_source_type.png"
        ax.figure.savefig(paths[key], dpi=150, bbox_inches="tight")
        plt.close(ax.figure)
    print(f"Labelled {len(results)} statements ({int(results['synthetic'].sum())} synthetic) "
          f"with {results.attrs['stance']['runs']['stance']['model']['model']}.")
    print(results.groupby("source_type")[["stance", "tone"]].value_counts().to_string())
    for key, path in paths.items():
        print(f"{key}: {path.resolve()}")
    return paths
