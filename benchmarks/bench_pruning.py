"""Benchmark of StructuredPruner: accuracy on real data at 25/50/75 % of kernels removed, CPU speed.

StructuredPruner implements the accuracy-constrained L1 structured pruning of N. Harshit (2025),
"Accuracy-Constrained CNN Pruning for Efficient and Reliable EEG-Based Seizure Detection",
arXiv:2509.05190; LightSeizureNet (our design after Qiu, Wang and Jiao, 2023, IEEE JBHI) is
pruned in all four blocks, the last one included.

Part 1 - accuracy table on real data with a baseline far above chance: the Bonn EEG segments
(Andrzejak et al., 2001), set A (scalp EEG of healthy volunteers, eyes open) against set E
(intracranial EEG during seizures). This is a strong and easy contrast (different recording
sites, amplitudes and spectra), not seizure detection proper. 200 segments of 23.6 s at
173.61 Hz are decimated by 2 (``scipy.signal.decimate``, zero-phase FIR; the data are already
band-passed 0.53-40 Hz) and cut into 4 windows of 512 samples (5.9 s): 800 windows, 1 channel.
The segments carry no subject ids, so the folds are by **segment** (``GroupKFold`` over segment
ids: the 4 windows of a segment are never on both sides), not by subject. In every fold the
windows are standardised with statistics of the training windows; one baseline network is
trained, then a :class:`~skseizure.pruning.StructuredPruner` (``prefit=True``,
``test_fraction=None``: the outer fold is the test set) prunes 25, 50 and 75 % of the kernels
of every convolution (per-layer L1) and retrains each on the same training windows. Every
window is predicted once per variant (out of fold); accuracy and macro-F1 come with a 95 %
bootstrap interval (2,000 resamples of the **segments**, seeded) and the paired difference to
the baseline with its own interval.

Part 2 - measured CPU benefit, one process, variants interleaved: a LightCNN1d
32/64/128 on 23 x 1024 windows (4 s of 23-channel CHB-MIT-like EEG at 256 Hz) unpruned and
pruned 25/50/75% (random weights: speed does not depend on training), inference
throughput at batch 256 and batch-1 latency, ``eval()`` + ``torch.inference_mode()``,
medians over rounds. Run with ``MALLOC_MMAP_THRESHOLD_=4294967296
MALLOC_TRIM_THRESHOLD_=4294967296`` for the clean compute comparison (glibc's default
malloc otherwise adds page faults).

FLOPs: ``torch.utils.flop_counter.FlopCounterMode``, 2 FLOPs per multiply-accumulate
of convolutions and matrix products, element-wise operations not counted.

Usage::

    python benchmarks/bench_pruning.py              # about 5 minutes on 1 thread
    python benchmarks/bench_pruning.py --quick      # smoke run (seconds), writes no file
        [--folds 5] [--max-epochs 25] [--threads 1] [--skip-speed] [--skip-table] [--json FILE]

The raw numbers, the command, the data, the split and the caveats go to
``benchmarks/results/pruning.json``.
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

from scipy.signal import decimate  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from skseizure.datasets import load_bonn  # noqa: E402
from skseizure.estimators.light_cnn import LightCNNClassifier  # noqa: E402
from skseizure.estimators.light_seizure_net import LightSeizureNetClassifier  # noqa: E402
from skseizure.models.light_cnn import LightCNN1d  # noqa: E402
from skseizure.preprocessing.standardization import ChannelStandardizer  # noqa: E402
from skseizure.pruning import StructuredPruner, count_flops, count_params  # noqa: E402
from skseizure.pruning._retraining import retrain  # noqa: E402
from skseizure.pruning._torch_pruning import prune_module  # noqa: E402
from skseizure._utils.random import seed_from_random_state  # noqa: E402

AMOUNTS = (0.25, 0.5, 0.75)
CONTROL = "baseline retrained"
WINDOW = 512  # samples at 86.8 Hz: 5.9 s
CAVEATS = [
    "Bonn set A (scalp surface EEG, healthy volunteers, eyes open) against set E (intracranial "
    "EEG, seizures): a strong and easy contrast of recording site, amplitude and spectrum, not "
    "seizure detection proper; accuracies near 100 % are expected and say little about harder data.",
    "No subject ids exist in the Bonn data (5 volunteers in A, 5 patients in E): folds are by "
    "23.6-s segment, so windows of one person are on both sides of a split; scores are optimistic "
    "for unseen people.",
    "Bootstrap intervals resample the 200 segments (4 windows each) of the pooled out-of-fold "
    "predictions; they ignore the variation of training between folds.",
    "LightCNN1d is run at widths 16/32/64 (the package default is 32/64/128) to keep the "
    "benchmark near 5 minutes on one thread.",
    "A pruned network is the baseline pruned and then trained again (the paper's train, prune, "
    "retrain); the 'baseline retrained' row gets the same second training without pruning, so "
    "compare the pruned rows with it as well as with the baseline.",
]


def data_dir():
    env = os.environ.get("SKSEIZURE_DATA")
    for cand in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data"]:
        if cand.is_dir():
            return cand
    raise SystemExit("real data not found: set SKSEIZURE_DATA or place shared/data beside the repo")


def bonn_windows(n_segments=None):
    """Bonn A vs E as (n, 1, 512) float32 windows, labels (E = 1) and segment ids."""
    w = load_bonn(data_dir() / "bonn", sets=("A", "E"), target="seizure")
    X, y = np.asarray(w.X, dtype=np.float64), np.asarray(w.y)
    if n_segments is not None:  # --quick: a balanced subset
        keep = np.concatenate([np.flatnonzero(y == c)[: n_segments // 2] for c in (0, 1)])
        X, y = X[keep], y[keep]
    X = decimate(X, 2, ftype="fir", zero_phase=True, axis=-1)  # 173.61 -> 86.8 Hz
    n_win = X.shape[-1] // WINDOW
    X = X[..., : n_win * WINDOW].reshape(len(X), 1, n_win, WINDOW).transpose(0, 2, 1, 3)
    X = np.ascontiguousarray(X.reshape(-1, 1, WINDOW), dtype=np.float32)
    return X, np.repeat(y, n_win), np.repeat(np.arange(len(y)), n_win), float(w.sfreq) / 2


NETWORKS = {
    "LightCNN1d 16/32/64": lambda kw: LightCNNClassifier(module__n_filters=(16, 32, 64), **kw),
    "LightSeizureNet": lambda kw: LightSeizureNetClassifier(**kw),
}


def _scores(w, y, pred):
    """Weighted accuracy and macro-F1, one per row of the weight matrix ``w``."""
    acc = w @ (pred == y) / w.sum(1)
    f1 = []
    for c in np.unique(y):
        tp, fp, fn = (w @ ((pred == c) & (y == c)), w @ ((pred == c) & (y != c)),
                      w @ ((pred != c) & (y == c)))
        f1.append(np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp),
                            where=(2 * tp + fp + fn) > 0))
    return acc, np.mean(f1, axis=0)


def bootstrap(y, preds, groups, n_boot, seed=0):
    """95 % intervals of accuracy / macro-F1 per variant and of the paired accuracy
    differences to the baseline and to the retrained baseline, resampling whole segments (numpy default_rng(seed))."""
    rng = np.random.default_rng(seed)
    segs, seg_index = np.unique(groups, return_inverse=True)
    counts = np.stack([np.bincount(rng.integers(0, segs.size, segs.size), minlength=segs.size)
                       for _ in range(n_boot)])
    w = counts[:, seg_index].astype(float)  # (n_boot, n_windows): copies of each window
    draws = {k: dict(zip(("accuracy", "f1_macro"), _scores(w, y, p))) for k, p in preds.items()}
    for k in preds:
        draws[k]["d_accuracy"] = draws[k]["accuracy"] - draws["baseline"]["accuracy"]
        if CONTROL in preds:
            draws[k]["d_control"] = draws[k]["accuracy"] - draws[CONTROL]["accuracy"]
    return {k: {m: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))]
                for m, v in d.items()} for k, d in draws.items()}


def accuracy_table(args):
    X, y, seg, sfreq = bonn_windows(40 if args.quick else None)
    cv = GroupKFold(n_splits=args.folds)
    print(f"\n## Part 1: Bonn A (healthy, scalp) vs E (ictal, intracranial), {len(y)} windows "
          f"{X.shape[1:]} at {sfreq:.1f} Hz from {np.unique(seg).size} segments, "
          f"GroupKFold({args.folds}) by segment (no subject ids), majority class "
          f"{100 * np.bincount(y).max() / len(y):.0f} %")
    print(f"training: estimator defaults (Adam lr 0.0025, batch 128, early stopping on "
          f"validation macro-F1 with patience {args.patience}, ReduceLROnPlateau), "
          f"max_epochs={args.max_epochs}; pruned networks retrained with the same settings\n")
    out = []
    for name, make in NETWORKS.items():
        keys = ["baseline", CONTROL] + [f"{int(a * 100)}%" for a in AMOUNTS]
        preds = {k: np.empty_like(y) for k in keys}
        size, times = {}, []
        for fold, (tr, te) in enumerate(cv.split(X, y, seg)):
            t0 = time.perf_counter()
            std = ChannelStandardizer().fit(X[tr])
            Xtr, Xte = std.transform(X[tr]), std.transform(X[te])
            kw = {"max_epochs": args.max_epochs, "patience": args.patience, "random_state": fold}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                base = clone(make(kw)).fit(Xtr, y[tr], groups=seg[tr])
                preds["baseline"][te] = base.predict(Xte)
                one = torch.as_tensor(Xte[:1])
                size["baseline"] = (count_params(base.module_), count_flops(base.module_, one), 1.0)
                # control: the unpruned network trained again exactly as a pruned one is
                # retrained (fresh optimizer, warm weights), so the extra epochs are not
                # mistaken for an effect of pruning
                control = retrain(copy.deepcopy(base), Xtr, y[tr], seg[tr], {},
                                  seed_from_random_state(fold))
                preds[CONTROL][te] = control.predict(Xte)
                size[CONTROL] = size["baseline"]
                for a in AMOUNTS:
                    p = StructuredPruner(base, amount=a, prefit=True, test_fraction=None,
                                         random_state=fold).fit(Xtr, y[tr], groups=seg[tr])
                    key = f"{int(a * 100)}%"
                    preds[key][te] = p.predict(Xte)
                    size[key] = (p.n_params_after_, p.flops_after_,
                                 p.kernel_retention_["overall"])
                    assert not p.protected_layers_, p.protected_layers_
            times.append(time.perf_counter() - t0)
        ci = bootstrap(y, preds, seg, args.n_boot)
        print(f"### {name} ({np.mean(times):.0f} s per fold: baseline, control, 3 pruned)")
        print("| variant | kernels kept | params | kFLOPs / window | accuracy % [95 % CI] | "
              "macro-F1 [95 % CI] | - baseline, pts [95 % CI] | - baseline retrained, pts |")
        print("|---|---|---|---|---|---|---|---|")
        rows = []
        for k, p in preds.items():
            acc, f1 = accuracy_score(y, p), f1_score(y, p, average="macro")
            n_par, fl, kept = size[k]
            c = ci[k]
            d = acc - accuracy_score(y, preds["baseline"])
            dc = acc - accuracy_score(y, preds[CONTROL])
            print(f"| {k if k in ('baseline', CONTROL) else 'pruned ' + k} | {100 * kept:.1f} % | {n_par:,} | "
                  f"{fl / 1e3:,.1f} | {100 * acc:.2f} [{100 * c['accuracy'][0]:.2f}, "
                  f"{100 * c['accuracy'][1]:.2f}] | {f1:.4f} [{c['f1_macro'][0]:.4f}, "
                  f"{c['f1_macro'][1]:.4f}] | {100 * d:+.2f} [{100 * c['d_accuracy'][0]:+.2f}, "
                  f"{100 * c['d_accuracy'][1]:+.2f}] | {100 * dc:+.2f} [{100 * c['d_control'][0]:+.2f}, "
                  f"{100 * c['d_control'][1]:+.2f}] |")
            rows.append({"variant": k, "kernels_kept": float(kept), "params": int(n_par),
                         "flops_per_window": float(fl), "accuracy": float(acc),
                         "accuracy_ci95": c["accuracy"], "f1_macro": float(f1),
                         "f1_macro_ci95": c["f1_macro"], "accuracy_minus_baseline": float(d),
                         "accuracy_minus_baseline_ci95": c["d_accuracy"],
                         "accuracy_minus_baseline_retrained": float(dc),
                         "accuracy_minus_baseline_retrained_ci95": c["d_control"],
                         "n_errors": int(np.sum(p != y))})
        out.append({"network": name, "seconds_per_fold": [round(t, 1) for t in times],
                    "rows": rows})
    return {"data": {"dataset": "Bonn EEG (Andrzejak et al., 2001), sets A and E",
                     "n_segments": int(np.unique(seg).size), "n_windows": int(len(y)),
                     "window": f"{WINDOW} samples at {sfreq:.2f} Hz (decimated by 2)",
                     "labels": "E (ictal) = 1, A (healthy) = 0"},
            "split": f"GroupKFold({args.folds}) over segment ids (no subject ids exist); "
                     "out-of-fold predictions pooled",
            "bootstrap": f"{args.n_boot} resamples of segments, numpy default_rng(0), "
                         "percentile 95 % intervals",
            "training": {"max_epochs": args.max_epochs, "patience": args.patience,
                         "amounts": list(AMOUNTS), "importance": "l1", "retrain": True},
            "caveats": CAVEATS, "networks": out}


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
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 40 segments, 2 folds, 2 epochs, 50 bootstrap resamples; "
                         "writes no file unless --json is given")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--max-epochs", type=int, default=25)
    ap.add_argument("--patience", type=int, default=5)
    ap.add_argument("--n-boot", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (training and speed)")
    ap.add_argument("--n-windows", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--latency-calls", type=int, default=50)
    ap.add_argument("--skip-table", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--json", type=Path, default=None,
                    help="result file (default benchmarks/results/pruning.json; none with --quick)")
    args = ap.parse_args()
    if args.quick:
        args.folds, args.max_epochs, args.n_boot = 2, 2, 50
        args.n_windows, args.rounds, args.latency_calls = 64, 1, 5
    if args.json is None and not args.quick:
        args.json = Path(__file__).resolve().parent / "results" / "pruning.json"
    torch.set_num_threads(args.threads)
    import sklearn
    import skorch
    import torch_pruning

    print("# bench_pruning")
    print(f"python {platform.python_version()}, torch {torch.__version__}, skorch "
          f"{skorch.__version__}, scikit-learn {sklearn.__version__}, torch-pruning "
          f"{getattr(torch_pruning, '__version__', '?')}, numpy {np.__version__}")
    print(f"cpu: {platform.processor() or platform.machine()}, os.cpu_count={os.cpu_count()}, "
          f"torch threads={args.threads}, load average at start={os.getloadavg()}")
    malloc = {k: os.environ.get(k) for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    print(f"malloc: {'tuned' if all(malloc.values()) else 'default glibc'} {malloc}")
    t = time.perf_counter()
    result = {"command": "python benchmarks/bench_pruning.py " + " ".join(sys.argv[1:]),
              "date": time.strftime("%Y-%m-%d"), "malloc": malloc,
              "load_average_at_start": list(os.getloadavg()),
              "versions": {"python": platform.python_version(), "torch": torch.__version__,
                           "skorch": skorch.__version__, "sklearn": sklearn.__version__,
                           "torch_pruning": getattr(torch_pruning, "__version__", "?"),
                           "numpy": np.__version__},
              "threads": args.threads}
    if not args.skip_table:
        result["accuracy_bonn_a_vs_e"] = accuracy_table(args)
        result["structure_only"] = structure_only()
    if not args.skip_speed:
        result["speed"] = speed(args)
    result["wall_s"] = round(time.perf_counter() - t, 1)
    print(f"\ntotal wall time {result['wall_s']:.0f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
