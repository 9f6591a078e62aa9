"""The evaluate, agreement, worksheet and explain subcommands."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from stance.cli import main


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def results(tmp_path):
    path = tmp_path / "results.csv"
    pd.DataFrame({"gold_stance": ["favor", "against", "neutral", "against", "favor", "neutral"],
                  "stance": ["favor", "against", "against", "against", "neutral", "neutral"],
                  "s1": ["a", "b", "a", "b", "a", None], "s2": ["a", "b", "b", "b", "a", "a"],
                  "s3": ["a", "b", "a", "a", "a", "a"]}).to_csv(path, index=False)
    return path


def test_evaluate_json(capsys, results):
    code, out, _ = run(capsys, "evaluate", results, "--gold-col", "gold_stance", "--pred-col", "stance", "--json",
                       "--bootstrap", "100")
    assert code == 0
    d = json.loads(out)
    df = pd.read_csv(results)
    assert d["macro_f1"] == pytest.approx(f1_score(df["gold_stance"], df["stance"], average="macro"))
    assert d["f_avg"] == pytest.approx(f1_score(df["gold_stance"], df["stance"], labels=["favor", "against"],
                                                average="macro"))
    assert d["confusion"]["neutral"]["against"] == 1 and d["per_label"]["favor"]["support"] == 2
    assert {"accuracy", "ci"} <= set(d)


def test_evaluate_text_and_errors(capsys, results):
    code, out, _ = run(capsys, "evaluate", results, "--gold-col", "gold_stance", "--pred-col", "stance")
    assert code == 0 and "macro_f1" in out and "confusion" in out
    code, _, err = run(capsys, "evaluate", results, "--gold-col", "gold", "--pred-col", "stance")
    assert code == 2 and err.startswith("stance: error:") and "'gold_stance'" in err and "Traceback" not in err


def test_agreement_json(capsys, results):
    code, out, _ = run(capsys, "agreement", results, "--raters", "s1,s2,s3", "--json")
    assert code == 0
    d = json.loads(out)
    assert {"krippendorff_alpha", "fleiss_kappa", "cohen_kappa"} <= set(d)
    pair = d["cohen_kappa"][1]
    assert pair["raters"] == ["s1", "s3"]
    df = pd.read_csv(results).dropna()
    assert pair["value"] == pytest.approx(cohen_kappa_score(df["s1"], df["s3"]))


def test_agreement_errors(capsys, results):
    code, _, err = run(capsys, "agreement", results, "--raters", "s1")
    assert code == 2 and "at least two raters" in err
    code, _, err = run(capsys, "agreement", results, "--raters", "s1,nobody")
    assert code == 2 and "'nobody'" in err


def test_worksheet_is_balanced_seeded_and_blank(capsys, tmp_path, root):
    out, page = tmp_path / "sheet.csv", tmp_path / "sheet.html"
    code, msg, err = run(capsys, "worksheet", root / "data" / "statements.csv", "--n", "20", "--seed", "3",
                         "--out", out, "--html", page)
    assert code == 0, err
    sheet = pd.read_csv(out, keep_default_na=False)
    assert len(sheet) == 20 and sheet["id"].is_unique
    assert (sheet[["stance", "tone", "comment"]] == "").all().all()
    assert not {"gold_stance", "gold_tone", "speaker"} & set(sheet.columns)
    statements = pd.read_csv(root / "data" / "statements.csv").set_index("id")
    types = statements.loc[sheet["id"], "source_type"].value_counts()
    assert types.max() - types.min() <= 1  # balanced by source type
    assert "favor" in page.read_text() and "<table" in page.read_text()
    run(capsys, "worksheet", root / "data" / "statements.csv", "--n", "20", "--seed", "3", "--out", tmp_path / "b.csv")
    assert pd.read_csv(tmp_path / "b.csv")["id"].tolist() == sheet["id"].tolist()
    code, _, err = run(capsys, "worksheet", root / "data" / "statements.csv", "--n", "0", "--out", out)
    assert code == 2 and "n must be at least 1, got 0" in err


def test_classroom_sheets_collect(root):
    from stance.agreement import agreement
    from stance.classroom import collect_sheets

    table = collect_sheets(root / "data" / "classroom", "tone")
    students = [c for c in table.columns if c.startswith("student_")]
    assert len(students) >= 3 and len(table) == 20
    result = agreement(table, students)
    assert 0.3 < result.krippendorff_alpha < 1
