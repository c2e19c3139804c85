"""Seizure intervals from any supported annotation file, its format detected.

Formats and their readers
-------------------------
* CHB-MIT ``chbNN-summary.txt``: :func:`~skseizure.io.read_chbmit_summary`,
  :func:`~skseizure.io.chbmit_seizure_table`.
* Siena ``Seizures-list-PNxx.txt``: :func:`~skseizure.io.read_siena_seizure_list`.
* BIDS-EEG / SzCORE ``*_events.tsv``: :func:`~skseizure.io.read_bids_events`,
  :func:`~skseizure.io.write_bids_events`.
* TUH Seizure Corpus (TUSZ v2) ``.csv_bi``: :func:`~skseizure.io.read_tusz_csv_bi`.
* Any of the above, detected from the content: :func:`read_annotations`.

All times are seconds from the first sample of the recording. Every reader is
strict: a line it does not understand, a seizure that ends at or before its
start, or a count that does not add up raises :class:`AnnotationFormatError`
(a ``ValueError``) whose message starts with ``<path>, line <n>:``.
"""

from __future__ import annotations

import re
from pathlib import Path

from .bids import read_bids_events
from .chbmit import read_chbmit_summary
from .common import AnnotationFormatError, _read_lines
from .siena import read_siena_seizure_list
from .tusz import read_tusz_csv_bi

__all__ = ["read_annotations"]

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
