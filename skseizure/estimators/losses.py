"""Losses for imbalanced seizure detection.

``FocalLoss`` is a drop-in replacement for :class:`torch.nn.CrossEntropyLoss`
(logits in, integer targets in) usable as ``criterion=FocalLoss`` in every
skseizure estimator, with its parameters routed as ``criterion__gamma`` and
``criterion__alpha``.
"""

from __future__ import annotations

import numbers

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["FocalLoss"]


class FocalLoss(nn.Module):
    r"""Multi-class focal loss on logits (Lin et al., 2017).

    For a window with true class :math:`t` and softmax probability
    :math:`p_t`, the loss is

    .. math:: \ell = -\,\alpha_t\, w_t\, (1 - p_t)^{\gamma} \log p_t .

    With ``gamma=0``, ``alpha=None`` it equals
    :class:`torch.nn.CrossEntropyLoss` (with the same ``weight``) exactly.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter (>= 0); larger values down-weight well-classified
        windows more strongly.
    alpha : None, float in [0, 1] or sequence of float, default=0.25
        Class balancing factor :math:`\alpha_t`.

        - ``None``: no balancing (:math:`\alpha_t = 1`).
        - float: the RetinaNet convention generalised to several classes —
          the first class (index 0, the background / non-seizure class after
          label encoding) gets ``1 - alpha``, every other class gets
          ``alpha``. For two classes this is exactly Lin et al.'s definition.
          **Our choice**: NeuroCare (the CNN–BiLSTM detector) names focal loss but publishes
          no values; 0.25 / 2.0 are the RetinaNet defaults.
        - sequence: one factor per class (in the order of ``classes_``).
    weight : None, sequence or Tensor of shape (n_classes,), default=None
        Per-class weights, as in ``CrossEntropyLoss`` (this is what
        ``class_weight='balanced'`` of the estimators fills in). With
        ``reduction='mean'`` the sum is divided by the sum of the weights of
        the targets, like ``CrossEntropyLoss``.
    reduction : {'mean', 'sum', 'none'}, default='mean'

    Notes
    -----
    ``alpha`` and ``weight`` multiply. The mean is normalised by
    :math:`\sum_i w_{t_i}` (or by the batch size when ``weight`` is None);
    ``alpha`` is *not* part of the normaliser, as in RetinaNet.

    Examples
    --------
    >>> import torch
    >>> loss = FocalLoss(gamma=0.0, alpha=None)
    >>> logits = torch.tensor([[2.0, 0.0]]); target = torch.tensor([0])
    >>> round(float(loss(logits, target)), 6)  # == cross-entropy log(1 + e**-2)
    0.126928
    """

    def __init__(self, gamma=2.0, alpha=0.25, weight=None, reduction="mean"):
        super().__init__()
        if not isinstance(gamma, numbers.Real) or gamma < 0:
            raise ValueError(f"gamma must be a real number >= 0, got {gamma!r}.")
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}.")
        if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
            if not 0.0 <= float(alpha) <= 1.0:
                raise ValueError(f"a scalar alpha must lie in [0, 1], got {alpha}.")
            self.alpha_scalar = float(alpha)
            alpha_vec = None
        elif alpha is None:
            self.alpha_scalar = None
            alpha_vec = None
        else:
            self.alpha_scalar = None
            alpha_vec = torch.as_tensor(alpha, dtype=torch.float32).reshape(-1)
            if (alpha_vec < 0).any():
                raise ValueError("per-class alpha values must be >= 0.")
        self.gamma = float(gamma)
        self.reduction = reduction
        # Buffers so that ``.to(device)`` (done by skorch) moves them along.
        self.register_buffer("alpha_vec", alpha_vec)
        self.register_buffer(
            "weight", None if weight is None else torch.as_tensor(weight, dtype=torch.float32)
        )

    def _alpha_for(self, n_classes, device):
        if self.alpha_vec is not None:
            if self.alpha_vec.numel() != n_classes:
                raise ValueError(
                    f"alpha has {self.alpha_vec.numel()} values but the logits have "
                    f"{n_classes} classes."
                )
            return self.alpha_vec.to(device)
        if self.alpha_scalar is None:
            return None
        alpha = torch.full((n_classes,), self.alpha_scalar, device=device)
        alpha[0] = 1.0 - self.alpha_scalar
        return alpha

    def forward(self, input, target):  # noqa: A002 - torch naming
        """Compute the loss.

        Parameters
        ----------
        input : Tensor of shape (batch, n_classes)
            Unnormalised logits.
        target : Tensor of shape (batch,)
            Integer class indices.

        Returns
        -------
        loss : Tensor
            Scalar for ``'mean'``/``'sum'``, shape (batch,) for ``'none'``.
        """
        if input.ndim != 2:
            raise ValueError(f"FocalLoss expects logits of shape (batch, n_classes), got {tuple(input.shape)}.")
        target = target.long()
        n_classes = input.shape[1]
        log_p = F.log_softmax(input, dim=1)
        log_pt = log_p.gather(1, target[:, None]).squeeze(1)
        pt = log_pt.exp()
        # (1 - pt) ** 0 would be 0 ** 0 = 1 in torch too; keep the explicit branch
        # so gamma=0 is bit-identical to cross-entropy.
        factor = (1.0 - pt).clamp_min(0.0) ** self.gamma if self.gamma != 0 else 1.0
        loss = -factor * log_pt
        alpha = self._alpha_for(n_classes, input.device)
        if alpha is not None:
            loss = loss * alpha[target]
        if self.weight is not None:
            if self.weight.numel() != n_classes:
                raise ValueError(
                    f"weight has {self.weight.numel()} values but the logits have "
                    f"{n_classes} classes."
                )
            w_t = self.weight.to(input.device)[target]
            loss = loss * w_t
            if self.reduction == "mean":
                return loss.sum() / w_t.sum()
        if self.reduction == "mean":
            return loss.mean()
        if self.reduction == "sum":
            return loss.sum()
        return loss

    def extra_repr(self):
        alpha = self.alpha_scalar if self.alpha_vec is None else self.alpha_vec.tolist()
        return f"gamma={self.gamma}, alpha={alpha}, reduction={self.reduction!r}"
