"""The bundled data: real statements verbatim from the seed article, synthetic ones marked."""
from __future__ import annotations

import pandas as pd
import pytest

COLUMNS = ["id", "text", "speaker", "source", "source_type", "date", "target", "citation", "synthetic"]


@pytest.fixture(scope="module")
def statements(root):
    return pd.read_csv(root / "data" / "statements.csv")


def test_schema(statements):
    assert statements.columns[:len(COLUMNS)].tolist() == COLUMNS
    assert statements["id"].is_unique
    assert set(statements["source_type"]) == {"official", "state_media"}
    assert statements["text"].str.strip().str.len().gt(0).all()
    pd.to_datetime(statements["date"], format="%Y-%m-%d")


def test_real_statements_are_verbatim_and_cited(statements, root):
    article = (root / "data" / "china-nato-article.txt").read_text(encoding="utf-8")
    real = statements[~statements["synthetic"]]
    assert len(real) >= 3
    for row in real.itertuples():
        assert row.text in article, row.id
        assert "Jamestown" in row.citation and f"({row.source}, " in row.citation
    assert any("“puppet”" in t and "“stained with blood”" in t for t in real["text"])
    assert any("“brutal”" in t for t in real["text"])


def test_synthetic_statements_are_marked_and_labelled(statements, root):
    dev = pd.concat([pd.read_csv(root / "data" / "dev" / f)
                     for f in ("synthetic_a.csv", "synthetic_b.csv", "synthetic_c.csv")])
    for table in (statements[statements["synthetic"]], dev):
        assert table["speaker"].str.endswith("(synthetic)").all()
        assert table["citation"].str.contains("synthetic").all()
        assert table["gold_stance"].isin(["favor", "against", "neutral"]).all()
        assert table["gold_tone"].isin(["hostile", "critical", "neutral", "conciliatory"]).all()
    assert statements["synthetic"].sum() >= 40
    assert len(dev) == 440 and dev["id"].is_unique


# --- read_statements: the tables users bring ------------------------------------------------------

import stance  # noqa: E402
from stance.errors import StanceError  # noqa: E402

USER_TABLE = pd.DataFrame({
    "id": ["s1", "s2"], "text": ["We oppose the sanctions.", "The talks were useful."],
    "speaker": ["ministry spokesperson (synthetic)", "envoy (synthetic)"], "source_type": ["official", "other"],
    "date": ["2024-05-02", "2024-06-01"], "target": ["the sanctions", "the talks"], "synthetic": [True, True],
})


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet", ".xlsx"])
def test_read_statements_each_format(tmp_path, suffix):
    path = stance.write_table(USER_TABLE, tmp_path / f"statements{suffix}")
    df = stance.read_statements(path)
    assert df["text"].tolist() == USER_TABLE["text"].tolist() and df["id"].tolist() == ["s1", "s2"]
    assert str(df["date"].dtype) == "datetime64[ns]" and df["date"].iloc[1] == pd.Timestamp("2024-06-01")
    assert df["synthetic"].tolist() == [True, True] and df.attrs["problems"] == []


def test_read_statements_only_text_is_required(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text\nHello.\n", encoding="utf-8")
    assert stance.read_statements(path)["text"].tolist() == ["Hello."]
    path.write_text("quote\nHello.\n", encoding="utf-8")
    with pytest.raises(StanceError, match="no 'text' column.*'quote'.*rename 'quote' to 'text'"):
        stance.read_statements(path)


def test_read_statements_reports_every_problem_row_with_its_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('id,text,source_type,date\na,"Fine, and\non two lines.",official,2024-01-02\n'
                    'b,,official,2024-01-03\nc,Ok.,press agency,2024-01-04\nd,Ok.,state_media,someday\n'
                    'a,Again.,other,\n', encoding="utf-8")
    with pytest.raises(StanceError) as info:
        stance.read_statements(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith("4 problem row(s)")
    for needle in ("line 4: text is empty", "line 5: source_type 'press agency' is not one of 'official', "
                   "'state_media', 'other'", "line 6: date 'someday' is not a date",
                   "line 7: id 'a' repeats"):
        assert needle in message, message
    df = stance.read_statements(path, errors="report")
    assert len(df) == 5 and df["line"].tolist() == [2, 4, 5, 6, 7]
    assert (df["problem"] != "").tolist() == [False, True, True, True, True]


def test_read_statements_excel_rows_are_spreadsheet_rows(tmp_path):
    table = USER_TABLE.assign(source_type=["official", "ministry"])
    path = stance.write_table(table, tmp_path / "s.xlsx")
    with pytest.raises(StanceError, match=r"row 3: source_type 'ministry'"):
        stance.read_statements(path)


def test_read_statements_jsonl_lines(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"text": "One."}\n\n{"text": "", "synthetic": "maybe"}\n', encoding="utf-8")
    with pytest.raises(StanceError, match=r"line 3: text is empty; synthetic 'maybe' is not true or false"):
        stance.read_statements(path)
