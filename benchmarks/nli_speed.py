"""NLI speed: `stance` against transformers' zero-shot pipeline, as whole processes, side by side.

    python benchmarks/nli_speed.py --model bert-base --n 150
    python benchmarks/nli_speed.py --model minilm --n 300
    python benchmarks/nli_speed.py --model bert-base --n 300 --bf16-only --rounds 2
    python benchmarks/nli_speed.py --model bert-base --n 1000 --device cuda   # on a GPU

Each contender runs in its own process on the same statements (8-60 words) and 6 labels
with a randomly initialised NLI model of the given shape; the wall time of the whole
process (start-up, loading, tokenising, inference) gives statements per second. Printed:
the rates and their ratios, the largest score difference from the pipeline, the
achieved GFLOP/s of the stance NLI path as a fraction of a plain float32 ``torch.matmul``
measured in the same run, and the bf16 mode's speed-up and top-label agreement: on the
random model, on the packaged MiniLM encoder with a random head, and (one line per scheme, on
the held-out data/dev/synthetic_c.csv) on a MiniLM NLI model trained here on
data/dev/synthetic_a.csv and synthetic_b.csv, whose scores clearly differ between labels
(``nli_models.build_trained_nli``, built once into benchmarks/.models/, about two minutes).
It also measures this machine's own bfloat16 / float32 rate for a BERT-base layer's product
(``torch.nn.functional.linear``) in the same run, and prints the bf16 path's speed-up as a
fraction of it. ``--device cuda`` compares float32 and bf16 with the pipeline on a GPU.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

import common

STANCE = """
import json, time, numpy as np, stance
texts = json.load(open({texts!r}))
clf = stance.Classifier({model!r}, device={device!r}, batch_size={batch}, progress=False, cache=False,
                        precision={precision!r})
