"""Which float32 matrix-product library runs a model's linear layers on the CPU.

PyTorch sends a float32 ``nn.Linear`` on the CPU to MKL. On AMD CPUs MKL's float32
kernels trail oneDNN's, which PyTorch also ships and already uses for bfloat16:
measured on an AMD EPYC with AVX-512, oneDNN runs BERT-base's layer shapes 1.3-1.45x
faster (MiniLM's 1.1-1.25x); on the Intel Xeon this project ran on before, the two
were level. So models that ``stance`` loads itself (NLI and sentence-embedding) for
the CPU in float32 use oneDNN on AMD x86-64 CPUs with AVX-512 and MKL elsewhere:
:func:`default_choice` is fixed per machine, not timed, so that the same machine
always gives the same digits. ``STANCE_GEMM=mkl`` or ``STANCE_GEMM=onednn`` chooses.

Both compute in float32; their results differ only by the order of summation (about
1e-6 relative), well inside the 1e-4 agreement with transformers' pipeline.
:func:`use_onednn` swaps the model's ``nn.Linear`` layers for ones that call
``torch.ops.mkldnn._linear_pointwise`` with the same weights (shared, not copied).
"""
from __future__ import annotations

import functools
import os
import platform
import sys

from stance.errors import StanceError, choices

GEMMS = ("mkl", "onednn")
OVERRIDE = "STANCE_GEMM"


def cpu_vendor() -> str:
    """The CPU's vendor string ("AuthenticAMD", "GenuineIntel"...), or "" when unknown.

    >>> isinstance(cpu_vendor(), str)
    True
    """
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("vendor_id"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            return ""
        return ""
    processor = platform.processor()  # Windows: "AMD64 Family 25 Model 17 Stepping 1, AuthenticAMD"
    return next((v for v in ("AuthenticAMD", "GenuineIntel") if v in processor), "")


def onednn_available() -> bool:
    """True when this PyTorch has oneDNN's fused linear operator."""
    import torch

    return bool(torch.backends.mkldnn.is_available()) and hasattr(torch.ops.mkldnn, "_linear_pointwise")


def default_choice() -> str:
    """``"onednn"`` on AMD x86-64 CPUs with AVX-512 (where it was measured faster), else ``"mkl"``.

    >>> default_choice() in GEMMS
    True
    """
    import torch

    if (cpu_vendor() == "AuthenticAMD" and torch.backends.cpu.get_cpu_capability() == "AVX512"
            and onednn_available()):
        return "onednn"
    return "mkl"


def choose() -> str:
    """The library to use: ``STANCE_GEMM`` when set, else :func:`default_choice`.

    >>> choose() in GEMMS
    True
    """
    value = os.environ.get(OVERRIDE, "").strip().lower()
    if not value:
        return default_choice()
    if value not in GEMMS:
        raise StanceError(f"{OVERRIDE}={value!r} is not a choice: use {choices(GEMMS)}, or unset it")
    if value == "onednn" and not onednn_available():
        raise StanceError(f"{OVERRIDE}='onednn', but this PyTorch has no oneDNN: unset {OVERRIDE}")
    return value


def onednn_linear(x, weight, bias):
    """``torch.nn.functional.linear`` computed by oneDNN (float32 in, float32 out).

    >>> import torch
    >>> x, w, b = torch.randn(3, 4), torch.randn(2, 4), torch.randn(2)
    >>> torch.allclose(onednn_linear(x, w, b), torch.nn.functional.linear(x, w, b), atol=1e-5)
    True
    """
    import torch

    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")


@functools.lru_cache(maxsize=None)
def onednn_linear_class():
    """``nn.Linear`` whose forward runs on oneDNN when no gradient is needed (float32, CPU, no
    autocast), else as usual."""
    import torch

    class OneDNNLinear(torch.nn.Linear):
        def forward(self, x):
            # oneDNN's operator has no gradient: anything that needs one goes through PyTorch.
            needs_grad = torch.is_grad_enabled() and (x.requires_grad or self.weight.requires_grad)
            if (not needs_grad and x.dtype == self.weight.dtype == torch.float32 and x.device.type == "cpu"
                    and not torch.is_autocast_enabled("cpu")):
                return onednn_linear(x, self.weight, self.bias)
            return super().forward(x)

    return OneDNNLinear


def use_onednn(model) -> int:
    """Swap every plain ``nn.Linear`` in ``model`` for one that calls oneDNN when no gradient
    is needed; the number swapped. Weights are shared, not copied; training still goes through PyTorch.

    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    >>> use_onednn(net), type(net[0]).__name__
    (2, 'OneDNNLinear')
    """
    import torch

    linear_class = onednn_linear_class()
    swapped = 0
    for module in model.modules():
        if type(module) is torch.nn.Linear:
            module.__class__ = linear_class
            swapped += 1
    return swapped


def apply(model, device: str, precision: str) -> str | None:
    """Use the chosen float32 library for a CPU model that ``stance`` loaded; the choice,
    or None when the model is not float32 on a CPU (nothing changed).

    >>> import torch
    >>> apply(torch.nn.Linear(4, 4), "cuda", "float32") is None
    True
    """
    if precision != "float32" or device.split(":")[0] != "cpu":
        return None
    choice = choose()
    if choice == "onednn":
        use_onednn(model)
    return choice
