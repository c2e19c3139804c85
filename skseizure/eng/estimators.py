"""skorch estimators for ESCAPE-Net and MobilESCAPE-Net (nerve-cuff CAP signatures).

Input: signatures ``(n_caps, 1, n_electrodes, n_times)`` float32 from
:class:`skseizure.eng.CAPSignatureBuilder` (``(n_caps, n_electrodes,
n_times)`` is accepted and given the image axis). ``groups`` are animals: the
internal validation split (early stopping) is then animal-wise.
"""

from __future__ import annotations

import numpy as np

from .._utils.validation import check_windows
from ..estimators import BaseNetClassifier
from .escape_net import ESCAPENet
from .mobilescape_net import MobilESCAPENet

__all__ = ["ESCAPENetClassifier", "MobilESCAPENetClassifier"]


class _SignatureNetMixin:
    """Input handling shared by the two signature networks (4-D images)."""

    _input_ndim = 4
    #: electrodes are the "channels" checked against ``n_channels_in_``
    _channel_axis = 2
    #: non-batch axes, named in shape-mismatch errors
    _input_axis_names = ("image_channels", "n_electrodes", "n_times")

    def _check_X(self, X, reset):
        X = check_windows(X, ndim=(3, 4), dtype=np.float32)
        if X.ndim == 3:  # (n, n_electrodes, n_times) -> add the image channel
            X = X[:, None]
        if X.shape[1] != 1:
            raise ValueError(
                f"{type(self).__name__} expects signatures of shape (n, 1, n_electrodes, "
                f"n_times); got {X.shape} (axis 1 must be 1)."
            )
        if reset:
            if self.normalize not in ("std", None):
                raise ValueError(f"normalize must be 'std' or None, got {self.normalize!r}.")
            std = float(X.std(dtype=np.float64)) if self.normalize == "std" else 0.0
            self.input_scale_ = std if std > 0 else 1.0
        # electrodes and samples are checked against ``input_shape_`` by the base
        # Signatures in volts or clip units are tiny (1e-6 / 1e-2); BatchNorm's
        # running statistics start at variance 1 and take hundreds of steps to
        # reach such scales, so evaluation-mode outputs are garbage meanwhile.
        # One global scale (not per pixel) keeps the spatial amplitude pattern.
        scale = getattr(self, "input_scale_", 1.0)
        if scale != 1.0:
            X = X / np.float32(scale)
        return X

    def _module_kwargs_from_data(self, X, y):
        """Record ``n_channels_in_`` (electrodes) and ``n_times_in_`` (samples).

        Parameters
        ----------
        X : ndarray of shape (n_caps, 1, n_electrodes, n_times)
        y : ndarray of shape (n_caps,), encoded labels

        Returns
        -------
        kwargs : dict
            ``{"n_electrodes", "n_times", "n_classes"}`` for the module.
        """
        self.n_channels_in_ = int(X.shape[2])
        self.n_times_in_ = int(X.shape[3])
        return {
            "n_electrodes": self.n_channels_in_,
            "n_times": self.n_times_in_,
            "n_classes": int(len(self.classes_)),
        }


# Appended to each class docstring, whose Parameters section it continues
# (numpydoc rejects a second "Parameters" header).
_COMMON_DOC = """
    normalize : {"std", None}, default="std"
        ``"std"`` divides every signature by one number, the standard deviation
        of all training signature pixels (``input_scale_``), at fit and predict
        time: the paper's "pixel intensities are normalised". None: raw input.
    lr : float, default=1e-3
    max_epochs : int, default=50
    batch_size : int, default=64
    patience : int or None, default=8
    **kwargs
        Every other :class:`~skseizure.estimators.BaseNetClassifier` /
        skorch parameter (``random_state``, ``device``, ``valid_size``,
        ``class_weight``, ``callbacks`` ...).

    Attributes
    ----------
    n_channels_in_ : int
        Electrodes (rows of the signatures) seen in ``fit``.
    n_times_in_ : int
        Samples (columns) seen in ``fit``.
    input_scale_ : float
        Divisor applied to the signatures (1.0 when ``normalize=None``).
    classes_, module_, history_
        See :class:`~skseizure.estimators.BaseNetClassifier`.

    Notes
    -----
    Training: Adam (the paper's optimiser; ``lr`` defaults to Keras' 1e-3)
    with early stopping on the validation macro-F1, from
    :class:`~skseizure.estimators.BaseNetClassifier`. ``fit(X, y, groups=animals)``
    makes the internal validation split animal-wise.
"""


class ESCAPENetClassifier(_SignatureNetMixin, BaseNetClassifier):
    """ESCAPE-Net classifier of nerve-cuff CAP signatures (skorch / scikit-learn).

    Wraps :class:`skseizure.models.ESCAPENet` (91,837,635 parameters for the
    paper's 1 x 56 x 100 input; about 1.15 GFLOPs per signature). Training it
    on a CPU is slow (the first linear layer alone holds 91.8 M weights);
    use a GPU (``device="cuda"``) for real work.

    Parameters
    ----------
    module__n_filters : int, default=64
    module__n_hidden : int, default=256
    module__kernel_sizes : tuple of int, default=(8, 4, 2)
    module__dropout : float, default=0.0
        Architecture hyper-parameters of :class:`~skseizure.models.ESCAPENet`.
    """

    __doc__ += _COMMON_DOC

    def __init__(
        self,
        module__n_filters=64,
        module__n_hidden=256,
        module__kernel_sizes=(8, 4, 2),
        module__dropout=0.0,
        *,
        normalize="std",
        lr=1e-3,
        max_epochs=50,
        batch_size=64,
        patience=8,
        **kwargs,
    ):
        super().__init__(
            module=ESCAPENet,
            module__n_filters=module__n_filters,
            module__n_hidden=module__n_hidden,
            module__kernel_sizes=module__kernel_sizes,
            module__dropout=module__dropout,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            patience=patience,
            **kwargs,
        )
        self.normalize = normalize


class MobilESCAPENetClassifier(_SignatureNetMixin, BaseNetClassifier):
    """MobilESCAPE-Net classifier of nerve-cuff CAP signatures (skorch / scikit-learn).

    Wraps :class:`skseizure.models.MobilESCAPENet` (67,843 parameters, 80.3 M
    FLOPs = 2 x MACs per 56 x 100 signature). Its depthwise convolutions are
    plain ``Conv2d(groups=C)`` layers, so ``StructuredPruner`` (Torch-Pruning)
    can shrink them.

    Parameters
    ----------
    module__n_filters : tuple of int, default=(64, 64, 64, 128)
    module__kernel_sizes : tuple of int, default=(9, 5, 3, 3)
    module__n_hidden : int, default=256
    module__dropout : float, default=0.0
        Architecture hyper-parameters of :class:`~skseizure.models.MobilESCAPENet`.
    """

    __doc__ += _COMMON_DOC

    def __init__(
        self,
        module__n_filters=(64, 64, 64, 128),
        module__kernel_sizes=(9, 5, 3, 3),
        module__n_hidden=256,
        module__dropout=0.0,
        *,
        normalize="std",
        lr=1e-3,
        max_epochs=50,
        batch_size=64,
        patience=8,
        **kwargs,
    ):
        super().__init__(
            module=MobilESCAPENet,
            module__n_filters=module__n_filters,
            module__kernel_sizes=module__kernel_sizes,
            module__n_hidden=module__n_hidden,
            module__dropout=module__dropout,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            patience=patience,
            **kwargs,
        )
        self.normalize = normalize
