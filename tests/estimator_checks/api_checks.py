"""Checks of the estimator API: tags, clone, parameters, fitted state, pickling, determinism."""

from __future__ import annotations

import pickle

from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from .data import (
    DEFAULT_DATA_PARAMS,
    _PREDICT_METHODS,
    _assert_outputs_equal,
    _assert_raises,
    _data,
    _fit,
    _is_transformer,
    _outputs,
    _param_dicts_equal,
    _params_equal,
    _requires_fit,
)

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

