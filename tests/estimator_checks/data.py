"""Synthetic 3-D data and the small helpers the checks share."""

from __future__ import annotations

import re

import numpy as np
from sklearn.utils import get_tags

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


