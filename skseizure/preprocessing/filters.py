"""IIR filters (Butterworth band-pass, notch) as scikit-learn transformers.

Both filters are designed with :mod:`scipy.signal` as second-order sections
(SOS) and, by default, applied forward and backward
(:func:`scipy.signal.sosfiltfilt`): zero phase, and the magnitude response is
the square of the designed one (an order-4 Butterworth becomes an order-8
magnitude response with -6 dB, not -3 dB, at the band edges).

Precision: the SOS are applied in float32 (the project's dtype, lowest memory)
unless a pole lies within 0.004 of the unit circle (low cut-off relative to
``sfreq``, e.g. a 0.5 Hz high-pass at 512 Hz), where float32 coefficients
would move the poles; the filter then runs in float64 and the result is cast
back to float32. The threshold keeps the float32 result within 5e-4 (relative
to the peak output) of the float64 computation; see
``tests/preprocessing/test_filters.py``. ``compute_dtype_`` records the choice.

Filtering short windows: zero-phase filtering pads each window by ``padlen``
samples (reflection) and needs windows longer than that. Filter the
continuous recording before cutting windows whenever possible; edge
transients of a 0.5 Hz high-pass last seconds.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import signal

from .._utils.validation import check_frequency_band, check_sfreq
from ._base import BaseWindowTransformer

__all__ = ["BandpassFilter", "NotchFilter"]

# Smallest distance of a pole to the unit circle for which float32 SOS are
# accurate enough (measured: <= 5e-4 relative error vs float64).
_FLOAT32_MIN_POLE_MARGIN = 4e-3


def _sos_pole_margin(sos):
    """Return ``1 - max |pole|`` over all second-order sections."""
    radii = [np.abs(np.roots([1.0, s[4], s[5]])) for s in sos]
    return float(1.0 - max(np.max(r) for r in radii))


def _sos_padlen(sos):
    """Default ``padlen`` of :func:`scipy.signal.sosfiltfilt` for ``sos``."""
    n_sections = sos.shape[0]
    trailing_zeros = min((sos[:, 2] == 0).sum(), (sos[:, 5] == 0).sum())
    return int(3 * (2 * n_sections + 1 - trailing_zeros))


def _apply_sos(X, sos, compute_dtype, zero_phase, padlen, sfreq, name):
    """Filter the last axis of ``X`` with ``sos``; return float32."""
    n_times = X.shape[-1]
    if zero_phase and n_times <= padlen:
        raise ValueError(
            f"The windows are too short for {name}: zero-phase filtering pads "
            f"{padlen} samples on each side and needs more than {padlen} samples "
            f"per window, got n_times={n_times} ({n_times / sfreq:.3g} s at "
            f"sfreq={sfreq} Hz). Filter the continuous recording before windowing, "
            "use longer windows, lower the order, or set zero_phase=False."
        )
    sos_c = np.asarray(sos, dtype=compute_dtype)
    Xc = X if X.dtype == compute_dtype else X.astype(compute_dtype)
    if zero_phase:
        out = signal.sosfiltfilt(sos_c, Xc, axis=-1, padlen=padlen)
    else:
        out = signal.sosfilt(sos_c, Xc, axis=-1)
    # sosfiltfilt returns a reversed (negative-stride) view of its padded
    # buffer: hand back a compact C-contiguous array instead.
    return np.ascontiguousarray(out, dtype=np.float32)


class _BaseIIRFilter(BaseWindowTransformer):
    """Shared ``_transform`` for SOS filters (``sos_``, ``padlen_``...)."""

    def _set_sos(self, sos):
        self.sos_ = np.asarray(sos, dtype=np.float64)
        self.padlen_ = _sos_padlen(self.sos_)
        margin = _sos_pole_margin(self.sos_)
        self.compute_dtype_ = np.dtype(
            np.float32 if margin >= _FLOAT32_MIN_POLE_MARGIN else np.float64
        )

    def _check_zero_phase(self):
        if not isinstance(self.zero_phase, (bool, np.bool_)):
            raise TypeError(f"zero_phase must be True or False, got {self.zero_phase!r}.")

    def _transform(self, X):
        return _apply_sos(
            X,
            self.sos_,
            self.compute_dtype_,
            self.zero_phase,
            self.padlen_,
            self.sfreq_,
            type(self).__name__,
        )


class BandpassFilter(_BaseIIRFilter):
    """Butterworth band-pass, low-pass or high-pass filter on window arrays.

    Parameters
    ----------
    l_freq : float or None, default=0.5
        Lower pass-band edge in Hz. ``None`` gives a low-pass filter at
        ``h_freq``.
    h_freq : float or None, default=30.0
        Upper pass-band edge in Hz. ``None`` gives a high-pass filter at
        ``l_freq``. Both edges must lie strictly between 0 and the Nyquist
        frequency ``sfreq / 2``.
    sfreq : float
        Sampling frequency of the data in Hz. Required (never guessed).
    order : int, default=4
        Order of the Butterworth design (:func:`scipy.signal.butter`). A
        band-pass of order ``N`` has ``2N`` poles. With ``zero_phase=True`` the
        effective magnitude response is squared.
    zero_phase : bool, default=True
        If True, filter forward and backward (:func:`scipy.signal.sosfiltfilt`,
        no phase shift, ``padlen_`` reflected samples on each side, so each
        window needs more than ``padlen_`` samples). If False, filter once,
        causally (:func:`scipy.signal.sosfilt`).

    Attributes
    ----------
    sos_ : ndarray of shape (n_sections, 6)
        The designed second-order sections (float64).
    padlen_ : int
        Padding used by the zero-phase filter, in samples.
    compute_dtype_ : numpy.dtype
        float32, or float64 when a pole is too close to the unit circle for
        float32 coefficients (see the module docstring).
    sfreq_ : float
        Validated sampling frequency in Hz.
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    See Also
    --------
    NotchFilter : Remove power-line interference.
    mne.filter.filter_data : The MNE equivalent on continuous data.

    Notes
    -----
    ``transform`` maps ``(n_windows, n_channels, n_times)`` to the same shape,
    in float32 and in the units of the input.

    With ``zero_phase=True`` the response is ``|H|^2``: -6 dB at ``l_freq`` and
    ``h_freq``; for the default 0.5-30 Hz order-4 design the -1 dB pass band
    is about 0.64-23.7 Hz (at 256 Hz), and attenuation reaches 60 dB at 60 Hz.

    Examples
    --------
    >>> import numpy as np
    >>> from skseizure.preprocessing.filters import BandpassFilter
    >>> X = np.random.default_rng(0).standard_normal((2, 3, 512)).astype("float32")
    >>> BandpassFilter(0.5, 30.0, sfreq=256.0).fit_transform(X).shape
    (2, 3, 512)
    """

    def __init__(self, l_freq=0.5, h_freq=30.0, sfreq=None, order=4, zero_phase=True):
        self.l_freq = l_freq
        self.h_freq = h_freq
        self.sfreq = sfreq
        self.order = order
        self.zero_phase = zero_phase

    def _fit(self, X):
        self.sfreq_ = check_sfreq(self.sfreq)
        l_freq, h_freq = check_frequency_band(self.l_freq, self.h_freq, self.sfreq_)
        if (
            isinstance(self.order, bool)
            or not isinstance(self.order, numbers.Integral)
            or self.order < 1
        ):
            raise ValueError(f"order must be a positive integer, got {self.order!r}.")
        self._check_zero_phase()
        if l_freq is None:
            wn, btype = h_freq, "lowpass"
        elif h_freq is None:
            wn, btype = l_freq, "highpass"
        else:
            wn, btype = [l_freq, h_freq], "bandpass"
        self._set_sos(
            signal.butter(int(self.order), wn, btype=btype, fs=self.sfreq_, output="sos")
        )


class NotchFilter(_BaseIIRFilter):
    """Second-order IIR notch filter(s) (:func:`scipy.signal.iirnotch`).

    Parameters
    ----------
    freqs : float or sequence of float, default=50.0
        Frequencies to remove, in Hz (e.g. ``50.0`` or ``[50.0, 60.0]``). Each
        must lie strictly between 0 and the Nyquist frequency.
    sfreq : float
        Sampling frequency of the data in Hz. Required (never guessed).
    quality : float, default=30.0
        Quality factor ``Q = f0 / bandwidth`` of each notch (-3 dB bandwidth of
        a single pass; ``zero_phase=True`` applies it twice).
    harmonics : bool, default=False
        If True, also remove every integer multiple of each frequency below
        the Nyquist frequency (duplicates removed).
    zero_phase : bool, default=True
        Filter forward and backward (no phase shift) if True, once (causal)
        otherwise.

    Attributes
    ----------
    freqs_ : ndarray of shape (n_notches,)
        Notched frequencies in Hz, harmonics included, sorted.
    sos_ : ndarray of shape (n_notches, 6)
        One second-order section per notch, cascaded.
    padlen_ : int
        Padding used by the zero-phase filter, in samples.
    compute_dtype_ : numpy.dtype
        Precision of the filtering (see :class:`BandpassFilter`).
    sfreq_ : float
        Validated sampling frequency in Hz.
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    Notes
    -----
    ``transform`` maps ``(n_windows, n_channels, n_times)`` to the same shape,
    float32.

    Examples
    --------
    >>> import numpy as np
    >>> from skseizure.preprocessing.filters import NotchFilter
    >>> X = np.zeros((1, 2, 512), dtype="float32")
    >>> NotchFilter(50.0, sfreq=256.0, harmonics=True).fit(X).freqs_
    array([ 50., 100.])
    """

    def __init__(self, freqs=50.0, sfreq=None, quality=30.0, harmonics=False, zero_phase=True):
        self.freqs = freqs
        self.sfreq = sfreq
        self.quality = quality
        self.harmonics = harmonics
        self.zero_phase = zero_phase

    def _fit(self, X):
        self.sfreq_ = check_sfreq(self.sfreq)
        nyquist = self.sfreq_ / 2.0
        self._check_zero_phase()
        if not isinstance(self.harmonics, (bool, np.bool_)):
            raise TypeError(f"harmonics must be True or False, got {self.harmonics!r}.")
        if (
            isinstance(self.quality, bool)
            or not isinstance(self.quality, numbers.Real)
            or not np.isfinite(self.quality)
            or self.quality <= 0
        ):
            raise ValueError(f"quality must be a positive number, got {self.quality!r}.")
        freqs = np.atleast_1d(np.asarray(self.freqs, dtype=float))
        if freqs.ndim != 1 or freqs.size == 0:
            raise ValueError(f"freqs must be a number or a 1-D list of Hz, got {self.freqs!r}.")
        for f0 in freqs:
            if not np.isfinite(f0) or f0 <= 0 or f0 >= nyquist:
                raise ValueError(
                    f"Notch frequency {f0} Hz must lie strictly between 0 and the "
                    f"Nyquist frequency ({nyquist} Hz for sfreq={self.sfreq_} Hz)."
                )
        if self.harmonics:
            all_freqs = []
            for f0 in freqs:
                k = np.arange(1, int(np.floor(nyquist / f0)) + 1)
                all_freqs.extend(f for f in k * f0 if f < nyquist)
            freqs = np.asarray(all_freqs)
        self.freqs_ = np.unique(np.round(freqs, 9))
        sections = []
        for f0 in self.freqs_:
            b, a = signal.iirnotch(f0, float(self.quality), fs=self.sfreq_)
            sections.append(signal.tf2sos(b, a))
        self._set_sos(np.concatenate(sections, axis=0))
