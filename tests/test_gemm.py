"""The float32 matrix-product library (MKL or oneDNN) for models stance loads on the CPU.

The NLI models' agreement with transformers' pipeline under either library is checked in
test_nli.py; here: the swapped layers themselves, the embedding backend, the override.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import stance
from stance.backends import gemm
from stance.errors import StanceError

TEXTS = ["NATO is a puppet stained with blood.", "We call for calm and dialogue.",
         "The talks on trade went well and will go on next spring in the capital."]


def small_net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1, bias=False))


def test_swapped_layers_give_the_same_outputs_and_still_train():
    net, x = small_net(), torch.randn(5, 6)
    with torch.no_grad():
        before = net(x)
    assert gemm.use_onednn(net) == 2 and type(net[2]).__name__ == "OneDNNLinear"
    for context in (torch.no_grad, torch.inference_mode):
        with context():
            torch.testing.assert_close(net(x), before, rtol=0, atol=1e-5)
    net(x).sum().backward()  # a gradient is needed: PyTorch's own path
    assert net[0].weight.grad is not None and net[0].weight.grad.abs().sum() > 0


def test_swapped_layers_leave_autocast_to_pytorch():
    net, x = small_net(), torch.randn(5, 6)
    gemm.use_onednn(net)
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        assert net(x).dtype == torch.bfloat16


def test_apply_changes_only_float32_cpu_models(monkeypatch):
    monkeypatch.setenv(gemm.OVERRIDE, "onednn")
    for device, precision in (("cuda", "float32"), ("cpu", "bf16")):
        net = small_net()
        assert gemm.apply(net, device, precision) is None
        assert {type(m).__name__ for m in net if isinstance(m, torch.nn.Linear)} == {"Linear"}
    net = small_net()
    assert gemm.apply(net, "cpu", "float32") == "onednn"
    monkeypatch.setenv(gemm.OVERRIDE, "mkl")
    other = small_net()
    assert gemm.apply(other, "cpu", "float32") == "mkl" and type(other[0]) is torch.nn.Linear


@pytest.mark.parametrize("value", ["blas", "auto"])
def test_unknown_library_is_a_one_line_error(monkeypatch, value):
    monkeypatch.setenv(gemm.OVERRIDE, value)
    with pytest.raises(StanceError, match=r"STANCE_GEMM=.* is not a choice: use .*'mkl'.*'onednn'"):
        gemm.choose()


@pytest.mark.parametrize("vendor,capability,expected", [
    ("AuthenticAMD", "AVX512", "onednn"), ("AuthenticAMD", "AVX2", "mkl"),
    ("GenuineIntel", "AVX512", "mkl"), ("", "AVX512", "mkl")])
def test_default_is_fixed_by_the_cpu(monkeypatch, vendor, capability, expected):
    monkeypatch.delenv(gemm.OVERRIDE, raising=False)
    monkeypatch.setattr(gemm, "cpu_vendor", lambda: vendor)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    assert gemm.default_choice() == expected == gemm.choose()
    monkeypatch.setenv(gemm.OVERRIDE, "MKL ")
    assert gemm.choose() == "mkl"


def test_embedding_backend_equal_under_either_library(monkeypatch):
    results = {}
    for choice in ("mkl", "onednn"):
        monkeypatch.setenv(gemm.OVERRIDE, choice)
        clf = stance.Classifier(cache=False, progress=False).load()
        assert clf.backend_.gemm == choice
        results[choice] = (clf.backend_.encode(TEXTS), clf.classify(TEXTS, scheme="tone"))
    (emb_mkl, out_mkl), (emb_dnn, out_dnn) = results["mkl"], results["onednn"]
    np.testing.assert_allclose(emb_dnn, emb_mkl, rtol=0, atol=1e-5)
    columns = [c for c in out_mkl if c.startswith("tone_p_")]
    np.testing.assert_allclose(out_dnn[columns].to_numpy(), out_mkl[columns].to_numpy(), rtol=0, atol=1e-5)
    assert out_dnn["tone"].tolist() == out_mkl["tone"].tolist()
