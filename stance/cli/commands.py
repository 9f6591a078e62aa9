"""The commands of ``stance``: each ``cmd_*`` takes the parsed arguments, calls the library with
explicit arguments, and prints. Nothing below the CLI sees an argparse object."""
from __future__ import annotations

import sys
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path

from stance.errors import StanceError


def classifier_from(args, progress: bool):
    """The :class:`stance.Classifier` the model options (:func:`stance.cli.parsers.model_options`) ask for."""
    from stance.classifier import Classifier

    return Classifier(args.model, device=args.device, batch_size=args.batch_size, progress=progress,
                      revision=args.revision, precision=args.precision, cache=not args.no_cache,
                      cache_dir=args.cache_dir)


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

    from stance.io import provenance_path
    from stance.io.tables import TableWriter, iter_table, run_provenance

    if args.labels and args.scheme:
        raise StanceError("pass either --scheme or --labels (with --template), not both")
    if args.template and not args.labels:
        raise StanceError("--template needs --labels: e.g. --labels favor,against --template 'This text is {}.'")
    clf = classifier_from(args, progress=not args.quiet)
    options = dict(target=args.target, target_col=args.target_col, text_col=args.text_col,
                   multi_label=True if args.multi_label else None, threshold=args.threshold, name=args.name)
    runs = [dict(labels=args.labels, template=args.template)] if args.labels else []
    runs += [dict(scheme=scheme) for scheme in args.scheme or ([] if args.labels else ["stance"])]
    if args.workers is not None or args.scheduler:  # on a Dask cluster, a partition per input file
        from stance.daskrun import PROVENANCE_FILE, classify_files

        out, rows, errors = classify_files(clf, args.input, args.out, runs, options, workers=args.workers,
                                           scheduler=args.scheduler, progress=not args.quiet)
        if not args.quiet:
            print(f"wrote {rows} rows to {out}/part-*.parquet (provenance: {out / PROVENANCE_FILE})"
                  + (f"; {errors} row(s) without a label, see the *_error columns" if errors else ""))
        return None
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

    from stance.io import read_table
    from stance.evaluate import evaluate

    if args.bootstrap < 0:
        raise StanceError(f"--bootstrap must be 0 or more, got {args.bootstrap}")
    result = evaluate(read_table(args.input), gold=args.gold_col, pred=args.pred_col,
                      labels=_columns(args.label_order) if args.label_order else None, n_boot=args.bootstrap, seed=args.seed)
    print(json.dumps(result.to_dict(), indent=2) if args.json else result.summary())


def cmd_agreement(args) -> None:
    import json

    from stance.agreement import agreement
    from stance.io import read_table

    result = agreement(read_table(args.input), _columns(args.raters))
    print(json.dumps(result.to_dict(), indent=2) if args.json
          else result.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def cmd_worksheet(args) -> None:
    from stance.classroom import make_worksheet, worksheet_html
    from stance.io import read_table, write_table, write_text
    from stance.io.files import check_writable

    if args.html:  # refused before anything is written
        check_writable(args.html)
    sheet = make_worksheet(read_table(args.input), n=args.n, seed=args.seed, labels=_columns(args.columns))
    out = write_table(sheet, args.out)
    message = f"wrote a sheet of {len(sheet)} statements to {out}"
    if args.html:
        write_text(args.html, worksheet_html(sheet))
        message += f" and {args.html}"
    print(message)


def cmd_explain(args) -> None:
    import json

    from stance.explain import explain_html
    from stance.io import write_text
    from stance.io.files import check_writable

    if args.html:
        check_writable(args.html)
    table = classifier_from(args, progress=False).explain(args.text, args.scheme, target=args.target, label=args.label,
                                               max_span=args.max_span)
    meta = table.attrs["stance_explain"]
    if args.html:
        write_text(args.html, explain_html(table))
    if args.json:
        print(json.dumps({**meta, "spans": table.to_dict(orient="records")}, indent=2))
        return
    top = table.sort_values("weight", ascending=False).head(args.top)
    print(f"{meta['scheme']}: {meta['label']} (p = {meta['probability']:.3f}); "
          "weight = drop in that probability without the words")
    print(top[["token", "weight"]].to_string(index=False, float_format=lambda v: f"{v:+.3f}"))


def cmd_sensitivity(args) -> None:
    import json

    from stance.io import write_table
    from stance.sensitivity import sensitivity

    result = sensitivity(classifier_from(args, progress=not args.json), args.input, args.scheme, target=args.target,
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
        from stance.backends.models import DEFAULT_MODEL_NAME

        named = sorted({run.get("model", {}).get("model") for run in (provenance or {}).get("runs", {}).values()} - {None})
        model = args.model or (named[0] if len(named) == 1 else None)
        args.model = None if model == DEFAULT_MODEL_NAME else model
        explain = classifier_from(args, progress=False)
    out = write_report(table, args.out, by=args.by, title=args.title, provenance=provenance, explain=explain,
                       n_explain=args.explain)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, self-contained: open it in any browser)")


def cmd_extract(args) -> None:
    """Documents in, a statements table out."""
    from stance.io import write_table
    from stance.extraction.quotes import extract_files

    df, problems = extract_files(args.inputs, meta_csv=args.meta, encoding=args.encoding, source=args.source,
                                 source_type=args.source_type, date=args.date)
    out = write_table(df, args.out)
    for p in problems:
        print(f"stance: warning: {p}", file=sys.stderr)
    if not args.quiet:
        attributed = int((df["speaker"] != "").sum())
        print(f"wrote {len(df)} statements ({attributed} with a speaker; {int(df['speaker_review'].sum())} to check "
              f"by hand, speaker_review) from {df.attrs['documents']} document(s) to {out}")


def cmd_demo(args) -> None:
    from stance.demo import run_demo

    with one_line_warnings():  # "stance: warning: ...", without Python's echo of the source line
        run_demo(Path(args.out), progress=not args.quiet)


COMMANDS = {"classify": cmd_classify, "schemes": cmd_schemes, "extract": cmd_extract, "evaluate": cmd_evaluate,
            "agreement": cmd_agreement, "worksheet": cmd_worksheet, "explain": cmd_explain,
            "sensitivity": cmd_sensitivity, "demo": cmd_demo, "report": cmd_report}
