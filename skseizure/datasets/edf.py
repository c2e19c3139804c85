"""Read one EDF/EDF+ file into an :class:`~skseizure.datasets._record.EEGRecording`.

Samples are decoded by MNE (:func:`mne.io.read_raw_edf`). Before MNE sees the
file, its fixed-width header is checked here, because MNE silently tolerates
several defects that would corrupt a seizure label's alignment: a truncated
file (MNE infers a shorter recording), signals stored at different sampling
rates (MNE upsamples them to the fastest one) and discontinuous EDF+D files
(MNE concatenates the records as if they were contiguous). Each of these is an
:class:`EDFError` here, with the path in the message.

Channel names
-------------
Names are the EDF signal labels with surrounding blanks removed. A label that
occurs more than once gets a running suffix ``-0``, ``-1``, ... in file order
(all occurrences are renamed, the first one included). This is the convention
MNE applies, but the names are computed here from the header so that they do
not change with the MNE version. CHB-MIT's 23-channel montage lists ``T8-P8``
twice (signals 15 and 23), so those two channels come out as ``"T8-P8-0"`` and
``"T8-P8-1"`` (in the CHB-MIT files checked, the two hold identical samples);
every other CHB-MIT name is unchanged (``"FP1-F7"``, ...).
EDF+ annotation signals (``"EDF Annotations"``) are not channels and are
skipped.

Units
-----
Signals whose physical dimension is a voltage are returned in volts. MNE only
recognises ``uV``, ``µV`` (Latin-1) and ``mV`` and treats any other dimension as
volts, so a file writing ``µV`` in UTF-8, ``UV`` or ``nV`` would come back off by
a factor up to 1e9; such channels are rescaled here. Channels whose dimension is
empty or not a voltage are returned in the file's unit.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._record import EEGRecording

__all__ = ["EDFError", "read_edf"]

_FIXED_HEADER_BYTES = 256
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


class EDFError(ValueError):
    """An EDF file is empty, truncated, corrupt or not supported.

    Subclass of :class:`ValueError`; the message names the file and the problem.
    """


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
        return kind(text)
    except ValueError:
        raise EDFError(
            f"{path}: corrupt EDF header: {what} ({where}) is not "
            f"{'an integer' if kind is int else 'a number'}: {text!r}."
        ) from None


def _read_header(path):
    """Parse and sanity-check the EDF header of ``path``.

    Raises :class:`EDFError` for an empty file, a file that is not EDF, a
    header that cannot be parsed, an EDF+D file, or a data section whose size
    does not match the header (truncated or partially written file).
    """
    file_size = os.path.getsize(path)
    if file_size == 0:
        raise EDFError(f"{path}: the file is empty (0 bytes); expected an EDF file.")
    with open(path, "rb") as f:
        fixed = f.read(_FIXED_HEADER_BYTES)
        if len(fixed) < _FIXED_HEADER_BYTES:
            raise EDFError(
                f"{path}: not an EDF file or truncated: {file_size} bytes is shorter than "
                f"the {_FIXED_HEADER_BYTES}-byte EDF header."
            )
        if fixed[:8] != b"0       ":
            if fixed[:8] == b"\xffBIOSEMI":
                problem = "it is a BDF (24-bit) file, which read_edf does not read"
            else:
                problem = f"the version field is {fixed[:8]!r}, expected b'0       '"
            raise EDFError(f"{path}: not an EDF file: {problem}.")
        header_bytes = _parse_number(
            _text_field(fixed, 184, 8),
            int, "the number of header bytes", path, "bytes 184-192",
        )
        reserved = _text_field(fixed, 192, 44)
        n_records = _parse_number(
            _text_field(fixed, 236, 8),
            int, "the number of data records", path, "bytes 236-244",
        )
        record_duration = _parse_number(
            _text_field(fixed, 244, 8),
            float, "the duration of a data record", path, "bytes 244-252",
        )
        n_signals = _parse_number(
            _text_field(fixed, 252, 4),
            int, "the number of signals", path, "bytes 252-256",
        )
        if reserved.startswith("EDF+D"):
            raise EDFError(
                f"{path}: discontinuous EDF+D recordings are not supported (their data "
                f"records are not contiguous in time, so sample times would be wrong)."
            )
        if n_signals <= 0:
            raise EDFError(f"{path}: corrupt EDF header: {n_signals} signals.")
        expected_header = _FIXED_HEADER_BYTES + _SIGNAL_HEADER_BYTES * n_signals
        if header_bytes != expected_header:
            raise EDFError(
                f"{path}: corrupt EDF header: it declares {header_bytes} header bytes but "
                f"{n_signals} signals need {expected_header}."
            )
        if not (np.isfinite(record_duration) and record_duration > 0):
            raise EDFError(
                f"{path}: unsupported EDF: the data-record duration is {record_duration} s "
                f"(a positive duration is needed to know the sampling rate)."
            )
        if n_records == 0 or n_records < -1:
            raise EDFError(
                f"{path}: the EDF holds no signal: its header declares {n_records} data records."
            )
        signal_raw = f.read(_SIGNAL_HEADER_BYTES * n_signals)
    if len(signal_raw) < _SIGNAL_HEADER_BYTES * n_signals:
        raise EDFError(
            f"{path}: truncated EDF: the file ends inside the signal headers "
            f"({file_size} bytes, header needs {expected_header})."
        )

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

    labels = fields["label"]
    annotation_signals = [i for i, lab in enumerate(labels) if lab == _ANNOTATION_LABEL]
    n_samples = []
    for i in range(n_signals):
        n = _parse_number(
            fields["n_samples"][i], int,
            f"the number of samples per record of signal {i + 1} ({labels[i]!r})", path,
            "signal header",
        )
        if n <= 0:
            raise EDFError(
                f"{path}: corrupt EDF header: signal {i + 1} ({labels[i]!r}) has {n} samples "
                f"per data record."
            )
        n_samples.append(n)
        if i in annotation_signals:
            continue
        for lo_name, hi_name in (("digital_min", "digital_max"), ("physical_min", "physical_max")):
            lo = _parse_number(fields[lo_name][i], float, f"{lo_name} of signal {i + 1} "
                               f"({labels[i]!r})", path, "signal header")
            hi = _parse_number(fields[hi_name][i], float, f"{hi_name} of signal {i + 1} "
                               f"({labels[i]!r})", path, "signal header")
            if lo == hi:
                raise EDFError(
                    f"{path}: corrupt EDF header: signal {i + 1} ({labels[i]!r}) has "
                    f"{lo_name} == {hi_name} == {lo}, so its samples cannot be scaled."
                )

    # EDF stores 2-byte integers; every data record holds every signal's samples.
    record_bytes = 2 * sum(n_samples)
    data_bytes = file_size - header_bytes
    if n_records == -1:
        # -1 means "unknown" (recording not closed): infer, but only from whole records.
        if data_bytes % record_bytes:
            raise EDFError(
                f"{path}: truncated EDF: {data_bytes} data bytes is not a whole number of "
                f"{record_bytes}-byte data records."
            )
        n_records = data_bytes // record_bytes
        if n_records == 0:
            raise EDFError(f"{path}: the EDF holds no data records.")
    else:
        expected = n_records * record_bytes
        if data_bytes < expected:
            raise EDFError(
                f"{path}: truncated EDF: the header declares {n_records} data records "
                f"({expected} bytes) but only {data_bytes} bytes follow the "
                f"{header_bytes}-byte header ({data_bytes / record_bytes:.2f} records)."
            )
        if data_bytes > expected:
            warnings.warn(
                f"{path}: {data_bytes - expected} bytes follow the {n_records} data records "
                f"declared in the EDF header; they are ignored.",
                RuntimeWarning,
                stacklevel=3,
            )
    return _EDFHeader(
        header_bytes=header_bytes,
        n_records=n_records,
        record_duration=record_duration,
        labels=labels,
        n_samples=n_samples,
        physical_dimensions=fields["physical_dimension"],
        labels_raw=raw_fields["label"],
        physical_dimensions_raw=raw_fields["physical_dimension"],
        annotation_signals=annotation_signals,
    )


# MNE's rule (mne/io/edf/edf.py, 1.x): the dimension decoded as Latin-1 must be
# exactly one of these, anything else gets a factor of 1. Replicated to detect the
# channels it scales wrongly; tests/datasets/test_edf.py checks it still holds.
_MNE_MICRO_UNITS = ("\u03bcV", "\u00b5V", "\x83\xcaV", "uV")
_VOLT_FACTORS = {
    "V": 1.0, "v": 1.0, "mV": 1e-3, "mv": 1e-3,
    "uV": 1e-6, "uv": 1e-6, "UV": 1e-6, "nV": 1e-9, "nv": 1e-9,
}


def _mne_unit_factor(raw_dimension):
    unit = raw_dimension.decode("latin-1")
    if unit in _MNE_MICRO_UNITS:
        return 1e-6
    if unit == "mV":
        return 1e-3
    return 1.0


def _volt_factor(dimension):
    """Factor from the file's unit to volts, None when it is not a voltage."""
    unit = dimension.strip()
    for micro in ("\u00b5", "\u03bc", "\u00c2\u00b5", "\u00ce\u00bc"):  # incl. mis-decoded UTF-8
        unit = unit.replace(micro, "u")
    return _VOLT_FACTORS.get(unit)


