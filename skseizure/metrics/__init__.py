"""Window-level seizure metrics and scikit-learn scorers."""

from .classification import (
    aupr_score,
    auroc_score,
    macro_f1_score,
    seizure_f1_score,
    sensitivity_score,
    specificity_score,
    weighted_f1_score,
)
from .scorers import (
    SCORERS,
    aupr_scorer,
    auroc_scorer,
    get_scorer,
    get_scorer_names,
    macro_f1_scorer,
    make_seizure_scorers,
    seizure_f1_scorer,
    sensitivity_scorer,
    specificity_scorer,
    weighted_f1_scorer,
)

__all__ = [
    "sensitivity_score",
    "specificity_score",
    "seizure_f1_score",
    "macro_f1_score",
    "weighted_f1_score",
    "auroc_score",
    "aupr_score",
    "SCORERS",
    "make_seizure_scorers",
    "get_scorer",
    "get_scorer_names",
    "sensitivity_scorer",
    "specificity_scorer",
    "seizure_f1_scorer",
    "macro_f1_scorer",
    "weighted_f1_scorer",
    "auroc_scorer",
    "aupr_scorer",
]
