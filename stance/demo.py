"""The demo: label the bundled statements by stance, tone and rhetoric, offline; chart them; report."""
from __future__ import annotations

from pathlib import Path


def run_demo(out_dir: Path = Path("outputs"), progress: bool = True) -> dict[str, Path]:
    """Label every bundled statement with the default model; write a results CSV, charts and a report.

    Returns the paths written: ``results``, one ``<chart>`` PNG per chart of
    :func:`stance.report.charts` (``stance_by_source_type``, ``tone_by_source_type``,
    ``stance_x_tone``...), and ``report`` (the self-contained HTML report).
    """
    import matplotlib

    matplotlib.use("Agg")

    from stance.classifier import Classifier
    from stance.data import load_statements, write_table
    from stance.report import charts, figure_png, write_report

    statements = load_statements()
    clf = Classifier(progress=progress)
    results = clf.classify(statements, "stance", target_col="target")
    results = clf.classify(results, "tone")
    results = clf.classify(results, "rhetoric")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"results": write_table(results, out_dir / "results.csv")}
    for name, (_, ax) in charts(results).items():
        paths[name] = out_dir / f"{name}.png"
        paths[name].write_bytes(figure_png(ax, dpi=150))
    paths["report"] = write_report(results, out_dir / "report.html", title="Stance, tone and rhetoric of the "
                                   "bundled statements")
    print(f"Labelled {len(results)} statements ({int(results['synthetic'].sum())} synthetic) "
          f"with {results.attrs['stance']['runs']['stance']['model']['model']}.")
    print(results.groupby("source_type")[["stance", "tone"]].value_counts().to_string())
    for key, path in paths.items():
        print(f"{key}: {path.resolve()}")
    return paths
