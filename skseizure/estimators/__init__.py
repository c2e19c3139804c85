"""scikit-learn classifiers (skorch) around the networks of :mod:`skseizure.models`.

All share :class:`BaseNetClassifier`: every hyper-parameter is an ``__init__`` argument, input
shapes are inferred in ``fit`` into fitted attributes, the internal validation split is
subject-wise when ``groups`` are given, ``random_state`` makes fits reproducible, and
``save``/``load`` store weights and a JSON configuration (no arbitrary-code unpickling).
"""

from ._base import BaseNetClassifier, inner_validation_split
from .cnn_bilstm import CNNBiLSTMClassifier
from .dcrnn import DCRNNClassifier, DCRNNPretrainer
from .light_cnn import LightCNNClassifier
from .light_seizure_net import LightSeizureNetClassifier
from .losses import FocalLoss
from .sampling import GroupedWindows, WindowResampler

__all__ = [
    "BaseNetClassifier",
    "inner_validation_split",
    "LightCNNClassifier",
    "LightSeizureNetClassifier",
    "CNNBiLSTMClassifier",
    "DCRNNClassifier",
    "DCRNNPretrainer",
    "FocalLoss",
    "WindowResampler",
    "GroupedWindows",
]
