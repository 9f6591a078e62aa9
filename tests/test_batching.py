"""How the NLI pairs are split into batches (stance.backends.nli.length_batches).

Checked against the limits (every pair once, the token and pair caps) and against every
possible split of small inputs: the chosen one has the lowest cost (padded tokens plus the
per-batch overhead).
"""
from __future__ import annotations

import importlib.util
import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stance.backends.nli import batch_overhead, length_batches


def cost(lengths: np.ndarray, batches, overhead: int) -> int:
    return sum(overhead + len(b) * int(lengths[b].max()) for b in batches)


def allowed(lengths, batch, max_pairs, max_tokens) -> bool:
    return len(batch) == 1 or ((max_pairs is None or len(batch) <= max_pairs)
                               and len(batch) * lengths[batch].max() <= max_tokens)


def best_by_enumeration(lengths: np.ndarray, max_pairs, max_tokens, overhead) -> int:
    """The lowest cost over every split of the length-sorted pairs into consecutive batches."""
    order = np.argsort(lengths, kind="stable")
    best = None
    for cuts in itertools.product((False, True), repeat=len(order) - 1):
        bounds = [0] + [i + 1 for i, cut in enumerate(cuts) if cut] + [len(order)]
        batches = [order[a:b] for a, b in zip(bounds, bounds[1:])]
        if all(allowed(lengths, b, max_pairs, max_tokens) for b in batches):
            c = cost(lengths, batches, overhead)
            best = c if best is None else min(best, c)
    return best


PAIRS = st.lists(st.integers(1, 60), min_size=1, max_size=9).map(np.array)


@settings(max_examples=150, deadline=None, database=None)
@given(PAIRS, st.one_of(st.none(), st.integers(1, 5)), st.integers(1, 150), st.integers(0, 80))
def test_batches_respect_the_limits_and_cost_least(lengths, max_pairs, max_tokens, overhead):
    batches = length_batches(lengths, max_pairs, max_tokens, overhead)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))  # every pair once
    assert all(allowed(lengths, b, max_pairs, max_tokens) for b in batches)
    flat = lengths[np.concatenate(batches)]
    assert (np.diff(flat) >= 0).all()  # consecutive runs of the length-sorted pairs
    assert cost(lengths, batches, overhead) == best_by_enumeration(lengths, max_pairs, max_tokens, overhead)


def test_fewer_padded_tokens_than_filling_each_batch_in_turn(root):
    """On the benchmark's kind of input (6 hypotheses per statement, 8-60 words), the split wastes
    less than filling each batch up to the token budget in turn, as before
    (``filled_in_turn`` of benchmarks/nli_ablation.py)."""
    spec = importlib.util.spec_from_file_location("nli_ablation", root / "benchmarks" / "nli_ablation.py")
    ablation = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ablation)
    rng = np.random.default_rng(0)
    lengths = np.repeat(rng.integers(12, 80, 150), 6) + np.tile(rng.integers(0, 3, 6), 150)
    overhead = batch_overhead("cpu", "float32")
    greedy = ablation.filled_in_turn(lengths, 2048)
    chosen = length_batches(lengths, None, 2048, overhead)
    padded = [sum(len(b) * int(lengths[b].max()) for b in split) - lengths.sum() for split in (greedy, chosen)]
    assert padded[1] < padded[0]
    assert cost(lengths, chosen, overhead) < cost(lengths, greedy, overhead)


def test_one_long_pair_is_a_batch_of_its_own():
    assert [b.tolist() for b in length_batches(np.array([500, 3]), None, max_tokens=100, overhead=64)] == [[1], [0]]
