"""What every backend shares: model provenance, devices, precisions and the CPU's bfloat16 units."""
from __future__ import annotations

import sys
import warnings
from contextlib import contextmanager, nullcontext

from stance.errors import StanceError, StanceWarning, choices

PRECISIONS = ("float32", "bf16", "fp16")
# CPU features that compute bfloat16 products natively: x86's AVX-512-BF16 and AMX, Arm's BF16.
# Without one, bfloat16 is emulated (converted to float32 and back) and runs slower than float32.
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16", "bf16"})


def is_model_object(model) -> bool:
    """True for a ready model object, False for a name, a path or None.

    >>> is_model_object("facebook/bart-large-mnli"), is_model_object(None)
    (False, False)
    """
    return model is not None and not isinstance(model, (str, bytes)) and not hasattr(model, "__fspath__")


def model_provenance(backend) -> dict:
    """The model's name, kind, hub revision and weights hash (hashed once per backend)."""
    if not hasattr(backend, "_provenance"):
        backend._provenance = (backend.files.provenance() if backend.files is not None else
                               {"backend": backend.kind, "model": backend.name, "revision": None,
                                "weights_sha256": None})
    return dict(backend._provenance)


@contextmanager
def quiet_loading(progress: bool):
    """Hide transformers' weight-loading bar while loading, when progress bars are off."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    if not progress and was_enabled:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def pick_device(device: str | None = None) -> str:
    """The device to run on: the one asked for, else CUDA, then MPS, then CPU."""
    if device:
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def check_precision(precision: str, device: str | None = None) -> str:
    """``precision`` if it is one of :data:`PRECISIONS` (fp16 only on a GPU), else a one-line error.

    >>> check_precision("bf16")
    'bf16'
    >>> check_precision("fp16", "cpu")
    Traceback (most recent call last):
    ...
    stance.errors.StanceError: precision 'fp16' needs a GPU (device 'cpu'): use precision='bf16' on a CPU
    """
    if precision not in PRECISIONS:
        raise StanceError(f"unknown precision {precision!r}: choose one of {choices(PRECISIONS)}")
    if precision == "fp16" and device is not None and device.split(":")[0] == "cpu":
        raise StanceError(f"precision 'fp16' needs a GPU (device {device!r}): use precision='bf16' on a CPU")
    return precision


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> frozenset[str] | None:
    """The CPU's feature flags (Linux: the ``flags`` line on x86, ``Features`` on Arm), or None
    where they cannot be read (other systems, a restricted ``/proc``).

    >>> flags = cpu_flags()
    >>> flags is None or isinstance(flags, frozenset)
    True
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("flags", "Features"):
                    return frozenset(value.split())
    except OSError:
        return None
    return None


def cpu_has_bf16(flags: frozenset[str] | set[str] | None = None) -> bool | None:
    """True when the CPU computes bfloat16 natively (:data:`BF16_FLAGS`), False when its flags say
    it does not, None when they cannot be read.

    >>> cpu_has_bf16({"avx2", "avx512f", "avx512_bf16"}), cpu_has_bf16({"avx2", "fma"})
    (True, False)
    """
    flags = cpu_flags() if flags is None else flags
    return None if flags is None else bool(BF16_FLAGS & set(flags))


def warn_if_slow_bf16(device: str, precision: str, flags: frozenset[str] | set[str] | None = None) -> bool:
    """Warn (:class:`StanceWarning`, one line) when bf16 is asked for on a CPU without bfloat16
    units, where it runs slower than float32; True when it warned.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_if_slow_bf16("cpu", "bf16", flags={"avx2", "fma"})
    True
    >>> print(caught[0].message)
    precision 'bf16' on a CPU without bfloat16 units (no AVX-512-BF16, AMX or Arm BF16): it will be slower than float32 here; use precision='float32'
    """
    if precision != "bf16" or device.split(":")[0] != "cpu" or cpu_has_bf16(flags) is not False:
        return False
    warnings.warn(StanceWarning(
        "precision 'bf16' on a CPU without bfloat16 units (no AVX-512-BF16, AMX or Arm BF16): "
        "it will be slower than float32 here; use precision='float32'"), stacklevel=3)
    return True


def precision_context(device, precision: str):
    """``torch.autocast`` to bfloat16 / float16 for ``precision`` "bf16" / "fp16"; nothing for float32."""
    if precision == "float32":
        return nullcontext()
    import torch

    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=torch.device(device).type, dtype=dtype)
