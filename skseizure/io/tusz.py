"""Reader of the TUH EEG Seizure Corpus (TUSZ v2) ``.csv_bi`` files.

Shah, V., et al. (2018). The Temple University Hospital Seizure Detection
Corpus. Frontiers in Neuroinformatics 12, 83. doi:10.3389/fninf.2018.00083.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import AnnotationFormatError, _check_interval, _parse_float, _read_lines

__all__ = ["TuszEvent", "TuszAnnotations", "read_tusz_csv_bi"]

_TUSZ_COLUMNS = ["channel", "start_time", "stop_time", "label", "confidence"]
# TUSZ v2 labels: "seiz"/"bckg" in the term-based .csv_bi files; the channel-based
# .csv files use the seizure types below.
_TUSZ_SEIZURE_LABELS = frozenset(
    {"seiz", "fnsz", "gnsz", "spsz", "cpsz", "absz", "tnsz", "cnsz", "tcsz", "atsz", "mysz"}
)
_TUSZ_BACKGROUND_LABELS = frozenset({"bckg"})


@dataclass
class TuszEvent:
    """One row of a TUSZ ``.csv_bi`` file.

    Attributes
    ----------
    channel : str
        ``"TERM"`` for a term-based (whole-recording) label, else a channel name.
    start, stop : float
        Seconds from the first sample (``start_time``, ``stop_time``).
    label : str
        Lower-case label: ``"bckg"``, ``"seiz"`` or a TUSZ seizure type (``"fnsz"``...).
    confidence : float
        In [0, 1].
    """

    channel: str
    start: float
    stop: float
    label: str
    confidence: float

    @property
    def is_seizure(self):
        """True for ``seiz`` and the TUSZ seizure types."""
        return self.label in _TUSZ_SEIZURE_LABELS


@dataclass
class TuszAnnotations:
    """Content of a TUSZ ``.csv_bi`` file.

    Attributes
    ----------
    events : list of TuszEvent
        Rows in file order (``channel`` is ``"TERM"`` for term-based labels).
    duration : float or None
        ``# duration = ... secs`` header value.
    bname : str or None
        ``# bname = ...`` header value (the recording's base name).
    version : str or None
        ``# version = ...`` header value (``"csv_v1.0.0"``).
    """

    events: list
    duration: float | None = None
    bname: str | None = None
    version: str | None = None

    @property
    def seizures(self):
        """Seizure intervals ``(start_s, end_s)``: union of the seizure rows, sorted."""
        intervals = sorted((e.start, e.stop) for e in self.events if e.is_seizure)
        merged = []
        for start, stop in intervals:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
            else:
                merged.append((start, stop))
        return merged


_TUSZ_HEADER = re.compile(r"^#\s*(\w+)\s*=\s*(.*?)\s*$")


def read_tusz_csv_bi(path):
    """Read a TUH Seizure Corpus v2 ``.csv_bi`` annotation file.

    Layout: comment lines starting with ``#`` (``# version = csv_v1.0.0``,
    ``# bname = ...``, ``# duration = 1750.0000 secs``, ...), then the row
    ``channel,start_time,stop_time,label,confidence``, then one event per line,
    e.g. ``TERM,42.2786,81.7760,seiz,1.0000``.

    Parameters
    ----------
    path : str or path-like
        The ``.csv_bi`` (or channel-based ``.csv``) file.

    Returns
    -------
    annotations : TuszAnnotations
        Its ``seizures`` property gives the seizure intervals.

    Raises
    ------
    AnnotationFormatError
        On a missing or wrong column row, a row with the wrong number of fields,
        a number that cannot be read, an unknown label, a confidence outside
        [0, 1], an event whose stop is not after its start, or an event ending
        after the header's duration. The message names the file and line.
    """
    lines = _read_lines(path)
    meta = {}  # key -> (value, line)
    columns_seen = False
    events, event_lines = [], []
    for no, raw_line in enumerate(lines, start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if columns_seen:
                raise AnnotationFormatError(path, no, "comment line after the column row.")
            m = _TUSZ_HEADER.match(line)
            if m:
                meta[m.group(1).lower()] = (m.group(2), no)
        elif not columns_seen:
            if [c.strip().lower() for c in line.split(",")] != _TUSZ_COLUMNS:
                raise AnnotationFormatError(
                    path, no,
                    f"expected the column row {','.join(_TUSZ_COLUMNS)!r}, found {line!r}.",
                )
            columns_seen = True
        else:
            events.append(_tusz_event(path, no, line))
            event_lines.append(no)
    if not columns_seen:
        raise AnnotationFormatError(
            path, None, f"no column row {','.join(_TUSZ_COLUMNS)!r}: not a TUSZ csv_bi file."
        )
    duration = _tusz_duration(path, meta, events, event_lines)
    return TuszAnnotations(
        events=events, duration=duration,
        bname=meta.get("bname", (None,))[0], version=meta.get("version", (None,))[0],
    )


def _tusz_event(path, no, line):
    """Parse one event row ``channel,start_time,stop_time,label,confidence``."""
    cells = [c.strip() for c in line.split(",")]
    if len(cells) != len(_TUSZ_COLUMNS):
        raise AnnotationFormatError(
            path, no, f"{len(cells)} comma-separated fields, expected {len(_TUSZ_COLUMNS)}."
        )
    channel, start, stop, label, confidence = cells
    start = _parse_float(path, no, start, "start_time")
    stop = _parse_float(path, no, stop, "stop_time")
    confidence = _parse_float(path, no, confidence, "confidence")
    label = label.lower()
    if label not in _TUSZ_SEIZURE_LABELS | _TUSZ_BACKGROUND_LABELS:
        raise AnnotationFormatError(
            path, no, f"unknown label {label!r}; known: "
                      f"{sorted(_TUSZ_SEIZURE_LABELS | _TUSZ_BACKGROUND_LABELS)}."
        )
    if not 0 <= confidence <= 1:
        raise AnnotationFormatError(path, no, f"confidence {confidence} is outside [0, 1].")
    _check_interval(path, no, start, stop, what=f"{label} event")
    return TuszEvent(channel, start, stop, label, confidence)


def _tusz_duration(path, meta, events, event_lines):
    """The header's ``# duration = ... secs`` (None when absent), checked against the events."""
    if "duration" not in meta:
        return None
    text, line = meta["duration"]
    m = re.match(r"^(\S+?)\s*(?:secs?|s)?$", text)
    if not m:
        raise AnnotationFormatError(path, line, f"cannot read duration {text!r}.")
    duration = _parse_float(path, line, m.group(1), "the header duration")
    if duration <= 0:
        raise AnnotationFormatError(
            path, line, f"the header duration {duration} s is not positive."
        )
    for no, event in zip(event_lines, events):
        # Times are written with four decimals.
        if event.stop > duration + 1e-4 + 1e-9:
            raise AnnotationFormatError(
                path, no, f"event ends at {event.stop} s, after the recording duration "
                          f"{duration} s given in the header."
            )
    return duration
