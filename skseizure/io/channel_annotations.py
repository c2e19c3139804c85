"""Reader of channel-level seizure tables: which EEG channels each seizure involves.

The Helsinki neonatal per-channel table of Tapani, K. T., Vanhatalo, S., Stevenson, N. J.
(2019), "Time-varying EEG correlations improve automated neonatal seizure detection",
International Journal of Neural Systems 29(4), 1850030 (doi:10.1142/S0129065718500302),
annotates each of the 364 seizures of the Stevenson et al. (2019) data set ("A dataset of
neonatal EEG recordings with seizure annotations", Scientific Data 6, 190039) with the
bipolar derivations it involves. As distributed (``seizure_per_channel_Dec_2017.xlsx``,
saved as CSV) it is::

    FILE ID,Start,Stop,Fp2-F4,F4-C4,...,Cz-Pz
    ,,,1,2,...,18                      <- channel numbers, skipped
    1.0,104.0,122.0,0,0,...,1,1        <- infant, start (s), stop (s), 0/1 per derivation

TUSZ channel-based ``.csv`` files hold one row per channel and event instead; they are
read by :func:`skseizure.io.read_tusz_csv_bi` (``TuszEvent.channel``). Both become a
channel x second grid on a graph's nodes with
:func:`skseizure.datasets.channel_annotation_grid`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from .common import AnnotationFormatError, _check_interval, _parse_float, _read_lines

__all__ = ["ChannelSeizure", "read_helsinki_channel_annotations"]

_FIXED = ("file id", "start", "stop")


@dataclass(frozen=True)
class ChannelSeizure:
    """One seizure and the channels it involves.

    Attributes
    ----------
    recording : str
        Recording id (Helsinki: the infant number as text, ``"1"`` ... ``"79"``).
    start, stop : float
        Seconds from the start of the recording.
    channels : tuple of str
        Labels of the involved channels, as spelled in the file (bipolar derivations
        such as ``"Fp2-F4"``). Empty when the table marks none.
    """

    recording: str
    start: float
    stop: float
    channels: tuple


def _split(line):
    return [field.strip() for field in line.split(",")]


def _recording_id(path, no, text):
    value = _parse_float(path, no, text, "FILE ID")
    if value != int(value) or value < 1:
        raise AnnotationFormatError(path, no, f"FILE ID {text!r} is not a positive integer.")
    return str(int(value))


def read_helsinki_channel_annotations(path, *, invalid="raise"):
    """Read the Helsinki per-channel seizure table (CSV export of the distributed sheet).

    Parameters
    ----------
    path : str or path-like
        ``seizure_per_channel_Dec_2017.csv``: header ``FILE ID,Start,Stop,<18 channels>``,
        an optional row of channel numbers (first three fields empty), then one seizure
        per row with 0/1 involvement flags (``0.0``/``1.0`` accepted).
    invalid : {"raise", "skip"}, default="raise"
        What to do with a seizure row whose stop is not after its start. The distributed
        table has one (infant 69, start 3767 s, stop 3747 s, line 322 of the CSV export):
        ``"skip"`` leaves such rows out with a ``UserWarning`` naming file and line (the
        intended times cannot be recovered from the table).

    Returns
    -------
    channels : tuple of str
        The channel labels of the header (the Helsinki file: the 18 bipolar derivations
        ``Fp2-F4`` ... ``Cz-Pz``, old 10-20 names).
    seizures : list of ChannelSeizure
        In file order.

    Raises
    ------
    AnnotationFormatError
        (a ``ValueError``) A wrong header, a row with another number of fields, a time
        or flag that is not a number, a flag other than 0/1, or (with ``invalid="raise"``)
        a seizure whose stop is not after its start; the message names the file and line.
    FileNotFoundError
        The file does not exist.
    """
    if invalid not in ("raise", "skip"):
        raise ValueError(f"invalid must be 'raise' or 'skip'; got {invalid!r}.")
    lines = _read_lines(path)
    header = _split(lines[0])
    if len(header) < 4 or tuple(h.lower() for h in header[:3]) != _FIXED:
        raise AnnotationFormatError(
            path, 1, f"expected the header 'FILE ID,Start,Stop,<channels>'; found {lines[0][:80]!r}."
        )
    channels = tuple(header[3:])
    if any(not c for c in channels) or len(set(channels)) != len(channels):
        raise AnnotationFormatError(path, 1, f"empty or repeated channel labels in the header: {channels}.")
    seizures = []
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = _split(line)
        if len(fields) != len(header):
            raise AnnotationFormatError(
                path, no, f"{len(fields)} fields, expected {len(header)} (FILE ID, Start, Stop and "
                          f"{len(channels)} channel flags).")
        if not any(fields[:3]):
            if no == 2 and fields[3:] == [str(i) for i in range(1, len(channels) + 1)]:
                continue  # the row of channel numbers 1..n under the header
            raise AnnotationFormatError(path, no, "row without FILE ID, Start and Stop.")
        recording = _recording_id(path, no, fields[0])
        start = _parse_float(path, no, fields[1], "Start")
        stop = _parse_float(path, no, fields[2], "Stop")
        try:
            _check_interval(path, no, start, stop)
        except AnnotationFormatError as exc:
            if invalid == "raise":
                raise
            warnings.warn(f"{exc} Row skipped.", UserWarning, stacklevel=2)
            continue
        involved = []
        for name, text in zip(channels, fields[3:]):
            flag = _parse_float(path, no, text, f"flag of {name}")
            if flag not in (0.0, 1.0):
                raise AnnotationFormatError(path, no, f"flag of {name} is {text!r}; expected 0 or 1.")
            if flag:
                involved.append(name)
        seizures.append(ChannelSeizure(recording, start, stop, tuple(involved)))
    if not seizures:
        raise AnnotationFormatError(path, None, "no seizure row.")
    return channels, seizures
