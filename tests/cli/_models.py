"""A small detector of the bundled kind, fitted in seconds, for the command tests."""

import json

import numpy as np

CONFIG = {"format_version": 1, "version": "test", "sfreq": 64.0, "band": [0.5, 25.0],
          "window_length": 1.0, "window_step": 0.5, "standardization": "window", "montage": {},
          "postprocessing": {"threshold": 0.5, "smoothing": 3, "min_duration": 2.0,
                             "merge_gap": 2.0, "channel_threshold": 0.5}}


def small_detector(config=None):
    """A :class:`BundledDetector` whose network learnt louder-is-seizure on seeded noise."""
    from skseizure.detection.bundled import BundledDetector
    from skseizure.estimators.channel_pooled import ChannelPooledClassifier

    cfg = json.loads(json.dumps(config or CONFIG))
    n = int(cfg["window_length"] * cfg["sfreq"])
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3, n)).astype(np.float32)
    y = np.arange(64) % 2
    X[y == 1, 0] *= 4.0
    clf = ChannelPooledClassifier(max_epochs=3, random_state=0, module__n_filters=(4, 4, 4),
                                  valid_size=None)
    clf.fit(X, y)
    return BundledDetector(clf, cfg)


def save_detector(folder, detector, config=None):
    """Write ``detector`` as a model folder (what ``skseizure train`` writes)."""
    from skseizure.cli.train import save_model

    return save_model(folder, detector.estimator, config or detector.config, {"test": True})
