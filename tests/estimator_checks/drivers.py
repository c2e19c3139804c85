"""Drivers: which checks apply to an estimator, and how to run them or parametrize a test."""

from __future__ import annotations

import warnings
from functools import partial

from sklearn.base import is_classifier

from .api_checks import (
    check_3d_tags,
    check_clone,
    check_deterministic,
    check_fit_returns_self,
    check_fit_transform_equivalence,
    check_get_set_params_roundtrip,
    check_n_channels_in,
    check_pickle_roundtrip,
    check_refit_independence,
    check_unfitted_raises,
)
from .data import _is_transformer
from .input_checks import (
    check_channel_mismatch_rejected,
    check_classifier_outputs,
    check_classifier_string_labels,
    check_cross_validate_group_kfold,
    check_empty_input_rejected,
    check_float32_preserved,
    check_nan_inf_rejected,
    check_wrong_ndim_rejected,
)

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
