"""Per-window feature extractors producing 2-D ``(n_windows, n_features)`` tables.

They take the project's 3-D windows and return a classic feature matrix, so
that any scikit-learn classifier (``LogisticRegression``, random forests...)
can follow them in a :class:`~sklearn.pipeline.Pipeline`.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import signal
from sklearn.utils.validation import check_is_fitted

from .._utils.validation import check_sfreq
from ._base import BaseWindowTransformer
from ._sos import block_elems, iter_blocks

__all__ = ["BandPower", "LineLength"]

_DEFAULT_BANDS = ((0.5, 4.0), (4.0, 8.0), (8.0, 13.0), (13.0, 30.0))


def _fmt(f):
    return f"{f:g}"


def _windows_per_block(X):
    """Windows per block so that a block holds about 1/16 of ``X`` (at least one window)."""
    return max(1, block_elems(X.size) // (X.shape[1] * X.shape[2]))


class BandPower(BaseWindowTransformer):
    """Power in frequency bands per channel (Welch PSD), flattened to 2-D.

    Parameters
    ----------
    sfreq : float
        Sampling frequency of the data in Hz. Required (never guessed).
    bands : sequence of (float, float), default=((0.5, 4), (4, 8), (8, 13), (13, 30))
        Frequency bands ``[low, high)`` in Hz (delta, theta, alpha, beta by
        default), with ``0 <= low < high <= sfreq / 2``. The band including
        the Nyquist frequency as upper edge is closed on the right.
    log : bool, default=True
        Return the natural log of the band power (floored at the smallest
        positive float64) instead of the power itself.
    nperseg : int or None, default=None
        Welch segment length in samples. ``None`` uses
        ``min(n_times, round(2 * sfreq))`` (2-s segments with 50 % overlap,
        Hann window, or one segment for shorter windows).

    Attributes
    ----------
    bands_ : ndarray of shape (n_bands, 2)
        Validated bands in Hz.
    sfreq_ : float
        Validated sampling frequency in Hz.
    n_channels_in_ : int
        Number of channels seen in ``fit``.
    n_times_in_ : int
        Window length seen in ``fit`` (samples); ``transform`` refuses
        another length (the PSD bins depend on it).

    Notes
    -----
    ``transform`` maps ``(n_windows, n_channels, n_times)`` to
    ``(n_windows, n_channels * n_bands)`` float32, channel-major (all bands
    of channel 0, then channel 1, ...). Band power is the sum of the Welch
    PSD (density, input units squared per Hz) over the bins in the band times
    the bin width, i.e. input units squared. Each band must contain at least
    one PSD bin at the window length given (resolution ``sfreq / nperseg``).

    Examples
    --------
    >>> import numpy as np
    >>> from skseizure.preprocessing.features import BandPower
    >>> X = np.random.default_rng(0).standard_normal((5, 18, 64)).astype("float32")
    >>> BandPower(sfreq=64).fit_transform(X).shape
    (5, 72)
    """

    _fixed_n_times = True

    def __init__(self, sfreq=None, bands=_DEFAULT_BANDS, log=True, nperseg=None):
        self.sfreq = sfreq
        self.bands = bands
        self.log = log
        self.nperseg = nperseg

    def _fit(self, X):
        self.sfreq_ = check_sfreq(self.sfreq)
        nyquist = self.sfreq_ / 2.0
        try:
            bands = np.asarray(self.bands, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"bands must be a sequence of (low, high) pairs in Hz: {exc}"
            ) from exc
        if bands.ndim != 2 or bands.shape[1] != 2 or bands.shape[0] == 0:
            raise ValueError(
                f"bands must be a non-empty sequence of (low, high) pairs in Hz, "
                f"got {self.bands!r}."
            )
        for low, high in bands:
            if not (np.isfinite(low) and np.isfinite(high) and 0 <= low < high <= nyquist):
                raise ValueError(
                    f"Band ({low}, {high}) Hz must satisfy 0 <= low < high <= Nyquist "
                    f"({nyquist} Hz for sfreq={self.sfreq_} Hz)."
                )
        if not isinstance(self.log, (bool, np.bool_)):
            raise TypeError(f"log must be True or False, got {self.log!r}.")
        if self.nperseg is not None and (
            isinstance(self.nperseg, bool)
            or not isinstance(self.nperseg, numbers.Integral)
            or self.nperseg < 2
        ):
            raise ValueError(f"nperseg must be None or an integer >= 2, got {self.nperseg!r}.")
        self.bands_ = bands
        # Fail at fit time, not at predict time, if a band has no PSD bin.
        self._band_masks(X.shape[-1])

    def _nperseg(self, n_times):
        if self.nperseg is None:
            return int(min(n_times, round(2 * self.sfreq_)))
        if self.nperseg > n_times:
            raise ValueError(
                f"nperseg={self.nperseg} is longer than the windows (n_times={n_times})."
            )
        return int(self.nperseg)

    def _band_masks(self, n_times):
        nperseg = self._nperseg(n_times)
        freqs = np.fft.rfftfreq(nperseg, d=1.0 / self.sfreq_)
        nyquist = self.sfreq_ / 2.0
        masks = []
        for low, high in self.bands_:
            mask = (freqs >= low) & ((freqs < high) | ((high == nyquist) & (freqs <= high)))
            if not mask.any():
                raise ValueError(
                    f"Band ({low:g}, {high:g}) Hz holds no PSD bin at a resolution of "
                    f"{self.sfreq_ / nperseg:g} Hz (nperseg={nperseg}); widen the band or "
                    "use longer windows."
                )
            masks.append(mask)
        return nperseg, freqs, np.asarray(masks)

    def _transform(self, X):
        n_windows, n_channels, n_times = X.shape
        nperseg, freqs, masks = self._band_masks(n_times)
        weights = masks.T.astype(np.float64) * (self.sfreq_ / nperseg)
        power = np.empty((n_windows, n_channels, masks.shape[0]), dtype=np.float64)
        # Blocks of windows: the float64 Welch segments of all windows at once
        # would take several times the input's memory.
        for a, b in iter_blocks(n_windows, _windows_per_block(X)):
            _, psd = signal.welch(
                X[a:b].astype(np.float64), fs=self.sfreq_, nperseg=nperseg, axis=-1,
                scaling="density",
            )
            # (n, C, F) @ (F, B) -> (n, C, B)
            np.matmul(psd, weights, out=power[a:b])
        if self.log:
            power = np.log(np.maximum(power, np.finfo(np.float64).tiny, out=power), out=power)
        return power.reshape(n_windows, n_channels * masks.shape[0])

    def get_feature_names_out(self, input_features=None):
        """Names ``ch{c}_{low}-{high}Hz`` of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None
            Channel names (length ``n_channels_in_``); ``None`` uses
            ``ch0, ch1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str of shape ``(n_channels_in_ * n_bands,)``
        """
        check_is_fitted(self)
        if input_features is None:
            input_features = [f"ch{c}" for c in range(self.n_channels_in_)]
        elif len(input_features) != self.n_channels_in_:
            raise ValueError(
                f"input_features has {len(input_features)} names, expected "
                f"{self.n_channels_in_} (one per channel)."
            )
        return np.asarray(
            [
                f"{ch}_{_fmt(low)}-{_fmt(high)}Hz"
                for ch in input_features
                for low, high in self.bands_
            ],
            dtype=object,
        )


class LineLength(BaseWindowTransformer):
    """Line length (mean absolute first difference) of each channel.

    A classic seizure feature (Esteller et al., 2001): rhythmic high-amplitude
    activity raises it.

    Parameters
    ----------
    normalize : bool, default=True
        Divide the summed absolute differences by ``n_times - 1`` (a mean,
        comparable across window lengths) if True; return the sum otherwise.

    Attributes
    ----------
    n_channels_in_ : int
        Number of channels seen in ``fit``.
    n_times_in_ : int
        Window length seen in ``fit`` (samples); ``transform`` refuses
        another length (the sum, or the mean's noise level, depends on it).

    Notes
    -----
    ``transform`` maps ``(n_windows, n_channels, n_times)`` to
    ``(n_windows, n_channels)`` float32, in input units (per sample if
    ``normalize``). Windows need at least 2 samples.
    """

    _fixed_n_times = True

    def __init__(self, normalize=True):
        self.normalize = normalize

    def _fit(self, X):
        if not isinstance(self.normalize, (bool, np.bool_)):
            raise TypeError(f"normalize must be True or False, got {self.normalize!r}.")

    def _transform(self, X):
        if X.shape[-1] < 2:
            raise ValueError(f"LineLength needs at least 2 samples per window, got {X.shape[-1]}.")
        ll = np.empty(X.shape[:2], dtype=np.float64)
        for a, b in iter_blocks(X.shape[0], _windows_per_block(X)):
            diff = np.diff(X[a:b], axis=-1)
            np.abs(diff, out=diff).sum(axis=-1, dtype=np.float64, out=ll[a:b])
        if self.normalize:
            ll /= X.shape[-1] - 1
        return ll

    def get_feature_names_out(self, input_features=None):
        """Names ``ch{c}_line_length`` of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None
            Channel names (length ``n_channels_in_``); ``None`` uses
            ``ch0, ch1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str of shape ``(n_channels_in_,)``
        """
        check_is_fitted(self)
        if input_features is None:
            input_features = [f"ch{c}" for c in range(self.n_channels_in_)]
        elif len(input_features) != self.n_channels_in_:
            raise ValueError(
                f"input_features has {len(input_features)} names, expected "
                f"{self.n_channels_in_} (one per channel)."
            )
        return np.asarray([f"{ch}_line_length" for ch in input_features], dtype=object)
