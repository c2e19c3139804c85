"""Benchmark of StructuredPruner: accuracy table on real data + CPU speed-ups.

StructuredPruner implements the accuracy-constrained L1 structured pruning of N. Harshit (2025),
"Accuracy-Constrained CNN Pruning for Efficient and Reliable EEG-Based Seizure Detection",
arXiv:2509.05190.

Part 1 - the paper's Table 1 (baseline vs 50 % pruned), subject-wise, on real data: Helsinki neonatal 1-s windows
(18 bipolar channels, 64 Hz, 62 infants; ``../shared/data`` or ``$SKSEIZURE_DATA``),
outer ``GroupKFold`` by infant. For every network, in every fold, a
:class:`~skseizure.pruning.StructuredPruner` trains the baseline, prunes 50% of the
kernels of every prunable convolution (per-layer L1), retrains under the same
settings, and both networks are scored on the held-out infants: accuracy, macro-F1,
% kernels kept, trainable parameters, FLOPs per window.

Part 2 - measured CPU benefit, one process, variants interleaved: a LightCNN1d
32/64/128 on 23 x 1024 windows (4 s of 23-channel CHB-MIT-like EEG at 256 Hz) unpruned and
pruned 25/50/75% (random weights: speed does not depend on training), inference
throughput at batch 256 and batch-1 latency, ``eval()`` + ``torch.inference_mode()``,
medians over rounds. The malloc environment is printed: glibc's default malloc
mmaps/unmaps large activation buffers and page faults then dominate; run with
``MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296`` for the clean
compute comparison.

FLOPs: ``torch.utils.flop_counter.FlopCounterMode``, 2 FLOPs per multiply-accumulate
of convolutions and matrix products, element-wise operations not counted.

Usage::

    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 \\
        python benchmarks/bench_pruning.py [--folds 5] [--max-epochs 30] [--threads 2]
            [--train-threads 1] [--skip-speed] [--skip-table] [--json FILE]

The raw numbers and the command go to ``benchmarks/results/pruning.json`` (``--json``).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from tests._extracts import load_helsinki_neonatal  # noqa: E402
from skseizure.estimators.cnn_bilstm import CNNBiLSTMClassifier  # noqa: E402
from skseizure.estimators.light_cnn import LightCNNClassifier  # noqa: E402
from skseizure.estimators.light_seizure_net import LightSeizureNetClassifier  # noqa: E402
from skseizure.models.light_cnn import LightCNN1d  # noqa: E402
from skseizure.preprocessing.standardization import ChannelStandardizer  # noqa: E402
from skseizure.pruning._torch_pruning import prune_module  # noqa: E402
from skseizure.pruning.flops import count_flops, count_params  # noqa: E402
from skseizure.pruning.structured import StructuredPruner  # noqa: E402


def data_dir():
    env = os.environ.get("SKSEIZURE_DATA")
    for cand in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data"]:
        if cand.is_dir():
            return cand
    raise SystemExit("real data not found: set SKSEIZURE_DATA or place shared/data beside the repo")


NETWORKS = {
    "LightCNN1d (32/64/128)": lambda kw: LightCNNClassifier(**kw),
    "LightSeizureNet": lambda kw: LightSeizureNetClassifier(**kw),
    "CNNBiLSTM": lambda kw: CNNBiLSTMClassifier(**kw),
}


def table1(args):
    w = load_helsinki_neonatal(data_dir() / "helsinki-neonatal", expert="A")
    X, y, g = np.asarray(w.X, dtype=np.float32), np.asarray(w.y), np.asarray(w.groups)
    print(f"\n## Part 1: Table 1 of the pruning paper on Helsinki neonatal (expert A), {len(y)} windows "
          f"{X.shape[1:]}, {np.unique(g).size} infants, GroupKFold({args.folds}) by infant")
    print(f"training: estimator defaults (Adam lr 0.0025, batch 128, early stopping on "
          f"validation macro-F1, patience 10, ReduceLROnPlateau), max_epochs={args.max_epochs}; "
          "pruner holds out 20% of the training infants for its baseline/pruned scores; "
          "amount=0.5, importance='l1', retrain=True\n")
    rows = []
    for name, make in NETWORKS.items():
        res = {k: [] for k in ("acc0", "f10", "acc1", "f11", "kern", "t")}
        info = {}
        for fold, (tr, te) in enumerate(GroupKFold(n_splits=args.folds).split(X, y, g)):
            std = ChannelStandardizer().fit(X[tr])
            Xtr, Xte = std.transform(X[tr]), std.transform(X[te])
            est = make({"max_epochs": args.max_epochs, "random_state": fold})
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p = StructuredPruner(est, amount=0.5, random_state=fold).fit(Xtr, y[tr], groups=g[tr])
            res["t"].append(time.perf_counter() - t0)
            yb = p.baseline_estimator_.predict(Xte)
            yp = p.predict(Xte)
            res["acc0"].append(accuracy_score(y[te], yb))
            res["f10"].append(f1_score(y[te], yb, average="macro"))
            res["acc1"].append(accuracy_score(y[te], yp))
            res["f11"].append(f1_score(y[te], yp, average="macro"))
            res["kern"].append(p.kernel_retention_["overall"])
            info = dict(p0=p.n_params_before_, p1=p.n_params_after_, fl0=p.flops_before_,
                        fl1=p.flops_after_, prot=p.protected_layers_)
        rows.append((name, res, info))

    def ms(v, scale=1.0, fmt="{:.2f}"):
        v = np.asarray(v) * scale
        return (fmt + " ± " + fmt).format(v.mean(), v.std())

    print("| model | accuracy (%) | macro-F1 | kernels | params | FLOPs/window | fit+prune+retrain s/fold |")
    print("|---|---|---|---|---|---|---|")
    for name, r, i in rows:
        print(f"| {name} baseline | {ms(r['acc0'], 100)} | {ms(r['f10'], 1, '{:.3f}')} | 100% | "
              f"{i['p0']:,} | {i['fl0'] / 1e6:.3f} M | |")
        print(f"| {name} pruned 50% | {ms(r['acc1'], 100)} | {ms(r['f11'], 1, '{:.3f}')} | "
              f"{100 * np.mean(r['kern']):.1f}% | {i['p1']:,} | {i['fl1'] / 1e6:.3f} M | "
              f"{np.mean(r['t']):.1f} |")
    for name, r, i in rows:
        if i["prot"]:
            print(f"- {name}: protected (not pruned): {i['prot']}")
        d_acc = 100 * (np.asarray(r["acc1"]) - np.asarray(r["acc0"]))
        d_f1 = np.asarray(r["f11"]) - np.asarray(r["f10"])
        print(f"- {name}: pruned - baseline per fold: accuracy {np.round(d_acc, 2).tolist()} pts, "
              f"macro-F1 {np.round(d_f1, 3).tolist()}")
    return [{"network": name, "cv": f"GroupKFold({args.folds}) by infant",
             "baseline_accuracy_per_fold": [float(v) for v in r["acc0"]],
             "baseline_f1_macro_per_fold": [float(v) for v in r["f10"]],
             "pruned_accuracy_per_fold": [float(v) for v in r["acc1"]],
             "pruned_f1_macro_per_fold": [float(v) for v in r["f11"]],
             "kernels_kept_per_fold": [float(v) for v in r["kern"]],
             "params_before": int(i["p0"]), "params_after": int(i["p1"]),
             "flops_before": float(i["fl0"]), "flops_after": float(i["fl1"])}
            for name, r, i in rows]


def structure_only():
    """MobilESCAPE-Net has no estimator/ENG data here: report its pruned structure only."""
    from skseizure.eng.mobilescape_net import MobilESCAPENet

    torch.manual_seed(0)
    net = MobilESCAPENet().eval()
    x = torch.randn(2, 1, 56, 100, generator=torch.Generator().manual_seed(0))
    p0, f0 = count_params(net), count_flops(net, x[:1])
    report = prune_module(net, x, 0.5, ignored_layers=[net.final_layer])
    print(f"- MobilESCAPENet (structure only, untrained, 1x56x100): params {p0:,} -> "
          f"{count_params(net):,}, FLOPs/signature {f0 / 1e6:.2f} M -> "
          f"{count_flops(net, x[:1]) / 1e6:.2f} M, kernels kept "
          f"{100 * report.kernel_retention['overall']:.1f}%, protected {report.protected}")
    return {"network": "MobilESCAPENet (untrained, 1x56x100)", "amount": 0.5,
            "params_before": int(p0), "params_after": int(count_params(net)),
            "flops_before": float(f0), "flops_after": float(count_flops(net, x[:1]))}


def _time_batched(net, X, batch):
    with torch.inference_mode():
        t0 = time.perf_counter()
        for i in range(0, X.shape[0], batch):
            net(X[i:i + batch])
        return X.shape[0] / (time.perf_counter() - t0)


def _time_latency(net, x1, n_calls):
    times = []
    with torch.inference_mode():
        for _ in range(n_calls):
            t0 = time.perf_counter()
            net(x1)
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def speed(args):
    n_chans, n_times = 23, 1024
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(args.n_windows, n_chans, n_times, generator=gen)
    torch.manual_seed(0)
    base = LightCNN1d(n_chans, 2, n_times, n_filters=(32, 64, 128)).eval()
    variants = {"unpruned": base}
    for amount in (0.25, 0.5, 0.75):
        net = copy.deepcopy(base)
        prune_module(net, X[:2], amount, ignored_layers=[net.final_layer])
        variants[f"pruned {int(amount * 100)}%"] = net.eval()
    one = X[:1]
    print(f"\n## Part 2: CPU inference, LightCNN1d 32/64/128 on {n_chans}x{n_times} windows, "
          f"torch threads={torch.get_num_threads()}, {args.n_windows} windows per round, "
          f"{args.rounds} rounds interleaved (+1 warm-up), batch-1 latency median of "
          f"{args.latency_calls} calls per round")
    thr = {k: [] for k in variants}
    lat = {k: [] for k in variants}
    for r in range(args.rounds + 1):
        for k, net in variants.items():
            b = _time_batched(net, X, 256)
            lt = _time_latency(net, one, args.latency_calls)
            if r:  # round 0 is the warm-up
                thr[k].append(b)
                lat[k].append(lt)
    print("| variant | widths | params | MFLOPs/window | FLOP ratio | infer win/s (b256) | speed-up | "
          "b1 latency ms | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    f0 = count_flops(base, one)
    t0, l0 = statistics.median(thr["unpruned"]), statistics.median(lat["unpruned"])
    for k, net in variants.items():
        widths = "/".join(str(blk[0].out_channels) for blk in net.features)
        fl = count_flops(net, one)
        tk, lk = statistics.median(thr[k]), statistics.median(lat[k])
        # per-round ratios (same round, interleaved) are more robust on a noisy host
        rb = statistics.median(a / b for a, b in zip(thr[k], thr["unpruned"]))
        rl = statistics.median(b / a for a, b in zip(lat[k], lat["unpruned"]))
        print(f"| {k} | {widths} | {count_params(net):,} | {fl / 1e6:.1f} | {f0 / fl:.2f}x | "
              f"{tk:,.0f} | {tk / t0:.2f}x ({rb:.2f}x) | {lk:.3f} | {l0 / lk:.2f}x ({rl:.2f}x) |")
    print("(speed-up: ratio of medians; in brackets the median of the per-round ratios)")
    for k in variants:
        print(f"- {k}: per-round win/s {[round(v) for v in thr[k]]}, "
              f"b1 ms {[round(v, 3) for v in lat[k]]}")
    return [{"variant": k, "widths": [blk[0].out_channels for blk in net.features],
             "params": int(count_params(net)), "flops": float(count_flops(net, one)),
             "flop_ratio": float(f0 / count_flops(net, one)),
             "infer_win_per_s_b256": [float(v) for v in thr[k]],
             "b1_latency_ms": [float(v) for v in lat[k]],
             "speedup_b256_median_of_rounds": float(statistics.median(
                 a / b for a, b in zip(thr[k], thr["unpruned"]))),
             "speedup_b1_median_of_rounds": float(statistics.median(
                 b / a for a, b in zip(lat[k], lat["unpruned"])))}
            for k, net in variants.items()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--max-epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2, help="torch threads for the speed part")
    ap.add_argument("--train-threads", type=int, default=1,
                    help="torch threads for training (tiny networks: 1 is faster)")
    ap.add_argument("--n-windows", type=int, default=2048)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--latency-calls", type=int, default=100)
    ap.add_argument("--skip-table", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results" / "pruning.json",
                    help="result file (default benchmarks/results/pruning.json)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import sklearn
    import skorch
    import torch_pruning

    print("# bench_pruning")
    print(f"python {platform.python_version()}, torch {torch.__version__}, skorch "
          f"{skorch.__version__}, scikit-learn {sklearn.__version__}, torch-pruning "
          f"{getattr(torch_pruning, '__version__', '?')} (pip 1.6.1), numpy {np.__version__}")
    print(f"cpu: {platform.processor() or platform.machine()}, os.cpu_count={os.cpu_count()}, "
          f"torch threads={args.threads} (speed) / {args.train_threads} (training), load average at start={os.getloadavg()}")
    malloc = {k: os.environ.get(k) for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    tuned = all(malloc.values())
    print(f"malloc: {'tuned' if tuned else 'default glibc'} {malloc}")
    t = time.perf_counter()
    result = {"command": "python benchmarks/bench_pruning.py " + " ".join(sys.argv[1:]),
              "date": time.strftime("%Y-%m-%d"), "malloc": malloc,
              "load_average_at_start": list(os.getloadavg()),
              "versions": {"python": platform.python_version(), "torch": torch.__version__,
                           "skorch": skorch.__version__, "sklearn": sklearn.__version__,
                           "numpy": np.__version__},
              "threads": {"speed": args.threads, "training": args.train_threads}}
    if not args.skip_speed:
        result["speed"] = speed(args)
    if not args.skip_table:
        torch.set_num_threads(args.train_threads)
        result["table1"] = table1(args)
        result["structure_only"] = structure_only()
    result["wall_s"] = round(time.perf_counter() - t, 1)
    print(f"\ntotal wall time {result['wall_s']:.0f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
