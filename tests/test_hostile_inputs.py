"""Every kind of real-world and broken input file through `stance classify`, as a subprocess.

Files that real exports produce (a BOM, CRLF, quoted newlines, semicolon- or tab-delimited
CSV, junk inside the statements) are read, and every row comes out. Broken files and paths
are refused with one line naming the file (and the line, where there is one), exit status 2,
and no output file left behind, complete-looking or partial.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HOSTILE_TEXTS = [
    "NATO is a puppet stained with blood.",
    "We welcome\u200b dialogue &amp; cooperation\u00ad with NATO.",  # zero-width, entity, soft hyphen
    "🙂 We support NATO 🇺🇦",
    "حلف الناتو دمية في يد الولايات المتحدة",  # right-to-left
    "",
    "The alliance is expanding, again.\r\nAnd again.",
]


def run_cli(*args, limit_bytes: int | None = None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}

    def limit():  # a disk that fills up: writes past limit_bytes fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "stance.cli", "classify", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=600, preexec_fn=limit if limit_bytes else None)


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def good_cases(d: Path) -> dict[str, tuple[Path, int]]:
    """name -> (file, number of data rows)."""
    rows = [("a1", "We support NATO."), ("a2", "NATO is a threat;\nit must stop."), ("a3", "Talks, not war.")]
    cases = {}
    crlf = "id,text\r\n" + "".join(f'{i},"{t}"\r\n' for i, t in rows)
    cases["utf8-bom-crlf-quoted-newline"] = (write_bytes(d / "bom.csv", "\ufeff".encode() + crlf.encode()), 3)
    semi = "id;text;target\n" + "".join(f'{i};"{t}";NATO\n' for i, t in rows)
    cases["semicolon-delimited"] = (write_bytes(d / "semicolon.csv", semi.encode()), 3)
    tab = "id\ttext\n" + "".join(f'{i}\t"{t}"\n' for i, t in rows)
    cases["tab-delimited-.csv"] = (write_bytes(d / "tabs.csv", tab.encode()), 3)
    cases["tab-delimited-.tsv"] = (write_bytes(d / "tabs.tsv", tab.encode()), 3)
    junk = pd.DataFrame({"text": HOSTILE_TEXTS})
    junk.to_csv(d / "junk.csv", index=False)
    cases["junk-in-the-statements-csv"] = (d / "junk.csv", len(HOSTILE_TEXTS))
    (d / "junk.jsonl").write_text("\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in HOSTILE_TEXTS)
                                  + "\n\n", encoding="utf-8")
    cases["junk-in-the-statements-jsonl"] = (d / "junk.jsonl", len(HOSTILE_TEXTS))
    return cases


def broken_cases(d: Path) -> dict[str, tuple[list, list[str], dict]]:
    """name -> (arguments, words the one-line error must contain, run options)."""
    out = d / "out.csv"
    cases = {}
    ragged = write_bytes(d / "ragged.csv", b"id,text\n1,We support NATO.\n2,NATO, the alliance,is fine\n3,Ok\n")
    cases["ragged-row-too-many"] = ([ragged, "--out", out], ["ragged.csv", "line 3", "4 cells", "header has 2"], {})
    short = write_bytes(d / "short.csv", b"id,text,target\n1,We support NATO.,NATO\n2,Too short\n")
    cases["ragged-row-too-few"] = ([short, "--out", out], ["short.csv", "line 3", "2 cells", "header has 3"], {})
    jsonl = write_bytes(d / "bad.jsonl", b'{"text": "We support NATO."}\n{"text": "ok"}\n{"text": "unclosed\n')
    cases["jsonl-bad-line"] = ([jsonl, "--out", out], ["bad.jsonl", "line 3"], {})
    jsonl_list = write_bytes(d / "list.jsonl", b'{"text": "a"}\n["not", "an", "object"]\n')
    cases["jsonl-line-not-an-object"] = ([jsonl_list, "--out", out], ["list.jsonl", "line 2", "not a JSON object"], {})
    binary = write_bytes(d / "binary.csv", b"id,text\n1,fine\n" + bytes(range(256)) * 4)
    cases["binary-junk-csv"] = ([binary, "--out", out], ["binary.csv", "line 3", "NUL bytes"], {})
    latin = write_bytes(d / "latin1.csv", "id,text\n1,ok\n2,Caf\u00e9 cr\u00e8me\n".encode("latin-1"))
    cases["not-utf8-csv"] = ([latin, "--out", out], ["latin1.csv", "line 3", "not UTF-8", "0xe9"], {})
    binary_jsonl = write_bytes(d / "binary.jsonl", b'{"text": "a"}\n' + b"\xff\xfe\x00junk\n")
    cases["binary-junk-jsonl"] = ([binary_jsonl, "--out", out], ["binary.jsonl", "line 2", "not UTF-8"], {})
    pq.write_table(pa.table({"statement": ["a", "b"], "n": [1, 2]}), d / "schema.parquet")
    cases["parquet-wrong-schema"] = ([d / "schema.parquet", "--out", out],
                                     ["schema.parquet", "no text column 'text'", "'statement'", "--text-col"], {})
    not_parquet = write_bytes(d / "fake.parquet", b"id,text\n1,this is a CSV file\n")
    cases["parquet-that-is-not-parquet"] = ([not_parquet, "--out", out], ["fake.parquet", "cannot read"], {})
    cases["missing-file"] = ([d / "nowhere.csv", "--out", out], ["nowhere.csv", "does not exist"], {})
    (d / "folder.csv").mkdir()
    cases["directory-instead-of-file"] = ([d / "folder.csv", "--out", out], ["folder.csv", "is a directory"], {})
    empty = write_bytes(d / "empty.csv", b"")
    cases["empty-file"] = ([empty, "--out", out], ["empty.csv", "empty"], {})
    header = write_bytes(d / "header.csv", b"id,text\n")
    cases["header-only"] = ([header, "--out", out], ["header.csv", "no rows"], {})
    good = d / "good.csv"
    pd.DataFrame({"text": ["We support NATO.", "NATO is a threat."]}).to_csv(good, index=False)
    blocker = write_bytes(d / "a-file", b"x")
    cases["output-under-a-file"] = ([good, "--out", blocker / "out.csv"], ["a-file/out.csv", "cannot write"], {})
    (d / "out-dir.csv").mkdir()
    cases["output-is-a-directory"] = ([good, "--out", d / "out-dir.csv"], ["out-dir.csv", "cannot write"], {})
    many = d / "many.csv"
    pd.DataFrame({"text": [f"Statement number {i} about NATO and the alliance's plans." for i in range(400)]}
                 ).to_csv(many, index=False)
    cases["disk-full-mid-run"] = ([many, "--out", out, "--scheme", "tone", "--no-cache", "--chunk-size", "100", "--quiet"],
                                  ["out.csv", "cannot write", "File too large"], {"limit_bytes": 40_000})
    return cases


def test_every_hostile_input_through_the_cli(tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    ran = {"read": 0, "refused": 0}
    for name, (path, n_rows) in good_cases(d).items():
        out = tmp_path / f"{name}.csv"
        result = run_cli(path, "--scheme", "tone", "--out", out, "--quiet")
        assert result.returncode == 0, (name, result.stderr)
        assert "Traceback" not in result.stderr, name
        table = pd.read_csv(out, keep_default_na=False)
        assert len(table) == n_rows, name
        labelled = table["tone"] != ""
        assert (labelled | (table["tone_error"] != "")).all(), name  # a label or a reason, every row
        if name.startswith("junk"):
            assert [t.replace("\r\n", "\n") for t in table["text"]] == [t.replace("\r\n", "\n")
                                                                        for t in HOSTILE_TEXTS], name  # unchanged
            assert table["tone_error"].tolist()[4].startswith(("empty text", "missing text"))
            assert table["language"].tolist()[3] == "ar" and "English only" in table["tone_error"].tolist()[3]
            assert any(line.startswith("stance: warning: 1 row(s) are not in English (ar: 1)")
                       for line in result.stderr.splitlines()), result.stderr
        ran["read"] += 1
    for name, (args, needles, options) in broken_cases(d).items():
        out = Path(args[args.index("--out") + 1])
        existed = out.exists()
        result = run_cli(*args, **options)
        assert result.returncode == 2, (name, result.returncode, result.stderr[-2000:])
        assert "Traceback" not in result.stderr, (name, result.stderr[-2000:])
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("stance: error: "), (name, result.stderr[-2000:])
        for needle in needles:
            assert needle in lines[0], (name, needle, lines[0])
        if not existed:
            assert not out.exists(), name
        leftovers = [p.name for p in out.parent.glob(".*.partial")] if out.parent.is_dir() else []
        assert not leftovers, (name, leftovers)
        ran["refused"] += 1
    with capsys.disabled():
        print(f"\nhostile inputs through `stance classify`: {sum(ran.values())} cases "
              f"({ran['read']} read with every row, {ran['refused']} refused in one line)")
