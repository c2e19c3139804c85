"""``skseizure demo``: seizure detection on real EEG, with a results table.

0. Detection end to end with the bundled detector
   (:func:`skseizure.detection.bundled.load_bundled_detector`): the shipped CHB-MIT
   sample and, when the data folder is found, the Ombao 8-channel 100-Hz scalp recording
   (a patient, montage and rate the detector never saw); detected events beside the
   reference events, SzCORE event scores, and a figure (EEG, probability trace, events)
   written to ``--figure``.
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

import io
import sys
import time

import numpy as np

from pathlib import Path

from ._common import (
    UsageError,
    check_output,
    existing_folder,
    format_table,
    int_at_least,
    output_path,
    seed,
)

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
    parser.add_argument("--figure", type=output_path, default=Path("skseizure_detection.png"),
                        metavar="PATH", help="detection figure to write (default "
                                             "./skseizure_detection.png)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --figure")
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


# --------------------------------------------------------------------------- detection
FIGURE_FORMATS = (".png", ".pdf", ".svg")
OMBAO_CHANNELS = ("c3", "c4", "cz", "p3", "p4", "t3", "t4", "t5")
OMBAO_SFREQ = 100.0
OMBAO_ONSET_S = 163.4  # "first half pre-seizure, second half seizure" (approximate)


def _read_ombao(folder):
    """The Ombao recording: one ASCII file per channel, microvolts, 100 Hz -> volts."""
    rows = []
    for name in OMBAO_CHANNELS:
        path = folder / name
        try:
            values = np.array(path.read_text().split(), dtype=float)
        except ValueError as exc:
            raise ValueError(f"{path} holds a value that is not a number: {exc}") from None
        rows.append(values[np.isfinite(values)])  # two trailing NaN
    n = min(len(r) for r in rows)
    data = np.stack([r[:n] for r in rows]).astype(np.float32) * np.float32(1e-6)
    return data, [c.upper() for c in OMBAO_CHANNELS]


def _detection_recordings(data_root):
    """(title, data, sfreq, names, reference events) of the demo's detection part."""
    from skseizure.datasets import load_sample
    from skseizure.detection import SeizureEvent

    items = []
    for rec in load_sample():
        ref = [SeizureEvent(a, b - a) for a, b in rec.seizures]
        items.append((f"CHB-MIT {rec.name}", rec.data, rec.sfreq, rec.ch_names, ref))
    folder = None if data_root is None else data_root / "ombao-scalp-8ch"
    if folder is not None and folder.is_dir():
        data, names = _read_ombao(folder)
        end = data.shape[1] / OMBAO_SFREQ
        items.append(("Ombao 8-channel scalp (100 Hz)", data, OMBAO_SFREQ, names,
                      [SeizureEvent(OMBAO_ONSET_S, end - OMBAO_ONSET_S)]))
    return items


