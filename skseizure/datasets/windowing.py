"""Cut recordings into labelled fixed-length windows, and the ``Windows`` container.

:func:`make_windows` (and the loaders of :mod:`skseizure.datasets.loaders`) return a
:class:`Windows`: the ``(n_windows, n_channels, n_times)`` float32 array, its labels, the
subject id of every window (``groups``, for subject-wise cross-validation) and one
metadata row per window (recording, subject, start and end in seconds), which is what
turns window predictions back into events in time.

Recordings are processed one at a time: a lazy recording
(:class:`~skseizure.datasets.recordings.LazyRecording`) is read, optionally filtered as a
continuous signal (``preprocess=``), re-referenced (``montage=``), reduced to the wanted
channels and cut; its full signal is then released.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..io import EEGRecording
from .montages import (
    DOUBLE_BANANA_18,
    SZCORE_19,
    MissingChannelsError,
    channel_indices,
    common_average_montage,
    derive_montage,
)

__all__ = ["Windows", "make_windows"]

# Tolerance (seconds) when comparing the ictal overlap with the required fraction, so that
# an overlap of exactly half a window is not lost to floating-point rounding.
_OVERLAP_ATOL_S = 1e-9


# eq=False: element-wise array comparison has no single truth value; compare fields instead.
@dataclass(eq=False)
class Windows:
    """Labelled windows of multi-channel signal.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_times), float32
        Signal, in ``units`` (volts unless a loader says otherwise).
    y : ndarray of shape (n_windows,), int
        Label of each window (1 seizure, 0 non-seizure unless the loader documents
        another coding).
    groups : ndarray of shape (n_windows,) or None
        Subject id of each window; ``None`` when the dataset has no per-window subject
        ids (Bonn). Pass it as ``groups`` to ``GroupKFold`` and friends.
    sfreq : float
        Sampling frequency of ``X`` in Hz.
    ch_names : list of str
        Names of the ``n_channels`` channels, in order.
    metadata : pandas.DataFrame
        One row per window, index ``0..n_windows-1``. Always has the columns
        ``subject``, ``recording``, ``start_s``, ``end_s`` (seconds from the start of the
        source recording; NaN where unknown) and ``label`` (= ``y``); loaders add
        dataset-specific columns.
    units : str, default="V"
        Unit of ``X``: ``"V"`` (volts) everywhere except when a loader has no physical
        calibration (Bonn raw A/D values: ``"adc"``).

    Notes
    -----
    ``X, y, groups = windows.as_arrays()`` gives the three arrays that scikit-learn
    utilities take; ``len(windows)`` is ``n_windows``; ``windows.subset(mask_or_indices)``
    keeps a selection with its metadata.
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray | None
    sfreq: float
    ch_names: list
    metadata: pd.DataFrame
    units: str = "V"

    def __post_init__(self):
        self.X = np.asarray(self.X)
        self.y = np.asarray(self.y)
        if self.X.ndim != 3:
            raise ValueError(
                f"Windows.X must be (n_windows, n_channels, n_times); got shape {self.X.shape}."
            )
        n, n_channels = self.X.shape[:2]
        if self.y.shape != (n,):
            raise ValueError(f"Windows.y must have shape ({n},); got {self.y.shape}.")
        if self.groups is not None:
            self.groups = np.asarray(self.groups)
            if self.groups.shape != (n,):
                raise ValueError(
                    f"Windows.groups must have shape ({n},) or be None; got {self.groups.shape}."
                )
        self.ch_names = [str(c) for c in self.ch_names]
        if len(self.ch_names) != n_channels:
            raise ValueError(
                f"{len(self.ch_names)} channel names for {n_channels} channels in Windows.X."
            )
        if len(self.metadata) != n:
            raise ValueError(
                f"Windows.metadata has {len(self.metadata)} rows for {n} windows."
            )
        self.sfreq = float(self.sfreq)

    def __len__(self):
        return self.X.shape[0]

    def as_arrays(self):
        """Return ``(X, y, groups)``, the arguments of ``fit`` and of CV splitters."""
        return self.X, self.y, self.groups

    def subset(self, index):
        """Return the windows selected by a boolean mask or integer indices.

        Parameters
        ----------
        index : array-like of bool of shape (n_windows,) or array-like of int
            Selection along the first axis.

        Returns
        -------
        Windows
            A new container (copies of the selected rows; metadata re-indexed 0..m-1).
        """
        index = np.asarray(index)
        if index.dtype == bool:
            if index.shape != (len(self),):
                raise ValueError(
                    f"Boolean mask of shape {index.shape} for {len(self)} windows."
                )
            index = np.flatnonzero(index)
        return Windows(
            X=self.X[index],
            y=self.y[index],
            groups=None if self.groups is None else self.groups[index],
            sfreq=self.sfreq,
            ch_names=list(self.ch_names),
            metadata=self.metadata.iloc[index].reset_index(drop=True),
            units=self.units,
        )

    def __repr__(self):
        n_groups = "None" if self.groups is None else len(np.unique(self.groups))
        return (
            f"Windows(n_windows={len(self)}, n_channels={self.X.shape[1]}, "
            f"n_times={self.X.shape[2]}, sfreq={self.sfreq} Hz, "
            f"n_seizure={int(np.sum(self.y == 1))}, n_groups={n_groups}, units={self.units!r})"
        )



