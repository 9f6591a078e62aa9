"""The NLI (cross-encoder) backend, checked against transformers' zero-shot pipeline.

The models are tiny random ``*ForSequenceClassification`` models built by
``tests/nli_models.py`` (no download). Their probabilities mean nothing, but they are
far from uniform, so equality with ``pipeline("zero-shot-classification")`` within
1e-4 checks the pairing, batching, padding, label roles and score formulas.
"""
from __future__ import annotations

import hashlib
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


import stance.testing as nli_models  # noqa: E402

import stance  # noqa: E402
from stance.backends.nli import NLIBackend, nli_probabilities, softmax  # noqa: E402
from stance.errors import LanguageWarning, StanceWarning  # noqa: E402
from stance.backends.models import entailment_index, locate  # noqa: E402

TOL = 1e-4

TEXTS = [
    "Hm",
    "Short.",
    "The team won the match 3-1 on Sunday.",
    "NATO is a puppet stained with blood and the warmongers must stop now.",
    "We call for calm,   restraint\nand dialogue  ",  # odd whitespace: stance normalises it
    "The delegation, which included officials from the foreign, defence and trade ministries, "
    "discussed energy, security, climate and migration, and agreed to meet again next spring "
    "in the capital to review the implementation of the plan and the timetable of the talks.",
    "We met and we talked. " * 40,  # ~240 tokens
    "The minister spoke about trade, tariffs and security in the region. " * 60,  # > 512 tokens: split
]

LABEL_SETS = [
    (["politics", "sports", "war", "peace"], "This example is {}."),
    (["economy", "security", "culture"], "The speaker talks about {}."),
    (["trade", "health", "energy", "migration", "climate"], "In short, the topic is {}!"),
]

# Models whose zero-shot scores the pipeline computes as stance does.
COMPARED = ["bert-entailment-first", "bert-mnli-order", "roberta-mnli-order",
            "distilbert-entailment-first", "bert-two-class"]

# Largest |stance - pipeline| seen, reported at the end of the module (pytest -s).
DIFFS: dict[str, float] = {}


# ----------------------------------------------------------------------------- fixtures


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """``tiny(name)``: the folder of the tiny model ``name`` (see nli_models.SPECS), built once."""
    root = tmp_path_factory.mktemp("nli-models")
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = nli_models.build_model(root / name, **nli_models.SPECS[name])
        return built[name]

    return get


@pytest.fixture(scope="module")
def zero_shot(tiny):
    """``zero_shot(name)``: transformers' zero-shot-classification pipeline for a tiny model."""
    from transformers import pipeline

    pipes = {}

    def get(name: str):
        if name not in pipes:
            folder = str(tiny(name))
            pipes[name] = pipeline("zero-shot-classification", model=folder, tokenizer=folder, device="cpu")
        return pipes[name]

    return get


@pytest.fixture(scope="module")
def classifier(tiny):
    """``classifier(name, batch_size=3)``: a loaded stance.Classifier on a tiny model, on CPU."""
    made = {}

    def get(name: str, batch_size: int = 3):
        if (name, batch_size) not in made:
            made[name, batch_size] = stance.Classifier(model=str(tiny(name)), device="cpu", cache=False,
                                                       batch_size=batch_size, progress=False).load()
        return made[name, batch_size]

    return get


@pytest.fixture(scope="module", autouse=True)
def report_diffs():
    yield
    if DIFFS:
        worst = max(DIFFS, key=DIFFS.get)
        print(f"\nmax |stance - pipeline| over {len(DIFFS)} comparisons: {DIFFS[worst]:.2e} ({worst})")


# ----------------------------------------------------------------------------- helpers


