"""Few-shot adaptation: fit on a few labelled statements, save as JSON, load, same results."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stance
from stance.fewshot import MARGIN, blend, choose_recalibration, fit_arrays, fit_recalibration, recalibrate
from stance.learning import learning_curve, summarise_curve


def test_fit_arrays_picks_weight_zero_when_prototypes_do_not_help():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 6)
    p0 = np.where(y[:, None] == np.arange(2), 0.9, 0.1)  # zero-shot already right
    emb = rng.normal(size=(12, 8))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    _, weight, _ = fit_arrays(p0, emb, y, 2)
    assert weight == 0.0


def test_fit_arrays_keeps_zero_shot_unless_the_gain_is_clear():
    # prototypes that help a little on a few rows and hurt on others: the best leave-one-out
    # weight is above 0, but not by MARGIN standard errors, so the conservative rule stays zero-shot
    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], 4)
    emb = np.eye(2)[y] + rng.normal(scale=0.9, size=(8, 2))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    p0 = np.where(y[:, None] == np.arange(2), 0.55, 0.45)
    _, free, _ = fit_arrays(p0, emb, y, 2, margin=-np.inf)
    _, safe, _ = fit_arrays(p0, emb, y, 2)
    sums = np.stack([emb[y == j].sum(0) for j in range(2)])
    loo = np.repeat(sums[None], 8, 0)
    loo[np.arange(8), y] -= emb
    loo /= np.linalg.norm(loo, axis=-1, keepdims=True)
    sims = np.einsum("nd,nkd->nk", emb, loo)
    gain = (np.log(blend(p0, sims, free)[np.arange(8), y]) - np.log(p0[np.arange(8), y]))
    assert free > 0 and gain.mean() > 0  # the unguarded rule adapts
    assert gain.mean() <= MARGIN * gain.std(ddof=1) / np.sqrt(8) and safe == 0.0  # the guarded one does not


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
    assert saved["format"] == "stance-fewshot/4" and len(saved["schemes"]["tone"]["prototypes"]) == 4
    assert len(saved["schemes"]["tone"]["bias"]) in (0, 4) and saved["schemes"]["tone"]["temperature"] >= 0
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


@pytest.fixture(scope="module")
def curve(clf, root):
    dev = pd.read_csv(root / "data" / "dev" / "synthetic_a.csv")
    other = pd.read_csv(root / "data" / "dev" / "synthetic_b.csv")
    return dev, learning_curve(clf, dev, "tone", gold="gold_tone", ks=(4, 8), draws=3, calibrate_on=other)


def test_learning_curve_scores_both_classifiers_on_the_rows_not_drawn(clf, root, curve):
    from dataclasses import replace

    from stance.calibrate import fit_calibration
    from stance.evaluate import macro_f1

    dev, table = curve
    assert table.columns.tolist() == ["scheme", "k", "draw", "n_test", "zero_shot", "few_shot", "weight",
                                      "recalibrated", "method"]
    assert table["k"].tolist() == [4, 4, 4, 8, 8, 8] and (table["n_test"] == len(dev) - 4 * table["k"]).all()
    assert table[["zero_shot", "few_shot"]].apply(lambda c: c.between(0, 1)).all().all()
    # zero-shot with the calibration refitted on set B, scored on set A's rows, by hand: every
    # draw's zero-shot score lies within what dropping 4k rows can change
    other = pd.read_csv(root / "data" / "dev" / "synthetic_b.csv")
    tone = stance.load_scheme("tone")
    cal = fit_calibration(clf, other, replace(tone, calibration={}), gold="gold_tone")
    crossfit = replace(tone, calibration={clf.backend_.name: cal}, heads={})
    crossfitted = clf.classify(dev, crossfit, progress=False)
    full = macro_f1(dev["gold_tone"], crossfitted["tone"])
    assert abs(table["zero_shot"].mean() - full) < 0.05
    shipped = clf.classify(dev, "tone", progress=False)  # the cross-fitted calibration really is another one
    assert not np.allclose(crossfitted["tone_p_hostile"], shipped["tone_p_hostile"], atol=1e-3)
    # weight 0 and no recalibration means the few-shot classifier is the zero-shot one
    still = table[(table["weight"] == 0) & ~table["recalibrated"] & (table["method"] == "blend")]
    assert (still["few_shot"] == still["zero_shot"]).all()


def test_learning_curve_draws_are_reproducible_and_summarised(clf, curve):
    dev, table = curve
    again = learning_curve(clf, dev, "tone", gold="gold_tone", ks=(4, 8), draws=3,
                           calibrate_on=pd.read_csv(Path(stance.__file__).parents[1] / "data" / "dev" / "synthetic_b.csv"))
    pd.testing.assert_frame_equal(table, again)
    summary = summarise_curve(table)
    assert summary["draws"].tolist() == [3, 3]
    assert np.allclose(summary["gain"], (table["few_shot"] - table["zero_shot"]).groupby(table["k"]).mean())
    assert np.allclose(summary[["win_rate", "tie_rate", "loss_rate"]].sum(axis=1), 1)


def test_plot_fewshot_draws_both_lines_per_scheme(curve):
    import matplotlib

    matplotlib.use("Agg")
    from stance.plot import plot_fewshot

    _, table = curve
    ax = plot_fewshot(table)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["tone: zero-shot", "tone: few-shot"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["4", "8"]
    zero = ax.containers[0].lines[0].get_ydata()
    assert np.allclose(zero, table.groupby("k")["zero_shot"].mean())


def test_learning_curve_errors(clf, curve):
    dev, _ = curve
    with pytest.raises(stance.StanceError, match="ks must be at least 2 and below the smallest label count"):
        learning_curve(clf, dev, "tone", gold="gold_tone", ks=(40,), draws=1)
    with pytest.raises(stance.StanceError, match="multi-label"):
        learning_curve(clf, dev, "rhetoric", gold="gold_tone", draws=1)


def test_fit_recalibration_gradient_and_likelihood():
    from scipy.optimize import check_grad

    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 20)
    z = np.eye(3)[y] + rng.normal(0, 0.8, (20, 3)) + [0.5, 0.0, 0.0]  # informative, label 0 over-scored
    p0 = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    a, c = fit_recalibration(p0, y)
    assert 0 < a < 100  # an interior optimum
    logp = np.log(p0)

    def nll(theta):
        z = theta[0] * logp + theta[1:]
        return -np.sum(z[np.arange(20), y] - np.log(np.exp(z).sum(1))) + 0.5 * ((theta[0] - 1) ** 2 + theta[1:] @ theta[1:])

    def grad(theta):
        z = theta[0] * logp + theta[1:]
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        r = p - np.eye(3)[y]
        return np.r_[np.sum(r * logp) + theta[0] - 1, r.sum(0) + theta[1:]]

    assert check_grad(nll, grad, np.r_[0.7, 0.2, -0.1, 0.3]) < 1e-4  # the analytic gradient is right
    best = nll(np.r_[a, c])  # the fitted point is the penalised optimum: no nearby point is better
    for step in np.eye(4) * 1e-3:
        assert best <= nll(np.r_[a, c] + step) + 1e-9 and best <= nll(np.r_[a, c] - step) + 1e-9
    assert abs(c.sum()) < 1e-9


def test_recalibration_corrects_a_label_baseline_and_is_refused_when_it_does_not_help():
    rng = np.random.default_rng(2)
    y = np.repeat([0, 1, 2], 8)
    informative = np.eye(3)[y] * 1.5 + rng.normal(0, 0.6, (24, 3))
    skewed = np.exp(informative + [1.2, 0.0, 0.0])  # label 0 over-scored at every row
    p0 = skewed / skewed.sum(1, keepdims=True)
    a, c = choose_recalibration(p0, y)
    assert c[0] < c[1] and c[0] < c[2]
    assert (recalibrate(p0, a, c).argmax(1) == y).mean() > (p0.argmax(1) == y).mean()
    # calibrated by construction (each label drawn from its row's probabilities): nothing to gain,
    # so the leave-one-out rule keeps the zero-shot probabilities in nearly every draw
    kept = 0
    for seed in range(10):
        r = np.random.default_rng(100 + seed)
        calibrated = r.dirichlet(np.ones(3), size=24)
        drawn = np.array([r.choice(3, p=row) for row in calibrated])
        a, c = choose_recalibration(calibrated, drawn)
        kept += a == 1.0 and not np.any(c)
    assert kept >= 8


def test_version_1_fewshot_files_still_load(tmp_path):
    from stance.fewshot import load

    old = {"format": "stance-fewshot/1", "schemes": {"tone": {
        "format": "stance-fewshot/1", "scheme": "tone", "labels": ["a", "b"], "model": "m", "weight": 0.5,
        "scale": 30.0, "n_per_label": {}, "loo_accuracy": {}, "prototypes": [[1.0, 0.0], [0.0, 1.0]]}}}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    state = load(path)["tone"]
    p0 = np.array([[0.6, 0.4]])
    assert state.temperature == 1.0 and state.bias == []
    assert np.allclose(state.adapt(p0, np.array([[1.0, 0.0]])), blend(p0, np.array([[1.0, 0.0]]), 0.5))


def test_learning_curve_uncalibrated_baseline_is_the_scheme_without_its_calibration(clf, curve):
    from dataclasses import replace

    from stance.evaluate import macro_f1

    dev, _ = curve
    table = learning_curve(clf, dev, "tone", gold="gold_tone", ks=(8,), draws=4, uncalibrated=True)
    tone = stance.load_scheme("tone")
    bare = clf.classify(dev, replace(tone, calibration={}, heads={}), progress=False)
    full = macro_f1(dev["gold_tone"], bare["tone"])
    assert abs(table["zero_shot"].mean() - full) < 0.05  # the rows not drawn, scored without calibration
    assert table["recalibrated"].any()  # 8 labels per label are enough to refit the label baselines
    with pytest.raises(stance.StanceError, match="not both"):
        learning_curve(clf, dev, "tone", gold="gold_tone", ks=(4,), draws=1, uncalibrated=True, calibrate_on=dev)


def test_the_residual_correction_keeps_zero_shot_under_a_strong_pull_and_learns_under_a_weak_one():
    from stance.fewshot import fit_residual, residual_probabilities

    r = np.random.default_rng(3)
    y = np.repeat([0, 1, 2], 16)
    emb = np.eye(3)[y] + 0.3 * r.normal(size=(48, 3))
    p0 = r.dirichlet(np.ones(3), size=48)  # zero-shot scores unrelated to the labels
    pulled = residual_probabilities(fit_residual(p0, emb, y, 3, 1e6), p0, emb)
    free = residual_probabilities(fit_residual(p0, emb, y, 3, 0.1), p0, emb)
    shift = np.log(pulled) - np.log(p0)  # under a strong pull, only the free per-label biases move
    assert np.allclose(shift - shift.mean(1, keepdims=True), (shift - shift.mean(1, keepdims=True))[0], atol=1e-3)
    assert (free.argmax(1) == y).mean() > (p0.argmax(1) == y).mean() + 0.3


def test_choose_method_corrects_zero_shot_scores_that_favour_one_label():
    from stance.fewshot import adapt_any, adapted_probabilities

    r = np.random.default_rng(4)
    y = np.repeat([0, 1, 2], 16)
    emb = np.eye(3)[y] + 0.5 * r.normal(size=(48, 3))
    p0 = np.full((48, 3), 0.2) + 0.15 * np.eye(3)[y]
    p0[:, 0] += 0.3  # a trained head that calls too much "label 0"
    p0 /= p0.sum(1, keepdims=True)
    fitted = adapt_any(p0, emb, y, 3)
    assert fitted["method"] in ("residual", "blend") and set(fitted["cv"]) >= {"blend", "residual l2=1.0"}
    test = r.integers(0, 3, 60)
    p_test = np.full((60, 3), 0.2) + 0.15 * np.eye(3)[test]
    p_test[:, 0] += 0.3
    p_test /= p_test.sum(1, keepdims=True)
    emb_test = np.eye(3)[test] + 0.5 * r.normal(size=(60, 3))
    adapted = adapted_probabilities(fitted, p_test, emb_test).argmax(1)
    assert (adapted == test).mean() > (p_test.argmax(1) == test).mean() + 0.2


def test_version_3_fewshot_files_with_a_head_still_load(tmp_path):
    from stance.fewshot import head_features, load

    head = {"mean": [0.0] * 4, "scale": [1.0] * 4, "weight": [[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.0, 2.0]],
            "bias": [0.0, 0.0], "l2": 0.1}
    old = {"format": "stance-fewshot/3", "schemes": {"tone": {
        "format": "stance-fewshot/3", "scheme": "tone", "labels": ["a", "b"], "model": "m", "weight": 0.0,
        "scale": 30.0, "method": "head", "head": head, "prototypes": [[1.0, 0.0], [0.0, 1.0]]}}}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    state = load(path)["tone"]
    p0, emb = np.array([[0.5, 0.5]]), np.array([[0.0, 1.0]])
    x = head_features(p0, emb) @ np.asarray(head["weight"])
    assert state.method == "head"
    assert np.allclose(state.adapt(p0, emb), np.exp(x) / np.exp(x).sum())


def test_a_scheme_no_fit_beats_on_the_folds_is_kept_as_it_is(tmp_path):
    from stance.fewshot import FewShot, adapt_any, adapted_probabilities, load, save

    r = np.random.default_rng(5)
    y = np.repeat([0, 1, 2], 10)
    p0 = np.full((30, 3), 0.25) + 0.25 * np.eye(3)[y]  # the scheme is right on every row
    emb = r.normal(size=(30, 8))  # the embeddings say nothing
    fitted = adapt_any(p0, emb, y, 3)
    assert fitted["method"] == "none" and fitted["cv"]["none"] == 1.0
    p_new = r.dirichlet(np.ones(3), size=5)
    assert np.allclose(adapted_probabilities(fitted, p_new, r.normal(size=(5, 8))), p_new)
    state = FewShot("stance", ["favor", "against", "neutral"], "m", fitted["prototypes"], fitted["weight"],
                    temperature=fitted["temperature"], bias=fitted["bias"], method=fitted["method"],
                    head=fitted["head"], cv=fitted["cv"])
    back = load(save({"stance": state}, tmp_path / "fs.json"))["stance"]
    assert back.method == "none" and np.allclose(back.adapt(p_new, r.normal(size=(5, 8))), p_new)
    older = dict(state.to_dict(), method="blend")  # a reader that knows only the blend gets the same numbers
    assert np.allclose(FewShot.from_dict(older).adapt(p_new, r.normal(size=(5, 8))), p_new)
