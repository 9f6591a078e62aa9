"""The speaker ranker: its candidates and features on invented text, its choice with given weights,
and the shipped weights' provenance (fitted on the dev texts of data/real_articles only)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from stance.extraction.mentions import Mention
from stance.extraction.speaker_ranker import (Candidate, calibrated, candidates, choose, probabilities, provenance,
                                              rank_rows, weights)

TEXT = ("Spokesperson Lin Tao (synthetic) spoke in Ruritania on Monday.\n"
        "“We oppose it,” Lin said. The country called the plan a “fantasy”.")


def rows_of(text: str) -> list[dict]:
    """Two rules' rows of TEXT: a statement the rules gave Lin Tao, a term they gave the country."""
    a, b = text.index("We oppose it,"), text.index("fantasy")
    second = text.index("The country")
    return [dict(speaker="Lin Tao", attribution="say", speaker_reason="", kind="statement", start=a,
                 end=a + len("We oppose it,"), sentence_start=a - 1, sentence_end=second - 1),
            dict(speaker="Ruritania", attribution="reference: The country call", speaker_reason="", kind="term",
                 start=b, end=b + len("fantasy"), sentence_start=second, sentence_end=len(text))]


def nearby_of(text: str) -> list[tuple]:
    lin = Mention(text.index("Lin Tao"), "Lin Tao", "PERSON", "spokesperson", True, False, False)
    place = Mention(text.index("Ruritania"), "Ruritania", "GPE", "", False, False)
    said = Mention(text.index("We oppose"), "Lin Tao", "PERSON", "spokesperson", True, True, True)
    return [(lin, place), (lin, place, said)]


def test_candidates_are_the_rules_speaker_no_speaker_the_quotes_around_and_the_names_nearby():
    cands = candidates(TEXT, rows_of(TEXT), nearby_of(TEXT))
    first, second = ({c.name: c.features for c in cs} for cs in cands)
    assert set(first) == {"Lin Tao", "", "Ruritania"}  # the next quote's speaker is a candidate too
    assert first["Lin Tao"]["rule"] == 1 and first["Lin Tao"]["rule_verb"] == 1
    assert first["Ruritania"]["next"] == 1 and first["Ruritania"].get("rule", 0) == 0
    assert second["Ruritania"]["rule_reference"] == 1 and second["Ruritania"]["rule_term_reference"] == 1
    lin = second["Lin Tao"]  # the previous quote's speaker, named before the term, who spoke
    assert lin["prev"] == 1 and lin["prev_paragraph"] == 1 and lin["was_speaker"] == 1 and lin["kind_PERSON"] == 1
    assert lin["person_over_GPE"] == 1 and lin["person_over_term"] == 1  # a person against a place the rules chose
    assert second[""]["empty_term"] == 1 and second[""]["empty_rules_empty"] == 0


def test_a_name_the_rules_gave_by_surname_is_one_candidate_with_the_rules_form():
    text = "Tom Rell (synthetic) arrived. “No,” Rell said."
    row = dict(speaker="Rell", attribution="say", speaker_reason="", kind="statement", start=text.index("No"),
               end=text.index(",”"), sentence_start=text.index("“No"), sentence_end=len(text))
    (cands,) = candidates(text, [row], [(Mention(0, "Tom Rell", "PERSON", "", False, False),)])
    assert [c.name for c in cands] == ["Rell", ""]
    assert cands[0].features["rule"] == 1 and cands[0].features["mention"] == 1


def test_the_choice_is_the_softmax_of_the_weighted_features():
    cands = [Candidate("NATO", {"rule": 1.0, "closeness": 0.5}), Candidate("", {"empty": 1.0})]
    p = probabilities(cands, {"rule": 2.0, "closeness": 2.0, "empty": 1.0})
    assert p[0] == pytest.approx(math.exp(3) / (math.exp(3) + math.exp(1)))
    assert choose(cands, {"empty": 5.0})[0].name == ""
    assert choose([Candidate("A", {}), Candidate("B", {})], {})[0].name == "A"  # ties: the first (the rules')


def test_rank_rows_changes_a_speaker_with_its_reason_and_keeps_a_cited_one():
    rows = rows_of(TEXT)
    rank_rows(TEXT, rows, nearby_of(TEXT), {"rule": 1.0, "person_over_term": 3.0})
    assert rows[0]["speaker"] == "Lin Tao" and rows[0]["attribution"] == "say"
    assert rows[1]["speaker"] == "Lin Tao" and rows[1]["attribution"].startswith("ranked: the previous quote's speaker")
    assert "the rules' 'Ruritania'" in rows[1]["attribution"] and rows[1]["speaker_reason"] == ""
    assert all(0 < r["speaker_confidence"] <= 1 for r in rows)

    emptied = rows_of(TEXT)
    rank_rows(TEXT, emptied, nearby_of(TEXT), {"empty_term": 5.0})
    assert emptied[1]["speaker"] == "" and emptied[1]["speaker_reason"].startswith("no speaker is more likely")

    cited = rows_of(TEXT)
    cited[1]["attribution"] = "citation"
    rank_rows(TEXT, cited, nearby_of(TEXT), {"empty_term": 5.0})
    assert cited[1]["speaker"] == "Ruritania" and cited[1]["attribution"] == "citation"


def test_calibration_is_monotone_and_maps_into_zero_one():
    ps = [0.05, 0.3, 0.5, 0.8, 0.99]
    mapped = [calibrated(p) for p in ps]
    assert mapped == sorted(mapped) and all(0 < m < 1 for m in mapped)


def test_the_shipped_weights_were_fitted_on_dev_texts_only():
    gold = pd.read_csv("data/real_articles/gold.csv", keep_default_na=False)
    texts = set(provenance()["texts"])
    assert texts <= set(gold[gold["split"] == "dev"]["file"]) and len(texts) >= 300
    assert not texts & set(gold[gold["split"] == "heldout"]["file"])
    w = weights()
    assert len(w) > 40 and all(math.isfinite(v) for v in w.values()) and w["rule"] > 0
