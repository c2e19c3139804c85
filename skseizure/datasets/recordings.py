"""Lazy recordings and the corpus that :func:`load_recordings` returns.

A :class:`LazyRecording` knows everything about one EDF file except its samples: path,
subject, seizure events, channel names, sampling rate, units and duration, read from the
EDF header and the annotation files. Its signal is read by :meth:`LazyRecording.load`, which
:func:`~skseizure.datasets.make_windows` calls one recording at a time, so a corpus of many
hour-long recordings can be indexed in little memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import EEGRecording, read_edf
from .windowing import make_windows

__all__ = ["LazyRecording", "RecordingCorpus", "read_edf_info"]

# MNE's units for a few EDF physical dimensions that are voltages; read_edf returns volts.


def read_edf_info(path):
    """Channel names, rate, length and units of an EDF file, from its header only.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    dict
        ``ch_names`` (list of str, EDF+ annotation signals left out, repeated labels
        suffixed ``-0``, ``-1`` as :func:`skseizure.io.read_edf` does), ``sfreq`` (Hz),
        ``n_times`` (samples), ``units`` (one per channel: ``"V"`` for signals stored in a
        voltage unit, which :func:`~skseizure.io.read_edf` returns in volts, else the
        file's unit), ``meas_date`` (datetime or None). See
        :func:`skseizure.io.read_edf_header`.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    skseizure.io.EDFError
        A corrupt header (the message names the file).
    """
    from ..io import read_edf_header

    info = read_edf_header(path)
    return {k: info[k] for k in ("ch_names", "sfreq", "n_times", "units", "meas_date")}


def _resample(data, sfreq, target):
    """Polyphase resampling (anti-aliasing FIR) of ``data`` (n_channels, n_times)."""
    from scipy.signal import resample_poly

    ratio = Fraction(float(target) / float(sfreq)).limit_denominator(1000)
    if abs(float(ratio) - target / sfreq) > 1e-9 * (target / sfreq):
        raise ValueError(
            f"cannot resample {sfreq} Hz to {target} Hz with a rational factor of "
            f"denominator <= 1000."
        )
    out = resample_poly(data, ratio.numerator, ratio.denominator, axis=-1)
    return out.astype(np.float32, copy=False)


@dataclass
class LazyRecording:
    """One recording of a corpus: its description now, its signal on :meth:`load`.

    Attributes
    ----------
    path : pathlib.Path
        The EDF file.
    subject : str
        Subject (patient, infant) id; becomes ``groups`` when windowing.
    name : str
        Recording id (the EDF file stem, e.g. ``"chb01_03"``); unique in a corpus.
    seizures : list of (float, float)
        Seizure events ``(onset_s, offset_s)`` in seconds from the first sample.
    ch_names : list of str
        Channel names as :func:`skseizure.io.read_edf` returns them.
    sfreq : float
        Sampling rate of the file in Hz.
    n_times : int
        Number of samples per channel in the file.
    units : list of str
        Unit of each channel after loading (``"V"`` for EEG).
    layout : str
        ``"chbmit"``, ``"siena"``, ``"bids"``, ``"tusz"`` or ``"helsinki"``.
    annotations : str
        The annotation file(s) the seizures come from.
    resample_to : float or None
        Rate the signal is resampled to on :meth:`load` (None: the file's rate).
    """

    path: Path
    subject: str
    name: str
    seizures: list
    ch_names: list
    sfreq: float
    n_times: int
    units: list = field(default_factory=list)
    layout: str = ""
    annotations: str = ""
    resample_to: float | None = None

    @property
    def duration(self):
        """Length in seconds (``n_times / sfreq``)."""
        return self.n_times / float(self.sfreq)

    @property
    def output_sfreq(self):
        """Sampling rate of the loaded signal (``resample_to`` or ``sfreq``)."""
        return float(self.resample_to) if self.resample_to else float(self.sfreq)

    @property
    def events(self):
        """Seizure events as a DataFrame with ``onset_s``, ``offset_s``, ``duration_s``."""
        frame = pd.DataFrame(self.seizures, columns=["onset_s", "offset_s"], dtype=float)
        frame["duration_s"] = frame["offset_s"] - frame["onset_s"]
        return frame

    def load(self, channels=None):
        """Read the signal.

        Parameters
        ----------
        channels : list of str or None, default=None
            Channels to read, in this order (exact names of :attr:`ch_names`); None reads
            every channel. Reading a few channels of a large file needs less memory.

        Returns
        -------
        EEGRecording
            ``data`` (n_channels, n_times) float32 in volts at :attr:`output_sfreq`, with
            ``subject``, ``name`` and ``seizures`` of this recording.
        """
        rec = read_edf(
            self.path, subject=self.subject, seizures=self.seizures,
            preload=channels is None, channels=channels,
        )
        if self.resample_to and not np.isclose(self.resample_to, rec.sfreq):
            data = _resample(rec.data, rec.sfreq, self.resample_to)
            rec = EEGRecording(
                data=data, sfreq=float(self.resample_to), ch_names=rec.ch_names,
                subject=rec.subject, name=rec.name, seizures=rec.seizures, source=rec.source,
            )
        return rec

    def __repr__(self):
        return (
            f"LazyRecording(name={self.name!r}, subject={self.subject!r}, "
            f"layout={self.layout!r}, n_channels={len(self.ch_names)}, "
            f"duration={self.duration:.1f} s, sfreq={self.sfreq} Hz, "
            f"n_seizures={len(self.seizures)})"
        )


class RecordingCorpus(Sequence):
    """An ordered, indexable collection of :class:`LazyRecording`.

    ``len(corpus)``, ``corpus[i]`` (a recording), ``corpus[i:j]`` or
    ``corpus[[i, j]]`` (a corpus), ``corpus["chb01_03"]`` (by name), iteration.

    Parameters
    ----------
    recordings : iterable of LazyRecording
        Names must be unique.
    """

    def __init__(self, recordings):
        self._recordings = list(recordings)
        seen = {}
        for rec in self._recordings:
            if not isinstance(rec, LazyRecording):
                raise TypeError(f"RecordingCorpus holds LazyRecording, got {type(rec).__name__}.")
            if rec.name in seen:
                raise ValueError(
                    f"two recordings are named {rec.name!r}: {seen[rec.name]} and {rec.path}."
                )
            seen[rec.name] = rec.path

    def __len__(self):
        return len(self._recordings)

    def __getitem__(self, index):
        if isinstance(index, str):
            for rec in self._recordings:
                if rec.name == index:
                    return rec
            raise KeyError(f"no recording named {index!r} in the corpus.")
        if isinstance(index, slice):
            return RecordingCorpus(self._recordings[index])
        if isinstance(index, (list, np.ndarray)):
            index = np.asarray(index)
            if index.dtype == bool:
                index = np.flatnonzero(index)
            return RecordingCorpus([self._recordings[int(i)] for i in index])
        return self._recordings[index]

    @property
    def subjects(self):
        """Sorted unique subject ids."""
        return sorted({rec.subject for rec in self._recordings})

    @property
    def sfreq(self):
        """The common sampling rate of the loaded signals (ValueError if they differ)."""
        rates = {rec.output_sfreq for rec in self._recordings}
        if len(rates) != 1:
            raise ValueError(
                f"the recordings have {len(rates)} sampling rates {sorted(rates)} Hz; pass "
                "sfreq= to load_recordings to resample them on load."
            )
        return rates.pop()

    def select(self, subjects=None, names=None):
        """The recordings of the given subjects and/or names, as a corpus."""
        keep = self._recordings
        if subjects is not None:
            subjects = {str(s) for s in ([subjects] if isinstance(subjects, str) else subjects)}
            unknown = subjects - set(self.subjects)
            if unknown:
                raise KeyError(f"unknown subject(s) {sorted(unknown)}; known: {self.subjects}.")
            keep = [r for r in keep if r.subject in subjects]
        if names is not None:
            names = {str(n) for n in ([names] if isinstance(names, str) else names)}
            keep = [r for r in keep if r.name in names]
        return RecordingCorpus(keep)

    def resampled(self, sfreq):
        """A corpus whose recordings are resampled to ``sfreq`` Hz when loaded."""
        if not (np.isfinite(sfreq) and sfreq > 0):
            raise ValueError(f"sfreq must be a positive rate in Hz, got {sfreq}.")
        return RecordingCorpus([replace(r, resample_to=float(sfreq)) for r in self._recordings])

    def to_frame(self):
        """One row per recording.

        Returns
        -------
        pandas.DataFrame
            Columns ``recording``, ``subject``, ``layout``, ``path``, ``annotations``,
            ``sfreq``, ``n_channels``, ``n_times``, ``duration_s``, ``n_seizures``,
            ``seizure_s`` (total ictal seconds).
        """
        rows = [
            {
                "recording": r.name, "subject": r.subject, "layout": r.layout,
                "path": str(r.path), "annotations": r.annotations, "sfreq": r.sfreq,
                "n_channels": len(r.ch_names), "n_times": r.n_times,
                "duration_s": r.duration, "n_seizures": len(r.seizures),
                "seizure_s": float(sum(e - s for s, e in r.seizures)),
            }
            for r in self._recordings
        ]
        columns = ["recording", "subject", "layout", "path", "annotations", "sfreq",
                   "n_channels", "n_times", "duration_s", "n_seizures", "seizure_s"]
        return pd.DataFrame(rows, columns=columns)

    def events(self):
        """Every seizure event: ``recording``, ``subject``, ``onset_s``, ``offset_s``."""
        rows = [
            {"recording": r.name, "subject": r.subject, "onset_s": s, "offset_s": e}
            for r in self._recordings for s, e in r.seizures
        ]
        return pd.DataFrame(rows, columns=["recording", "subject", "onset_s", "offset_s"])

    def make_windows(self, **kwargs):
        """Cut every recording into labelled windows: :func:`make_windows` on this corpus."""
        return make_windows(self, **kwargs)

    def __repr__(self):
        layouts = sorted({r.layout for r in self._recordings})
        hours = sum(r.duration for r in self._recordings) / 3600
        return (
            f"RecordingCorpus(n_recordings={len(self)}, n_subjects={len(self.subjects)}, "
            f"layouts={layouts}, hours={hours:.2f}, "
            f"n_seizures={sum(len(r.seizures) for r in self._recordings)})"
        )
