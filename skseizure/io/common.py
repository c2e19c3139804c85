"""Shared helpers and errors of the readers and writers in :mod:`skseizure.io`.

Every reader raises a subclass of :class:`FileFormatError` (itself a
``ValueError``) whose message starts with ``<path>, line <n>:`` (or ``<path>:``
for whole-file problems), so a user can open the file at the offending line.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

__all__ = ["FileFormatError", "AnnotationFormatError", "EDFError", "write_atomic"]


class FileFormatError(ValueError):
    """A file cannot be read: it is malformed, truncated or inconsistent.

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

    def __reduce__(self):
        return (type(self), (self.path, self.line, self.problem))


class AnnotationFormatError(FileFormatError):
    """An annotation file cannot be parsed or holds inconsistent annotations."""


class EDFError(FileFormatError):
    """An EDF file is empty, truncated, corrupt or not supported."""


def _read_lines(path):
    """Return the lines of a text file, refusing missing, non-regular and empty files.

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` only (not at form feeds or
    other Unicode separators), so line numbers match what a text editor shows.
    """
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
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_NEWLINE = re.compile(r"\r\n|\r|\n")


# Plain ASCII decimal numbers; Python's float() also takes "1_000", blanks and
# non-ASCII digits, which no file format here allows.
_FLOAT_TEXT = re.compile(
    r"^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$",
    re.IGNORECASE,
)
_INT_TEXT = re.compile(r"^[+-]?[0-9]+$")


def _to_number(text, kind=float):
    """``kind(text)`` for plain ASCII number text, else ValueError."""
    pattern = _INT_TEXT if kind is int else _FLOAT_TEXT
    if not isinstance(text, str) or not pattern.match(text):
        raise ValueError(f"not a plain number: {text!r}")
    return kind(text)


def _parse_float(path, line, text, what, error=None):
    """``float(text)``, refusing text that is not a plain, finite number."""
    error = AnnotationFormatError if error is None else error
    try:
        value = _to_number(text)
    except ValueError:
        raise error(path, line, f"{what} {text!r} is not a number.") from None
    if not math.isfinite(value):
        raise error(path, line, f"{what} {text!r} is not a finite number.")
    return value


def _check_interval(path, line, start, end, what="seizure"):
    """Refuse an interval that is not finite, starts before 0 or does not end after its start."""
    if not (math.isfinite(start) and math.isfinite(end)):
        raise AnnotationFormatError(
            path, line, f"{what} ({start} s, {end} s) is not a pair of finite times."
        )
    if not end > start:
        raise AnnotationFormatError(
            path, line, f"{what} end ({end} s) is not after its start ({start} s)."
        )
    if start < 0:
        raise AnnotationFormatError(path, line, f"{what} starts before the recording ({start} s).")


_DAY = 24 * 3600


def _clock_seconds(text):
    """Seconds since midnight of ``"HH:MM:SS"`` (hours may exceed 23)."""
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def write_atomic(path, content, *, overwrite=False):
    """Write ``content`` to ``path`` without ever leaving a half-written file.

    The content goes to a uniquely named temporary file beside ``path`` (same
    folder, so the final move is atomic), which is then moved into place. Without
    ``overwrite`` the final step is a hard link, which fails if the name appeared
    in the meantime, so an existing file is never replaced. Nothing is left behind
    when an error is raised.

    Parameters
    ----------
    path : str or path-like
        Destination file; its folder must exist.
    content : str or bytes
        Text is written as UTF-8 with newlines as given.
    overwrite : bool, default=False
        Replace an existing file when True.

    Returns
    -------
    path : pathlib.Path
        The written file.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False (the file is left untouched).
    IsADirectoryError
        If ``path`` is a directory (whatever ``overwrite`` says).
    FileNotFoundError
        If the folder of ``path`` does not exist.
    TypeError
        If ``content`` is neither ``str`` nor ``bytes``.
    """
    path = Path(path)
    if isinstance(content, str):
        data = content.encode("utf-8")
    elif isinstance(content, (bytes, bytearray)):
        data = bytes(content)
    else:
        raise TypeError(f"content must be str or bytes, got {type(content).__name__}.")
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a directory.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: folder {path.parent} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            if path.is_dir():
                raise IsADirectoryError(f"cannot write {path}: it is a directory.")
            os.replace(tmp, path)
        else:
            _link_no_clobber(tmp, path, data)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return path


def _link_no_clobber(tmp, path, data):
    """Give ``tmp``'s content the name ``path``, failing if ``path`` exists."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(
            f"{path} already exists; pass overwrite=True to replace it."
        ) from None
    except OSError:
        # File systems without hard links: exclusive creation instead.
        with open(path, "xb") as f:
            f.write(data)
