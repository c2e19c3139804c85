"""Explaining fitted estimators: occlusion maps, coverage / localization scores and plots.

Channel activation maps (ECAMs) of LightSeizureNet are computed by the network itself:
:meth:`skseizure.estimators.LightSeizureNetClassifier.ecam`.
"""

from .occlusion import channel_drop_map, model_output, occlusion_map
from .plots import plot_occlusion_graph, plot_occlusion_traces, scalp_projection
from .scores import coverage_localization, coverage_score, localization_score
from .training_plots import plot_confusion_matrix, plot_training_curves, training_history

__all__ = [
    "occlusion_map",
    "channel_drop_map",
    "model_output",
    "coverage_score",
    "localization_score",
    "coverage_localization",
    "plot_occlusion_traces",
    "plot_occlusion_graph",
    "scalp_projection",
    "training_history",
    "plot_training_curves",
    "plot_confusion_matrix",
]
