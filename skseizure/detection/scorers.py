"""Event-level scorers for ``cross_validate`` and ``GridSearchCV``.

An event scorer needs to know which windows belong to which recording and when each
starts. Both travel as metadata beside ``X`` and ``y``: with
``sklearn.set_config(enable_metadata_routing=True)``, pass ``recording=...`` and
``start=...`` (one value per window) in ``params`` of ``cross_validate`` or to
``GridSearchCV.fit``; they are split with the folds like ``y``. ``subject=...`` is optional:
with it, counts are summed per subject before averaging, as SzCORE does; without it, each
recording counts as a subject.

The reference events of a recording are rebuilt from its window labels (runs of seizure
windows), so the scorer measures how well the detector recovers the labelled seizures at
event level; for the scores of annotated events use
:func:`~skseizure.detection.score_recording` or :func:`~skseizure.detection.evaluate_dataset`.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.metadata_routing import MetadataRequest

from .detector import split_by_recording
from .events import probabilities_to_events
from .scoring import aggregate_scores, score_recording

__all__ = ["EventScorer", "make_event_scorer"]

_ALIASES = {"f1": "f1", "sensitivity": "sensitivity", "precision": "precision",
            "fp_rate": "fpRate", "fpRate": "fpRate"}


class EventScorer:
    """Score a detector's events against the events implied by the window labels.

    Parameters
    ----------
    metric : {"f1", "sensitivity", "precision", "fp_rate"}, default="f1"
        SzCORE figure to return (``fp_rate``: false alarms per 24 h).
    level : {"event", "sample"}, default="event"
        Event scoring (SzCORE any-overlap) or sample (1-Hz) scoring.
    greater_is_better : bool or None
        None: True for all but ``fp_rate``; the scorer returns the negated rate when False,
        so that larger is always better for model selection.
    """

    def __init__(self, metric="f1", level="event", greater_is_better=None):
        if metric not in _ALIASES:
            raise ValueError(f"metric must be one of {sorted(_ALIASES)}; got {metric!r}.")
        if level not in ("event", "sample"):
            raise ValueError(f"level must be 'event' or 'sample'; got {level!r}.")
        self.metric = metric
        self.level = level
        self.greater_is_better = greater_is_better

    def __repr__(self):
        return f"EventScorer(metric={self.metric!r}, level={self.level!r})"

    def get_metadata_routing(self):
        """Request ``recording``, ``start`` and ``subject`` for ``score`` (metadata routing)."""
        request = MetadataRequest(owner=type(self).__name__)
        for name in ("recording", "start", "subject"):
            request.score.add_request(param=name, alias=True)
        return request

    def _sign(self):
        gib = self.greater_is_better
        if gib is None:
            gib = _ALIASES[self.metric] != "fpRate"
        return 1.0 if gib else -1.0

    def __call__(self, estimator, X, y_true, recording=None, start=None, subject=None):
        """Score ``estimator`` on windows ``X`` with labels ``y_true``.

        Parameters
        ----------
        estimator : SeizureDetector
            A fitted detector (anything with ``predict_events``, ``positive_label`` and
            ``window_length``).
        X : array-like of shape (n_windows, ...)
            Windows.
        y_true : array-like of shape (n_windows,)
            Window labels.
        recording, start, subject : array-like of shape (n_windows,)
            Routed metadata; ``start`` (seconds) is required.

        Returns
        -------
        score : float
            The chosen figure, averaged over subjects (NaN ignored); negated for
            ``fp_rate`` unless ``greater_is_better=True``.
        """
        if start is None:
            raise ValueError("event scoring needs the window start times: route start=... as "
                             "metadata (sklearn.set_config(enable_metadata_routing=True)).")
        for name in ("predict_events", "window_length", "positive_label"):
            if not hasattr(estimator, name):
                raise TypeError(f"event scorers need a SeizureDetector; {type(estimator).__name__} "
                                f"has no {name!r}.")
        y_true = np.asarray(y_true)
        start = np.asarray(start, dtype=float)
        hyp = estimator.predict_events(X, start=start, recording=(
            np.zeros(len(start), dtype=int) if recording is None else recording))
        subjects = None if subject is None else np.asarray(subject)
        pairs = []
        for rec, idx in split_by_recording(start, recording).items():
            key = 0 if recording is None else rec
            s = start[idx]
            duration = float(s.max() + estimator.window_length)
            labels = (y_true[idx] == estimator.positive_label).astype(float)
            ref = probabilities_to_events(labels, s, estimator.window_length, threshold=0.5)
            who = rec if subjects is None else subjects[idx][0]
            pairs.append((who, score_recording(ref, hyp[key], duration)))
        result = aggregate_scores(pairs)[f"{self.level}_results"]
        return self._sign() * float(result[_ALIASES[self.metric]])


def make_event_scorer(metric="f1", level="event", greater_is_better=None):
    """An SzCORE scorer for ``cross_validate`` / ``GridSearchCV`` (see :class:`EventScorer`).

    Parameters
    ----------
    metric : {"f1", "sensitivity", "precision", "fp_rate"}, default="f1"
    level : {"event", "sample"}, default="event"
    greater_is_better : bool or None

    Returns
    -------
    EventScorer
    """
    return EventScorer(metric=metric, level=level, greater_is_better=greater_is_better)

