"""Bounded-memory application of second-order sections (SOS) and the filter designs.

:func:`sos_filter_rows` applies an SOS cascade to the last axis of a 2-D array
``(n_rows, n_times)`` block by block (a few rows, a stretch of time), carrying
the filter state across blocks with ``zi``. Forward-backward (zero-phase)
filtering reproduces :func:`scipy.signal.sosfiltfilt` with its default odd
extension of ``padlen`` samples: the forward pass runs over the left
extension, the signal and the right extension; the backward pass starts from
the end of the (reversed) right extension and runs back over the signal. The
forward result is held in the float32 output array, so beyond the output only
one block of temporaries is allocated, whatever the length of the recording.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

__all__ = [
    "FLOAT32_MIN_POLE_MARGIN",
    "butter_sos",
    "notch_sos",
    "sos_compute_dtype",
    "sos_padlen",
    "sos_filter_rows",
    "block_elems",
    "iter_blocks",
]

# Smallest distance of a pole to the unit circle for which float32 SOS are
# accurate enough (measured: <= 5e-4 relative error vs float64).
FLOAT32_MIN_POLE_MARGIN = 4e-3

# Bounds on the number of samples per block: small enough that the block's
# temporaries stay a small fraction of the data, large enough that the
# per-call overhead of scipy.signal.sosfilt is negligible.
_MIN_BLOCK = 2**12
_MAX_BLOCK = 2**18


def block_elems(n_elems, fraction=16):
    """Samples per block for an array of ``n_elems`` samples (about 1/``fraction`` of it)."""
    return int(np.clip(int(n_elems) // fraction, _MIN_BLOCK, _MAX_BLOCK))


def iter_blocks(n, size):
    """Yield ``(start, stop)`` pairs covering ``range(n)`` in steps of ``size``."""
    size = max(1, int(size))
    for start in range(0, n, size):
        yield start, min(start + size, n)


def sos_pole_margin(sos):
    """Return ``1 - max |pole|`` over all second-order sections."""
    radii = [np.abs(np.roots([1.0, s[4], s[5]])) for s in np.asarray(sos, dtype=float)]
    return float(1.0 - max(np.max(r) for r in radii))


def sos_compute_dtype(sos):
    """float32 unless a pole is too close to the unit circle for float32 coefficients."""
    margin = sos_pole_margin(sos)
    return np.dtype(np.float32 if margin >= FLOAT32_MIN_POLE_MARGIN else np.float64)


def sos_padlen(sos):
    """Default ``padlen`` of :func:`scipy.signal.sosfiltfilt` for ``sos``."""
    sos = np.asarray(sos)
    n_sections = sos.shape[0]
    trailing_zeros = min((sos[:, 2] == 0).sum(), (sos[:, 5] == 0).sum())
    return int(3 * (2 * n_sections + 1 - trailing_zeros))


def butter_sos(l_freq, h_freq, sfreq, order):
    """Butterworth SOS: band-pass, low-pass (``l_freq=None``) or high-pass (``h_freq=None``)."""
    if l_freq is None:
        wn, btype = h_freq, "lowpass"
    elif h_freq is None:
        wn, btype = l_freq, "highpass"
    else:
        wn, btype = [l_freq, h_freq], "bandpass"
    return signal.butter(int(order), wn, btype=btype, fs=sfreq, output="sos")


def notch_sos(freqs, sfreq, quality, harmonics):
    """Cascade of :func:`scipy.signal.iirnotch` sections; returns ``(freqs_, sos)``.

    ``freqs`` must already be validated (strictly between 0 and Nyquist).
    """
    nyquist = sfreq / 2.0
    freqs = np.atleast_1d(np.asarray(freqs, dtype=float))
    if harmonics:
        all_freqs = []
        for f0 in freqs:
            k = np.arange(1, int(np.floor(nyquist / f0)) + 1)
            all_freqs.extend(f for f in k * f0 if f < nyquist)
        freqs = np.asarray(all_freqs)
    freqs = np.unique(np.round(freqs, 9))
    sections = []
    for f0 in freqs:
        b, a = signal.iirnotch(f0, float(quality), fs=sfreq)
        sections.append(signal.tf2sos(b, a))
    return freqs, np.concatenate(sections, axis=0)


def _state(zi, first):
    """Initial state ``zi * first`` of shape (n_sections, n_rows, 2)."""
    return zi[:, None, :] * first[None, :, None]


def sos_filter_rows(x, sos, *, compute_dtype, padlen, zero_phase=True, out=None, block=None):
    """Filter the rows of ``x`` with ``sos``, block by block; return float32.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_times)
        Any real dtype. With ``zero_phase`` it needs ``n_times > padlen``.
    sos : ndarray of shape (n_sections, 6)
        Second-order sections (float64 design).
    compute_dtype : numpy dtype
        Precision of the recursion (float32 or float64).
    padlen : int
        Odd-extension length of the zero-phase filter (samples).
    zero_phase : bool, default=True
        Forward-backward (identical to :func:`scipy.signal.sosfiltfilt` with
        this ``padlen``) if True; one causal pass from a zero state
        (:func:`scipy.signal.sosfilt`) otherwise.
    out : ndarray of shape (n_rows, n_times), float32, or None
        Output array; may be ``x`` itself (in-place filtering of a float32
        array). Allocated if None.
    block : int or None
        Samples per block (rows x time); default :func:`block_elems`.

    Returns
    -------
    out : ndarray of shape (n_rows, n_times), float32
    """
    n_rows, n_times = x.shape
    if out is None:
        out = np.empty((n_rows, n_times), dtype=np.float32)
    dt = np.dtype(compute_dtype)
    sos64 = np.asarray(sos, dtype=np.float64)
    sos_c = sos64.astype(dt)
    zi = signal.sosfilt_zi(sos64).astype(dt)
    block = block_elems(x.size) if block is None else int(block)
    seg = min(n_times, block)
    chunks = list(iter_blocks(n_times, seg))
    for r0, r1 in iter_blocks(n_rows, max(1, block // seg)):
        xb, ob = x[r0:r1], out[r0:r1]
        if not zero_phase:
            z = np.zeros((sos_c.shape[0], r1 - r0, 2), dtype=dt)
            for a, b in chunks:
                y, z = signal.sosfilt(sos_c, xb[:, a:b].astype(dt, copy=False), zi=z)
                ob[:, a:b] = y
            continue
        # Odd extensions (scipy.signal.odd_ext), taken before ``ob`` (maybe ``xb``)
        # is overwritten by the forward pass.
        x_first = xb[:, 0].astype(dt)
        x_last = xb[:, -1].astype(dt)
        if padlen:
            left = 2 * x_first[:, None] - xb[:, padlen:0:-1].astype(dt)
            right = 2 * x_last[:, None] - xb[:, -2 : -padlen - 2 : -1].astype(dt)
            _, z = signal.sosfilt(sos_c, left, zi=_state(zi, left[:, 0]))
        else:
            z = _state(zi, x_first)
        for a, b in chunks:
            y, z = signal.sosfilt(sos_c, xb[:, a:b].astype(dt, copy=False), zi=z)
            ob[:, a:b] = y
            last = y[:, -1]
        if padlen:
            y, _ = signal.sosfilt(sos_c, right, zi=z)
            tail = y[:, ::-1]
            _, z = signal.sosfilt(sos_c, tail, zi=_state(zi, tail[:, 0]))
        else:
            z = _state(zi, last)
        for a, b in reversed(chunks):
            y, z = signal.sosfilt(sos_c, ob[:, a:b][:, ::-1].astype(dt), zi=z)
            ob[:, a:b] = y[:, ::-1]
    return out
