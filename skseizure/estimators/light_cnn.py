"""scikit-learn estimator for :class:`skseizure.models.LightCNN1d` ."""

from __future__ import annotations

from torch import nn

from ..models.light_cnn import LightCNN1d
from ._base import BaseNetClassifier

__all__ = ["LightCNNClassifier"]


class LightCNNClassifier(BaseNetClassifier):
    """Lightweight 1-D CNN seizure detector as an sklearn classifier.

    Network and training recipe of Mounvik K and Harshit (2025),
    "Accuracy-Constrained CNN Pruning for Efficient and Reliable EEG-Based
    Seizure Detection" (arXiv 2509.05190): Adam (lr 0.0025), batch 128, at most 120
    epochs, early stopping on validation macro-F1 with restore of the best
    weights, ``ReduceLROnPlateau``. See :class:`BaseNetClassifier` for all
    training parameters and :class:`~skseizure.models.LightCNN1d` for the
    network.

    Parameters
    ----------
    module__n_filters : sequence of int, default=(32, 64, 128)
    module__kernel_sizes : int or sequence of int, default=(7, 5, 3)
    module__pool_size : int, default=2
    module__drop_prob : float, default=0.25
    module__activation : type of nn.Module, default=nn.ReLU
    **kwargs
        Parameters of :class:`BaseNetClassifier` (``lr``, ``max_epochs``,
        ``patience``, ``valid_size``, ``class_weight``, ``criterion``,
        ``random_state``, ``device``, ``verbose`` …) and any skorch parameter.

    Examples
    --------
    >>> from skseizure.estimators.light_cnn import LightCNNClassifier
    >>> clf = LightCNNClassifier(max_epochs=5, random_state=0)
    >>> # clf.fit(X, y, groups=subject_ids)   # X: (n, C, T) float32
    """

    def __init__(self, module__n_filters=(32, 64, 128), module__kernel_sizes=(7, 5, 3),
                 module__pool_size=2, module__drop_prob=0.25, module__activation=nn.ReLU,
                 **kwargs):
        super().__init__(
            module=LightCNN1d,
            module__n_filters=module__n_filters,
            module__kernel_sizes=module__kernel_sizes,
            module__pool_size=module__pool_size,
            module__drop_prob=module__drop_prob,
            module__activation=module__activation,
            **kwargs,
        )
