"""What the query-key-value fusion and the batch split each give, in one process, side by side.

    python benchmarks/nli_ablation.py --model bert-base --n 150 --rounds 3

The same premise-hypothesis pairs (statements of 8-60 words, 6 labels) go through forward
passes of the same random NLI model in four set-ups: the projections as three products or
one (``stance.backends.fusion``), and the batches filled to the token budget in turn (as
before) or split by ``stance.backends.nli.length_batches``. Printed: padded tokens, batches,
the fastest of ``--rounds`` interleaved runs and each set-up's speed-up over the first.
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def filled_in_turn(lengths: np.ndarray, max_tokens: int) -> list[np.ndarray]:
    """The earlier split: each batch filled with length-sorted pairs up to the token budget
    (also the baseline of tests/test_batching.py).

    >>> [b.tolist() for b in filled_in_turn(np.array([5, 2, 9, 3]), max_tokens=10)]
    [[1, 3], [0], [2]]
    """
    order = np.argsort(lengths, kind="stable")
    batches, start = [], 0
    while start < len(order):
        end = start + 1
        while end < len(order) and (end - start + 1) * lengths[order[end]] <= max_tokens:
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


def main() -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    import common  # benchmarks/common.py: imported here, so that tests can import this module plainly
    from stance.backends.allocator import tune_allocator
    from stance.backends.fusion import fuse_projections
    from stance.backends.nli import BATCH_TOKENS, batch_overhead, length_batches, pad_rows

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(common.SHAPES), default="bert-base")
    parser.add_argument("--n", type=int, default=150, help="statements (default 150)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--precision", choices=["float32", "bf16"], default="float32")
    args = parser.parse_args()

    tune_allocator()  # as stance does for an NLI model on the CPU
    folder = common.bench_model(args.model)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    texts = common.make_statements(args.n, seed=1)
    hypotheses = [common.TEMPLATE.format(label) for label in common.LABELS]
    encoded = tokenizer([t for t in texts for _ in hypotheses], hypotheses * len(texts), truncation="only_first")
    lengths = np.array([len(ids) for ids in encoded["input_ids"]])
    names = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in encoded]

    def tensors(batches):
        return [{k: torch.from_numpy(pad_rows([encoded[k][i] for i in idx], 0)) for k in names} for idx in batches]

    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float32
    models = {}
    for fused in (False, True):
        model = AutoModelForSequenceClassification.from_pretrained(folder).eval().to(dtype)
        if fused:
            fuse_projections(model)
        models[fused] = model
    indices = {"filled in turn": filled_in_turn(lengths, BATCH_TOKENS["cpu"]),
               "length_batches": length_batches(lengths, None, BATCH_TOKENS["cpu"],
                                                batch_overhead("cpu", args.precision))}
    splits = {name: tensors(batches) for name, batches in indices.items()}
    setups = {(f, s): (models[f], splits[s]) for f in (False, True) for s in splits}
    print(f"{args.model}, {args.precision}: {len(texts)} statements x {len(hypotheses)} labels = {len(lengths)} pairs, "
          f"{lengths.sum()} tokens; load average {common.load_average():.1f}")
    for name, batches in splits.items():
        print(f"  split {name}: {len(batches)} batches, {sum(b['input_ids'].numel() for b in batches)} tokens "
              f"once padded")

    def forward(model, batches):
        with torch.inference_mode():
            return torch.cat([model(**b).logits.float() for b in batches])

    outputs = []  # each set-up's logits in input order; computing them is also the warm-up
    for (_, split), (model, batches) in setups.items():
        out = torch.empty(len(lengths), model.config.num_labels)
        out[torch.from_numpy(np.concatenate(indices[split]))] = forward(model, batches)
        outputs.append(out)
    diff = max((out - outputs[0]).abs().max().item() for out in outputs)
    times: dict = {key: [] for key in setups}
    for r in range(args.rounds):
        keys = list(setups)
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:  # a different order each round
            start = time.perf_counter()
            forward(*setups[key])
            times[key].append(time.perf_counter() - start)
    base = min(times[(False, "filled in turn")])
    print(f"fastest of {args.rounds} interleaved rounds (forward passes only):")
    for (fused, split), t in times.items():
        print(f"  projections {'fused' if fused else 'as three':<9} batches {split:<15} {min(t):6.2f} s "
              f"({', '.join(f'{x:.2f}' for x in t)}): {base / min(t):.3f}x")
    print(f"  max |logit difference| between the set-ups, pair by pair: {diff:.1e}")


if __name__ == "__main__":
    main()
