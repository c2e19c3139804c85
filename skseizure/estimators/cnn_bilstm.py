"""scikit-learn estimator for :class:`skseizure.models.CNNBiLSTM` (NeuroCare)."""

from __future__ import annotations

import torch

from ..models.cnn_bilstm import CNNBiLSTM
from ._base import BaseNetClassifier
from .augmentation_mixin import WindowAugmentationMixin
from .losses import FocalLoss

__all__ = ["CNNBiLSTMClassifier"]


class CNNBiLSTMClassifier(WindowAugmentationMixin, BaseNetClassifier):
    """CNN–BiLSTM seizure detector (as described in NeuroCare's README).

    Defaults follow the README: focal loss (``criterion=FocalLoss`` with
    ``criterion__gamma=2.0``, ``criterion__alpha=0.25`` — **our values**, none
    are published) and a bidirectional LSTM. :meth:`code_faithful` builds the
    variant of the published code instead.

    Parameters
    ----------
    module__n_filters : sequence of int, default=(32, 64)
    module__kernel_size : int, default=5
    module__pool_size : int, default=4
    module__drop_prob : float, default=0.3
    module__lstm_hidden : int, default=32
    module__lstm_layers : int, default=1
    module__bidirectional : bool, default=True
    module__fc_hidden : int or None, default=32
    criterion : default=FocalLoss
    criterion__gamma : float, default=2.0
    criterion__alpha : float, sequence or None, default=0.25
        See :class:`~skseizure.estimators.FocalLoss` (ignored by other criteria
        only if you also change ``criterion``; set them to match).
    augment_overlap : float in (0, 1) or None, default=None
        Add training windows cut with this overlap from every two consecutive
        windows of one recording and label
        (:func:`~skseizure.estimators.augmentation.overlap_windows`; 0.5 adds
        one window per pair). Consecutive means: same subject (``groups``) and
        recording (``recordings`` fit parameter), the second starting
        ``n_times`` samples after the first (``starts`` fit parameter; without
        it, **windows of a recording are assumed back to back in the order of**
        ``X``).
    augment_scale : (float, float) or None, default=None
        Multiply every training window, each epoch, by a gain drawn uniformly
        in ``(low, high)`` (e.g. ``(0.8, 1.2)``).
    augment_shift : int or None, default=None
        Shift every training window, each epoch, by a random number of samples
        in ``[-augment_shift, augment_shift]``.
    augment_shift_mode : {"circular", "zero"}, default="circular"
        Wrap the samples shifted out round to the other end, or pad with zeros.
    augment_minority : float in (0, 1], True or None, default=None
        Add SMOTE-like synthetic windows of every smaller class until it has
        ``augment_minority`` times as many training windows as the largest
        (True: 1.0), each interpolated between two windows of that class **of
        the same subject**
        (:func:`~skseizure.estimators.augmentation.interpolate_minority`;
        without ``groups`` all windows count as one subject and a warning says
        so).
    **kwargs
        See :class:`BaseNetClassifier`.

    Attributes
    ----------
    augmentation_counts_ : dict
        Windows in the training part of the last fit: ``original``, and those
        added by ``overlap`` and ``minority``.

    Notes
    -----
    Augmentation (Truong et al. 2018, doi:10.1016/j.neunet.2018.04.018, for
    overlapping windows; Chawla et al. 2002, doi:10.1613/jair.953, for SMOTE)
    is off by default and, when on, touches only the training part of the
    internal split: the validation windows (early stopping) and ``predict``
    see the data unchanged. Its draws are seeded by ``random_state`` and do
    not touch torch's random stream (see
    :class:`~skseizure.estimators.augmentation_mixin.WindowAugmentationMixin`).
    ``class_weight='balanced'`` is computed on the data given to ``fit``,
    before augmentation.

    ``fit(X, y, groups=g, recordings=r, starts=s)`` tells ``augment_overlap``
    which windows are consecutive: ``r`` the recording id and ``s`` the first
    sample (in its recording; NaN if unknown) of every window.
    """

    def __init__(self, module__n_filters=(32, 64), module__kernel_size=5, module__pool_size=4,
                 module__drop_prob=0.3, module__lstm_hidden=32, module__lstm_layers=1,
                 module__bidirectional=True, module__fc_hidden=32, criterion=FocalLoss,
                 criterion__gamma=2.0, criterion__alpha=0.25, augment_overlap=None,
                 augment_scale=None, augment_shift=None, augment_shift_mode="circular",
                 augment_minority=None, **kwargs):
        super().__init__(
            module=CNNBiLSTM,
            module__n_filters=module__n_filters,
            module__kernel_size=module__kernel_size,
            module__pool_size=module__pool_size,
            module__drop_prob=module__drop_prob,
            module__lstm_hidden=module__lstm_hidden,
            module__lstm_layers=module__lstm_layers,
            module__bidirectional=module__bidirectional,
            module__fc_hidden=module__fc_hidden,
            criterion=criterion,
            criterion__gamma=criterion__gamma,
            criterion__alpha=criterion__alpha,
            **kwargs,
        )
        self.augment_overlap = augment_overlap
        self.augment_scale = augment_scale
        self.augment_shift = augment_shift
        self.augment_shift_mode = augment_shift_mode
        self.augment_minority = augment_minority

    def _criterion_kwargs(self):
        """Drop the focal-loss arguments when another criterion is chosen."""
        kwargs = super()._criterion_kwargs()
        if self.criterion is not FocalLoss and not isinstance(self.criterion, FocalLoss):
            kwargs = {k: v for k, v in kwargs.items() if k not in ("gamma", "alpha")}
        return kwargs

    @classmethod
    def code_faithful(cls, **kwargs):
        """Estimator matching NeuroCare's published code.

        Conv 8 (k=3) -> BN -> MaxPool 4 -> Dropout 0.3 -> unidirectional LSTM 16
        -> Dense 16 -> Dropout -> output; cross-entropy with
        ``class_weight='balanced'``, Adam lr 1e-4, batch 16, 70 epochs,
        patience 15 (the code monitors validation accuracy; here validation
        macro-F1). ``kwargs`` override any of these.
        """
        params = {f"module__{k}": v for k, v in CNNBiLSTM.code_faithful_kwargs().items()}
        params.update(criterion=torch.nn.CrossEntropyLoss, class_weight="balanced", lr=1e-4,
                      batch_size=16, max_epochs=70, patience=15)
        params.update(kwargs)
        return cls(**params)
