"""The contrastive fine-tune behind ``Classifier.fit(..., finetune=True)``, on the packaged MiniLM."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import stance
from stance import finetune as ft
from stance.daskrun import classifier_spec, from_spec
from stance.fewshot import CV_FOLDS, RESIDUAL_L2, adapt_any, fit_residual


def test_contrastive_pairs_pair_each_row_with_its_label_and_another():
    y = np.array([0, 0, 0, 1, 1, 2, 2])
    pairs = ft.contrastive_pairs(y, np.random.default_rng(0), per_row=4, max_pairs=1000)
    assert len(pairs) == 2 * 2 * len(y)
    assert all(i != j and s == float(y[i] == y[j]) for i, j, s in pairs)
    assert {i for i, _, _ in pairs} == set(range(len(y)))
    assert len(ft.contrastive_pairs(y, np.random.default_rng(0), per_row=4, max_pairs=5)) == 5


def test_choose_method_takes_the_tuned_encoder_when_its_embeddings_separate_the_labels():
    r = np.random.default_rng(5)
    y = np.repeat([0, 1, 2], 12)
    p0 = r.dirichlet(np.ones(3), size=len(y))  # zero-shot scores that know nothing
    noise = r.normal(size=(len(y), 8))  # the packaged encoder's embeddings: no signal
    calls = []

    def tune(rows):  # an "encoder" whose embeddings show the labels
        calls.append(len(rows))
        return "tuned", np.hstack([np.eye(3)[y] + 0.1 * r.normal(size=(len(y), 3)), noise])

    fitted = adapt_any(p0, noise, y, 3, tune=tune)
    assert fitted["method"] == "finetune" and fitted["encoder"] == "tuned"
    assert {f"finetune l2={l2}" for l2 in RESIDUAL_L2} <= set(fitted["cv"])
    assert max(v for k, v in fitted["cv"].items() if k.startswith("finetune")) > fitted["cv"]["blend"] + 0.3
    assert calls == [len(y) * (CV_FOLDS - 1) // CV_FOLDS] * CV_FOLDS + [len(y)]  # one per fold, then all rows
    without = adapt_any(p0, noise, y, 3)
    assert without["encoder"] is None and not any(k.startswith("finetune") for k in without["cv"])


@pytest.fixture(scope="module")
def rows(root):
    data = pd.read_csv(root / "data" / "dev" / "synthetic_a.csv")
    train = data.groupby("gold_tone").head(8)
    return train, data.drop(train.index).head(12)


def test_finetune_pulls_same_label_statements_together_and_leaves_the_base_as_it_was(clf, rows):
    train = rows[0][rows[0]["gold_tone"].isin(["hostile", "conciliatory"])]
    texts, y = train["text"].tolist(), (train["gold_tone"] == "hostile").to_numpy().astype(int)
    base = clf.load().backend_.model
    before = {k: v.clone() for k, v in base.state_dict().items()}

    def gap(emb):  # mean cosine within labels less across them
        sim = emb @ emb.T
        same = y[:, None] == y[None, :]
        return sim[same & ~np.eye(len(y), dtype=bool)].mean() - sim[~same].mean()

    tuned = ft.finetune(base, texts, y, max_pairs=96, lr=5e-5)
    backend = clf.backend_
    assert gap(backend.encode(texts, progress=False, model=tuned)) > gap(backend.encode(texts, progress=False)) + 0.05
    assert all(np.array_equal(before[k].numpy(), v.numpy()) for k, v in base.state_dict().items())


def test_fit_with_finetune_cross_validates_it_and_a_tuned_state_saves_loads_and_checks_its_weights(
        clf, rows, tmp_path, monkeypatch):
    monkeypatch.setattr(ft, "MAX_PAIRS", 32)  # two steps per fine-tune: this tests the plumbing, not the gain
    train, test = rows
    fitted = stance.Classifier(progress=False)
    fitted.backend_ = clf.load().backend_
    fitted.fit(train, scheme="tone", gold="gold_tone", finetune=True)
    state = fitted.fitted_["tone"]
    assert {f"finetune l2={l2}" for l2 in RESIDUAL_L2} | {"blend", "residual l2=1.0"} <= set(state.cv)
    # whichever won, a state of method "finetune" must classify, save and load back the same
    texts, y = train["text"].tolist(), train["gold_tone"].map(state.labels.index).to_numpy()
    state.encoder = ft.finetune(clf.backend_.model, texts, y)
    p0 = fitted.zero_shot().predict_proba(texts, "tone")
    tuned = clf.backend_.encode(texts, progress=False, model=state.encoder)
    state.method, state.head = "finetune", fit_residual(p0, tuned, y, 4, 3.0)
    out = fitted.classify(test, scheme="tone")
    assert out.attrs["stance"]["runs"]["tone"]["fewshot"]["method"] == "finetune"
    with pytest.raises(stance.StanceError, match="only in memory: call clf.save_fitted"):
        classifier_spec(fitted)  # a Dask worker could not load it
    path = fitted.save_fitted(tmp_path / "tone.json")
    worker = from_spec(stance.Classifier, classifier_spec(fitted))  # what a Dask worker builds: reads the file
    assert np.allclose(worker.classify(test, scheme="tone")["tone_p_hostile"], out["tone_p_hostile"], atol=1e-5)
    saved = json.loads(path.read_text())["schemes"]["tone"]
    assert saved["encoder_file"] == "tone.tone.safetensors" and len(saved["encoder_sha256"]) == 64
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("tone.json", "tone.tone.safetensors"):
        (tmp_path / name).rename(moved / name)
    again = stance.Classifier(progress=False)
    again.backend_ = clf.backend_
    out2 = again.load_fitted(moved / "tone.json").classify(test, scheme="tone")
    assert np.allclose(out["tone_p_hostile"], out2["tone_p_hostile"], atol=1e-5)
    assert (out["tone"] == out2["tone"]).all()
    again.save_fitted(tmp_path / "copy.json")  # a loaded encoder is copied, unchanged
    assert (tmp_path / "copy.tone.safetensors").read_bytes() == (moved / "tone.tone.safetensors").read_bytes()
    weights = moved / "tone.tone.safetensors"
    weights.write_bytes(weights.read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(stance.StanceError, match="SHA-256 .* the file was changed"):
        stance.Classifier(progress=False).load_fitted(moved / "tone.json").classify(test, scheme="tone")
    weights.unlink()
    with pytest.raises(stance.StanceError, match="finetune=True needs at least 8 labelled statements per label"):
        fitted.fit(train.groupby("gold_tone").head(7), scheme="tone", gold="gold_tone", finetune=True)
    with pytest.raises(stance.StanceError, match="finetune=True needs k of at least 8"):
        stance.learning_curve(fitted, train, "tone", gold="gold_tone", ks=(4,), finetune=True)
    with pytest.raises(stance.StanceError, match="fine-tuned encoder .* is missing"):
        stance.Classifier(progress=False).load_fitted(moved / "tone.json").classify(test, scheme="tone")
