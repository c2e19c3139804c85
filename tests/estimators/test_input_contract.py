"""What every registered network refuses or warns about (tests/networks.py).

- windows of another length (or image width) than seen in ``fit``: a
  ``ValueError`` naming the expected and the received value, at ``predict``,
  ``predict_proba`` and ``score``;
- labels holding NaN, None or inf: a ``ValueError`` at ``fit`` (they would
  otherwise become a class of their own);
- a fit without ``groups`` whose early stopping holds out windows: one
  ``WindowWiseSplitWarning``; none with ``groups`` or without validation.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from skseizure.estimators import WindowWiseSplitWarning
from tests.networks import all_networks

SPECS = all_networks()
IDS = [s.name for s in SPECS]
FAST = {"max_epochs": 1, "batch_size": 64, "random_state": 0}


def _split_warnings(record):
    return [w for w in record if issubclass(w.category, WindowWiseSplitWarning)]


@pytest.fixture(scope="module")
def fitted_nets(helsinki_small):
    """One fitted estimator per network (with groups), plus its inputs."""
    X, y, g, sfreq = helsinki_small
    out = {}
    for spec in SPECS:
        Xn = spec.build_inputs(X, sfreq)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            clf = spec.make_estimator(**FAST).fit(Xn, y, groups=g)
        assert not _split_warnings(record), spec.name  # groups given: no warning
        out[spec.name] = (clf, Xn)
    return out


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_refuses_another_window_length(spec, fitted_nets, helsinki_small):
    X, y, _, sfreq = helsinki_small
    clf, Xn = fitted_nets[spec.name]
    short = spec.build_inputs(np.ascontiguousarray(X[..., :48]), sfreq)  # fitted on 64 samples
    assert short.shape[1:] != Xn.shape[1:]
    axis = next(i for i, (a, b) in enumerate(zip(Xn.shape, short.shape)) if a != b)
    expected, received = Xn.shape[axis], short.shape[axis]
    for method in (clf.predict, clf.predict_proba, lambda Z: clf.score(Z, y)):
        with pytest.raises(ValueError) as info:
            method(short)
        message = str(info.value)
        assert re.search(rf"\b{received}\b", message), message
        assert re.search(rf"\b{expected}\b", message), message
        assert "fitted" in message, message
    # the windows it was fitted on still work
    assert clf.predict_proba(Xn[:3]).shape == (3, 2)


def _bad_labels(y):
    nan = y.astype(float)
    nan[5] = np.nan
    inf = y.astype(float)
    inf[7] = np.inf
    none = y.astype(object)
    none[3] = None
    obj_nan = y.astype(object)
    obj_nan[0] = float("nan")
    return {"float-nan": nan, "float-inf": inf, "object-none": none, "object-nan": obj_nan}


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_refuses_missing_or_infinite_labels(spec, helsinki_small):
    X, y, g, sfreq = helsinki_small
    Xn = spec.build_inputs(X, sfreq)
    for kind, bad in _bad_labels(y).items():
        clf = spec.make_estimator(**FAST)
        with pytest.raises(ValueError, match="missing or infinite label"):
            clf.fit(Xn, bad, groups=g)
        assert not hasattr(clf, "label_encoder_"), kind  # refused before anything was fitted


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_warns_once_without_groups(spec, helsinki_small):
    X, y, g, sfreq = helsinki_small
    Xn = spec.build_inputs(X, sfreq)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        spec.make_estimator(**{**FAST, "max_epochs": 2}).fit(Xn, y)
    found = _split_warnings(record)
    assert len(found) == 1
    message = str(found[0].message)
    assert "window-wise, not subject-wise" in message and "groups=" in message
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        spec.make_estimator(**{**FAST, "valid_size": None}).fit(Xn, y)
    assert not _split_warnings(record)