def pipeline_probabilities(pipe, texts, labels, template="{}", multi_label=False, batch_size=3):
    """The pipeline's scores as an array (len(texts), len(labels)) in ``labels`` order.

    A text longer than the model's window is given to the pipeline in the parts stance splits
    it into (:mod:`stance.longtext`), and the parts' scores combined as stance combines them
    (mean; max for multi-label): the pipeline itself would truncate it."""
    parts = [split_like_stance(pipe, t, labels, template, multi_label) for t in texts]
    flat = [p for ps in parts for p in ps]
    results = pipe(flat, candidate_labels=list(labels), hypothesis_template=template,
                   multi_label=multi_label, batch_size=batch_size)
    if isinstance(results, dict):
        results = [results]
    assert [r["sequence"] for r in results] == flat
    scores = np.array([[r["scores"][r["labels"].index(label)] for label in labels] for r in results])
    out, start = [], 0
    for ps in parts:
        chunk = scores[start:start + len(ps)]
        start += len(ps)
        out.append(chunk.max(axis=0) if multi_label else chunk.mean(axis=0))
    return np.array(out)


def split_like_stance(pipe, text, labels, template, multi_label):
    """``[text]``, or the parts stance classifies a text longer than the window in."""
    from stance.backends import load_backend
    from stance.core import normalise_text
    from stance.longtext import split_text

    backend = load_backend(pipe, progress=False)
    scheme = stance.adhoc_scheme(list(labels), template, name="label", multi_label=multi_label)
    parts = split_text(normalise_text(text), backend.count_tokens, backend.text_budget(scheme))
    return [text] if len(parts) == 1 else parts


def test_long_text_is_split_not_truncated(classifier, zero_shot):
    """The > 512-token text comes out in several parts, each within the window beside the hypothesis."""
    labels = ["politics", "sports"]
    out = classifier("bert-mnli-order").classify(TEXTS, labels=labels)
    assert out["label_parts"].iloc[-1] > 1 and (out["label_parts"].iloc[:-1] == 1).all()
    backend = classifier("bert-mnli-order").backend_
    scheme = stance.adhoc_scheme(labels, "This example is {}.", name="label")
    budget = backend.text_budget(scheme)
    parts = split_like_stance(zero_shot("bert-mnli-order"), TEXTS[-1], labels, "This example is {}.", False)
    assert len(parts) == out["label_parts"].iloc[-1]
    longest = max(backend.count_tokens([h for g in scheme.hypotheses(None) for h in g]))
    special = backend.tokenizer.num_special_tokens_to_add(pair=True)
    assert max(backend.count_tokens(parts)) + longest + special <= backend.max_length()
    assert budget == backend.max_length() - longest - special


def probability_columns(out: pd.DataFrame, scheme: str, labels) -> np.ndarray:
    return out[[f"{scheme}_p_{label}" for label in labels]].to_numpy(dtype=float)


