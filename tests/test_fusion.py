"""The query, key and value layers computed as one product (stance.backends.fusion).

The NLI models' agreement with transformers' pipeline, with the fusion applied by
``NLIBackend.from_files``, is checked in test_nli.py; here: the rewired models themselves.
"""
from __future__ import annotations

import copy
import threading

import pytest
import torch

import stance
from stance.testing import build_config
from stance.backends import gemm
from stance.backends.fusion import fuse_projections, module_classes

IDS = torch.tensor([[101, 2023, 2003, 1037, 3231, 102, 2009, 2003, 2204, 102],
                    [101, 7592, 2088, 102, 2000, 2175, 102, 0, 0, 0]])
MASK = (IDS != 0).long()


def tiny(arch: str, seed: int = 0):
    """A tiny randomly initialised sequence-classification model of architecture ``arch``."""
    from transformers import AutoModelForSequenceClassification, DebertaV2Config

    torch.manual_seed(seed)
    if arch == "deberta-v2":  # relative positions: the projections are also called on other inputs
        config = DebertaV2Config(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                 intermediate_size=64, relative_attention=True, pos_att_type=["p2c", "c2p"],
                                 max_relative_positions=16, num_labels=3)
    else:
        config = build_config(arch, {0: "entailment", 1: "neutral", 2: "contradiction"}, initializer_range=0.3)
    return AutoModelForSequenceClassification.from_config(config).eval()


def logits(model, dtype=torch.float32):
    with torch.inference_mode():
        return model(input_ids=IDS, attention_mask=MASK).logits.to(dtype)


def parts(model):
    return [m for m in model.modules() if type(m).__name__ == "ProjectionPart"]


@pytest.mark.parametrize("arch", ["bert", "roberta", "distilbert", "deberta-v2"])
def test_fused_model_gives_the_same_logits(arch):
    model = tiny(arch)
    before = logits(model)
    n_params = sum(p.numel() for p in model.parameters())
    assert fuse_projections(model) == 2  # both layers
    assert len(parts(model)) == 6
    torch.testing.assert_close(logits(model), before, rtol=0, atol=1e-6)
    assert sum(p.numel() for p in model.parameters()) == n_params  # the weights live once
    groups = {id(p.group): p.group for p in parts(model)}.values()
    assert all(not g.latest for g in groups)  # nothing held once the forward pass is done


def test_parts_keep_their_weights_as_views_of_the_stacked_matrix():
    model = tiny("bert")
    attention = model.bert.encoder.layer[0].attention.self
    originals = {n: (getattr(attention, n).weight.clone(), getattr(attention, n).bias.clone())
                 for n in ("query", "key", "value")}
    fuse_projections(model)
    stacked = attention.query.group.stacked
    for name, (weight, bias) in originals.items():
        part = getattr(attention, name)
        assert torch.equal(part.weight, weight) and torch.equal(part.bias, bias)
        assert part.weight.untyped_storage().data_ptr() == stacked.weight.untyped_storage().data_ptr()
        assert (part.in_features, part.out_features) == (32, 32)


def test_a_part_called_on_another_input_computes_its_own_product():
    model = tiny("bert")
    attention = model.bert.encoder.layer[0].attention.self
    key_weight, key_bias = attention.key.weight.clone(), attention.key.bias.clone()
    fuse_projections(model)
    x, y = torch.randn(3, 32), torch.randn(3, 32)
    with torch.inference_mode():
        attention.query(x)
        torch.testing.assert_close(attention.key(y), torch.nn.functional.linear(y, key_weight, key_bias))
        torch.testing.assert_close(attention.key(x), torch.nn.functional.linear(x, key_weight, key_bias))


def test_fused_model_moves_copies_and_serves_threads():
    model = tiny("bert")
    before = logits(model)
    fuse_projections(model)
    model.to(torch.float64)  # the stacked weights move; the parts' views follow
    torch.testing.assert_close(logits(model, torch.float64), before.double(), rtol=0, atol=1e-5)
    clone = copy.deepcopy(model.to(torch.float32))
    torch.testing.assert_close(logits(clone), before, rtol=0, atol=1e-6)

    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(logits(model))
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 80
    for r in results:
        torch.testing.assert_close(r, before, rtol=0, atol=1e-6)


def test_only_matching_trios_are_fused():
    class Attention(torch.nn.Module):
        def __init__(self, value_in: int, bias: bool = True):
            super().__init__()
            self.query, self.key = torch.nn.Linear(8, 8), torch.nn.Linear(8, 8)
            self.value = torch.nn.Linear(value_in, 8, bias=bias)

    net = torch.nn.ModuleList([Attention(4), Attention(8, bias=False), Attention(8)])
    assert fuse_projections(net) == 1
    assert [type(a.query).__name__ for a in net] == ["Linear", "Linear", "ProjectionPart"]
    assert fuse_projections(torch.nn.Sequential(torch.nn.Linear(4, 4))) == 0


@pytest.mark.skipif(not gemm.onednn_available(), reason="this PyTorch has no oneDNN")
def test_stacked_layer_keeps_the_chosen_library(monkeypatch):
    model = tiny("bert")
    before = logits(model)
    gemm.use_onednn(model)
    fuse_projections(model)
    assert type(model.bert.encoder.layer[0].attention.self.query.group.stacked).__name__ == "OneDNNLinear"
    torch.testing.assert_close(logits(model), before, rtol=0, atol=1e-5)


def test_nli_models_loaded_by_stance_are_fused(tmp_path):
    import stance.testing as nli_models

    folder = nli_models.build_model(tmp_path / "nli", **nli_models.SPECS["bert-mnli-order"])
    nli = stance.Classifier(str(folder), cache=False, progress=False).load()
    assert len(parts(nli.backend_.model)) == 3 * 2  # both layers
    assert module_classes()[1] is type(parts(nli.backend_.model)[0])
    embedding = stance.Classifier(cache=False, progress=False).load()  # measured no faster: left alone
    assert not parts(embedding.backend_.model)
