"""Common checks for estimators that take 3-D ``(n_windows, n_channels, n_times)`` input.

scikit-learn's own common checks (:func:`sklearn.utils.estimator_checks.parametrize_with_checks`)
generate 2-D ``(n_samples, n_features)`` data and skip every estimator tagged
``two_d_array=False``. This module is the 3-D counterpart, in the style of
pyRiemann's and imbalanced-learn's suites: seeded synthetic windows, one small
function per API guarantee, a generator and a pytest decorator.

Every check has the signature ``check(name, estimator_orig, **data_params)``
(sklearn's ``(name, estimator)`` convention) and never modifies
``estimator_orig`` (it works on clones).

Typical use in a test module::

    from skseizure.utils.estimator_checks import parametrize_with_3d_checks

    @parametrize_with_3d_checks(
        [BandpassFilter(sfreq=128.0), MyNetClassifier(max_epochs=1, random_state=0)],
        data_params={"n_times": 256},
        expected_failed_checks=lambda est: {},
    )
    def test_3d_checks(estimator, check):
        check(estimator)

The synthetic data are for API checks only; they carry no claim about EEG.
"""

from __future__ import annotations

import pickle
import re
import warnings
from functools import partial

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "DEFAULT_DATA_PARAMS",
    "make_3d_classification",
    "yield_3d_checks",
    "parametrize_with_3d_checks",
    "check_estimator_3d",
    "check_transformer_3d",
    "check_classifier_3d",
    "check_3d_tags",
    "check_clone",
    "check_get_set_params_roundtrip",
    "check_fit_returns_self",
    "check_unfitted_raises",
    "check_n_channels_in",
    "check_pickle_roundtrip",
    "check_fit_transform_equivalence",
    "check_refit_independence",
    "check_deterministic",
    "check_float32_preserved",
    "check_nan_inf_rejected",
    "check_wrong_ndim_rejected",
    "check_channel_mismatch_rejected",
    "check_empty_input_rejected",
    "check_classifier_outputs",
    "check_classifier_string_labels",
    "check_cross_validate_group_kfold",
]

#: Shape and content of the synthetic data every check uses unless overridden.
DEFAULT_DATA_PARAMS = {
    "n_windows": 24,
    "n_channels": 4,
    "n_times": 256,
    "sfreq": 128.0,
    "n_classes": 2,
    "random_state": 0,
}

_PREDICT_METHODS = ("predict", "predict_proba", "decision_function", "predict_log_proba")


