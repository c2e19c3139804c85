"""The ``skseizure`` command.

``skseizure demo`` runs the most complete pipeline the package has on real EEG reachable offline
and prints a results table:

1. the small real CHB-MIT sample shipped inside the package (always available);
2. when a real-data folder is found (``--data``, ``$SKSEIZURE_DATA`` or ``../shared/data``):
   seed 000's lightweight 1-D CNN pipeline under subject-wise cross-validation on the Helsinki
   neonatal windows (``GroupKFold`` by infant), side by side with its 50 %-pruned version from
   :class:`~skseizure.pruning.StructuredPruner` and a classic band-power baseline.

``skseizure info`` prints the versions of the package and its main dependencies.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

__all__ = ["main"]


# --------------------------------------------------------------------------- #
# small helpers
# --------------------------------------------------------------------------- #
def _format_table(rows, columns):
    """Render ``rows`` (list of dicts) as a fixed-width text table."""
    cells = [[str(c) for c in columns]]
    for row in rows:
        cells.append([_fmt(row.get(c, "")) for c in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(v.rjust(w) if k and i else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value):
    if isinstance(value, float):
        if np.isnan(value):
            return "n/a"
        return f"{value:.3f}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return str(value)


def _window_scores(y_true, y_pred, proba):
    from skseizure.metrics import (
        auroc_score,
        macro_f1_score,
        sensitivity_score,
        specificity_score,
    )

    scores = {
        "accuracy": float(np.mean(y_true == y_pred)),
        "macro-F1": float(macro_f1_score(y_true, y_pred)),
        "sensitivity": float(sensitivity_score(y_true, y_pred)),
        "specificity": float(specificity_score(y_true, y_pred)),
    }
    try:
        scores["AUROC"] = float(auroc_score(y_true, proba))
    except ValueError:  # one class only in y_true
        scores["AUROC"] = float("nan")
    return scores


# --------------------------------------------------------------------------- #
# demo parts
# --------------------------------------------------------------------------- #
def _demo_shipped_sample(out):
    """Classic pipeline on the shipped CHB-MIT sample (one patient: a sanity check)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skseizure.datasets import load_sample, make_windows
    from skseizure.preprocessing import BandPower, BandpassFilter, NotchFilter

    recordings = load_sample()
    windows = make_windows(recordings, window_s=4.0, step_s=2.0, min_seizure_overlap=0.5)
    sfreq = windows.sfreq
    # Blocked split in time inside each recording: windows of the first half train, windows
    # that start in the second half test (windows straddling the middle are dropped), so no
    # test window overlaps a training window.
    meta = windows.metadata
    duration = np.array([r.duration for r in recordings]).min()
    train = (meta["end_s"].to_numpy() <= duration / 2)
    test = (meta["start_s"].to_numpy() >= duration / 2)
    pipe = make_pipeline(
        BandpassFilter(l_freq=0.5, h_freq=30.0, sfreq=sfreq),
        NotchFilter(freqs=60.0, sfreq=sfreq),
        BandPower(sfreq=sfreq),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    )
    pipe.fit(windows.X[train], windows.y[train])
    proba = pipe.predict_proba(windows.X[test])[:, 1]
    pred = pipe.predict(windows.X[test])
    scores = _window_scores(windows.y[test], pred, proba)
    out.write(
        "\n[1] Shipped real sample: CHB-MIT chb01_03, two 41-s crops (ODC-By 1.0), "
        f"{len(windows)} windows of 4 s (50 % overlap), {windows.X.shape[1]} channels, {sfreq:g} Hz\n"
        "    band-pass 0.5-30 Hz + notch 60 Hz + band powers + logistic regression;\n"
        "    one patient only, so this is a time-blocked sanity check (first half -> second half),\n"
        "    not a subject-wise result.\n\n"
    )
    row = {"pipeline": "BandPower+LogReg", "train win": int(train.sum()), "test win": int(test.sum())}
    row.update(scores)
    out.write(_format_table([row], list(row)) + "\n")


