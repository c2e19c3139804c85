"""Parsing and checking the fixed-width header of an EDF/EDF+ file.

Layout: Kemp, B., Varri, A., Rosa, A. C., Nielsen, K. D., Gade, J. (1992). A simple
format for exchange of digitized polygraphic recordings. Electroencephalography
and Clinical Neurophysiology 82(5), 391-393; EDF+: Kemp, B., Olivan, J. (2003).
European data format 'plus' (EDF+). Clinical Neurophysiology 114(9), 1755-1761.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from .common import EDFError, _to_number

_FIXED_HEADER_BYTES = 256
# Plausible sampling rates of a data signal, in Hz: below one sample per 10 s or
# above 100 kHz the header's record duration or sample count is corrupt.
_MIN_RATE_HZ = 0.1
_MAX_RATE_HZ = 100_000.0
_INT16 = (-32768, 32767)
_SIGNAL_HEADER_BYTES = 256
_ANNOTATION_LABEL = "EDF Annotations"

# (name, width) of the per-signal header fields, in file order (EDF spec 1992).
_SIGNAL_FIELDS = (
    ("label", 16),
    ("transducer", 80),
    ("physical_dimension", 8),
    ("physical_min", 8),
    ("physical_max", 8),
    ("digital_min", 8),
    ("digital_max", 8),
    ("prefiltering", 80),
    ("n_samples", 8),
    ("reserved", 32),
)


@dataclass
class _EDFHeader:
    """What :func:`read_edf` needs from an EDF header (one entry per signal)."""

    header_bytes: int
    n_records: int
    record_duration: float
    labels: list
    n_samples: list
    labels_raw: list  # bytes
    physical_dimensions: list  # decoded text
    physical_dimensions_raw: list  # bytes, as MNE sees them
    annotation_signals: list  # indices of "EDF Annotations" signals


def _text_field(raw, start, width):
    """Decode one fixed-width header field.

    The standard asks for ASCII, but labels and units such as "µV" are often
    written in UTF-8 or Latin-1; those decode here, and numeric fields holding
    garbage are caught when they are parsed.
    """
    chunk = raw[start : start + width]
    try:
        return chunk.decode("utf-8").strip()
    except UnicodeDecodeError:
        return chunk.decode("latin-1").strip()


def _parse_number(text, kind, what, path, where):
    try:
        return _to_number(text, kind)
    except ValueError:
        raise EDFError(
            path, None, f"corrupt EDF header: {what} ({where}) is not "
            f"{'an integer' if kind is int else 'a number'}: {text!r}."
        ) from None


def _read_fixed_header(path, fixed, file_size):
    """Parse the 256-byte fixed header: (header_bytes, n_records, duration, n_signals)."""
    if len(fixed) < _FIXED_HEADER_BYTES:
        raise EDFError(
            path, None, f"not an EDF file or truncated: {file_size} bytes is shorter than "
            f"the {_FIXED_HEADER_BYTES}-byte EDF header."
        )
    if fixed[:8] != b"0       ":
        if fixed[:8] == b"\xffBIOSEMI":
            problem = "it is a BDF (24-bit) file, which read_edf does not read"
        else:
            problem = f"the version field is {fixed[:8]!r}, expected b'0       '"
        raise EDFError(path, None, f"not an EDF file: {problem}.")
    number = _parse_number
    header_bytes = number(_text_field(fixed, 184, 8), int, "the number of header bytes",
                          path, "bytes 184-192")
    n_records = number(_text_field(fixed, 236, 8), int, "the number of data records",
                       path, "bytes 236-244")
    duration = number(_text_field(fixed, 244, 8), float, "the duration of a data record",
                      path, "bytes 244-252")
    n_signals = number(_text_field(fixed, 252, 4), int, "the number of signals",
                       path, "bytes 252-256")
    if _text_field(fixed, 192, 44).startswith("EDF+D"):
        raise EDFError(
            path, None, "discontinuous EDF+D recordings are not supported (their data "
            "records are not contiguous in time, so sample times would be wrong)."
        )
    if n_signals <= 0:
        raise EDFError(path, None, f"corrupt EDF header: {n_signals} signals.")
    expected_header = _FIXED_HEADER_BYTES + _SIGNAL_HEADER_BYTES * n_signals
    if header_bytes != expected_header:
        raise EDFError(
            path, None, f"corrupt EDF header: it declares {header_bytes} header bytes but "
            f"{n_signals} signals need {expected_header}."
        )
    if not (np.isfinite(duration) and duration > 0):
        raise EDFError(
            path, None, f"unsupported EDF: the data-record duration is {duration} s "
            f"(a positive duration is needed to know the sampling rate)."
        )
    if n_records == 0 or n_records < -1:
        raise EDFError(
            path, None, f"the EDF holds no signal: its header declares {n_records} data records."
        )
    return header_bytes, n_records, duration, n_signals


def _split_signal_fields(signal_raw, n_signals):
    """Raw (bytes) and decoded (text) per-signal fields, each a list over signals."""
    # Each field is stored for all signals before the next field starts.
    raw_fields = {}
    offset = 0
    for name, width in _SIGNAL_FIELDS:
        raw_fields[name] = [
            signal_raw[offset + i * width : offset + (i + 1) * width].strip()
            for i in range(n_signals)
        ]
        offset += width * n_signals
    fields = {
        name: [_text_field(chunk, 0, len(chunk)) for chunk in chunks]
        for name, chunks in raw_fields.items()
    }
    return raw_fields, fields


def _signal_samples(path, fields, i, record_duration, is_annotation):
    """Samples per record of signal ``i``, refusing an implausible sampling rate."""
    label = fields["label"][i]
    what = f"signal {i + 1} ({label!r})"
    n = _parse_number(fields["n_samples"][i], int,
                      f"the number of samples per record of {what}", path, "signal header")
    if n <= 0:
        raise EDFError(
            path, None, f"corrupt EDF header: {what} has {n} samples per data record."
        )
    rate = n / record_duration
    if not is_annotation and not _MIN_RATE_HZ <= rate <= _MAX_RATE_HZ:
        raise EDFError(
            path, None, f"corrupt EDF header: {what} would be sampled at {rate:g} Hz "
            f"({n} samples per {record_duration:g}-s record), outside the plausible "
            f"{_MIN_RATE_HZ:g} Hz - {_MAX_RATE_HZ:g} Hz."
        )
    return n


def _check_scaling(path, fields, i):
    """Refuse physical/digital extremes that cannot scale the samples of signal ``i``."""
    what = f"signal {i + 1} ({fields['label'][i]!r})"
    for lo_name, hi_name in (("digital_min", "digital_max"), ("physical_min", "physical_max")):
        lo, hi = (
            _parse_number(fields[name][i], float, f"{name} of {what}", path, "signal header")
            for name in (lo_name, hi_name)
        )
        for name, value in ((lo_name, lo), (hi_name, hi)):
            if not np.isfinite(value):
                raise EDFError(
                    path, None, f"corrupt EDF header: {name} of {what} is {value}, not a "
                    f"finite number, so its samples cannot be scaled."
                )
            if lo_name == "digital_min" and not (
                value.is_integer() and _INT16[0] <= value <= _INT16[1]
            ):
                raise EDFError(
                    path, None, f"corrupt EDF header: {name} of {what} is {value:g}, not a "
                    f"16-bit integer."
                )
        if lo == hi:
            raise EDFError(
                path, None, f"corrupt EDF header: {what} has "
                f"{lo_name} == {hi_name} == {lo:g}, so its samples cannot be scaled."
            )
        if lo_name == "digital_min" and lo > hi:
            raise EDFError(
                path, None, f"corrupt EDF header: {what} has digital_min {lo:g} > "
                f"digital_max {hi:g} (EDF+ requires digital_max > digital_min)."
            )


def _count_records(path, file_size, header_bytes, n_records, record_bytes):
    """The number of whole data records, refusing truncated files."""
    data_bytes = file_size - header_bytes
    if n_records == -1:
        # -1 means "unknown" (recording not closed): infer, but only from whole records.
        if data_bytes % record_bytes:
            raise EDFError(
                path, None, f"truncated EDF: {data_bytes} data bytes is not a whole number "
                f"of {record_bytes}-byte data records."
            )
        if data_bytes // record_bytes == 0:
            raise EDFError(path, None, "the EDF holds no data records.")
        return data_bytes // record_bytes
    expected = n_records * record_bytes
    if data_bytes < expected:
        raise EDFError(
            path, None, f"truncated EDF: the header declares {n_records} data records "
            f"({expected} bytes) but only {data_bytes} bytes follow the "
            f"{header_bytes}-byte header ({data_bytes / record_bytes:.2f} records)."
        )
    if data_bytes > expected:
        warnings.warn(
            f"{path}: {data_bytes - expected} bytes follow the {n_records} data records "
            f"declared in the EDF header; they are ignored.",
            RuntimeWarning,
            stacklevel=4,
        )
    return n_records


def _read_header(path):
    """Parse and sanity-check the EDF header of ``path``.

    Raises :class:`EDFError` for an empty file, a file that is not EDF, a
    header that cannot be parsed or holds impossible values, an EDF+D file, or a
    data section whose size does not match the header (truncated or partially
    written file).
    """
    file_size = os.path.getsize(path)
    if file_size == 0:
        raise EDFError(path, None, "the file is empty (0 bytes); expected an EDF file.")
    with open(path, "rb") as f:
        fixed = f.read(_FIXED_HEADER_BYTES)
        header_bytes, n_records, duration, n_signals = _read_fixed_header(path, fixed, file_size)
        signal_raw = f.read(_SIGNAL_HEADER_BYTES * n_signals)
    if len(signal_raw) < _SIGNAL_HEADER_BYTES * n_signals:
        raise EDFError(
            path, None, f"truncated EDF: the file ends inside the signal headers "
            f"({file_size} bytes, header needs {header_bytes})."
        )
    raw_fields, fields = _split_signal_fields(signal_raw, n_signals)
    labels = fields["label"]
    annotation_signals = [i for i, lab in enumerate(labels) if lab == _ANNOTATION_LABEL]
    n_samples = []
    for i in range(n_signals):
        is_annotation = i in annotation_signals
        n_samples.append(_signal_samples(path, fields, i, duration, is_annotation))
        if not is_annotation:
            _check_scaling(path, fields, i)
    # EDF stores 2-byte integers; every data record holds every signal's samples.
    n_records = _count_records(path, file_size, header_bytes, n_records, 2 * sum(n_samples))
    return _EDFHeader(
        header_bytes=header_bytes,
        n_records=n_records,
        record_duration=duration,
        labels=labels,
        n_samples=n_samples,
        physical_dimensions=fields["physical_dimension"],
        labels_raw=raw_fields["label"],
        physical_dimensions_raw=raw_fields["physical_dimension"],
        annotation_signals=annotation_signals,
    )
