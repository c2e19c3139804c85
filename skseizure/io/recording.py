"""The in-memory record type every reader returns and every windowing function takes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["EEGRecording"]


@dataclass
class EEGRecording:
    """One continuous multi-channel recording with its seizure annotations.

    Parameters
    ----------
    data : ndarray of shape (n_channels, n_times), float32
        Signal in **volts** (the SI unit MNE uses; multiply by 1e6 for µV).
    sfreq : float
        Sampling frequency in Hz.
    ch_names : list of str
        One name per row of ``data``, in order.
    subject : str or None
        Subject / patient / infant id; becomes ``groups`` when windowing.
    name : str or None
        Recording id (e.g. ``"chb01_03"``); kept in per-window metadata.
    seizures : list of (float, float)
        Seizure intervals ``(start_s, end_s)`` in seconds from the first sample.
    source : str or None
        Path or URL the recording was read from (used in error messages).
    """

    data: np.ndarray
    sfreq: float
    ch_names: list
    subject: str | None = None
    name: str | None = None
    seizures: list = field(default_factory=list)
    source: str | None = None

    def __post_init__(self):
        self.data = np.asarray(self.data)
        where = f" in {self.source}" if self.source else ""
        if self.data.ndim != 2:
            raise ValueError(
                f"EEGRecording.data must be 2-D (n_channels, n_times){where}; "
                f"got shape {self.data.shape}."
            )
        if len(self.ch_names) != self.data.shape[0]:
            raise ValueError(
                f"{len(self.ch_names)} channel names for {self.data.shape[0]} signal rows{where}."
            )
        if not (np.isfinite(self.sfreq) and self.sfreq > 0):
            raise ValueError(f"sfreq must be a positive number of Hz{where}, got {self.sfreq}.")
        self.ch_names = [str(c) for c in self.ch_names]
        self.seizures = [(float(s), float(e)) for s, e in self.seizures]
        for start, end in self.seizures:
            if not (0 <= start < end):
                raise ValueError(
                    f"Seizure interval ({start}, {end}) s is not a valid interval{where}."
                )
            if end > self.duration + 1.0 / self.sfreq:
                raise ValueError(
                    f"Seizure interval ({start}, {end}) s ends beyond the recording "
                    f"({self.duration:.3f} s){where}."
                )

    @property
    def n_times(self):
        """Number of samples."""
        return self.data.shape[1]

    @property
    def duration(self):
        """Length in seconds (``n_times / sfreq``)."""
        return self.data.shape[1] / float(self.sfreq)

    def __repr__(self):
        return (
            f"EEGRecording(name={self.name!r}, subject={self.subject!r}, "
            f"n_channels={self.data.shape[0]}, duration={self.duration:.1f} s, "
            f"sfreq={self.sfreq} Hz, n_seizures={len(self.seizures)})"
        )
