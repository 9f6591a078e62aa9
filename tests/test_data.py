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
