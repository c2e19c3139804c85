"""Cut recordings into labelled fixed-length windows, and the ``Windows`` container.

Every loader of :mod:`skseizure.datasets.loaders` and :func:`make_windows` return a
:class:`Windows`: the ``(n_windows, n_channels, n_times)`` float32 array, its labels, the
subject id of every window (``groups``, for subject-wise cross-validation) and one
metadata row per window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._record import EEGRecording
from .montages import MissingChannelsError, channel_indices

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


def _label(recording, index):
    return repr(recording.name or recording.source or f"recording #{index}")


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


def make_windows(
    recordings,
    *,
    window_s,
    step_s=None,
    min_seizure_overlap=0.5,
    drop_partial=True,
    channels=None,
):
    """Cut recordings into fixed-length, labelled windows.

    Parameters
    ----------
    recordings : EEGRecording or sequence of EEGRecording
        Signals in volts, all with the same sampling rate.
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
        Channels to keep, in this order, matched by name with the rules of
        :func:`skseizure.datasets.montages.channel_indices`. ``None`` keeps the channels
        of the first recording; the others must hold the same channels (they are
        reordered to the first one's order if needed).

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
    if isinstance(recordings, EEGRecording):
        recordings = [recordings]
    recordings = list(recordings)
    if not recordings:
        raise ValueError("make_windows needs at least one recording; got none.")
    for i, rec in enumerate(recordings):
        if not isinstance(rec, EEGRecording):
            raise TypeError(
                f"recordings[{i}] is a {type(rec).__name__}, not an EEGRecording."
            )
    if not (np.isfinite(window_s) and window_s > 0):
        raise ValueError(f"window_s must be a positive number of seconds, got {window_s}.")
    if step_s is None:
        step_s = window_s
    if not (np.isfinite(step_s) and step_s > 0):
        raise ValueError(f"step_s must be a positive number of seconds, got {step_s}.")
    if not (0.0 <= min_seizure_overlap <= 1.0):
        raise ValueError(
            f"min_seizure_overlap is a fraction of the window in [0, 1], got {min_seizure_overlap}."
        )

    rates = {float(rec.sfreq) for rec in recordings}
    if len(rates) > 1:
        listing = ", ".join(f"{_label(r, i)}: {r.sfreq} Hz" for i, r in enumerate(recordings))
        raise ValueError(
            f"Recordings have different sampling rates ({listing}); resample them to one "
            "rate before windowing."
        )
    sfreq = rates.pop()
    n_win = int(round(window_s * sfreq))
    n_step = int(round(step_s * sfreq))
    if n_win < 1 or n_step < 1:
        raise ValueError(
            f"window_s={window_s} s / step_s={step_s} s is less than one sample at {sfreq} Hz."
        )

    wanted = list(channels) if channels is not None else list(recordings[0].ch_names)
    with_subject = [r.subject is not None for r in recordings]
    if any(with_subject) and not all(with_subject):
        names = ", ".join(_label(r, i) for i, r in enumerate(recordings) if r.subject is None)
        raise ValueError(
            f"Recordings {names} have no subject while others do; groups would be incomplete."
        )

    plans = []
    for i, rec in enumerate(recordings):
        try:
            idx = channel_indices(rec.ch_names, wanted)
        except MissingChannelsError as exc:
            raise MissingChannelsError(
                f"Recording {_label(rec, i)} lacks channels: {exc}", exc.missing
            ) from None
        if n_win > rec.n_times:
            raise ValueError(
                f"window_s={window_s} s ({n_win} samples) is longer than recording "
                f"{_label(rec, i)} ({rec.duration:.3f} s, {rec.n_times} samples)."
            )
        # Fancy indexing copies the whole recording; skip it when nothing is reordered.
        data = rec.data if np.array_equal(idx, np.arange(rec.data.shape[0])) else rec.data[idx]
        finite = np.isfinite(data)
        if not finite.all():
            bad = [wanted[k] for k in np.flatnonzero(~finite.all(axis=1))]
            raise ValueError(
                f"Recording {_label(rec, i)} contains NaN or infinite samples in channel(s) "
                f"{', '.join(bad)}; clean or interpolate them before windowing."
            )
        starts = list(range(0, rec.n_times - n_win + 1, n_step))
        if not drop_partial and starts[-1] + n_win < rec.n_times:
            starts.append(rec.n_times - n_win)
        plans.append((rec, data, starts))

    n_total = sum(len(starts) for _, _, starts in plans)
    X = np.empty((n_total, len(wanted), n_win), dtype=np.float32)
    rows = []
    k = 0
    duration = n_win / sfreq
    required = min_seizure_overlap * duration
    for rec, data, starts in plans:
        seizures = _merge_intervals(rec.seizures)
        for start in starts:
            X[k] = data[:, start:start + n_win]
            start_s = start / sfreq
            end_s = (start + n_win) / sfreq
            overlap = _ictal_overlap(start_s, end_s, seizures)
            label = int(overlap > 0 and overlap >= required - _OVERLAP_ATOL_S)
            rows.append(
                {
                    "subject": rec.subject,
                    "recording": rec.name,
                    "start_s": start_s,
                    "end_s": end_s,
                    "label": label,
                    "seizure_overlap_s": overlap,
                    "start_sample": start,
                }
            )
            k += 1
    metadata = pd.DataFrame(
        rows,
        columns=[
            "subject", "recording", "start_s", "end_s", "label", "seizure_overlap_s",
            "start_sample",
        ],
    )
    y = metadata["label"].to_numpy(dtype=np.int64)
    groups = metadata["subject"].to_numpy() if all(with_subject) else None
    return Windows(
        X=X, y=y, groups=groups, sfreq=sfreq, ch_names=[str(w) for w in wanted],
        metadata=metadata,
    )
