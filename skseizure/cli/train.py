"""``skseizure train``: fit a detector of the bundled kind on a data set as distributed.

The data set folder is indexed with :func:`skseizure.datasets.load_recordings` (CHB-MIT,
Siena, BIDS/SzCORE, TUSZ, Helsinki layouts); every recording goes through the bundled
detector's recipe (montage, resampling, band-pass, windows, standardisation; the recipe
of the shipped configuration) and a window is labelled seizure when at least half of it
lies in an annotated seizure. A :class:`~skseizure.estimators.ChannelPooledClassifier`
is evaluated under subject-wise ``GroupKFold`` (window AUROC, sensitivity, specificity;
SzCORE event scores of the out-of-fold detections) and then fitted on every subject.

The model folder MODEL holds the configuration (JSON), the weights (a safe skseizure
model file) and ``training_report.json``; ``skseizure detect --model MODEL`` uses it.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

from ._common import (
    UsageError,
    check_output,
    existing_folder,
    format_table,
    int_at_least,
    output_path,
    seed,
    supported_format_version,
)

HELP = "train a seizure detector on a data set folder, with a subject-wise report"
REPORT_FILE = "training_report.json"

#: Recipe used when the package data holds no bundled configuration to copy.
DEFAULT_CONFIG = {
    "sfreq": 64.0, "band": [0.5, 25.0], "window_length": 1.0, "window_step": 0.5,
    "standardization": "window", "montage": {},
    "postprocessing": {"threshold": 0.5, "smoothing": 9, "min_duration": 8.0,
                       "merge_gap": 10.0, "channel_threshold": 0.5},
}


def add_parser(subparsers):
    """Register ``train`` and its options on the ``skseizure`` sub-command parsers."""
    parser = subparsers.add_parser("train", help=HELP, description=HELP + ".")
    parser.add_argument("data", type=existing_folder, metavar="DATA",
                        help="data set folder as distributed (CHB-MIT, Siena, BIDS, TUSZ, Helsinki)")
    parser.add_argument("--out", type=output_path, required=True, metavar="MODEL",
                        help="model folder to write")
    parser.add_argument("--folds", type=int_at_least(2), default=5,
                        help="subject-wise GroupKFold splits, 2 to the number of subjects "
                             "(default 5)")
    parser.add_argument("--epochs", type=int_at_least(1), default=30,
                        help="maximum training epochs, >= 1 (default 30)")
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    parser.add_argument("--threads", type=int_at_least(1), default=1,
                        help="torch threads, >= 1 (default 1)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing MODEL")
    parser.set_defaults(run=run)
    return parser


def base_config():
    """The recipe of the shipped detector (a dict), or :data:`DEFAULT_CONFIG`."""
    from importlib import resources

    from skseizure.detection.bundled import CONFIG_FILE

    shipped = resources.files("skseizure.detection") / "data" / CONFIG_FILE
    if shipped.is_file():
        cfg = json.loads(shipped.read_text(encoding="utf-8"))
    else:
        cfg = json.loads(json.dumps(DEFAULT_CONFIG))
    cfg["format_version"] = supported_format_version()
    return cfg


def recording_windows(recipe, recording):
    """Recipe windows of one loaded recording and their labels (>= 50 % seizure).

    Returns
    -------
    X : ndarray of shape (n_windows, n_channels, n_times), float32
    start : ndarray of shape (n_windows,)
        Seconds.
    y : ndarray of shape (n_windows,), int
    """
    X, start, _, _ = recipe.prepare(recording.data, recording.sfreq, recording.ch_names)
    length = recipe.config["window_length"]
    overlap = np.zeros(len(start))
    for a, b in recording.seizures:
        overlap += np.clip(np.minimum(start + length, b) - np.maximum(start, a), 0, None)
    return X, start, (overlap >= length / 2).astype(int)


def _load(data_dir, recipe, out):
    from skseizure.datasets import load_recordings
    from skseizure.detection.bundled import BundledDetectorInputError

    corpus = load_recordings(data_dir)
    parts = []
    for lazy in corpus:
        rec = lazy.load()
        try:
            X, start, y = recording_windows(recipe, rec)
        except BundledDetectorInputError as exc:  # e.g. no EEG channel, flat, too short
            out.write(f"  {rec.subject}/{rec.name}: skipped ({exc})\n")
            continue
        parts.append({"name": rec.name, "subject": str(rec.subject), "X": X, "start": start,
                      "y": y, "duration": rec.data.shape[1] / rec.sfreq,
                      "seizures": list(rec.seizures)})
        out.write(f"  {rec.subject}/{rec.name}: {len(y)} windows, {int(y.sum())} seizure, "
                  f"{X.shape[1]} channels\n")
    if not parts:
        raise UsageError(f"no recording of {data_dir} could be used")
    labels = {int(v) for p in parts for v in np.unique(p["y"])}
    if labels != {0, 1}:
        raise UsageError(f"{data_dir} gives windows of class {sorted(labels)} only; training "
                         "needs seizure and non-seizure windows")
    counts = {p["X"].shape[1] for p in parts}
    if len(counts) > 1:
        raise UsageError(f"the recordings give montages of different channel counts {sorted(counts)}; "
                         "train on recordings with one channel set")
    return parts


def _classifier(args):
    from skseizure.estimators import ChannelPooledClassifier

    return ChannelPooledClassifier(max_epochs=args.epochs, lr=0.005, batch_size=64, patience=8,
                                   class_weight="balanced", random_state=args.seed)


def _fit(clf, X, y, groups):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return clf.fit(X, y, groups=groups)


def cross_validate(parts, config, args):
    """Subject-wise out-of-fold window and event scores (see the module notes)."""
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    from skseizure.detection import aggregate_scores, score_recording
    from skseizure.detection.bundled import WindowProbabilities
    from skseizure.detection import window_proba_to_events
    from skseizure.metrics import auroc_score, sensitivity_score, specificity_score

    groups = np.array([p["subject"] for p in parts])
    proba = [None] * len(parts)
    for train, test in GroupKFold(n_splits=args.folds).split(parts, groups=groups):
        X = np.concatenate([parts[i]["X"] for i in train])
        y = np.concatenate([parts[i]["y"] for i in train])
        g = np.concatenate([[parts[i]["subject"]] * len(parts[i]["y"]) for i in train])
        clf = _fit(clone(_classifier(args)), X, y, g)
        for i in test:
            proba[i] = (clf.predict_proba(parts[i]["X"])[:, 1], clf.channel_proba(parts[i]["X"]))
    y = np.concatenate([p["y"] for p in parts])
    p = np.concatenate([pr[0] for pr in proba])
    pred = (p >= config["postprocessing"]["threshold"]).astype(int)
    try:
        auroc = float(auroc_score(y, p))
    except ValueError:  # one class only
        auroc = float("nan")
    window = {"auroc": auroc, "sensitivity": float(sensitivity_score(y, pred)),
              "specificity": float(specificity_score(y, pred)), "n_windows": int(len(y)),
              "n_seizure_windows": int(y.sum())}
    pairs = []
    for part, (pw, pc) in zip(parts, proba):
        wp = WindowProbabilities(part["start"], pw.astype(float), pc.astype(float),
                                 tuple(f"ch{k}" for k in range(pc.shape[1])),
                                 float(config["window_length"]), "")
        events = window_proba_to_events(wp, config, part["duration"])
        pairs.append((part["subject"], score_recording(part["seizures"], events, part["duration"])))
    events = aggregate_scores(pairs)
    return {"window_scores": window,
            "event_scores": {k: events[k] for k in ("sample_results", "event_results")},
            "subjects": sorted(set(groups.tolist())), "folds": args.folds}


def save_model(folder, estimator, config, report, *, overwrite=False):
    """Write the configuration, the weights and the report into ``folder``."""
    from skseizure.detection.bundled import CONFIG_FILE, WEIGHTS_FILE

    folder = Path(folder)
    if folder.exists() and overwrite:
        if folder.is_dir():
            for name in (CONFIG_FILE, WEIGHTS_FILE, REPORT_FILE):
                (folder / name).unlink(missing_ok=True)
        else:
            folder.unlink()
    folder.mkdir(exist_ok=True)
    estimator.save(folder / WEIGHTS_FILE)
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (folder / REPORT_FILE).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return folder


def run(args, out=None):
    """Run ``train`` with parsed ``args``; returns the exit status (0)."""
    import torch

    from skseizure import __version__
    from skseizure.detection.bundled import BundledDetector

    from ._common import load_detector

    out = out or sys.stdout
    check_output(args.out, args.overwrite, "--out MODEL")
    torch.set_num_threads(args.threads)
    config = base_config()
    recipe = BundledDetector(_classifier(args), config)
    out.write(f"skseizure train: {args.data}\n")
    parts = _load(args.data, recipe, out)
    n_subjects = len({p["subject"] for p in parts})
    if args.folds > n_subjects:
        raise UsageError(f"argument --folds: {args.folds} folds need at least {args.folds} "
                         f"subjects; {args.data} has {n_subjects}")
    report = cross_validate(parts, config, args)
    rows = [{"scores": "window", **{k: report["window_scores"][k]
                                    for k in ("auroc", "sensitivity", "specificity")}}]
    for kind in ("sample_results", "event_results"):
        r = report["event_scores"][kind]
        rows.append({"scores": kind.split("_")[0], "sensitivity": r["sensitivity"],
                     "precision": r["precision"], "f1": r["f1"], "FA/24h": r["fpRate"]})
    out.write(f"\n{args.folds}-fold GroupKFold by subject ({n_subjects} subjects), out of fold:\n")
    out.write(format_table(rows, ["scores", "auroc", "sensitivity", "specificity", "precision",
                                  "f1", "FA/24h"]) + "\n")
    X = np.concatenate([p["X"] for p in parts])
    y = np.concatenate([p["y"] for p in parts])
    g = np.concatenate([[p["subject"]] * len(p["y"]) for p in parts])
    final = _fit(_classifier(args), X, y, g)
    config = {**config, "version": f"trained with skseizure {__version__}",
              "training_data": [str(args.data)]}
    report["training"] = {"epochs": args.epochs, "seed": args.seed, "n_windows": int(len(y))}
    save_model(args.out, final, config, report, overwrite=args.overwrite)
    load_detector(args.out)  # what detect --model will do
    out.write(f"wrote {args.out} (configuration, weights, {REPORT_FILE})\n")
    return 0
