"""Sample and event scores the SzCORE way, on top of ``timescoring``.

One recording is scored by ``timescoring`` (Dan & Pale): sample scoring on 1-Hz masks and
event scoring with the SzCORE defaults — a reference event is detected when any hypothesis
event overlaps it once the reference is widened 30 s before and 60 s after; events closer
than 90 s are merged and events longer than 5 min split; false alarms are counted per 24 h.
A data set is scored as the reference evaluator of the 2025 seizure-detection challenge
(``szcore-evaluation``) does: the counts of a subject's recordings are summed, each subject's
sensitivity, precision, F1 and false-alarm rate are computed from its sums, and the data-set
figure is the mean over subjects ignoring NaN (``*_std``: the standard deviation).

Reference: Dan et al., 2024, "SzCORE: seizure community open-source research evaluation
framework for the validation of electroencephalography-based automated seizure detection
algorithms", Epilepsia, doi:10.1111/epi.18113.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from timescoring import scoring as ts_scoring
from timescoring.annotations import Annotation

from .events import events_to_mask

__all__ = [
    "METRICS",
    "ScoreCounts",
    "RecordingScore",
    "score_recording",
    "score_masks",
    "aggregate_scores",
]

#: The four figures SzCORE reports for sample and for event scoring.
METRICS = ("sensitivity", "precision", "f1", "fpRate")


@dataclass
class ScoreCounts:
    """Counts behind one score, summable over recordings.

    Attributes
    ----------
    tp, fp, ref_true : int
        True detections, false alarms, reference positives (samples or events).
    duration : float
        Seconds of recording these counts come from.
    """

    tp: int = 0
    fp: int = 0
    ref_true: int = 0
    duration: float = 0.0

    def __add__(self, other):
        return ScoreCounts(self.tp + other.tp, self.fp + other.fp,
                           self.ref_true + other.ref_true, self.duration + other.duration)

    @property
    def sensitivity(self):
        """``tp / ref_true``; NaN without reference positives."""
        return self.tp / self.ref_true if self.ref_true > 0 else math.nan

    @property
    def precision(self):
        """``tp / (tp + fp)``; NaN without any detection."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp > 0 else math.nan

    @property
    def f1(self):
        """``2 tp / (2 tp + fp + fn)``; NaN only with neither reference positives nor false alarms."""
        if self.ref_true + self.fp == 0:
            return math.nan
        return 2 * self.tp / (2 * self.tp + self.fp + (self.ref_true - self.tp))

    @property
    def fpRate(self):  # noqa: N802  (the SzCORE key)
        """False alarms per 24 h."""
        return self.fp / (self.duration / 3600 / 24) if self.duration > 0 else math.nan

    def as_dict(self):
        """The four SzCORE figures and the counts."""
        out = {m: float(getattr(self, m)) for m in METRICS}
        out.update(tp=int(self.tp), fp=int(self.fp), refTrue=int(self.ref_true),
                   duration=float(self.duration))
        return out


@dataclass
class RecordingScore:
    """Sample and event counts of one recording."""

    sample: ScoreCounts
    event: ScoreCounts


def _counts(score, duration):
    return ScoreCounts(int(score.tp), int(score.fp), int(score.refTrue), float(duration))


def score_masks(ref_mask, hyp_mask, fs=1):
    """Score two binary masks of one recording with ``timescoring``.

    Parameters
    ----------
    ref_mask, hyp_mask : array-like of bool, shape (n_samples,)
        Reference and hypothesis, sampled at ``fs`` Hz, same length.
    fs : int, default=1
        Mask sampling rate in Hz.

    Returns
    -------
    RecordingScore
    """
    ref_mask = np.asarray(ref_mask, dtype=bool)
    hyp_mask = np.asarray(hyp_mask, dtype=bool)
    if ref_mask.ndim != 1 or ref_mask.shape != hyp_mask.shape:
        raise ValueError(
            f"reference and hypothesis masks must be 1-D and of equal length; got "
            f"{ref_mask.shape} and {hyp_mask.shape}."
        )
    if ref_mask.size == 0:
        raise ValueError("cannot score a recording of zero length.")
    ref, hyp = Annotation(ref_mask, fs), Annotation(hyp_mask, fs)
    duration = ref_mask.size / fs
    return RecordingScore(_counts(ts_scoring.SampleScoring(ref, hyp), duration),
                          _counts(ts_scoring.EventScoring(ref, hyp), duration))


def score_recording(reference, hypothesis, recording_duration, fs=1):
    """Score the events of one recording, SzCORE defaults.

    Parameters
    ----------
    reference, hypothesis : iterable
        Events with ``onset``/``duration`` in seconds (:class:`~skseizure.detection.SeizureEvent`,
        seizure rows of a BIDS events file) or ``(onset, duration)`` pairs. Only seizures:
        filter out background rows first.
    recording_duration : float
        Seconds.
    fs : int, default=1
        Rate of the masks the events are rendered on (SzCORE: 1 Hz).

    Returns
    -------
    RecordingScore
        ``.sample`` and ``.event`` counts; each has ``sensitivity``, ``precision``, ``f1`` and
        ``fpRate`` (false alarms per 24 h).
    """
    return score_masks(events_to_mask(reference, recording_duration, fs),
                       events_to_mask(hypothesis, recording_duration, fs), fs)


def aggregate_scores(scores):
    """Aggregate recording scores per subject, then over subjects (SzCORE data-set scores).

    Parameters
    ----------
    scores : iterable of (subject, RecordingScore)
        One pair per recording.

    Returns
    -------
    result : dict
        ``{"sample_results": {...}, "event_results": {...}, "subjects": {...}}``. The first
        two hold ``sensitivity``, ``precision``, ``f1``, ``fpRate`` (mean over subjects,
        NaN ignored) and the same names with ``_std`` (standard deviation over subjects,
        NaN ignored) — the keys of ``szcore-evaluation``. ``subjects`` maps each subject to
        its own ``{"sample": {...}, "event": {...}}`` figures and counts.
    """
    per_subject = {}
    for subject, score in scores:
        acc = per_subject.setdefault(str(subject), [ScoreCounts(), ScoreCounts()])
        acc[0] = acc[0] + score.sample
        acc[1] = acc[1] + score.event
    if not per_subject:
        raise ValueError("no recordings to aggregate.")
    result = {}
    for key, idx in (("sample_results", 0), ("event_results", 1)):
        agg = {}
        for metric in METRICS:
            values = np.array([getattr(v[idx], metric) for v in per_subject.values()], dtype=float)
            finite = values[~np.isnan(values)]
            agg[metric] = float(finite.mean()) if finite.size else math.nan
            agg[f"{metric}_std"] = float(finite.std()) if finite.size else math.nan
        result[key] = agg
    result["subjects"] = {s: {"sample": v[0].as_dict(), "event": v[1].as_dict()}
                          for s, v in sorted(per_subject.items())}
    return result
