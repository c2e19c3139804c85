"""Window-level classification scores for seizure detection.

Every function takes ``y_true`` and either hard predictions (``y_pred``) or
scores (``y_score``) like :mod:`sklearn.metrics`. ``pos_label`` names the
seizure class (default 1); with more than two classes every other class counts
as negative for the one-vs-rest scores (sensitivity, specificity, seizure F1).

Sensitivity and specificity come from :mod:`imblearn.metrics`, the F1 scores from
:mod:`sklearn.metrics`; the functions here fix the one-vs-rest reading of ``pos_label``
and what an undefined score returns (``zero_division``).
"""

from __future__ import annotations

import warnings

import numpy as np
from imblearn.metrics import sensitivity_specificity_support
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

__all__ = [
    "sensitivity_score",
    "specificity_score",
    "seizure_f1_score",
    "macro_f1_score",
    "weighted_f1_score",
    "auroc_score",
    "aupr_score",
]


def _check_pair(y_true, y_pred):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must be 1-D of the same length, got {y_true.shape} and {y_pred.shape}."
        )
    if y_true.size == 0:
        raise ValueError("y_true is empty.")
    return y_true, y_pred


def _one_vs_rest(y_true, y_pred, pos_label):
    """Boolean ``(is seizure, predicted seizure)`` arrays: every other class is negative."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    return y_true == pos_label, y_pred == pos_label


def _sensitivity_specificity(t, p):
    """imblearn's sensitivity and specificity of the ``True`` class of boolean arrays."""
    with warnings.catch_warnings():
        # the scores of the ``False`` class may be undefined; only ``True`` is used, and
        # the callers handle its own undefined case (``zero_division``) before calling
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        sens, spec, _ = sensitivity_specificity_support(t, p, labels=[False, True], average=None)
    return float(sens[1]), float(spec[1])


def sensitivity_score(y_true, y_pred, *, pos_label=1, zero_division=np.nan):
    """Sensitivity (recall of the seizure class), TP / (TP + FN).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_windows,)
    pos_label : label, default=1
        The seizure class.
    zero_division : float, default=nan
        Returned when there is no seizure window in ``y_true``.

    Returns
    -------
    float in [0, 1]
    """
    t, p = _one_vs_rest(y_true, y_pred, pos_label)
    if not t.any():
        return float(zero_division)
    return _sensitivity_specificity(t, p)[0]


def specificity_score(y_true, y_pred, *, pos_label=1, zero_division=np.nan):
    """Specificity (recall of the non-seizure windows), TN / (TN + FP).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_windows,)
    pos_label : label, default=1
    zero_division : float, default=nan
        Returned when ``y_true`` holds no negative window.

    Returns
    -------
    float in [0, 1]

    Notes
    -----
    SzCORE deliberately does not report specificity (background dominates);
    report it together with sensitivity and F1, never alone.
    """
    t, p = _one_vs_rest(y_true, y_pred, pos_label)
    if t.all():
        return float(zero_division)
    return _sensitivity_specificity(t, p)[1]


def seizure_f1_score(y_true, y_pred, *, pos_label=1, zero_division=0.0):
    """F1 of the seizure class, 2TP / (2TP + FP + FN).

    Returns
    -------
    float in [0, 1]; ``zero_division`` when TP + FP + FN = 0.
    """
    t, p = _one_vs_rest(y_true, y_pred, pos_label)
    return float(f1_score(t, p, labels=[True], average=None, zero_division=zero_division)[0])


def macro_f1_score(y_true, y_pred):
    """Unweighted mean of the per-class F1 (classes present in either array)."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def weighted_f1_score(y_true, y_pred):
    """Per-class F1 averaged with the support of each class in ``y_true``."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    return float(f1_score(y_true, y_pred, average="weighted", zero_division=0))


def _positive_scores(y_true, y_score, pos_label, labels):
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=float)
    if y_score.ndim == 1:
        return y_score
    if y_score.ndim != 2 or y_score.shape[0] != y_true.shape[0]:
        raise ValueError(f"y_score must be (n,) or (n, n_classes); got {y_score.shape}.")
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    if labels.size != y_score.shape[1]:
        raise ValueError(
            f"y_score has {y_score.shape[1]} columns but there are {labels.size} labels "
            f"({labels.tolist()}); pass labels= in the column order."
        )
    hits = np.flatnonzero(labels == pos_label)
    if hits.size == 0:
        raise ValueError(f"pos_label {pos_label!r} not among labels {labels.tolist()}.")
    return y_score[:, hits[0]]


def auroc_score(y_true, y_score, *, pos_label=1, labels=None, multi_class="ovr"):
    """Area under the ROC curve of the seizure class.

    Parameters
    ----------
    y_true : array-like of shape (n_windows,)
    y_score : array-like of shape (n_windows,) or (n_windows, n_classes)
        Scores of ``pos_label`` or class probabilities (columns in the order of
        ``labels``, default ``np.unique(y_true)``, i.e. ``classes_``).
    pos_label : label, default=1
        For a 2-D ``y_score`` with more than two columns and ``pos_label=None``
        the multi-class macro one-vs-rest AUROC is returned.
    labels : array-like or None
    multi_class : {'ovr', 'ovo'}, default='ovr'

    Returns
    -------
    float in [0, 1]
    """
    y_true = np.asarray(y_true)
    y_score_arr = np.asarray(y_score)
    if pos_label is None and y_score_arr.ndim == 2 and y_score_arr.shape[1] > 2:
        return float(roc_auc_score(y_true, y_score_arr, multi_class=multi_class, labels=labels))
    scores = _positive_scores(y_true, y_score_arr, pos_label, labels)
    return float(roc_auc_score(y_true == pos_label, scores))


def aupr_score(y_true, y_score, *, pos_label=1, labels=None):
    """Area under the precision-recall curve (average precision) of the seizure class.

    Uses :func:`sklearn.metrics.average_precision_score` (step-wise, no
    interpolation). The chance level equals the seizure prevalence.

    Returns
    -------
    float in [0, 1]
    """
    scores = _positive_scores(y_true, y_score, pos_label, labels)
    return float(average_precision_score(np.asarray(y_true) == pos_label, scores))