def record(key: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    DIFFS[key] = float(np.nanmax(np.abs(ours - theirs)))


def assert_informative(p: np.ndarray, multi_label: bool) -> None:
    """The probabilities are neither near-uniform nor saturated, so equality means something."""
    spread = p.max(axis=1) - p.min(axis=1)
    assert (spread > 0.01).sum() >= 0.6 * len(p), f"labels barely differ: spreads {spread.round(4)}"
    if multi_label:
        inner = ((p > 0.01) & (p < 0.99)).mean()
        assert inner >= 0.5, f"multi-label probabilities saturated: {p.round(3)}"


def hypothesis_logits(folder: Path, premises, hypotheses) -> np.ndarray:
    """Raw model logits for each premise-hypothesis pair, one pair at a time (no padding)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSequenceClassification.from_pretrained(str(folder)).eval()
    rows = []
    with torch.inference_mode():
        for premise in premises:
            for hyp in hypotheses:
                enc = tok(premise, hyp, truncation="only_first", return_tensors="pt")
                rows.append(model(**enc).logits[0].double().numpy())
    return np.array(rows).reshape(len(premises), len(hypotheses), -1)


# ----------------------------------------------------------------------------- 1. same as the pipeline


@pytest.mark.parametrize("labels,template", LABEL_SETS, ids=["4-labels", "3-labels", "5-labels"])
@pytest.mark.parametrize("multi_label", [False, True], ids=["single", "multi"])
@pytest.mark.parametrize("name", COMPARED)
def test_probabilities_equal_zero_shot_pipeline(name, multi_label, labels, template, classifier, zero_shot):
    out = classifier(name).classify(TEXTS, labels=labels, template=template, multi_label=multi_label)
    ours = probability_columns(out, "label", labels)
    theirs = pipeline_probabilities(zero_shot(name), TEXTS, labels, template, multi_label)
    record(f"{name}/{'multi' if multi_label else 'single'}/{len(labels)}", ours, theirs)
    assert_informative(theirs, multi_label)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)
    assert (out["label_error"] == "").all()
    if multi_label:
        assert list(out["label"]) == [";".join(lab for lab, q in zip(labels, row) if q >= 0.5) for row in ours]
        assert ((ours >= 0) & (ours <= 1)).all()
    else:
        np.testing.assert_allclose(ours.sum(axis=1), 1.0, atol=1e-6)
        assert list(out["label"]) == [labels[i] for i in ours.argmax(axis=1)]
        np.testing.assert_allclose(out["label_confidence"], ours.max(axis=1))


@pytest.mark.parametrize("multi_label", [False, True], ids=["single", "multi"])
@pytest.mark.parametrize("name", ["bert-mnli-order", "roberta-mnli-order", "distilbert-entailment-first"])
def test_one_label_equals_pipeline(name, multi_label, classifier, zero_shot):
    # One label: entailment against contradiction, whatever multi_label says.
    out = classifier(name).classify(TEXTS, labels=["politics"], multi_label=multi_label)
    ours = probability_columns(out, "label", ["politics"])
    theirs = pipeline_probabilities(zero_shot(name), TEXTS, ["politics"], "This example is {}.", multi_label)
    record(f"{name}/one-label/{multi_label}", ours, theirs)
    assert np.ptp(theirs) > 0.05, "the one-label scores should vary between texts"
    assert (ours < 1 - 1e-3).any(), "one label is not softmaxed to 1"
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)


def test_single_text_and_default_template(classifier, zero_shot):
    labels = ["politics", "sports"]
    out = classifier("bert-entailment-first").classify(["NATO must stop now."], labels=labels)
    theirs = pipeline_probabilities(zero_shot("bert-entailment-first"), ["NATO must stop now."], labels,
                                    "This example is {}.")
    np.testing.assert_allclose(probability_columns(out, "label", labels), theirs, rtol=0, atol=TOL)
    assert out.columns.tolist() == ["text", "language", "label", "label_confidence", "label_review", "label_p_politics",
                                    "label_p_sports", "label_error", "label_parts"]


def test_batch_size_does_not_change_probabilities(classifier):
    labels, template = LABEL_SETS[0]
    results = [probability_columns(classifier("roberta-mnli-order", b).classify(
        TEXTS, labels=labels, template=template, multi_label=True), "label", labels) for b in (1, 3, 7, 64)]
    for other in results[1:]:
        np.testing.assert_allclose(other, results[0], rtol=0, atol=1e-5)


def test_pipeline_object_as_model(tiny, classifier, zero_shot):
    labels, template = LABEL_SETS[1]
    from_pipe = stance.Classifier(model=zero_shot("bert-mnli-order"), progress=False)
    ours = probability_columns(from_pipe.classify(TEXTS, labels=labels, template=template), "label", labels)
    folder = probability_columns(classifier("bert-mnli-order").classify(TEXTS, labels=labels, template=template),
                                 "label", labels)
    np.testing.assert_allclose(ours, folder, rtol=0, atol=TOL)
    assert from_pipe.backend_.kind == "nli"


def test_label_roles_come_from_the_config(classifier):
    # Same weights; only which class is called "entailment" differs.
    labels, template = LABEL_SETS[0]
    first = classifier("bert-entailment-first")
    mnli = classifier("bert-mnli-order")
    assert (first.backend_.entail, first.backend_.contra) == (0, 2)
    assert (mnli.backend_.entail, mnli.backend_.contra) == (2, 0)
    # (on texts that fit the window: the max over a long text's parts does not commute with 1 - p)
    multi = [probability_columns(c.classify(TEXTS[:-1], labels=labels, template=template, multi_label=True),
                                 "label", labels) for c in (first, mnli)]
    np.testing.assert_allclose(multi[1], 1 - multi[0], rtol=0, atol=1e-5)
    single = [probability_columns(c.classify(TEXTS, labels=labels, template=template), "label", labels)
              for c in (first, mnli)]
    assert np.abs(single[0] - single[1]).max() > 0.05


def test_contradiction_found_by_name_when_not_first_or_last(tiny, classifier):
    # {0: neutral, 1: entailment, 2: contradiction}. (The pipeline would take class 0,
    # "neutral", as contradiction here; stance uses the class named contradiction.)
    name = "bert-neutral-first"
    labels = ["war", "peace", "trade"]
    texts = TEXTS[:5]
    hyps = [f"This example is {label}." for label in labels]
    logits = hypothesis_logits(tiny(name), [" ".join(t.split()) for t in texts], hyps)
    clf = classifier(name)
    assert (clf.backend_.entail, clf.backend_.contra) == (1, 2)
    multi = probability_columns(clf.classify(texts, labels=labels, multi_label=True), "label", labels)
    expected_multi = 1 / (1 + np.exp(logits[..., 2] - logits[..., 1]))
    np.testing.assert_allclose(multi, expected_multi, rtol=0, atol=TOL)
    single = probability_columns(clf.classify(texts, labels=labels), "label", labels)
    np.testing.assert_allclose(single, softmax(logits[..., 1], axis=-1), rtol=0, atol=TOL)
    assert_informative(expected_multi, multi_label=True)


def test_provenance_names_nli_backend_and_weights(tiny, classifier):
    folder = tiny("bert-mnli-order")
    out = classifier("bert-mnli-order").classify(TEXTS[:2], labels=["a", "b"])
    model = out.attrs["stance"]["runs"]["label"]["model"]
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    assert model == {"backend": "nli", "model": str(folder), "revision": None, "weights_sha256": digest}


# ----------------------------------------------------------------------------- 2. row order, index, duplicates


def test_rows_keep_input_order_index_and_duplicates(classifier, zero_shot):
    labels, template = LABEL_SETS[0]
    texts = [TEXTS[3], TEXTS[1], "", TEXTS[6], TEXTS[3], "  Short. ", TEXTS[2], None, TEXTS[1]]
    index = [105, 7, 42, 3, 99, 1, 64, 8, 500]
    table = pd.DataFrame({"text": texts, "speaker": list("abcdefghi")}, index=index)
    out = classifier("bert-mnli-order").classify(table, labels=labels, template=template)

    assert list(out.index) == index
    assert list(out["speaker"]) == list("abcdefghi")
    pd.testing.assert_series_equal(out["text"], table["text"])
    p = probability_columns(out, "label", labels)

    # duplicates (also up to whitespace) get identical rows
    np.testing.assert_array_equal(p[0], p[4])
    np.testing.assert_array_equal(p[1], p[5])
    np.testing.assert_array_equal(p[1], p[8])
    assert out.iloc[0].drop(["text", "speaker"]).equals(out.iloc[4].drop(["text", "speaker"]))

    # unusable rows are marked and leave the others alone
    assert list(out["label_error"]) == ["", "", "empty text", "", "", "", "", "missing text", ""]
    assert np.isnan(p[[2, 7]]).all() and out["label"].isna().tolist() == [False, False, True, False, False,
                                                                          False, False, True, False]

    # each row has its own text's probabilities, in input order
    valid = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
    theirs = pipeline_probabilities(zero_shot("bert-mnli-order"), [texts[i] for i in valid], labels, template)
    np.testing.assert_allclose(p[valid], theirs, rtol=0, atol=TOL)
    assert np.abs(p[0] - p[1]).max() > 1e-3  # different texts, different rows

    # the same texts alone and in reverse order give the same rows
    alone = probability_columns(classifier("bert-mnli-order").classify(
        [texts[i] for i in reversed(valid)], labels=labels, template=template), "label", labels)
    np.testing.assert_allclose(alone[::-1], p[valid], rtol=0, atol=1e-6)


# ----------------------------------------------------------------------------- 3. model without entailment


def test_model_without_entailment_label_is_refused(tiny):
    folder = tiny("bert-no-entailment")
    with pytest.raises(stance.ModelNotAvailableError) as info:
        stance.Classifier(model=str(folder), device="cpu", progress=False).classify(
            ["NATO must stop."], labels=["politics", "sports"])
    message = str(info.value)
    assert "negative" in message and "positive" in message
    assert "entailment" in message and "NLI model" in message
    assert "\n" not in message
    with pytest.raises(stance.ModelNotAvailableError, match="no entailment label"):
        locate(folder)


def test_entailment_index_rules():
    assert entailment_index({"entailment": 0, "neutral": 1, "contradiction": 2}) == (0, 2)
    assert entailment_index({"CONTRADICTION": 0, "NEUTRAL": 1, "ENTAILMENT": 2}) == (2, 0)
    assert entailment_index({"entailment": 0, "not_entailment": 1}) == (0, 1)
    with pytest.raises(stance.ModelNotAvailableError, match="no contradiction label"):
        entailment_index({"entailment": 0, "neutral": 1, "other": 2}, "m")
    with pytest.raises(stance.ModelNotAvailableError, match="no entailment label"):
        entailment_index({"LABEL_0": 0, "LABEL_1": 1}, "m")


# ----------------------------------------------------------------------------- 4. backend chosen from files


@pytest.mark.parametrize("name,roles", [("bert-entailment-first", (0, 2)), ("bert-mnli-order", (2, 0)),
                                        ("roberta-mnli-order", (2, 0)), ("bert-two-class", (0, 1)),
                                        ("distilbert-entailment-first", (0, 2))])
def test_nli_folder_detected_as_nli(name, roles, tiny):
    from stance.backends import load_backend

    files = locate(tiny(name))
    assert files.kind == "nli"
    assert files.revision is None
    backend = load_backend(tiny(name), device="cpu", progress=False)
    assert isinstance(backend, NLIBackend)
    assert (backend.entail, backend.contra) == roles


def test_packaged_minilm_detected_as_embedding():
    assert locate(nli_models.tokenizer_path()).kind == "embedding"
    assert locate().kind == "embedding"


def test_folder_without_model_files_is_refused(tmp_path):
    with pytest.raises(stance.ModelNotAvailableError, match="config.json"):
        locate(tmp_path)


# ----------------------------------------------------------------------------- 5. hub ids offline


@pytest.fixture
def empty_offline_cache(tmp_path, monkeypatch):
    import huggingface_hub.constants

    cache = tmp_path / "hub-cache"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    return cache


def test_uncached_hub_id_offline_gives_one_line_hint(empty_offline_cache):
    hub_id = "nonexistent-org/nonexistent-model"
    with pytest.raises(stance.ModelNotAvailableError) as info:
        stance.Classifier(model=hub_id, device="cpu", progress=False).classify(["x"], labels=["a", "b"])
    message = str(info.value)
    assert "\n" not in message
    assert hub_id in message
    assert "connected machine" in message and "local model folder" in message
    assert "HF_HUB_OFFLINE" in message


def test_missing_local_folder_is_refused(tmp_path):
    with pytest.raises(stance.ModelNotAvailableError, match="does not exist"):
        locate(str(tmp_path / "no" / "such" / "model"))


def test_cached_hub_id_works_offline(empty_offline_cache, tiny, classifier):
    # A hub cache laid out as huggingface_hub does, holding the tiny model.
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = empty_offline_cache / "models--tiny-org--tiny-nli"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    for file in tiny("bert-mnli-order").iterdir():
        (snapshot / file.name).write_bytes(file.read_bytes())
    files = locate("tiny-org/tiny-nli")
    assert files.kind == "nli" and files.revision == commit and files.path == snapshot
    labels = ["war", "peace"]
    out = stance.Classifier(model="tiny-org/tiny-nli", device="cpu", progress=False).classify(TEXTS[:4],
                                                                                             labels=labels)
    expected = classifier("bert-mnli-order").classify(TEXTS[:4], labels=labels)
    np.testing.assert_allclose(probability_columns(out, "label", labels),
                               probability_columns(expected, "label", labels), rtol=0, atol=1e-6)
    assert out.attrs["stance"]["runs"]["label"]["model"]["revision"] == commit


# ----------------------------------------------------------------------------- 6. schemes with several hypotheses


# Hypothesis averaging is compared on texts that fit the window: combining a long text's parts
# (a mean of per-part softmaxes) does not commute with averaging the pipeline's per-hypothesis scores.
SHORT = TEXTS[:-1]


def scheme_hypotheses(scheme, target=None):
    groups = stance.load_scheme(scheme).hypotheses(target)
    flat = [h for g in groups for h in g]
    assert len(set(flat)) == len(flat)
    return groups, flat


def test_tone_scheme_single_label_averages_entailment_logits(classifier, zero_shot):
    name = "roberta-mnli-order"
    out = classifier(name).classify(SHORT, scheme="tone")
    labels = stance.load_scheme("tone").label_names
    p = probability_columns(out, "tone", labels)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    assert list(out["tone"]) == [labels[i] for i in p.argmax(axis=1)]
    # The pipeline's single-label scores over all hypotheses are softmax(entailment logits),
    # so their logs are the logits up to a per-text constant, which the softmax cancels.
    groups, flat = scheme_hypotheses("tone")
    per_hyp = pipeline_probabilities(zero_shot(name), SHORT, flat)
    owners = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    mean_log = np.stack([np.log(per_hyp[:, owners == j]).mean(axis=1) for j in range(len(groups))], axis=1)
    expected = softmax(mean_log, axis=-1)
    record(f"{name}/tone", p, expected)
    assert_informative(expected, multi_label=False)
    np.testing.assert_allclose(p, expected, rtol=0, atol=TOL)


def test_rhetoric_scheme_multi_label_averages_probabilities(classifier, zero_shot):
    name = "bert-mnli-order"
    scheme = stance.load_scheme("rhetoric")
    out = classifier(name).classify(SHORT, scheme="rhetoric")
    p = probability_columns(out, "rhetoric", scheme.label_names)
    assert ((p >= 0) & (p <= 1)).all()
    groups, flat = scheme_hypotheses("rhetoric")
    per_hyp = pipeline_probabilities(zero_shot(name), SHORT, flat, multi_label=True)
    owners = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    expected = np.stack([per_hyp[:, owners == j].mean(axis=1) for j in range(len(groups))], axis=1)
    record(f"{name}/rhetoric", p, expected)
    np.testing.assert_allclose(p, expected, rtol=0, atol=TOL)
    for j, label in enumerate(scheme.label_names):
        assert list(out[f"rhetoric_{label}"]) == list(p[:, j] >= scheme.threshold)


def test_stance_scheme_fills_in_target(classifier, zero_shot):
    name = "distilbert-entailment-first"
    out = classifier(name).classify(TEXTS[:5], scheme="stance", target="NATO")
    labels = stance.load_scheme("stance").label_names
    p = probability_columns(out, "stance", labels)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    groups, flat = scheme_hypotheses("stance", "NATO")
    assert all("{target}" not in h for h in flat) and any("NATO" in h for h in flat)
    per_hyp = pipeline_probabilities(zero_shot(name), TEXTS[:5], flat)
    owners = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    expected = softmax(np.stack([np.log(per_hyp[:, owners == j]).mean(axis=1) for j in range(len(groups))],
                                axis=1), axis=-1)
    np.testing.assert_allclose(p, expected, rtol=0, atol=TOL)
    other = probability_columns(classifier(name).classify(TEXTS[:5], scheme="stance", target="the EU"),
                                "stance", labels)
    assert np.abs(other - p).max() > 1e-3  # the target reaches the model


def test_nli_probabilities_formulas():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 5, 3))
    owners = np.array([0, 0, 1, 2, 2])
    single = nli_probabilities(logits, owners, 3, entail=2, contra=0, multi_label=False)
    mean_entail = np.stack([logits[:, owners == j, 2].mean(axis=1) for j in range(3)], axis=1)
    np.testing.assert_allclose(single, softmax(mean_entail), atol=1e-12)
    multi = nli_probabilities(logits, owners, 3, entail=2, contra=0, multi_label=True)
    per_hyp = 1 / (1 + np.exp(logits[..., 0] - logits[..., 2]))
    np.testing.assert_allclose(multi, np.stack([per_hyp[:, owners == j].mean(axis=1) for j in range(3)], axis=1),
                               atol=1e-12)
    one = nli_probabilities(logits[:, :2], np.array([0, 0]), 1, entail=2, contra=0, multi_label=False)
    np.testing.assert_allclose(one[:, 0], per_hyp[:, :2].mean(axis=1), atol=1e-12)


# ----------------------------------------------------------------------------- 7. bf16 fast mode


def test_bf16_precision_is_close_and_recorded(tiny, classifier):
    labels, template = LABEL_SETS[0]
    exact = probability_columns(classifier("bert-mnli-order").classify(TEXTS, labels=labels, template=template),
                                "label", labels)
    fast_clf = stance.Classifier(model=str(tiny("bert-mnli-order")), device="cpu", cache=False, progress=False,
                                 precision="bf16")
    out = fast_clf.classify(TEXTS, labels=labels, template=template)
    fast = probability_columns(out, "label", labels)
    diff = np.abs(fast - exact).max()
    assert 0 < diff < 0.05, diff  # bfloat16 changes the scores, a little
    assert out.attrs["stance"]["runs"]["label"]["precision"] == "bf16"
    margin = np.sort(exact, axis=1)
    clear = margin[:, -1] - margin[:, -2] > 0.05
    assert (fast.argmax(1) == exact.argmax(1))[clear].all()


def test_bf16_converts_a_loaded_model_but_not_a_users_object(tiny, zero_shot):
    import torch

    loaded = stance.Classifier(model=str(tiny("bert-mnli-order")), device="cpu", cache=False, progress=False,
                               precision="bf16").load()
    assert loaded.backend_.model.dtype == torch.bfloat16 and loaded.backend_.autocast == "float32"
    pipe = zero_shot("bert-mnli-order")
    given = stance.Classifier(model=pipe, cache=False, progress=False, precision="bf16").load()
    assert pipe.model.dtype == torch.float32 and given.backend_.autocast == "bf16"  # the user's model untouched


def test_bf16_on_a_cpu_without_bfloat16_units_warns_once(tiny, monkeypatch):
    import stance.backends.base as backends

    # a CPU whose flags name AVX-512 but no bfloat16 instructions (faked), then one that has them
    monkeypatch.setattr(backends, "cpu_flags", lambda cpuinfo="/proc/cpuinfo": frozenset({"avx2", "avx512f", "fma"}))
    with pytest.warns(StanceWarning, match=r"without bfloat16 units.*slower than float32.*'float32'") as caught:
        stance.Classifier(model=str(tiny("bert-mnli-order")), device="cpu", cache=False, progress=False,
                          precision="bf16").load()
    assert len([w for w in caught if issubclass(w.category, StanceWarning)]) == 1
    monkeypatch.setattr(backends, "cpu_flags", lambda cpuinfo="/proc/cpuinfo": frozenset({"avx512f", "avx512_bf16"}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # bf16 on a CPU with bfloat16 units, and float32 anywhere: no warning
        stance.Classifier(model=str(tiny("bert-mnli-order")), device="cpu", cache=False, progress=False,
                          precision="bf16").load()
        monkeypatch.setattr(backends, "cpu_flags", lambda cpuinfo="/proc/cpuinfo": frozenset({"avx2"}))
        stance.Classifier(model=str(tiny("bert-mnli-order")), device="cpu", cache=False, progress=False).load()


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    from stance.backends import cpu_flags, cpu_has_bf16

    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 avx512f avx512_bf16\n")
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd sve\n")
    assert cpu_flags(str(x86)) == {"fpu", "avx2", "avx512f", "avx512_bf16"} and cpu_has_bf16(cpu_flags(str(x86)))
    assert cpu_has_bf16(cpu_flags(str(arm))) is False
    assert cpu_flags(str(tmp_path / "missing")) is None and cpu_has_bf16(frozenset()) is False


def test_token_budget_batches_equal_pipeline(tiny, zero_shot):
    labels, template = LABEL_SETS[0]
    clf = stance.Classifier(model=str(tiny("bert-mnli-order")), device="cpu", cache=False, progress=False).load()
    clf.backend_.batch_tokens = 40  # a few short pairs per batch, long ones alone
    ours = probability_columns(clf.classify(SHORT, labels=labels, template=template), "label", labels)
    theirs = pipeline_probabilities(zero_shot("bert-mnli-order"), SHORT, labels, template)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)
    record("token budget 40", ours, theirs)


def test_other_languages_are_labelled_by_a_model_not_known_to_be_english_only(classifier):
    """Only models known to read English only refuse other languages; others label them
    (as the multilingual NLI models would), with the language still reported."""
    texts = ["所谓「防御性联盟」的北约，正把对抗带到亚太地区。", "Расширение НАТО подрывает безопасность Европы.",
             "We support NATO."]
    with warnings.catch_warnings():
        warnings.simplefilter("error", LanguageWarning)
        out = classifier("bert-mnli-order").classify(texts, labels=["war", "peace"])
    assert out["language"].tolist() == ["zh", "ru", "en"]
    assert (out["label_error"] == "").all() and out["label"].notna().all()


# ----------------------------------------------------------------------------- float32 matrix-product library


@pytest.mark.parametrize("choice", ["mkl", "onednn"])
@pytest.mark.parametrize("name", ["bert-mnli-order", "roberta-mnli-order", "distilbert-entailment-first"])
def test_either_matrix_product_library_equals_pipeline(name, choice, tiny, zero_shot, monkeypatch):
    import torch

    from stance.backends import gemm

    monkeypatch.setenv(gemm.OVERRIDE, choice)
    labels, template = LABEL_SETS[0]
    clf = stance.Classifier(model=str(tiny(name)), device="cpu", cache=False, progress=False).load()
    assert clf.backend_.gemm == choice
    linears = [type(m).__name__ for m in clf.backend_.model.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and set(linears) == {"OneDNNLinear" if choice == "onednn" else "Linear"}
    ours = probability_columns(clf.classify(TEXTS, labels=labels, template=template), "label", labels)
    theirs = pipeline_probabilities(zero_shot(name), TEXTS, labels, template)
    record(f"{name}/{choice}", ours, theirs)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)


@pytest.mark.parametrize("vendor,capability,linear", [("AuthenticAMD", "AVX512", "OneDNNLinear"),
                                                      ("GenuineIntel", "AVX512", "Linear")])
def test_matrix_product_library_is_the_machines_default_when_not_set(tiny, monkeypatch, vendor, capability, linear):
    """On a (faked) CPU, the model's linear layers are the ones that CPU's default library runs."""
    import torch

    from stance.backends import gemm

    monkeypatch.delenv(gemm.OVERRIDE, raising=False)
    monkeypatch.setattr(gemm, "cpu_vendor", lambda: vendor)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    clf = stance.Classifier(model=str(tiny("bert-mnli-order")), device="cpu", cache=False, progress=False).load()
    linears = {type(m).__name__ for m in clf.backend_.model.modules() if isinstance(m, torch.nn.Linear)}
    assert linears == {linear}