def _demo_detection(out, *, data_root, figure, overwrite):
    """Bundled detector on real recordings: events, SzCORE event scores, a figure."""
    from skseizure.detection import score_recording
    from skseizure.detection.bundled import load_bundled_detector
    from skseizure.detection.plots import plot_detection
    from skseizure.detection import window_proba_to_events
    from skseizure.io import write_atomic

    detector = load_bundled_detector()
    cfg = detector.config
    out.write(
        f"\n[0] Seizure detection end to end with the bundled detector ({cfg['sfreq']:g} Hz, "
        f"{cfg['band'][0]:g}-{cfg['band'][1]:g} Hz, {cfg['window_length']:g}-s windows):\n"
        "    the shipped recording chb01_03 is not in its training data (other recordings of\n"
        "    patient chb01 are);\n"
        "    the Ombao recording is a patient, montage and rate it never saw (onset ~163 s,\n"
        "    approximate: 'first half pre-seizure, second half seizure').\n\n")
    rows, shown = [], None
    for title, data, sfreq, names, ref in _detection_recordings(data_root):
        duration = data.shape[1] / sfreq
        wp = detector.window_proba(data, sfreq, names)
        events = window_proba_to_events(wp, cfg, duration)
        score = score_recording(ref, events, duration).event
        fmt = "; ".join(f"{e.onset:.0f}-{e.end:.0f}" for e in events) or "none"
        rows.append({"recording": title, "s": duration, "montage": wp.montage,
                     "reference s": "; ".join(f"{e.onset:.0f}-{e.end:.0f}" for e in ref) or "none",
                     "detected s": fmt, "event sens": score.sensitivity,
                     "event prec": score.precision, "event F1": score.f1})
        if shown is None or title.startswith("Ombao") or (ref and not shown[-1]):
            shown = (title, data, sfreq, names, wp, ref, events, bool(ref))
    out.write(format_table(rows, list(rows[0])) + "\n")
    title, data, sfreq, names, wp, ref, events, _ = shown
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        out.write("    No figure: matplotlib is not installed (pip install 'skseizure[plot]').\n")
        return rows
    fig = plot_detection(data, sfreq, names, wp, reference=ref, detected=events,
                         threshold=cfg["postprocessing"]["threshold"],
                         title=f"{title}: reference vs detected seizures")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=figure.suffix.lstrip(".") or "png", dpi=110)
    plt.close(fig)
    write_atomic(figure, buffer.getvalue(), overwrite=overwrite)
    out.write(f"    Event scores: timescoring, SzCORE defaults (n/a: no event to count).\n"
              f"    Figure ({title}): {figure.resolve()}\n")
    return rows


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

    from functools import partial

    from skseizure.datasets import load_sample, make_windows
    from skseizure.preprocessing import BandPower, filter_continuous

    recordings = load_sample()
    # filter each continuous recording first, then cut the windows (a 0.5-Hz high-pass
    # cannot be applied to short windows one by one)
    windows = make_windows(recordings, window_s=4.0, step_s=2.0, min_seizure_overlap=0.5,
                           preprocess=partial(filter_continuous, l_freq=0.5, h_freq=30.0,
                                              notch=60.0))
    sfreq = windows.sfreq
    # Blocked split in time inside each recording: windows of the first half train, windows
    # that start in the second half test (windows straddling the middle are dropped), so no
    # test window overlaps a training window.
    meta = windows.metadata
    duration = np.array([r.duration for r in recordings]).min()
    train = (meta["end_s"].to_numpy() <= duration / 2)
    test = (meta["start_s"].to_numpy() >= duration / 2)
    pipe = make_pipeline(
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
        "    band-pass 0.5-30 Hz + notch 60 Hz on the continuous recordings, then windows;\n"
        "    band powers + logistic regression;\n"
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
    from skseizure.preprocessing import BandPower, ChannelStandardizer
    from skseizure.pruning import StructuredPruner

    # The Helsinki extract holds isolated 1-s windows, not continuous recordings: a 0.5-Hz
    # high-pass cannot be applied to 1 s of signal, so no band-pass here (filtering short
    # windows one by one distorts them); the standardiser removes each window's offset.
    front = [("scale", ChannelStandardizer())]
    cnn = LightCNNClassifier(max_epochs=max_epochs, patience=8, random_state=random_state)
    return {
        "BandPower+RandomForest": Pipeline(
            [("features", BandPower(sfreq=sfreq, bands=((0.5, 4), (4, 8), (8, 13), (13, 25)))),
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


def _demo_interrater(out, data_root):
    """SzCORE scoring of real annotations: the Helsinki experts against each other (the ceiling)."""
    from pathlib import Path

    from skseizure.detection import aggregate_scores, score_masks
    from skseizure.io import read_helsinki_annotations

    folder = Path(data_root) / "helsinki-neonatal" / "annotations"
    if not folder.is_dir():
        return
    ann = read_helsinki_annotations(folder)
    if len(ann.experts) < 2:
        return
    rows = []
    for ref, hyp in ((0, 1), (0, 2), (1, 2)):
        if hyp >= len(ann.experts):
            continue
        pairs = [(i, score_masks(ann.labels[i][ref].astype(bool), ann.labels[i][hyp].astype(bool)))
                 for i in ann.infants]
        res = aggregate_scores(pairs)
        ev, sa = res["event_results"], res["sample_results"]
        rows.append({"hypothesis vs reference": f"expert {ann.experts[hyp]} vs {ann.experts[ref]}",
                     "event sens": ev["sensitivity"], "event prec": ev["precision"],
                     "event F1": ev["f1"], "FA/24h": ev["fpRate"], "sample F1": sa["f1"]})
    hours = sum(ann.n_seconds(i) for i in ann.infants) / 3600
    out.write(
        f"\n[3] SzCORE scoring of real annotations: Helsinki neonatal EEG, per-second labels of "
        f"{len(ann.experts)} experts, {len(ann.infants)} infants, {hours:.0f} h\n"
        "    one expert scored as a detector against another (timescoring; sums per infant,\n"
        "    mean over infants): the ceiling a detector can be judged against on this data.\n\n")
    out.write(format_table(rows, list(rows[0])) + "\n")


def run(args, out=None):
    """Run the demo with parsed, validated ``args``; returns the exit status (0)."""
    out = out or sys.stdout
    check_output(args.figure, args.overwrite, "--figure")
    if args.figure.suffix.lower() not in FIGURE_FORMATS:
        raise UsageError(f"argument --figure: {args.figure} must end with one of "
                         f"{', '.join(FIGURE_FORMATS)}")
    data = _load_subject_wise_data(args)  # every check happens before any output

    import torch

    from skseizure.datasets import locate_data

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    out.write("skseizure demo: seizure detection on real EEG\n")
    _demo_detection(out, data_root=None if data is None else locate_data(args.data),
                    figure=args.figure, overwrite=args.overwrite)
    _demo_shipped_sample(out)
    if data is None:
        out.write(
            "\n[2] No real-data folder found (--data, $SKSEIZURE_DATA or ../shared/data): "
            "the subject-wise part is skipped.\n"
        )
    else:
        _demo_helsinki(data, out, n_splits=args.folds, max_epochs=args.epochs,
                       random_state=args.seed)
    if data is not None:
        _demo_interrater(out, locate_data(args.data))
    out.write(f"\nDone in {time.perf_counter() - t0:.0f} s.\n")
    return 0
