"""Reader and writer of BIDS-EEG / SzCORE ``*_events.tsv`` files.

Dan, J., et al. (2024). SzCORE: seizure community open-source research
evaluation framework for the validation of electroencephalography-based automated
seizure detection algorithms. Epilepsia. doi:10.1111/epi.18113.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path

from .common import AnnotationFormatError, _check_interval, _parse_float, _read_lines, write_atomic

__all__ = ["BidsEvent", "read_bids_events", "write_bids_events"]

_BIDS_COLUMNS = (
    ("onset", "onset"),
    ("duration", "duration"),
    ("event_type", "eventType"),
    ("confidence", "confidence"),
    ("channels", "channels"),
    ("date_time", "dateTime"),
    ("recording_duration", "recordingDuration"),
)
_NA = "n/a"
# Rounding slack when checking that an event ends within recordingDuration: SzCORE
# writes times with two decimals.
_BIDS_SLACK = 0.01 + 1e-9


@dataclass
class BidsEvent:
    """One row of a BIDS-EEG / SzCORE ``*_events.tsv`` file.

    Attributes
    ----------
    onset : float
        Start, seconds from the first sample.
    duration : float
        Length in seconds (> 0 for seizures).
    event_type : str or None, default="sz"
        SzCORE ``eventType``: ``"bckg"`` for background, a HED-SCORE seizure type
        starting with ``"sz"`` for seizures (``"sz"``, ``"sz_foc_ia"``, ...).
    confidence : float or None
        In [0, 1]; None for ``n/a``.
    channels : list of str or None
        Channels the event is seen on; None for ``n/a`` (all / unknown).
    date_time : datetime or None
        Start date and time of the recording.
    recording_duration : float or None
        Length of the recording in seconds.
    """

    onset: float
    duration: float
    event_type: str | None = "sz"
    confidence: float | None = None
    channels: list | None = None
    date_time: datetime | None = None
    recording_duration: float | None = None

    @property
    def end(self):
        """``onset + duration`` in seconds."""
        return self.onset + self.duration

    @property
    def is_seizure(self):
        """True for SzCORE seizure types: ``eventType`` starting with ``"sz"``, any case."""
        return isinstance(self.event_type, str) and self.event_type.strip().lower().startswith("sz")

    @property
    def is_background(self):
        """True for the SzCORE background type ``"bckg"`` (any case)."""
        return isinstance(self.event_type, str) and self.event_type.strip().lower() == "bckg"


def _bids_value(path, no, column, text):
    """Convert one TSV cell of a known column (``n/a`` -> None)."""
    text = text.strip()
    if column in ("onset", "duration"):
        return _parse_float(path, no, text, column)
    if text in (_NA, ""):
        return None
    if column in ("confidence", "recordingDuration"):
        return _parse_float(path, no, text, column)
    if column == "channels":
        return [c.strip() for c in text.split(",")]
    if column == "dateTime":
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise AnnotationFormatError(
                path, no, f"dateTime {text!r} is not 'YYYY-MM-DD HH:MM:SS'."
            ) from None
    return text


def _validate_bids_event(event, path, no):
    """Refuse non-finite or negative times, a bad confidence, an empty seizure."""
    for name in ("onset", "duration", "confidence", "recording_duration"):
        value = getattr(event, name)
        if value is None and name in ("confidence", "recording_duration"):
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value):
            raise AnnotationFormatError(path, no, f"{name} {value!r} is not a finite number.")
    if event.confidence is not None and not 0 <= event.confidence <= 1:
        raise AnnotationFormatError(path, no, f"confidence {event.confidence} is outside [0, 1].")
    if event.onset < 0:
        raise AnnotationFormatError(path, no, f"onset {event.onset} s is negative.")
    if event.is_seizure:
        _check_interval(path, no, event.onset, event.end)
    elif event.duration < 0:
        raise AnnotationFormatError(path, no, f"duration {event.duration} s is negative.")
    if event.recording_duration is not None:
        if event.recording_duration <= 0:
            raise AnnotationFormatError(
                path, no, f"recordingDuration {event.recording_duration} s is not positive."
            )
        if event.end > event.recording_duration + _BIDS_SLACK:
            raise AnnotationFormatError(
                path, no, f"event ends at {event.end} s, after the recording "
                          f"({event.recording_duration} s)."
            )


def _check_no_overlap(events, path, lines):
    """Refuse two seizure events that overlap in time on a common channel.

    Events without ``channels`` (``n/a``) cover every channel. ``lines`` gives the
    line of each event (None when writing).
    """
    seizures = sorted(
        (e.onset, e.end, i) for i, e in enumerate(events) if e.is_seizure
    )
    for k, (onset, end, i) in enumerate(seizures):
        for onset2, _, j in seizures[k + 1:]:
            if onset2 >= end:
                break
            a, b = events[i].channels, events[j].channels
            if a is None or b is None or set(a) & set(b):
                first, second = sorted((i, j))
                where = f"line {lines[first]}" if lines[first] is not None else f"event {first}"
                raise AnnotationFormatError(
                    path, lines[second],
                    f"seizure ({events[second].onset} s, {events[second].end} s) overlaps the "
                    f"seizure ({events[first].onset} s, {events[first].end} s) of {where} "
                    f"on the same channels.",
                )


def _event_type_column(path, header):
    """The column giving the event type, warning when it is not SzCORE's ``eventType``."""
    if "eventType" in header:
        return "eventType"
    if "trial_type" in header:
        warnings.warn(
            f"{path}: no 'eventType' column; the BIDS 'trial_type' column is read with the "
            f"SzCORE convention (values starting with 'sz', any case, are seizures).",
            UserWarning,
            stacklevel=3,
        )
        return "trial_type"
    warnings.warn(
        f"{path}: neither an 'eventType' nor a 'trial_type' column; no event is a seizure.",
        UserWarning,
        stacklevel=3,
    )
    return None


