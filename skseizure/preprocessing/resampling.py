"""Polyphase resampling of window arrays (:func:`scipy.signal.resample_poly`)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy import signal
from sklearn.utils.validation import check_is_fitted

from .._utils.validation import check_sfreq
from ._base import BaseWindowTransformer
from ._sos import block_elems, iter_blocks

__all__ = ["Resampler"]

# Largest up/down factor accepted. Rates given with two decimals need factors in
# the tens of thousands (Bonn: 173.61 Hz -> 200 Hz is 20000 / 17361). The
# polyphase filter then has ~20 * max(up, down) taps (16 MB at the limit), but
# each output sample still costs only ~20 multiply-adds (all of Bonn: 0.06 s).
_MAX_FACTOR = 100_000


class Resampler(BaseWindowTransformer):
    """Change the sampling frequency of windows by a rational factor.

    Uses :func:`scipy.signal.resample_poly` (anti-aliasing FIR, Kaiser window,
    zero-phase) with ``up / down = new_sfreq / sfreq`` reduced to lowest
    terms, e.g. 256 Hz -> 200 Hz is ``up=25, down=32``.

    Parameters
    ----------
    sfreq : float
        Sampling frequency of the input in Hz. Required (never guessed).
    new_sfreq : float
        Sampling frequency of the output in Hz. Required.
    window : str, tuple or array_like, default=("kaiser", 5.0)
        FIR window passed to :func:`scipy.signal.resample_poly`.
    padtype : str, default="line"
        Padding at the window edges passed to
        :func:`scipy.signal.resample_poly`. ``"line"`` (continue the linear
        trend) limits edge artefacts on short windows better than the
        ``"constant"`` zero padding.

    Attributes
    ----------
    up_, down_ : int
        Reduced up- and down-sampling factors.
    sfreq_, new_sfreq_ : float
        Validated input and output sampling frequencies in Hz.
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    Notes
    -----
    ``transform`` maps ``(n_windows, n_channels, n_times)`` to
    ``(n_windows, n_channels, ceil(n_times * up_ / down_))`` float32
    (:meth:`n_times_out` computes it). When ``n_times * new_sfreq / sfreq`` is
    a whole number (e.g. whole-second windows at integer rates) the window
    keeps its duration exactly. Resample the continuous recording before
    windowing when possible (a recording ``(n_channels, n_times)`` is one
    window: ``X[None]``): each window is filtered independently, so its
    first and last few samples carry edge effects. Rows are resampled in
    blocks of about 1/16 of the input, so memory beyond the output stays a
    fraction of the input.

    Examples
    --------
    >>> import numpy as np
    >>> from skseizure.preprocessing.resampling import Resampler
    >>> X = np.zeros((3, 19, 256 * 4), dtype="float32")
    >>> Resampler(sfreq=256, new_sfreq=200).fit_transform(X).shape
    (3, 19, 800)
    """

    def __init__(self, sfreq=None, new_sfreq=None, window=("kaiser", 5.0), padtype="line"):
        self.sfreq = sfreq
        self.new_sfreq = new_sfreq
        self.window = window
        self.padtype = padtype

    def _fit(self, X):
        self.sfreq_ = check_sfreq(self.sfreq, name="sfreq")
        self.new_sfreq_ = check_sfreq(self.new_sfreq, name="new_sfreq")
        ratio = Fraction(self.new_sfreq_) / Fraction(self.sfreq_)
        ratio = ratio.limit_denominator(_MAX_FACTOR)
        if ratio.numerator > _MAX_FACTOR or not np.isclose(
            self.sfreq_ * ratio.numerator / ratio.denominator,
            self.new_sfreq_,
            rtol=1e-9,
            atol=0.0,
        ):
            raise ValueError(
                f"new_sfreq / sfreq = {self.new_sfreq_} / {self.sfreq_} is not a rational "
                f"ratio with factors <= {_MAX_FACTOR}; choose rates with a simple ratio."
            )
        self.up_ = int(ratio.numerator)
        self.down_ = int(ratio.denominator)

    def n_times_out(self, n_times):
        """Number of output samples for windows of ``n_times`` input samples.

        Parameters
        ----------
        n_times : int
            Input window length in samples.

        Returns
        -------
        n_out : int
            ``ceil(n_times * up_ / down_)``.
        """
        check_is_fitted(self)
        return int(-(-int(n_times) * self.up_ // self.down_))

    def _transform(self, X):
        if self.up_ == self.down_:
            return X.copy()
        n_windows, n_channels, n_times = X.shape
        rows = X.reshape(n_windows * n_channels, n_times)
        out = np.empty((n_windows, n_channels, self.n_times_out(n_times)), dtype=np.float32)
        out_rows = out.reshape(rows.shape[0], -1)
        # Blocks of rows (channels of windows): resample_poly's float64
        # temporaries stay a fraction of the input instead of several times it.
        for a, b in iter_blocks(rows.shape[0], max(1, block_elems(X.size) // n_times)):
            out_rows[a:b] = signal.resample_poly(
                rows[a:b], self.up_, self.down_, axis=-1, window=self.window,
                padtype=self.padtype,
            )
        return out
