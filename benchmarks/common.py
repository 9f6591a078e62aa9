"""Shared helpers of the speed benchmarks: synthetic statements, random NLI models, timing.

Run the benchmarks from the repository root (``python benchmarks/<name>.py``); they need
no network: the models are randomly initialised with the shapes of real NLI models
(``tests/nli_models.py``) and the statements are made from the bundled data's words.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")

LABELS = ["politics", "sports", "war", "peace", "economy", "culture"]  # 6 ad-hoc labels
TEMPLATE = "This example is {}."
SHAPES = {"minilm": "MINILM", "bert-base": "BERT_BASE"}


def vocabulary() -> list[str]:
    """The words (Latin script) of the bundled statements."""
    import pandas as pd

    text = " ".join(pd.read_csv(ROOT / "data" / "statements.csv")["text"].astype(str))
    # English words only: the bundled Chinese and Russian rows would make mixed-language statements
    return [w for w in text.replace("\n", " ").split(" ") if w and all(ord(c) < 0x250 for c in w)]


def make_statements(n: int, seed: int = 0, min_words: int = 8, max_words: int = 60) -> list[str]:
    """``n`` distinct statements of ``min_words``-``max_words`` words drawn from the bundled data."""
    rng = np.random.default_rng(seed)
    words = vocabulary()
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        k = int(rng.integers(min_words, max_words + 1))
        text = " ".join(words[i] for i in rng.integers(0, len(words), k)) + "."
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def bench_model(kind: str, folder: Path | None = None, logit_scale: float = 3.0) -> Path:
    """A random NLI model of shape ``kind`` ("minilm" or "bert-base"), built once and kept."""
    import stance.testing as nli_models

    folder = Path(folder or ROOT / "benchmarks" / ".models" / f"{kind}-scale{logit_scale:g}")
    if not (folder / "model.safetensors").is_file():
        nli_models.build_model(folder, arch="bert", id2label=nli_models.MNLI_ORDER, seed=0,
                               initializer_range=0.05, logit_scale=logit_scale,
                               shape=getattr(nli_models, SHAPES[kind]))
    return folder


def matmul_gflops(m: int = 2048, k: int = 768, n: int = 3072, dtype: str = "float32", seconds: float = 3.0,
                  op: str = "matmul", device: str = "cpu") -> float:
    """GFLOP/s of a plain ``torch.matmul`` of an (m, k) by (k, n) product: the machine's ceiling.
    ``op="linear"``: the same product as ``torch.nn.functional.linear`` (a BERT layer's call);
    ``op="onednn"``: as oneDNN's linear (``stance.backends.gemm.onednn_linear``, CPU only)."""
    import torch

    from stance.backends.gemm import onednn_linear

    dt = getattr(torch, dtype)
    a, b = torch.randn(m, k).to(device, dt), torch.randn(k, n).to(device, dt)
    w = b.t().contiguous()
    product = {"matmul": lambda: torch.matmul(a, b), "linear": lambda: torch.nn.functional.linear(a, w),
               "onednn": lambda: onednn_linear(a, w, None)}[op]
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    with torch.inference_mode():
        for _ in range(3):
            product()
        sync()
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            product()
            reps += 1
            if reps % 50 == 0:
                sync()
        sync()
        elapsed = time.perf_counter() - start
    return 2 * m * k * n * reps / elapsed / 1e9


def linear_ratio(device: str = "cpu", rounds: int = 3) -> dict:
    """This machine's own bfloat16 / float32 rate for a BERT-base layer's product (2048x768 @ 768x3072,
    ``torch.nn.functional.linear``), measured now: the best of ``rounds`` interleaved tries of each.
    On a CPU, also oneDNN's float32 rate (the library ``stance`` uses for float32 on AMD CPUs)."""
    best = {"float32": 0.0, "bfloat16": 0.0, "onednn float32": 0.0}
    for _ in range(rounds):
        best["float32"] = max(best["float32"], matmul_gflops(op="linear", device=device, seconds=2.0))
        best["bfloat16"] = max(best["bfloat16"], matmul_gflops(op="linear", dtype="bfloat16", device=device,
                                                               seconds=2.0))
        if device == "cpu":
            best["onednn float32"] = max(best["onednn float32"], matmul_gflops(op="onednn", seconds=2.0))
    best["ratio"] = best["bfloat16"] / best["float32"]
    return best


def run_process(code: str, env: dict | None = None) -> dict:
    """Run ``python -c code`` from the repository root: its wall time, CPU time (user + system,
    all threads) and stdout. CPU time moves less than wall time when the machine is shared."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), **(env or {})})
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": elapsed, "cpu_s": cpu, "stdout": result.stdout}


def timed_process(code: str, env: dict | None = None) -> tuple[float, str]:
    """Run ``python -c code`` from the repository root; return its wall time and its stdout."""
    r = run_process(code, env)
    return r["wall_s"], r["stdout"]


def load_average() -> float:
    """The 1-minute load average (how busy the shared machine was)."""
    return os.getloadavg()[0]
