"""One matrix product for the query, key and value projections of a self-attention layer.

BERT-style encoders (BERT, RoBERTa, XLM-R, ELECTRA, DistilBERT, DeBERTa) compute each
layer's query, key and value with three linear layers applied to the same input. The
same numbers come from one product with the three weight matrices stacked (each output
column is still the same dot product), and one wide product runs faster than three
narrow ones: on BERT-base's shapes, a 768x2304 product reaches 433 GFLOP/s where three
768x768 ones reach 411 (2-core Intel Xeon, MKL): 1.3-1.6% of a whole forward pass
(``benchmarks/nli_ablation.py``).

:func:`fuse_projections` rewires a model that ``stance`` loaded itself. The three layers
become parts of one group: the first of them (the query) computes the stacked product
of its input and keeps it until the other two have taken their columns; a part called
with any other input computes its own product, so a model that calls them differently
(cross-attention, DeBERTa's relative positions) still gets the right numbers. The
weights live once, in the stacked matrix; each part's ``weight`` and ``bias`` are views
of its rows, so the model needs no more memory and ``model.to(...)`` moves them together.
"""
from __future__ import annotations

import functools
import threading

# The (query, key, value) attribute names of the self-attention modules of known architectures.
PROJECTIONS = (("query", "key", "value"), ("query_proj", "key_proj", "value_proj"), ("q_lin", "k_lin", "v_lin"))


@functools.lru_cache(maxsize=None)
def module_classes():
    """The two ``nn.Module`` classes (built on first use, so that importing stance stays light)."""
    import torch

    class ProjectionGroup(torch.nn.Module):
        """The stacked linear layer of a query/key/value trio, and the product of its latest input."""

        def __init__(self, stacked, sizes):
            super().__init__()
            self.stacked = stacked
            self.sizes = tuple(sizes)
            # Per thread (a model may serve several): the query's latest input, its product split
            # into parts, and the indices of the parts not yet taken. A plain dict, so that the
            # model can still be copied and pickled.
            self.latest: dict[int, tuple] = {}

        def part(self, index, x):
            thread = threading.get_ident()
            held = self.latest.get(thread)
            if held is not None and held[0] is x and index in held[2]:
                held[2].discard(index)
                if not held[2]:  # all taken: nothing is held between layers or calls
                    del self.latest[thread]
                return held[1][index]
            if index == 0:
                parts = self.stacked(x).split(self.sizes, dim=-1)
                self.latest[thread] = (x, parts, set(range(1, len(self.sizes))))
                return parts[0]
            return torch.nn.functional.linear(x, *self.rows(index))  # not the query's input

        def rows(self, index):
            """The weight and bias of part ``index``: views of the stacked ones."""
            start = sum(self.sizes[:index])
            stop = start + self.sizes[index]
            bias = self.stacked.bias
            return self.stacked.weight[start:stop], None if bias is None else bias[start:stop]

    class ProjectionPart(torch.nn.Module):
        """One of the query, key and value layers, computed as part of its group."""

        def __init__(self, group, index):
            super().__init__()
            self.group = group
            self.index = index
            self.in_features = group.stacked.in_features
            self.out_features = group.sizes[index]

        @property
        def weight(self):
            return self.group.rows(self.index)[0]

        @property
        def bias(self):
            return self.group.rows(self.index)[1]

        def forward(self, x):
            return self.group.part(self.index, x)

        def extra_repr(self):
            return f"in_features={self.in_features}, out_features={self.out_features}, part {self.index} of a group"

    return ProjectionGroup, ProjectionPart


def fuse_projections(model) -> int:
    """Compute the query, key and value layers of every self-attention module of ``model`` as
    one product (see the module's docstring); the number of modules fused.

    Only trios of plain linear layers (``nn.Linear`` or a subclass, such as the one
    :mod:`stance.backends.gemm` swaps in) with the same input size, dtype and device, all
    with a bias or all without, are fused; anything else is left as it is.

    >>> import torch
    >>> from transformers import BertConfig, BertModel
    >>> net = BertModel(BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
    ...                            intermediate_size=64)).eval()
    >>> ids = torch.tensor([[101, 2023, 2003, 102]])
    >>> before = net(ids).last_hidden_state
    >>> fuse_projections(net)
    2
    >>> torch.allclose(net(ids).last_hidden_state, before, atol=1e-6)
    True
    """
    import torch

    group_class, part_class = module_classes()
    fused = 0
    for module in list(model.modules()):
        for names in PROJECTIONS:
            layers = [getattr(module, name, None) for name in names]
            if not all(isinstance(layer, torch.nn.Linear) for layer in layers):
                continue
            first = layers[0]
            if any(layer.in_features != first.in_features or layer.weight.dtype != first.weight.dtype
                   or layer.weight.device != first.weight.device or (layer.bias is None) != (first.bias is None)
                   for layer in layers):
                continue
            with torch.no_grad():
                stacked = torch.nn.Linear(first.in_features, sum(layer.out_features for layer in layers),
                                          bias=first.bias is not None, device=first.weight.device,
                                          dtype=first.weight.dtype)
                stacked.weight.copy_(torch.cat([layer.weight for layer in layers]))
                if first.bias is not None:
                    stacked.bias.copy_(torch.cat([layer.bias for layer in layers]))
            stacked.__class__ = type(first)  # keeps the matrix-product library chosen for it
            stacked.train(first.training)
            stacked.requires_grad_(first.weight.requires_grad)
            group = group_class(stacked, [layer.out_features for layer in layers])
            for index, name in enumerate(names):
                setattr(module, name, part_class(group, index))
            fused += 1
    return fused
