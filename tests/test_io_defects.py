"""Defects of the table I/O and the CLI found by trying the kit as a new user (issue "One way through")."""
from __future__ import annotations

import subprocess
import sys
import warnings

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
    from stance.data import read_table

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

    from stance.data import write_table

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
    from stance.quotes import QuoteWarning

    assert issubclass(QuoteWarning, StanceWarning) and issubclass(CacheWarning, StanceWarning)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from stance.quotes import extract_quotes

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

    from stance.models import packaged_model_path

    folder = tmp_path / "minilm-bin"
    shutil.copytree(packaged_model_path(), folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(stance.ModelNotAvailableError) as err:
        stance.Classifier(model=str(folder), cache=False, progress=False).load()
    message = str(err.value)
    assert "\n" not in message and "no .safetensors weights (only pytorch_model.bin)" in message
    assert "safe_serialization=True" in message
