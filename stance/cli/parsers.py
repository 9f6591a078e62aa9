"""The ``stance`` command line: one parser per command, built from shared parent parsers, so
that every command that loads a model takes the same model options and every command that reads
statements takes the same column and target options. One meaning per flag name: ``--labels``
is always ad-hoc labels."""
from __future__ import annotations

import argparse

TABLES = ".csv, .tsv, .jsonl, .parquet or .xlsx"


def model_options(default_hint: str = "the packaged all-MiniLM-L6-v2") -> argparse.ArgumentParser:
    """``--model``, ``--revision``, ``--device``, ``--precision``, ``--batch-size``, ``--cache-dir``, ``--no-cache``."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("model")
    g.add_argument("--model", help=f"hub id or local folder of an NLI or sentence-transformers model (default: {default_hint})")
    g.add_argument("--revision", help="hub revision of --model")
    g.add_argument("--device", help="cpu, cuda, mps... (default: the best available)")
    g.add_argument("--precision", default="float32", choices=["float32", "bf16", "fp16"],
                   help="float32 (default, exact), bf16 (bfloat16: faster on recent CPUs and GPUs, "
                   "probabilities drift up to ~0.02) or fp16 (GPU only)")
    g.add_argument("--batch-size", type=int, default=None,
                   help="statements (embedding) or pairs (NLI) per forward pass (default: 32; NLI: a token budget)")
    g.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache (nor keep "
                   "the language identifier's unpacked model)")
    g.add_argument("--cache-dir", help="result cache folder (default: $STANCE_CACHE_DIR, else the "
                   "platform's user cache folder, e.g. ~/.cache/stance)")
    return p


def column_options() -> argparse.ArgumentParser:
    """``--target``, ``--target-col``, ``--text-col``."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("columns and target")
    g.add_argument("--target", help="target of a target-aware scheme, for every row (e.g. NATO)")
    g.add_argument("--target-col", help="column with each row's target (default: 'target' if present)")
    g.add_argument("--text-col", default="text", help="column with the statements (default: text)")
    return p