def make_3d_classification(
    n_windows=24,
    n_channels=4,
    n_times=256,
    sfreq=128.0,
    n_classes=2,
    random_state=0,
    dtype=np.float32,
):
    """Seeded synthetic windows whose class is a rhythm added to noise.

    Class ``k`` adds a sinusoid at ``(k + 1) * sfreq / 16`` Hz (amplitude 2) to
    unit Gaussian noise on every channel, so any reasonable estimator can
    separate the classes. Labels cycle ``0, 1, ..., n_classes - 1`` so every
    class is present; ``groups`` assign consecutive windows to
    ``max(2, n_windows // 4)`` subjects.

    Parameters
    ----------
    n_windows, n_channels, n_times : int
        Shape of ``X``.
    sfreq : float
        Sampling frequency in Hz used to build the rhythms.
    n_classes : int, default=2
    random_state : int, default=0
        Seed of :func:`numpy.random.default_rng`.
    dtype : numpy dtype, default=np.float32

    Returns
    -------
    X : ndarray of shape (n_windows, n_channels, n_times)
    y : ndarray of shape (n_windows,), int64
    groups : ndarray of shape (n_windows,), int64
    """
    rng = np.random.default_rng(random_state)
    y = np.arange(n_windows) % n_classes
    t = np.arange(n_times) / sfreq
    X = rng.standard_normal((n_windows, n_channels, n_times))
    phases = rng.uniform(0, 2 * np.pi, size=(n_windows, n_channels, 1))
    freqs = (y + 1)[:, None, None] * sfreq / 16.0
    X += 2.0 * np.sin(2 * np.pi * freqs * t[None, None, :] + phases)
    n_groups = max(2, n_windows // 4)
    groups = np.arange(n_windows) * n_groups // n_windows
    return X.astype(dtype), y.astype(np.int64), groups.astype(np.int64)


# --------------------------------------------------------------------------- helpers
def _data(data_params, **overrides):
    params = {**DEFAULT_DATA_PARAMS, **data_params, **overrides}
    return make_3d_classification(**params)


def _is_transformer(estimator):
    return hasattr(estimator, "transform")


def _requires_fit(estimator):
    try:
        return get_tags(estimator).requires_fit
    except Exception:  # pragma: no cover - estimators without tags
        return True


def _fit(estimator, X, y):
    return estimator.fit(X, y)


def _outputs(estimator, X):
    """Outputs of every prediction/transform method the estimator has."""
    out = {}
    if _is_transformer(estimator):
        out["transform"] = estimator.transform(X)
    for method in _PREDICT_METHODS:
        if hasattr(estimator, method):
            out[method] = getattr(estimator, method)(X)
    if not out:
        raise AssertionError(
            f"{type(estimator).__name__} has neither transform nor predict-like methods."
        )
    return out


def _assert_outputs_equal(a, b, msg, exact=True):
    assert a.keys() == b.keys(), msg
    for key in a:
        if exact:
            np.testing.assert_array_equal(
                np.asarray(a[key]), np.asarray(b[key]), err_msg=f"{msg} ({key})"
            )
        else:
            np.testing.assert_allclose(
                np.asarray(a[key], dtype=np.float64),
                np.asarray(b[key], dtype=np.float64),
                rtol=1e-5,
                atol=1e-6 * max(1.0, float(np.max(np.abs(np.asarray(a[key], dtype=np.float64))))),
                err_msg=f"{msg} ({key})",
            )


def _assert_raises(exc_type, func, *args, match=None, what=""):
    try:
        func(*args)
    except exc_type as exc:
        if match is not None and not re.search(match, str(exc), flags=re.IGNORECASE):
            raise AssertionError(
                f"{what}: raised {exc_type.__name__} but the message {str(exc)!r} does not "
                f"match {match!r}."
            ) from exc
        return
    except Exception as exc:
        raise AssertionError(
            f"{what}: expected {exc_type.__name__}, got {type(exc).__name__}: {exc}"
        ) from exc
    raise AssertionError(f"{what}: expected {exc_type.__name__}, nothing was raised.")


def _params_equal(a, b):
    if a is b:
        return True
    if hasattr(a, "get_params") and hasattr(b, "get_params"):
        return type(a) is type(b) and _param_dicts_equal(
            a.get_params(deep=False), b.get_params(deep=False)
        )
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    try:
        return bool(a == b)
    except Exception:  # pragma: no cover
        return False


def _param_dicts_equal(p, q):
    return p.keys() == q.keys() and all(_params_equal(p[k], q[k]) for k in p)


# --------------------------------------------------------------------------- checks
def check_3d_tags(name, estimator_orig, **data_params):
    """The estimator declares 3-D input through ``__sklearn_tags__``."""
    tags = get_tags(estimator_orig)
    assert tags.input_tags.three_d_array, f"{name}: input_tags.three_d_array must be True."


def check_clone(name, estimator_orig, **data_params):
    """``clone`` gives equal parameters, and the clone of a fitted estimator is unfitted."""
    X, y, _ = _data(data_params)
    est = clone(estimator_orig)
    assert _param_dicts_equal(
        est.get_params(deep=False), estimator_orig.get_params(deep=False)
    ), f"{name}: clone changed the parameters."
    fitted = _fit(clone(estimator_orig), X, y)
    check_is_fitted(fitted)
    if _requires_fit(estimator_orig):
        _assert_raises(
            NotFittedError, check_is_fitted, clone(fitted), what=f"clone of a fitted {name}"
        )


def check_get_set_params_roundtrip(name, estimator_orig, **data_params):
    """``set_params(**get_params())`` is a no-op and ``__init__`` stores parameters as given."""
    est = clone(estimator_orig)
    params = est.get_params(deep=False)
    est.set_params(**params)
    assert _param_dicts_equal(
        est.get_params(deep=False), params
    ), f"{name}: set_params(**get_params()) changed the parameters."
    # __init__ must store each argument unchanged (no validation or conversion).
    rebuilt = type(est)(**params)
    for key, value in params.items():
        assert getattr(rebuilt, key) is value or _params_equal(getattr(rebuilt, key), value), (
            f"{name}.__init__ does not store {key!r} as given."
        )


def check_fit_returns_self(name, estimator_orig, **data_params):
    """``fit`` returns the estimator itself."""
    X, y, _ = _data(data_params)
    est = clone(estimator_orig)
    assert _fit(est, X, y) is est, f"{name}.fit must return self."


def check_unfitted_raises(name, estimator_orig, **data_params):
    """Prediction/transform methods raise ``NotFittedError`` before ``fit``."""
    if not _requires_fit(estimator_orig):
        return
    X, _, _ = _data(data_params)
    est = clone(estimator_orig)
    methods = [m for m in ("transform", *_PREDICT_METHODS) if hasattr(est, m)]
    assert methods, f"{name} has no transform/predict method."
    for method in methods:
        _assert_raises(
            NotFittedError, getattr(est, method), X, what=f"{name}.{method} before fit"
        )


def check_n_channels_in(name, estimator_orig, **data_params):
    """``fit`` records ``n_channels_in_`` equal to ``X.shape[1]``."""
    X, y, _ = _data(data_params)
    est = _fit(clone(estimator_orig), X, y)
    assert getattr(est, "n_channels_in_", None) == X.shape[1], (
        f"{name}: n_channels_in_ must be {X.shape[1]} after fit, got "
        f"{getattr(est, 'n_channels_in_', None)!r}."
    )


def check_pickle_roundtrip(name, estimator_orig, **data_params):
    """A pickled and reloaded fitted estimator gives bit-identical outputs."""
    X, y, _ = _data(data_params)
    est = _fit(clone(estimator_orig), X, y)
    before = _outputs(est, X)
    reloaded = pickle.loads(pickle.dumps(est))
    _assert_outputs_equal(before, _outputs(reloaded, X), f"{name}: outputs changed after pickling")


def check_fit_transform_equivalence(name, estimator_orig, **data_params):
    """``fit(X).transform(X)`` equals ``fit_transform(X)``."""
    if not _is_transformer(estimator_orig):
        return
    X, y, _ = _data(data_params)
    a = _fit(clone(estimator_orig), X, y).transform(X)
    b = clone(estimator_orig).fit_transform(X, y)
    assert a.shape == b.shape, f"{name}: fit_transform shape {b.shape} != transform {a.shape}."
    _assert_outputs_equal(
        {"t": a}, {"t": b}, f"{name}: fit_transform differs from fit().transform()", exact=False
    )


def check_refit_independence(name, estimator_orig, **data_params):
    """Refitting on different data (other sizes, one more channel) erases the first fit."""
    X1, y1, _ = _data(data_params)
    n_channels = X1.shape[1] + 1
    X2, y2, _ = _data(
        data_params,
        n_channels=n_channels,
        n_windows=X1.shape[0] + 4,
        random_state=DEFAULT_DATA_PARAMS["random_state"] + 1,
    )
    est = _fit(clone(estimator_orig), X1, y1)
    _fit(est, X2, y2)
    fresh = _fit(clone(estimator_orig), X2, y2)
    assert est.n_channels_in_ == n_channels, (
        f"{name}: n_channels_in_ is {est.n_channels_in_} after refitting on {n_channels} channels."
    )
    try:
        refit_outputs = _outputs(est, X2)
    except Exception as exc:
        raise AssertionError(
            f"{name}: refit differs from a fresh fit: the refitted estimator fails on the new "
            f"data ({type(exc).__name__}: {exc}); state from the first fit survived."
        ) from exc
    if not get_tags(estimator_orig).non_deterministic:
        _assert_outputs_equal(
            _outputs(fresh, X2), refit_outputs, f"{name}: refit differs from a fresh fit",
            exact=False,
        )


def check_deterministic(name, estimator_orig, **data_params):
    """Two fits of clones on the same data give identical outputs."""
    if get_tags(estimator_orig).non_deterministic:
        return
    X, y, _ = _data(data_params)
    a = _outputs(_fit(clone(estimator_orig), X, y), X)
    b = _outputs(_fit(clone(estimator_orig), X, y), X)
    _assert_outputs_equal(a, b, f"{name}: two identical fits disagree")


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


# --------------------------------------------------------------------------- drivers
_COMMON_CHECKS = (
    check_3d_tags,
    check_clone,
    check_get_set_params_roundtrip,
    check_fit_returns_self,
    check_unfitted_raises,
    check_n_channels_in,
    check_pickle_roundtrip,
    check_refit_independence,
    check_deterministic,
    check_nan_inf_rejected,
    check_wrong_ndim_rejected,
    check_channel_mismatch_rejected,
    check_empty_input_rejected,
    check_cross_validate_group_kfold,
)
_TRANSFORMER_CHECKS = (check_fit_transform_equivalence, check_float32_preserved)
_CLASSIFIER_CHECKS = (check_classifier_outputs, check_classifier_string_labels)


def _resolve_data_params(estimator, data_params):
    if data_params is None:
        return {}
    if callable(data_params):
        return dict(data_params(estimator) or {})
    return dict(data_params)


def yield_3d_checks(estimator, *, data_params=None):
    """Yield the 3-D checks that apply to ``estimator``, bound to its data.

    Parameters
    ----------
    estimator : estimator instance
    data_params : dict, callable or None
        Overrides of :data:`DEFAULT_DATA_PARAMS` (``n_channels``, ``n_times``,
        ``sfreq``...), or a callable ``estimator -> dict`` for per-estimator
        shapes (a network with a fixed input length, FFT steps...).

    Yields
    ------
    check : callable
        ``check(name, estimator)`` with the data parameters bound; its
        ``.func.__name__`` is the check's name.
    """
    params = _resolve_data_params(estimator, data_params)
    checks = list(_COMMON_CHECKS)
    if _is_transformer(estimator):
        checks += _TRANSFORMER_CHECKS
    if is_classifier(estimator):
        checks += _CLASSIFIER_CHECKS
    for check in checks:
        yield partial(check, **params)


def _check_name(check):
    return check.func.__name__ if isinstance(check, partial) else check.__name__


def _get_expected(estimator, expected_failed_checks):
    if expected_failed_checks is None:
        return {}
    if callable(expected_failed_checks):
        return dict(expected_failed_checks(estimator) or {})
    return dict(expected_failed_checks)


def check_estimator_3d(estimator, *, data_params=None, expected_failed_checks=None):
    """Run every applicable 3-D check on ``estimator``; raise on the first failure.

    Parameters
    ----------
    estimator : estimator instance
    data_params : dict, callable or None
        See :func:`yield_3d_checks`.
    expected_failed_checks : dict, callable or None
        ``{check_name: reason}`` (or ``estimator -> dict``) of checks to skip,
        each with the reason it does not apply. A skipped check emits a
        ``UserWarning`` naming it.
    """
    name = type(estimator).__name__
    expected = _get_expected(estimator, expected_failed_checks)
    for check in yield_3d_checks(estimator, data_params=data_params):
        check_name = _check_name(check)
        if check_name in expected:
            warnings.warn(
                f"{name}: skipped {check_name} ({expected[check_name]}).", UserWarning, stacklevel=2
            )
            continue
        check(name, estimator)


def check_transformer_3d(estimator, *, data_params=None, expected_failed_checks=None):
    """Run the 3-D checks on a transformer (``fit``/``transform`` on windows)."""
    if not _is_transformer(estimator):
        raise TypeError(f"{type(estimator).__name__} has no transform method.")
    check_estimator_3d(
        estimator, data_params=data_params, expected_failed_checks=expected_failed_checks
    )


def check_classifier_3d(estimator, *, data_params=None, expected_failed_checks=None):
    """Run the 3-D checks on a classifier (``predict``/``predict_proba``/``classes_``)."""
    if not is_classifier(estimator):
        raise TypeError(f"{type(estimator).__name__} is not a classifier (ClassifierMixin).")
    check_estimator_3d(
        estimator, data_params=data_params, expected_failed_checks=expected_failed_checks
    )


def parametrize_with_3d_checks(
    estimators, *, data_params=None, expected_failed_checks=None, xfail_strict=True
):
    """Pytest decorator: one test per (estimator, 3-D check).

    The decorated test takes ``estimator`` and ``check`` and calls
    ``check(estimator)``. Checks listed in ``expected_failed_checks`` are
    marked ``xfail`` with their reason (strict by default: a listed check that
    passes fails the test, so the list stays honest).

    Parameters
    ----------
    estimators : list of estimator instances
    data_params : dict, callable or None
        See :func:`yield_3d_checks`.
    expected_failed_checks : dict, callable or None
        ``estimator -> {check_name: reason}`` (or one dict for all).
    xfail_strict : bool, default=True

    Returns
    -------
    decorator : pytest.mark.parametrize
    """
    import pytest  # test-time dependency only

    params, ids = [], []
    for estimator in estimators:
        name = type(estimator).__name__
        expected = _get_expected(estimator, expected_failed_checks)
        for check in yield_3d_checks(estimator, data_params=data_params):
            check_name = _check_name(check)
            bound = partial(check, name)
            marks = ()
            if check_name in expected:
                marks = (pytest.mark.xfail(reason=expected[check_name], strict=xfail_strict),)
            params.append(pytest.param(estimator, bound, marks=marks))
            ids.append(f"{estimator!r}-{check_name}")
    return pytest.mark.parametrize("estimator, check", params, ids=ids)
