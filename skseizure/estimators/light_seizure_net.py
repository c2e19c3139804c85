"""scikit-learn estimator for :class:`skseizure.models.LightSeizureNet`."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..models.light_seizure_net import LightSeizureNet
from ._base import BaseNetClassifier

__all__ = ["LightSeizureNetClassifier"]


class LightSeizureNetClassifier(BaseNetClassifier):
    """LightSeizureNet-style detector with EEG-channel CAMs.

    After Qiu, Wang and Jiao (2023), LightSeizureNet (IEEE JBHI).

    The network's design is ours (the paper's layer table is not public); see
    :class:`~skseizure.models.LightSeizureNet`. Training follows
    :class:`BaseNetClassifier`. Its kernels can be pruned in all four blocks with
    :class:`skseizure.pruning.StructuredPruner` (``ecam`` works on the pruned network).

    Parameters
    ----------
    module__n_filters : sequence of int, default=(8, 16, 16, 24)
    module__kernel_size : int or sequence of int, default=3
    module__dilations : sequence of int, default=(1, 2, 4, 8)
    module__pool_sizes : int or sequence of int, default=(4, 2, 2, 2)
    module__drop_prob : float, default=0.25
    module__activation : type of nn.Module, default=nn.ReLU
    **kwargs
        See :class:`BaseNetClassifier`.
    """

    def __init__(self, module__n_filters=(8, 16, 16, 24), module__kernel_size=3,
                 module__dilations=(1, 2, 4, 8), module__pool_sizes=(4, 2, 2, 2),
                 module__drop_prob=0.25, module__activation=nn.ReLU, **kwargs):
        super().__init__(
            module=LightSeizureNet,
            module__n_filters=module__n_filters,
            module__kernel_size=module__kernel_size,
            module__dilations=module__dilations,
            module__pool_sizes=module__pool_sizes,
            module__drop_prob=module__drop_prob,
            module__activation=module__activation,
            **kwargs,
        )

    def ecam(self, X, *, sfreq=None, step_seconds=1.0, n_steps=None, target=None, batch_size=None):
        """EEG-channel class activation maps of the fitted network.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
        sfreq : float or None
            Sampling rate (Hz). With ``sfreq`` the map has one value per
            ``step_seconds`` (``n_steps = n_times / (sfreq * step_seconds)``,
            rounded), e.g. one per second as in the paper's figures.
        step_seconds : float, default=1.0
        n_steps : int or None
            Explicit number of time steps (overrides ``sfreq``); None and no
            ``sfreq`` keep the network's native frame rate.
        target : label or None
            Class whose evidence is mapped; default the last class of
            ``classes_`` (the seizure class for ``[0, 1]`` labels).
        batch_size : int or None
            Windows per forward pass (default ``self.batch_size``).

        Returns
        -------
        ecam : ndarray of shape (n_windows, n_channels, n_steps), float32
            Signed evidence (logit units) per EEG channel and time step;
            ``ecam.mean(-1).sum(-1) + bias`` equals the class logit when the
            steps split the frames evenly.
        """
        X = self._check_predict_input(X)
        if n_steps is None and sfreq is not None:
            n_steps = max(1, int(round(X.shape[-1] / (float(sfreq) * float(step_seconds)))))
        if target is None:
            k = len(self.classes_) - 1
        else:
            hits = np.flatnonzero(self.classes_ == target)
            if hits.size == 0:
                raise ValueError(f"target {target!r} is not a class; classes_={self.classes_.tolist()}.")
            k = int(hits[0])
        bs = batch_size or self.batch_size
        module = self.module_
        was_training = module.training
        module.eval()
        out = []
        try:
            with torch.inference_mode():
                for start in range(0, X.shape[0], bs):
                    xb = torch.as_tensor(X[start:start + bs], device=self.device)
                    out.append(module.ecam(xb, n_steps=n_steps, target=k).cpu().numpy())
        finally:
            module.train(was_training)
        return np.concatenate(out, axis=0).astype(np.float32)
