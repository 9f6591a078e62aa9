"""Occlusion explanations: the words that make a statement hostile carry the weight."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import stance
from stance.explain import explain_html, word_weights

PUPPET = "NATO is a puppet of the United States, stained with blood."


@pytest.fixture(scope="module")
def tone_table(clf):
    return clf.explain(PUPPET, scheme="tone")


def test_puppet_and_blood_carry_the_hostile_label(tone_table):
    assert tone_table.columns.tolist() == ["token", "start", "end", "n_words", "weight", "label"]
    assert (tone_table["label"] == "hostile").all()
    assert tone_table.attrs["stance_explain"]["probability"] > 0.9
    singles = tone_table[tone_table["n_words"] == 1].sort_values("weight", ascending=False)
    assert set(singles["token"].head(2)) == {"puppet", "blood"}
    spans = tone_table[tone_table["n_words"] == 3].sort_values("weight", ascending=False)
    assert {"stained with blood"} & set(spans["token"].head(3))
    assert set(word_weights(tone_table).nlargest(2, "weight")["token"]) == {"puppet", "blood"}
    # offsets point into the text
    assert all(PUPPET[r.start:r.end] == r.token for r in tone_table.itertuples())


def test_the_real_statement_r03(clf):
    text = stance.load_statements().set_index("id").loc["r03", "text"]
    table = clf.explain(text, scheme="tone")
    singles = table[table["n_words"] == 1].nlargest(3, "weight")
    assert "puppet" in set(singles["token"])


def test_explain_html_and_errors(clf, tone_table):
    page = stance.explain_html(tone_table)
    assert page.count("<span title=") == 11 and "hostile" in page and "puppet</span>" in page
    with pytest.raises(stance.StanceError, match="needs a target"):
        clf.explain(PUPPET, scheme="stance")
    with pytest.raises(stance.StanceError, match="unknown label 'x'.*'hostile'"):
        clf.explain(PUPPET, scheme="tone", label="x")
    table = clf.explain(PUPPET, scheme="stance", target="NATO", label="favor", max_span=1)
    assert (table["label"] == "favor").all() and (table["n_words"] == 1).all()


def test_cli_explain_json(capsys):
    from stance.cli import main

    assert main(["explain", PUPPET, "--scheme", "tone", "--json", "--max-span", "1"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["label"] == "hostile" and len(d["spans"]) == 11
    assert max(d["spans"], key=lambda s: s["weight"])["token"] == "puppet"
    assert main(["explain", PUPPET, "--scheme", "nope"]) == 2
    assert "unknown scheme 'nope'" in capsys.readouterr().err