def _unique_names(labels):
    """Suffix repeated labels with ``-0``, ``-1``, ... in order (every occurrence)."""
    counts = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    seen = {}
    names = []
    for lab in labels:
        if counts[lab] > 1:
            names.append(f"{lab}-{seen.get(lab, 0)}")
            seen[lab] = seen.get(lab, 0) + 1
        else:
            names.append(lab)
    return names


def read_edf(path, *, subject=None, seizures=None, preload=True, channels=None):
    """Read an EDF/EDF+ file into an :class:`EEGRecording` (signal in volts).

    Parameters
    ----------
    path : str or path-like
        The ``.edf`` file.
    subject : str or None, default=None
        Subject id stored in the record (becomes ``groups`` when windowing). It is
        never guessed from the file name.
    seizures : list of (float, float) or None, default=None
        Seizure intervals ``(start_s, end_s)`` in seconds from the first sample,
        e.g. from :func:`skseizure.datasets.annotations.read_chbmit_summary`. An
        interval that ends after the recording raises ``ValueError`` naming the file.
    preload : bool, default=True
        If True, MNE loads the whole file before the requested channels are taken.
        If False, only the requested channels are read from disk, which lowers peak
        memory when ``channels`` selects a few channels of a large file. The result
        is the same.
    channels : list of str or None, default=None
        Channels to return, in this order, named as described in the module notes
        (e.g. ``"T8-P8-0"`` for CHB-MIT's first ``T8-P8``). None returns every
        signal except EDF+ annotation signals, in file order. Only the selected
        channels need to share one sampling rate.

    Returns
    -------
    recording : EEGRecording
        ``data`` of shape (n_channels, n_times), float32, in **volts** for signals
        whose EDF physical dimension is a voltage (``uV``, ``µV``, ``mV``, ``V``...);
        other dimensions are left in the file's unit (module notes). ``sfreq`` in Hz (samples
        per data record / record duration), ``name`` is the file stem (e.g.
        ``"chb01_03"``), ``source`` the path.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    EDFError
        (a ``ValueError``) If the file is empty, not EDF, has a corrupt header, is
        truncated, is EDF+D, has selected channels sampled at different rates, or
        MNE fails to decode it. The message names the file.
    ValueError
        If ``channels`` names an unknown channel or ``seizures`` holds an invalid
        interval (the message names the file).
    """
    import mne  # local: importing mne costs ~1 s and most of the package does not need it

    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise EDFError(f"{path}: is not a regular file.")
        raise FileNotFoundError(f"EDF file not found: {path}")
    header = _read_header(path)

    signal_idx = [i for i in range(len(header.labels)) if i not in header.annotation_signals]
    if not signal_idx:
        raise EDFError(f"{path}: the EDF holds only annotation signals, no data channel.")
    labels = [header.labels[i] for i in signal_idx]
    names = _unique_names(labels)

    if channels is None:
        selected = list(range(len(names)))
    else:
        if isinstance(channels, str):
            raise TypeError(
                f"channels must be a list of channel names, got the string {channels!r} "
                f"(reading {path})."
            )
        position = {name: k for k, name in enumerate(names)}
        unknown = [c for c in channels if c not in position]
        if unknown:
            raise ValueError(
                f"{path}: no channel named {unknown}; the channels are {names}."
            )
        if len(set(channels)) != len(channels):
            raise ValueError(
                f"{path}: channels lists a channel more than once: {list(channels)}."
            )
        if not channels:
            raise ValueError(f"{path}: channels is empty; select at least one channel.")
        selected = [position[c] for c in channels]

    rates = {
        names[k]: header.n_samples[signal_idx[k]] / header.record_duration for k in selected
    }
    if len(set(rates.values())) > 1:
        by_rate = {}
        for name, rate in rates.items():
            by_rate.setdefault(rate, []).append(name)
        detail = "; ".join(f"{rate:g} Hz: {chs}" for rate, chs in sorted(by_rate.items()))
        raise EDFError(
            f"{path}: the selected signals have different sampling rates ({detail}). "
            f"Resampling is not done silently; read channels of one rate at a time "
            f"with `channels=`."
        )
    sfreq = next(iter(rates.values()))
    n_times = header.n_records * header.n_samples[signal_idx[selected[0]]]

    # If the file mixes rates, MNE must only load labels of the selected rate (it
    # would otherwise upsample them); `include` selects by label, so every signal
    # carrying a selected label is loaded and positions are recomputed.
    all_rates = {header.n_samples[i] / header.record_duration for i in signal_idx}
    if len(all_rates) > 1:
        # MNE matches `include` against labels decoded as Latin-1.
        mne_labels = [header.labels_raw[i].decode("latin-1") for i in signal_idx]
        include_labels = sorted({mne_labels[k] for k in selected})
        loaded = [k for k in range(len(labels)) if mne_labels[k] in include_labels]
    else:
        include_labels = None
        loaded = list(range(len(labels)))
    picks = [loaded.index(k) for k in selected]

    try:
        with warnings.catch_warnings():
            # Duplicate labels are renamed here (module notes); MNE's warning about
            # them, and about header dates it cannot parse, is not the user's concern.
            warnings.filterwarnings("ignore", message="Channel names are not unique")
            warnings.filterwarnings(
                "ignore", message=".*measurement date", category=RuntimeWarning
            )
            raw = mne.io.read_raw_edf(
                path,
                include=include_labels,
                stim_channel=None,  # keep every signal an ordinary, scaled channel
                preload=preload,
                verbose=False,
            )
            if len(raw.ch_names) != len(loaded):
                raise EDFError(
                    f"{path}: MNE loaded {len(raw.ch_names)} channels where the header "
                    f"declares {len(loaded)}."
                )
            data = raw.get_data(picks=picks)
    except EDFError:
        raise
    except Exception as exc:  # MNE's own errors are terse and do not name the file
        raise EDFError(
            f"{path}: MNE could not read the EDF: {type(exc).__name__}: {exc}"
        ) from exc

    for row, k in enumerate(selected):
        i = signal_idx[k]
        wanted = _volt_factor(header.physical_dimensions[i])
        applied = _mne_unit_factor(header.physical_dimensions_raw[i])
        if wanted is not None and wanted != applied:
            data[row] *= wanted / applied
    if not np.isclose(raw.info["sfreq"], sfreq) or data.shape[1] != n_times:
        raise EDFError(
            f"{path}: MNE decoded {data.shape[1]} samples at {raw.info['sfreq']} Hz where the "
            f"header declares {n_times} samples at {sfreq} Hz."
        )
    return EEGRecording(
        data=data.astype(np.float32),
        sfreq=float(sfreq),
        ch_names=[names[k] for k in selected],
        subject=subject,
        name=path.stem,
        seizures=list(seizures) if seizures is not None else [],
        source=str(path),
    )
