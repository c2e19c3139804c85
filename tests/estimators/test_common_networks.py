"""Shared tests over every registered network (tests/networks.py).

A network registered with one line in ``tests/networks.py`` gets: forward shapes,
parameter count by formula, a short fit on real EEG windows, clone, save/load
bit-exactness, determinism, GridSearchCV with GroupKFold inside a preprocessing
Pipeline, TunedThresholdClassifierCV, and the 3-D estimator checks.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, TunedThresholdClassifierCV
from sklearn.pipeline import Pipeline

import skseizure.eng as eng_pkg
import skseizure.estimators as est_pkg
from skseizure.estimators import BaseNetClassifier
from tests.networks import all_networks
from tests.estimator_checks import yield_3d_checks

SPECS = all_networks()
IDS = [s.name for s in SPECS]
FAST = {"max_epochs": 2, "batch_size": 32, "random_state": 0}


def _inputs(spec, X, sfreq):
    return spec.build_inputs(X, sfreq)


def test_registry_is_complete():
    """Every concrete BaseNetClassifier in skseizure.estimators and skseizure.eng is registered."""
    registered = {s.estimator for s in SPECS}
    missing = []
    infos = [(pkg.__name__, info.name) for pkg in (est_pkg, eng_pkg)
             for info in pkgutil.iter_modules(pkg.__path__)]
    assert len(infos) > 5
    for pkg_name, mod_name in infos:
        module = importlib.import_module(f"{pkg_name}.{mod_name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (issubclass(obj, BaseNetClassifier) and obj is not BaseNetClassifier
                    and obj.__module__ == module.__name__ and not obj.__name__.startswith("_")
                    and not inspect.isabstract(obj)):
                if obj not in registered:
                    missing.append(f"{obj.__module__}.{obj.__name__}")
    assert not missing, f"add a NetworkSpec line to tests/networks.py for: {missing}"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_fit_shapes_and_param_count(spec, helsinki_small):
    X, y, g, sfreq = helsinki_small
    Xn = _inputs(spec, X, sfreq)
    clf = spec.make_estimator(**FAST).fit(Xn, y, groups=g)
    proba = clf.predict_proba(Xn)
    assert proba.shape == (len(y), 2) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    pred = clf.predict(Xn)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(1)])
    assert clf.score(Xn, y) == pytest.approx(np.mean(pred == y))
    n_params = sum(p.numel() for p in clf.module_.parameters())
    kwargs = {**clf.get_params_for("module"), **clf.module_kwargs_from_data_}
    expected = spec.count_params(**kwargs) if spec.n_params else None
    if expected is not None:
        assert n_params == expected
    hist = clf.history
    assert 1 <= len(hist) <= 2 and np.isfinite(hist[:, "train_loss"]).all()


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_learns_on_real_windows(spec, helsinki_small):
    X, y, g, sfreq = helsinki_small
    Xn = _inputs(spec, X, sfreq)
    clf = spec.make_estimator(**{**FAST, "max_epochs": 6, "lr": 0.01, "valid_size": None})
    clf.fit(Xn, y)
    loss = clf.history[:, "train_loss"]
    assert loss[-1] < loss[0]
    assert clf.score(Xn, y) > 0.6  # training accuracy on real seizure/non-seizure windows


# Networks on raw windows (n, C, T); DCRNN (FFT clips) and the ESCAPE nets (signatures) take
# derived inputs and have their forward shapes tested in their own module tests.
RAW_WINDOW_SPECS = [s for s in SPECS if s.input_builder is None]


@pytest.mark.parametrize("spec", RAW_WINDOW_SPECS, ids=[s.name for s in RAW_WINDOW_SPECS])
def test_forward_shape_direct(spec):
    import torch

    mod_params = {k[len("module__"):]: v for k, v in spec.test_params.items()
                  if k.startswith("module__")}
    net = spec.module(n_chans=7, n_outputs=3, n_times=96, **mod_params).eval()
    assert net(torch.zeros(5, 7, 96)).shape == (5, 3)
    if spec.min_n_times:
        with pytest.raises(ValueError, match=str(spec.min_n_times)):
            spec.module(n_chans=7, n_outputs=3, n_times=spec.min_n_times - 1, **mod_params)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_clone_determinism_and_save_load(spec, helsinki_small, tmp_path):
    X, y, g, sfreq = helsinki_small
    Xn = _inputs(spec, X, sfreq)
    clf = spec.make_estimator(**FAST)
    params_before = clf.get_params(deep=False)
    clf.fit(Xn, y, groups=g)
    assert clf.get_params(deep=False).keys() == params_before.keys()
    twin = clone(clf).fit(Xn, y, groups=g)
    p = clf.predict_proba(Xn)
    np.testing.assert_array_equal(p, twin.predict_proba(Xn))  # same seed, same predictions
    path = tmp_path / f"{spec.name}.pt"
    clf.save(path)
    loaded = type(clf).load(path)
    np.testing.assert_array_equal(loaded.predict_proba(Xn), p)  # bit-exact
    np.testing.assert_array_equal(loaded.predict(Xn), clf.predict(Xn))
    assert loaded.input_shape_ == clf.input_shape_ == Xn.shape[1:]
    with pytest.raises(ValueError, match="fitted"):  # still refuses other windows
        loaded.predict(_inputs(spec, np.ascontiguousarray(X[..., :48]), sfreq))


@pytest.mark.filterwarnings("ignore:groups holds a single subject:UserWarning")
@pytest.mark.parametrize("spec", [s for s in SPECS if s.input_builder is None],
                         ids=[s.name for s in SPECS if s.input_builder is None])
def test_pipeline_gridsearch_groupkfold_real_chbmit(spec, shared_data):
    """Band-pass + notch + standardiser + network in GridSearchCV(GroupKFold) on CHB-MIT.

    The shared CHB-MIT windows hold two patients, so each training fold has one
    patient and the inner split falls back (with a warning) to window-wise.
    """
    from tests._extracts import load_chbmit_windows
    from skseizure.preprocessing.standardization import ChannelStandardizer

    w = load_chbmit_windows(shared_data / "chbmit")
    X, y, g = np.asarray(w.X)[:, :, :1024], np.asarray(w.y), np.asarray(w.groups)
    # isolated excerpts: no window-by-window band-pass (filter continuous recordings before
    # windowing); the pipeline still has a fitted preprocessing step
    pipe = Pipeline([
        ("std", ChannelStandardizer()),
        ("clf", spec.make_estimator(**{**FAST, "max_epochs": 1})),
    ])
    with sklearn.config_context(enable_metadata_routing=True):
        gs = GridSearchCV(pipe, {"clf__lr": [1e-3, 1e-2]}, cv=GroupKFold(n_splits=2),
                          scoring="roc_auc").fit(X, y, groups=g)
    assert set(gs.cv_results_["params"][0]) == {"clf__lr"}
    assert np.all(np.isfinite(gs.cv_results_["mean_test_score"]))
    assert gs.predict(X).shape == y.shape
    assert gs.best_estimator_.named_steps["clf"].n_channels_in_ == 23


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_tuned_threshold_on_top(spec, helsinki_small):
    X, y, g, sfreq = helsinki_small
    Xn = _inputs(spec, X, sfreq)
    with sklearn.config_context(enable_metadata_routing=True):
        tuned = TunedThresholdClassifierCV(spec.make_estimator(**FAST), scoring="f1",
                                           cv=GroupKFold(n_splits=2), random_state=0)
        tuned.fit(Xn, y, groups=g)
    assert 0.0 <= tuned.best_threshold_ <= 1.0
    proba = tuned.predict_proba(Xn)[:, 1]
    np.testing.assert_array_equal(tuned.predict(Xn), (proba >= tuned.best_threshold_).astype(int))


# --------------------------------------------------------------------------- 3-D checks
_RAW = [s for s in SPECS if s.input_builder is None]


def _3d_cases():
    cases = []
    for spec in _RAW:
        est = spec.make_estimator(max_epochs=1, batch_size=16, random_state=0)
        for check in yield_3d_checks(est, data_params={"n_times": 128, "n_windows": 32}):
            name = getattr(check, "func", check).__name__
            if name == "check_channel_mismatch_rejected" and getattr(
                    est, "accepts_any_n_channels", False):
                # accepting any channel count is this network's contract; its own tests
                # (tests/models/test_channel_pooled.py) assert that instead
                continue
            cases.append(pytest.param(est, check, id=f"{spec.name}-{name}"))
    return cases


@pytest.mark.parametrize("estimator, check", _3d_cases())
def test_3d_estimator_checks(estimator, check):
    """tests.estimator_checks (the 3-D counterpart of sklearn's checks)."""
    check(type(estimator).__name__, estimator)


def test_sklearn_2d_checks_not_applicable():
    """sklearn's parametrize_with_checks generates 2-D data only; our nets need 3-D.

    The tags declare it, which is what makes sklearn skip them; the 3-D suite
    above replaces those checks.
    """
    from sklearn.utils import get_tags

    for spec in SPECS:
        tags = get_tags(spec.make_estimator())
        assert tags.input_tags.three_d_array and not tags.input_tags.two_d_array
        assert tags.estimator_type == "classifier"
