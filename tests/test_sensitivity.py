"""Sensitivity to hypothesis phrasings: per-phrasing shares of changed labels, on the packaged
MiniLM and on a tiny NLI model checked against logits computed directly with transformers."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


import stance.testing as nli_models  # noqa: E402
import stance  # noqa: E402
from stance.sensitivity import sensitivity, variants  # noqa: E402

SCHEME = """
name = "mood"
[[labels]]
name = "angry"
hypotheses = ["The speaker is angry.", "This text is furious and hostile.", "Someone is being insulted."]
[[labels]]
name = "calm"
hypotheses = ["The speaker is calm.", "This text is peaceful."]
[[labels]]
name = "sad"
hypotheses = ["The speaker is sad."]
"""
TEXTS = ["NATO is a puppet stained with blood.", "The meeting is on Monday.", "We welcome dialogue.",
         "They lie and lie again, shameless thugs.", "Trade rose by three percent last year.",
         "We mourn the victims of this tragedy.", "Stop your provocations at once!", "Let us work together."]


def test_variants_replace_one_label_phrasing_at_a_time(tmp_path):
    path = tmp_path / "mood.toml"
    path.write_text(SCHEME)
    sch = stance.load_scheme(path)
    found = variants(sch)
    assert [(label, i) for label, i, _, _ in found] == [("angry", 0), ("angry", 1), ("angry", 2), ("calm", 0),
                                                        ("calm", 1), ("sad", 0)]
    _, _, hypothesis, variant = found[4]
    assert hypothesis == "This text is peaceful."
    assert [lab.hypotheses for lab in variant.labels] == [sch.labels[0].hypotheses, ("This text is peaceful.",),
                                                          ("The speaker is sad.",)]


def test_embedding_backend_shares_match_single_runs(clf, root):
    from stance.language import detect_language

    data = stance.load_statements().iloc[::2]  # a share of the rows, with their index
    data = data[[detect_language(t) == "en" for t in data["text"]]]  # the others get no label from MiniLM
    result = sensitivity(clf, data, "tone")
    tone = stance.load_scheme("tone")
    assert len(result.phrasings) == sum(len(label.hypotheses) for label in tone.labels)
    assert result.backend == "embedding" and result.n == len(data)
    full = clf.classify(data, "tone", progress=False)["tone"]
    # recompute one phrasing by hand: label "critical" described by its first hypothesis alone
    labels = [lab if lab.name != "critical" else type(lab)(lab.name, lab.description, lab.hypotheses[:1],
                                                              lab.prototypes) for lab in tone.labels]
    from dataclasses import replace

    alone = clf.classify(data, replace(tone, labels=tuple(labels)), progress=False)["tone"]
    row = result.phrasings.query("label == 'critical' and phrasing == 0").iloc[0]
    assert row["n_changed"] == int((alone != full).sum()) and row["changed"] == pytest.approx((alone != full).mean())
    assert (result.statements["tone"] == full).all()
    assert result.statements.index.equals(data.index)
    assert result.flip_any == pytest.approx(result.statements["flipped"].mean())
    assert result.flip_any >= result.phrasings["changed"].max()
    assert (result.statements["n_flips"] <= len(result.phrasings)).all()
    assert result.statements["n_flips"].sum() == result.phrasings["n_changed"].sum()


def test_rows_without_text_are_left_out_of_the_shares(clf):
    data = pd.DataFrame({"text": ["NATO is a puppet stained with blood.", "", "We welcome dialogue."]})
    result = sensitivity(clf, data, "tone")
    assert result.n == 2 and (result.phrasings["n"] == 2).all()
    assert result.statements["flipped"].isna().tolist() == [False, True, False]


def test_nli_backend_matches_direct_entailment_logits(tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(1)
    folder = nli_models.build_model(tmp_path / "nli", **nli_models.SPECS["bert-entailment-first"])
    path = tmp_path / "mood.toml"
    path.write_text(SCHEME)
    sch = stance.load_scheme(path)
    clf = stance.Classifier(str(folder), device="cpu", cache=False, progress=False)
    result = sensitivity(clf, TEXTS, path)
    assert result.backend == "nli" and len(result.phrasings) == 6
    # reference: entailment logit of every (text, hypothesis) pair straight from the model;
    # a label's score is the mean entailment logit of its hypotheses (softmax is monotone)
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    hyps = [h for lab in sch.labels for h in lab.hypotheses]
    with torch.inference_mode():
        logit = {h: model(**tok(TEXTS, [h] * len(TEXTS), return_tensors="pt", padding=True)).logits[:, 0].numpy()
                 for h in hyps}
    def labels(hyp_sets):
        return np.stack([np.mean([logit[h] for h in hs], axis=0) for hs in hyp_sets], axis=1).argmax(1)
    full = labels([lab.hypotheses for lab in sch.labels])
    expected = []
    for j, lab in enumerate(sch.labels):
        for h in lab.hypotheses:
            sets = [other.hypotheses for other in sch.labels]
            sets[j] = (h,)
            expected.append(int((labels(sets) != full).sum()))
    assert result.phrasings["n_changed"].tolist() == expected
    assert sum(expected) > 0  # the check compares something that varies
    names = list(sch.label_names)
    assert result.statements["mood"].tolist() == [names[i] for i in full]
    # a label with a single phrasing never changes anything by itself
    assert result.phrasings.query("label == 'sad'")["n_changed"].tolist() == [0]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "stance.cli", *map(str, args)], capture_output=True, text=True)


def test_cli_sensitivity_json_and_out(tmp_path):
    out = tmp_path / "flips.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(tmp_path / "in.csv", index=False)
    done = run_cli("sensitivity", tmp_path / "in.csv", "--scheme", "tone", "--json", "--out", out)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) >= {"scheme", "backend", "n_statements", "flip_any", "phrasings"}
    assert report["scheme"] == "tone" and 0 <= report["flip_any"] <= 1
    assert {"label", "phrasing", "hypothesis", "changed"} <= set(report["phrasings"][0])
    table = pd.read_csv(out)
    assert len(table) == report["n_statements"] and {"tone", "n_flips", "flipped"} <= set(table.columns)
    assert table["flipped"].mean() == pytest.approx(report["flip_any"])


def test_cli_sensitivity_bad_scheme_is_one_line(root):
    done = run_cli("sensitivity", root / "data" / "statements.csv", "--scheme", "moood")
    assert done.returncode == 2
    assert done.stderr.startswith("stance: error: unknown scheme 'moood'") and len(done.stderr.splitlines()) == 1
