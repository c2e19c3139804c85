"""Reader of the Siena Scalp EEG Database ``Seizures-list-PNxx.txt`` files.

Detti, P., Vatti, G., Zabalo Manrique de Lara, G. (2020). EEG synchronization
analysis for seizure prediction: a study on data of noninvasive recordings.
Processes 8(7), 846. Data: PhysioNet, doi:10.13026/5d4a-j060.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .common import _DAY, AnnotationFormatError, _check_interval, _clock_seconds, _read_lines

__all__ = ["SienaRecordEntry", "read_siena_seizure_list"]

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


_SIENA_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})[.:](\d{2})$", re.A)
_SIENA_PATTERNS = {
    "subject": re.compile(r"^PN\w*$", re.I | re.A),
    "rate": re.compile(r"^Data Sampling Rate\s*:\s*\d+(?:\.\d*)?\s*Hz$", re.I | re.A),
    "channels": re.compile(r"^Channels in EDF files\s*:?$", re.I | re.A),
    "channel": re.compile(r"^Channel\s+\d+\s*:.*$", re.I | re.A),
    "seizure": re.compile(r"^Seizure\s*n\.?\s*\d+\b.*$", re.I | re.A),
    "file": re.compile(r"^File\s*name\s*:\s*(\S.*)$", re.I | re.A),
    "registration start": re.compile(r"^Registration\s+start\s+time\s*:(.*)$", re.I | re.A),
    "registration end": re.compile(r"^Registration\s+end\s+time\s*:(.*)$", re.I | re.A),
    "seizure start": re.compile(r"^(?:Seizure\s+)?start\s+time\s*:(.*)$", re.I | re.A),
    "seizure end": re.compile(r"^(?:Seizure\s+)?end\s+time\s*:(.*)$", re.I | re.A),
}


# A seizure whose end clock is earlier than its start clock crosses midnight only
# if it then lasts at most this long (seconds); longer, it is a typo.
_MAX_ROLLOVER_SEIZURE = 3600


class _ListParser:
    """Line-by-line state machine behind :func:`read_siena_seizure_list`."""

    def __init__(self, path, apply_errata):
        self.path = path
        self.apply_errata = apply_errata
        self.entries = {}
        self.end_lines = {}  # file name -> [(line, clock)] of each seizure end
        self.current = None
        self.pending = None  # (start_s, start_clock, line)

    def error(self, line, problem):
        return AnnotationFormatError(self.path, line, problem)

    def parse(self, lines):
        for no, raw_line in enumerate(lines, start=1):
            line = raw_line.strip()
            if line:
                self.feed(no, line)
        self.finish_pending(len(lines) + 1)
        if not self.entries:
            raise self.error(None, "no 'File name:' entry: not a Siena seizure list.")
        self.check_registration_ends()
        return list(self.entries.values())

    def parse_time(self, value, no, what):
        text = re.sub(r"\s+", "", value)
        m = _SIENA_TIME.match(text)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59 or int(m.group(3)) > 59:
            raise self.error(no, f"cannot read the {what} {value.strip()!r} "
                                 "as a clock time HH.MM.SS.")
        return f"{int(m.group(1)):02d}:{m.group(2)}:{m.group(3)}"

    def finish_pending(self, at_line):
        if self.pending is not None:
            raise self.error(
                self.pending[2], f"seizure start of {self.current.file_name} has no end time "
                                 f"(next block at line {at_line})."
            )

    def feed(self, no, line):
        kind = next((k for k, p in _SIENA_PATTERNS.items() if p.match(line)), None)
        if kind is None:
            raise self.error(no, f"unrecognised line {line!r} in a Siena seizure list.")
        if kind in ("subject", "rate", "channels", "channel"):
            return
        if kind in ("seizure", "file"):
            self.finish_pending(no)
            if kind == "file":
                self.open_file(_SIENA_PATTERNS["file"].match(line).group(1).strip())
            return
        if self.current is None:
            raise self.error(no, f"{line!r} appears before any 'File name:' line.")
        clock = self.clock(no, kind, _SIENA_PATTERNS[kind].match(line).group(1))
        if kind in ("registration start", "registration end"):
            self.registration(no, kind, clock)
        elif self.current.registration_start is None:
            raise self.error(
                no, f"{kind} time of {self.current.file_name} given before its registration "
                    "start time."
            )
        elif kind == "seizure start":
            self.finish_pending(no)
            start = (_clock_seconds(clock) - _clock_seconds(self.current.registration_start))
            self.pending = (float(start % _DAY), clock, no)
        else:
            self.seizure_end(no, line, clock)

    def open_file(self, name):
        corrections = []
        if self.apply_errata and name in _SIENA_NAME_ERRATA:
            corrections.append(f"file name {name!r} -> {_SIENA_NAME_ERRATA[name]!r}")
            name = _SIENA_NAME_ERRATA[name]
        self.current = self.entries.setdefault(name, SienaRecordEntry(file_name=name))
        for c in corrections:
            if c not in self.current.corrections:
                self.current.corrections.append(c)

    def clock(self, no, kind, value):
        """The clock time of a line, with the known errata applied."""
        clock = self.parse_time(value, no, kind + " time")
        key = (self.current.file_name, kind, clock.replace(":", "."))
        if self.apply_errata and key in _SIENA_TIME_ERRATA:
            fixed = self.parse_time(_SIENA_TIME_ERRATA[key], no, kind + " time")
            self.current.corrections.append(f"line {no}: {kind} time {clock} -> {fixed}")
            clock = fixed
        return clock

    def registration(self, no, kind, clock):
        attr = kind.replace(" ", "_")
        previous = getattr(self.current, attr)
        if previous is not None and previous != clock:
            raise self.error(
                no, f"{kind} time {clock} of {self.current.file_name} contradicts "
                    f"the earlier {previous}."
            )
        setattr(self.current, attr, clock)
        if self.current.duration == 0:
            raise self.error(
                no, f"the registration of {self.current.file_name} starts and ends at {clock}."
            )

    def seizure_end(self, no, line, clock):
        if self.pending is None:
            raise self.error(no, f"seizure end without a start: {line!r}.")
        start, start_clock, _ = self.pending
        length = _clock_seconds(clock) - _clock_seconds(start_clock)
        if length < 0 and length + _DAY <= _MAX_ROLLOVER_SEIZURE:
            length += _DAY  # crosses midnight
        elif length < 0:
            raise self.error(
                no, f"seizure end {clock} is before its start {start_clock}; read as crossing "
                    f"midnight it would last {(length + _DAY) / 3600:.1f} h (more than "
                    f"{_MAX_ROLLOVER_SEIZURE // 3600} h)."
            )
        _check_interval(self.path, no, start, start + float(length))
        self.current.seizures.append((start, start + float(length)))
        self.end_lines.setdefault(self.current.file_name, []).append((no, clock))
        self.pending = None

    def check_registration_ends(self):
        # Checked last: a registration end time may be given after the seizures.
        for entry in self.entries.values():
            duration = entry.duration
            if duration is None:
                continue
            ends = self.end_lines.get(entry.file_name, [])
            for (_, end), (no, clock) in zip(entry.seizures, ends):
                if end > duration:
                    raise self.error(
                        no, f"seizure of {entry.file_name} ends at {clock}, "
                            f"{end - duration:.0f} s after the registration end "
                            f"{entry.registration_end}."
                    )


def read_siena_seizure_list(path, *, apply_errata=True):
    """Parse a Siena Scalp EEG ``Seizures-list-PNxx.txt`` file.

    Clock times (``19.39.33`` or ``19:39:33``; blanks inside a time are ignored)
    become seconds from the file's registration start. A time earlier than the
    registration start is taken to be on the next day (recordings shorter than
    24 h cross midnight at most once). A seizure end clock earlier than its start
    clock is read as crossing midnight only when the seizure then lasts at most
    one hour (e.g. ``23.59.30`` to ``00.00.40``); otherwise it is an error, since
    an end typed one second before its start would become a 24-hour seizure. A
    file named in several blocks keeps the registration times given first;
    several seizures of one file are gathered in one entry.

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
        times, a registration that lasts 0 s, a seizure whose end is not after its
        start (beyond the one-hour midnight rule above), or a seizure that ends
        after the registration end. The message names the file and the line.
    """
    return _ListParser(path, apply_errata).parse(_read_lines(path))
