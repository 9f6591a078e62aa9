"""Trained heads (stance.heads): the fit against scikit-learn, storage, and their use in classify."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from stance.errors import SchemeError
from stance.heads import (Head, cue_features, domain_similarity, fit_domain, fit_softmax, fit_temperature, load_head,
                          save_head, softmax, target_pattern)
from stance.schemes import load_scheme

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def test_fit_softmax_equals_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 5))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int) + (x[:, 2] > 1).astype(int)
    c = 0.5
    w, b = fit_softmax(x, y, 3, l2=1 / (c * len(y)))
    ref = LogisticRegression(C=c, max_iter=5000, tol=1e-10).fit(x, y)
    np.testing.assert_allclose(softmax(x @ w + b), ref.predict_proba(x), atol=2e-4)


def test_sample_weights_count_like_repeated_rows():
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    w1, b1 = fit_softmax(np.vstack([x, x[:1]]), np.r_[y, y[:1]], 2, l2=0.1)
    w2, b2 = fit_softmax(x, y, 2, l2=0.1 * 5 / 5, sample_weight=np.array([2.0, 1, 1, 1]) * 5 / 5)
    np.testing.assert_allclose(softmax(x @ w1 + b1), softmax(x @ w2 + b2), atol=1e-4)


def test_temperature_softens_overconfident_logits():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    right = rng.random(400) < 0.7  # 70% right, but logits claim ~98%
    pred = np.where(right, y, 1 - y)
    logits = np.eye(2)[pred] * 4.0
    t = fit_temperature(logits, y)
    assert t > 1.5
    assert softmax(logits / t).max(1).mean() == pytest.approx(0.7, abs=0.03)


def test_head_round_trip_is_plain_safetensors(tmp_path):
    head = Head(labels=("a", "b"), model="m", groups=("cues",), mean=np.zeros(6), scale=np.ones(6),
                weight=np.arange(12.0).reshape(6, 2) / 10, bias=np.array([0.5, -0.5]), temperature=1.5,
                info={"cv": {"macro_f1": 0.5}})
    path = save_head(head, tmp_path / "h.safetensors")
    assert path.read_bytes()[8:9] == b"{"  # safetensors: a JSON header after its 8-byte length, no pickle
    back = load_head(path)
    assert back.labels == ("a", "b") and back.groups == ("cues",) and back.temperature == 1.5
    assert back.info == {"cv": {"macro_f1": 0.5}} and len(back.sha256) == 64
    x = np.random.default_rng(0).normal(size=(3, 6))
    np.testing.assert_allclose(back.probabilities(x), head.probabilities(x), atol=1e-6)
    assert not list(tmp_path.glob("*.partial"))


def test_missing_or_foreign_head_file_is_a_clear_error(tmp_path):
    with pytest.raises(SchemeError, match="does not exist"):
        load_head(tmp_path / "none.safetensors")
    from safetensors.numpy import save_file

    save_file({"x": np.zeros(1, dtype=np.float32)}, str(tmp_path / "other.safetensors"), metadata={"format": "x"})
    with pytest.raises(SchemeError, match="format 'x'"):
        load_head(tmp_path / "other.safetensors")


def test_target_aliases_and_cues():
    assert target_pattern("the United States").search("Washington keeps meddling")
    assert target_pattern("the US").search("the US side")
    for written in ("U.S.", "the USA", "United States of America"):  # any spelling of a built-in target
        assert target_pattern(written).search("Washington keeps meddling"), written
    assert target_pattern("the Russian Federation").search("the Kremlin said")
    assert not target_pattern("the United States").search("thus")  # 'us' inside words, lower-case 'us'
    assert not target_pattern("the EU").search("we feud")
    cues = cue_features(["These clowns and puppets!", "The meeting is on Monday."], "NATO")
    assert cues[0, 0] > 0 and cues[0, 3] > 0 and cues[1].sum() == 0


@pytest.mark.parametrize("scheme", ["stance", "tone"])
def test_builtin_schemes_ship_a_head_for_the_default_model(scheme):
    head = load_scheme(scheme).head(MINILM)
    assert head is not None and head.labels == load_scheme(scheme).label_names
    assert head.info["trained_on"]["real_dev_rows"] >= 100
    assert 0.2 < head.temperature < 5


def test_classify_uses_the_head_and_flags_rows_for_review(clf):
    texts = ["NATO is a puppet of Washington, its hands stained with blood.",
             "The two sides held talks on Monday in Brussels.",
             "We welcome the visit and look forward to deeper cooperation with NATO."]
    out = clf.classify(pd.DataFrame({"text": texts, "target": "NATO"}), "stance", progress=False)
    run = out.attrs["stance"]["runs"]["stance"]["scheme"]
    head = load_scheme("stance").head(MINILM)
    assert run["heads"][MINILM]["sha256"] == head.sha256 and run["review_below"] == 0.6
    backend = clf.load().backend_
    expected = head.probabilities(backend.head_features(texts, load_scheme("stance"), "NATO", head))
    np.testing.assert_allclose(out[["stance_p_favor", "stance_p_against", "stance_p_neutral"]].to_numpy(),
                               expected, atol=1e-6)
    assert out["stance_review"].tolist() == (out["stance_confidence"] < 0.6).tolist()
    assert out["stance"].iloc[0] == "against"


def test_adhoc_labels_keep_the_zero_shot_path(clf):
    out = clf.classify(["NATO is a puppet."], labels=["war", "peace"], progress=False)
    assert out.attrs["stance"]["runs"]["label"]["scheme"]["heads"] == {}


def test_a_head_s_domain_is_stored_with_it_and_separates_unlike_text(tmp_path):
    rng = np.random.default_rng(0)
    like = rng.normal(size=(300, 16)) + np.r_[4.0, np.zeros(15)]  # the training text: one region
    like /= np.linalg.norm(like, axis=1, keepdims=True)
    centroids, threshold = fit_domain(like, k=16, quantile=0.01)
    unlike = rng.normal(size=(50, 16)) - np.r_[4.0, np.zeros(15)]
    unlike /= np.linalg.norm(unlike, axis=1, keepdims=True)
    fresh = rng.normal(size=(200, 16)) + np.r_[4.0, np.zeros(15)]
    fresh /= np.linalg.norm(fresh, axis=1, keepdims=True)
    head = Head(labels=("a", "b"), model="m", groups=("text",), mean=np.zeros(16), scale=np.ones(16),
                weight=np.zeros((16, 2)), bias=np.zeros(2), domain=centroids, domain_threshold=threshold)
    back = load_head(save_head(head, tmp_path / "h.safetensors"))
    assert back.domain.shape == (16, 16) and back.domain_threshold == pytest.approx(threshold)
    assert not back.in_domain(unlike).any()
    assert 0.9 < back.in_domain(fresh).mean() <= 1.0  # about 1% of text like the training text falls outside
    assert (domain_similarity(back.domain, fresh) >= threshold).tolist() == back.in_domain(fresh).tolist()
    assert back.provenance()["domain"] == {"centroids": 16, "threshold": back.domain_threshold}
    plain = load_head(save_head(replace(head, domain=None), tmp_path / "plain.safetensors"))
    assert plain.domain is None and plain.in_domain(unlike).all() and "domain" not in plain.provenance()


def test_text_outside_the_head_s_domain_gets_the_zero_shot_scores(clf):
    # synthetic statements: one like the official statements the head was trained on, one from another genre
    texts = ["NATO is a puppet of Washington, its hands stained with blood.",
             "My rent went up 40% this year, so yes, I'm voting for rent control."]
    sch = load_scheme("stance")
    backend = clf.load().backend_
    head = sch.head(MINILM)
    assert head.domain is not None and head.info["domain"]["quantile"] == 0.01
    inside = head.in_domain(backend.feature_blocks(texts, sch, "rent control", ("text",))["text"])
    assert inside.tolist() == [True, False]
    out = clf.classify(pd.DataFrame({"text": texts, "target": "rent control"}), "stance", progress=False)
    columns = ["stance_p_favor", "stance_p_against", "stance_p_neutral"]
    with_head = head.probabilities(backend.head_features(texts, sch, "rent control", head))
    zero_shot = clf.classify(pd.DataFrame({"text": texts, "target": "rent control"}), replace(sch, heads={}),
                             progress=False)[columns].to_numpy()
    np.testing.assert_allclose(out[columns].to_numpy()[0], with_head[0], atol=1e-6)
    np.testing.assert_allclose(out[columns].to_numpy()[1], zero_shot[1], atol=1e-6)
    assert not np.allclose(with_head[1], zero_shot[1], atol=1e-3)  # the fallback changed something
