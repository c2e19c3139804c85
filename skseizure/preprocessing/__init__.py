"""Recording-level filtering and scikit-learn transformers on windows.

:func:`filter_continuous` filters a continuous ``(n_channels, n_times)``
recording (the recommended step before cutting windows); the transformers
work on windows ``(n_windows, n_channels, n_times)``: filters, resampling,
standardisation, FFT features, band powers and EEG graph builders.
"""

from .features import BandPower, LineLength
from .filters import BandpassFilter, NotchFilter, filter_continuous
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
    "filter_continuous",
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
