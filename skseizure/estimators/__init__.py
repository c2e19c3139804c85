"""scikit-learn classifiers (skorch) around the networks of :mod:`skseizure.models`.

All share :class:`BaseNetClassifier`: every hyper-parameter is an ``__init__`` argument, input
shapes are inferred in ``fit`` into fitted attributes, the internal validation split is
subject-wise when ``groups`` are given, ``random_state`` makes fits reproducible, and
``save``/``load`` store weights and a JSON configuration (no arbitrary-code unpickling).
"""

from ._base import BaseNetClassifier
from .channel_pooled import ChannelPooledClassifier
from .cnn_bilstm import CNNBiLSTMClassifier
from .dcrnn import DCRNNClassifier, DCRNNPretrainer, PaddedClips
from .light_cnn import LightCNNClassifier
from .light_seizure_net import LightSeizureNetClassifier
from .losses import FocalLoss
from .persistence import ModelFileError, load_estimator, save_estimator
from .sampling import GroupedWindows, SubjectSMOTE, WindowResampler
from .streaming import StoreDataset
from .training import (
    WindowWiseSplitWarning,
    check_input_shape,
    check_labels,
    inner_validation_split,
    seeded_iterator,
)

__all__ = [
    "BaseNetClassifier",
    "inner_validation_split",
    "seeded_iterator",
    "check_input_shape",
    "check_labels",
    "WindowWiseSplitWarning",
    "LightCNNClassifier",
    "ChannelPooledClassifier",
    "LightSeizureNetClassifier",
    "CNNBiLSTMClassifier",
    "DCRNNClassifier",
    "DCRNNPretrainer",
    "PaddedClips",
    "FocalLoss",
    "WindowResampler",
    "GroupedWindows",
    "SubjectSMOTE",
    "StoreDataset",
    "save_estimator",
    "load_estimator",
    "ModelFileError",
]
