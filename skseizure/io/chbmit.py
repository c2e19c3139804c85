"""Reader of the CHB-MIT Scalp EEG Database ``chbNN-summary.txt`` files.

Shoeb, A. (2009). Application of machine learning to epileptic seizure onset
detection and treatment. PhD thesis, MIT. Data: PhysioNet, doi:10.13026/C2K01R.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .common import (
    _DAY,
    AnnotationFormatError,
    _check_interval,
    _clock_seconds,
    _parse_float,
    _read_lines,
)

__all__ = ["ChbmitRecordEntry", "read_chbmit_summary", "chbmit_seizure_table"]

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

    @property
    def duration(self):
        """Seconds from ``start_time`` to ``end_time`` (None if either is missing).

        An end clock earlier than the start clock is on the next day.
        """
        if self.start_time is None or self.end_time is None:
            return None
        return float((_clock_seconds(self.end_time) - _clock_seconds(self.start_time)) % _DAY)


_NUM = r"([-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?|[-+]?inf(?:inity)?|nan)"
_CLOCK = r"(\S+)"
_CHB_PATTERNS = {
    "rate": re.compile(r"^Data Sampling Rate\s*:\s*" + _NUM + r"\s*Hz$", re.I | re.A),
    "channels": re.compile(r"^Channels (?:in EDF Files|changed)\s*:$", re.I | re.A),
    "rule": re.compile(r"^\*+$"),
    "channel": re.compile(r"^Channel\s+(\d+)\s*:\s*(.*)$", re.I | re.A),
    "file": re.compile(r"^File Name\s*:\s*(\S.*)$", re.I | re.A),
    "start_time": re.compile(r"^File Start Time\s*:\s*" + _CLOCK + "$", re.I | re.A),
    "end_time": re.compile(r"^File End Time\s*:\s*" + _CLOCK + "$", re.I | re.A),
    "count": re.compile(r"^Number of Seizures in File\s*:\s*([-+]?\d+)$", re.I | re.A),
    "sz_start": re.compile(
        r"^Seizure(?:\s+(\d+))?\s+Start Time\s*:\s*" + _NUM + r"\s*(?:seconds|secs|s)?$",
        re.I | re.A,
    ),
    "sz_end": re.compile(
        r"^Seizure(?:\s+(\d+))?\s+End Time\s*:\s*" + _NUM + r"\s*(?:seconds|secs|s)?$",
        re.I | re.A,
    ),
}
_CLOCK_TEXT = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})$", re.A)
# Hours run past 23 for files that continue after midnight (up to 27 in the
# official summaries); a file longer than a day is not a CHB-MIT file.
_MAX_CLOCK_HOUR = 47
_MAX_FILE_SECONDS = _DAY
# Seizure times are whole seconds and the clock times too; allow one second.
_END_SLACK = 1.0


@dataclass
class _OpenRecord:
    """A ``File Name:`` block being read, with the line numbers used in errors."""

    entry: ChbmitRecordEntry
    file_line: int
    count_line: int | None = None
    end_time_line: int | None = None
    seizure_lines: list = field(default_factory=list)  # line of each seizure end


class _SummaryParser:
    """Line-by-line state machine behind :func:`read_chbmit_summary`."""

    def __init__(self, path):
        self.path = path
        self.entries = []
        self.first_line = {}  # file name -> line of its File Name block
        self.channels = []
        self.in_channel_block = False
        self.sfreq = None
        self.current = None  # the open File Name block
        # (start_s, line). An end pairs with the start just before it; the number
        # in "Seizure n End Time" is not trusted (chb09_08 lists "Seizure 1 End
        # Time" after "Seizure 2 Start Time"); the per-file count check catches
        # lost seizures.
        self.pending = None

    def error(self, line, problem):
        return AnnotationFormatError(self.path, line, problem)

    def parse(self, lines):
        for no, raw_line in enumerate(lines, start=1):
            self.feed(no, raw_line.strip())
        self.close_record(len(lines) + 1)
        if not self.entries:
            raise self.error(None, "no 'File Name:' entry: not a CHB-MIT summary.")
        return self.entries

    def feed(self, no, line):
        if not line:
            self.in_channel_block = False
            return
        if _CHB_PATTERNS["rule"].match(line):
            return
        m = _CHB_PATTERNS["channel"].match(line)
        if m:
            self.channel_line(no, line, m)
            return
        self.in_channel_block = False
        if _CHB_PATTERNS["channels"].match(line):
            self.close_record(no)
            self.channels = []  # a new list replaces the previous one for later files
            self.in_channel_block = True
        elif m := _CHB_PATTERNS["rate"].match(line):
            self.sfreq = _parse_float(self.path, no, m.group(1), "the sampling rate")
            if self.sfreq <= 0:
                raise self.error(no, f"the sampling rate {self.sfreq} Hz is not positive.")
        elif m := _CHB_PATTERNS["file"].match(line):
            self.open_record(no, m.group(1).strip())
        elif self.current is None:
            known = any(p.match(line) for p in _CHB_PATTERNS.values())
            raise self.error(
                no,
                f"{line!r} appears outside a 'File Name:' block."
                if known
                else f"unrecognised line {line!r} in a CHB-MIT summary.",
            )
        else:
            self.field_line(no, line)

    def channel_line(self, no, line, m):
        if not self.in_channel_block:
            raise self.error(no, f"channel line outside a channel list: {line!r}.")
        if int(m.group(1)) != len(self.channels) + 1:
            raise self.error(no, f"expected channel {len(self.channels) + 1}, found {line!r}.")
        self.channels.append(m.group(2).strip())

    def open_record(self, no, file_name):
        self.close_record(no)
        if file_name in self.first_line:
            raise self.error(
                no, f"{file_name} is listed a second time (first on line "
                    f"{self.first_line[file_name]}); its seizures would be ambiguous."
            )
        self.first_line[file_name] = no
        entry = ChbmitRecordEntry(file_name=file_name, channels=list(self.channels),
                                  sfreq=self.sfreq)
        self.current = _OpenRecord(entry=entry, file_line=no)

    def field_line(self, no, line):
        entry = self.current.entry
        if m := _CHB_PATTERNS["start_time"].match(line):
            entry.start_time = self.clock(no, m.group(1), "file start time")
        elif m := _CHB_PATTERNS["end_time"].match(line):
            entry.end_time = self.clock(no, m.group(1), "file end time")
            self.current.end_time_line = no
        elif m := _CHB_PATTERNS["count"].match(line):
            self.count_line(no, int(m.group(1)))
        elif m := _CHB_PATTERNS["sz_start"].match(line):
            if self.pending is not None:
                raise self.error(
                    self.pending[1], f"seizure start of {entry.file_name} has no end time "
                                     f"(another start follows on line {no})."
                )
            self.pending = (_parse_float(self.path, no, m.group(2), "seizure start"), no)
        elif m := _CHB_PATTERNS["sz_end"].match(line):
            if self.pending is None:
                raise self.error(no, f"seizure end without a start: {line!r}.")
            end = _parse_float(self.path, no, m.group(2), "seizure end")
            _check_interval(self.path, no, self.pending[0], end)
            entry.seizures.append((self.pending[0], end))
            self.current.seizure_lines.append(no)
            self.pending = None
        else:
            raise self.error(no, f"unrecognised line {line!r} in a CHB-MIT summary.")

    def clock(self, no, text, what):
        m = _CLOCK_TEXT.match(text)
        if not m or int(m.group(1)) > _MAX_CLOCK_HOUR or int(m.group(2)) > 59 \
                or int(m.group(3)) > 59:
            raise self.error(
                no, f"the {what} {text!r} is not a clock time HH:MM:SS (hours 0-"
                    f"{_MAX_CLOCK_HOUR}, minutes and seconds 0-59)."
            )
        return text

    def count_line(self, no, count):
        if self.current.count_line is not None:
            raise self.error(
                no, f"second 'Number of Seizures in File' line for "
                    f"{self.current.entry.file_name}."
            )
        if count < 0:
            raise self.error(no, f"negative number of seizures ({count}).")
        self.current.entry.n_seizures = count
        self.current.count_line = no

    def close_record(self, at_line):
        current = self.current
        if current is None:
            return
        entry = current.entry
        if self.pending is not None:
            raise self.error(
                self.pending[1], f"seizure start of {entry.file_name} has no end time."
            )
        if current.count_line is None:
            raise self.error(
                current.file_line, f"{entry.file_name} has no 'Number of Seizures in File' line."
            )
        if entry.n_seizures != len(entry.seizures):
            raise self.error(
                current.count_line,
                f"{entry.file_name} announces {entry.n_seizures} seizures but "
                f"{len(entry.seizures)} are listed (before line {at_line}).",
            )
        self.check_times(current)
        self.entries.append(entry)
        self.current = None

    def check_times(self, current):
        """Refuse start/end clocks that give an impossible length, or seizures past the end."""
        entry = current.entry
        if (entry.start_time is None) != (entry.end_time is None):
            raise self.error(
                current.file_line, f"{entry.file_name} gives only one of its start and end times."
            )
        duration = entry.duration
        if duration is None:
            return
        line = current.end_time_line
        if duration == 0 or _clock_seconds(entry.end_time) - _clock_seconds(entry.start_time) \
                > _MAX_FILE_SECONDS:
            raise self.error(
                line, f"{entry.file_name} runs from {entry.start_time} to {entry.end_time}, "
                      f"which is not a plausible recording length."
            )
        for (start, end), no in zip(entry.seizures, current.seizure_lines):
            if end > duration + _END_SLACK:
                raise self.error(
                    no, f"seizure ({start:g} s, {end:g} s) of {entry.file_name} ends after the "
                        f"file ({duration:g} s from {entry.start_time} to {entry.end_time})."
                )


def read_chbmit_summary(path):
    """Parse a CHB-MIT ``chbNN-summary.txt`` file.

    Handles every variant of the 24 official summaries: ``Seizure Start Time``
    and ``Seizure n Start Time`` lines, irregular spacing, files without start
    and end times (chb24), and ``Channels changed:`` blocks, which apply to the
    files listed after them. Each ``End Time`` line closes the seizure opened by
    the ``Start Time`` line before it, whatever number it carries (chb09's
    summary numbers the second end of ``chb09_08.edf`` "Seizure 1").

    Clock times are ``HH:MM:SS`` with hours up to 47 (the summaries count hours
    past 24 for files that continue after midnight); an end clock earlier than
    the start clock is on the next day.

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
        On an unknown line, a field outside a ``File Name:`` block, a file listed
        twice, an impossible clock time or recording length (zero, or more than a
        day), a seizure without its end (or end without start), a seizure time
        that is not a finite non-negative number, a seizure whose end is not after
        its start or that ends after the file's end time (one second of slack), a
        negative count or a ``Number of Seizures in File`` that differs from the
        number of seizures listed, or a sampling rate that is not a positive
        number. The message names the file and the line.
    """
    return _SummaryParser(path).parse(_read_lines(path))


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

