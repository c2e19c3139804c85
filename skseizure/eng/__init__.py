"""The peripheral-nerve (ENG) side of skseizure, self-contained.

Nerve-cuff recordings (a simulator of the system model of the MobilESCAPE-Net paper), the
compound-action-potential (CAP) signature builder, and the ESCAPE-Net / MobilESCAPE-Net
networks with their scikit-learn estimators. Nothing on the EEG side imports this package.

References
----------
Koh, R. G. L., Balas, M., Nachman, A. I., Zariffa, J. (2020). Selective peripheral nerve
recordings from nerve cuff electrodes using convolutional neural networks. Journal of Neural
Engineering 17(1), 016042.

Gokdag et al. (2025). MobilESCAPE-Net. arXiv:2505.06241.
"""

from .escape_net import ESCAPENet
from .estimators import ESCAPENetClassifier, MobilESCAPENetClassifier
from .mobilescape_net import DepthwiseConv2d, MobilESCAPENet
from .signatures import (
    CAPDetection,
    CAPSignatureBuilder,
    CAPSignatures,
    cap_snr,
    detect_caps,
    estimate_activity_intervals,
    tripolar_reference,
)
from .simulator import (
    STIMULUS_CLASSES,
    NerveCuffRecording,
    cuff_electrode_positions,
    simulate_nerve_cuff,
)

__all__ = [
    "STIMULUS_CLASSES",
    "NerveCuffRecording",
    "cuff_electrode_positions",
    "simulate_nerve_cuff",
    "CAPSignatureBuilder",
    "CAPSignatures",
    "CAPDetection",
    "cap_snr",
    "tripolar_reference",
    "estimate_activity_intervals",
    "detect_caps",
    "ESCAPENet",
    "MobilESCAPENet",
    "DepthwiseConv2d",
    "ESCAPENetClassifier",
    "MobilESCAPENetClassifier",
]
