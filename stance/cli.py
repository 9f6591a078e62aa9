"""The ``stance`` command: classify tables, extract quotes, list schemes, run the demo.

Errors in the user's input print one line, ``stance: error: ...``, and exit with status 2.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path

from stance.errors import StanceError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stance", description="Zero-shot stance, tone and rhetoric labels "
                                     "for quoted political statements.")
    from stance import __version__

    parser.add_argument("--version", action="version", version=f"stance {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command")

    c = sub.add_parser("classify", help="label the statements of a CSV / TSV / JSONL / Parquet file")
    c.add_argument("input", nargs="+", help="input table (.csv, .tsv, .jsonl, .parquet or .xlsx); with --workers or "
                   "--scheduler: files and quoted globs ('data/*.parquet'), one partition per file")
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
    c.add_argument("--batch-size", type=int, default=None,
                   help="statements (embedding) or pairs (NLI) per forward pass (default: 32; NLI: a token budget)")
    c.add_argument("--precision", default="float32", choices=["float32", "bf16", "fp16"],
                   help="float32 (default, exact), bf16 (bfloat16 autocast: faster on recent CPUs and GPUs, "
                   "probabilities drift up to ~0.02) or fp16 (GPU only)")
    c.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    c.add_argument("--cache-dir", help="result cache folder (default: $STANCE_CACHE_DIR, else the "
                   "platform's user cache folder, e.g. ~/.cache/stance)")
    c.add_argument("--chunk-size", type=int, default=10_000,
                   help="rows read, labelled and written at a time (default: 10000)")
    c.add_argument("--out", required=True, help="output table (.csv, .tsv, .jsonl, .parquet or .xlsx)")
    c.add_argument("--quiet", action="store_true", help="no progress bars or messages")
    c.add_argument("--workers", type=int, help="run on a Dask cluster of N worker processes on this machine; "
                   "--out is then a folder of part-*.parquet files (needs: pip install 'stance[dask]')")
    c.add_argument("--scheduler", help="run on the Dask cluster at this scheduler address (tcp://host:8786); "
                   "--out is then a folder of part-*.parquet files on a disk the workers share")

    sub.add_parser("schemes", help="list the built-in schemes and their labels")

    e = sub.add_parser("extract", help="quoted statements and their speakers out of .txt / .md / .html documents")
    e.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER", help="documents, or folders searched for them")
    e.add_argument("--out", required=True, help="statements table (.csv, .tsv, .jsonl, .parquet or .xlsx)")
    e.add_argument("--meta", help="side CSV with columns file,source,source_type,date (one row per document)")
    e.add_argument("--source", help="outlet of every document (overrides headers and --meta)")
    e.add_argument("--source-type", choices=["official", "state_media", "other"], help="type of that outlet")
    e.add_argument("--date", help="date of every document, YYYY-MM-DD (or a year, for citations without one)")
    e.add_argument("--encoding", help="encoding of documents that are not UTF-8, e.g. cp1252")
    e.add_argument("--quiet", action="store_true", help="no summary line")

    e = sub.add_parser("evaluate", help="score predicted labels against gold labels")
    e.add_argument("input", help="results table with gold and predicted label columns")
    e.add_argument("--gold-col", required=True, help="column of gold labels")
    e.add_argument("--pred-col", required=True, help="column of predicted labels (e.g. stance)")
    e.add_argument("--labels", help="labels in order, comma-separated (default: those that occur)")
    e.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the intervals (default: 1000)")
    e.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    e.add_argument("--json", action="store_true", help="print one JSON object")

    a = sub.add_parser("agreement", help="agreement between raters (students, coders, the model)")
    a.add_argument("input", help="table with one label column per rater")
    a.add_argument("--raters", required=True, help="rater columns, comma-separated (two or more)")
    a.add_argument("--json", action="store_true", help="print one JSON object")

    w = sub.add_parser("worksheet", help="draw a balanced sample of statements as a blank labelling sheet")
    w.add_argument("input", help="statements table (.csv, .tsv, .jsonl, .parquet or .xlsx)")
    w.add_argument("--n", type=int, default=20, help="statements on the sheet (default: 20)")
    w.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    w.add_argument("--labels", default="stance,tone", help="label columns to fill in (default: stance,tone)")
    w.add_argument("--out", required=True, help="the sheet (.csv, .tsv, .jsonl, .parquet or .xlsx)")
    w.add_argument("--html", help="also write a printable HTML version here")

    x = sub.add_parser("explain", help="which words carry a statement's label (occlusion)")
    x.add_argument("text", help="the statement, in quotes")
    x.add_argument("--scheme", default="stance", help="scheme name or .toml path (default: stance)")
    x.add_argument("--target", help="target of a target-aware scheme (e.g. NATO)")
    x.add_argument("--label", help="the label to explain (default: the predicted one)")
    x.add_argument("--max-span", type=int, default=3, help="longest run of words cut out (default: 3)")
    x.add_argument("--top", type=int, default=10, help="rows to print (default: 10)")
    x.add_argument("--html", help="also write the highlighted text as HTML here")
    x.add_argument("--json", action="store_true", help="print one JSON object")

    s = sub.add_parser("sensitivity", help="how many labels change when each hypothesis phrasing is used alone")
    s.add_argument("input", help="statements table (.csv, .tsv, .jsonl, .parquet or .xlsx)")
    s.add_argument("--scheme", default="stance", help="scheme name or .toml path (default: stance)")
    s.add_argument("--target", help="target of a target-aware scheme, for every row (e.g. NATO)")
    s.add_argument("--target-col", help="column with each row's target (default: 'target' if present)")
    s.add_argument("--text-col", default="text", help="column with the statements (default: text)")
    s.add_argument("--model", help="hub id or local folder of an NLI or sentence-transformers model")
    s.add_argument("--out", help="also write one row per statement (label, n_flips, flipped) here")
    s.add_argument("--json", action="store_true", help="print one JSON object")

    d = sub.add_parser("demo", help="label the bundled statements and chart them (offline)")
    d.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    d.add_argument("--quiet", action="store_true", help="no progress bars")

    r = sub.add_parser("report", help="write a self-contained HTML report (charts, comparisons, statements) "
                       "of a results file")
    r.add_argument("results", help="results table written by `stance classify` (.csv, .tsv, .jsonl, .parquet or .xlsx)")
    r.add_argument("--out", default="report.html", help="output HTML file (default: report.html)")
    r.add_argument("--by", default="source_type", help="column to group and compare by (default: source_type)")
    r.add_argument("--title", default="Stance and tone report", help="title of the report")
    r.add_argument("--explain", type=int, default=1, metavar="N",
                   help="explain (occlusion, highlighted words) the N most confident statements of each label; "
                   "0: no explanations section (default: 1)")
    r.add_argument("--model", help="model for the explanations (default: the one in the results' provenance)")
    return parser


@contextmanager
def one_line_warnings():
    """Print the package's own warnings (long texts split, other languages) as ``stance: warning: ...``."""
    from stance.errors import StanceWarning

    with warnings.catch_warnings():
        default = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, StanceWarning):
                print(f"stance: warning: {str(message).removeprefix('stance: ')}", file=sys.stderr)
            else:
                default(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def cmd_classify(args) -> None:
    """Stream the input through the schemes a chunk at a time; the output appears, complete, at the end."""
    from tqdm.auto import tqdm

    from stance.classifier import Classifier
    from stance.data import provenance_path
    from stance.stream import TableWriter, iter_table, run_provenance

    if args.labels and args.scheme:
        raise StanceError("pass either --scheme or --labels (with --template), not both")
    if args.template and not args.labels:
        raise StanceError("--template needs --labels: e.g. --labels favor,against --template 'This text is {}.'")
    clf = Classifier(args.model, device=args.device, batch_size=args.batch_size, progress=not args.quiet,
                     revision=args.revision, precision=args.precision, cache=not args.no_cache,
                     cache_dir=args.cache_dir)
    options = dict(target=args.target, target_col=args.target_col, text_col=args.text_col,
                   multi_label=True if args.multi_label else None, threshold=args.threshold, name=args.name)
    runs = [dict(labels=args.labels, template=args.template)] if args.labels else []
    runs += [dict(scheme=scheme) for scheme in args.scheme or ([] if args.labels else ["stance"])]
    if args.workers is not None or args.scheduler:  # on a Dask cluster, a partition per input file
        from stance.daskrun import cmd_classify_dask

        return cmd_classify_dask(args, clf, runs, options)
    if len(args.input) > 1:
        raise StanceError(f"{len(args.input)} inputs given ({args.input[0]!r}, ...): pass one file, or several "
                          "with --workers N / --scheduler ADDRESS (a Dask cluster)")
    args.input = args.input[0]
    rows = errors = 0
    with TableWriter(args.out) as writer, ExitStack() as stack:
        stack.enter_context(one_line_warnings())
        bar = None  # shown from the second chunk on, so that an error in the first is one line
        for table in iter_table(args.input, args.chunk_size):
            if args.text_col not in table.columns:
                from stance.errors import choices

                raise StanceError(f"{args.input!r} has no text column {args.text_col!r}; its columns are "
                                  f"{choices(table.columns)}: pass --text-col naming the column with the statements")
            for run in runs:
                table = clf.classify(table, **run, **options)
            writer.write(table)
            writer.provenance = run_provenance(table)
            rows += len(table)
            errors += sum(int((table[c].fillna("") != "").sum()) for c in table.columns
                          if c.endswith("_error") and c[:-6] in table.attrs["stance"]["runs"])
            if bar is None and not args.quiet:
                bar = stack.enter_context(tqdm(desc="rows", unit="row", initial=rows))
            elif bar is not None:
                bar.update(len(table))
    if not args.quiet:
        print(f"wrote {rows} rows to {writer.path} (provenance: {provenance_path(writer.path)})"
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


def _columns(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def cmd_evaluate(args) -> None:
    import json

    from stance.data import read_table
    from stance.evaluate import evaluate

    if args.bootstrap < 0:
        raise StanceError(f"--bootstrap must be 0 or more, got {args.bootstrap}")
    result = evaluate(read_table(args.input), gold=args.gold_col, pred=args.pred_col,
                      labels=_columns(args.labels) if args.labels else None, n_boot=args.bootstrap, seed=args.seed)
    print(json.dumps(result.to_dict(), indent=2) if args.json else result.summary())


def cmd_agreement(args) -> None:
    import json

    from stance.agreement import agreement
    from stance.data import read_table

    result = agreement(read_table(args.input), _columns(args.raters))
    print(json.dumps(result.to_dict(), indent=2) if args.json
          else result.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def cmd_worksheet(args) -> None:
    from stance.classroom import make_worksheet, worksheet_html
    from stance.data import read_table, write_table

    sheet = make_worksheet(read_table(args.input), n=args.n, seed=args.seed, labels=_columns(args.labels))
    out = write_table(sheet, args.out)
    message = f"wrote a sheet of {len(sheet)} statements to {out}"
    if args.html:
        Path(args.html).write_text(worksheet_html(sheet), encoding="utf-8")
        message += f" and {args.html}"
    print(message)


def cmd_explain(args) -> None:
    import json

    from stance.classifier import Classifier
    from stance.explain import explain_html

    table = Classifier(progress=False).explain(args.text, args.scheme, target=args.target, label=args.label,
                                               max_span=args.max_span)
    meta = table.attrs["stance_explain"]
    if args.html:
        Path(args.html).write_text(explain_html(table), encoding="utf-8")
    if args.json:
        print(json.dumps({**meta, "spans": table.to_dict(orient="records")}, indent=2))
        return
    top = table.sort_values("weight", ascending=False).head(args.top)
    print(f"{meta['scheme']}: {meta['label']} (p = {meta['probability']:.3f}); "
          "weight = drop in that probability without the words")
    print(top[["token", "weight"]].to_string(index=False, float_format=lambda v: f"{v:+.3f}"))


def cmd_sensitivity(args) -> None:
    import json

    from stance.classifier import Classifier
    from stance.data import write_table
    from stance.sensitivity import sensitivity

    result = sensitivity(Classifier(args.model, progress=not args.json), args.input, args.scheme, target=args.target,
                         target_col=args.target_col, text_col=args.text_col)
    if args.out:
        write_table(result.statements, args.out)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return
    print(f"{result.scheme} ({result.backend} backend): {result.flip_any:.1%} of {result.n} statements change "
          "label under at least one phrasing; per phrasing, the share that changes:")
    print(result.phrasings[["label", "phrasing", "changed", "hypothesis"]].to_string(
        index=False, float_format=lambda v: f"{v:.1%}"))


def cmd_report(args) -> None:
    from stance.report import read_results, write_report

    import matplotlib

    matplotlib.use("Agg")
    table, provenance = read_results(args.results)
    if args.explain < 0:
        raise StanceError(f"--explain must be 0 or more statements per label, got {args.explain}")
    explain = None
    if args.explain > 0:
        from stance.classifier import Classifier
        from stance.models import DEFAULT_MODEL_NAME

        named = sorted({run.get("model", {}).get("model") for run in (provenance or {}).get("runs", {}).values()} - {None})
        model = args.model or (named[0] if len(named) == 1 else None)
        explain = Classifier(None if model == DEFAULT_MODEL_NAME else model, progress=False)
    out = write_report(table, args.out, by=args.by, title=args.title, provenance=provenance, explain=explain,
                       n_explain=args.explain)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, self-contained: open it in any browser)")


COMMANDS = {"explain": cmd_explain, "worksheet": cmd_worksheet, "evaluate": cmd_evaluate, "agreement": cmd_agreement,
            "report": cmd_report, "sensitivity": cmd_sensitivity}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "classify":
            cmd_classify(args)
        elif args.command == "schemes":
            cmd_schemes(args)
        elif args.command == "extract":
            from stance.quotes import cmd_extract

            cmd_extract(args)
        elif args.command in COMMANDS:
            COMMANDS[args.command](args)
        elif args.command == "demo":
            from stance.demo import run_demo

            run_demo(Path(args.out), progress=not args.quiet)
    except StanceError as exc:
        print(f"stance: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stance: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
