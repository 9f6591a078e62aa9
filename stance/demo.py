"""The demo, offline: the seed article's quotes extracted and labelled; the bundled statements
labelled by stance, tone and rhetoric, charted and reported."""
from __future__ import annotations

from pathlib import Path


def run_demo(out_dir: Path = Path("outputs"), progress: bool = True) -> dict[str, Path]:
    """Extract and label the seed article's quotes, then label, chart and report the bundled statements.

    The main job starts from an article: ``data/china-nato-article.txt`` is extracted into
    statements (``extracted_statements.csv``) whose tone is then labelled
    (``extracted_results.csv``). The bundled statements (which carry targets) are labelled by
    stance, tone and rhetoric (``results.csv``), charted (one PNG per chart of
    :func:`stance.report.charts`) and reported (``report.html``, self-contained).

    Returns the paths written (``extracted_statements``, ``extracted_results``, ``results``,
    one key per chart, ``report``).
    """
    import matplotlib

    matplotlib.use("Agg")

    from stance.classifier import Classifier
    from stance.data import bundled_path, load_statements
    from stance.io import write_table
    from stance.io.files import write_bytes
    from stance.extraction.documents import read_document
    from stance.extraction.quotes import extract_document
    from stance.report import charts, figure_png, write_report

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
    results = clf.classify(results, "rhetoric")
    paths["results"] = write_table(results, out_dir / "results.csv")
    for name, (_, ax) in charts(results).items():
        paths[name] = write_bytes(out_dir / f"{name}.png", figure_png(ax, dpi=150))
    paths["report"] = write_report(results, out_dir / "report.html", title="Stance, tone and rhetoric of the "
                                   "bundled statements", explain=clf)
    print(f"Labelled {len(results)} statements ({int(results['synthetic'].sum())} synthetic) "
          f"with {results.attrs['stance']['runs']['stance']['model']['model']}.")
    print(results.groupby("source_type")[["stance", "tone"]].value_counts().to_string())
    for key, path in paths.items():
        print(f"{key}: {path.resolve()}")
    return paths
