"""Defects of the table I/O and the CLI found by trying the kit as a new user (issue "One way through")."""
from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stance
from stance.errors import StanceWarning


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "stance.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


@pytest.mark.slow
def test_a_20000_word_speech_in_a_csv_cell_is_labelled(tmp_path, root):
    words = pd.read_csv(root / "data" / "statements.csv")["text"].str.cat(sep=" ").split()
    speech = " ".join(words[i % len(words)] for i in range(23_000)).replace(" .", ".")
    src = tmp_path / "speech.csv"
    pd.DataFrame({"id": ["s1", "s2"], "text": [speech, "We welcome the talks."]}).to_csv(src, index=False)
    assert len(speech) > 131072  # beyond the csv module's default field limit
    out = tmp_path / "out.csv"
    done = cli("classify", src, "--scheme", "tone", "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    result = pd.read_csv(out)
    assert result["tone_parts"].iloc[0] > 10 and result["tone"].notna().all()
    from stance.io import read_table

    assert len(read_table(src)["text"].iloc[0]) == len(speech)  # the library path reads it too


def test_xlsx_in_and_out_through_the_cli(tmp_path):
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    pd.DataFrame({"id": ["001", "002"], "text": ["We welcome the talks.", "-2 percent growth is expected."]}).to_excel(
        src, index=False)
    done = cli("classify", src, "--scheme", "tone", "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:2] == b"PK"  # a zip (xlsx), not Parquet bytes
    back = pd.read_excel(out, dtype=str)
    assert back["id"].tolist() == ["001", "002"] and back["tone"].notna().all()
    assert back["text"].tolist() == ["We welcome the talks.", "'-2 percent growth is expected."]  # not a formula


def test_spreadsheet_output_never_holds_a_live_formula(tmp_path):
    from openpyxl import load_workbook

    from stance.io import write_table

    path = write_table(pd.DataFrame({"text": ["=1+1", "+cmd", "-2", "@SUM(A1)", "plain"]}), tmp_path / "t.xlsx")
    cells = [row[0] for row in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert cells == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "plain"]
    assert all(c.data_type == "s" for row in load_workbook(path).active.iter_rows(min_row=2) for c in row)


def test_ids_stay_text_in_the_library_and_the_cli(tmp_path, clf):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n001,We welcome the talks.\n", encoding="utf-8")
    assert clf.classify(str(src), "tone", progress=False)["id"].tolist() == ["001"]
    out = tmp_path / "out.csv"
    assert cli("classify", src, "--scheme", "tone", "--out", out, "--quiet").returncode == 0
    assert pd.read_csv(out, dtype=str)["id"].tolist() == ["001"]


def test_version_is_argparse_version_action():
    from stance import __version__

    done = cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"stance {__version__}"
    assert cli("--version", "classify").returncode == 0  # the version action exits before the command


def test_quote_and_cache_warnings_are_stance_warnings():
    from stance.cache import CacheWarning
    from stance.extraction.quotes import QuoteWarning

    assert issubclass(QuoteWarning, StanceWarning) and issubclass(CacheWarning, StanceWarning)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from stance.extraction.quotes import extract_quotes

        extract_quotes('He said "this never ends.')
    assert all(issubclass(w.category, StanceWarning) for w in caught)


def test_a_cached_rerun_of_long_texts_imports_no_torch(tmp_path, root):
    """The split of a long text into parts is cached too, so a fully cached re-run loads no model."""
    words = pd.read_csv(root / "data" / "statements.csv")["text"].str.cat(sep=" ").split()
    long_text = " ".join(words[:700])
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": [long_text, "We welcome the talks."]}).to_csv(src, index=False)
    script = (f"import sys, warnings; warnings.simplefilter('ignore'); import stance; "
              f"out = stance.Classifier(progress=False, cache_dir={str(tmp_path / 'cache')!r}).classify("
              f"{str(src)!r}, 'tone'); print(int(out['tone_parts'].iloc[0]), 'torch' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    parts, loaded = first.stdout.split()
    assert int(parts) > 1 and loaded == "True"
    assert again.stdout.split() == [parts, "False"]


def test_embedding_folder_without_safetensors_is_refused_in_one_line(tmp_path):
    """An embedding folder holding only pytorch_model.bin used to load (and hash empty input)."""
    import shutil

    from stance.backends.models import packaged_model_path

    folder = tmp_path / "minilm-bin"
    shutil.copytree(packaged_model_path(), folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(stance.ModelNotAvailableError) as err:
        stance.Classifier(model=str(folder), cache=False, progress=False).load()
    message = str(err.value)
    assert "\n" not in message and "no .safetensors weights (only pytorch_model.bin)" in message
    assert "safe_serialization=True" in message


FEW_SHOT = pd.DataFrame({"text": ["Lying thugs and puppets.", "Bloodthirsty vassals of the empire.",
                                  "We regret this decision.", "We firmly oppose this move.", "The meeting is on Monday.",
                                  "The report was published today.", "We welcome dialogue.", "Let us work together."],
                         "gold": ["hostile", "hostile", "critical", "critical", "neutral", "neutral",
                                  "conciliatory", "conciliatory"]})


def test_explain_explains_the_probability_that_classify_reports(clf, tmp_path):
    """explain used to call the backend directly: no normalisation, no few-shot adaptation."""
    fitted = stance.Classifier(progress=False, cache_dir=tmp_path)
    fitted.backend_ = clf.backend_
    fitted.fit(FEW_SHOT, scheme="tone", gold="gold")
    text = "NATO&amp;its  vassals are a\u200b puppet stained with blood."
    out = fitted.classify([text], scheme="tone")
    for label in ("hostile", "neutral"):
        explained = fitted.explain(text, "tone", label=label, max_span=1).attrs["stance_explain"]
        assert explained["probability"] == pytest.approx(out[f"tone_p_{label}"].iloc[0], abs=1e-6)
    assert fitted.predict_proba([text], "tone")[0] == pytest.approx(
        out[[f"tone_p_{n}" for n in stance.load_scheme("tone").label_names]].to_numpy()[0], abs=1e-6)


def test_explain_refuses_a_text_classify_would_not_label(clf):
    with pytest.raises(stance.InputError, match="not English"):
        clf.explain("Мы решительно осуждаем это решение и требуем его отмены.", "tone")


def test_predict_proba_is_the_array_behind_classify(clf):
    texts = ["We support NATO.", "", "NATO is a threat to peace."]
    p = clf.predict_proba(texts, "stance", target="NATO")
    out = clf.classify(texts, scheme="stance", target="NATO")
    assert p.shape == (3, 3) and np.isnan(p[1]).all()
    np.testing.assert_allclose(p[[0, 2]], out[["stance_p_favor", "stance_p_against", "stance_p_neutral"]]
                               .to_numpy()[[0, 2]], atol=1e-6)
    with pytest.raises(stance.InputError, match="needs a target"):
        clf.predict_proba(texts, "stance")


def test_html_outputs_are_refused_before_anything_is_written(tmp_path):
    """worksheet --html and explain --html wrote directly: a missing folder gave a traceback
    after the CSV was already written."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["s1", "s2"], "text": ["We welcome the talks.", "NATO is a puppet."]}).to_csv(src, index=False)
    done = cli("worksheet", src, "--out", tmp_path / "sheet.csv", "--html", blocker / "sheet.html", "--n", 2)
    assert done.returncode != 0 and "Traceback" not in done.stderr and "cannot write" in done.stderr
    assert not (tmp_path / "sheet.csv").exists()
    done = cli("explain", "NATO is a puppet.", "--scheme", "tone", "--html", blocker / "x.html")
    assert done.returncode != 0 and "Traceback" not in done.stderr and "cannot write" in done.stderr


def test_report_is_written_atomically(tmp_path, monkeypatch, results):
    """report.html was written in place: a failure half-way left a page that looked complete."""
    from stance import report

    out = tmp_path / "report.html"
    out.write_text("the previous report")

    original = Path.write_text

    def disk_full_half_way(self, data, *args, **kwargs):
        original(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full_half_way)
    with pytest.raises(stance.InputError, match="No space left"):
        report.write_report(results.head(3), out)
    monkeypatch.undo()
    assert out.read_text() == "the previous report" and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_no_stale_sidecar_and_sidecars_are_atomic(tmp_path, results):
    from stance.io import provenance_path, read_provenance, write_table

    out = tmp_path / "res.csv"
    write_table(results.head(3), out)
    assert read_provenance(out)["runs"].keys() == results.attrs["stance"]["runs"].keys()
    plain = pd.DataFrame({"text": ["a"]})
    write_table(plain, out)  # a table without provenance: the old sidecar must not describe it
    assert not provenance_path(out).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res.csv"]


def test_report_reads_a_dask_output_folder(tmp_path, results):
    from stance.io import write_provenance
    from stance.report import read_results

    folder = tmp_path / "out"
    folder.mkdir()
    head = results.head(6).reset_index(drop=True)
    head.iloc[:3].to_parquet(folder / "part-00000.parquet", index=False)
    head.iloc[3:].to_parquet(folder / "part-00001.parquet", index=False)
    write_provenance(folder, results.attrs["stance"])
    df, prov = read_results(folder)
    assert len(df) == 6 and df["text"].tolist() == head["text"].tolist()
    assert prov["runs"].keys() == results.attrs["stance"]["runs"].keys()
    done = cli("report", folder, "--out", tmp_path / "r.html")
    assert done.returncode == 0, done.stderr
    assert "<img" in (tmp_path / "r.html").read_text()


def test_no_cache_keeps_no_language_model_and_cache_dir_moves_it(tmp_path):
    """--no-cache wrote the language identifier's unpacked model into the user cache, and
    --cache-dir did not move it."""
    import os

    src = tmp_path / "in.csv"
    pd.DataFrame({"text": ["We welcome the talks."]}).to_csv(src, index=False)
    default, moved = tmp_path / "default", tmp_path / "moved"
    env = {**os.environ, "STANCE_CACHE_DIR": str(default)}

    def run(*extra):
        return subprocess.run([sys.executable, "-m", "stance.cli", "classify", str(src), "--scheme", "tone",
                               "--out", str(tmp_path / "o.csv"), "--quiet", *extra], capture_output=True, text=True,
                              env=env)

    done = run("--no-cache")
    assert done.returncode == 0, done.stderr
    assert not (default.exists() and list(default.glob("langid-*")))
    done = run("--cache-dir", moved)
    assert done.returncode == 0, done.stderr
    assert list(moved.glob("langid-*.npz")) and not (default.exists() and list(default.glob("langid-*")))
