"""A contrastive fine-tune of the sentence encoder on a few labelled statements (SetFit-style).

Tunstall et al. (2022), "Efficient few-shot learning without prompts": pairs of labelled
statements are drawn, a pair of the same label is pulled together and a pair of different
labels pushed apart (the cosine similarity regressed on 1 or 0), for one pass over the pairs.
:mod:`stance.fewshot` then fits its correction to the zero-shot scores on the tuned encoder's
embeddings instead of the packaged model's (method ``"finetune"``), when cross-validation on the
labelled rows prefers it.

The tuned encoder is a copy of the loaded model; its weights are saved as safetensors next to
the few-shot JSON (:func:`save_encoder`) and checked by SHA-256 when loaded back
(:func:`load_encoder`). About a minute per fine-tune on a laptop CPU for 48 statements.
"""
from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np

from stance.errors import InputError

PAIRS_PER_ROW = 40  # SetFit's default: 20 iterations of one positive and one negative pair per row
MAX_PAIRS = 1600  # at most this many pairs (100 steps of 16), so that larger label sets stay quick
LEARNING_RATE = 2e-5
BATCH_SIZE = 16


def contrastive_pairs(y: np.ndarray, rng: np.random.Generator, per_row: int = PAIRS_PER_ROW,
                      max_pairs: int | None = None) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` of row indices: for each row in turn, one of the same label
    (similarity 1) and one of another label (0), ``per_row // 2`` rounds, shuffled, at most ``max_pairs``.

    >>> y = np.array([0, 0, 1, 1])
    >>> pairs = contrastive_pairs(y, np.random.default_rng(0), per_row=2)
    >>> len(pairs), all(s == float(y[i] == y[j]) for i, j, s in pairs)
    (8, True)
    """
    y = np.asarray(y)
    rows = np.arange(len(y))
    pairs = []
    for _ in range(max(1, per_row // 2)):
        for i in rows:
            same = rows[(y == y[i]) & (rows != i)]
            other = rows[y != y[i]]
            if len(same):
                pairs.append((int(i), int(rng.choice(same)), 1.0))
            if len(other):
                pairs.append((int(i), int(rng.choice(other)), 0.0))
    order = rng.permutation(len(pairs))[:MAX_PAIRS if max_pairs is None else max_pairs]
    return [pairs[k] for k in order]


def finetune(base, texts: list[str], y: np.ndarray, *, seed: int = 0, lr: float = LEARNING_RATE,
             batch_size: int = BATCH_SIZE, max_pairs: int | None = None, progress: bool = False):
    """A copy of the ``SentenceTransformer`` ``base`` tuned contrastively on ``texts`` labelled ``y``
    (AdamW, linear warm-up over the first tenth of the steps, then linear decay; at most
    ``max_pairs`` pairs, default :data:`MAX_PAIRS`). ``base`` is left as it was.

    >>> from stance import Classifier
    >>> backend = Classifier(progress=False).load().backend_
    >>> tuned = finetune(backend.model, ["We condemn this.", "We deplore it.", "We welcome this.", "A fine step."],
    ...                  np.array([0, 0, 1, 1]), max_pairs=16)
    >>> tuned is not backend.model
    True
    >>> backend.encode(["We condemn this."], progress=False, model=tuned).shape
    (1, 384)
    """
    import torch
    from sentence_transformers.util import batch_to_device
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    model = copy.deepcopy(base)
    model.train()
    pairs = contrastive_pairs(y, np.random.default_rng(seed), max_pairs=max_pairs)
    steps = -(-len(pairs) // batch_size)
    warm = max(1, steps // 10)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    device = model.device
    for step in tqdm(range(steps), desc="fine-tune", unit="step", disable=not progress, leave=False):
        batch = pairs[step * batch_size:(step + 1) * batch_size]
        left = model.preprocess([texts[i] for i, _, _ in batch])
        right = model.preprocess([texts[j] for _, j, _ in batch])
        u = model(batch_to_device(left, device))["sentence_embedding"]
        v = model(batch_to_device(right, device))["sentence_embedding"]
        target = torch.tensor([s for _, _, s in batch], device=device)
        loss = torch.nn.functional.mse_loss(torch.cosine_similarity(u, v), target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
    model.eval()
    return model


def tuner(backend, texts: list[str], y: np.ndarray, progress: bool = False):
    """``tune(rows)`` for :func:`stance.fewshot.adapt_any`: a copy of the embedding ``backend``'s
    model fine-tuned on those rows of ``texts`` (labelled ``y``), and the embeddings of all ``texts``
    under it (encoded by the backend, at its precision)."""
    def tune(rows: np.ndarray):
        encoder = finetune(backend.model, [texts[i] for i in rows], np.asarray(y)[rows], progress=progress)
        return encoder, backend.encode(texts, progress=False, model=encoder)

    return tune


def save_encoder(model, path: str | Path) -> str:
    """Write the tuned encoder's weights to ``path`` (safetensors); their SHA-256."""
    from safetensors.torch import save_file

    path = Path(path)
    save_file({k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}, str(path))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def keep_encoder(state, path: Path) -> str:
    """Write a few-shot state's tuned encoder to ``path``: from memory, or copied from the file it
    was loaded from (whose hash is checked when it is used); the SHA-256 of what ``path`` holds."""
    import shutil

    if state.encoder is not None:
        return save_encoder(state.encoder, path)
    if Path(state.encoder_file).resolve() != Path(path).resolve():
        shutil.copyfile(state.encoder_file, path)
    return state.encoder_sha256


def load_encoder(base, path: str | Path, sha256: str):
    """A copy of ``base`` with the weights saved by :func:`save_encoder`, after checking their SHA-256."""
    from safetensors.torch import load_file

    path = Path(path)
    if not path.is_file():
        raise InputError(f"the fine-tuned encoder {str(path)!r} is missing: keep it next to the few-shot "
                         f"JSON file, or fit again")
    found = hashlib.sha256(path.read_bytes()).hexdigest()
    if found != sha256:
        raise InputError(f"the fine-tuned encoder {str(path)!r} has SHA-256 {found[:12]}..., the few-shot file "
                         f"expects {sha256[:12]}...: the file was changed or belongs to another fit; fit again")
    model = copy.deepcopy(base)
    try:
        model.load_state_dict(load_file(str(path)))
    except RuntimeError as exc:
        raise InputError(f"the fine-tuned encoder {str(path)!r} does not fit the loaded model "
                         f"({str(exc).splitlines()[0]}): load the model it was fitted with") from None
    model.eval()
    return model
