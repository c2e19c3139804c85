"""Edge deployment of the skseizure networks: ONNX float32 vs static int8, measured.

For each network - LightCNN, LightSeizureNet, CNN-BiLSTM, DCRNN, MobilESCAPE-Net and a
50 %-pruned LightCNN - the script trains the network briefly on real EEG, exports it
with :func:`skseizure.export.to_onnx`, quantises it with
:func:`skseizure.export.quantize_int8` (static, QDQ, int8 weights per channel, uint8
activations, calibrated on 300 training windows) and reports:

- trainable parameters and MACs per window (the package's FLOP counter,
  :func:`skseizure.pruning.count_flops`, MACs = FLOPs / 2; element-wise operations are
  not counted);
- bytes on disk of the float32 and int8 ``.onnx`` files;
- batch-1 latency with onnxruntime on the CPU, one thread (median of ``--runs`` calls
  after 50 warm-up calls), float32 and int8;
- the score change after int8 (accuracy and AUROC of the seizure class, int8 minus
  float32) on the held-out windows, and the agreement of the predicted classes;
- the largest difference between onnxruntime's float32 output and ``predict_proba``.

Data and split: Helsinki neonatal EEG, 1-s windows of expert A's annotation (Stevenson
et al. 2019, "A dataset of neonatal EEG recordings with seizure annotations", Sci. Data
6:190039): 781 windows, 18 bipolar channels, 64 Hz, 62 infants. One fold of
``StratifiedGroupKFold(4, shuffle=True, random_state=0)`` by infant is held out (no
infant in both parts); the networks' early-stopping split is subject-wise too. Each
infant contributes one class only, so the held-out score also measures generalisation
across infants, and with one fold it is a noisy estimate: the figure of interest is the
**change** after int8, not the score itself. Inputs: windows z-scored per window and
channel (:class:`~skseizure.preprocessing.WindowStandardizer`; not part of the ONNX
graph); DCRNN gets the log-amplitude FFT of four 0.25-s steps of the raw window
(:class:`~skseizure.preprocessing.FFTLogAmplitude`) and a per-clip correlation graph,
fed to the ONNX model as its second input (its computation is not timed);
MobilESCAPE-Net, a nerve-signal network, sees each window as a 1 x 18 x 64 image (no
real nerve-cuff recordings are available).

Usage::

    python benchmarks/bench_export.py [--max-epochs 15] [--runs 300] [--json FILE]

The numbers and the command go to ``benchmarks/results/export.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import StratifiedGroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
RESULTS = Path(__file__).resolve().parent / "results"
BONN_SUB = 512  # samples per Bonn sub-window (2.95 s at 173.61 Hz)

from skseizure.eng.estimators import MobilESCAPENetClassifier  # noqa: E402
from skseizure.estimators import (  # noqa: E402
    CNNBiLSTMClassifier,
    DCRNNClassifier,
    LightCNNClassifier,
    LightSeizureNetClassifier,
)
from skseizure.export import (  # noqa: E402
    ProbabilityNetwork,
    int8_score_change,
    measure_latency,
    onnx_input_feed,
    onnx_predict_proba,
    quantize_int8,
    resolve_network,
    to_onnx,
)
from skseizure.preprocessing import (  # noqa: E402
    CorrelationGraph,
    FFTLogAmplitude,
    WindowStandardizer,
)
from skseizure.pruning import StructuredPruner, count_flops, count_params  # noqa: E402


def _data_root():
    env = os.environ.get("SKSEIZURE_DATA")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not root.is_dir():
        sys.exit(f"real data not found at {root}; set SKSEIZURE_DATA")
    return root


def load_split(root, dataset):
    """Windows, labels, groups, sfreq, train/test indices and a description of the split."""
    cv = StratifiedGroupKFold(n_splits=4, shuffle=True, random_state=0)
    if dataset == "helsinki":
        from tests._extracts import load_helsinki_neonatal

        w = load_helsinki_neonatal(root)
        X, y, groups = w.X, np.asarray(w.y), np.asarray(w.groups)
        split = "one StratifiedGroupKFold(4, shuffle=True, random_state=0) fold held out by infant"
    else:  # Bonn A (healthy, surface, eyes open) vs E (ictal, intracranial)
        from skseizure.datasets import load_bonn

        w = load_bonn(root, sets=("A", "E"), target="seizure")
        n_sub = w.X.shape[-1] // BONN_SUB
        X = w.X[..., : n_sub * BONN_SUB].reshape(len(w.X), 1, n_sub, BONN_SUB)
        X = np.ascontiguousarray(X.transpose(0, 2, 1, 3).reshape(-1, 1, BONN_SUB))
        y = np.repeat(np.asarray(w.y), n_sub)
        groups = np.repeat(w.metadata["recording"].to_numpy(), n_sub)
        split = ("one StratifiedGroupKFold(4, shuffle=True, random_state=0) fold held out by "
                 "segment (the set has no subject ids)")
    train, test = next(cv.split(X, y, groups))
    return X.astype(np.float32), y, groups, float(w.sfreq), train, test, split


def networks(max_epochs):
    """(name, estimator, input kind) of every benchmarked network."""
    common = {"max_epochs": max_epochs, "patience": 5, "random_state": 0}
    return [
        ("LightCNN", LightCNNClassifier(**common), "z"),
        ("LightSeizureNet", LightSeizureNetClassifier(**common), "z"),
        ("CNN-BiLSTM", CNNBiLSTMClassifier(**common), "z"),
        ("DCRNN", DCRNNClassifier(graph=CorrelationGraph(top_k=3), augment=False, lr=1e-3,
                                  **{**common, "max_epochs": max(5, max_epochs // 2)}), "fft"),
        ("MobilESCAPE-Net", MobilESCAPENetClassifier(**common), "image"),
        ("LightCNN pruned 50%", StructuredPruner(LightCNNClassifier(**common), amount=0.5,
                                                 random_state=0), "z"),
    ]


def inputs(X, sfreq):
    """The three input kinds: per-window z-scores, FFT steps, one-channel images."""
    Z = WindowStandardizer().fit_transform(X).astype(np.float32)
    F = FFTLogAmplitude(sfreq=sfreq, step_s=X.shape[-1] / sfreq / 4).fit_transform(X)
    return {"z": Z, "fft": F.astype(np.float32), "image": Z[:, None]}


def macs(net, X_one):
    """Multiply-accumulates for one window (FLOPs / 2), graph supports fixed for DCRNN."""
    module = net.module_
    if isinstance(net, DCRNNClassifier):
        sup = net.graph_.supports(X_one)[0]
        module = ProbabilityNetwork(module, None, supports=sup)
    return count_flops(module, torch.from_numpy(X_one)) // 2


def bench_one(name, est, kind, data, y, groups, train, test, tmp, runs):
    X = data[kind]
    t0 = time.perf_counter()
    est.fit(X[train], y[train], groups=groups[train])
    fit_s = time.perf_counter() - t0
    net = resolve_network(est)
    slug = "".join(c if c.isalnum() else "_" for c in name)
    f32 = to_onnx(est, tmp / f"{slug}.onnx")
    feed_tr = onnx_input_feed(est, X[train])
    feed_te = onnx_input_feed(est, X[test])
    i8 = quantize_int8(f32, str(f32).replace(".onnx", ".int8.onnx"), feed_tr["windows"],
                       calibration_supports=feed_tr.get("supports"), n_calibration=300)
    ort_diff = float(np.abs(onnx_predict_proba(f32, feed_te) - est.predict_proba(X[test])).max())
    scores = int8_score_change(f32, i8, feed_te["windows"], y[test],
                               supports=feed_te.get("supports"))
    lat32 = measure_latency(f32, feed_te, n_runs=runs, n_warmup=50)
    lat8 = measure_latency(i8, feed_te, n_runs=runs, n_warmup=50)
    return {
        "network": name, "estimator": type(est).__name__, "input_shape": list(net.input_shape_),
        "params": count_params(net.module_), "macs": int(macs(net, X[test][:1])),
        "bytes_float32": os.path.getsize(f32), "bytes_int8": os.path.getsize(i8),
        "latency_ms_float32": lat32["median_ms"], "latency_ms_int8": lat8["median_ms"],
        "latency_float32": lat32, "latency_int8": lat8, "fit_s": fit_s,
        "max_abs_diff_ort_vs_predict_proba": ort_diff, **scores,
    }


def print_table(rows):
    head = ("network", "params", "MACs", "f32 KB", "int8 KB", "f32 ms", "int8 ms",
            "acc f32", "d acc", "AUROC f32", "d AUROC", "agree")
    fmt = "{:<20} {:>8} {:>10} {:>8} {:>8} {:>7} {:>7} {:>7} {:>7} {:>9} {:>8} {:>6}"
    print(fmt.format(*head))
    for r in rows:
        print(fmt.format(
            r["network"], f"{r['params']:,}", f"{r['macs']:,}", f"{r['bytes_float32'] / 1024:.1f}",
            f"{r['bytes_int8'] / 1024:.1f}", f"{r['latency_ms_float32']:.3f}",
            f"{r['latency_ms_int8']:.3f}", f"{r['accuracy_float32']:.3f}",
            f"{r['delta_accuracy']:+.3f}", f"{r['auroc_float32']:.3f}",
            f"{r['delta_auroc']:+.3f}", f"{r['agreement']:.3f}"))


def run_dataset(dataset, root, args):
    X, y, groups, sfreq, train, test, split = load_split(root, dataset)
    data = inputs(X, sfreq)
    info = {"dataset": DATASETS[dataset], "n_windows": int(len(X)),
            "n_channels": int(X.shape[1]), "n_times": int(X.shape[2]), "sfreq": sfreq,
            "split": split, "n_train": int(len(train)), "n_test": int(len(test)),
            "n_test_seizure": int(y[test].sum()),
            "test_groups": int(np.unique(groups[test]).size)}
    print(f"\n{DATASETS[dataset]}: {len(X)} windows of {X.shape[1]} ch x {X.shape[2]} samples "
          f"({sfreq:g} Hz); {split}: train {len(train)} windows, test {len(test)} windows "
          f"({int(y[test].sum())} seizure) from {info['test_groups']} groups", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, est, kind in networks(args.max_epochs):
            if kind == "fft" and X.shape[1] < 2:
                print(f"  {name}: skipped (a graph needs several channels)")
                continue
            if kind == "image" and X.shape[1] < 16:
                print(f"  {name}: skipped (its 4 max-pools need images of 16 rows or more)")
                continue
            rows.append(bench_one(name, est, kind, data, y, groups, train, test, Path(tmp),
                                  args.runs))
            print(f"  {name}: done ({rows[-1]['fit_s']:.1f} s training)", flush=True)
    print()
    print_table(rows)
    return {"data": info, "rows": rows}


DATASETS = {
    "helsinki": "Helsinki neonatal EEG, expert A 1-s windows",
    "bonn": "Bonn EEG sets A vs E, 512-sample sub-windows of the 23.6-s segments",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS),
                        default=["helsinki", "bonn"])
    parser.add_argument("--max-epochs", type=int, default=15)
    parser.add_argument("--runs", type=int, default=300, help="timed batch-1 calls per model")
    parser.add_argument("--json", type=Path, default=RESULTS / "export.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    import onnx
    import onnxruntime

    root = _data_root()
    t0 = time.perf_counter()
    results = {d: run_dataset(d, root, args) for d in args.datasets}
    total = time.perf_counter() - t0
    versions = {"python": platform.python_version(), "torch": torch.__version__,
                "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__,
                "numpy": np.__version__}
    cmd = "python benchmarks/bench_export.py " + " ".join(sys.argv[1:] if argv is None else argv)
    print(f"\n{cmd.strip()}  ({total:.0f} s)")
    print(", ".join(f"{k} {v}" for k, v in versions.items()),
          f"| cpu: {platform.processor() or platform.machine()}, 1 thread")
    result = {
        "command": cmd.strip(), "versions": versions, "total_s": total,
        "settings": {"max_epochs": args.max_epochs, "patience": 5, "latency_runs": args.runs,
                     "latency_warmup": 50, "threads": 1, "calibration_windows": 300,
                     "input": "WindowStandardizer (not in the ONNX graph); DCRNN: "
                              "FFTLogAmplitude of 4 steps + per-clip CorrelationGraph(top_k=3)",
                     "quantization": "static QDQ, int8 weights per channel, uint8 activations, "
                                     "minmax calibration"},
        "datasets": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    shown = args.json.resolve()
    shown = shown.relative_to(Path.cwd()) if shown.is_relative_to(Path.cwd()) else shown.name
    print(f"wrote {shown}")


if __name__ == "__main__":
    main()