_METADATA_COLUMNS = [
    "subject", "recording", "start_s", "end_s", "label", "seizure_overlap_s", "start_sample",
]


def _label(recording, index):
    return repr(getattr(recording, "name", None) or getattr(recording, "source", None)
                or f"recording #{index}")


def _merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _ictal_overlap(start_s, end_s, seizures):
    return sum(max(0.0, min(end_s, e) - max(start_s, s)) for s, e in seizures)


def _as_sources(recordings):
    """A list of EEGRecording or lazy recordings (anything with ``load()``)."""
    if isinstance(recordings, EEGRecording) or hasattr(recordings, "load"):
        recordings = [recordings]
    sources = list(recordings)
    if not sources:
        raise ValueError("make_windows needs at least one recording; got none.")
    for i, rec in enumerate(sources):
        if not (isinstance(rec, EEGRecording) or callable(getattr(rec, "load", None))):
            raise TypeError(
                f"recordings[{i}] is a {type(rec).__name__}, not an EEGRecording or a lazy "
                "recording of load_recordings."
            )
    return sources


def _check_params(window_s, step_s, min_seizure_overlap):
    if not (np.isfinite(window_s) and window_s > 0):
        raise ValueError(f"window_s must be a positive number of seconds, got {window_s}.")
    step_s = window_s if step_s is None else step_s
    if not (np.isfinite(step_s) and step_s > 0):
        raise ValueError(f"step_s must be a positive number of seconds, got {step_s}.")
    if not (0.0 <= min_seizure_overlap <= 1.0):
        raise ValueError(
            f"min_seizure_overlap is a fraction of the window in [0, 1], got {min_seizure_overlap}."
        )
    return step_s


def _source_sfreq(rec):
    return float(getattr(rec, "output_sfreq", None) or rec.sfreq)


def _common_sfreq(sources):
    """The one sampling rate of the sources (known before any signal is read)."""
    rates = {_source_sfreq(rec) for rec in sources}
    if len(rates) > 1:
        listing = ", ".join(f"{_label(r, i)}: {_source_sfreq(r)} Hz" for i, r in enumerate(sources))
        raise ValueError(
            f"Recordings have different sampling rates ({listing}); resample them to one "
            "rate before windowing (e.g. load_recordings(..., sfreq=256))."
        )
    return rates.pop()


def _check_subjects(sources):
    with_subject = [r.subject is not None for r in sources]
    if any(with_subject) and not all(with_subject):
        names = ", ".join(_label(r, i) for i, r in enumerate(sources) if r.subject is None)
        raise ValueError(
            f"Recordings {names} have no subject while others do; groups would be incomplete."
        )
    return all(with_subject)


