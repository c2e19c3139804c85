"""scikit-learn transformers on windows ``(n_windows, n_channels, n_times)``.

Filters, resampling, standardisation, FFT features, band powers, EEG graph builders and the
CAP signature builder for nerve-cuff (ENG) recordings.
"""

from .cap_signatures import (
    CAPDetection,
    CAPSignatureBuilder,
    CAPSignatures,
    cap_snr,
    detect_caps,
    estimate_activity_intervals,
    tripolar_reference,
)
from .features import BandPower, LineLength
from .filters import BandpassFilter, NotchFilter
from .graphs import (
    CorrelationGraph,
    DistanceGraph,
    compute_supports,
    correlation_adjacency,
    distance_adjacency,
    random_walk_supports,
    scaled_laplacian,
)
from .resampling import Resampler
from .spectral import FFTLogAmplitude
from .standardization import ChannelStandardizer, WindowStandardizer

__all__ = [
    "BandpassFilter",
    "NotchFilter",
    "Resampler",
    "ChannelStandardizer",
    "WindowStandardizer",
    "FFTLogAmplitude",
    "BandPower",
    "LineLength",
    "DistanceGraph",
    "CorrelationGraph",
    "distance_adjacency",
    "correlation_adjacency",
    "scaled_laplacian",
    "random_walk_supports",
    "compute_supports",
    "CAPSignatureBuilder",
    "CAPSignatures",
    "CAPDetection",
    "cap_snr",
    "tripolar_reference",
    "estimate_activity_intervals",
    "detect_caps",
]
