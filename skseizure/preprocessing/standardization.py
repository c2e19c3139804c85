"""Per-channel standardisation of window arrays (learned over windows, or per window)."""

from __future__ import annotations

import numpy as np

from .._utils.validation import check_positive_number
from ._base import BaseWindowTransformer
from ._sos import block_elems, iter_blocks

__all__ = ["ChannelStandardizer", "WindowStandardizer"]


def _windows_per_block(X):
    """Windows per block so that a block holds about 1/16 of ``X`` (at least one window)."""
    return max(1, block_elems(X.size) // (X.shape[1] * X.shape[2]))


class ChannelStandardizer(BaseWindowTransformer):
    """Z-score each channel with a mean and scale learned on the training windows.

    ``fit`` computes, for each channel, the mean and standard deviation over
    all training windows and all time samples; ``transform`` returns
    ``(X - mean_[c]) / scale_[c]``. Unlike a per-window z-score, the amplitude
    differences between windows (which carry seizure information) are kept.

    Parameters
    ----------
    eps : float, default=1e-8
        Floor for the scale, in the units of the data: ``scale_ =
        max(std, eps)``. A flat channel (std below ``eps``) is therefore mapped
        to zeros instead of NaN/inf, while every other channel gets exactly
        unit variance on the training data. With data in volts (EEG std around
        1e-5 V) the default floor is far below any real channel.

    Attributes
    ----------
    mean_ : ndarray of shape (n_channels,)
        Per-channel mean of the training data (float64, units of the input).
    scale_ : ndarray of shape (n_channels,)
        Per-channel scale (floored standard deviation, float64).
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    Notes
    -----
    ``transform`` maps ``(n_windows, n_channels, n_times)`` to the same shape,
    float32, dimensionless. Statistics are accumulated in float64.
    Dividing by ``std + 1e-8`` instead (as some published code does on each
    whole recording) would bias the scale of data in volts by about 0.1 %,
    hence the floor.

    Examples
    --------
    >>> import numpy as np
    >>> from skseizure.preprocessing.standardization import ChannelStandardizer
    >>> X = np.random.default_rng(0).normal(5.0, 2.0, (10, 2, 100)).astype("float32")
    >>> Xt = ChannelStandardizer().fit_transform(X)
    >>> bool(abs(Xt.mean()) < 1e-5)
    True
    """

    def __init__(self, eps=1e-8):
        self.eps = eps

    def _fit(self, X):
        eps = check_positive_number(self.eps, "eps")
        # Two-pass float64 statistics: a float32 one-pass variance loses digits
        # on long recordings with a large DC offset. Blocks of windows keep the
        # centred copy a fraction of the input.
        self.mean_ = X.mean(axis=(0, 2), dtype=np.float64)
        mean = self.mean_[None, :, None].astype(X.dtype)
        sq = np.zeros(X.shape[1], dtype=np.float64)
        for a, b in iter_blocks(X.shape[0], _windows_per_block(X)):
            centred = X[a:b] - mean
            sq += np.einsum("nct,nct->c", centred, centred, dtype=np.float64)
        var = sq / (X.shape[0] * X.shape[2])
        self.scale_ = np.maximum(np.sqrt(var), eps)

    def _transform(self, X):
        mean = self.mean_.astype(np.float32)[None, :, None]
        scale = self.scale_.astype(np.float32)[None, :, None]
        out = np.subtract(X, mean, dtype=np.float32)
        return np.divide(out, scale, out=out)


class WindowStandardizer(BaseWindowTransformer):
    """Z-score every channel of every window with that window's own statistics.

    Stateless: ``transform`` returns ``(X[n, c] - mean(X[n, c])) / max(std(X[n, c]), eps)``
    (mean and standard deviation over the time samples of one channel of one window).
    Nothing is learned in ``fit`` except ``n_channels_in_``.

    Use it when the absolute amplitude is a confound rather than information: in the
    Helsinki neonatal windows every infant has a single class, so a network fed
    amplitude-preserving input (:class:`ChannelStandardizer`) can learn "which infant
    / which recording gain" instead of "which rhythm". After this transformer only the
    waveform shape and the spectral *shape* of each channel remain.

    Parameters
    ----------
    eps : float, default=1e-8
        Floor for the per-window scale, in the units of the data: a flat channel
        (std below ``eps``) maps to zeros instead of NaN/inf. With volts (EEG std
        around 1e-5 V) the default is far below any real channel.

    Attributes
    ----------
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    Notes
    -----
    ``transform`` maps ``(n_windows, n_channels, n_times)`` to the same shape, float32,
    dimensionless; statistics are computed in float64. The output does not depend on
    the training data, so the transformer cannot leak between folds.

    Examples
    --------
    >>> import numpy as np
    >>> from skseizure.preprocessing.standardization import WindowStandardizer
    >>> X = np.random.default_rng(0).normal(5.0, 2.0, (3, 2, 100)).astype("float32")
    >>> Xt = WindowStandardizer().fit_transform(X * np.array([1.0, 1e3, 1e-3])[:, None, None])
    >>> bool(np.allclose(Xt.std(axis=-1), 1.0, atol=1e-4))
    True
    """

    def __init__(self, eps=1e-8):
        self.eps = eps

    def _fit(self, X):
        check_positive_number(self.eps, "eps")

    def _transform(self, X):
        out = np.empty(X.shape, dtype=np.float32)
        # Blocks of windows: the float64 statistics never copy the whole input.
        for a, b in iter_blocks(X.shape[0], _windows_per_block(X)):
            x64 = X[a:b].astype(np.float64)
            mean = x64.mean(axis=-1, keepdims=True)
            scale = np.maximum(x64.std(axis=-1, keepdims=True), float(self.eps))
            x64 -= mean
            x64 /= scale
            out[a:b] = x64
        return out
