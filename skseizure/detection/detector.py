"""The detector meta-estimator: any fitted window classifier, turned into seizure events."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.validation import check_is_fitted

from .events import probabilities_to_events

__all__ = ["SeizureDetector", "split_by_recording"]


def split_by_recording(start, recording=None):
    """Group window indices by recording, each group in time order.

    Parameters
    ----------
    start : array-like of shape (n_windows,)
        Window start times in seconds (within their recording).
    recording : array-like of shape (n_windows,) or None
        Recording id of each window; None: all windows come from one recording.

    Returns
    -------
    groups : dict
        ``{recording_id: indices}``, indices sorted by start time. With
        ``recording=None`` the single key is ``None``.
    """
    start = np.asarray(start, dtype=float)
    if start.ndim != 1:
        raise ValueError(f"start must be 1-D (one time per window); got shape {start.shape}.")
    if recording is None:
        return {None: np.argsort(start, kind="stable")}
    recording = np.asarray(recording)
    if recording.shape != start.shape:
        raise ValueError(f"recording has shape {recording.shape} but start has shape {start.shape}.")
    out = {}
    for rec in dict.fromkeys(recording.tolist()):
        idx = np.flatnonzero(recording == rec)
        out[rec] = idx[np.argsort(start[idx], kind="stable")]
    return out


class SeizureDetector(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A window classifier whose probabilities become seizure events.

    Wraps any classifier or :class:`~sklearn.pipeline.Pipeline` with ``predict_proba``.
    ``fit``, ``predict`` and ``predict_proba`` are those of the window classifier;
    :meth:`predict_events` smooths the seizure probabilities of each recording's windows,
    thresholds them and turns runs of positive windows into events. The post-processing
    parameters are parameters of this estimator, so ``GridSearchCV`` can tune them with an
    event scorer (:func:`~skseizure.detection.make_event_scorer`).

    Parameters
    ----------
    estimator : estimator
        The window classifier (cloned in ``fit``).
    window_length : float
        Window length in seconds (the windows ``fit`` and ``predict_events`` receive).
    threshold : float, default=0.5
        Smoothed probability at or above which a window is positive.
    smoothing : int, default=1
        Centred moving average over this many windows (1: none).
    min_duration : float, default=0.0
        Events shorter than this many seconds are dropped.
    merge_gap : float, default=0.0
        Events separated by less than this many seconds are merged.
    positive_label : object, default=1
        The class that means "seizure".

    Attributes
    ----------
    estimator_ : estimator
        The fitted window classifier.
    classes_ : ndarray
        Its classes.
    """

    def __init__(self, estimator, *, window_length, threshold=0.5, smoothing=1, min_duration=0.0,
                 merge_gap=0.0, positive_label=1):
        self.estimator = estimator
        self.window_length = window_length
        self.threshold = threshold
        self.smoothing = smoothing
        self.min_duration = min_duration
        self.merge_gap = merge_gap
        self.positive_label = positive_label

    def fit(self, X, y, **fit_params):
        """Fit the window classifier.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows.
        y : array-like of shape (n_windows,)
            Window labels; must contain ``positive_label``.
        **fit_params : dict
            Passed to the window classifier's ``fit`` (e.g. ``groups``).

        Returns
        -------
        self : SeizureDetector
        """
        if not hasattr(self.estimator, "predict_proba"):
            raise TypeError(f"{type(self.estimator).__name__} has no predict_proba; the detector "
                            "needs window probabilities.")
        # validates the post-processing parameters before the (possibly long) fit
        probabilities_to_events(np.zeros(1), [0.0], self.window_length, threshold=self.threshold,
                                smoothing=self.smoothing, min_duration=self.min_duration,
                                merge_gap=self.merge_gap)
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        classes = list(self.estimator_.classes_)
        if self.positive_label not in classes:
            raise ValueError(f"positive_label {self.positive_label!r} is not among the classes "
                             f"seen in fit: {classes}.")
        return self

    @property
    def classes_(self):
        """Classes of the fitted window classifier."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.classes_

    def predict(self, X):
        """Window labels, shape (n_windows,)."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        """Window class probabilities, shape (n_windows, n_classes)."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    def seizure_proba(self, X):
        """Probability of ``positive_label`` for each window, shape (n_windows,)."""
        col = list(self.classes_).index(self.positive_label)
        return np.asarray(self.predict_proba(X))[:, col]

    def events_from_proba(self, proba, start, recording_duration=None):
        """Events of one recording from its windows' seizure probabilities.

        Parameters
        ----------
        proba : array-like of shape (n_windows,)
            Seizure probability of each window.
        start : array-like of shape (n_windows,)
            Window start times in seconds, increasing.
        recording_duration : float or None
            Clip events to the recording.

        Returns
        -------
        events : list of SeizureEvent
        """
        return probabilities_to_events(
            proba, start, self.window_length, threshold=self.threshold, smoothing=self.smoothing,
            min_duration=self.min_duration, merge_gap=self.merge_gap,
            recording_duration=recording_duration)

    def predict_events(self, X, start, recording=None, recording_duration=None):
        """Seizure events of one or several recordings.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            The windows of the recording(s).
        start : array-like of shape (n_windows,)
            Start of each window in seconds within its recording.
        recording : array-like of shape (n_windows,) or None
            Recording id of each window; None: one recording.
        recording_duration : float, dict or None
            Duration in seconds (a dict ``{recording: seconds}`` for several) to clip events.

        Returns
        -------
        events : list of SeizureEvent or dict
            A list for one recording; ``{recording: list}`` when ``recording`` is given.
        """
        proba = self.seizure_proba(X)
        if len(proba) != len(np.asarray(start)):
            raise ValueError(f"start has {len(np.asarray(start))} values for {len(proba)} windows.")
        out = {}
        for rec, idx in split_by_recording(start, recording).items():
            dur = recording_duration.get(rec) if isinstance(recording_duration, dict) else recording_duration
            out[rec] = self.events_from_proba(proba[idx], np.asarray(start, dtype=float)[idx], dur)
        return out[None] if recording is None else out
