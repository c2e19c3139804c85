"""CPU speed of the skseizure networks vs braindecode's EEGNet / ShallowFBCSPNet.

Same process, same seeded synthetic windows (23 channels x 1024 samples = 4 s at
256 Hz, 2 classes), variants interleaved round by round; medians over rounds.

- train win/s: one epoch, batch 128, Adam lr 1e-3, one identical plain-torch loop
  for every network (so the networks, not the wrappers, are compared);
- infer win/s: ``eval()`` + ``torch.inference_mode()``, batch 256;
- b1 latency: median of single-window forward calls;
- skorch overhead: ``LightCNNClassifier.fit`` (1 epoch, no validation, no
  callbacks beyond skorch's defaults) and ``predict_proba`` vs the plain loop.

Run (braindecode lives in a separate venv; see benchmarks/README.md)::

    ../bench-venv/bin/python benchmarks/bench_networks.py --threads 1

Prints a markdown table and the versions and writes the raw numbers and the command to
``benchmarks/results/bench_networks.json`` (``--json`` chooses another file).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skseizure.models.cnn_bilstm import CNNBiLSTM  # noqa: E402
from skseizure.models.light_cnn import LightCNN1d  # noqa: E402
from skseizure.models.light_seizure_net import LightSeizureNet  # noqa: E402

N_CHANS, N_TIMES, N_OUT = 23, 1024, 2


def build_models():
    models = {
        "LightCNN1d (ours, 32/64/128)": lambda: LightCNN1d(N_CHANS, N_OUT, N_TIMES),
        "LightSeizureNet (ours)": lambda: LightSeizureNet(N_CHANS, N_OUT, N_TIMES),
        "CNNBiLSTM (ours)": lambda: CNNBiLSTM(N_CHANS, N_OUT, N_TIMES),
    }
    note = None
    try:
        from braindecode.models import EEGNet, ShallowFBCSPNet

        models["braindecode EEGNet"] = lambda: EEGNet(n_chans=N_CHANS, n_outputs=N_OUT, n_times=N_TIMES)
        models["braindecode ShallowFBCSPNet"] = lambda: ShallowFBCSPNet(
            n_chans=N_CHANS, n_outputs=N_OUT, n_times=N_TIMES)
    except Exception as exc:  # noqa: BLE001 - reported in the output
        note = f"braindecode unavailable ({type(exc).__name__}: {exc}); its rows are missing"
    return models, note


def macs_of(model):
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        model(torch.zeros(1, N_CHANS, N_TIMES))
    return fc.get_total_flops() / 2


def train_epoch(model, X, y, batch_size=128, seed=0):
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(X), generator=gen)
    t0 = time.perf_counter()
    for start in range(0, len(X), batch_size):
        idx = perm[start:start + batch_size]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
    return len(X) / (time.perf_counter() - t0)


def infer(model, X, batch_size=256):
    model.eval()
    t0 = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, len(X), batch_size):
            model(X[start:start + batch_size])
    return len(X) / (time.perf_counter() - t0)


def latency_ms(model, X, n_calls=50):
    model.eval()
    times = []
    with torch.inference_mode():
        for i in range(n_calls + 5):
            x = X[i % len(X)][None]
            t0 = time.perf_counter()
            model(x)
            if i >= 5:
                times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def skorch_vs_plain(X_np, y_np, rounds):
    """LightCNNClassifier.fit / predict_proba vs the plain loop, interleaved."""
    from skseizure.estimators.light_cnn import LightCNNClassifier

    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)
    fit_plain, fit_sk, inf_plain, inf_sk = [], [], [], []

    def plain(r):
        torch.manual_seed(r)
        net = LightCNN1d(N_CHANS, N_OUT, N_TIMES)
        return train_epoch(net, X, y, seed=r), infer(net, X)

    def wrapped(r):
        clf = LightCNNClassifier(max_epochs=1, lr=1e-3, valid_size=None, patience=None,
                                 lr_patience=None, random_state=r)
        t0 = time.perf_counter()
        clf.fit(X_np, y_np)
        fit = len(X_np) / (time.perf_counter() - t0)
        clf.set_params(batch_size=256)
        t0 = time.perf_counter()
        clf.predict_proba(X_np)
        return fit, len(X_np) / (time.perf_counter() - t0)

    plain(10_000), wrapped(10_000)  # warm-up, not timed
    for r in range(rounds):
        # alternate the order so that neither variant always runs first in a round
        order = (plain, wrapped) if r % 2 == 0 else (wrapped, plain)
        for fn in order:
            fit, inf = fn(r)
            (fit_plain if fn is plain else fit_sk).append(fit)
            (inf_plain if fn is plain else inf_sk).append(inf)
    med = lambda v: float(np.median(v))  # noqa: E731
    return {"fit_plain": med(fit_plain), "fit_skorch": med(fit_sk),
            "infer_plain": med(inf_plain), "infer_skorch": med(inf_sk)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-windows", type=int, default=2048)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", type=Path,
                    default=Path(__file__).resolve().parent / "results" / "bench_networks.json")
    ap.add_argument("--overhead-only", action="store_true",
                    help="only the skorch-vs-plain comparison (alternating order, warm-up)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    X_np = rng.standard_normal((args.n_windows, N_CHANS, N_TIMES)).astype(np.float32)
    y_np = rng.integers(0, N_OUT, args.n_windows).astype(np.int64)
    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)
    builders, note = build_models()
    if args.overhead_only:
        builders = {}
    results = {name: {"train": [], "infer": [], "lat": []} for name in builders}
    static = {}
    for name, make in builders.items():
        torch.manual_seed(0)
        m = make()
        static[name] = {"params": sum(p.numel() for p in m.parameters()), "macs": macs_of(m)}
    t_start = time.perf_counter()
    for r in range(args.rounds):
        for name, make in builders.items():  # interleaved: every round visits every model
            torch.manual_seed(r)
            m = make()
            results[name]["train"].append(train_epoch(m, X, y, seed=r))
            results[name]["infer"].append(infer(m, X))
            results[name]["lat"].append(latency_ms(m, X))
    overhead = skorch_vs_plain(X_np, y_np, args.rounds)
    wall = time.perf_counter() - t_start

    ref = "braindecode EEGNet"
    print(f"## Speed, CPU, {args.threads} torch thread(s), {args.n_windows} windows of "
          f"{N_CHANS}x{N_TIMES}, median of {args.rounds} interleaved rounds\n")
    print("| network | params | MMACs/win | train win/s | infer win/s (b256) | b1 latency ms |"
          " train vs EEGNet | infer vs EEGNet |")
    print("|---|---|---|---|---|---|---|---|")
    summary = {}
    for name in builders:
        tr = float(np.median(results[name]["train"]))
        inf = float(np.median(results[name]["infer"]))
        lat = float(np.median(results[name]["lat"]))
        summary[name] = {**static[name], "train_win_s": tr, "infer_win_s": inf, "latency_ms": lat}
    for name, s in summary.items():
        rel_t = rel_i = "–"
        if ref in summary:
            rel_t = f"{s['train_win_s'] / summary[ref]['train_win_s']:.2f}x"
            rel_i = f"{s['infer_win_s'] / summary[ref]['infer_win_s']:.2f}x"
        print(f"| {name} | {s['params']:,} | {s['macs'] / 1e6:.2f} | {s['train_win_s']:.0f} | "
              f"{s['infer_win_s']:.0f} | {s['latency_ms']:.2f} | {rel_t} | {rel_i} |")
    print("\n## skorch wrapper overhead (LightCNNClassifier vs plain torch loop, LightCNN1d)\n")
    print("| | plain win/s | LightCNNClassifier win/s | overhead |")
    print("|---|---|---|---|")
    for key, label in (("fit", "train 1 epoch"), ("infer", "predict_proba")):
        p, s = overhead[f"{key}_plain"], overhead[f"{key}_skorch"]
        print(f"| {label} | {p:.0f} | {s:.0f} | {100 * (p / s - 1):+.1f}% |")
    if note:
        print(f"\nNote: {note}")
    versions = {"python": platform.python_version(), "torch": torch.__version__,
                "numpy": np.__version__, "cpu_count": os.cpu_count(),
                "load_avg_at_end": os.getloadavg(), "wall_s": round(wall, 1),
                "malloc_env": {k: os.environ.get(k) for k in ("MALLOC_MMAP_THRESHOLD_",
                                                              "MALLOC_TRIM_THRESHOLD_")}}
    for mod in ("skorch", "sklearn", "braindecode"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            versions[mod] = None
    print("\nversions:", json.dumps(versions))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"command": "python benchmarks/bench_networks.py "
                                         + " ".join(sys.argv[1:]),
                                         "date": time.strftime("%Y-%m-%d"), "summary": summary, "raw": results, "overhead": overhead,
                                         "versions": versions}, indent=1))


if __name__ == "__main__":
    main()
