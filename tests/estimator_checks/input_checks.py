"""Checks of the input contract and the outputs: dtypes, bad arrays, classifier outputs, CV."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone, is_classifier

from .data import (
    _PREDICT_METHODS,
    _assert_raises,
    _data,
    _fit,
    _is_transformer,
)


def check_float32_preserved(name, estimator_orig, **data_params):
    """float32 in gives float32 out; float64 input is accepted with the same shape."""
    if not _is_transformer(estimator_orig):
        return
    X, y, _ = _data(data_params)
    est = _fit(clone(estimator_orig), X, y)
    out32 = est.transform(X)
    assert out32.dtype == np.float32, f"{name}.transform(float32) returned {out32.dtype}."
    out64 = est.transform(X.astype(np.float64))
    assert out64.shape == out32.shape, f"{name}: float64 input changed the output shape."
    assert np.issubdtype(out64.dtype, np.floating), f"{name}: non-float output {out64.dtype}."


def check_nan_inf_rejected(name, estimator_orig, **data_params):
    """NaN or inf in ``X`` raises ``ValueError`` in ``fit`` and after fitting."""
    X, y, _ = _data(data_params)
    fitted = _fit(clone(estimator_orig), X, y)
    methods = [m for m in ("transform", *_PREDICT_METHODS) if hasattr(fitted, m)]
    for bad in (np.nan, np.inf, -np.inf):
        Xb = X.copy()
        Xb[0, 0, 0] = bad
        _assert_raises(
            ValueError, clone(estimator_orig).fit, Xb, y, what=f"{name}.fit with {bad} in X"
        )
        for method in methods:
            _assert_raises(
                ValueError, getattr(fitted, method), Xb, what=f"{name}.{method} with {bad} in X"
            )


def check_wrong_ndim_rejected(name, estimator_orig, **data_params):
    """2-D and 4-D arrays raise ``ValueError`` (no silent reshaping)."""
    X, y, _ = _data(data_params)
    fitted = _fit(clone(estimator_orig), X, y)
    bad_inputs = {"2-D (n_windows, n_times)": X[:, 0, :], "4-D": X[:, None, :, :]}
    methods = [m for m in ("transform", *_PREDICT_METHODS) if hasattr(fitted, m)]
    for label, Xb in bad_inputs.items():
        _assert_raises(ValueError, clone(estimator_orig).fit, Xb, y, what=f"{name}.fit on {label}")
        for method in methods:
            _assert_raises(
                ValueError, getattr(fitted, method), Xb, what=f"{name}.{method} on {label}"
            )


def check_channel_mismatch_rejected(name, estimator_orig, **data_params):
    """A channel count different from ``fit`` raises ``ValueError`` naming channels."""
    X, y, _ = _data(data_params)
    fitted = _fit(clone(estimator_orig), X, y)
    methods = [m for m in ("transform", *_PREDICT_METHODS) if hasattr(fitted, m)]
    X_more = np.concatenate([X, X[:, :1]], axis=1)
    for Xb in (X_more, X[:, :-1]):
        for method in methods:
            _assert_raises(
                ValueError,
                getattr(fitted, method),
                Xb,
                match="channel",
                what=f"{name}.{method} with {Xb.shape[1]} channels (fitted on {X.shape[1]})",
            )


def check_empty_input_rejected(name, estimator_orig, **data_params):
    """Zero windows raise ``ValueError`` in ``fit`` and in ``transform``/``predict``."""
    X, y, _ = _data(data_params)
    fitted = _fit(clone(estimator_orig), X, y)
    empty = X[:0]
    _assert_raises(
        ValueError, clone(estimator_orig).fit, empty, y[:0], what=f"{name}.fit on 0 windows"
    )
    for method in [m for m in ("transform", *_PREDICT_METHODS) if hasattr(fitted, m)]:
        _assert_raises(
            ValueError, getattr(fitted, method), empty, what=f"{name}.{method} on 0 windows"
        )


def check_classifier_outputs(name, estimator_orig, **data_params):
    """``classes_``, ``predict`` and ``predict_proba`` / ``decision_function`` shapes."""
    if not is_classifier(estimator_orig):
        return
    X, y, _ = _data(data_params)
    est = _fit(clone(estimator_orig), X, y)
    classes = np.unique(y)
    np.testing.assert_array_equal(est.classes_, classes, err_msg=f"{name}.classes_")
    pred = np.asarray(est.predict(X))
    assert pred.shape == (X.shape[0],), f"{name}.predict shape {pred.shape}."
    assert np.isin(pred, classes).all(), f"{name}.predict returned labels outside classes_."
    if hasattr(est, "predict_proba"):
        proba = np.asarray(est.predict_proba(X))
        assert proba.shape == (X.shape[0], classes.size), (
            f"{name}.predict_proba shape {proba.shape}."
        )
        assert np.all(proba >= 0) and np.all(proba <= 1), f"{name}.predict_proba outside [0, 1]."
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5, err_msg=f"{name} rows")
        np.testing.assert_array_equal(
            est.classes_[np.argmax(proba, axis=1)],
            pred,
            err_msg=f"{name}: argmax(proba) != predict",
        )
    if hasattr(est, "decision_function"):
        dec = np.asarray(est.decision_function(X))
        expected = (X.shape[0],) if classes.size == 2 else (X.shape[0], classes.size)
        assert dec.shape == expected, f"{name}.decision_function shape {dec.shape} != {expected}."


def check_classifier_string_labels(name, estimator_orig, **data_params):
    """String labels are kept in ``classes_`` and returned by ``predict``."""
    if not is_classifier(estimator_orig):
        return
    X, y, _ = _data(data_params)
    names = np.array(["bckg", "sz", "other", "more"])[: int(y.max()) + 1]
    y_str = names[y]
    est = _fit(clone(estimator_orig), X, y_str)
    np.testing.assert_array_equal(est.classes_, np.unique(y_str), err_msg=f"{name}.classes_")
    assert np.isin(np.asarray(est.predict(X)), names).all(), f"{name}.predict labels."


def _flatten_windows(X):
    return np.asarray(X).reshape(len(X), -1)


def check_cross_validate_group_kfold(name, estimator_orig, **data_params):
    """Runs inside ``cross_val_score`` with ``GroupKFold`` and ``groups`` (no error).

    Classifiers are scored directly; transformers are followed by a flatten
    step and a logistic regression in a :class:`~sklearn.pipeline.Pipeline`.
    Also asserts that no subject is on both sides of any split.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    if is_classifier(estimator_orig):
        model = clone(estimator_orig)
    elif _is_transformer(estimator_orig):
        model = make_pipeline(
            clone(estimator_orig),
            FunctionTransformer(_flatten_windows),
            StandardScaler(),
            LogisticRegression(),
        )
    else:
        return
    X, y, groups = _data(data_params)
    cv = GroupKFold(n_splits=3)
    for train, test in cv.split(X, y, groups):
        assert not set(groups[train]) & set(groups[test]), "GroupKFold leaked a subject"
    scores = cross_val_score(model, X, y, groups=groups, cv=cv, error_score="raise")
    assert scores.shape == (3,) and np.isfinite(scores).all(), f"{name}: scores {scores}."

