"""``skseizure demo``: seizure detection on real EEG, with a results table.

1. The small real CHB-MIT sample shipped inside the package (always available): a classic
   band-power pipeline, time-blocked within one patient (a sanity check).
2. When a real-data folder is found (``--data``, ``$SKSEIZURE_DATA`` or ``../shared/data``,
   see :func:`skseizure.datasets.locate_data`): a lightweight 1-D CNN under subject-wise
   cross-validation on the Helsinki neonatal windows (``GroupKFold`` by infant), side by side
   with its 50 %-pruned version from :class:`~skseizure.pruning.StructuredPruner` and a
   band-power random-forest baseline.

Every argument, the data folder and the number of folds (against the number of infants) are
checked before any part starts.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from ._common import UsageError, existing_folder, format_table, int_at_least, seed

HELP = "run the seizure-detection demo on real EEG and print a results table"


def add_parser(subparsers):
    """Register ``demo`` and its options on the ``skseizure`` sub-command parsers."""
    parser = subparsers.add_parser("demo", help=HELP, description=HELP + ".")
    parser.add_argument("--data", type=existing_folder, default=None, metavar="FOLDER",
                        help="folder with the real data sets (default: $SKSEIZURE_DATA, "
                             "else ../shared/data if it exists)")
    parser.add_argument("--folds", type=int_at_least(2), default=5,
                        help="GroupKFold splits, 2 to the number of infants (default 5)")
    parser.add_argument("--epochs", type=int_at_least(1), default=40,
                        help="maximum training epochs, >= 1 (default 40)")
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    parser.add_argument("--threads", type=int_at_least(1), default=1,
                        help="torch threads, >= 1 (default 1: these networks are small, and extra "
                             "threads contending for busy cores slowed training 10-80x)")
    parser.set_defaults(run=run)
    return parser


def _load_subject_wise_data(args):
    """Locate and load the data of part 2 and check ``--folds`` against it; None if no folder.

    Raises
    ------
    UsageError
        If ``$SKSEIZURE_DATA`` is not a folder, the folder lacks the Helsinki data, or
        ``--folds`` exceeds the number of infants.
    """
    from skseizure.datasets import locate_data
    from skseizure.datasets.loaders import load_helsinki_neonatal

    try:
        root = locate_data(args.data)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    if root is None:
        return None
    try:
        data = load_helsinki_neonatal(root, expert="A")
    except FileNotFoundError as exc:
        raise UsageError(
            f"{exc} Point --data or $SKSEIZURE_DATA at a folder holding helsinki-neonatal/."
        ) from None
    n_infants = len(np.unique(data.groups))
    if args.folds > n_infants:
        raise UsageError(
            f"argument --folds: {args.folds} folds need at least {args.folds} infants; "
            f"the Helsinki data in {root} has {n_infants} (use 2 to {n_infants})"
        )
    return data


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
    out.write(format_table([row], list(row)) + "\n")


def _helsinki_pipelines(sfreq, *, max_epochs, random_state):
    """The band-power baseline and the CNN wrapped in a 50 % structured pruner."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline

    from skseizure.estimators import LightCNNClassifier
    from skseizure.preprocessing import BandPower, BandpassFilter, ChannelStandardizer
    from skseizure.pruning import StructuredPruner

    front = [
        # 64 Hz data: Nyquist is 32 Hz, so a 30 Hz edge leaves little room; 25 Hz.
        ("bandpass", BandpassFilter(l_freq=0.5, h_freq=25.0, sfreq=sfreq)),
        ("scale", ChannelStandardizer()),
    ]
    cnn = LightCNNClassifier(max_epochs=max_epochs, patience=8, random_state=random_state)
    return {
        "BandPower+RandomForest": Pipeline(
            [("bandpass", BandpassFilter(l_freq=0.5, h_freq=25.0, sfreq=sfreq)),
             ("features", BandPower(sfreq=sfreq, bands=((0.5, 4), (4, 8), (8, 13), (13, 25)))),
             ("clf", RandomForestClassifier(n_estimators=200, random_state=random_state, n_jobs=1))]
        ),
        # One pruner per fold: it trains the CNN (the baseline row), prunes 50 % of
        # every conv layer's kernels by L1 norm and retrains (the pruned row), so the two rows
        # compare the same baseline network with its own pruned version.
        "LightCNN1d": Pipeline(
            front + [("clf", StructuredPruner(cnn, amount=0.5, random_state=random_state))]
        ),
    }


def _out_of_fold(pipelines, X, y, groups, n_splits):
    """Out-of-fold labels, probabilities and model sizes per table row; seconds per pipeline."""
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    cv = GroupKFold(n_splits=n_splits)
    results = {name: {"pred": np.empty_like(y), "proba": np.empty(len(y)), "size": {}}
               for name in ("BandPower+RandomForest", "LightCNN1d baseline", "LightCNN1d pruned 50%")}
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
                ("LightCNN1d baseline", pruner.baseline_estimator_,
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
    return results, times


def _demo_helsinki(data, out, *, n_splits, max_epochs, random_state):
    """The 1-D CNN pipeline, subject-wise, baseline vs 50 %-pruned, on real neonatal EEG.

    ``data`` is the :class:`~skseizure.datasets.Windows` of :func:`_load_subject_wise_data`.
    """
    X, y, groups = data.X, data.y, data.groups
    sfreq = data.sfreq
    pipelines = _helsinki_pipelines(sfreq, max_epochs=max_epochs, random_state=random_state)
    out.write(
        f"\n[2] Helsinki neonatal EEG (Stevenson et al. 2019, CC BY 4.0), expert A: {len(y)} real "
        f"1-s windows, {X.shape[1]} bipolar channels, {sfreq:g} Hz, {len(np.unique(groups))} infants\n"
        f"    {n_splits}-fold GroupKFold by infant: no infant is in both training and test folds;\n"
        "    the networks' early-stopping split is by infant too.\n\n"
    )
    results, times = _out_of_fold(pipelines, X, y, groups, n_splits)
    rows = []
    for name, res in results.items():
        row = {"model": name}
        row.update(_window_scores(y, res["pred"], res["proba"]))
        row.update(res["size"])
        row["time s"] = times["BandPower+RandomForest" if name.startswith("BandPower") else "LightCNN1d"]
        rows.append(row)
    columns = ["model", "accuracy", "macro-F1", "AUROC", "sensitivity", "specificity",
               "params", "MFLOPs", "kernels %", "time s"]
    out.write(format_table(rows, columns) + "\n")
    out.write(
        "    Scores pool the out-of-fold predictions of all folds. Params/MFLOPs are per window;\n"
        "    FLOPs from torch.utils.flop_counter (2 FLOPs per multiply-add). The two CNN rows share\n"
        "    one time: the baseline and its pruned, retrained version come from the same runs.\n"
    )
    return rows


def run(args, out=None):
    """Run the demo with parsed, validated ``args``; returns the exit status (0)."""
    out = out or sys.stdout
    data = _load_subject_wise_data(args)  # every check happens before any output

    import torch

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    out.write("skseizure demo: seizure detection on real EEG\n")
    _demo_shipped_sample(out)
    if data is None:
        out.write(
            "\n[2] No real-data folder found (--data, $SKSEIZURE_DATA or ../shared/data): "
            "the subject-wise part is skipped.\n"
        )
    else:
        _demo_helsinki(data, out, n_splits=args.folds, max_epochs=args.epochs,
                       random_state=args.seed)
    out.write(f"\nDone in {time.perf_counter() - t0:.0f} s.\n")
    return 0
