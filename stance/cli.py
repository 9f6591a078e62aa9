"""The ``stance`` command: classify tables, list schemes, run the demo.

Errors in the user's input print one line, ``stance: error: ...``, and exit with status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stance.errors import StanceError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stance", description="Zero-shot stance, tone and rhetoric labels "
                                     "for quoted political statements.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")

    c = sub.add_parser("classify", help="label the statements of a CSV / TSV / JSONL / Parquet file")
    c.add_argument("input", help="input table (.csv, .tsv, .jsonl or .parquet)")
    c.add_argument("--scheme", action="append", default=None,
                   help="scheme name or .toml path; repeat for several (default: stance)")
    c.add_argument("--target", help="target of a target-aware scheme, for every row (e.g. NATO)")
    c.add_argument("--target-col", help="column with each row's target (default: 'target' if present)")
    c.add_argument("--text-col", default="text", help="column with the statements (default: text)")
    c.add_argument("--model", help="hub id or local folder of an NLI or sentence-transformers model "
                   "(default: the packaged all-MiniLM-L6-v2)")
    c.add_argument("--revision", help="hub revision of --model")
    c.add_argument("--device", help="cpu, cuda, mps... (default: the best available)")
    c.add_argument("--labels", help="ad-hoc labels, comma-separated, instead of a scheme")
    c.add_argument("--template", help="ad-hoc hypothesis template with {} for the label "
                   "(default: 'This example is {}.')")
    c.add_argument("--name", help="name (column prefix) of the results (ad-hoc default: label)")
    c.add_argument("--multi-label", action="store_true", help="score each label independently")
    c.add_argument("--threshold", type=float, help="multi-label probability at which a label is assigned")
    c.add_argument("--batch-size", type=int, default=32, help="batch size (default: 32)")
    c.add_argument("--out", required=True, help="output table (.csv, .tsv, .jsonl or .parquet)")
    c.add_argument("--quiet", action="store_true", help="no progress bars or messages")

    sub.add_parser("schemes", help="list the built-in schemes and their labels")

    d = sub.add_parser("demo", help="label the bundled statements and chart them (offline)")
    d.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    d.add_argument("--quiet", action="store_true", help="no progress bars")

    r = sub.add_parser("report", help="write a self-contained HTML report (charts, comparisons, statements) "
                       "of a results file")
    r.add_argument("results", help="results table written by `stance classify` (.csv, .tsv, .jsonl, .parquet)")
    r.add_argument("--out", default="report.html", help="output HTML file (default: report.html)")
    r.add_argument("--by", default="source_type", help="column to group and compare by (default: source_type)")
    r.add_argument("--title", default="Stance and tone report", help="title of the report")
    return parser


def cmd_classify(args) -> None:
    from stance.classifier import Classifier
    from stance.data import provenance_path, read_table, write_table

    if args.labels and args.scheme:
        raise StanceError("pass either --scheme or --labels (with --template), not both")
    if args.template and not args.labels:
        raise StanceError("--template needs --labels: e.g. --labels favor,against --template 'This text is {}.'")
    table = read_table(args.input)
    clf = Classifier(args.model, device=args.device, batch_size=args.batch_size, progress=not args.quiet,
                     revision=args.revision)
    options = dict(target=args.target, target_col=args.target_col, text_col=args.text_col,
                   multi_label=True if args.multi_label else None, threshold=args.threshold, name=args.name)
    if args.labels:
        table = clf.classify(table, labels=args.labels, template=args.template, **options)
    for scheme in args.scheme or ([] if args.labels else ["stance"]):
        table = clf.classify(table, scheme, **options)
    out = write_table(table, args.out)
    if not args.quiet:
        errors = sum(int((table[c] != "").sum()) for c in table.columns if c.endswith("_error")
                     and c[:-6] in table.attrs["stance"]["runs"])
        print(f"wrote {len(table)} rows to {out} (provenance: {provenance_path(out)})"
              + (f"; {errors} row(s) without a label, see the *_error columns" if errors else ""))


def cmd_schemes(args) -> None:
    from stance.schemes import list_schemes, load_scheme

    for name in list_schemes():
        scheme = load_scheme(name)
        kind = "multi-label" if scheme.multi_label else "single-label"
        aware = ", target-aware" if scheme.target_aware else ""
        print(f"{name} ({kind}{aware}): {scheme.description}")
        for label in scheme.labels:
            print(f"  {label.name:<16} {label.description}")


def cmd_report(args) -> None:
    from stance.report import read_results, write_report

    import matplotlib

    matplotlib.use("Agg")
    table, provenance = read_results(args.results)
    out = write_report(table, args.out, by=args.by, title=args.title, provenance=provenance)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, self-contained: open it in any browser)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from stance import __version__

        print(__version__)
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "classify":
            cmd_classify(args)
        elif args.command == "schemes":
            cmd_schemes(args)
        elif args.command == "demo":
            from stance.demo import run_demo

            run_demo(Path(args.out), progress=not args.quiet)
        elif args.command == "report":
            cmd_report(args)
    except StanceError as exc:
        print(f"stance: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stance: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