def _read_bids_header(path, first_line):
    header = [h.strip() for h in first_line.split("\t")]
    for required in ("onset", "duration"):
        if required not in header:
            raise AnnotationFormatError(
                path, 1, f"the header has no {required!r} column (columns: {header})."
            )
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise AnnotationFormatError(path, 1, f"the header repeats the columns {repeated}.")
    return header


def read_bids_events(path):
    """Read a BIDS-EEG / SzCORE ``*_events.tsv`` file.

    The header row must contain ``onset`` and ``duration``; the SzCORE columns
    ``eventType``, ``confidence``, ``channels``, ``dateTime`` and
    ``recordingDuration`` are optional (None when absent or ``n/a``), other
    columns are ignored. Event types follow the SzCORE convention, compared
    without regard to case: a value starting with ``sz`` (``sz``, ``SZ``,
    ``sz_foc_ia``...) is a seizure, ``bckg`` is background. When ``eventType`` is
    absent, BIDS' ``trial_type`` is read in its place with the same convention and
    a ``UserWarning`` names the file; with neither column, a ``UserWarning`` says
    that no event is a seizure.

    Parameters
    ----------
    path : str or path-like
        The ``.tsv`` file.

    Returns
    -------
    events : list of BidsEvent
        One per data row, in file order.

    Raises
    ------
    AnnotationFormatError
        On a missing or repeated column, a row with the wrong number of cells, a
        value that cannot be read, a time that is not finite, a negative onset or
        duration, a seizure whose duration is not positive, two seizures that
        overlap on a common channel (events without ``channels`` cover all
        channels), or an event that ends after ``recordingDuration``. The message
        names the file and line.
    """
    lines = _read_lines(path)
    header = _read_bids_header(path, lines[0])
    type_column = _event_type_column(path, header)
    events, event_lines = [], []
    for no, raw_line in enumerate(lines[1:], start=2):
        if not raw_line.strip():
            continue
        cells = raw_line.split("\t")
        if len(cells) != len(header):
            raise AnnotationFormatError(
                path, no, f"{len(cells)} tab-separated cells for {len(header)} columns."
            )
        row = dict(zip(header, cells))
        values = {}
        for attr, column in _BIDS_COLUMNS:
            source = type_column if attr == "event_type" else column
            values[attr] = _bids_value(path, no, column, row[source]) if source in row else None
        event = BidsEvent(**values)
        _validate_bids_event(event, path, no)
        events.append(event)
        event_lines.append(no)
    _check_no_overlap(events, path, event_lines)
    return events


