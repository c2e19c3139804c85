"""Seizure detection on whole recordings, scored the way the field scores it.

Window probabilities of a recording become events (:func:`probabilities_to_events`,
:class:`SeizureDetector`); events are scored with ``timescoring`` the SzCORE way
(:func:`score_recording`, :func:`evaluate_dataset`, :func:`aggregate_scores`); event scorers
(:func:`make_event_scorer`) select detectors in ``GridSearchCV`` under subject-wise folds.
:func:`load_bundled_detector` returns a small detector shipped with the package that
reads any EEG recording (any montage, any rate from 50 Hz).
"""

from .bundled import (
    BundledDetector,
    BundledDetectorInputError,
    WindowProbabilities,
    eeg_channel_mask,
    load_bundled_detector,
    window_proba_to_events,
    standardize_windows,
)
from .detector import SeizureDetector, split_by_recording
from .evaluate import EvaluationError, evaluate_dataset, recording_mask
from .events import SeizureEvent, events_to_mask, probabilities_to_events, window_steps
from .scorers import EventScorer, make_event_scorer
from .scoring import METRICS, RecordingScore, ScoreCounts, aggregate_scores, score_masks, score_recording
from .streaming import ArraySource, EDFSource, stream_window_proba
from .plots import plot_detection

__all__ = [
    "SeizureEvent",
    "probabilities_to_events",
    "events_to_mask",
    "window_steps",
    "SeizureDetector",
    "split_by_recording",
    "EventScorer",
    "make_event_scorer",
    "METRICS",
    "ScoreCounts",
    "RecordingScore",
    "score_masks",
    "score_recording",
    "aggregate_scores",
    "EvaluationError",
    "evaluate_dataset",
    "recording_mask",
    "load_bundled_detector",
    "BundledDetector",
    "BundledDetectorInputError",
    "WindowProbabilities",
    "eeg_channel_mask",
    "standardize_windows",
    "stream_window_proba",
    "window_proba_to_events",
    "EDFSource",
    "ArraySource",
    "plot_detection",
]
