"""Shared base class for the transformers that take ``(n_windows, n_channels, n_times)``.

Every transformer of :mod:`skseizure.preprocessing` follows one fitted-state
convention (scikit-learn >= 1.6): **all of them require ``fit``**, even the
filters whose output does not depend on the training data. ``fit`` is where
the parameters are validated (against ``sfreq``, the Nyquist frequency, the
window length) and where the derived state is computed once (``sos_``,
``up_``/``down_``, ``mean_``/``scale_``) together with ``n_channels_in_``
(and, for the feature extractors whose output depends on the window length,
``n_times_in_``), which ``transform`` checks. Calling ``transform`` before ``fit`` raises
:class:`sklearn.exceptions.NotFittedError`. This keeps one rule for users and
lets a pipeline catch a channel-count mismatch between training and inference.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._utils.validation import check_n_channels, check_windows, unwrap_windows

__all__ = ["WindowTransformerMixin", "BaseWindowTransformer"]


class WindowTransformerMixin:
    """Tags and validation helpers for transformers on 3-D window arrays.

    Declares ``three_d_array=True`` and ``two_d_array=False``: a 2-D array is
    rejected rather than silently read as ``(n_windows, n_times)`` of one
    channel. Output dtype is float32 (``preserves_dtype=["float32"]``).
    """

    #: Number of dimensions accepted by ``fit`` and ``transform``.
    _input_ndim = 3
    #: True for transformers whose output layout depends on the window length
    #: (features): ``fit`` records ``n_times_in_`` and ``transform`` refuses
    #: windows of another length.
    _fixed_n_times = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def _validate_windows(self, X, *, reset):
        """Validate ``X``; record (``reset=True``) or check ``n_channels_in_``.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Or a container that carries its sampling rate
            (:class:`skseizure.datasets.Windows`, ``mne.Epochs``): its rate
            must equal the transformer's ``sfreq``.
        reset : bool
            True in ``fit`` (records ``n_channels_in_``, and ``n_times_in_``
            for transformers with ``_fixed_n_times``), False in
            ``transform`` (requires a fitted estimator with the same channel
            count and, where recorded, window length).

        Returns
        -------
        X : ndarray of shape (n_windows, n_channels, n_times), float32
        """
        name = type(self).__name__
        if not reset:
            # Fitted-ness is checked before the data so that an unfitted
            # estimator reports NotFittedError whatever the input.
            check_is_fitted(self)
        X = unwrap_windows(X, getattr(self, "sfreq", None), estimator_name=name)
        if sparse.issparse(X):
            raise TypeError(
                f"Sparse input is not supported by {name}: pass a dense array of shape "
                "(n_windows, n_channels, n_times)."
            )
        dtype = getattr(X, "dtype", None)
        if dtype is not None and np.dtype(dtype).kind == "c":
            raise ValueError(
                f"Complex data not supported by {name}: pass real-valued windows "
                "(n_windows, n_channels, n_times)."
            )
        X = check_windows(X, ndim=self._input_ndim, name="X")
        if reset:
            self.n_channels_in_ = int(X.shape[1])
            if self._fixed_n_times:
                self.n_times_in_ = int(X.shape[-1])
        else:
            check_n_channels(X, self.n_channels_in_, estimator_name=name)
            if self._fixed_n_times:
                self._check_n_times_in(X, name)
        return X

    def _check_n_times_in(self, X, name):
        expected, received = self.n_times_in_, int(X.shape[-1])
        if received != expected:
            sfreq = getattr(self, "sfreq_", None)
            secs = (
                f" ({expected / sfreq:g} s and {received / sfreq:g} s at {sfreq:g} Hz)"
                if sfreq
                else ""
            )
            raise ValueError(
                f"{name} was fitted on windows of {expected} samples but X has windows "
                f"of {received} samples{secs}; its features depend on the window length: "
                "cut windows of the length used in fit, or fit again."
            )


class BaseWindowTransformer(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Base for transformers on ``(n_windows, n_channels, n_times)`` float32 arrays.

    Subclasses implement ``_fit(X)`` (validate parameters, compute derived
    state; ``X`` already validated) and ``_transform(X)`` (``X`` already
    validated and channel-checked; must return float32).
    """

    def fit(self, X, y=None):
        """Validate the parameters against ``X`` and record ``n_channels_in_``.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows of signal.
        y : None
            Ignored; present for pipeline compatibility.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X = self._validate_windows(X, reset=True)
        self._fit(X)
        return self

    def transform(self, X):
        """Apply the transformation to every window.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows with the channel count seen in ``fit``.

        Returns
        -------
        Xt : ndarray, float32
            See the class docstring for the output shape.
        """
        X = self._validate_windows(X, reset=False)
        Xt = self._transform(X)
        return np.asarray(Xt, dtype=np.float32)

    def fit_transform(self, X, y=None):
        """Fit to ``X`` and transform it, validating ``X`` once.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows of signal.
        y : None
            Ignored.

        Returns
        -------
        Xt : ndarray, float32
            Same as ``fit(X).transform(X)``.
        """
        X = self._validate_windows(X, reset=True)
        self._fit(X)
        return np.asarray(self._transform(X), dtype=np.float32)

    def _fit(self, X):  # pragma: no cover - overridden
        raise NotImplementedError

    def _transform(self, X):  # pragma: no cover - overridden
        raise NotImplementedError
