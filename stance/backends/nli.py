"""Zero-shot classification with an NLI cross-encoder, as transformers' pipeline does it.

For each statement (premise) and hypothesis, the model gives entailment logits.
Single-label: the entailment logits are softmaxed over the labels. Multi-label (or a
single label): each hypothesis gets softmax(contradiction, entailment) and keeps the
entailment share. With one hypothesis per label these are exactly the probabilities of
``pipeline("zero-shot-classification")``; with several, a label's logits (single-label)
or probabilities (multi-label) are averaged over its hypotheses.

All premise-hypothesis pairs are tokenised at once, sorted by length and run in
batches of similar length (a token budget per batch, :data:`BATCH_TOKENS`, split so as to
waste the fewest padded tokens, :func:`length_batches`) with dynamic padding under
``torch.inference_mode()``; the logits are put back in input order.
"""
from __future__ import annotations

import numpy as np

from stance.backends.models import entailment_index
from stance.backends import gemm
from stance.backends.base import model_provenance, precision_context
from stance.backends.fusion import fuse_projections
from stance.backends.allocator import tune_allocator
from stance.schemes import Scheme


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax.

    >>> softmax(np.array([0.0, 0.0]))
    array([0.5, 0.5])
    """
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def nli_probabilities(logits: np.ndarray, owners: np.ndarray, n_labels: int, entail: int,
                      contra: int, multi_label: bool) -> np.ndarray:
    """Label probabilities from NLI logits of shape (n_texts, n_hypotheses, n_classes).

    ``owners`` gives the label index of each hypothesis.

    >>> logits = np.array([[[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]])
    >>> nli_probabilities(logits, np.array([0, 1]), 2, entail=0, contra=2, multi_label=False).round(3)
    array([[0.881, 0.119]])
    """
    one_hot = np.zeros((len(owners), n_labels))
    one_hot[np.arange(len(owners)), owners] = 1.0
    one_hot /= one_hot.sum(axis=0)
    if multi_label or n_labels == 1:
        per_hyp = softmax(logits[..., [contra, entail]], axis=-1)[..., 1]
        return per_hyp @ one_hot
    return softmax(logits[..., entail] @ one_hot, axis=-1)


def length_batches(lengths: np.ndarray, max_pairs: int | None, max_tokens: int,
                   overhead: int = 0) -> list[np.ndarray]:
    """Indices of the pairs in batches of similar length: sorted by length, each batch at most
    ``max_pairs`` pairs (``None``: no limit) and at most ``max_tokens`` tokens once padded.

    Of all such splits of the sorted pairs, the one with the fewest padded tokens plus
    ``overhead`` tokens per batch (a forward pass's fixed cost, :data:`BATCH_OVERHEAD`) is
    chosen, by dynamic programming over the batches' ends; of equally good batches, the larger.

    >>> [b.tolist() for b in length_batches(np.array([5, 2, 9, 3]), max_pairs=None, max_tokens=10, overhead=4)]
    [[1, 3], [0], [2]]
    >>> [b.tolist() for b in length_batches(np.array([5, 2, 9, 4]), max_pairs=3, max_tokens=100, overhead=4)]
    [[1, 3, 0], [2]]
    >>> [b.tolist() for b in length_batches(np.array([5, 2, 9, 3]), max_pairs=None, max_tokens=10)]  # no padding
    [[1], [3], [0], [2]]
    """
    order = np.argsort(lengths, kind="stable")
    ordered = np.asarray(lengths, dtype=np.int64)[order]
    cost = np.zeros(len(order) + 1)  # cost[i]: the best split of the first i sorted pairs
    start = np.zeros(len(order) + 1, dtype=np.intp)  # where the last batch of that split starts
    for end in range(1, len(order) + 1):
        longest = int(ordered[end - 1])
        most = min(end, max(1, max_tokens // max(longest, 1)), max_pairs or end)  # at least one pair
        sizes = np.arange(most, 0, -1)  # largest first: argmin keeps the first of equal costs
        total = cost[end - sizes] + overhead + sizes * longest
        best = int(np.argmin(total))
        cost[end], start[end] = total[best], end - sizes[best]
    batches, end = [], len(order)
    while end > 0:
        batches.append(order[start[end]:end])
        end = start[end]
    return batches[::-1]


def pad_rows(rows: list[list[int]], value: int) -> np.ndarray:
    """Right-pad token id lists into one int64 array.

    >>> pad_rows([[1, 2, 3], [4]], 0)
    array([[1, 2, 3],
           [4, 0, 0]])
    """
    out = np.full((len(rows), max(len(r) for r in rows)), value, dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, :len(r)] = r
    return out


# Tokens (pairs x padded length) per forward pass when batch_size does not cap it: large
# enough to keep the matrix products efficient, small enough for a laptop's memory.
BATCH_TOKENS = {"cpu": 2048, "cuda": 65536, "mps": 16384}
# A forward pass's fixed cost, in tokens' worth of time (:func:`length_batches`). Most of it is
# reading the weights once, so it scales as bytes per weight times the product rate over the
# memory bandwidth, whatever the model's size. On a 2-core CPU, BERT-base in float32 takes about
# 32 ms plus 0.43 ms per token, so one more batch costs as much as about 75 more padded tokens;
# bfloat16 halves the bytes and multiplies the rate, about 4x the tokens (measured best: 256
# against 64). On a GPU, where a token costs far less, an estimate.
BATCH_OVERHEAD = {("cpu", "float32"): 64, ("cpu", "bf16"): 256, ("cuda", "float32"): 4096, ("mps", "float32"): 2048}


def batch_overhead(device: str, precision: str) -> int:
    """The per-batch overhead (:data:`BATCH_OVERHEAD`) for a device type and precision.

    >>> batch_overhead("cpu", "bf16"), batch_overhead("cuda", "fp16")
    (256, 4096)
    """
    fallback = BATCH_OVERHEAD.get((device, "float32"), BATCH_OVERHEAD[("cpu", "float32")])
    return BATCH_OVERHEAD.get((device, precision), fallback)


class NLIBackend:
    """NLI cross-encoder backend around a transformers sequence-classification model."""

    kind = "nli"

    def __init__(self, model, tokenizer, name: str, batch_size: int | None = None, progress: bool = True,
                 files=None, precision: str = "float32", batch_tokens: int | None = None,
                 owns_model: bool = False):
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.batch_size = batch_size
        self.progress = progress
        self.files = files
        self.precision = precision
        self.batch_tokens = batch_tokens or BATCH_TOKENS.get(model.device.type, BATCH_TOKENS["cpu"])
        self.batch_overhead = batch_overhead(model.device.type, precision)
        self.entail, self.contra = entailment_index(model.config.label2id, name)
        # A model loaded here runs in the half precision asked for (its weights converted once);
        # a model object passed in by the user is left as it is and run under autocast.
        self.autocast = precision
        self.gemm = None  # the float32 matrix-product library, for a model loaded here (stance.backends.gemm)
        if owns_model and precision != "float32":
            import torch

            model.to(torch.bfloat16 if precision == "bf16" else torch.float16)
            self.autocast = "float32"

    @classmethod
    def from_files(cls, files, *, device: str, trust_remote_code: bool = False, **options):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        if device.split(":")[0] == "cpu":
            tune_allocator()  # process-wide; opt out with STANCE_MALLOC_TUNING=0 (see its module)
        kwargs = dict(local_files_only=True, trust_remote_code=trust_remote_code)
        tokenizer = AutoTokenizer.from_pretrained(str(files.path), **kwargs)
        # Half precision is read straight into half-precision weights (no float32 copy to convert).
        half = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(options.get("precision", "float32"))
        if half is not None:
            kwargs["dtype"] = half  # transformers >= 4.56; older ones convert in __init__ below
        model = AutoModelForSequenceClassification.from_pretrained(str(files.path), use_safetensors=True, **kwargs)
        model.to(device).eval()
        backend = cls(model, tokenizer, name=files.name, files=files, owns_model=True, **options)
        backend.gemm = gemm.apply(model, device, backend.precision)
        fuse_projections(model)  # one product for each layer's query, key and value
        return backend

    def provenance(self) -> dict:
        return model_provenance(self)

    def max_length(self) -> int | None:
        """The tokenizer's length limit, or the model's position limit when the tokenizer has none."""
        limit = getattr(self.tokenizer, "model_max_length", None)
        if limit is not None and limit < 1_000_000:
            return limit
        positions = getattr(self.model.config, "max_position_embeddings", None)
        return positions - 2 if positions else None  # RoBERTa-style models reserve 2 positions

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Each text's length in the model's tokens, without special tokens."""
        encoded = self.tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def text_budget(self, scheme: Scheme, target: str | None = None) -> int:
        """The most tokens of a premise that fit the window beside the scheme's longest hypothesis
        (and the pair's special tokens); :meth:`logits` would cut a longer premise."""
        hyps = [h for g in scheme.hypotheses(target) for h in g]
        longest = max(self.count_tokens(hyps)) if hyps else 0
        limit = self.max_length() or 512
        return int(limit) - longest - self.tokenizer.num_special_tokens_to_add(pair=True)

    def logits(self, premises: list[str], hypotheses: list[str]) -> np.ndarray:
        """NLI logits (n_pairs, n_classes) for premise-hypothesis pairs, in input order."""
        import torch
        from tqdm.auto import tqdm

        encoded = self.tokenizer(premises, hypotheses, truncation="only_first", max_length=self.max_length())
        names = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in encoded]
        lengths = np.array([len(x) for x in encoded["input_ids"]])
        batches = length_batches(lengths, self.batch_size, self.batch_tokens, self.batch_overhead)
        out = np.empty((len(lengths), self.model.config.num_labels), dtype=np.float32)
        device = self.model.device
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode(), precision_context(device, self.autocast):
            for idx in tqdm(batches, desc="NLI batches", disable=not self.progress or len(batches) < 2):
                batch = {k: torch.from_numpy(pad_rows([encoded[k][i] for i in idx], pad_id if k == "input_ids" else 0))
                         .to(device) for k in names}
                out[idx] = self.model(**batch).logits.float().cpu().numpy()
        return out

    def probabilities(self, texts: list[str], scheme: Scheme, target: str | None) -> np.ndarray:
        groups = scheme.hypotheses(target)
        hyps = [h for g in groups for h in g]
        owners = np.concatenate([np.full(len(g), i) for i, g in enumerate(groups)])
        premises = [t for t in texts for _ in hyps]
        logits = self.logits(premises, hyps * len(texts)).reshape(len(texts), len(hyps), -1)
        return nli_probabilities(logits.astype(np.float64), owners, len(groups), self.entail,
                                 self.contra, scheme.multi_label)
