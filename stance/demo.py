"""The demo, offline: the seed article's quotes extracted and labelled; the bundled statements
labelled by stance and tone and charted."""
from __future__ import annotations

from pathlib import Path


def run_demo(out_dir: Path = Path("outputs"), progress: bool = True) -> dict[str, Path]:
    """Extract and label the seed article's quotes, then label and chart the bundled statements.

    The main job starts from an article: ``data/china-nato-article.txt`` is extracted into
    statements (``extracted_statements.csv``) whose tone is then labelled
    (``extracted_results.csv``). The bundled statements (which carry targets) are labelled by
    stance and tone (``results.csv``) and charted by source type.

    Returns the paths written (``extracted_statements``, ``extracted_results``, ``results``,
    ``stance_chart``, ``tone_chart``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from stance.classifier import Classifier
    from stance.data import bundled_path, load_statements, write_table
    from stance.documents import read_document
    from stance.plot import plot_stance_by_source, plot_tone_by_source
    from stance.quotes import extract_document

    out_dir.mkdir(parents=True, exist_ok=True)
    clf = Classifier(progress=progress)
    # 1. from the article: quotes and their speakers, then their tone. The article gives its
    # citations' dates without a year; 2022 is inferred from its context (see data/README.md).
    article = read_document(bundled_path("china-nato-article.txt"), date="2022")
    extracted = extract_document(article)
    extracted["document"] = "china-nato-article.txt"
    paths = {"extracted_statements": write_table(extracted, out_dir / "extracted_statements.csv")}
    extracted_results = clf.classify(extracted, "tone")
    paths["extracted_results"] = write_table(extracted_results, out_dir / "extracted_results.csv")
    print(f"Extracted {len(extracted)} quoted statements from {article.path} "
          f"({int((extracted['speaker'] != '').sum())} with a speaker):")
    print(extracted_results[["quote", "kind", "speaker", "source", "date", "tone"]].to_string(index=False))
    # 2. the bundled statements (with targets): stance and tone, charted by source type
    statements = load_statements()
    results = clf.classify(statements, "stance", target_col="target")
    results = clf.classify(results, "tone")
    paths["results"] = write_table(results, out_dir / "results.csv")
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
