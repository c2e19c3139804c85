"""Short-time log-amplitude spectra (the DCRNN / eeg-gnn-ssl input features)."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.fft

from .._utils.validation import check_positive_number, check_sfreq
from ._base import BaseWindowTransformer
from ._sos import block_elems, iter_blocks

__all__ = ["FFTLogAmplitude"]

# Value substituted for an exactly-zero amplitude before the log, as in the
# reference code (eeg-gnn-ssl ``computeFFT``: ``amp[amp == 0.0] = 1e-8``).
_ZERO_AMPLITUDE = 1e-8
# Most windows per batched FFT call (see ``FFTLogAmplitude._transform``).
_CHUNK_WINDOWS = 32


class FFTLogAmplitude(BaseWindowTransformer):
    """Log-amplitude FFT of consecutive non-overlapping steps of each window.

    Reproduces the features of Tang et al. (ICLR 2022), code
    ``tsy935/eeg-gnn-ssl`` (``computeSliceMatrix`` / ``computeFFT``): each
    window (a "clip") is cut into non-overlapping steps of ``step_s`` seconds
    (``n = round(step_s * sfreq)`` samples); each step gets an FFT of length
    ``n``; the first ``floor(n / 2)`` bins are kept (DC included, the Nyquist
    bin excluded, resolution ``1 / step_s`` Hz); the feature is the natural log
    of the amplitude ``|F|``, with exact zeros replaced by 1e-8. At 200 Hz with
    1-s steps, a 12-s clip gives ``(12, n_channels, 100)``.

    Parameters
    ----------
    sfreq : float
        Sampling frequency of the data in Hz. Required (never guessed).
    step_s : float, default=1.0
        Step (sub-window) length in seconds; ``step_s * sfreq`` must be a
        whole number of samples.
    n_bins : int or None, default=None
        Number of frequency bins kept, from DC upwards. ``None`` keeps
        ``floor(n / 2)`` (the reference); a smaller value truncates the
        spectrum at ``n_bins / step_s`` Hz.

    Attributes
    ----------
    n_step_samples_ : int
        Samples per step (FFT length).
    n_bins_ : int
        Number of bins kept.
    freqs_ : ndarray of shape ``(n_bins_,)``
        Bin frequencies in Hz.
    sfreq_ : float
        Validated sampling frequency in Hz.
    n_channels_in_ : int
        Number of channels seen in ``fit``.
    n_times_in_ : int
        Window length seen in ``fit`` (samples); ``transform`` refuses
        another length (the number of steps would change).

    Notes
    -----
    ``transform`` maps ``(n_windows, n_channels, n_times)`` to
    ``(n_windows, n_steps, n_channels, n_bins_)`` float32 with
    ``n_steps = n_times / n_step_samples_``; ``n_times`` must be a whole
    multiple of the step (no samples are silently dropped). The units are
    log of (input units x samples), unnormalised, as in the reference.

    The FFT of all steps of all windows is one batched
    :func:`scipy.fft.rfft` call, computed in float64 and returned as float32.
    The first ``floor(n/2)`` bins of the real FFT are identical to those of
    the complex FFT that the reference computes.

    Examples
    --------
    >>> import numpy as np
    >>> from skseizure.preprocessing.spectral import FFTLogAmplitude
    >>> X = np.random.default_rng(0).standard_normal((2, 19, 2400)).astype("float32")
    >>> FFTLogAmplitude(sfreq=200).fit_transform(X).shape
    (2, 12, 19, 100)
    """

    _fixed_n_times = True

    def __init__(self, sfreq=None, step_s=1.0, n_bins=None):
        self.sfreq = sfreq
        self.step_s = step_s
        self.n_bins = n_bins

    def _fit(self, X):
        self.sfreq_ = check_sfreq(self.sfreq)
        check_positive_number(self.step_s, "step_s", unit="seconds")
        n_float = self.step_s * self.sfreq_
        n = int(round(n_float))
        if n < 2 or not np.isclose(n, n_float, rtol=0, atol=1e-6):
            raise ValueError(
                f"step_s * sfreq = {self.step_s} * {self.sfreq_} = {n_float} must be a whole "
                "number of samples (>= 2)."
            )
        half = n // 2
        if self.n_bins is None:
            n_bins = half
        elif (
            isinstance(self.n_bins, bool)
            or not isinstance(self.n_bins, numbers.Integral)
            or not 1 <= self.n_bins <= half
        ):
            raise ValueError(
                f"n_bins must be None or an integer in [1, {half}] (floor of half the "
                f"{n} samples per step), got {self.n_bins!r}."
            )
        else:
            n_bins = int(self.n_bins)
        self.n_step_samples_ = n
        self.n_bins_ = n_bins
        self.freqs_ = np.arange(n_bins) * (self.sfreq_ / n)
        self._check_n_times(X.shape[-1])

    def _check_n_times(self, n_times):
        n = self.n_step_samples_
        if n_times % n:
            raise ValueError(
                f"n_times={n_times} is not a whole number of {self.step_s}-s steps "
                f"({n} samples at {self.sfreq_} Hz; remainder {n_times % n} samples). "
                "Cut windows to a whole number of steps."
            )

    def _transform(self, X):
        self._check_n_times(X.shape[-1])
        n = self.n_step_samples_
        n_windows, n_channels, n_times = X.shape
        n_steps = n_times // n
        out = np.empty((n_windows, n_steps, n_channels, self.n_bins_), dtype=np.float32)
        # Chunks of windows keep the float64 temporaries cache-sized: one FFT over
        # thousands of clips spends its time in page faults and copies, not in the FFT
        # (about 4x slower than per-window calls when measured on 1,000 12-s clips).
        # At most 1/16 of the input per block as well, so that the float64 and
        # complex temporaries stay a fraction of the data.
        per_block = max(1, min(_CHUNK_WINDOWS, block_elems(X.size) // (n_channels * n_times)))
        for start, stop in iter_blocks(n_windows, per_block):
            steps = X[start:stop].reshape(stop - start, n_channels, n_steps, n)
            # float64 FFT: the log of small bins is sensitive to round-off, and the
            # reference computes in float64.
            spectrum = scipy.fft.rfft(steps.astype(np.float64), n=n, axis=-1)[..., : self.n_bins_]
            amp = np.abs(spectrum)
            amp[amp == 0.0] = _ZERO_AMPLITUDE
            # (chunk, C, T, M) -> (chunk, T, C, M), cast to float32 on assignment
            out[start:stop] = np.log(amp, out=amp).transpose(0, 2, 1, 3)
        return out
