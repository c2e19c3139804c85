"""Read one EDF/EDF+ file into an :class:`~skseizure.io.EEGRecording`.

Samples are decoded by MNE (:func:`mne.io.read_raw_edf`). Before MNE sees the
file, its fixed-width header is checked here, because MNE silently tolerates
several defects that would corrupt a seizure label's alignment: a truncated
file (MNE infers a shorter recording), signals stored at different sampling
rates (MNE upsamples them to the fastest one) and discontinuous EDF+D files
(MNE concatenates the records as if they were contiguous). Each of these is an
:class:`EDFError` here, with the path in the message. So are header values
that would give a silent wrong answer: a physical or digital minimum or maximum
that is not a finite number (digital ones must be 16-bit integers), equal
minimum and maximum (the scaling would divide by zero), and a sampling rate
(samples per record / record duration) outside 0.1 Hz - 100 kHz, which only a
corrupt record duration or sample count produces.

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

import warnings
from pathlib import Path

import numpy as np

from ._edf_header import _read_header
from .common import EDFError
from .recording import EEGRecording

__all__ = ["EDFError", "read_edf", "read_edf_header"]

# The returned signal must be a signal: slow auxiliary channels (below 1 Hz) may
# exist in a file, but read_edf refuses to return them.
_MIN_SELECTED_RATE_HZ = 1.0


# MNE's rule (mne/io/edf/edf.py, 1.x): the dimension decoded as Latin-1 must be
# exactly one of these, anything else gets a factor of 1. Replicated to detect the
# channels it scales wrongly; tests/io/test_edf.py checks it still holds.
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


def _select_channels(path, names, channels):
    """Positions in ``names`` of the requested ``channels`` (all when None)."""
    if channels is None:
        return list(range(len(names)))
    if isinstance(channels, str):
        raise TypeError(
            f"channels must be a list of channel names, got the string {channels!r} "
            f"(reading {path})."
        )
    position = {name: k for k, name in enumerate(names)}
    unknown = [c for c in channels if c not in position]
    if unknown:
        raise ValueError(f"{path}: no channel named {unknown}; the channels are {names}.")
    if len(set(channels)) != len(channels):
        raise ValueError(f"{path}: channels lists a channel more than once: {list(channels)}.")
    if not channels:
        raise ValueError(f"{path}: channels is empty; select at least one channel.")
    return [position[c] for c in channels]


def _common_rate(path, header, signal_idx, names, selected):
    """The one sampling rate of the selected signals, in Hz."""
    rates = {
        names[k]: header.n_samples[signal_idx[k]] / header.record_duration for k in selected
    }
    if len(set(rates.values())) > 1:
        by_rate = {}
        for name, rate in rates.items():
            by_rate.setdefault(rate, []).append(name)
        detail = "; ".join(f"{rate:g} Hz: {chs}" for rate, chs in sorted(by_rate.items()))
        raise EDFError(
            path, None, f"the selected signals have different sampling rates ({detail}). "
            f"Resampling is not done silently; read channels of one rate at a time "
            f"with `channels=`."
        )
    rate = next(iter(rates.values()))
    if rate < _MIN_SELECTED_RATE_HZ:
        raise EDFError(
            path, None, f"the selected signals are sampled at {rate:g} Hz, below "
            f"{_MIN_SELECTED_RATE_HZ:g} Hz: either the record duration in the header is "
            f"corrupt or these are not signals to window; select others with `channels=`."
        )
    return rate


def _mne_selection(header, signal_idx, selected):
    """MNE's ``include`` labels (None for all) and the picks of ``selected`` among them.

    If the file mixes rates, MNE must only load labels of the selected rate (it
    would otherwise upsample them); ``include`` selects by label, so every signal
    carrying a selected label is loaded and positions are recomputed.
    """
    all_rates = {header.n_samples[i] / header.record_duration for i in signal_idx}
    if len(all_rates) > 1:
        # MNE matches `include` against labels decoded as Latin-1.
        mne_labels = [header.labels_raw[i].decode("latin-1") for i in signal_idx]
        include = sorted({mne_labels[k] for k in selected})
        loaded = [k for k in range(len(signal_idx)) if mne_labels[k] in include]
    else:
        include = None
        loaded = list(range(len(signal_idx)))
    return include, loaded, [loaded.index(k) for k in selected]


def _decode(path, include, n_loaded, picks, preload):
    """Samples of ``picks`` (volts as MNE scales them) and MNE's sampling rate."""
    import mne  # local: importing mne costs ~1 s and most of the package does not need it

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
                include=include,
                stim_channel=None,  # keep every signal an ordinary, scaled channel
                preload=preload,
                verbose=False,
            )
            if len(raw.ch_names) != n_loaded:
                raise EDFError(
                    path, None, f"MNE loaded {len(raw.ch_names)} channels where the header "
                    f"declares {n_loaded}."
                )
            return raw.get_data(picks=picks), raw.info["sfreq"]
    except EDFError:
        raise
    except Exception as exc:  # MNE's own errors are terse and do not name the file
        raise EDFError(
            path, None, f"MNE could not read the EDF: {type(exc).__name__}: {exc}"
        ) from exc