def _apply_montage(rec, montage):
    """Re-reference ``rec`` with the montage helpers (or a user callable)."""
    if montage is None:
        return rec
    if callable(montage):
        return montage(rec)
    if isinstance(montage, str):
        if montage == "average":
            data, names = common_average_montage(rec.data, rec.ch_names), list(SZCORE_19)
        elif montage == "bipolar":
            names = list(DOUBLE_BANANA_18)
            data = derive_montage(rec.data, rec.ch_names, names)
        else:
            raise ValueError(
                f"montage must be None, 'average', 'bipolar', a sequence of channel names or "
                f"a callable; got {montage!r}."
            )
    else:
        names = [str(m) for m in montage]
        data = derive_montage(rec.data, rec.ch_names, names)
    return EEGRecording(
        data=data, sfreq=rec.sfreq, ch_names=names, subject=rec.subject, name=rec.name,
        seizures=rec.seizures, source=rec.source,
    )


def _prepare(source, index, preprocess, montage, wanted):
    """Load one recording, filter it, re-reference it and keep the wanted channels.

    Returns the recording (with its seizures, subject, name) and its ``(len(wanted),
    n_times)`` signal.
    """
    rec = source.load() if not isinstance(source, EEGRecording) else source
    if preprocess is not None:
        out = np.asarray(preprocess(rec.data, rec.sfreq))
        if out.shape != rec.data.shape:
            raise ValueError(
                f"preprocess returned shape {out.shape} for recording {_label(rec, index)} of "
                f"shape {rec.data.shape}; it must keep (n_channels, n_times) and the rate."
            )
        rec = EEGRecording(
            data=out.astype(np.float32, copy=False), sfreq=rec.sfreq, ch_names=rec.ch_names,
            subject=rec.subject, name=rec.name, seizures=rec.seizures, source=rec.source,
        )
    rec = _apply_montage(rec, montage)
    if wanted is None:
        wanted = list(rec.ch_names)
    try:
        idx = channel_indices(rec.ch_names, wanted)
    except MissingChannelsError as exc:
        raise MissingChannelsError(
            f"Recording {_label(rec, index)} lacks channels: {exc}", exc.missing,
            getattr(exc, "available", rec.ch_names),
        ) from None
    # Fancy indexing copies the whole recording; skip it when nothing is reordered.
    data = rec.data if np.array_equal(idx, np.arange(rec.data.shape[0])) else rec.data[idx]
    finite = np.isfinite(data)
    if not finite.all():
        bad = [wanted[k] for k in np.flatnonzero(~finite.all(axis=1))]
        raise ValueError(
            f"Recording {_label(rec, index)} contains NaN or infinite samples in channel(s) "
            f"{', '.join(bad)}; clean or interpolate them before windowing."
        )
    return rec, data, list(wanted)


def _window_starts(n_times, n_win, n_step, drop_partial):
    starts = list(range(0, n_times - n_win + 1, n_step))
    if not drop_partial and starts[-1] + n_win < n_times:
        starts.append(n_times - n_win)
    return np.asarray(starts, dtype=np.int64)


def _cut(rec, data, starts, n_win, sfreq, min_seizure_overlap):
    """Windows of one recording and their metadata rows."""
    X = np.stack([data[:, s:s + n_win] for s in starts]).astype(np.float32, copy=False)
    seizures = _merge_intervals(rec.seizures)
    required = min_seizure_overlap * n_win / sfreq
    rows = []
    for start in starts:
        start_s = start / sfreq
        end_s = (start + n_win) / sfreq
        overlap = _ictal_overlap(start_s, end_s, seizures)
        label = int(overlap > 0 and overlap >= required - _OVERLAP_ATOL_S)
        rows.append((rec.subject, rec.name, start_s, end_s, label, overlap, int(start)))
    return X, rows


def _plan(recordings, window_s, step_s, min_seizure_overlap, drop_partial, preprocess, montage):
    """Check the arguments; return the sources, the windowing plan and whether groups exist."""
    sources = _as_sources(recordings)
    step_s = _check_params(window_s, step_s, min_seizure_overlap)
    sfreq = _common_sfreq(sources)
    n_win = int(round(window_s * sfreq))
    n_step = int(round(step_s * sfreq))
    if n_win < 1 or n_step < 1:
        raise ValueError(
            f"window_s={window_s} s / step_s={step_s} s is less than one sample at {sfreq} Hz."
        )
    has_groups = _check_subjects(sources)
    plan = dict(window_s=window_s, sfreq=sfreq, n_win=n_win, n_step=n_step,
                drop_partial=drop_partial, min_seizure_overlap=min_seizure_overlap,
                preprocess=preprocess, montage=montage)
    return sources, plan, has_groups