def _demo_helsinki(data_root, out, *, n_splits, max_epochs, random_state):
    """Seed-000 pipeline, subject-wise, baseline vs 50 %-pruned, on real neonatal EEG."""
    from sklearn.base import clone
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import Pipeline

    from skseizure.datasets import load_helsinki_neonatal
    from skseizure.estimators import LightCNNClassifier
    from skseizure.preprocessing import BandPower, BandpassFilter, ChannelStandardizer
    from skseizure.pruning import StructuredPruner

    data = load_helsinki_neonatal(data_root, expert="A")
    X, y, groups = data.X, data.y, data.groups
    sfreq = data.sfreq
    front = [
        # 64 Hz data: Nyquist is 32 Hz, so the seed's 30 Hz edge leaves little room; 25 Hz.
        ("bandpass", BandpassFilter(l_freq=0.5, h_freq=25.0, sfreq=sfreq)),
        ("scale", ChannelStandardizer()),
    ]
    cnn = LightCNNClassifier(max_epochs=max_epochs, patience=8, random_state=random_state)
    pipelines = {
        "BandPower+RandomForest": Pipeline(
            [("bandpass", BandpassFilter(l_freq=0.5, h_freq=25.0, sfreq=sfreq)),
             ("features", BandPower(sfreq=sfreq, bands=((0.5, 4), (4, 8), (8, 13), (13, 25)))),
             ("clf", RandomForestClassifier(n_estimators=200, random_state=random_state, n_jobs=1))]
        ),
        # One pruner per fold: it trains the seed-000 CNN (the baseline row), prunes 50 % of
        # every conv layer's kernels by L1 norm and retrains (the pruned row), so the two rows
        # compare the same baseline network with its own pruned version.
        "LightCNN1d": Pipeline(
            front + [("clf", StructuredPruner(cnn, amount=0.5, random_state=random_state))]
        ),
    }
    out.write(
        f"\n[2] Helsinki neonatal EEG (Stevenson et al. 2019, CC BY 4.0), expert A: {len(y)} real "
        f"1-s windows, {X.shape[1]} bipolar channels, {sfreq:g} Hz, {len(np.unique(groups))} infants\n"
        f"    {n_splits}-fold GroupKFold by infant: no infant is in both training and test folds;\n"
        "    the networks' early-stopping split is by infant too.\n\n"
    )
    cv = GroupKFold(n_splits=n_splits)
    # per row: out-of-fold labels / probabilities, model size
    results = {name: {"pred": np.empty_like(y), "proba": np.empty(len(y)), "size": {}}
               for name in ("BandPower+RandomForest", "LightCNN1d (seed 000)", "LightCNN1d pruned 50%")}
    times = {}
    for name, pipe in pipelines.items():
        t0 = time.perf_counter()
        for train, test in cv.split(X, y, groups):
            if set(groups[train]) & set(groups[test]):  # GroupKFold guarantees it; say so loudly
                raise RuntimeError("an infant is on both sides of a split")
            model = clone(pipe)
            if name.startswith("BandPower"):
                model.fit(X[train], y[train])
                results[name]["pred"][test] = model.predict(X[test])
                results[name]["proba"][test] = model.predict_proba(X[test])[:, 1]
                continue
            # The networks take the training infants' ids for their own early-stopping split.
            model.fit(X[train], y[train], clf__groups=groups[train])
            pruner = model.named_steps["clf"]
            X_test = model[:-1].transform(X[test])
            for row, net, size in (
                ("LightCNN1d (seed 000)", pruner.baseline_estimator_,
                 {"params": pruner.n_params_before_, "MFLOPs": pruner.flops_before_ / 1e6,
                  "kernels %": 100.0}),
                ("LightCNN1d pruned 50%", pruner.estimator_,
                 {"params": pruner.n_params_after_, "MFLOPs": pruner.flops_after_ / 1e6,
                  "kernels %": 100.0 * float(pruner.kernel_retention_["overall"])}),
            ):
                results[row]["pred"][test] = net.predict(X_test)
                results[row]["proba"][test] = net.predict_proba(X_test)[:, 1]
                results[row]["size"] = size
        times[name] = time.perf_counter() - t0
    rows = []
    for name, res in results.items():
        row = {"model": name}
        row.update(_window_scores(y, res["pred"], res["proba"]))
        row.update(res["size"])
        row["time s"] = times["BandPower+RandomForest" if name.startswith("BandPower") else "LightCNN1d"]
        rows.append(row)
    columns = ["model", "accuracy", "macro-F1", "AUROC", "sensitivity", "specificity",
               "params", "MFLOPs", "kernels %", "time s"]
    out.write(_format_table(rows, columns) + "\n")
    out.write(
        "    Scores pool the out-of-fold predictions of all folds. Params/MFLOPs are per window;\n"
        "    FLOPs from torch.utils.flop_counter (2 FLOPs per multiply-add). The two CNN rows share\n"
        "    one time: the baseline and its pruned, retrained version come from the same runs.\n"
    )
    return rows


def demo(argv=None, out=None):
    """Run the demo; see the module docstring."""
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="skseizure demo", description=demo.__doc__)
    parser.add_argument("--data", default=None,
                        help="folder with the real data sets (default: $SKSEIZURE_DATA or ../shared/data)")
    parser.add_argument("--folds", type=int, default=5, help="GroupKFold splits (default 5)")
    parser.add_argument("--epochs", type=int, default=40, help="maximum training epochs (default 40)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: these networks are small, and extra "
                             "threads contending for busy cores slowed training 10-80x here)")
    args = parser.parse_args(argv)

    import torch

    from skseizure.datasets import locate_data

    torch.set_num_threads(max(1, args.threads))
    t0 = time.perf_counter()
    out.write("skseizure demo: seizure detection on real EEG\n")
    _demo_shipped_sample(out)
    root = locate_data(args.data)
    if root is None:
        out.write(
            "\n[2] No real-data folder found (--data, $SKSEIZURE_DATA or ../shared/data): "
            "the subject-wise part is skipped.\n"
        )
    else:
        _demo_helsinki(root, out, n_splits=args.folds, max_epochs=args.epochs, random_state=args.seed)
    out.write(f"\nDone in {time.perf_counter() - t0:.0f} s.\n")
    return 0


def info(argv=None, out=None):
    """Print versions of skseizure and its main dependencies."""
    out = out or sys.stdout
    import importlib

    for name in ("skseizure", "numpy", "scipy", "sklearn", "torch", "skorch", "mne", "imblearn",
                 "torch_pruning"):
        try:
            mod = importlib.import_module(name)
            out.write(f"{name:14s} {getattr(mod, '__version__', '?')}\n")
        except ImportError:
            out.write(f"{name:14s} not installed\n")
    return 0


def main(argv=None):
    """Entry point of the ``skseizure`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"demo": demo, "info": info}
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in commands:
        sys.stdout.write(
            "usage: skseizure {demo,info} [options]\n\n"
            "  demo   run the seizure-detection demo on real EEG and print a results table\n"
            "  info   print versions\n"
        )
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
