"""Few-shot adaptation: fit on a few labelled statements, save as JSON, load, same results."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import stance
from stance.fewshot import blend, fit_arrays


def test_fit_arrays_picks_weight_zero_when_prototypes_do_not_help():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 6)
    p0 = np.where(y[:, None] == np.arange(2), 0.9, 0.1)  # zero-shot already right
    emb = rng.normal(size=(12, 8))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    _, weight, _ = fit_arrays(p0, emb, y, 2)
    assert weight == 0.0


def test_fit_arrays_uses_prototypes_when_they_separate_the_labels():
    y = np.repeat([0, 1], 6)
    emb = np.where(y[:, None] == np.arange(2), 1.0, 0.05) + np.linspace(0, 0.1, 12)[:, None]
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    p0 = np.full((12, 2), 0.5)  # zero-shot knows nothing
    protos, weight, _ = fit_arrays(p0, emb, y, 2)
    assert weight > 0 and (blend(p0, emb @ protos.T, weight).argmax(1) == y).all()


@pytest.fixture(scope="module")
def small(root):
    data = pd.read_csv(root / "data" / "dev" / "synthetic_a.csv")
    train = data.groupby("gold_tone").head(4)
    test = data.drop(train.index).head(12)
    return train, test


def test_fit_save_load_roundtrip(clf, small, tmp_path):
    train, test = small
    fitted = stance.Classifier(progress=False)
    fitted.backend_ = clf.backend_  # share the loaded model
    fitted.fit(train, scheme="tone", gold="gold_tone")
    state = fitted.fitted_["tone"]
    assert state.n_per_label == {"hostile": 4, "critical": 4, "neutral": 4, "conciliatory": 4}
    out = fitted.classify(test, scheme="tone")
    assert out.attrs["stance"]["runs"]["tone"]["fewshot"]["weight"] == state.weight
    path = fitted.save_fitted(tmp_path / "tone.json")
    saved = json.loads(path.read_text())
    assert saved["format"] == "stance-fewshot/1" and len(saved["schemes"]["tone"]["prototypes"]) == 4
    again = stance.Classifier(progress=False)
    again.backend_ = clf.backend_
    again.load_fitted(path)
    out2 = again.classify(test, scheme="tone")
    assert np.allclose(out["tone_p_hostile"], out2["tone_p_hostile"], atol=1e-5)
    assert (out["tone"] == out2["tone"]).all()


def test_fit_errors(clf, small, tmp_path):
    train, _ = small
    with pytest.raises(stance.StanceError, match="no gold column 'gold'"):
        clf.fit(train, scheme="tone", gold="gold")
    with pytest.raises(stance.StanceError, match="at least 2 labelled statements per label"):
        clf.fit(train.head(3), scheme="tone", gold="gold_tone")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}')
    with pytest.raises(stance.StanceError, match="not a stance few-shot file"):
        stance.Classifier().load_fitted(bad)
