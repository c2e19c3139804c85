"""Seizure clips for seizure-type classification and the four-class merge of TUSZ types.

Recipe of Tang et al. (2022, "Self-supervised graph neural networks for improved
electroencephalographic seizure analysis", ICLR, Section 3 and their released code): one
clip per seizure, starting 2 s before the annotated onset (but not before the end of the
previous seizure of the recording), truncated at the seizure's end, at most ``clip_s``
seconds (12 or 60), cut into whole one-second steps; shorter clips are padded to
``clip_s`` and their number of valid steps (``seq_lengths``) is recorded. The network reads
its output at the last valid step; :class:`skseizure.estimators.DCRNNClassifier` takes the
clips as ``{"x": features, "seq_lengths": lengths}``, excludes the padding from its
standardisation constants and from the correlation graph, and sets it to 0 after
standardisation (the authors' ``padding_val=0``).

Seizure types (Shah et al. 2018, "The Temple University Hospital Seizure Detection
Corpus", Frontiers in Neuroinformatics 12:83, doi:10.3389/fninf.2018.00083) are merged
into the paper's four classes: combined focal ``CF`` (FNSZ, SPSZ, CPSZ), generalised
non-specific ``GN`` (GNSZ), absence ``AB`` (ABSZ) and combined tonic ``CT`` (TNSZ,
TCSZ); the other types (myoclonic MYSZ, atonic ATSZ, clonic CNSZ, unspecified SEIZ) are
dropped as in the paper.

Nothing here depends on torch or scikit-learn.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "SEIZURE_TYPE_CLASSES",
    "TUSZ_FOUR_CLASSES",
    "merge_seizure_types",
    "seizure_onset_clips",
    "typed_seizures",
]

#: The four seizure-type classes of Tang et al. (2022), in their label order 0..3.
SEIZURE_TYPE_CLASSES = ("CF", "GN", "AB", "CT")

#: TUSZ seizure type (lower case) -> four-class label; types not listed are dropped.
TUSZ_FOUR_CLASSES = {
    "fnsz": "CF", "spsz": "CF", "cpsz": "CF",
    "gnsz": "GN",
    "absz": "AB",
    "tnsz": "CT", "tcsz": "CT",
}


def merge_seizure_types(types):
    """Merge TUSZ seizure types into the paper's four classes.

    Parameters
    ----------
    types : array-like of str, shape (n,)
        TUSZ labels (any case: ``"FNSZ"``, ``"cpsz"`` ...).

    Returns
    -------
    labels : ndarray of str, shape (n_kept,)
        ``"CF"``, ``"GN"``, ``"AB"`` or ``"CT"`` (:data:`SEIZURE_TYPE_CLASSES`).
    kept : ndarray of int, shape (n_kept,)
        Indices into ``types`` of the seizures kept (the others are dropped).

    Raises
    ------
    ValueError
        A label that is not text.

    Examples
    --------
    >>> merge_seizure_types(["FNSZ", "mysz", "TCSZ", "absz"])
    (array(['CF', 'CT', 'AB'], dtype='<U2'), array([0, 2, 3]))
    """
    labels, kept = [], []
    for i, t in enumerate(types):
        if not isinstance(t, str):
            raise ValueError(f"seizure type {i} is {t!r}, not a TUSZ label such as 'fnsz'.")
        merged = TUSZ_FOUR_CLASSES.get(t.strip().lower())
        if merged is not None:
            labels.append(merged)
            kept.append(i)
    return np.asarray(labels, dtype="<U2"), np.asarray(kept, dtype=np.int64)


def typed_seizures(events):
    """Seizures with their type from channel-level TUSZ rows (``.csv`` files of TUSZ v2).

    TUSZ v2 gives seizure types only in its channel-based ``.csv`` files: one row per
    channel and event (:func:`skseizure.io.read_tusz_csv_bi` reads them). Overlapping or
    touching seizure rows of any channel are merged into one seizure; its type is the
    label covering the most channel-seconds in it (ties: alphabetical). Background rows and
    the untyped ``seiz`` label (``.csv_bi`` files) are ignored.

    Parameters
    ----------
    events : iterable of TuszEvent
        Or any objects with ``start``, ``stop`` and ``label`` attributes.

    Returns
    -------
    seizures : list of (float, float, str)
        ``(start_s, stop_s, type)`` sorted by start, type lower case (``"fnsz"`` ...).
        Feed ``[(s, e) for s, e, _ in seizures]`` to :func:`seizure_onset_clips` and the
        types of the kept clips to :func:`merge_seizure_types`.
    """
    rows = sorted((float(e.start), float(e.stop), str(e.label).lower()) for e in events
                  if str(e.label).lower() not in ("bckg", "seiz"))
    merged = []
    for start, stop, label in rows:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
            merged[-1][2][label] = merged[-1][2].get(label, 0.0) + (stop - start)
        else:
            merged.append([start, stop, {label: stop - start}])
    return [(a, b, min(w, key=lambda k: (-w[k], k))) for a, b, w in merged]


def _check_seizures(seizures):
    out = []
    for k, ev in enumerate(seizures):
        try:
            start, stop = (float(v) for v in ev)
        except (TypeError, ValueError):
            raise ValueError(f"seizure {k} must be a (start_s, end_s) pair; got {ev!r}.") from None
        if not (math.isfinite(start) and math.isfinite(stop) and stop > start >= 0):
            raise ValueError(f"seizure {k} ({start} s, {stop} s) must satisfy 0 <= start < end.")
        out.append((start, stop))
    return out


def seizure_onset_clips(data, sfreq, seizures, *, clip_s=12, step_s=1.0, pre_onset_s=2.0,
                        pad_value=0.0):
    """One clip per seizure from ``onset - pre_onset_s``, truncated at the seizure's end.

    Parameters
    ----------
    data : array-like of shape (n_channels, n_times)
        One recording (any unit).
    sfreq : float
        Sampling frequency in Hz.
    seizures : sequence of (start_s, end_s)
        The recording's seizures in seconds (any order; each clip stops before the
        seizure's end, and starts after the previous seizure's end, as in the authors'
        code).
    clip_s : float, default=12
        Longest clip in seconds (the paper: 12 or 60).
    step_s : float, default=1.0
        Step length in seconds; clips hold whole steps only.
    pre_onset_s : float, default=2.0
        Seconds before the onset where the clip starts.
    pad_value : float, default=0.0
        Value of the padded samples (the estimator ignores them through ``seq_lengths``).

    Returns
    -------
    clips : ndarray of shape (n_clips, n_channels, n_steps * step_samples), float32
        ``n_steps = clip_s / step_s``; steps ``seq_lengths[i]`` onward are padding.
    seq_lengths : ndarray of shape (n_clips,), int64
        Valid steps per clip, in ``[1, n_steps]``.
    kept : ndarray of shape (n_clips,), int64
        Index into ``seizures`` of each clip. Seizures giving less than one whole step
        (shorter than ``step_s`` after their clip's start) are dropped.

    Raises
    ------
    ValueError
        ``data`` not 2-D, a non-positive ``sfreq``, ``clip_s`` not a whole number of steps,
        a step that is not a whole number of samples, or a malformed seizure.
    """
    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"data must be (n_channels, n_times); got shape {data.shape}.")
    if not (isinstance(sfreq, numbers.Real) and sfreq > 0):
        raise ValueError(f"sfreq must be a positive number of Hz; got {sfreq!r}.")
    step = step_s * sfreq
    if not (step >= 1 and abs(step - round(step)) < 1e-6):
        raise ValueError(f"step_s * sfreq = {step} must be a whole number of samples.")
    step = int(round(step))
    n_steps_f = clip_s / step_s
    if not (n_steps_f >= 1 and abs(n_steps_f - round(n_steps_f)) < 1e-9):
        raise ValueError(f"clip_s={clip_s} must be a whole number (>= 1) of {step_s}-s steps.")
    n_steps = int(round(n_steps_f))
    if not (isinstance(pre_onset_s, numbers.Real) and pre_onset_s >= 0):
        raise ValueError(f"pre_onset_s must be >= 0; got {pre_onset_s!r}.")
    events = _check_seizures(seizures)
    order = sorted(range(len(events)), key=lambda k: events[k])
    clips, lengths, kept = [], [], []
    previous_end = None
    for k in order:
        onset, end = events[k]
        start = max(0, int(sfreq * (onset - pre_onset_s)))
        if previous_end is not None:
            start = max(start, previous_end + 1)
        stop = min(start + n_steps * step, int(sfreq * end), data.shape[1])
        previous_end = int(sfreq * end)
        n_valid = max(0, stop - start) // step
        if n_valid < 1:
            continue
        clip = np.full((data.shape[0], n_steps * step), pad_value, dtype=np.float32)
        clip[:, : n_valid * step] = data[:, start:start + n_valid * step]
        clips.append(clip)
        lengths.append(n_valid)
        kept.append(k)
    if not clips:
        return (np.zeros((0, data.shape[0], n_steps * step), np.float32),
                np.zeros(0, np.int64), np.zeros(0, np.int64))
    return np.stack(clips), np.asarray(lengths, np.int64), np.asarray(kept, np.int64)