def _coerce_bids_event(event, index):
    if isinstance(event, BidsEvent):
        return event
    if isinstance(event, Mapping):
        by_column = {column: attr for attr, column in _BIDS_COLUMNS}
        names = {f.name for f in fields(BidsEvent)}
        kwargs = {}
        for key, value in event.items():
            attr = by_column.get(key, key)
            if attr not in names:
                raise ValueError(f"events[{index}] has an unknown key {key!r}.")
            kwargs[attr] = value
        try:
            return BidsEvent(**kwargs)
        except TypeError as exc:
            raise ValueError(f"events[{index}]: {exc}") from None
    raise TypeError(
        f"events[{index}] must be a BidsEvent or a mapping, got {type(event).__name__}."
    )


def _format_bids_cell(attr, value, index):
    if value is None:
        return _NA
    if attr in ("onset", "duration", "confidence", "recording_duration"):
        return repr(float(value))  # shortest text that reads back to the same float
    if attr == "channels":
        if isinstance(value, str):
            value = [value]
        value = [str(c) for c in value]
        if any("," in c for c in value):
            raise ValueError(f"events[{index}]: a channel name contains ',': {value}.")
        text = ",".join(value)
    elif attr == "date_time":
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        text = value.isoformat(sep=" ")
    else:
        text = str(value)
    if "\t" in text or "\n" in text or "\r" in text:
        raise ValueError(f"events[{index}]: {attr} {text!r} contains a tab or newline.")
    return text


def write_bids_events(path, events, *, overwrite=False):
    """Write events as a BIDS-EEG / SzCORE ``*_events.tsv`` file.

    Columns, in order: ``onset``, ``duration``, ``eventType``, ``confidence``,
    ``channels``, ``dateTime``, ``recordingDuration``; missing values are ``n/a``,
    channels are comma-separated, ``dateTime`` is ``YYYY-MM-DD HH:MM:SS``. Numbers
    are written with as many digits as needed to read back exactly.

    Parameters
    ----------
    path : str or path-like
        Destination file; its folder must exist.
    events : iterable of BidsEvent or mapping
        Mappings may use the attribute names of :class:`BidsEvent` or the column
        names (``eventType``...).
    overwrite : bool, default=False
        An existing file is only replaced when True. The new file is written to a
        uniquely named temporary file beside ``path`` and moved into place
        (:func:`~skseizure.io.write_atomic`), so a failure never leaves a
        half-written file where the old one was, nor a temporary file.

    Returns
    -------
    path : pathlib.Path
        The written file.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False (the file is left untouched).
    IsADirectoryError
        If ``path`` is a directory; nothing is written.
    ValueError
        If an event is invalid (e.g. a seizure with non-positive duration, or two
        seizures overlapping on a common channel); nothing is written.
    """
    path = Path(path)
    events = [_coerce_bids_event(e, i) for i, e in enumerate(events)]
    for i, event in enumerate(events):
        try:
            _validate_bids_event(event, path, None)
        except AnnotationFormatError as exc:
            raise ValueError(f"events[{i}] cannot be written to {path}: {exc.problem}") from None
    try:
        _check_no_overlap(events, path, [None] * len(events))
    except AnnotationFormatError as exc:
        raise ValueError(f"cannot write {path}: {exc.problem}") from None
    rows = ["\t".join(column for _, column in _BIDS_COLUMNS)]
    for i, event in enumerate(events):
        cells = [_format_bids_cell(attr, getattr(event, attr), i) for attr, _ in _BIDS_COLUMNS]
        rows.append("\t".join(cells))
    content = "\n".join(rows) + "\n"

    return write_atomic(path, content, overwrite=overwrite)

