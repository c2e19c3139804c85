"""From window probabilities of one recording to seizure events, and back to masks.

A detector scores windows; a clinician reads events. :func:`probabilities_to_events`
turns the probabilities of the windows of one recording into events (onset, duration,
confidence) with smoothing, a threshold, a minimum duration and a merge gap, and
:func:`events_to_mask` renders events as the 1-Hz binary mask that SzCORE scoring
compares (Dan et al., 2024, "SzCORE: seizure community open-source research evaluation
framework for the validation of electroencephalography-based automated seizure detection
algorithms", Epilepsia, doi:10.1111/epi.18113).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import uniform_filter1d

__all__ = ["SeizureEvent", "probabilities_to_events", "events_to_mask", "window_steps"]


@dataclass(frozen=True)
class SeizureEvent:
    """One detected (or annotated) seizure.

    Attributes
    ----------
    onset : float
        Start in seconds from the first sample of the recording.
    duration : float
        Length in seconds (> 0).
    confidence : float
        Detector confidence in [0, 1] (the largest smoothed window probability inside the
        event); NaN when unknown (e.g. a reference annotation).
    channels : tuple of str
        Channels the event is seen on; empty when unknown or all.
    """

    onset: float
    duration: float
    confidence: float = math.nan
    channels: tuple = field(default=())

    @property
    def end(self):
        """``onset + duration`` in seconds."""
        return self.onset + self.duration


def _check_positive(value, name, *, allow_zero=False):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}.")
    return float(value)


def window_steps(window_starts, window_length):
    """The stretch of time each window speaks for.

    Windows cut with a step shorter than their length overlap; each window then speaks
    for the step-long stretch around its centre, so that one positive window does not
    become an event as long as the window. Windows that do not overlap speak for
    themselves.

    Parameters
    ----------
    window_starts : array-like of shape (n_windows,)
        Start of each window in seconds, strictly increasing.
    window_length : float
        Length of every window in seconds.

    Returns
    -------
    begins, ends : ndarray of shape (n_windows,)
        Seconds.
    """
    starts = np.asarray(window_starts, dtype=float)
    length = _check_positive(window_length, "window_length")
    if starts.ndim != 1 or starts.size == 0:
        raise ValueError(f"window_starts must be a non-empty 1-D array; got shape {starts.shape}.")
    if not np.all(np.isfinite(starts)):
        raise ValueError("window_starts contains NaN or infinite values.")
    if starts.size > 1 and np.any(np.diff(starts) <= 0):
        raise ValueError("window_starts must be strictly increasing (one recording, in time order).")
    step = float(np.median(np.diff(starts))) if starts.size > 1 else length
    step = min(step, length)
    centre = starts + length / 2.0
    return centre - step / 2.0, centre + step / 2.0


def _runs(mask):
    """(first, last) indices (inclusive) of each run of True values."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2], edges[1::2] - 1))


def probabilities_to_events(proba, window_starts, window_length, *, threshold=0.5, smoothing=1,
                            min_duration=0.0, merge_gap=0.0, recording_duration=None):
    """Turn the seizure probabilities of one recording's windows into events.

    Steps: a centred moving average over ``smoothing`` windows, a threshold, runs of
    windows above it become intervals (each window speaks for its step, see
    :func:`window_steps`), intervals closer than ``merge_gap`` seconds are merged, and
    events shorter than ``min_duration`` seconds are dropped.

    Parameters
    ----------
    proba : array-like of shape (n_windows,)
        Probability of seizure for each window, in [0, 1].
    window_starts : array-like of shape (n_windows,)
        Start of each window in seconds from the recording's first sample, increasing.
    window_length : float
        Window length in seconds.
    threshold : float, default=0.5
        A window is positive when its smoothed probability is >= ``threshold``.
    smoothing : int, default=1
        Length (in windows) of the centred moving average; 1 means none.
    min_duration : float, default=0.0
        Events shorter than this (seconds) are dropped after merging.
    merge_gap : float, default=0.0
        Events separated by less than this (seconds) are merged.
    recording_duration : float or None
        Events are clipped to ``[0, recording_duration]`` when given.

    Returns
    -------
    events : list of SeizureEvent
        In time order; ``confidence`` is the largest smoothed probability in the event.
    """
    p = np.asarray(proba, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"proba must be 1-D (one probability per window); got shape {p.shape}.")
    if p.size and (not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1):
        raise ValueError("proba must hold finite probabilities in [0, 1].")
    begins, ends = window_steps(window_starts, window_length)
    if begins.size != p.size:
        raise ValueError(f"proba has {p.size} values for {begins.size} window starts.")
    threshold = _check_positive(threshold, "threshold", allow_zero=True)
    if threshold > 1:
        raise ValueError(f"threshold must be in [0, 1]; got {threshold}.")
    if not isinstance(smoothing, numbers.Integral) or isinstance(smoothing, bool) or smoothing < 1:
        raise ValueError(f"smoothing must be an integer >= 1 (windows); got {smoothing!r}.")
    min_duration = _check_positive(min_duration, "min_duration", allow_zero=True)
    merge_gap = _check_positive(merge_gap, "merge_gap", allow_zero=True)
    if recording_duration is not None:
        recording_duration = _check_positive(recording_duration, "recording_duration")

    smooth = uniform_filter1d(p, size=int(smoothing), mode="nearest") if smoothing > 1 else p
    intervals = [[begins[a], ends[b], float(smooth[a:b + 1].max())]
                 for a, b in _runs(smooth >= threshold)]
    merged = []
    for iv in intervals:
        if merged and iv[0] - merged[-1][1] < merge_gap:
            merged[-1][1] = max(merged[-1][1], iv[1])
            merged[-1][2] = max(merged[-1][2], iv[2])
        else:
            merged.append(list(iv))
    events = []
    for onset, end, conf in merged:
        onset = max(0.0, onset)
        if recording_duration is not None:
            end = min(end, recording_duration)
        if end - onset >= max(min_duration, 1e-9):
            events.append(SeizureEvent(float(onset), float(end - onset), conf))
    return events


def events_to_mask(events, recording_duration, fs=1):
    """Binary mask of ``events`` sampled at ``fs`` Hz, the SzCORE way.

    The mask has ``int(recording_duration * fs)`` samples and sample ``i`` is True when
    ``int(onset * fs) <= i < int((onset + duration) * fs)`` for some event, as the
    reference ``epilepsy2bids`` annotations render ``*_events.tsv`` files for scoring.

    Parameters
    ----------
    events : iterable
        Objects with ``onset`` and ``duration`` in seconds (e.g. :class:`SeizureEvent`,
        seizure rows of a BIDS events file), or ``(onset, duration)`` pairs.
    recording_duration : float
        Seconds.
    fs : int, default=1
        Mask sampling rate in Hz.

    Returns
    -------
    mask : ndarray of bool, shape (int(recording_duration * fs),)
    """
    recording_duration = _check_positive(recording_duration, "recording_duration")
    mask = np.zeros(int(recording_duration * fs), dtype=bool)
    for ev in events:
        onset, duration = (ev.onset, ev.duration) if hasattr(ev, "onset") else ev
        if duration < 0 or onset < 0:
            raise ValueError(f"event ({onset}, {duration}) has a negative onset or duration.")
        mask[int(onset * fs):int((onset + duration) * fs)] = True
    return mask
