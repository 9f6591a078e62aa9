from __future__ import annotations

import pytest

import stance
from stance.schemes import adhoc_scheme, load_scheme


def test_builtin_schemes_have_the_required_labels():
    assert load_scheme("stance").label_names == ("favor", "against", "neutral")
    assert load_scheme("tone").label_names == ("hostile", "critical", "neutral", "conciliatory")
    rhetoric = load_scheme("rhetoric")
    assert rhetoric.multi_label
    assert {"name_calling", "loaded_language", "appeal_to_fear", "doubt", "whataboutism",
            "flag_waving"} <= set(rhetoric.label_names)


@pytest.mark.parametrize("name", ["stance", "tone", "rhetoric"])
def test_every_label_has_a_description_and_several_hypotheses(name):
    for label in load_scheme(name).labels:
        assert label.description
        assert len(label.hypotheses) >= 2


def test_stance_is_target_aware_and_fills_the_target():
    scheme = load_scheme("stance")
    assert scheme.target_aware and not load_scheme("tone").target_aware
    filled = scheme.hypotheses("NATO", prototypes=True)
    assert all("{target}" not in h for group in filled for h in group)
    assert any("NATO" in h for h in filled[0])
    with pytest.raises(stance.SchemeError, match="needs a target"):
        scheme.hypotheses(None)


def test_unknown_scheme_names_the_choices():
    with pytest.raises(stance.SchemeError) as err:
        load_scheme("sentiment")
    message = str(err.value)
    assert "'sentiment'" in message and "'stance'" in message and "'tone'" in message
    assert "\n" not in message


def test_user_scheme_file(tmp_path):
    path = tmp_path / "threat.toml"
    path.write_text(
        'name = "threat"\nversion = "2"\n'
        '[[labels]]\nname = "threat"\ndescription = "d"\nhypotheses = ["This warns of danger."]\n'
        '[[labels]]\nname = "calm"\ndescription = "d"\nhypotheses = ["This is calm."]\n',
        encoding="utf-8",
    )
    scheme = load_scheme(path)
    assert scheme.name == "threat" and scheme.version == "2" and scheme.label_names == ("threat", "calm")


def test_malformed_scheme_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\nlabels = [ {name = "a"} ]\n', encoding="utf-8")
    with pytest.raises(stance.SchemeError, match="hypotheses"):
        load_scheme(path)
    path.write_text("name = [", encoding="utf-8")
    with pytest.raises(stance.SchemeError, match="not valid TOML"):
        load_scheme(path)


def test_adhoc_scheme_is_like_the_pipeline():
    scheme = adhoc_scheme(["war", "peace"], "This text is about {}.")
    assert scheme.name == "label"
    assert scheme.hypotheses() == [["This text is about war."], ["This text is about peace."]]
    with pytest.raises(stance.SchemeError, match="no '{}'"):
        adhoc_scheme(["a"], "no placeholder")
    with pytest.raises(stance.SchemeError, match="no labels"):
        adhoc_scheme([" "], "{}")
