"""scikit-learn transformers on windows ``(n_windows, n_channels, n_times)``.

Filters, resampling, standardisation, FFT features, band powers and EEG graph builders.
"""

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
]