def build_parser() -> argparse.ArgumentParser:
    """The parser of the ``stance`` command and its sub-commands."""
    from stance.version import __version__

    parser = argparse.ArgumentParser(prog="stance", description="Zero-shot stance, tone and rhetoric labels "
                                     "for quoted political statements.")
    parser.add_argument("--version", action="version", version=f"stance {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    model, columns = model_options(), column_options()

    c = sub.add_parser("classify", parents=[model, columns], help=f"label the statements of a table ({TABLES})")
    c.add_argument("input", nargs="+", help=f"input table ({TABLES}); with --workers or --scheduler: files and "
                   "quoted globs ('data/*.parquet'), one partition per file")
    c.add_argument("--scheme", action="append", default=None,
                   help="scheme name or .toml path; repeat for several (default: stance)")
    c.add_argument("--labels", help="ad-hoc labels, comma-separated, instead of a scheme")
    c.add_argument("--template", help="ad-hoc hypothesis template with {} for the label "
                   "(default: 'This example is {}.')")
    c.add_argument("--name", help="name (column prefix) of the results (ad-hoc default: label)")
    c.add_argument("--multi-label", action="store_true", help="score each label independently")
    c.add_argument("--threshold", type=float, help="multi-label probability at which a label is assigned")
    c.add_argument("--chunk-size", type=int, default=10_000,
                   help="rows read, labelled and written at a time (default: 10000)")
    c.add_argument("--out", required=True, help=f"output table ({TABLES})")
    c.add_argument("--quiet", action="store_true", help="no progress bars or messages")
    c.add_argument("--workers", type=int, help="run on a Dask cluster of N worker processes on this machine; "
                   "--out is then a folder of part-*.parquet files (needs: pip install 'stance[dask]')")
    c.add_argument("--scheduler", help="run on the Dask cluster at this scheduler address (tcp://host:8786); "
                   "--out is then a folder of part-*.parquet files on a disk the workers share")

    sub.add_parser("schemes", help="list the built-in schemes and their labels")

    e = sub.add_parser("extract", help="quoted statements and their speakers out of .txt / .md / .html documents")
    e.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER", help="documents, or folders searched for them")
    e.add_argument("--out", required=True, help=f"statements table ({TABLES})")
    e.add_argument("--meta", help="side CSV with columns file,source,source_type,date (one row per document)")
    e.add_argument("--source", help="outlet of every document (overrides headers and --meta)")
    e.add_argument("--source-type", choices=["official", "state_media", "other"], help="type of that outlet")
    e.add_argument("--date", help="date of every document, YYYY-MM-DD (or a year, for citations without one)")
    e.add_argument("--encoding", help="encoding of documents that are not UTF-8, e.g. cp1252")
    e.add_argument("--quiet", action="store_true", help="no summary line")

    v = sub.add_parser("evaluate", help="score predicted labels against gold labels")
    v.add_argument("input", help="results table with gold and predicted label columns")
    v.add_argument("--gold-col", required=True, help="column of gold labels")
    v.add_argument("--pred-col", required=True, help="column of predicted labels (e.g. stance)")
    v.add_argument("--label-order", help="labels in order, comma-separated (default: those that occur)")
    v.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the intervals (default: 1000)")
    v.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    v.add_argument("--json", action="store_true", help="print one JSON object")

    a = sub.add_parser("agreement", help="agreement between raters (students, coders, the model)")
    a.add_argument("input", help="table with one label column per rater")
    a.add_argument("--raters", required=True, help="rater columns, comma-separated (two or more)")
    a.add_argument("--json", action="store_true", help="print one JSON object")

    w = sub.add_parser("worksheet", help="draw a balanced sample of statements as a blank labelling sheet")
    w.add_argument("input", help=f"statements table ({TABLES})")
    w.add_argument("--n", type=int, default=20, help="statements on the sheet (default: 20)")
    w.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    w.add_argument("--columns", default="stance,tone", help="label columns to fill in (default: stance,tone)")
    w.add_argument("--out", required=True, help=f"the sheet ({TABLES})")
    w.add_argument("--html", help="also write a printable HTML version here")

    x = sub.add_parser("explain", parents=[model], help="which words carry a statement's label (occlusion)")
    x.add_argument("text", help="the statement, in quotes")
    x.add_argument("--scheme", default="stance", help="scheme name or .toml path (default: stance)")
    x.add_argument("--target", help="target of a target-aware scheme (e.g. NATO)")
    x.add_argument("--label", help="the label to explain (default: the predicted one)")
    x.add_argument("--max-span", type=int, default=3, help="longest run of words cut out (default: 3)")
    x.add_argument("--top", type=int, default=10, help="rows to print (default: 10)")
    x.add_argument("--html", help="also write the highlighted text as HTML here")
    x.add_argument("--json", action="store_true", help="print one JSON object")

    s = sub.add_parser("sensitivity", parents=[model, columns],
                       help="how many labels change when each hypothesis phrasing is used alone")
    s.add_argument("input", help=f"statements table ({TABLES})")
    s.add_argument("--scheme", default="stance", help="scheme name or .toml path (default: stance)")
    s.add_argument("--out", help="also write one row per statement (label, n_flips, flipped) here")
    s.add_argument("--json", action="store_true", help="print one JSON object")

    d = sub.add_parser("demo", help="label the bundled statements and chart them (offline)")
    d.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    d.add_argument("--quiet", action="store_true", help="no progress bars")

    r = sub.add_parser("report", parents=[model_options("the one in the results' provenance")],
                       help="write a self-contained HTML report (charts, comparisons, statements) of a results file")
    r.add_argument("results", help=f"results table written by `stance classify` ({TABLES}), or its output folder")
    r.add_argument("--out", default="report.html", help="output HTML file (default: report.html)")
    r.add_argument("--by", default="source_type", help="column to group and compare by (default: source_type)")
    r.add_argument("--title", default="Stance and tone report", help="title of the report")
    r.add_argument("--explain", type=int, default=1, metavar="N",
                   help="explain (occlusion, highlighted words) the N most confident statements of each label; "
                   "0: no explanations section (default: 1)")
    return parser
