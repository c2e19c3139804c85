"""Input handling of the CAP signature builder: what counts as a recording, and its checks."""

from __future__ import annotations

import numpy as np

from .._utils.validation import check_sfreq


def as_recording_list(recordings):
    """One recording, a 3-D array or a sequence of recordings -> a list of recordings."""
    if isinstance(recordings, np.ndarray):
        if recordings.ndim == 2:
            return [recordings]
        if recordings.ndim == 3:
            return list(recordings)
        raise ValueError(
            "recordings as an array must be 2-D (n_electrodes, n_times) or 3-D "
            f"(n_recordings, n_electrodes, n_times); got shape {recordings.shape}."
        )
    if hasattr(recordings, "data"):
        return [recordings]
    if isinstance(recordings, (list, tuple)):
        if len(recordings) == 0:
            raise ValueError("recordings is empty.")
        return list(recordings)
    raise TypeError(
        "recordings must be a NerveCuffRecording, an object with a `data` attribute, a "
        f"2-D/3-D array or a list of those; got {type(recordings).__name__}."
    )


def unpack_recording(builder, rec, i):
    """Return ``(data, sfreq, name)`` of recording ``i`` after checking it against ``builder``.

    Checks the cuff layout, that the data are finite real numbers, the sampling rate (given
    by the builder or the recording, never guessed; both must agree) against the band, and
    that the recording is long enough for a signature.
    """
    name = f"recording {i}"
    n_el = builder.n_rings * builder.n_electrodes_per_ring
    rec_sfreq = None
    if hasattr(rec, "data"):
        data = rec.data
        rec_sfreq = getattr(rec, "sfreq", None)
        subject = getattr(rec, "subject", None)
        if subject is not None:
            name += f" (subject {subject!r})"
        for attr in ("n_rings", "n_electrodes_per_ring"):
            value = getattr(rec, attr, None)
            if value is not None and value != getattr(builder, attr):
                raise ValueError(
                    f"{name} has {attr}={value} but the builder expects {attr}="
                    f"{getattr(builder, attr)}."
                )
    else:
        data = rec
    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"{name}: data must be 2-D (n_electrodes, n_times), got {data.shape}.")
    if data.shape[0] != n_el:
        raise ValueError(
            f"{name} has {data.shape[0]} electrodes, but the builder expects "
            f"n_rings x n_electrodes_per_ring = {builder.n_rings} x "
            f"{builder.n_electrodes_per_ring} = {n_el}."
        )
    if data.dtype.kind not in "biuf" or not np.isfinite(data).all():
        raise ValueError(f"{name}: data must be finite real numbers (volts).")
    if builder.sfreq is None and rec_sfreq is None:
        raise ValueError(
            f"{name} carries no sampling rate: pass sfreq= to CAPSignatureBuilder "
            "(it is never guessed)."
        )
    sfreq = check_sfreq(builder.sfreq if builder.sfreq is not None else rec_sfreq)
    if rec_sfreq is not None and builder.sfreq is not None and float(rec_sfreq) != sfreq:
        raise ValueError(
            f"{name} is sampled at {rec_sfreq} Hz but the builder has sfreq={builder.sfreq} Hz."
        )
    builder._check_band(sfreq)
    if data.shape[1] < 2 * builder.n_times_signature:
        raise ValueError(
            f"{name} has only {data.shape[1]} samples; at least "
            f"{2 * builder.n_times_signature} are needed."
        )
    return data, sfreq, name

