"""Readers (and one writer) for seizure annotation files.

Formats
-------
* CHB-MIT ``chbNN-summary.txt``: :func:`read_chbmit_summary`,
  :func:`chbmit_seizure_table`.
* Siena ``Seizures-list-PNxx.txt``: :func:`read_siena_seizure_list`.
* BIDS-EEG / SzCORE ``*_events.tsv``: :func:`read_bids_events`,
  :func:`write_bids_events`.
* TUH Seizure Corpus (TUSZ v2) ``.csv_bi``: :func:`read_tusz_csv_bi`.
* Any of the above, detected from the content: :func:`read_annotations`.

All times are seconds from the first sample of the recording. Every reader is
strict: a line it does not understand, a seizure that ends at or before its
start, or a count that does not add up raises :class:`AnnotationFormatError`
(a ``ValueError``) whose message starts with ``<path>, line <n>:``.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

__all__ = [
    "AnnotationFormatError",
    "ChbmitRecordEntry",
    "SienaRecordEntry",
    "BidsEvent",
    "TuszEvent",
    "TuszAnnotations",
    "read_chbmit_summary",
    "chbmit_seizure_table",
    "read_siena_seizure_list",
    "read_bids_events",
    "write_bids_events",
    "read_tusz_csv_bi",
    "read_annotations",
]


class AnnotationFormatError(ValueError):
    """An annotation file cannot be parsed or holds inconsistent annotations.

    Attributes
    ----------
    path : str
        The file.
    line : int or None
        1-based line number of the offending line, None for whole-file problems.
    problem : str
        The message without the location.
    """

    def __init__(self, path, line, problem):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{path}, line {line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")


def _read_lines(path):
    """Return the lines of a text file (any newline convention), refusing empty files."""
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise AnnotationFormatError(path, None, "is not a regular file.")
        raise FileNotFoundError(f"annotation file not found: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The Siena and CHB-MIT lists are plain ASCII; accept legacy 8-bit text too.
        text = raw.decode("latin-1")
    if not text.strip():
        raise AnnotationFormatError(path, None, "the file is empty.")
    return text.splitlines()


def _check_interval(path, line, start, end, what="seizure"):
    if not end > start:
        raise AnnotationFormatError(
            path, line, f"{what} end ({end} s) is not after its start ({start} s)."
        )
    if start < 0:
        raise AnnotationFormatError(path, line, f"{what} starts before the recording ({start} s).")


# --------------------------------------------------------------------------- CHB-MIT


@dataclass
class ChbmitRecordEntry:
    """One ``File Name:`` block of a CHB-MIT summary.

    Attributes
    ----------
    file_name : str
        EDF file name as written, e.g. ``"chb01_03.edf"``.
    start_time, end_time : str or None
        Wall-clock ``"HH:MM:SS"`` strings as written (hours may exceed 23 for
        recordings that continue past midnight); None when the summary omits them
        (chb24).
    n_seizures : int
        The ``Number of Seizures in File`` value (always equal to ``len(seizures)``).
    seizures : list of (float, float)
        Seizure ``(start_s, end_s)`` in seconds from the start of the file.
    channels : list of str
        The channel list in force for this file: the summary's first list, or the
        latest ``Channels changed:`` list that precedes the file. Entries are as
        written, so unused EDF slots appear as ``"-"`` (or ``"."``). Empty when the
        summary has no channel list before this file.
    sfreq : float or None
        The summary's ``Data Sampling Rate`` in Hz.
    """

    file_name: str
    start_time: str | None = None
    end_time: str | None = None
    n_seizures: int = 0
    seizures: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    sfreq: float | None = None

    @property
    def name(self):
        """Record name: the file name without ``.edf`` (what :func:`read_edf` calls it)."""
        return Path(self.file_name).stem


@dataclass
class _OpenRecord:
    """A ``File Name:`` block being read, with the line numbers used in errors."""

    entry: ChbmitRecordEntry
    file_line: int
    count_line: int | None = None


_NUM = r"(\d+(?:\.\d*)?)"
_CHB_PATTERNS = {
    "rate": re.compile(r"^Data Sampling Rate:\s*" + _NUM + r"\s*Hz$", re.I),
    "channels": re.compile(r"^Channels (?:in EDF Files|changed)\s*:$", re.I),
    "rule": re.compile(r"^\*+$"),
    "channel": re.compile(r"^Channel\s+(\d+)\s*:\s*(.*)$", re.I),
    "file": re.compile(r"^File Name\s*:\s*(\S.*)$", re.I),
    "start_time": re.compile(r"^File Start Time\s*:\s*(\d{1,2}:\d{2}:\d{2})$", re.I),
    "end_time": re.compile(r"^File End Time\s*:\s*(\d{1,2}:\d{2}:\d{2})$", re.I),
    "count": re.compile(r"^Number of Seizures in File\s*:\s*(\d+)$", re.I),
    "sz_start": re.compile(
        r"^Seizure(?:\s+(\d+))?\s+Start Time\s*:\s*" + _NUM + r"\s*(?:seconds|secs|s)?$", re.I
    ),
    "sz_end": re.compile(
        r"^Seizure(?:\s+(\d+))?\s+End Time\s*:\s*" + _NUM + r"\s*(?:seconds|secs|s)?$", re.I
    ),
}


def read_chbmit_summary(path):
    """Parse a CHB-MIT ``chbNN-summary.txt`` file.

    Handles every variant of the 24 official summaries: ``Seizure Start Time``
    and ``Seizure n Start Time`` lines, irregular spacing, files without start
    and end times (chb24), and ``Channels changed:`` blocks, which apply to the
    files listed after them. Each ``End Time`` line closes the seizure opened by
    the ``Start Time`` line before it, whatever number it carries (chb09's
    summary numbers the second end of ``chb09_08.edf`` "Seizure 1").

    Parameters
    ----------
    path : str or path-like
        The summary file.

    Returns
    -------
    entries : list of ChbmitRecordEntry
        One per ``File Name:`` block, in file order.

    Raises
    ------
    AnnotationFormatError
        On an unknown line, a field outside a ``File Name:`` block, a seizure
        without its end (or end without start), a seizure whose end is not after
        its start, or a ``Number of Seizures in File`` that differs from the
        number of seizures listed. The message names the file and the line.
    """
    lines = _read_lines(path)
    entries = []
    channels = []
    in_channel_block = False
    sfreq = None
    current = None  # the open File Name block: _OpenRecord or None
    # (start_s, line_no). An end pairs with the start just before it; the number in
    # "Seizure n End Time" is not trusted (chb09_08 lists "Seizure 1 End Time" after
    # "Seizure 2 Start Time"); the per-file count check catches lost seizures.
    pending = None

    def close_record(at_line):
        nonlocal current
        if current is None:
            return
        entry = current.entry
        if pending is not None:
            raise AnnotationFormatError(
                path, pending[1], f"seizure start of {entry.file_name} has no end time."
            )
        if current.count_line is None:
            raise AnnotationFormatError(
                path, current.file_line,
                f"{entry.file_name} has no 'Number of Seizures in File' line.",
            )
        if entry.n_seizures != len(entry.seizures):
            raise AnnotationFormatError(
                path, current.count_line,
                f"{entry.file_name} announces {entry.n_seizures} seizures but "
                f"{len(entry.seizures)} are listed (before line {at_line}).",
            )
        entries.append(entry)
        current = None

    for no, raw_line in enumerate(lines, start=1):
        line = raw_line.strip()
        if not line:
            in_channel_block = False
            continue
        if _CHB_PATTERNS["rule"].match(line):
            continue
        m = _CHB_PATTERNS["channel"].match(line)
        if m:
            if not in_channel_block:
                raise AnnotationFormatError(
                    path, no, f"channel line outside a channel list: {line!r}."
                )
            number = int(m.group(1))
            if number != len(channels) + 1:
                raise AnnotationFormatError(
                    path, no, f"expected channel {len(channels) + 1}, found {line!r}."
                )
            channels.append(m.group(2).strip())
            continue
        in_channel_block = False
        if _CHB_PATTERNS["channels"].match(line):
            close_record(no)
            channels = []  # a new list replaces the previous one for later files
            in_channel_block = True
            continue
        m = _CHB_PATTERNS["rate"].match(line)
        if m:
            sfreq = float(m.group(1))
            continue
        m = _CHB_PATTERNS["file"].match(line)
        if m:
            close_record(no)
            entry = ChbmitRecordEntry(
                file_name=m.group(1).strip(), channels=list(channels), sfreq=sfreq
            )
            current = _OpenRecord(entry=entry, file_line=no)
            continue
        if current is None:
            known = any(p.match(line) for p in _CHB_PATTERNS.values())
            problem = (
                f"{line!r} appears outside a 'File Name:' block."
                if known
                else f"unrecognised line {line!r} in a CHB-MIT summary."
            )
            raise AnnotationFormatError(path, no, problem)
        entry = current.entry
        if m := _CHB_PATTERNS["start_time"].match(line):
            entry.start_time = m.group(1)
        elif m := _CHB_PATTERNS["end_time"].match(line):
            entry.end_time = m.group(1)
        elif m := _CHB_PATTERNS["count"].match(line):
            if current.count_line is not None:
                raise AnnotationFormatError(
                    path, no, f"second 'Number of Seizures in File' line for {entry.file_name}."
                )
            entry.n_seizures = int(m.group(1))
            current.count_line = no
        elif m := _CHB_PATTERNS["sz_start"].match(line):
            if pending is not None:
                raise AnnotationFormatError(
                    path, pending[1], f"seizure start of {entry.file_name} has no end time "
                                      f"(another start follows on line {no})."
                )
            pending = (float(m.group(2)), no)
        elif m := _CHB_PATTERNS["sz_end"].match(line):
            if pending is None:
                raise AnnotationFormatError(path, no, f"seizure end without a start: {line!r}.")
            end = float(m.group(2))
            _check_interval(path, no, pending[0], end)
            entry.seizures.append((pending[0], end))
            pending = None
        else:
            raise AnnotationFormatError(
                path, no, f"unrecognised line {line!r} in a CHB-MIT summary."
            )
    close_record(len(lines) + 1)
    if not entries:
        raise AnnotationFormatError(path, None, "no 'File Name:' entry: not a CHB-MIT summary.")
    return entries


def chbmit_seizure_table(summaries_dir):
    """All seizures of every ``chb*-summary.txt`` in a folder.

    Parameters
    ----------
    summaries_dir : str or path-like
        Folder holding the summaries (e.g. a copy of PhysioNet's ``chbNN/``
        summaries gathered in one place).

    Returns
    -------
    table : list of (str, float, float)
        ``(record, start_s, end_s)`` rows, ``record`` being the EDF file stem
        (e.g. ``"chb01_03"``), ordered by summary file name then file order.
        The 24 official summaries give 198 rows.
    """
    summaries_dir = Path(summaries_dir)
    files = sorted(summaries_dir.glob("chb*-summary.txt"))
    if not files:
        raise FileNotFoundError(f"no chb*-summary.txt file in {summaries_dir}")
    return [
        (entry.name, start, end)
        for summary in files
        for entry in read_chbmit_summary(summary)
        for start, end in entry.seizures
    ]


# --------------------------------------------------------------------------- Siena

_DAY = 24 * 3600

# Known typos of the official Siena lists (v1.0.0). The seizure-end typo makes a
# 1-min seizure last 61 min and end 32 min after the registration; the corrected
# value is the one used by epilepsy2bids (SzCORE's converter). File-name typos
# give names that do not exist in the dataset.
_SIENA_TIME_ERRATA = {
    ("PN00-3.edf", "seizure end", "19.29.29"): "18.29.29",
}
_SIENA_NAME_ERRATA = {
    "PNO6-1.edf": "PN06-1.edf",
    "PNO6-2.edf": "PN06-2.edf",
    "PNO6-4.edf": "PN06-4.edf",
    "PN11-.edf": "PN11-1.edf",
    "PN01.edf": "PN01-1.edf",
}


@dataclass
class SienaRecordEntry:
    """The annotations of one EDF file in a Siena ``Seizures-list-PNxx.txt``.

    Attributes
    ----------
    file_name : str
        EDF file name (e.g. ``"PN00-1.edf"``).
    registration_start, registration_end : str or None
        Wall-clock times of the first and last sample, normalised to ``"HH:MM:SS"``.
    seizures : list of (float, float)
        ``(start_s, end_s)`` in seconds from the registration start (rolling over
        midnight: a clock time earlier than the start belongs to the next day).
    corrections : list of str
        Errata applied to this file's lines (empty when the text was used as is).
    """

    file_name: str
    registration_start: str | None = None
    registration_end: str | None = None
    seizures: list = field(default_factory=list)
    corrections: list = field(default_factory=list)

    @property
    def name(self):
        """Record name: the file name without ``.edf``."""
        return Path(self.file_name).stem

    @property
    def duration(self):
        """Registration length in seconds (None if the end time is missing)."""
        if self.registration_start is None or self.registration_end is None:
            return None
        start = _clock_seconds(self.registration_start)
        return (_clock_seconds(self.registration_end) - start) % _DAY


def _clock_seconds(text):
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


_SIENA_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})[.:](\d{2})$")
_SIENA_PATTERNS = {
    "subject": re.compile(r"^PN\w*$", re.I),
    "rate": re.compile(r"^Data Sampling Rate\s*:\s*\d+(?:\.\d*)?\s*Hz$", re.I),
    "channels": re.compile(r"^Channels in EDF files\s*:?$", re.I),
    "channel": re.compile(r"^Channel\s+\d+\s*:.*$", re.I),
    "seizure": re.compile(r"^Seizure\s*n\.?\s*\d+\b.*$", re.I),
    "file": re.compile(r"^File\s*name\s*:\s*(\S.*)$", re.I),
    "registration start": re.compile(r"^Registration\s+start\s+time\s*:(.*)$", re.I),
    "registration end": re.compile(r"^Registration\s+end\s+time\s*:(.*)$", re.I),
    "seizure start": re.compile(r"^(?:Seizure\s+)?start\s+time\s*:(.*)$", re.I),
    "seizure end": re.compile(r"^(?:Seizure\s+)?end\s+time\s*:(.*)$", re.I),
}


def read_siena_seizure_list(path, *, apply_errata=True):
    """Parse a Siena Scalp EEG ``Seizures-list-PNxx.txt`` file.

    Clock times (``19.39.33`` or ``19:39:33``; blanks inside a time are ignored)
    become seconds from the file's registration start. A time earlier than the
    registration start is taken to be on the next day (recordings shorter than
    24 h cross midnight at most once). A file named in several blocks keeps the
    registration times given first; several seizures of one file are gathered
    in one entry.

    Parameters
    ----------
    path : str or path-like
        The seizure list.
    apply_errata : bool, default=True
        Correct the known typos of the official lists (``PN00-3.edf``'s seizure
        end ``19.29.29`` -> ``18.29.29``; file names spelt ``PNO6-...``,
        ``PN11-.edf``, ``PN01.edf``). Applied corrections are listed in
        ``entry.corrections``. With False, PN00's list raises because that seizure
        would end after the registration.

    Returns
    -------
    entries : list of SienaRecordEntry
        One per EDF file, in order of first mention.

    Raises
    ------
    AnnotationFormatError
        On an unknown line, an unreadable time, a seizure before any file or
        registration start, a start without an end, conflicting registration
        times, a seizure whose end is not after its start, or a seizure that ends
        after the registration end. The message names the file and the line.
    """
    lines = _read_lines(path)
    entries = {}
    end_lines = {}  # file name -> [(line, clock)] of each seizure end, for errors
    current = None
    pending = None  # (start_s, start_clock, line)

    def parse_time(value, no, what):
        text = re.sub(r"\s+", "", value)
        m = _SIENA_TIME.match(text)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59 or int(m.group(3)) > 59:
            raise AnnotationFormatError(path, no, f"cannot read the {what} {value.strip()!r} "
                                                  "as a clock time HH.MM.SS.")
        return f"{int(m.group(1)):02d}:{m.group(2)}:{m.group(3)}"

    def finish_pending(at_line):
        if pending is not None:
            raise AnnotationFormatError(
                path, pending[2], f"seizure start of {current.file_name} has no end time "
                                  f"(next block at line {at_line})."
            )

    for no, raw_line in enumerate(lines, start=1):
        line = raw_line.strip()
        if not line:
            continue
        kind = next((k for k, p in _SIENA_PATTERNS.items() if p.match(line)), None)
        if kind is None:
            raise AnnotationFormatError(
                path, no, f"unrecognised line {line!r} in a Siena seizure list."
            )
        if kind in ("subject", "rate", "channels", "channel"):
            continue
        if kind == "seizure":
            finish_pending(no)
            continue
        if kind == "file":
            finish_pending(no)
            name = _SIENA_PATTERNS["file"].match(line).group(1).strip()
            corrections = []
            if apply_errata and name in _SIENA_NAME_ERRATA:
                corrections.append(f"file name {name!r} -> {_SIENA_NAME_ERRATA[name]!r}")
                name = _SIENA_NAME_ERRATA[name]
            current = entries.setdefault(name, SienaRecordEntry(file_name=name))
            for c in corrections:
                if c not in current.corrections:
                    current.corrections.append(c)
            continue
        if current is None:
            raise AnnotationFormatError(
                path, no, f"{line!r} appears before any 'File name:' line."
            )
        value = _SIENA_PATTERNS[kind].match(line).group(1)
        clock = parse_time(value, no, kind + " time")
        key = (current.file_name, kind, clock.replace(":", "."))
        if apply_errata and key in _SIENA_TIME_ERRATA:
            fixed = parse_time(_SIENA_TIME_ERRATA[key], no, kind + " time")
            current.corrections.append(f"line {no}: {kind} time {clock} -> {fixed}")
            clock = fixed
        if kind in ("registration start", "registration end"):
            attr = kind.replace(" ", "_")
            previous = getattr(current, attr)
            if previous is not None and previous != clock:
                raise AnnotationFormatError(
                    path, no, f"{kind} time {clock} of {current.file_name} contradicts "
                              f"the earlier {previous}."
                )
            setattr(current, attr, clock)
            continue
        if current.registration_start is None:
            raise AnnotationFormatError(
                path, no, f"{kind} time of {current.file_name} given before its registration "
                          "start time."
            )
        if kind == "seizure start":
            finish_pending(no)
            start = (_clock_seconds(clock) - _clock_seconds(current.registration_start)) % _DAY
            pending = (float(start), clock, no)
            continue
        # seizure end
        if pending is None:
            raise AnnotationFormatError(path, no, f"seizure end without a start: {line!r}.")
        start = pending[0]
        end = start + (_clock_seconds(clock) - _clock_seconds(pending[1])) % _DAY
        _check_interval(path, no, start, float(end))
        current.seizures.append((start, float(end)))
        end_lines.setdefault(current.file_name, []).append((no, clock))
        pending = None
    if pending is not None:
        finish_pending(len(lines) + 1)
    if not entries:
        raise AnnotationFormatError(path, None, "no 'File name:' entry: not a Siena seizure list.")
    # Checked last: a registration end time may be given after the seizures.
    for entry in entries.values():
        duration = entry.duration
        for (start, end), (no, clock) in zip(entry.seizures, end_lines.get(entry.file_name, [])):
            if duration is not None and end > duration:
                raise AnnotationFormatError(
                    path, no, f"seizure of {entry.file_name} ends at {clock}, "
                              f"{end - duration:.0f} s after the registration end "
                              f"{entry.registration_end}."
                )
    return list(entries.values())


# --------------------------------------------------------------------------- BIDS / SzCORE

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
        """True for SzCORE seizure types (``eventType`` starting with ``"sz"``)."""
        return self.event_type is not None and self.event_type.startswith("sz")


def _bids_value(path, no, column, text):
    """Convert one TSV cell of a known column (``n/a`` -> None)."""
    text = text.strip()
    if column in ("onset", "duration"):
        try:
            value = float(text)
        except ValueError:
            raise AnnotationFormatError(path, no, f"{column} {text!r} is not a number.") from None
        if not math.isfinite(value):
            raise AnnotationFormatError(path, no, f"{column} {text!r} is not a finite number.")
        return value
    if text in (_NA, ""):
        return None
    if column in ("confidence", "recordingDuration"):
        try:
            value = float(text)
        except ValueError:
            raise AnnotationFormatError(path, no, f"{column} {text!r} is not a number.") from None
        if column == "confidence" and not 0 <= value <= 1:
            raise AnnotationFormatError(path, no, f"confidence {value} is outside [0, 1].")
        return value
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
    for name in ("onset", "duration"):
        value = getattr(event, name)
        if not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise AnnotationFormatError(path, no, f"{name} {value!r} is not a finite number.")
    if event.confidence is not None and not 0 <= event.confidence <= 1:
        raise AnnotationFormatError(path, no, f"confidence {event.confidence} is outside [0, 1].")
    if event.onset < 0:
        raise AnnotationFormatError(path, no, f"onset {event.onset} s is negative.")
    if event.is_seizure:
        _check_interval(path, no, event.onset, event.end)
    elif event.duration < 0:
        raise AnnotationFormatError(path, no, f"duration {event.duration} s is negative.")
    if event.recording_duration is not None and event.end > event.recording_duration + _BIDS_SLACK:
        raise AnnotationFormatError(
            path, no, f"event ends at {event.end} s, after the recording "
                      f"({event.recording_duration} s)."
        )


def read_bids_events(path):
    """Read a BIDS-EEG / SzCORE ``*_events.tsv`` file.

    The header row must contain ``onset`` and ``duration``; the SzCORE columns
    ``eventType``, ``confidence``, ``channels``, ``dateTime`` and
    ``recordingDuration`` are optional (None when absent or ``n/a``), other
    columns are ignored. When ``eventType`` is absent, BIDS' ``trial_type`` is
    used in its place.

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
        On a missing column, a row with the wrong number of cells, a value that
        cannot be read, a seizure whose duration is not positive, or an event that
        ends after ``recordingDuration``. The message names the file and line.
    """
    lines = _read_lines(path)
    header = [h.strip() for h in lines[0].split("\t")]
    for required in ("onset", "duration"):
        if required not in header:
            raise AnnotationFormatError(
                path, 1, f"the header has no {required!r} column (columns: {header})."
            )
    type_column = "eventType" if "eventType" in header else "trial_type"
    events = []
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
        temporary file first and moved into place, so a failure never leaves a
        half-written file where the old one was.

    Returns
    -------
    path : pathlib.Path
        The written file.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False (the file is left untouched).
    ValueError
        If an event is invalid (e.g. a seizure with non-positive duration); nothing
        is written.
    """
    path = Path(path)
    events = [_coerce_bids_event(e, i) for i, e in enumerate(events)]
    for i, event in enumerate(events):
        try:
            _validate_bids_event(event, path, None)
        except AnnotationFormatError as exc:
            raise ValueError(f"events[{i}] cannot be written to {path}: {exc.problem}") from None
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: folder {path.parent} does not exist.")
    rows = ["\t".join(column for _, column in _BIDS_COLUMNS)]
    for i, event in enumerate(events):
        cells = [_format_bids_cell(attr, getattr(event, attr), i) for attr, _ in _BIDS_COLUMNS]
        rows.append("\t".join(cells))
    content = "\n".join(rows) + "\n"

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(content)
        if overwrite:
            os.replace(tmp, path)
        else:
            # link() fails if the name appeared meanwhile: never replace a user's file.
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise FileExistsError(
                    f"{path} already exists; pass overwrite=True to replace it."
                ) from None
            except OSError:
                # Filesystems without hard links: exclusive create instead.
                with open(path, "x", encoding="utf-8", newline="") as f:
                    f.write(content)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


