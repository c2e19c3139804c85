"""scikit-learn estimator for :class:`skseizure.models.ChannelPooledCNN` (any channel count)."""

from __future__ import annotations

import numpy as np
import torch

from .._utils.validation import check_windows
from ..models.channel_pooled import ChannelPooledCNN
from ._base import BaseNetClassifier
from .training import check_input_shape

__all__ = ["ChannelPooledClassifier"]


class ChannelPooledClassifier(BaseNetClassifier):
    """Channel-shared, channel-pooled 1-D CNN as an sklearn classifier.

    The network (:class:`~skseizure.models.ChannelPooledCNN`) reads every channel with
    the same weights and pools the per-channel evidence over channels, so its weights do
    not depend on the number of channels. **This estimator therefore accepts windows with
    any number of channels at predict time** (a model trained on the 18-channel double
    banana scores an 8-channel common-average recording), unlike the other estimators of
    :mod:`skseizure.estimators`, which refuse a channel count other than the one seen in
    ``fit`` because their first layer mixes a fixed set of channels. The window length
    (``n_times_in_``) is still checked: the network was trained on a fixed duration at a
    fixed rate. ``n_channels_in_`` records the channel count of the training windows.

    :meth:`channel_proba` gives per-channel seizure probabilities, so that detected
    events can name the channels where the seizure is seen.

    Parameters
    ----------
    module__n_filters : sequence of int, default=(8, 16, 16)
    module__kernel_sizes : int or sequence of int, default=(7, 5, 3)
    module__pool_size : int, default=2
    module__drop_prob : float, default=0.2
    **kwargs
        Parameters of :class:`BaseNetClassifier` (``lr``, ``max_epochs``, ``patience``,
        ``valid_size``, ``class_weight``, ``random_state`` …) and any skorch parameter.

    Examples
    --------
    >>> from skseizure.estimators.channel_pooled import ChannelPooledClassifier
    >>> clf = ChannelPooledClassifier(max_epochs=5, random_state=0)
    >>> # clf.fit(X18, y, groups=subject_ids); clf.predict_proba(X8)  # any channel count
    """

    #: Windows with another channel count than in ``fit`` are accepted (class attribute,
    #: not a parameter; generic estimator checks read it).
    accepts_any_n_channels = True

    def __init__(self, module__n_filters=(8, 16, 16), module__kernel_sizes=(7, 5, 3),
                 module__pool_size=2, module__drop_prob=0.2, **kwargs):
        super().__init__(
            module=ChannelPooledCNN,
            module__n_filters=module__n_filters,
            module__kernel_sizes=module__kernel_sizes,
            module__pool_size=module__pool_size,
            module__drop_prob=module__drop_prob,
            **kwargs,
        )

    # Channel count is free: only the array contract and the window length are checked.
    def _check_X(self, X, reset):
        return check_windows(X, ndim=self._input_ndim, dtype=np.float32, lazy=True)

    def _check_input_shape(self, X):
        expected = getattr(self, "input_shape_", None)
        if expected is not None:
            # only the window length is compared (a shape stand-in: a lazy store is not read)
            probe = np.empty((0, 1, X.shape[-1]), dtype=np.float32)
            check_input_shape(probe, (1, expected[-1]), estimator_name=type(self).__name__,
                              axis_names=self._input_axis_names)
        return X

    def channel_proba(self, X):
        """Per-channel class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Any number of channels; ``n_times`` as in ``fit``.

        Returns
        -------
        proba : ndarray, float32
            Shape ``(n_windows, n_channels)``: probability of ``classes_[1]`` on each
            channel, for two classes; ``(n_windows, n_channels, n_classes)`` otherwise.
        """
        X = self._check_predict_input(X)
        module = self.module_
        was_training = module.training
        module.eval()
        out = []
        try:
            with torch.no_grad():
                for start in range(0, X.shape[0], int(self.batch_size)):
                    xb = torch.as_tensor(X[start:start + int(self.batch_size)], device=self.device)
                    out.append(torch.softmax(module.channel_logits(xb), dim=-1).cpu().numpy())
        finally:
            module.train(was_training)
        proba = np.concatenate(out, axis=0).astype(np.float32)
        return proba[..., 1] if proba.shape[-1] == 2 else proba