clf.load().model_info()  # loading and hashing the weights count in the whole-process time only
start = time.perf_counter()
out = clf.classify(texts, labels={labels!r}, template={template!r})
compute = time.perf_counter() - start
np.save({save!r}, out[["label_p_" + l for l in {labels!r}]].to_numpy())
print(json.dumps({{"compute_s": compute, "gemm": clf.backend_.gemm}}))
"""

PIPELINE = """
import json, time, numpy as np
from transformers import pipeline
texts = json.load(open({texts!r}))
pipe = pipeline("zero-shot-classification", model={model!r}, device={device!r})
kwargs = {{}} if {batch} is None else {{"batch_size": {batch}}}
start = time.perf_counter()
res = pipe(texts, candidate_labels={labels!r}, hypothesis_template={template!r}, **kwargs)
compute = time.perf_counter() - start
np.save({save!r}, np.array([[r["scores"][r["labels"].index(l)] for l in {labels!r}] for r in res]))
print(json.dumps({{"compute_s": compute}}))
"""


def useful_gflop(model: Path, texts: list[str]) -> float:
    """FLOPs of the encoder on the unpadded premise-hypothesis pairs (dense layers and attention)."""
    from transformers import AutoConfig, AutoTokenizer

    config = AutoConfig.from_pretrained(model)
    tok = AutoTokenizer.from_pretrained(model)
    hyps = [common.TEMPLATE.format(label) for label in common.LABELS]
    lengths = np.array([len(ids) for ids in tok([t for t in texts for _ in hyps], hyps * len(texts),
                                                truncation="only_first")["input_ids"]], dtype=float)
    h, i, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    return float(layers * (8 * lengths * h * h + 4 * lengths * h * i + 4 * lengths ** 2 * h).sum()) / 1e9


def contender(template: str, model: Path, texts_file: Path, save: Path, batch=None, precision="float32",
              env: dict | None = None, device: str = "cpu") -> dict:
    code = template.format(texts=str(texts_file), model=str(model), labels=common.LABELS, device=device,
                           template=common.TEMPLATE, batch=batch, save=str(save), precision=precision)
    r = common.run_process(code, env=env)
    return {"wall_s": r["wall_s"], "cpu_s": r["cpu_s"], **json.loads(r["stdout"].strip().splitlines()[-1]),
            "probs": np.load(save)}


def best_pipeline_batch(model: Path, texts: list[str], sizes=(4, 8, 16, 32, 64), device: str = "cpu") -> int:
    """The pipeline batch size that is fastest on a sample (in one process, after a warm-up)."""
    from transformers import pipeline

    pipe = pipeline("zero-shot-classification", model=str(model), device=device)
    pipe(texts[:4], candidate_labels=common.LABELS, hypothesis_template=common.TEMPLATE)
    times = {}
    for size in sizes:
        start = time.perf_counter()
        pipe(texts, candidate_labels=common.LABELS, hypothesis_template=common.TEMPLATE, batch_size=size)
        times[size] = time.perf_counter() - start
    print("  pipeline batch-size search on", len(texts), "statements:",
          ", ".join(f"{k}: {v:.1f}s" for k, v in times.items()), flush=True)
    return min(times, key=times.get)


def agreement(exact: np.ndarray, fast: np.ndarray, seconds: dict[str, float]) -> str:
    """bf16 (``fast``) against float32 (``exact``) label probabilities, one row per statement."""
    margin = np.sort(exact, axis=1)
    margin = margin[:, -1] - margin[:, -2]
    clear = margin >= 0.05
    agree = exact.argmax(1) == fast.argmax(1)
    return (f"bf16 top label agrees on {agree.mean():.1%} (on {agree[clear].mean():.1%} of the {clear.sum()} with a "
            f"float32 top-2 margin >= 0.05); median top-2 margin {np.median(margin):.3f}; max |bf16 - float32| = "
            f"{np.abs(fast - exact).max():.1e}; inference {seconds['float32'] / seconds['bf16']:.2f}x faster")


def random_head_agreement(texts: list[str]) -> str:
    """bf16 vs float32 top-label agreement on an NLI model with a trained encoder but a random head
    (the packaged MiniLM, ``nli_models.build_from_encoder``), in this process: its scores barely
    differ between labels, so its disagreements are near-ties."""
    import stance.testing as nli_models
    import stance

    folder = common.ROOT / "benchmarks" / ".models" / "minilm-trained-encoder"
    if not (folder / "model.safetensors").is_file():
        nli_models.build_from_encoder(folder)
    probs, times = {}, {}
    for precision in ("float32", "bf16"):
        clf = stance.Classifier(str(folder), device="cpu", progress=False, cache=False, precision=precision)
        clf.load()
        start = time.perf_counter()
        out = clf.classify(texts, labels=common.LABELS, template=common.TEMPLATE)
        times[precision] = time.perf_counter() - start
        probs[precision] = out[["label_p_" + label for label in common.LABELS]].to_numpy()
    return (f"trained-encoder NLI model (packaged MiniLM + random head), {len(texts)} statements: "
            + agreement(probs["float32"], probs["bf16"], times))


def trained_model() -> Path:
    """The locally trained NLI model (``nli_models.build_trained_nli``), built once and kept."""
    import shutil

    import stance.testing as nli_models

    folder = common.ROOT / "benchmarks" / ".models" / "minilm-trained-nli"
    if not (folder / "model.safetensors").is_file():
        partial = folder.with_name(folder.name + ".partial")  # an interrupted build is not kept
        shutil.rmtree(partial, ignore_errors=True)
        start = time.perf_counter()
        nli_models.build_trained_nli(partial)
        partial.rename(folder)
        print(f"  trained {folder.name} in {time.perf_counter() - start:.0f} s", flush=True)
    return folder


def trained_agreement() -> list[str]:
    """bf16 vs float32 on an NLI model whose scores clearly differ between labels: MiniLM fine-tuned
    on data/dev/synthetic_a.csv and synthetic_b.csv (``trained_model``), evaluated in this process
    on the held-out data/dev/synthetic_c.csv with the tone and stance schemes; one line per scheme."""
    import pandas as pd

    import stance
    from stance.schemes import load_scheme

    folder = trained_model()
    rows = pd.read_csv(common.ROOT / "data" / "dev" / "synthetic_c.csv")
    schemes = {"tone": ("gold_tone", {}), "stance": ("gold_stance", {"target_col": "target"})}
    probs: dict[str, dict] = {s: {} for s in schemes}
    times: dict[str, dict] = {s: {} for s in schemes}
    for precision in ("float32", "bf16"):
        clf = stance.Classifier(str(folder), device="cpu", progress=False, cache=False, precision=precision)
        clf.load()
        for scheme, (_, kwargs) in schemes.items():
            start = time.perf_counter()
            out = clf.classify(rows, scheme=scheme, **kwargs)
            times[scheme][precision] = time.perf_counter() - start
            probs[scheme][precision] = out[[f"{scheme}_p_{n}" for n in load_scheme(scheme).label_names]].to_numpy()
    lines = []
    for scheme, (gold, _) in schemes.items():
        exact = probs[scheme]["float32"]
        accuracy = (np.array(load_scheme(scheme).label_names)[exact.argmax(1)] == rows[gold].to_numpy()).mean()
        lines.append(f"trained NLI model (MiniLM fine-tuned on synthetic_a+b), {scheme}, {len(rows)} held-out "
                     f"statements (synthetic_c; float32 accuracy {accuracy:.1%}): "
                     + agreement(exact, probs[scheme]["bf16"], times[scheme]))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(common.SHAPES), default="bert-base")
    parser.add_argument("--n", type=int, default=150, help="statements (default 150)")
    parser.add_argument("--search", type=int, default=24, help="statements for the batch-size search")
    parser.add_argument("--rounds", type=int, default=2,
                        help="run every contender this many times, interleaved; the fastest run counts")
    parser.add_argument("--logit-scale", type=float, default=3.0,
                        help="spread of the random model's logits (larger: labels differ more)")
    parser.add_argument("--no-bf16", action="store_true")
    parser.add_argument("--bf16-only", action="store_true",
                        help="only stance float32 and stance bf16 (the bf16 speed-up against the CPU's own ratio)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    args = parser.parse_args()
    cpu = args.device == "cpu"

    model = common.bench_model(args.model, logit_scale=args.logit_scale)
    texts = common.make_statements(args.n, seed=1)
    work = Path(tempfile.mkdtemp(prefix="stance-bench-"))
    texts_file = work / "texts.json"
    texts_file.write_text(json.dumps(texts))
    print(f"{args.model}: {args.n} statements of 8-60 words, {len(common.LABELS)} labels, device {args.device}; "
          f"load average {common.load_average():.1f}", flush=True)
    contenders = {"stance": (STANCE, None, "float32", None)}
    if not args.bf16_only:
        if cpu:
            contenders["stance STANCE_GEMM=mkl"] = (STANCE, None, "float32", {"STANCE_GEMM": "mkl"})
        best = best_pipeline_batch(model, common.make_statements(args.search, seed=2), device=args.device)
        contenders["pipeline default"] = (PIPELINE, None, "float32", None)
        contenders[f"pipeline batch_size={best}"] = (PIPELINE, best, "float32", None)
    if not args.no_bf16:
        contenders["stance bf16"] = (STANCE, None, "bf16", None)
    runs: dict[str, dict] = {}
    ceilings, onednn_ceilings = [], []
    for r in range(args.rounds):
        if cpu:
            ceilings.append(common.matmul_gflops())
            onednn_ceilings.append(common.matmul_gflops(op="onednn"))
        names = list(contenders)
        for name in names[r % len(names):] + names[:r % len(names)]:  # a different order each round
            template, batch, precision, env = contenders[name]
            out = contender(template, model, texts_file, work / f"{len(runs)}-{r}.npy", batch, precision, env,
                            device=args.device)
            print(f"  round {r + 1}: {name:<24} whole process {out['wall_s']:6.1f} s (CPU {out['cpu_s']:6.1f} s), "
                  f"load average {common.load_average():.1f}", flush=True)
            if name in runs:
                assert np.array_equal(runs[name]["probs"], out["probs"]), f"{name}: scores differ between runs"
                out = {k: min(v, out[k]) if isinstance(v, float) else v for k, v in runs[name].items()}
            runs[name] = out
    gflop = useful_gflop(model, texts)
    print(f"fastest of {args.rounds} interleaved runs each:")
    for name, r in runs.items():
        print(f"  {name:<24} {args.n / r['wall_s']:7.2f} statements/s (whole process {r['wall_s']:6.1f} s, "
              f"CPU {r['cpu_s']:6.1f} s, inference {r['compute_s']:6.1f} s, {gflop / r['compute_s']:6.1f} GFLOP/s)",
              flush=True)
    s = runs["stance"]
    for name in [k for k in runs if k.startswith("pipeline")]:
        print(f"  stance / {name}: {runs[name]['wall_s'] / s['wall_s']:.3f}x whole process "
              f"({runs[name]['cpu_s'] / s['cpu_s']:.2f}x by CPU time), {runs[name]['compute_s'] / s['compute_s']:.2f}x "
              f"inference; max |stance - pipeline| = {np.abs(s['probs'] - runs[name]['probs']).max():.1e}")
    if "stance STANCE_GEMM=mkl" in runs:
        mkl = runs["stance STANCE_GEMM=mkl"]
        print(f"  stance chose {s['gemm']} for its float32 products: {mkl['wall_s'] / s['wall_s']:.2f}x whole process, "
              f"{mkl['compute_s'] / s['compute_s']:.2f}x inference against STANCE_GEMM=mkl; "
              f"max |difference| = {np.abs(s['probs'] - mkl['probs']).max():.1e}")
    if cpu:
        ceilings.append(common.matmul_gflops())
        onednn_ceilings.append(common.matmul_gflops(op="onednn"))
        for label, c in ((f"torch.matmul ceiling (float32, 2048x768 @ 768x3072, best of {len(ceilings)})", max(ceilings)),
                         (f"oneDNN linear of the same shape (best of {len(onednn_ceilings)})", max(onednn_ceilings))):
            print(f"  {label}: {c:.1f} GFLOP/s; stance NLI path {gflop / s['compute_s']:.1f} GFLOP/s = "
                  f"{gflop / s['compute_s'] / c:.3f} of it; " + ", ".join(
                      f"{k} {gflop / runs[k]['compute_s'] / c:.2f}" for k in runs if k not in ("stance", "stance bf16")))
    if "stance bf16" in runs:
        b = runs["stance bf16"]
        agree = (b["probs"].argmax(1) == s["probs"].argmax(1)).mean()
        margin = np.sort(s["probs"], axis=1)
        whole, inference = s["wall_s"] / b["wall_s"], s["compute_s"] / b["compute_s"]
        print(f"  bf16 / float32: {whole:.2f}x whole process, {inference:.2f}x inference; top label agrees on "
              f"{agree:.1%}; max |bf16 - float32| = {np.abs(b['probs'] - s['probs']).max():.1e}; "
              f"median top-2 margin {np.median(margin[:, -1] - margin[:, -2]):.3f} (random {args.model} model)")
        own = common.linear_ratio(args.device)
        onednn = (f"; oneDNN float32 {own['onednn float32']:.0f} GFLOP/s (bf16 / it: "
                  f"{own['bfloat16'] / own['onednn float32']:.2f}x)" if cpu else "")
        print(f"  this {args.device.upper()}'s own bf16 / float32 ratio (torch.nn.functional.linear, 2048x768 @ "
              f"768x3072, best of 3, measured now): {own['ratio']:.2f}x (bfloat16 {own['bfloat16']:.0f} GFLOP/s, "
              f"float32 {own['float32']:.0f}){onednn}")
        print(f"  bf16 path's speed-up as a fraction of that ratio: {whole / own['ratio']:.2f} whole process, "
              f"{inference / own['ratio']:.2f} inference (goal: >= 0.6 whole process)", flush=True)
        if cpu and not args.bf16_only:
            print("  " + random_head_agreement(texts), flush=True)
            for line in trained_agreement():
                print("  " + line, flush=True)
    if not cpu:
        for name in [k for k in runs if k.startswith("pipeline")]:
            for mine in [k for k in runs if k.startswith("stance")]:
                print(f"  {mine} / {name}: {runs[name]['wall_s'] / runs[mine]['wall_s']:.2f}x whole process, "
                      f"{runs[name]['compute_s'] / runs[mine]['compute_s']:.2f}x inference")


if __name__ == "__main__":
    main()