# --------------------------------------------------------------------------- TUSZ

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
    meta = {}
    columns_seen = False
    events = []
    event_lines = []
    for no, raw_line in enumerate(lines, start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if columns_seen:
                raise AnnotationFormatError(path, no, "comment line after the column row.")
            m = _TUSZ_HEADER.match(line)
            if m:
                meta[m.group(1).lower()] = m.group(2)
            continue
        cells = [c.strip() for c in line.split(",")]
        if not columns_seen:
            if [c.lower() for c in cells] != _TUSZ_COLUMNS:
                raise AnnotationFormatError(
                    path, no,
                    f"expected the column row {','.join(_TUSZ_COLUMNS)!r}, found {line!r}.",
                )
            columns_seen = True
            continue
        if len(cells) != len(_TUSZ_COLUMNS):
            raise AnnotationFormatError(
                path, no, f"{len(cells)} comma-separated fields, expected {len(_TUSZ_COLUMNS)}."
            )
        channel, start, stop, label, confidence = cells
        try:
            start, stop, confidence = float(start), float(stop), float(confidence)
        except ValueError:
            raise AnnotationFormatError(
                path, no, f"start_time, stop_time and confidence must be numbers: {line!r}."
            ) from None
        label = label.lower()
        if label not in _TUSZ_SEIZURE_LABELS | _TUSZ_BACKGROUND_LABELS:
            raise AnnotationFormatError(
                path, no, f"unknown label {label!r}; known: "
                          f"{sorted(_TUSZ_SEIZURE_LABELS | _TUSZ_BACKGROUND_LABELS)}."
            )
        if not 0 <= confidence <= 1:
            raise AnnotationFormatError(path, no, f"confidence {confidence} is outside [0, 1].")
        _check_interval(path, no, start, stop, what=f"{label} event")
        events.append(TuszEvent(channel, start, stop, label, confidence))
        event_lines.append(no)
    if not columns_seen:
        raise AnnotationFormatError(
            path, None, f"no column row {','.join(_TUSZ_COLUMNS)!r}: not a TUSZ csv_bi file."
        )
    duration = None
    if "duration" in meta:
        m = re.match(r"^(\d+(?:\.\d*)?)\s*(?:secs?|s)?$", meta["duration"])
        if not m:
            raise AnnotationFormatError(path, None, f"cannot read duration {meta['duration']!r}.")
        duration = float(m.group(1))
        for no, event in zip(event_lines, events):
            # Times are written with four decimals.
            if event.stop > duration + 1e-4 + 1e-9:
                raise AnnotationFormatError(
                    path, no, f"event ends at {event.stop} s, after the recording duration "
                              f"{duration} s given in the header."
                )
    return TuszAnnotations(
        events=events, duration=duration, bname=meta.get("bname"), version=meta.get("version")
    )


# --------------------------------------------------------------------------- dispatch

_KNOWN_FORMATS = (
    "CHB-MIT summary (chbNN-summary.txt), Siena seizure list (Seizures-list-PNxx.txt), "
    "BIDS/SzCORE events (*_events.tsv), TUSZ (*.csv_bi)"
)


def _detect_format(path):
    path = Path(path)
    lines = _read_lines(path)
    first = next((line.strip() for line in lines if line.strip()), "")
    text = "\n".join(lines)
    if path.suffix.lower() == ".csv_bi" or re.match(r"^#\s*version\s*=\s*csv", first, re.I):
        return "tusz"
    if "\t" in first and {"onset", "duration"} <= {c.strip() for c in first.split("\t")}:
        return "bids"
    if re.search(r"^\s*Number of Seizures in File\s*:", text, re.I | re.M):
        return "chbmit"
    if re.search(r"^\s*Registration\s+start\s+time\s*:", text, re.I | re.M):
        return "siena"
    raise AnnotationFormatError(
        path, None, f"unknown annotation format; the known formats are {_KNOWN_FORMATS}."
    )


def read_annotations(path):
    """Read seizure intervals from any supported annotation file.

    The format is recognised from the content (the ``.csv_bi`` suffix also
    selects TUSZ), so renamed files are still read.

    Parameters
    ----------
    path : str or path-like
        A CHB-MIT summary, Siena seizure list, BIDS/SzCORE ``*_events.tsv`` or
        TUSZ ``.csv_bi`` file.

    Returns
    -------
    seizures : dict of str to list of (float, float)
        Recording name -> seizure intervals in seconds (an empty list for a
        recording without seizures). The name is what :func:`read_edf` calls the
        matching EDF (its file stem): ``"chb01_03"``, ``"PN00-1"``, the BIDS base
        name with ``_events`` replaced by ``_eeg`` (``"sub-01_..._run-00_eeg"``),
        or the TUSZ ``bname`` (file stem when absent).

    Raises
    ------
    AnnotationFormatError
        If the format is unknown (the message lists the known formats) or the file
        is malformed (the message names the line).
    """
    path = Path(path)
    kind = _detect_format(path)
    if kind == "chbmit":
        return {e.name: list(e.seizures) for e in read_chbmit_summary(path)}
    if kind == "siena":
        return {e.name: list(e.seizures) for e in read_siena_seizure_list(path)}
    if kind == "bids":
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        name = stem[: -len("_events")] + "_eeg" if stem.endswith("_events") else stem
        return {name: [(e.onset, e.end) for e in read_bids_events(path) if e.is_seizure]}
    tusz = read_tusz_csv_bi(path)
    return {tusz.bname or path.stem: tusz.seizures}
