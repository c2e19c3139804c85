"""scikit-learn scorers for the seizure metrics (usable as ``scoring=``).

Pass a scorer object, a name from :data:`SCORERS`, or the whole dict::

    GridSearchCV(pipe, grid, scoring=SCORERS, refit="auroc", cv=GroupKFold(5))
    cross_validate(pipe, X, y, groups=g, scoring=get_scorer("seizure_f1"))

sklearn has no public way to register new scorer *strings*, so the names below
are resolved with :func:`skseizure.metrics.get_scorer` (which falls back to
:func:`sklearn.metrics.get_scorer` for sklearn's own names such as
``"f1_macro"``, ``"roc_auc"``, ``"balanced_accuracy"``). For string labels or a
seizure class other than 1 build them with :func:`make_seizure_scorers`.

=================  ================================  =====================
name               metric                            uses
=================  ================================  =====================
``sensitivity``    :func:`sensitivity_score`         ``predict``
``specificity``    :func:`specificity_score`         ``predict``
``seizure_f1``     :func:`seizure_f1_score`          ``predict``
``f1_macro``       :func:`macro_f1_score`            ``predict``
``f1_weighted``    :func:`weighted_f1_score`         ``predict``
``auroc``          :func:`auroc_score`               ``predict_proba`` /
                                                     ``decision_function``
``aupr``           :func:`aupr_score`                idem
=================  ================================  =====================
"""

from __future__ import annotations

from sklearn.metrics import get_scorer as _sk_get_scorer
from sklearn.metrics import make_scorer

from .classification import (
    aupr_score,
    auroc_score,
    macro_f1_score,
    seizure_f1_score,
    sensitivity_score,
    specificity_score,
    weighted_f1_score,
)

__all__ = [
    "make_seizure_scorers",
    "get_scorer",
    "get_scorer_names",
    "SCORERS",
    "sensitivity_scorer",
    "specificity_scorer",
    "seizure_f1_scorer",
    "macro_f1_scorer",
    "weighted_f1_scorer",
    "auroc_scorer",
    "aupr_scorer",
]

_PROBA = ("predict_proba", "decision_function")


def make_seizure_scorers(pos_label=1):
    """All seizure scorers for a given seizure label.

    Parameters
    ----------
    pos_label : label, default=1
        The seizure class as it appears in ``y`` (e.g. ``"seizure"``).

    Returns
    -------
    scorers : dict of str -> scorer
        Keys as in the module table; values are ``make_scorer`` objects.
    """
    return {
        "sensitivity": make_scorer(sensitivity_score, pos_label=pos_label),
        "specificity": make_scorer(specificity_score, pos_label=pos_label),
        "seizure_f1": make_scorer(seizure_f1_score, pos_label=pos_label),
        "f1_macro": make_scorer(macro_f1_score),
        "f1_weighted": make_scorer(weighted_f1_score),
        # pos_label on the scorer makes sklearn pass the positive-class column
        "auroc": make_scorer(auroc_score, response_method=_PROBA, pos_label=pos_label),
        "aupr": make_scorer(aupr_score, response_method=_PROBA, pos_label=pos_label),
    }


#: Scorers for ``pos_label=1`` (label-encoded 0 = background, 1 = seizure).
SCORERS = make_seizure_scorers(1)
sensitivity_scorer = SCORERS["sensitivity"]
specificity_scorer = SCORERS["specificity"]
seizure_f1_scorer = SCORERS["seizure_f1"]
macro_f1_scorer = SCORERS["f1_macro"]
weighted_f1_scorer = SCORERS["f1_weighted"]
auroc_scorer = SCORERS["auroc"]
aupr_scorer = SCORERS["aupr"]


def get_scorer(scoring):
    """Resolve a scorer name: skseizure's names first, then sklearn's.

    Parameters
    ----------
    scoring : str or callable
        A name of :data:`SCORERS`, any :func:`sklearn.metrics.get_scorer`
        name, or a callable (returned unchanged).

    Returns
    -------
    scorer : callable ``scorer(estimator, X, y)``
    """
    if callable(scoring):
        return scoring
    if scoring in SCORERS:
        return SCORERS[scoring]
    try:
        return _sk_get_scorer(scoring)
    except ValueError as exc:
        raise ValueError(
            f"{scoring!r} is neither an skseizure scorer ({sorted(SCORERS)}) nor an sklearn one."
        ) from exc


def get_scorer_names():
    """Names accepted by :func:`get_scorer` that are skseizure's own."""
    return sorted(SCORERS)
