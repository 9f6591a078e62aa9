from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def run_cli(*args, cwd=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "stance.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=600)


@pytest.fixture
def statements(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"text": ["NATO is a puppet stained with blood.", "We welcome dialogue with NATO.", ""],
                  "target": ["NATO", "NATO", "NATO"], "source_type": ["state_media", "official", "official"]}
                 ).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_classify_writes_results_and_provenance(statements, tmp_path, suffix):
    out = tmp_path / f"results{suffix}"
    result = run_cli("classify", statements, "--scheme", "stance", "--scheme", "tone", "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    from stance.io import read_table

    table = read_table(out)
    assert len(table) == 3
    assert {"stance", "stance_p_favor", "tone", "tone_confidence", "tone_error", "source_type"} <= set(table.columns)
    assert table["tone"].iloc[0] == "hostile" and table["stance"].iloc[0] == "against"
    assert table["tone_error"].iloc[2] in {"empty text", "missing text"}  # an empty CSV cell is missing
    meta = json.loads((tmp_path / "results.provenance.json").read_text())
    assert set(meta["runs"]) == {"stance", "tone"}
    assert meta["runs"]["stance"]["target_col"] == "target"
    assert meta["runs"]["tone"]["model"]["model"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_classify_adhoc_labels_and_multi_label(statements, tmp_path):
    out = tmp_path / "adhoc.csv"
    result = run_cli("classify", statements, "--labels", "war,peace", "--template", "This text is about {}.",
                     "--multi-label", "--out", out)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out)
    assert {"label", "label_p_war", "label_p_peace", "label_war", "label_peace"} <= set(table.columns)
    assert "wrote 3 rows" in result.stdout and "1 row(s) without a label" in result.stdout


def test_schemes_lists_labels():
    result = run_cli("schemes")
    assert result.returncode == 0
    for word in ("stance", "tone", "rhetoric", "favor", "conciliatory", "whataboutism"):
        assert word in result.stdout


def one_line_error(result, *needles):
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("stance: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_missing_text_column(tmp_path):
    path = tmp_path / "quotes.csv"
    pd.DataFrame({"quote": ["x"]}).to_csv(path, index=False)
    one_line_error(run_cli("classify", path, "--scheme", "tone", "--out", tmp_path / "o.csv"),
                   "'text'", "'quote'", "--text-col")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    one_line_error(run_cli("classify", path, "--out", tmp_path / "o.csv"), "empty")
    path.write_text("text\n")
    one_line_error(run_cli("classify", path, "--out", tmp_path / "o.csv"), "no rows")


def test_unknown_scheme(statements, tmp_path):
    one_line_error(run_cli("classify", statements, "--scheme", "sentiment", "--out", tmp_path / "o.csv"),
                   "'sentiment'", "'stance'", "'tone'", "'rhetoric'")


def test_unavailable_model(statements, tmp_path):
    env_cache = tmp_path / "hf"
    env_cache.mkdir()
    os.environ["HF_HUB_CACHE"] = str(env_cache)
    try:
        result = run_cli("classify", statements, "--model", "no-such-org/no-such-model", "--out", tmp_path / "o.csv")
    finally:
        del os.environ["HF_HUB_CACHE"]
    one_line_error(result, "no-such-org/no-such-model", "connected machine", "local model folder")


def test_missing_file_and_bad_format(tmp_path):
    one_line_error(run_cli("classify", tmp_path / "nope.csv", "--out", tmp_path / "o.csv"), "does not exist")
    bad = tmp_path / "in.xml"
    bad.write_text("<x/>")
    one_line_error(run_cli("classify", bad, "--out", tmp_path / "o.csv"), "'.xml'", "'.csv'")


def test_missing_target(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"text": ["We support them."]}).to_csv(path, index=False)
    one_line_error(run_cli("classify", path, "--scheme", "stance", "--out", tmp_path / "o.csv"),
                   "needs a target", "--target")


def test_demo_writes_results_and_charts(tmp_path, root):
    result = run_cli("demo", "--out", tmp_path / "outputs", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    statements = pd.read_csv(root / "data" / "statements.csv")
    results = pd.read_csv(tmp_path / "outputs" / "results.csv")
    assert len(results) == len(statements) and results["id"].tolist() == statements["id"].tolist()
    english = results["language"] == "en"
    assert results.loc[english, "stance"].notna().all() and results.loc[english, "tone"].notna().all()
    # the Chinese and Russian rows get no label from the English-only default model, and say why
    assert sorted(results.loc[~english, "language"]) == ["ru", "zh"]
    assert results.loc[~english, "stance"].isna().all()
    assert results.loc[~english, "tone_error"].str.contains("reads English only").all()
    assert "not in English (zh: 1, ru: 1)" in result.stderr or "not in English (ru: 1, zh: 1)" in result.stderr
    # the package's warnings as one line each, without Python's file:line and echo of the source line
    warned = [line for line in result.stderr.splitlines() if "not in English" in line]
    assert warned and all(line.startswith("stance: warning: ") for line in warned)
    assert "clf.classify(" not in result.stderr
    from PIL import Image

    for name in ("stance_by_source_type.png", "tone_by_source_type.png"):
        path = tmp_path / "outputs" / name
        assert str(path.resolve()) in result.stdout
        pixels = np.asarray(Image.open(path).convert("L"))
        assert pixels.shape[1] > 400 and len(np.unique(pixels)) > 10  # a real chart, not a blank image
    report = tmp_path / "outputs" / "report.html"
    assert str(report.resolve()) in result.stdout
    page = report.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 7 and "<td>r03</td>" in page
    for name in ("stance_x_tone.png", "rhetoric_by_source_type.png", "stance_confidence.png"):
        assert (tmp_path / "outputs" / name).is_file()
    extracted = pd.read_csv(tmp_path / "outputs" / "extracted_statements.csv", keep_default_na=False)
    assert "brutal" in extracted["quote"].tolist() and "Global Times" in extracted["source"].tolist()
    labelled = pd.read_csv(tmp_path / "outputs" / "extracted_results.csv", keep_default_na=False)
    assert len(labelled) == len(extracted) and labelled["tone"].ne("").all()


def test_extract_folder_to_statements(tmp_path, root):
    out = tmp_path / "statements.csv"
    result = run_cli("extract", root / "tests" / "data" / "quote_articles", root / "data" / "china-nato-article.txt",
                     "--out", out)
    assert result.returncode == 0, result.stderr
    assert "statements" in result.stdout and "document(s)" in result.stdout
    table = pd.read_csv(out, keep_default_na=False)
    assert {"text", "quote", "speaker", "speaker_reason", "source", "date", "citation", "start", "end",
            "file_start", "file_end"} <= set(table.columns)
    seed = table[table["document"].str.endswith("china-nato-article.txt")]
    assert seed.loc[seed["quote"] == "brutal", "source"].tolist() == ["NATO"]
    assert "to check by hand, speaker_review" in result.stdout
    confidence = pd.to_numeric(table["speaker_confidence"], errors="coerce")  # empty: not measured
    assert (table["speaker_review"].astype(str) == "True").tolist() == (~(confidence >= 0.6)).tolist()


def test_extract_a_file_with_a_bad_header_date_keeps_its_quotes(tmp_path):
    (tmp_path / "t.txt").write_text("date: soon\n\nThe envoy (synthetic) said “no”.", encoding="utf-8")
    result = run_cli("extract", tmp_path / "t.txt", "--out", tmp_path / "o.csv")
    assert result.returncode == 0 and pd.read_csv(tmp_path / "o.csv")["quote"].tolist() == ["no"]
    assert "its date 'soon' is not a date and was left out" in result.stderr
    assert "that quote was skipped" not in result.stderr


def test_extract_errors_are_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    one_line_error(run_cli("extract", empty, "--out", tmp_path / "o.csv"), "empty")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("« caf\xe9 »".encode("cp1252"))
    one_line_error(run_cli("extract", latin, "--out", tmp_path / "o.csv"), "not UTF-8", "--encoding cp1252")
    result = run_cli("extract", latin, "--encoding", "cp1252", "--out", tmp_path / "o.csv")
    assert result.returncode == 0 and pd.read_csv(tmp_path / "o.csv")["quote"].tolist() == [" café "]
    one_line_error(run_cli("extract", tmp_path / "missing", "--out", tmp_path / "o.csv"), "does not exist")
    unbalanced = tmp_path / "u.txt"
    unbalanced.write_text("He said “no.", encoding="utf-8")
    result = run_cli("extract", unbalanced, "--out", tmp_path / "o.csv")
    assert result.returncode == 0 and "stance: warning:" in result.stderr and "unbalanced quote" in result.stderr
