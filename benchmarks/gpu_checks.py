"""GPU checks: every network fits and predicts on CUDA like on the CPU, and how much faster.

On a machine with a CUDA device, for every skseizure network (LightCNN, LightSeizureNet,
CNN-BiLSTM, channel-pooled CNN, DCRNN on FFT steps with a per-batch correlation graph,
ESCAPE-Net and MobilESCAPE-Net on one-channel images), on SYNTHETIC seeded data
(18 channels, 4-s windows at 64 Hz; class 1 carries a 3 Hz rhythm):

1. **same weights, two devices**: a network fitted on the CPU is saved and loaded with
   ``device="cuda"``; its probabilities must match the CPU ones (``atol=1e-4``);
2. **same seeds, two devices**: fits with ``random_state=0`` on CPU and on CUDA must agree
   on at least 90 % of the test labels (kernels differ, so weights are not bit-identical);
3. **mixed precision**: predicting under ``torch.autocast("cuda", dtype=torch.bfloat16)``
   must agree with float32 on at least 95 % of the labels;
4. **occlusion maps** computed with the network on the GPU must match the CPU maps
   (``atol=1e-3`` after min-max scaling);
5. **throughput**: training-epoch time and prediction windows per second, CPU (all
   cores) vs GPU.

Writes ``benchmarks/results/gpu_checks.json`` and exits 1 if a check fails. Without a
CUDA device it prints "no CUDA device" and exits 0. Budget: under 5 minutes on one GPU.

Run::

    python benchmarks/gpu_checks.py
    python benchmarks/gpu_checks.py --gpu-device cpu   # rehearse every step on the CPU
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SFREQ, N_CHANNELS, N_TIMES = 64.0, 18, 256
BUDGET_S = 270.0


def make_data(n, seed):
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.int64)
    t = np.arange(N_TIMES) / SFREQ
    X = rng.standard_normal((n, N_CHANNELS, N_TIMES)).astype(np.float32)
    X[y == 1] += 1.5 * np.sin(2 * np.pi * 3.0 * t).astype(np.float32)
    groups = np.array([f"s{i % 8}" for i in range(n)])
    return X, y, groups


def _fft_steps(X):
    from skseizure.preprocessing import FFTLogAmplitude

    return FFTLogAmplitude(sfreq=SFREQ, step_s=1.0).fit_transform(X)


def networks():
    """(name, estimator class, parameters, input builder) for every network."""
    from skseizure.eng.estimators import ESCAPENetClassifier, MobilESCAPENetClassifier
    from skseizure.estimators import (
        ChannelPooledClassifier,
        CNNBiLSTMClassifier,
        DCRNNClassifier,
        LightCNNClassifier,
        LightSeizureNetClassifier,
    )
    from skseizure.preprocessing import CorrelationGraph

    def image(X):
        return X[:, None]

    def raw(X):
        return X

    return [
        ("light_cnn", LightCNNClassifier, {}, raw),
        ("light_seizure_net", LightSeizureNetClassifier, {}, raw),
        ("cnn_bilstm", CNNBiLSTMClassifier, {}, raw),
        ("channel_pooled", ChannelPooledClassifier, {}, raw),
        ("dcrnn", DCRNNClassifier, {"graph": CorrelationGraph(), "augment": False,
                                    "module__num_units": 32, "module__num_layers": 2},
         _fft_steps),
        # Signature networks at a reduced width: at their default size the CPU side of
        # the comparison alone would exceed the time budget on 18 x 256 images.
        ("escape_net", ESCAPENetClassifier, {"module__n_filters": 8, "module__n_hidden": 16},
         image),
        ("mobilescape_net", MobilESCAPENetClassifier,
         {"module__n_filters": (8, 8, 8, 16), "module__n_hidden": 16}, image),
    ]


def _sync(device):
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def _timed(fn, device):
    _sync(device)
    t0 = time.perf_counter()
    out = fn()
    _sync(device)
    return out, time.perf_counter() - t0


def check_network(name, cls, params, build, data, gpu, tmp):
    import torch

    from skseizure.interpret.occlusion import occlusion_map

    (Xtr, ytr, gtr), (Xte, _, _) = data
    Xtr, Xte = build(Xtr), build(Xte)
    common = dict(params, max_epochs=3, batch_size=128, random_state=0, patience=None,
                  lr_patience=None)
    row = {"network": name}
    cpu, row["fit_cpu_s"] = _timed(lambda: cls(device="cpu", **common).fit(Xtr, ytr, groups=gtr),
                                   "cpu")
    on_gpu, row["fit_gpu_s"] = _timed(lambda: cls(device=gpu, **common).fit(Xtr, ytr, groups=gtr),
                                      gpu)
    p_cpu = cpu.predict_proba(Xte)
    row["seeded_label_agreement"] = float(np.mean(on_gpu.predict(Xte) == cpu.predict(Xte)))
    path = cpu.save(Path(tmp) / f"{name}.skseizure.pt")
    moved = type(cpu).load(path, device=gpu)
    p_moved = moved.predict_proba(Xte)
    row["same_weights_max_abs_diff"] = float(np.max(np.abs(p_moved - p_cpu)))
    if str(gpu).startswith("cuda"):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            p_amp = moved.predict_proba(Xte)
        row["bf16_label_agreement"] = float(np.mean(p_amp.argmax(1) == p_moved.argmax(1)))
    if Xte.ndim == 3:
        m_cpu = occlusion_map(cpu, Xte[:4], sfreq=SFREQ)
        m_gpu = occlusion_map(moved, Xte[:4], sfreq=SFREQ)
        row["occlusion_max_abs_diff"] = float(np.max(np.abs(m_cpu - m_gpu)))
    for label, est, dev in (("cpu", cpu, "cpu"), ("gpu", moved, gpu)):
        est.set_params(batch_size=1024)
        est.predict_proba(Xte[:256])  # warm-up
        _, dt = _timed(lambda e=est: e.predict_proba(Xte), dev)
        row[f"predict_{label}_windows_per_s"] = round(len(Xte) / dt, 1)
    row["predict_speedup"] = round(row["predict_gpu_windows_per_s"]
                                   / row["predict_cpu_windows_per_s"], 2)
    row["fit_speedup"] = round(row["fit_cpu_s"] / row["fit_gpu_s"], 2)
    failures = []
    if row["same_weights_max_abs_diff"] > 1e-4:
        failures.append("same weights: probabilities differ between devices")
    if row["seeded_label_agreement"] < 0.9:
        failures.append("same seeds: CPU and GPU fits disagree on > 10 % of labels")
    if row.get("bf16_label_agreement", 1.0) < 0.95:
        failures.append("bf16 autocast disagrees with float32 on > 5 % of labels")
    if row.get("occlusion_max_abs_diff", 0.0) > 1e-3:
        failures.append("occlusion maps differ between devices")
    row["failures"] = failures
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu-device", default="cuda",
                        help="device of the GPU side; 'cpu' rehearses the script anywhere")
    parser.add_argument("--n-train", type=int, default=1024)
    parser.add_argument("--n-test", type=int, default=4096)
    parser.add_argument("--json", type=Path,
                        default=REPO / "benchmarks" / "results" / "gpu_checks.json")
    args = parser.parse_args()
    import torch

    if args.gpu_device.startswith("cuda") and not torch.cuda.is_available():
        print(f"no CUDA device: GPU checks skipped (torch {torch.__version__}, "
              f"CUDA build {torch.version.cuda}).")
        return 0
    import skorch

    start = time.perf_counter()
    data = (make_data(args.n_train, 0), make_data(args.n_test, 1))
    for dev in ("cpu", args.gpu_device):  # start-up costs (CUDA context, kernels) off the clock
        conv = torch.nn.Conv1d(N_CHANNELS, 8, 3).to(dev)
        conv(torch.zeros(2, N_CHANNELS, N_TIMES, device=dev)).sum().backward()
        _sync(dev)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, cls, params, build in networks():
            if time.perf_counter() - start > BUDGET_S:
                rows.append({"network": name, "failures": ["skipped: time budget spent"]})
                continue
            try:
                rows.append(check_network(name, cls, params, build, data, args.gpu_device, tmp))
            except Exception as exc:  # a network that fails on the device is a finding
                rows.append({"network": name, "failures": [f"{type(exc).__name__}: {exc}"]})
            r = rows[-1]
            print(f"{name:<18} fit x{r.get('fit_speedup', float('nan')):>6} "
                  f"predict x{r.get('predict_speedup', float('nan')):>6} "
                  f"same-weights {r.get('same_weights_max_abs_diff', float('nan')):.1e} "
                  f"seeded {r.get('seeded_label_agreement', float('nan')):.3f} "
                  f"{'OK' if not r['failures'] else '; '.join(r['failures'])}", flush=True)
    device_name = (torch.cuda.get_device_name(0) if args.gpu_device.startswith("cuda")
                   else "cpu (rehearsal)")
    result = {"command": "python benchmarks/gpu_checks.py " + " ".join(sys.argv[1:]),
              "date": time.strftime("%Y-%m-%d"), "device": device_name,
              "versions": {"python": platform.python_version(), "torch": torch.__version__,
                           "cuda": torch.version.cuda, "skorch": skorch.__version__},
              "data": "synthetic, 18 channels, 4-s windows at 64 Hz",
              "elapsed_s": round(time.perf_counter() - start, 1), "networks": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    failed = [r["network"] for r in rows if r["failures"]]
    print(f"{len(rows) - len(failed)}/{len(rows)} networks passed; wrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