def _start_datetime(path, header_bytes):
    """Start date and time of the recording from the fixed header (UTC-naive -> UTC), or None."""
    from datetime import datetime, timezone

    with open(path, "rb") as fh:
        fh.seek(168)
        raw = fh.read(16).decode("latin-1")
    try:
        day, month, year = (int(v) for v in raw[:8].split("."))
        hour, minute, second = (int(v) for v in raw[8:16].split("."))
        year += 2000 if year < 85 else 1900  # EDF spec: 1985-2084
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None


def read_edf_header(path):
    """Channel names, rates, length, units and start time of an EDF file, header only.

    Reads no signal: indexing a corpus of long recordings costs one small read per file.
    The same strict checks as :func:`read_edf` apply to the header.

    Parameters
    ----------
    path : str or path-like
        The ``.edf`` file.

    Returns
    -------
    info : dict
        ``ch_names`` (list of str: data signals in file order, EDF+ annotation signals left
        out, repeated labels suffixed ``-0``, ``-1`` as :func:`read_edf` names them),
        ``sfreqs`` (list of float, Hz, one per channel), ``sfreq`` (float: the highest rate),
        ``n_times`` (int: samples of a channel at ``sfreq``), ``units`` (list of str: ``"V"``
        for voltage dimensions, which :func:`read_edf` returns in volts, else the file's
        unit), ``meas_date`` (timezone-aware datetime in UTC, or None when the header's
        date is not valid).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    EDFError
        (a ``ValueError``) A corrupt or truncated header, named with the problem.
    """
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise EDFError(path, None, "is not a regular file.")
        raise FileNotFoundError(f"EDF file not found: {path}")
    header = _read_header(path)
    signal_idx = [i for i in range(len(header.labels)) if i not in header.annotation_signals]
    if not signal_idx:
        raise EDFError(path, None, "the EDF holds only annotation signals, no data channel.")
    rates = [header.n_samples[i] / header.record_duration for i in signal_idx]
    top = max(range(len(rates)), key=rates.__getitem__)
    return {
        "ch_names": _unique_names([header.labels[i] for i in signal_idx]),
        "sfreqs": [float(r) for r in rates],
        "sfreq": float(rates[top]),
        "n_times": int(header.n_records * header.n_samples[signal_idx[top]]),
        "units": ["V" if _volt_factor(header.physical_dimensions[i]) is not None
                  else header.physical_dimensions[i].strip() for i in signal_idx],
        "meas_date": _start_datetime(path, header.header_bytes),
    }


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
        e.g. from :func:`skseizure.io.read_chbmit_summary`. An
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
        (a ``ValueError``) If the file is empty, not EDF, has a corrupt header
        (including non-finite or equal minimum and maximum, and sampling rates
        outside 0.1 Hz - 100 kHz; module notes), is truncated, is EDF+D, has
        selected channels sampled at different rates, or MNE fails to decode it.
        The message names the file (and the channel where one is at fault).
    ValueError
        If ``channels`` names an unknown channel or ``seizures`` holds an invalid
        interval (the message names the file).
    """
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise EDFError(path, None, "is not a regular file.")
        raise FileNotFoundError(f"EDF file not found: {path}")
    header = _read_header(path)
    signal_idx = [i for i in range(len(header.labels)) if i not in header.annotation_signals]
    if not signal_idx:
        raise EDFError(path, None, "the EDF holds only annotation signals, no data channel.")
    names = _unique_names([header.labels[i] for i in signal_idx])
    selected = _select_channels(path, names, channels)
    sfreq = _common_rate(path, header, signal_idx, names, selected)
    n_times = header.n_records * header.n_samples[signal_idx[selected[0]]]
    include, loaded, picks = _mne_selection(header, signal_idx, selected)
    data, mne_sfreq = _decode(path, include, len(loaded), picks, preload)
    for row, k in enumerate(selected):
        i = signal_idx[k]
        wanted = _volt_factor(header.physical_dimensions[i])
        applied = _mne_unit_factor(header.physical_dimensions_raw[i])
        if wanted is not None and wanted != applied:
            data[row] *= wanted / applied
    if not np.isclose(mne_sfreq, sfreq) or data.shape[1] != n_times:
        raise EDFError(
            path, None, f"MNE decoded {data.shape[1]} samples at {mne_sfreq} Hz where the "
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