def _window_one(source, i, wanted, plan):
    """Read, filter, re-reference and cut recording ``i``: ``(X_rec, rows, wanted)``."""
    window_s, sfreq, n_win = plan["window_s"], plan["sfreq"], plan["n_win"]
    n_times = getattr(source, "n_times", None)
    if getattr(source, "resample_to", None) is None and n_times is not None and n_win > n_times:
        raise ValueError(
            f"window_s={window_s} s ({n_win} samples) is longer than recording "
            f"{_label(source, i)} ({n_times / sfreq:.3f} s, {n_times} samples)."
        )
    rec, data, wanted = _prepare(source, i, plan["preprocess"], plan["montage"], wanted)
    if not np.isclose(rec.sfreq, sfreq):
        raise ValueError(
            f"Recording {_label(rec, i)} is at {rec.sfreq} Hz once loaded, not {sfreq} Hz; "
            "resample every recording to one rate before windowing."
        )
    if n_win > data.shape[1]:
        raise ValueError(
            f"window_s={window_s} s ({n_win} samples) is longer than recording "
            f"{_label(rec, i)} ({data.shape[1] / sfreq:.3f} s, {data.shape[1]} samples)."
        )
    starts = _window_starts(data.shape[1], n_win, plan["n_step"], plan["drop_partial"])
    X_rec, rows_rec = _cut(rec, data, starts, n_win, sfreq, plan["min_seizure_overlap"])
    return X_rec, rows_rec, wanted


def _iter_recordings(sources, plan, channels, n_jobs):
    """Yield ``(X_rec, rows, wanted)`` per recording, in order, optionally in parallel.

    Without ``channels`` the first recording fixes the channel list, so it is cut first;
    the others follow through joblib (``return_as="generator"`` keeps at most a few
    recordings in memory at once and yields them in input order).
    """
    from joblib import Parallel, delayed, effective_n_jobs

    wanted = list(channels) if channels is not None else None
    todo = list(enumerate(sources))
    if wanted is None:
        first = _window_one(todo[0][1], 0, None, plan)
        wanted = first[2]
        yield first
        todo = todo[1:]
    if effective_n_jobs(n_jobs) == 1 or len(todo) < 2:
        for i, source in todo:
            yield _window_one(source, i, wanted, plan)
        return
    yield from Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_window_one)(source, i, wanted, plan) for i, source in todo)


