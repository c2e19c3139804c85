"""Benchmark of the ENG (nerve-cuff) chain on SIMULATED recordings.

Everything measured here runs on data from ``skseizure.eng.simulate_nerve_cuff``,
a simulator of the MobilESCAPE-Net paper's system model. The accuracies are NOT
results on real nerve recordings and must not be compared with the paper's
real-data numbers (85.71 % / 0.83 ESCAPE-Net, 85.82 % / 0.84 MobilESCAPE-Net)
as if they were.

What it prints (one table per part, then the versions):

1. simulator and signature-builder throughput (seconds of 56-channel 30 kHz
   signal processed per wall-clock second);
2. the paper's protocol per simulated animal: 15 % stratified held-out test
   set, 5-fold stratified CV on the remaining 85 % (4 folds train, 1 fold =
   early-stopping validation), each fold model scored on the held-out test
   set -> accuracy and macro-F1 (mean +/- std over folds), then the mean over
   animals, and macro-F1 against the animal's SNR;
3. CPU inference latency per signature (batch 1) and throughput (batch 64)
   for MobilESCAPE-Net and ESCAPE-Net, with their parameters and FLOPs.

ESCAPE-Net (91.8 M parameters) is trained only with ``--train-escape`` (one
fold per animal), because on 2 shared CPU cores it does not fit the 10-minute
budget; by default only its latency is measured.

Run (defaults sized for ~10 min on 2 shared CPU cores; the paper used 6 rats,
~180 s per class and training to convergence)::

    python benchmarks/bench_eng.py
    python benchmarks/bench_eng.py --animals 6 --duration 30 --epochs 30   # closer to the paper
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


class FixedValidation:
    """skorch ``train_split``: the last ``n_valid`` rows are the validation fold."""

    def __init__(self, n_valid):
        self.n_valid = n_valid

    def __call__(self, dataset, y=None, groups=None):
        import torch

        n = len(dataset)
        idx = np.arange(n)
        return (torch.utils.data.Subset(dataset, idx[: n - self.n_valid]),
                torch.utils.data.Subset(dataset, idx[n - self.n_valid:]))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--animals", type=int, default=3, help="simulated animals (default 3)")
    p.add_argument("--snrs", type=float, nargs="+", default=None,
                   help="raw on/off SNR (dB) per animal; default spread over 0.5-3 dB")
    p.add_argument("--duration", type=float, default=3.0, help="seconds per class recording")
    p.add_argument("--epochs", type=int, default=3, help="max epochs per fold model")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--test-size", type=float, default=0.15)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    p.add_argument("--train-escape", action="store_true",
                   help="also train ESCAPE-Net (fold 0 of each animal only; slow on CPU)")
    p.add_argument("--sweep-snrs", type=float, nargs="*", default=[0.2, 0.5, 1.0, 2.0, 4.0],
                   help="raw SNRs (dB) of fresh test recordings of animal 0 scored by its "
                        "fold models (F1 vs SNR with the anatomy fixed); empty to skip")
    p.add_argument("--latency-runs", type=int, default=20)
    p.add_argument("--out", type=Path,
                   default=Path(tempfile.gettempdir()) / "skseizure_bench_eng",
                   help="folder for the figures (default: <temp dir>/skseizure_bench_eng)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path,
                   default=Path(__file__).resolve().parent / "results" / "eng_simulated.json",
                   help="result file (default benchmarks/results/eng_simulated.json)")
    return p.parse_args(argv)


def _table(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(str(h).ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print()


def _latency(model, x, runs):
    import torch

    with torch.no_grad():
        model(x)  # warm-up
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t)
    return float(np.median(times))


def main(argv=None):
    args = parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", message="Using padding='same'")
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold, train_test_split

    import skseizure
    from skseizure.eng.simulator import STIMULUS_CLASSES, simulate_nerve_cuff
    from skseizure.eng.estimators import ESCAPENetClassifier, MobilESCAPENetClassifier
    from skseizure.eng.escape_net import ESCAPENet
    from skseizure.eng.mobilescape_net import MobilESCAPENet
    from skseizure.eng.signatures import CAPSignatureBuilder

    snrs = [float(s) for s in (args.snrs or np.round(np.linspace(0.5, 3.0, args.animals), 2))]
    if len(snrs) != args.animals:
        raise SystemExit(f"--snrs needs {args.animals} values, got {len(snrs)}")
    args.out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    print("=" * 78)
    print("ENG benchmark on SIMULATED nerve-cuff recordings (skseizure simulator, not real data)")
    print("=" * 78)
    print(f"animals={args.animals} raw SNR (dB)={snrs} duration/class={args.duration} s "
          f"epochs<={args.epochs} folds={args.folds} test={args.test_size} "
          f"batch={args.batch_size} lr={args.lr} torch threads={args.threads}\n")

    # ---- 1. simulate + build -------------------------------------------------
    builder = CAPSignatureBuilder()
    sim_time = build_time = signal_s = 0.0
    per_animal = []
    for a in range(args.animals):
        recs = []
        for c in range(3):
            t = time.perf_counter()
            recs.append(simulate_nerve_cuff(c, snr_db=snrs[a], duration_s=args.duration, animal=a,
                                            random_state=1000 * args.seed + 10 * a + c))
            sim_time += time.perf_counter() - t
            signal_s += args.duration
        t = time.perf_counter()
        sig = builder.build(recs)
        build_time += time.perf_counter() - t
        per_animal.append(sig)
    print("1. Throughput (seconds of 56-channel 30 kHz signal per wall second, "
          f"{args.threads} torch thread(s), numpy/scipy default threads)")
    _table(
        [["simulate_nerve_cuff", f"{signal_s:.0f}", f"{sim_time:.2f}", f"{signal_s / sim_time:.1f}"],
         ["CAPSignatureBuilder.build", f"{signal_s:.0f}", f"{build_time:.2f}",
          f"{signal_s / build_time:.1f}"]],
        ["step", "signal s", "wall s", "signal s / wall s"],
    )

    # ---- 2. paper protocol per animal ---------------------------------------
    print("2. Protocol per simulated animal: 15% held-out test, "
          f"{args.folds}-fold CV on the rest; fold models scored on the held-out set")
    rows, summary = [], []
    class_f1 = []
    escape_rows = []
    animal0_models = []
    for a, sig in enumerate(per_animal):
        X, y = sig.X, sig.y
        idx_rest, idx_test = train_test_split(np.arange(len(y)), test_size=args.test_size,
                                              stratify=y, random_state=args.seed)
        cv = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
        accs, f1s, t_fit = [], [], 0.0
        for k, (tr, va) in enumerate(cv.split(idx_rest, y[idx_rest])):
            order = np.concatenate([idx_rest[tr], idx_rest[va]])
            clf = MobilESCAPENetClassifier(
                max_epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                patience=max(args.epochs // 3, 2), train_split=FixedValidation(len(va)),
                random_state=args.seed + k)
            t = time.perf_counter()
            clf.fit(X[order], y[order])
            t_fit += time.perf_counter() - t
            if a == 0:
                animal0_models.append(clf)
            pred = clf.predict(X[idx_test])
            accs.append(accuracy_score(y[idx_test], pred))
            f1s.append(f1_score(y[idx_test], pred, average="macro"))
            class_f1.append(f1_score(y[idx_test], pred, average=None, labels=[0, 1, 2]))
            if args.train_escape and k == 0:
                esc = ESCAPENetClassifier(
                    max_epochs=args.epochs, batch_size=args.batch_size, lr=1e-4,
                    patience=max(args.epochs // 3, 2), train_split=FixedValidation(len(va)),
                    random_state=args.seed)
                t = time.perf_counter()
                esc.fit(X[order], y[order])
                dt = time.perf_counter() - t
                pe = esc.predict(X[idx_test])
                escape_rows.append([a, f"{accuracy_score(y[idx_test], pe):.3f}",
                                    f"{f1_score(y[idx_test], pe, average='macro'):.3f}",
                                    f"{dt:.0f}"])
                del esc
        measured = float(np.nanmean(sig.snr_db))
        summary.append((snrs[a], measured, np.mean(accs), np.mean(f1s)))
        rows.append([a, f"{snrs[a]:.2f}", f"{measured:.2f}", len(y), len(idx_test),
                     f"{np.mean(accs):.3f} +/- {np.std(accs):.3f}",
                     f"{np.mean(f1s):.3f} +/- {np.std(f1s):.3f}", f"{t_fit:.0f}"])
        print(f"   animal {a} done ({time.perf_counter() - t_start:.0f} s elapsed)", flush=True)
    print()
    _table(rows, ["animal", "raw SNR dB", "processed SNR dB", "n sig", "n test",
                  "MobilESCAPE acc", "MobilESCAPE macro-F1", "fit s (all folds)"])
    summ = np.asarray(summary)
    cf = np.asarray(class_f1)
    print(f"   MobilESCAPE-Net over animals: accuracy {100 * summ[:, 2].mean():.2f} +/- "
          f"{100 * summ[:, 2].std():.2f} %, macro-F1 {summ[:, 3].mean():.3f} +/- "
          f"{summ[:, 3].std():.3f}  (SIMULATED data)")
    print("   per-class F1 (mean over animals x folds): " + ", ".join(
        f"{name} {cf[:, i].mean():.3f}" for i, name in enumerate(STIMULUS_CLASSES)))
    if len(summ) > 2:
        r = np.corrcoef(summ[:, 1], summ[:, 3])[0, 1]
        print(f"   macro-F1 vs processed SNR: Pearson r = {r:.2f} over {len(summ)} animals")
    print()
    if escape_rows:
        print("   ESCAPE-Net (fold 0 only, lr 1e-4)")
        _table(escape_rows, ["animal", "acc", "macro-F1", "fit s"])
    else:
        print("   ESCAPE-Net not trained (91.8 M parameters; use --train-escape): latency only.\n")

    # ---- 2b. F1 vs SNR with the anatomy fixed ----------------------------------
    if args.sweep_snrs:
        print("2b. F1 vs SNR, anatomy fixed: fresh recordings of animal 0 at each raw SNR "
              f"(new noise and firing), scored by its {len(animal0_models)} fold models "
              f"trained at {snrs[0]} dB")
        sweep_rows, sweep = [], []
        for snr in args.sweep_snrs:
            recs = [simulate_nerve_cuff(c, snr_db=snr, duration_s=args.duration, animal=0,
                                        random_state=10_000 + 1000 * args.seed + c)
                    for c in range(3)]
            sig = builder.build(recs)
            f1 = [f1_score(sig.y, m.predict(sig.X), average="macro") for m in animal0_models]
            acc = [accuracy_score(sig.y, m.predict(sig.X)) for m in animal0_models]
            sweep.append((float(np.nanmean(sig.snr_db)), np.mean(f1)))
            sweep_rows.append([f"{snr:.2f}", f"{np.nanmean(sig.snr_db):.2f}", len(sig.y),
                               f"{np.mean(acc):.3f}", f"{np.mean(f1):.3f} +/- {np.std(f1):.3f}"])
        _table(sweep_rows, ["raw SNR dB", "processed SNR dB", "n sig", "acc", "macro-F1"])
        sweep = np.asarray(sweep)

    # ---- 3. latency ----------------------------------------------------------
    print(f"3. CPU inference latency ({args.threads} torch thread(s), eval mode, no grad; "
          f"median of {args.latency_runs} runs)")
    lat_rows = []
    for name, cls in (("MobilESCAPE-Net", MobilESCAPENet), ("ESCAPE-Net", ESCAPENet)):
        torch.manual_seed(0)
        model = cls().eval()
        n_par = sum(p.numel() for p in model.parameters())
        flops = model.count_flops()
        x1 = torch.randn(1, 1, 56, 100)
        xb = torch.randn(64, 1, 56, 100)
        runs = args.latency_runs if name.startswith("Mobil") else max(args.latency_runs // 4, 3)
        lat1 = _latency(model, x1, runs)
        latb = _latency(model, xb, max(runs // 4, 2))
        lat_rows.append([name, f"{n_par:,}", f"{flops / 1e6:.1f}", f"{1e3 * lat1:.2f}",
                         f"{1e3 * latb / 64:.2f}", f"{64 / latb:.0f}",
                         "yes" if lat1 < 0.3 else "no"])
        del model
    _table(lat_rows, ["network", "params", "MFLOPs (2xMAC)", "ms / signature (batch 1)",
                      "ms / signature (batch 64)", "signatures / s (batch 64)", "< 300 ms"])

    # ---- figures -------------------------------------------------------------
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(4.5, 3.5))
        ax.scatter(summ[:, 1], summ[:, 3], c="C0")
        for a, (raw, meas, _, f1) in enumerate(summ):
            ax.annotate(f"animal {a}\n(raw {raw:.1f} dB)", (meas, f1), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
        if args.sweep_snrs:
            ax.plot(sweep[:, 0], sweep[:, 1], "s--", color="C1", ms=4,
                    label="animal 0, fresh recordings\nat other SNRs (2b)")
            ax.legend(fontsize=7, loc="lower right")
        ax.set_xlabel("SNR after preprocessing (dB, cap_snr)")
        ax.set_ylabel("MobilESCAPE-Net macro-F1 (held-out)")
        ax.set_title("F1 vs SNR - SIMULATED recordings", fontsize=9)
        fig.tight_layout()
        path = args.out / "eng_f1_vs_snr.png"
        fig.savefig(path, dpi=120)
        print(f"Figure: {path}")
    except ImportError:
        print("matplotlib missing: no figure")

    print(f"\nTotal wall time {time.perf_counter() - t_start:.0f} s")
    print(f"Versions: python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__}, skseizure {skseizure.__version__}, "
          f"skorch {__import__('skorch').__version__}, scipy {__import__('scipy').__version__}, "
          f"sklearn {__import__('sklearn').__version__}; CPU count {os.cpu_count()}, "
          f"{platform.processor() or platform.machine()}")
    print("All accuracies above are on SIMULATED data.")
    result = {
        "command": "python benchmarks/bench_eng.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d"), "data": "SIMULATED (skseizure.eng.simulate_nerve_cuff)",
        "protocol": f"per animal: {args.test_size:.0%} stratified held-out test, {args.folds}-fold "
                    f"CV on the rest, <= {args.epochs} epochs",
        "animals": [{"raw_snr_db": float(r), "processed_snr_db": float(m), "accuracy": float(acc),
                     "f1_macro": float(f1)} for r, m, acc, f1 in summ],
        "mobilescape_accuracy_mean": float(summ[:, 2].mean()),
        "mobilescape_accuracy_std": float(summ[:, 2].std()),
        "mobilescape_f1_macro_mean": float(summ[:, 3].mean()),
        "mobilescape_f1_macro_std": float(summ[:, 3].std()),
        "latency": [dict(zip(["network", "params", "mflops", "ms_b1", "ms_per_sig_b64",
                              "sig_per_s_b64", "under_300_ms"], row)) for row in lat_rows],
        "wall_s": round(time.perf_counter() - t_start, 1),
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "torch": torch.__version__, "skorch": __import__("skorch").__version__,
                     "sklearn": __import__("sklearn").__version__},
        "threads": args.threads,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.json}")


if __name__ == "__main__":
    sys.exit(main())
