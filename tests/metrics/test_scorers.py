"""Scorers work in sklearn's ``scoring=`` and give the function values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_validate

from skseizure.metrics import (
    SCORERS,
    aupr_score,
    auroc_score,
    get_scorer,
    get_scorer_names,
    make_seizure_scorers,
    specificity_score,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 3))
    y = (X[:, 0] + 0.8 * rng.standard_normal(120) > 0.5).astype(int)
    groups = np.repeat(np.arange(6), 20)
    return X, y, groups


def test_scorers_equal_functions(data):
    X, y, _ = data
    clf = LogisticRegression().fit(X, y)
    proba = clf.predict_proba(X)[:, 1]
    pred = clf.predict(X)
    assert SCORERS["auroc"](clf, X, y) == pytest.approx(auroc_score(y, proba))
    assert SCORERS["aupr"](clf, X, y) == pytest.approx(aupr_score(y, proba))
    assert SCORERS["specificity"](clf, X, y) == pytest.approx(specificity_score(y, pred))


def test_cross_validate_with_all_scorers(data):
    X, y, groups = data
    res = cross_validate(LogisticRegression(), X, y, groups=groups, cv=GroupKFold(3), scoring=SCORERS)
    for name in SCORERS:
        vals = res[f"test_{name}"]
        assert vals.shape == (3,) and np.all((vals >= 0) & (vals <= 1))


def test_string_label_scorers(data):
    X, y, _ = data
    ys = np.where(y == 1, "seizure", "background")
    clf = LogisticRegression().fit(X, ys)
    sc = make_seizure_scorers("seizure")
    proba = clf.predict_proba(X)[:, list(clf.classes_).index("seizure")]
    assert sc["auroc"](clf, X, ys) == pytest.approx(auroc_score(ys, proba, pos_label="seizure"))


def test_get_scorer_names():
    assert get_scorer("seizure_f1") is SCORERS["seizure_f1"]
    assert callable(get_scorer("balanced_accuracy"))  # falls back to sklearn
    assert set(get_scorer_names()) == {"sensitivity", "specificity", "seizure_f1", "f1_macro",
                                       "f1_weighted", "auroc", "aupr"}
    with pytest.raises(ValueError, match="neither"):
        get_scorer("not_a_metric")