def make_windows(
    recordings,
    *,
    window_s,
    step_s=None,
    min_seizure_overlap=0.5,
    drop_partial=True,
    channels=None,
    montage=None,
    preprocess=None,
    n_jobs=None,
):
    """Cut recordings into fixed-length, labelled windows.

    Parameters
    ----------
    recordings : EEGRecording, LazyRecording, RecordingCorpus or a sequence of them
        Signals in volts, all at one sampling rate. Lazy recordings (from
        :func:`~skseizure.datasets.load_recordings`) are read one at a time.
    window_s : float
        Window length in seconds; ``round(window_s * sfreq)`` samples.
    step_s : float or None, default=None
        Hop between window starts in seconds (``round(step_s * sfreq)`` samples).
        ``None`` means ``window_s`` (non-overlapping, e.g. the 12-s / 60-s clips of
        DCRNN); ``window_s / 2`` gives 50 % overlap (e.g. 4-s windows every 2 s).
    min_seizure_overlap : float in [0, 1], default=0.5
        Labelling rule: a window is labelled 1 when the time it shares with the
        recording's seizure intervals is at least ``min_seizure_overlap`` times its
        length **and** greater than zero. ``0`` therefore means "any overlap" (the DCRNN
        clip rule), ``1`` means "entirely ictal". Windows that overlap a seizure by less
        are labelled 0; their overlap is kept in ``metadata.seizure_overlap_s`` for those
        who prefer to drop them.
    drop_partial : bool, default=True
        What to do with the tail of a recording shorter than a window after the last
        full step. ``True``: drop it. ``False``: add one last window that **ends at the
        last sample** (it overlaps the previous window; no zero padding, which would be
        fake signal).
    channels : sequence of str or None, default=None
        Channels to keep (after ``montage``), in this order, matched by name with the
        rules of :func:`skseizure.datasets.montages.channel_indices`. ``None`` keeps the
        channels of the first recording; the others must hold the same channels (they are
        reordered to the first one's order if needed).
    montage : None, "average", "bipolar", sequence of str or callable, default=None
        Montage derived from each continuous recording before channels are picked:
        ``"average"``, the 19 SzCORE channels against their common average
        (:func:`~skseizure.datasets.montages.common_average_montage`); ``"bipolar"``, the
        18-channel double banana :data:`~skseizure.datasets.montages.DOUBLE_BANANA_18`,
        picked where recorded (CHB-MIT) or derived from referential channels;
        a list of channel names, each picked or derived from referential channels
        (:func:`~skseizure.datasets.montages.derive_montage`, e.g.
        :data:`~skseizure.datasets.montages.DOUBLE_BANANA_18`); or a callable taking and
        returning an :class:`~skseizure.io.EEGRecording`. Recordings of one corpus may be
        stored in different montages; all come out in the requested one.
    preprocess : callable or None, default=None
        ``preprocess(data, sfreq) -> filtered``, applied to each **continuous** recording
        ``(n_channels, n_times)`` before it is cut (after loading, before ``montage``) and
        returning an array of the same shape, e.g.
        ``functools.partial(skseizure.preprocessing.filter_continuous, l_freq=0.5,
        h_freq=30.0)``: filters with long impulse responses belong on the continuous
        signal, not on short windows.
    n_jobs : int or None, default=None
        Recordings read, filtered and cut in parallel by joblib (scikit-learn convention:
        ``None`` is 1 unless inside a ``joblib.parallel_config`` context, ``-1`` all
        cores). The result is identical to ``n_jobs=1``; ``preprocess`` and ``montage``
        must be picklable (functions of a module, ``functools.partial``). To write windows
        of a corpus larger than memory to disk, see
        :func:`skseizure.datasets.store.windows_to_store`.

    Returns
    -------
    Windows
        ``X`` (n_windows, n_channels, n_times) float32 in volts; ``y`` int 0/1;
        ``groups`` = each recording's ``subject`` (``None`` if no recording has one);
        ``metadata`` columns ``subject``, ``recording``, ``start_s``, ``end_s``,
        ``label``, ``seizure_overlap_s``, ``start_sample``. Windows are ordered by
        recording, then by time.

    Raises
    ------
    ValueError
        No recordings; a non-positive window or step; ``min_seizure_overlap`` outside
        [0, 1]; sampling rates that differ (every recording and its rate is listed); a
        window longer than a recording (named); NaN or infinite samples (recording and
        channels named); some but not all recordings without a subject.
    MissingChannelsError
        (``KeyError`` and ``ValueError``) when a recording lacks channels (recording and
        every missing channel named).
    """
    sources, plan, has_groups = _plan(
        recordings, window_s, step_s, min_seizure_overlap, drop_partial, preprocess, montage)
    sfreq = plan["sfreq"]
    parts, rows, wanted = [], [], None
    for X_rec, rows_rec, wanted in _iter_recordings(sources, plan, channels, n_jobs):
        parts.append(X_rec)
        rows.extend(rows_rec)
    X = parts[0] if len(parts) == 1 else np.concatenate(parts)
    metadata = pd.DataFrame(rows, columns=_METADATA_COLUMNS)
    y = metadata["label"].to_numpy(dtype=np.int64)
    groups = metadata["subject"].to_numpy() if has_groups else None
    return Windows(
        X=X, y=y, groups=groups, sfreq=sfreq, ch_names=[str(w) for w in wanted],
        metadata=metadata,
    )
