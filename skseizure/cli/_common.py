"""Argument checks, error reporting and table formatting shared by the ``skseizure`` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

PROG = "skseizure"


class UsageError(Exception):
    """A bad command line: reported as one ``skseizure: error: ...`` line, exit status 2."""


class ArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` that raises :class:`UsageError` instead of exiting.

    argparse prints the usage plus the message and exits; the command reports every error
    the same way (one line, see :func:`report_error`), so the parser only raises.
    Abbreviated options are refused: ``--fold`` is not ``--folds``.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message):
        hint = f" (see '{self.prog} --help')"
        raise UsageError(message + hint)


def int_at_least(minimum):
    """argparse ``type=``: an integer ``>= minimum``."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {value}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


def seed(text):
    """argparse ``type=``: a random seed, an integer in ``[0, 2**32 - 1]``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, 2**32 - 1], got {value}")
    return value


def existing_folder(text):
    """argparse ``type=``: a path that exists and is a folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder, got an empty string")
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"folder {path} does not exist")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is not a folder")
    return path


def existing_file(text):
    """argparse ``type=``: a path that exists and is a regular file."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a file, got an empty string")
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"file {path} does not exist")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{path} is not a file")
    return path


def output_path(text):
    """argparse ``type=``: a path to write (its folder must exist)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a path, got an empty string")
    path = Path(text).expanduser()
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"the folder of {path} does not exist")
    return path


def check_output(path, overwrite, option):
    """Refuse an existing output before any work starts (``--overwrite`` allows it).

    Raises
    ------
    UsageError
        If ``path`` exists and ``overwrite`` is False, or ``path`` is a folder where a
        file is expected.
    """
    if path is None:
        return
    if path.is_dir() and option != "--out MODEL":
        raise UsageError(f"argument {option}: {path} is a folder; give a file name")
    if path.exists() and not overwrite:
        raise UsageError(f"argument {option}: {path} already exists; pass --overwrite to "
                         "replace it")


#: Format version of the detector configuration this skseizure reads (when the package
#: data holds no bundled detector to take it from).
DETECTOR_FORMAT_VERSION = 1


def _model_folder(model):
    from skseizure.detection.bundled import CONFIG_FILE

    model = Path(model).expanduser()
    if model.is_file() and model.name == CONFIG_FILE:
        return model.parent
    if model.is_dir():
        return model
    raise UsageError(f"argument --model: {model} is neither a model folder nor its {CONFIG_FILE} "
                     "(as written by 'skseizure train --out MODEL')")


def supported_format_version():
    """The detector configuration ``format_version`` this skseizure reads."""
    import json
    from importlib import resources

    from skseizure.detection.bundled import CONFIG_FILE

    shipped = resources.files("skseizure.detection") / "data" / CONFIG_FILE
    if shipped.is_file():
        return json.loads(shipped.read_text(encoding="utf-8")).get(
            "format_version", DETECTOR_FORMAT_VERSION)
    return DETECTOR_FORMAT_VERSION


def load_detector(model=None):
    """The bundled detector (``model=None``) or one saved by ``skseizure train``.

    Parameters
    ----------
    model : path-like or None
        A model folder (holding the configuration JSON and the weights) or its JSON file.

    Raises
    ------
    UsageError
        If the path is neither, or its configuration comes from another format version.
    FileNotFoundError, ValueError
        A missing file or a malformed configuration or weights file (named).
    """
    import json

    from skseizure.detection.bundled import CONFIG_FILE, load_bundled_detector

    if model is None:
        return load_bundled_detector()
    folder = _model_folder(model)
    cfg_path = folder / CONFIG_FILE
    if cfg_path.is_file():
        try:
            version = json.loads(cfg_path.read_text(encoding="utf-8")).get("format_version")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            version = None  # load_bundled_detector reports it with the line
        else:
            wanted = supported_format_version()
            if version != wanted:
                raise UsageError(
                    f"argument --model: {cfg_path} has format_version {version!r}; this "
                    f"skseizure reads version {wanted} only (retrain it with 'skseizure train')")
    return load_bundled_detector(folder)


# --------------------------------------------------------------------------- errors
def _raised_by_package(exc):
    """Whether the innermost frame of ``exc``'s traceback is skseizure's own code.

    A ``raise ValueError(...)`` written in the package is a deliberate check of the input
    (a bad file, a bad value); a ``ValueError`` from inside numpy or torch is not.
    """
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    package_dir = Path(__file__).resolve().parents[1]
    try:
        Path(tb.tb_frame.f_code.co_filename).resolve().relative_to(package_dir)
    except ValueError:
        return False
    return True


def is_user_error(exc):
    """Whether ``exc`` reports a problem with the user's input rather than a bug.

    User errors are: the package's own error classes for bad input (``ValueError`` /
    ``TypeError`` / ``OSError`` subclasses defined in skseizure, e.g. ``FileFormatError``,
    ``ChecksumError``, ``MissingChannelsError``); a missing, existing or unreadable file
    (``FileNotFoundError``, ``FileExistsError``, ``PermissionError``, ``IsADirectoryError``,
    ``NotADirectoryError``); and a ``ValueError`` raised by the package's own checks.
    Anything else is a bug and keeps its traceback.
    """
    if isinstance(exc, (ValueError, TypeError, OSError)) and type(exc).__module__.startswith(
        "skseizure."
    ):
        return True
    if isinstance(exc, (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError,
                        NotADirectoryError)):
        return True
    return type(exc) is ValueError and _raised_by_package(exc)


def report_error(message, stream=None):
    """Write ``skseizure: error: <message>`` as one line on ``stream`` (default stderr)."""
    stream = stream or sys.stderr
    text = " ".join(str(message).split()) or "unknown error"
    stream.write(f"{PROG}: error: {text}\n")
    stream.flush()


# --------------------------------------------------------------------------- tables
def format_value(value):
    """Format a table cell: floats with 3 decimals (NaN as ``n/a``), integers with separators."""
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return "n/a"
        return f"{value:.3f}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return str(value)


def format_table(rows, columns):
    """Render ``rows`` (list of dicts) as a fixed-width text table with a header rule."""
    cells = [[str(c) for c in columns]]
    for row in rows:
        cells.append([format_value(row.get(c, "")) for c in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = []
    for k, r in enumerate(cells):
        lines.append(
            "  ".join(v.rjust(w) if k and i else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths)))
        )
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
