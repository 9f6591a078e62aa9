from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import stance


def test_results_table_keeps_rows_index_and_columns(clf):
    df = pd.DataFrame(
        {"text": ["NATO is a puppet stained with blood.", "", None, 42, "We are ready to talk with NATO."],
         "speaker": list("abcde")},
        index=[10, 7, 3, 99, 1],
    )
    out = clf.classify(df, "tone")
    assert out.index.tolist() == [10, 7, 3, 99, 1]
    assert out[["text", "speaker"]].equals(df[["text", "speaker"]])
    assert out.columns.tolist()[2:] == ["language", "tone", "tone_confidence", "tone_review", "tone_p_hostile", "tone_p_critical",
                                        "tone_p_neutral", "tone_p_conciliatory", "tone_error", "tone_parts"]
    assert out["tone_parts"].tolist() == [1, 0, 0, 0, 1] and out["language"].tolist()[::4] == ["en", "en"]
    assert out["tone_error"].tolist() == ["", "empty text", "missing text", "text is not a string (int)", ""]
    good = out["tone_error"] == ""
    p = out.loc[good, [c for c in out.columns if c.startswith("tone_p_")]].to_numpy()
    assert np.allclose(p.sum(axis=1), 1.0) and np.isfinite(p).all()
    assert out.loc[~good, "tone"].isna().all() and out.loc[~good, "tone_confidence"].isna().all()
    assert (out.loc[good, "tone_confidence"] == p.max(axis=1)).all()
    assert out.loc[10, "tone"] == "hostile"
    assert out.loc[1, "tone"] == "conciliatory"
    assert df.columns.tolist() == ["text", "speaker"]  # the input is not modified


def test_label_order_matches_probability_columns(clf):
    out = clf.classify(["We firmly support NATO.", "NATO is a gang of warmongers."], "stance", target="NATO")
    probs = out[["stance_p_favor", "stance_p_against", "stance_p_neutral"]].to_numpy()
    assert out["stance"].tolist() == [["favor", "against", "neutral"][i] for i in probs.argmax(axis=1)]
    assert out["stance"].tolist() == ["favor", "against"]


def test_duplicates_are_classified_once_and_fanned_out(clf):
    texts = ["We condemn this  reckless move.", "We condemn this reckless move. ", "A meeting took place."]
    out = clf.classify(texts, "tone")
    cols = [c for c in out.columns if c.startswith("tone_p_")]
    assert np.array_equal(out.loc[0, cols].to_numpy(float), out.loc[1, cols].to_numpy(float))
    alone = clf.classify(texts[2:], "tone")
    assert np.allclose(alone[cols].to_numpy(float), out.loc[[2], cols].to_numpy(float), atol=1e-6)


def test_target_column_and_missing_targets(clf):
    df = pd.DataFrame({"text": ["We support Ukraine.", "We support Ukraine.", "Talks were held."],
                       "target": ["Ukraine", None, "NATO"]})
    out = clf.classify(df, "stance")  # the 'target' column is used by default
    assert out["stance_error"].tolist() == ["", "missing target", ""]
    assert out.attrs["stance"]["runs"]["stance"]["target_col"] == "target"
    with pytest.raises(stance.InputError, match="needs a target"):
        clf.classify(df.drop(columns="target"), "stance")
    with pytest.raises(stance.InputError, match="no target column 'who'"):
        clf.classify(df, "stance", target_col="who")


def test_missing_text_column_names_the_columns(clf):
    with pytest.raises(stance.InputError) as err:
        clf.classify(pd.DataFrame({"quote": ["x"]}), "tone")
    assert "'text'" in str(err.value) and "'quote'" in str(err.value)


def test_multi_label_rhetoric_columns(clf):
    out = clf.classify(["They are a puppet of the hegemon, hands stained with blood.", ""], "rhetoric")
    names = stance.load_scheme("rhetoric").label_names
    for n in names:
        assert out[f"rhetoric_{n}"].dtype == "boolean"
        assert 0.0 <= out.loc[0, f"rhetoric_p_{n}"] <= 1.0
    on = [n for n in names if out.loc[0, f"rhetoric_{n}"]]
    assert out.loc[0, "rhetoric"] == ";".join(on)
    assert out.loc[1, "rhetoric_error"] == "empty text" and pd.isna(out.loc[1, "rhetoric_name_calling"])


def test_adhoc_labels_named_label_by_default(clf):
    out = clf.classify(["The army shelled the city."], labels=["war", "sports"], template="This text is about {}.")
    assert {"label", "label_p_war", "label_p_sports", "label_error"} <= set(out.columns)
    assert out.loc[0, "label"] == "war"
    named = clf.classify(["x y"], labels="war,sports", name="topic")
    assert "topic_p_war" in named.columns


def test_chained_schemes_keep_provenance(clf):
    out = clf.classify(["We welcome the talks."], "tone")
    out = clf.classify(out, "stance", target="NATO")
    runs = out.attrs["stance"]["runs"]
    assert set(runs) == {"tone", "stance"}
    model = runs["tone"]["model"]
    assert model["backend"] == "embedding" and model["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert len(model["weights_sha256"]) == 64
    assert runs["stance"]["scheme"]["version"] == "3" and runs["stance"]["package_version"] == stance.__version__
    again = clf.classify(out, "tone")  # re-running a scheme replaces its columns
    assert again.columns.tolist() == out.columns.tolist()


def test_existing_column_is_not_overwritten(clf):
    with pytest.raises(stance.InputError, match="already has column"):
        clf.classify(pd.DataFrame({"text": ["x"], "tone": ["mine"]}), "tone")


def test_file_input(clf, tmp_path):
    path = tmp_path / "in.jsonl"
    pd.DataFrame({"text": ["We condemn the attack.", "Talks were held."]}).to_json(path, orient="records", lines=True)
    out = clf.classify(path, "tone")
    assert len(out) == 2 and out["tone_error"].eq("").all()


def test_unavailable_model_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(stance.ModelNotAvailableError) as err:
        stance.Classifier("no-such-org/no-such-model").classify(["x"], "tone")
    assert "\n" not in str(err.value) and "local model folder" in str(err.value)
    with pytest.raises(stance.ModelNotAvailableError, match="does not exist"):
        stance.Classifier(str(tmp_path / "missing")).classify(["x"], "tone")


def test_ready_sentence_transformer_object(clf):
    from sentence_transformers import SentenceTransformer

    from stance.backends.models import packaged_model_path

    model = SentenceTransformer(str(packaged_model_path()), device="cpu")
    out = stance.Classifier(model, progress=False).classify(["We condemn the attack."], labels=["war", "peace"])
    assert out["label"].notna().all()
    default = clf.classify(["We condemn the attack."], labels=["war", "peace"])
    assert np.allclose(out[["label_p_war", "label_p_peace"]], default[["label_p_war", "label_p_peace"]], atol=1e-5)


def test_a_single_string_is_not_taken_for_a_file(clf):
    with pytest.raises(stance.InputError, match="pass a list"):
        clf.classify("NATO is a puppet.", "tone")
