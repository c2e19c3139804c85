"""Seizure metrics against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skseizure.metrics import (
    aupr_score,
    auroc_score,
    macro_f1_score,
    seizure_f1_score,
    sensitivity_score,
    specificity_score,
    weighted_f1_score,
)

# 10 windows: 4 seizure (1), 6 background (0)
Y_TRUE = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
Y_PRED = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0])
# TP=3 FN=1 FP=1 TN=5


def test_confusion_based_scores_by_hand():
    assert sensitivity_score(Y_TRUE, Y_PRED) == pytest.approx(3 / 4)
    assert specificity_score(Y_TRUE, Y_PRED) == pytest.approx(5 / 6)
    assert seizure_f1_score(Y_TRUE, Y_PRED) == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    f1_bg = 2 * 5 / (2 * 5 + 1 + 1)  # background as positive: TP=5 FP=1 FN=1
    assert macro_f1_score(Y_TRUE, Y_PRED) == pytest.approx((0.75 + f1_bg) / 2)
    assert weighted_f1_score(Y_TRUE, Y_PRED) == pytest.approx((4 * 0.75 + 6 * f1_bg) / 10)


def test_string_labels_and_pos_label():
    yt = np.where(Y_TRUE == 1, "sz", "bg")
    yp = np.where(Y_PRED == 1, "sz", "bg")
    assert sensitivity_score(yt, yp, pos_label="sz") == pytest.approx(0.75)
    assert specificity_score(yt, yp, pos_label="sz") == pytest.approx(5 / 6)
    # swapping the positive class swaps sensitivity and specificity
    assert sensitivity_score(yt, yp, pos_label="bg") == pytest.approx(5 / 6)


def test_multiclass_one_vs_rest():
    yt = np.array([0, 1, 2, 2, 2, 1])
    yp = np.array([0, 2, 2, 2, 1, 1])
    # class 2 as seizure: TP=2 FN=1 FP=1 TN=2
    assert sensitivity_score(yt, yp, pos_label=2) == pytest.approx(2 / 3)
    assert specificity_score(yt, yp, pos_label=2) == pytest.approx(2 / 3)


def test_zero_division():
    assert np.isnan(sensitivity_score([0, 0], [0, 1]))
    assert sensitivity_score([0, 0], [0, 1], zero_division=0.0) == 0.0
    assert np.isnan(specificity_score([1, 1], [1, 0]))
    assert seizure_f1_score([0, 0], [0, 0]) == 0.0


def test_auroc_by_hand():
    # positives scores 0.9, 0.4; negatives 0.5, 0.1 -> pairs (p>n): (0.9>0.5)(0.9>0.1)(0.4>0.1) = 3/4
    y = np.array([1, 1, 0, 0])
    s = np.array([0.9, 0.4, 0.5, 0.1])
    assert auroc_score(y, s) == pytest.approx(0.75)
    proba = np.column_stack([1 - s, s])
    assert auroc_score(y, proba) == pytest.approx(0.75)
    assert auroc_score(y, proba, pos_label=0) == pytest.approx(0.75)  # symmetric here
    # ties count one half: positive 0.5 vs negative 0.5
    assert auroc_score([1, 0], [0.5, 0.5]) == pytest.approx(0.5)


def test_aupr_by_hand():
    # ranking: 0.9(+) 0.5(-) 0.4(+) 0.1(-): precision at recalls 1/2 -> 1, 2/2 -> 2/3
    y = np.array([1, 1, 0, 0])
    s = np.array([0.9, 0.4, 0.5, 0.1])
    assert aupr_score(y, s) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)


def test_multiclass_auroc_macro():
    y = np.array([0, 1, 2, 0, 1, 2])
    proba = np.eye(3)[y] * 0.7 + 0.1
    assert auroc_score(y, proba, pos_label=None) == pytest.approx(1.0)
    assert auroc_score(y, proba, pos_label=2) == pytest.approx(1.0)


def test_input_errors():
    with pytest.raises(ValueError, match="same length"):
        sensitivity_score([0, 1], [0])
    with pytest.raises(ValueError, match="columns"):
        auroc_score([0, 1, 2], np.ones((3, 2)), pos_label=1)
    with pytest.raises(ValueError, match="pos_label"):
        auroc_score([0, 1], np.ones((2, 2)), pos_label=5)


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=30),
    pos_label=st.integers(0, 2),
)
def test_one_vs_rest_scores_match_confusion_counts(pairs, pos_label):
    # the library-backed scores equal the one-vs-rest confusion-count formulas
    yt = np.array([a for a, _ in pairs])
    yp = np.array([b for _, b in pairs])
    t, p = yt == pos_label, yp == pos_label
    tp, fn = np.sum(t & p), np.sum(t & ~p)
    fp, tn = np.sum(~t & p), np.sum(~t & ~p)
    sens = sensitivity_score(yt, yp, pos_label=pos_label)
    spec = specificity_score(yt, yp, pos_label=pos_label)
    f1 = seizure_f1_score(yt, yp, pos_label=pos_label)
    assert np.isnan(sens) if tp + fn == 0 else sens == pytest.approx(tp / (tp + fn))
    assert np.isnan(spec) if tn + fp == 0 else spec == pytest.approx(tn / (tn + fp))
    denom = 2 * tp + fp + fn
    assert f1 == (0.0 if denom == 0 else pytest.approx(2 * tp / denom))
