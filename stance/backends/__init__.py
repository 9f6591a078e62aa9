"""Zero-shot backends. Each turns texts and a scheme's hypotheses into probabilities.

A backend has ``name`` (the model's name), ``kind``, ``provenance()`` and
``probabilities(texts, scheme, target) -> ndarray (len(texts), len(scheme.labels))``.
Heavy libraries are imported inside :func:`load_backend`, not at import time.
"""
from __future__ import annotations

from stance.backends.base import (BF16_FLAGS, PRECISIONS, check_precision, cpu_flags, cpu_has_bf16,  # noqa: F401
                                  is_model_object, model_provenance, pick_device, precision_context, quiet_loading,
                                  warn_if_slow_bf16)


def load_backend(model=None, *, device: str | None = None, batch_size: int | None = None,
                 progress: bool = True, revision: str | None = None,
                 trust_remote_code: bool = False, precision: str = "float32", files=None):
    """A backend for a model name, folder or hub id, or for a ready model object.

    Ready objects: a ``sentence_transformers.SentenceTransformer`` (embedding backend) or
    a transformers zero-shot-classification ``Pipeline`` (NLI backend). ``files`` (a
    :class:`stance.backends.models.ModelFiles`) skips locating the model again.
    """
    from stance.backends.embedding import EmbeddingBackend
    from stance.backends.nli import NLIBackend

    options = dict(batch_size=batch_size, progress=progress, precision=precision)
    if is_model_object(model):
        if hasattr(model, "encode") and hasattr(model, "similarity"):  # a SentenceTransformer
            card = getattr(model, "model_card_data", None)
            return EmbeddingBackend(model, name=getattr(card, "base_model", None) or type(model).__name__, **options)
        if hasattr(model, "model") and hasattr(model, "tokenizer"):
            return NLIBackend(model.model, model.tokenizer, name=model.model.name_or_path, **options)
        raise TypeError(
            f"model must be a name, a folder or a SentenceTransformer / zero-shot Pipeline, got {type(model).__name__}"
        )
    from stance.backends.models import locate, verify_weights

    files = files or locate(model, revision)
    verify_weights(files)
    backend = EmbeddingBackend if files.kind == "embedding" else NLIBackend
    device = pick_device(device)
    check_precision(precision, device)
    warn_if_slow_bf16(device, precision)
    with quiet_loading(progress):
        return backend.from_files(files, device=device, trust_remote_code=trust_remote_code, **options)
