"""scikit-learn estimator for :class:`skseizure.models.CNNBiLSTM` (NeuroCare)."""

from __future__ import annotations

import torch

from ..models.cnn_bilstm import CNNBiLSTM
from ._base import BaseNetClassifier
from .losses import FocalLoss

__all__ = ["CNNBiLSTMClassifier"]


class CNNBiLSTMClassifier(BaseNetClassifier):
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
    **kwargs
        See :class:`BaseNetClassifier`.
    """

    def __init__(self, module__n_filters=(32, 64), module__kernel_size=5, module__pool_size=4,
                 module__drop_prob=0.3, module__lstm_hidden=32, module__lstm_layers=1,
                 module__bidirectional=True, module__fc_hidden=32, criterion=FocalLoss,
                 criterion__gamma=2.0, criterion__alpha=0.25, **kwargs):
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
