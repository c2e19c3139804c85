"""DCRNN benchmark: subject-wise AUROC on Helsinki (distance vs correlation graph, with and
without self-supervised pre-training), CPU training/inference speed, FFT feature throughput.

Run from the repository root (needs ../shared/data or $SKSEIZURE_DATA)::

    python benchmarks/bench_dcrnn.py                 # ~5-10 min on 1 CPU thread
    python benchmarks/bench_dcrnn.py --quick         # 2 folds, few epochs (smoke run)

What it does (and what it cannot do with the data we have):

1. Helsinki neonatal, expert A: 781 one-second windows, 18 bipolar channels, 64 Hz, 62
   infants. Features: FFTLogAmplitude with 1-s steps -> (n, T=1, 18, 32). The clips are
   single 1-s windows (the paper uses 12-s clips of 1-s steps), so the recurrence sees one
   step. StratifiedGroupKFold by infant (folds disjoint in infants); every infant has one
   class only, so "subject-wise" also means the negatives come from other babies.
   Paper architecture (2 DCGRU layers x 64 units, K = 2) trained with the paper's recipe
   (Adam, weight decay 5e-4, cosine schedule, gradient clipping 5, augmentation) but with
   lr 1e-3 and at most ``--epochs`` epochs (the paper: lr 1e-4, 100 epochs), early
   stopping on the (subject-wise) inner validation loss.
2. Pre-training needs consecutive clips; the Helsinki windows are isolated seconds. We
   pre-train on the only consecutive real EEG we have: the 4 whole CHB-MIT seizures and the
   2 CHB-MIT EDF crops of chb01 (240 s), reduced to the 18 Helsinki derivations and
   decimated 256 -> 64 Hz by keeping every 4th sample (exactly how the Helsinki windows were
   made). Pairs: 1-s input clip -> next ``--horizon`` s. A pediatric patient's 4 minutes
   cannot be expected to help neonatal detection much; the table says what happened.
3. Speed on CPU (1 thread): one training epoch and inference clips/s of the paper-size
   model on 12-s clips (19 channels, 100 bins, random inputs: speed does not depend on the
   values), and FFT feature throughput of FFTLogAmplitude vs the authors' per-window
   ``scipy.fftpack.fft`` loop (``computeSliceMatrix``).

``--dataset chbmit`` instead runs DCRNN on the 19 reliable CHB-MIT 10-s windows of
shared/data (2 patients, 23 bipolar channels, 256 Hz) leave-one-patient-out (smoke-level:
14 / 5 training windows), and ``--dataset bonn`` a 3-class DCRNN (Bonn sets A / D / E,
one channel, so a degenerate 1-node graph) with StratifiedKFold over segments, accuracy
and weighted F1. Neither runs pre-training, the speed or the FFT sections.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import accuracy_score, confusion_matrix, roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold  # noqa: E402

from skseizure.datasets.loaders import load_bonn  # noqa: E402
from tests._extracts import (  # noqa: E402
    load_chbmit_crops,
    load_chbmit_seizures,
    load_chbmit_windows,
    load_helsinki_neonatal,
)
from skseizure.datasets import locate_data  # noqa: E402
from skseizure.datasets.montages import channel_indices  # noqa: E402
from skseizure.estimators.dcrnn import DCRNNClassifier, DCRNNPretrainer  # noqa: E402
from skseizure.preprocessing.graphs import CorrelationGraph, DistanceGraph  # noqa: E402
from skseizure.metrics import weighted_f1_score  # noqa: E402
from skseizure.preprocessing.spectral import FFTLogAmplitude  # noqa: E402
from skseizure.preprocessing.resampling import Resampler  # noqa: E402


def data_root():
    """``$SKSEIZURE_DATA``, else ``../shared/data`` (skseizure.datasets.locate_data)."""
    root = locate_data()
    if root is None:
        raise SystemExit("no data folder: set SKSEIZURE_DATA or run from the repository root "
                         "with ../shared/data beside it")
    return root


def pretraining_pairs(root, ch_names, horizon):
    """Consecutive 1-s FFT steps of CHB-MIT chb01 at 64 Hz on the Helsinki montage."""
    recs = load_chbmit_seizures(root) + load_chbmit_crops(root)
    fft = FFTLogAmplitude(sfreq=64)
    X, Y = [], []
    for rec in recs:
        idx = channel_indices(rec.ch_names, ch_names)
        sig = rec.data[idx, ::4]  # decimate without anti-alias filter, like the Helsinki files
        n_sec = sig.shape[1] // 64
        steps = fft.fit_transform(sig[None, :, : n_sec * 64])[0]  # (n_sec, 18, 32)
        for s in range(n_sec - 1 - horizon + 1):
            X.append(steps[s:s + 1])
            Y.append(steps[s + 1:s + 1 + horizon])
    return np.stack(X), np.stack(Y), sum(r.duration for r in recs)


def bench_helsinki(args, root):
    ds = load_helsinki_neonatal(root)
    feats = FFTLogAmplitude(sfreq=ds.sfreq).fit_transform(ds.X)
    y, groups, ch = np.asarray(ds.y), np.asarray(ds.groups), list(ds.ch_names)
    Xp, Yp, seconds = pretraining_pairs(root, ch, args.horizon)
    print(f"Helsinki: {feats.shape} features, {len(np.unique(groups))} infants; "
          f"pre-training pairs: {len(Xp)} from {seconds:.0f} s of CHB-MIT chb01")
    pretrainers, pre_rows = {}, []
    for gname in ("distance", "correlation"):
        graph = (DistanceGraph(ch_names=ch) if gname == "distance"
                 else CorrelationGraph(top_k=3, ch_names=ch))
        t0 = time.perf_counter()
        pre = DCRNNPretrainer(graph=graph, horizon=args.horizon, lr=5e-4,
                              max_epochs=args.pre_epochs, patience=5, valid_size=0.2,
                              random_state=0).fit(Xp, Yp)
        dt = time.perf_counter() - t0
        # naive baseline: repeat the last input step
        naive = float(np.mean(np.abs(Yp - Xp[:, -1:])))
        pre_rows.append((gname, len(pre.history), dt, -pre.score(Xp, Yp), naive,
                         pre.history[0, "train_loss"], pre.history[-1, "train_loss"]))
        pretrainers[gname] = pre
    print("\nSelf-supervised pre-training (next-step log-amplitude MAE, all pairs incl. training)")
    print(f"{'graph':12s} {'epochs':>6s} {'time s':>7s} {'MAE':>7s} {'naive':>7s} "
          f"{'loss0':>7s} {'lossN':>7s}")
    for r in pre_rows:
        print(f"{r[0]:12s} {r[1]:6d} {r[2]:7.1f} {r[3]:7.3f} {r[4]:7.3f} {r[5]:7.3f} {r[6]:7.3f}")

    cv = StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=0)
    folds = list(cv.split(feats, y, groups))
    rows = []
    for gname in ("distance", "correlation"):
        for use_pre in (False, True):
            aucs, epoch_times, n_epochs = [], [], []
            for k, (tr, te) in enumerate(folds):
                graph = (DistanceGraph(ch_names=ch) if gname == "distance"
                         else CorrelationGraph(top_k=3, ch_names=ch))
                patience = args.patience if args.patience > 0 else None
                est = DCRNNClassifier(graph=graph, lr=1e-3, max_epochs=args.epochs,
                                      patience=patience, valid_size=0.2 if patience else None,
                                      random_state=k,
                                      pretrained=pretrainers[gname] if use_pre else None)
                est.fit(feats[tr], y[tr], groups=groups[tr])
                aucs.append(roc_auc_score(y[te], est.predict_proba(feats[te])[:, 1]))
                epoch_times.append(np.mean(est.history[:, "dur"]))
                n_epochs.append(len(est.history))
            rows.append((gname, use_pre, np.mean(aucs), np.std(aucs), np.mean(epoch_times),
                         np.mean(n_epochs), aucs))
    print(f"\nHelsinki (expert A) subject-wise AUROC, StratifiedGroupKFold({args.folds}) by infant, "
          f"DCRNN 2x64 K=2, <= {args.epochs} epochs, "
          + (f"early stopping (patience {args.patience})" if args.patience > 0
             else "no early stopping"))
    print(f"{'graph':12s} {'pretrained':>10s} {'AUROC':>7s} {'+-sd':>6s} {'s/epoch':>8s} "
          f"{'epochs':>6s}  per fold")
    for g, p, m, s, t, e, a in rows:
        print(f"{g:12s} {str(p):>10s} {m:7.3f} {s:6.3f} {t:8.2f} {e:6.1f}  "
              + " ".join(f"{v:.3f}" for v in a))
    return rows


def bench_chbmit(args, root):
    """Leave-one-patient-out DCRNN on the CHB-MIT 10-s windows (smoke-level: 19 windows)."""
    ds = load_chbmit_windows(root, drop_unreliable=True)  # drops chb02_19's post-ictal window
    sf = int(ds.sfreq)
    X = ds.X[:, :, : 10 * sf]  # 2561 -> 2560 samples: ten whole 1-s FFT steps
    feats = FFTLogAmplitude(sfreq=ds.sfreq).fit_transform(X)
    y, groups, ch = np.asarray(ds.y), np.asarray(ds.groups), list(ds.ch_names)
    # DistanceGraph maps MNE's renamed duplicate "T8-P8-0" / "T8-P8-1" (and the reversed
    # pair T7-P7 / P7-T7) to the same midpoint: distance 0, edge weight 1, no error.
    print(f"CHB-MIT windows: {feats.shape} features, patients "
          + ", ".join(f"{g}: {int((groups == g).sum())} windows ({int(y[groups == g].sum())} ictal)"
                      for g in np.unique(groups)))
    # a handful of test windows: one seed says little, so every fold is trained with 5 seeds
    seeds = range(5)
    rows = []
    for gname in ("distance", "correlation"):
        for held in np.unique(groups):
            tr, te = groups != held, groups == held
            aucs, accs, dts = [], [], []
            for seed in seeds:
                graph = (DistanceGraph(ch_names=ch) if gname == "distance"
                         else CorrelationGraph(top_k=3, ch_names=ch))
                est = DCRNNClassifier(graph=graph, lr=1e-3, max_epochs=args.epochs,
                                      patience=None, valid_size=None, random_state=seed)
                t0 = time.perf_counter()
                est.fit(feats[tr], y[tr])
                dts.append(time.perf_counter() - t0)
                aucs.append(roc_auc_score(y[te], est.predict_proba(feats[te])[:, 1]))
                accs.append(accuracy_score(y[te], est.predict(feats[te])))
            rows.append((gname, held, int(tr.sum()), int(te.sum()), aucs, accs, np.mean(dts)))
    print(f"\nCHB-MIT leave-one-patient-out (train on one patient, test on the other), DCRNN "
          f"2x64 K=2, lr 1e-3, {args.epochs} epochs, no early stopping, no pre-training, "
          f"seeds {seeds.start}-{seeds.stop - 1}")
    print(f"{'graph':12s} {'held out':>8s} {'n train':>7s} {'n test':>6s} {'AUROC':>6s} "
          f"{'+-sd':>5s} {'acc':>6s} {'+-sd':>5s} {'fit s':>6s}  AUROC / acc per seed")
    for g, h, ntr, nte, auc, acc, dt in rows:
        print(f"{g:12s} {h:>8s} {ntr:7d} {nte:6d} {np.mean(auc):6.3f} {np.std(auc):5.3f} "
              f"{np.mean(acc):6.3f} {np.std(acc):5.3f} {dt:6.1f}  "
              + " ".join(f"{a:.2f}" for a in auc) + " / " + " ".join(f"{a:.2f}" for a in acc))
    return rows


def bench_bonn(args, root):
    """3-class DCRNN on Bonn A / D / E (one channel: a 1-node graph), accuracy + weighted F1."""
    ds = load_bonn(root, sets=("A", "D", "E"))
    # 173.61 Hz is not an integer: FFTLogAmplitude needs step_s * sfreq integral, so resample
    # to 200 Hz first (polyphase, up/down = 20000 / 17361).
    X = Resampler(sfreq=ds.sfreq, new_sfreq=200.0).fit_transform(ds.X)
    n_sec = X.shape[-1] // 200
    feats = FFTLogAmplitude(sfreq=200).fit_transform(X[:, :, : n_sec * 200])  # (300, 23, 1, 100)
    y = np.asarray(ds.y)
    print(f"Bonn A/D/E: {ds.X.shape} at {ds.sfreq} Hz -> resampled to 200 Hz, cropped to "
          f"{n_sec} s -> features {feats.shape}; classes "
          + ", ".join(f"{c}: {int((y == c).sum())}" for c in np.unique(y)))
    # One channel: DistanceGraph's default sigma (std of the 1x1 distance matrix) is 0 and
    # gives a NaN adjacency, the Laplacian of a 1-node graph has no positive eigenvalue and
    # CorrelationGraph needs top_k < C = 1. A fixed sigma with random-walk supports gives
    # the identity support: the diffusion convolution is then a plain per-step linear map
    # and DCRNN reduces to a GRU over the 1-s steps. "CZ" is a placeholder position.
    cv = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    pred = np.empty_like(y)
    accs, f1s, t0 = [], [], time.perf_counter()
    for k, (tr, te) in enumerate(cv.split(feats, y)):
        graph = DistanceGraph(ch_names=["CZ"], sigma=1.0, filter_type="dual_random_walk")
        est = DCRNNClassifier(graph=graph, lr=1e-3, max_epochs=args.epochs, patience=None,
                              valid_size=None, reflect_prob=0.0, random_state=k)
        est.fit(feats[tr], y[tr])
        pred[te] = est.predict(feats[te])
        accs.append(accuracy_score(y[te], pred[te]))
        f1s.append(weighted_f1_score(y[te], pred[te]))
    wall = time.perf_counter() - t0
    print(f"\nBonn A/D/E 3 classes, StratifiedKFold({args.folds}, shuffle, random_state=0) over "
          f"segments, DCRNN 2x64 (1 node), lr 1e-3, {args.epochs} epochs, no early stopping")
    print(f"pooled accuracy {accuracy_score(y, pred):.3f}, pooled weighted F1 "
          f"{weighted_f1_score(y, pred):.3f}; per fold accuracy {np.mean(accs):.3f} +- "
          f"{np.std(accs):.3f}, weighted F1 {np.mean(f1s):.3f} +- {np.std(f1s):.3f}; "
          f"{wall:.0f} s")
    print("pooled confusion matrix (rows: true, columns: predicted; classes "
          f"{np.unique(y).tolist()}):")
    print(confusion_matrix(y, pred))
    return {"cv": f"StratifiedKFold({args.folds}, shuffle=True, random_state=0) over segments",
            "accuracy_pooled": float(accuracy_score(y, pred)),
            "weighted_f1_pooled": float(weighted_f1_score(y, pred)),
            "accuracy_per_fold": [float(v) for v in accs],
            "weighted_f1_per_fold": [float(v) for v in f1s],
            "confusion_matrix": confusion_matrix(y, pred).tolist(), "wall_s": wall}


def bench_speed(args):
    rng = np.random.default_rng(0)
    n = args.speed_clips
    X = rng.normal(4.0, 1.5, size=(n, 12, 19, 100)).astype(np.float32)
    y = np.arange(n) % 2
    print(f"\nPaper-size DCRNN (2x64, K=2, 12-s clips, 19 ch, 100 bins) on CPU, "
          f"{torch.get_num_threads()} thread(s)")
    print(f"{'graph':12s} {'params':>8s} {'train s/epoch':>14s} {'(clips)':>8s} "
          f"{'infer clips/s':>14s}")
    for gname, graph in (("distance", DistanceGraph()), ("correlation", CorrelationGraph())):
        est = DCRNNClassifier(graph=graph, max_epochs=1, valid_size=None, random_state=0)
        est.fit(X, y)
        n_params = sum(p.numel() for p in est.module_.parameters())
        t0 = time.perf_counter()
        est.predict_proba(X)  # batches of batch_size=40 clips
        t_inf = time.perf_counter() - t0
        print(f"{gname:12s} {n_params:8d} {est.history[-1, 'dur']:14.2f} {n:8d} "
              f"{n / t_inf:14.1f}")


def bench_fft(args):
    import scipy.fftpack

    rng = np.random.default_rng(0)
    n = args.fft_clips
    raw = rng.normal(size=(n, 19, 12 * 200)).astype(np.float32)

    def reference(clips):
        # computeSliceMatrix + computeFFT of tsy935/eeg-gnn-ssl: one fftpack call per 1-s window
        out = np.empty((len(clips), 12, 19, 100), dtype=np.float32)
        for i, clip in enumerate(clips):
            for t in range(12):
                f = scipy.fftpack.fft(clip[:, t * 200:(t + 1) * 200], n=200, axis=-1)[:, :100]
                amp = np.abs(f)
                amp[amp == 0.0] = 1e-8
                out[i, t] = np.log(amp)
        return out

    fft = FFTLogAmplitude(sfreq=200).fit(raw[:1])
    # the authors' signals are float64 (pyedflib + scipy.signal.resample)
    raw64 = raw.astype(np.float64)
    t0 = time.perf_counter()
    ref = reference(raw64)
    t_ref = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = fft.transform(raw)
    t_ours = time.perf_counter() - t0
    print(f"\nFFT features, {n} random 12-s clips (19 ch, 200 Hz) -> (12, 19, 100)")
    print(f"{'method':34s} {'clips/s':>9s}")
    print(f"{'reference per-window fftpack loop':34s} {n / t_ref:9.0f}")
    print(f"{'FFTLogAmplitude (batched rfft)':34s} {n / t_ours:9.0f}")
    print(f"max |difference| = {np.abs(ref - ours).max():.2e} (log-amplitude units)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--pre-epochs", type=int, default=40)
    ap.add_argument("--horizon", type=int, default=2)
    ap.add_argument("--patience", type=int, default=5, help="<= 0: no early stopping")
    ap.add_argument("--speed-clips", type=int, default=120)
    ap.add_argument("--fft-clips", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--skip-helsinki", action="store_true")
    ap.add_argument("--dataset", choices=("helsinki", "chbmit", "bonn"), default="helsinki",
                    help="helsinki (default): the full benchmark; chbmit / bonn: DCRNN on that "
                         "data set only (--epochs, --folds apply)")
    ap.add_argument("--json", type=Path, default=None,
                    help="result file (default benchmarks/results/dcrnn_<dataset>.json)")
    args = ap.parse_args()
    if args.quick:
        args.folds, args.epochs, args.pre_epochs, args.speed_clips = 2, 3, 3, 40
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", category=UserWarning)
    import scipy
    import sklearn
    import skorch

    print(f"python {platform.python_version()}, torch {torch.__version__}, skorch "
          f"{skorch.__version__}, sklearn {sklearn.__version__}, numpy {np.__version__}, "
          f"scipy {scipy.__version__}; {platform.processor() or platform.machine()}")
    command = "python benchmarks/bench_dcrnn.py " + " ".join(sys.argv[1:])
    print(f"command: {command}")
    result = {"command": command, "date": time.strftime("%Y-%m-%d"),
              "versions": {"python": platform.python_version(), "torch": torch.__version__,
                           "skorch": skorch.__version__, "sklearn": sklearn.__version__,
                           "numpy": np.__version__, "scipy": scipy.__version__},
              "threads": args.threads}
    t0 = time.perf_counter()
    if args.dataset != "helsinki":
        rows = (bench_chbmit if args.dataset == "chbmit" else bench_bonn)(args, data_root())
        result[args.dataset] = rows
    else:
        if not args.skip_helsinki:
            result["helsinki"] = bench_helsinki(args, data_root())
        bench_speed(args)
        bench_fft(args)
    result["wall_s"] = round(time.perf_counter() - t0, 1)
    print(f"\ntotal {result['wall_s']:.0f} s")
    out = args.json or ROOT / "benchmarks" / "results" / f"dcrnn_{args.dataset}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=_jsonable))
    print(f"wrote {out}")


def _jsonable(value):
    """numpy scalars / arrays and tuples of the result rows -> JSON."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


if __name__ == "__main__":
    main()
