"""BaseNetClassifier semantics, exercised through LightCNNClassifier on real windows."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.exceptions import NotInitializedError

from skseizure.estimators import BaseNetClassifier, inner_validation_split
from skseizure.estimators.light_cnn import LightCNNClassifier
from skseizure.estimators.light_seizure_net import LightSeizureNetClassifier

TINY = {"module__n_filters": (8, 8, 8), "batch_size": 32}


def _clf(**kw):
    return LightCNNClassifier(**{**TINY, "max_epochs": 2, "random_state": 0, **kw})


@pytest.fixture(scope="module")
def fitted(helsinki_small):
    X, y, g, _ = helsinki_small
    return _clf(max_epochs=4).fit(X, y, groups=g)


def test_defaults_follow_the_paper():
    """Adam, lr 0.0025, batch 128, at most 120 epochs (Mounvik K and Harshit, 2025)."""
    clf = LightCNNClassifier()
    p = clf.get_params()
    assert p["lr"] == 0.0025 and p["batch_size"] == 128 and p["max_epochs"] == 120
    assert p["optimizer"] is torch.optim.Adam and p["criterion"] is torch.nn.CrossEntropyLoss
    assert p["valid_size"] == 0.2 and p["verbose"] == 0 and p["device"] == "cpu"
    assert "module" not in p  # fixed by the subclass
    names = [name for name, _ in clf.get_default_callbacks()]
    assert {"valid_f1_macro", "early_stopping", "lr_scheduler"} <= set(names)


def test_params_unchanged_by_fit(helsinki_small):
    X, y, g, _ = helsinki_small
    clf = _clf(max_epochs=1)
    before = clf.get_params(deep=False)
    clf.fit(X, y, groups=g)
    after = clf.get_params(deep=False)
    assert before.keys() == after.keys()
    assert all(before[k] is after[k] for k in before)
    assert not any(k in after for k in ("module__n_chans", "module__n_times", "module__n_outputs"))
    assert clf.n_channels_in_ == 18 and clf.n_times_in_ == 64
    assert clf.module_kwargs_from_data_ == {"n_chans": 18, "n_times": 64, "n_outputs": 2}


def test_clone_is_unfitted(fitted):
    c = clone(fitted)
    assert c.get_params(deep=False).keys() == fitted.get_params(deep=False).keys()
    with pytest.raises(NotInitializedError):
        c.predict(np.zeros((1, 18, 64), np.float32))
    with pytest.raises(AttributeError):
        c.classes_  # noqa: B018


def test_subject_wise_inner_split(fitted, helsinki_small):
    X, y, g, _ = helsinki_small
    valid = fitted.valid_indices_
    train = np.setdiff1d(np.arange(len(y)), valid)
    assert valid.size > 0
    assert not set(g[valid]) & set(g[train])  # no infant on both sides
    assert 0.05 < valid.size / len(y) < 0.45


def test_inner_split_without_groups_is_stratified():
    y = np.array([0] * 80 + [1] * 20)
    tr, va = inner_validation_split(y, None, 0.2, random_state=0)
    assert len(va) == 20 and np.bincount(y[va]).tolist() == [16, 4]
    with pytest.warns(UserWarning, match="single subject"):
        inner_validation_split(y, np.zeros(100), 0.2, random_state=0)
    with pytest.raises(ValueError, match="valid_size"):
        inner_validation_split(y, None, 1.5)


def test_inner_split_few_subjects_falls_back_to_group_shuffle():
    y = np.array([0, 1] * 15)
    g = np.repeat([0, 1, 2], 10)
    tr, va = inner_validation_split(y, g, 0.2, random_state=0)
    assert len(set(g[va])) == 1 and not set(g[va]) & set(g[tr])


def test_string_labels_and_outputs(helsinki_small):
    X, y, g, _ = helsinki_small
    ys = np.where(y == 1, "seizure", "background")
    clf = _clf(max_epochs=1).fit(X, ys, groups=g)
    assert clf.classes_.tolist() == ["background", "seizure"]
    pred = clf.predict(X[:7])
    assert set(pred) <= {"background", "seizure"}
    proba = clf.predict_proba(X[:7])
    assert proba.shape == (7, 2) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(1)])
    assert clf.score(X, ys) == pytest.approx(np.mean(clf.predict(X) == ys))
    assert clf.decision_function(X[:7]).shape == (7,)


def test_class_weight(helsinki_small):
    X, y, g, _ = helsinki_small
    keep = np.r_[np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:30]]
    clf = _clf(max_epochs=1, class_weight="balanced").fit(X[keep], y[keep], groups=g[keep])
    n0, n1 = np.bincount(y[keep])
    np.testing.assert_allclose(clf.class_weight_, [(n0 + n1) / (2 * n0), (n0 + n1) / (2 * n1)], rtol=1e-6)
    np.testing.assert_allclose(clf.criterion_.weight.numpy(), clf.class_weight_)
    clf = _clf(max_epochs=1, class_weight={1: 5.0}).fit(X[keep], y[keep], groups=g[keep])
    np.testing.assert_allclose(clf.class_weight_, [1.0, 5.0])
    with pytest.raises(ValueError, match="not a class"):
        _clf(class_weight={7: 2.0}).fit(X[keep], y[keep], groups=g[keep])


def test_class_weight_reaches_every_criterion(helsinki_small):
    """One place injects class weights: CNN-BiLSTM's focal loss and cross-entropy get them."""
    from skseizure.estimators import CNNBiLSTMClassifier, FocalLoss

    X, y, g, _ = helsinki_small
    small = {"module__n_filters": (4, 4), "module__lstm_hidden": 4, "module__fc_hidden": 4,
             "max_epochs": 1, "valid_size": None, "random_state": 0, "class_weight": {1: 3.0}}
    focal = CNNBiLSTMClassifier(**small).fit(X, y)
    assert isinstance(focal.criterion_, FocalLoss)
    np.testing.assert_allclose(focal.criterion_.weight.numpy(), [1.0, 3.0])
    ce = CNNBiLSTMClassifier(criterion=torch.nn.CrossEntropyLoss, **small).fit(X, y)
    assert type(ce.criterion_) is torch.nn.CrossEntropyLoss  # gamma/alpha were dropped
    np.testing.assert_allclose(ce.criterion_.weight.numpy(), [1.0, 3.0])


def test_determinism_and_rng_isolation(helsinki_small):
    X, y, g, _ = helsinki_small
    torch.manual_seed(123)
    state = torch.get_rng_state()
    p1 = _clf(random_state=7).fit(X, y, groups=g).predict_proba(X)
    assert torch.equal(torch.get_rng_state(), state)  # caller's global RNG untouched
    p2 = _clf(random_state=7).fit(X, y, groups=g).predict_proba(X)
    p3 = _clf(random_state=8).fit(X, y, groups=g).predict_proba(X)
    np.testing.assert_array_equal(p1, p2)
    assert not np.array_equal(p1, p3)


def test_early_stopping_restores_best(helsinki_small):
    X, y, g, _ = helsinki_small
    clf = _clf(max_epochs=30, patience=3, lr=0.05).fit(X, y, groups=g)
    f1 = np.array(clf.history[:, "valid_f1_macro"])
    assert len(f1) < 30  # stopped early
    # the restored weights reproduce the best validation F1
    from sklearn.metrics import f1_score

    va = clf.valid_indices_
    assert f1_score(y[va], clf.predict(X[va]), average="macro") == pytest.approx(f1.max())


def test_no_validation(helsinki_small):
    X, y, g, _ = helsinki_small
    clf = _clf(valid_size=None).fit(X, y, groups=g)
    assert clf.valid_indices_ is None
    assert "valid_f1_macro" not in clf.history[-1]
    names = [n for n, _ in clf.callbacks_]
    assert "early_stopping" not in names and "lr_scheduler" in names


def test_verbosity(helsinki_small, capsys):
    X, y, g, _ = helsinki_small
    _clf(max_epochs=1).fit(X, y, groups=g)
    assert capsys.readouterr().out == ""
    _clf(max_epochs=1, verbose=1).fit(X, y, groups=g)
    out = capsys.readouterr().out
    assert "valid_f1_macro" in out and "train_loss" in out


def test_input_validation(fitted, helsinki_small):
    X, y, g, _ = helsinki_small
    with pytest.raises(ValueError, match="channels"):
        fitted.predict(X[:, :5])
    with pytest.raises(ValueError, match="3-D"):
        fitted.predict(X[:, 0])
    with pytest.raises(ValueError, match="NaN"):
        bad = X[:3].copy()
        bad[0, 0, 0] = np.nan
        fitted.predict(bad)
    with pytest.raises(ValueError, match="n_times=48 samples.*fitted with n_times=64"):
        fitted.predict(X[:, :, :48])
    with pytest.raises(ValueError, match="n_times=96 samples.*fitted with n_times=64"):
        fitted.predict_proba(np.concatenate([X, X[:, :, :32]], axis=2))
    with pytest.raises(ValueError, match="n_times=32"):
        fitted.score(X[:, :, :32], y)
    with pytest.raises(ValueError, match="n_times=32"):
        fitted.decision_function(X[:, :, :32])
    with pytest.raises(ValueError, match="n_times=32"):
        fitted.partial_fit(X[:, :, :32], y)
    with pytest.raises(ValueError, match="at least 8 samples"):
        _clf().fit(X[:, :, :5], y, groups=g)
    with pytest.raises(ValueError, match="2 classes"):
        _clf().fit(X, np.zeros(len(y)), groups=g)
    with pytest.raises(ValueError, match="subject id per window"):
        _clf().fit(X, y, groups=g[:-1])
    with pytest.raises(ValueError, match="1 missing or infinite label.*index 4"):
        _clf().fit(X, np.where(np.arange(len(y)) == 4, np.nan, y), groups=g)
    with pytest.raises(ValueError, match="3 missing or infinite"):
        labels = np.where(y == 1, "seizure", "background").astype(object)
        labels[[0, 5, 9]] = [None, np.nan, -np.inf]
        _clf().fit(X, labels, groups=g)
    with pytest.raises(ValueError, match="1-D"):
        _clf().fit(X, np.c_[y, y], groups=g)


def test_window_wise_split_warning(helsinki_small, recwarn):
    """Early stopping without groups warns once per fit; never with groups or no split."""
    from skorch.dataset import ValidSplit

    from skseizure.estimators import WindowWiseSplitWarning

    X, y, g, _ = helsinki_small
    with pytest.warns(WindowWiseSplitWarning, match="groups=subject_ids") as record:
        _clf(max_epochs=3).fit(X, y)
    assert len([w for w in record if w.category is WindowWiseSplitWarning]) == 1
    assert record[0].filename == __file__  # points at the caller's fit
    recwarn.clear()
    _clf(max_epochs=1).fit(X, y, groups=g)
    _clf(max_epochs=1, valid_size=None).fit(X, y)
    _clf(max_epochs=1, train_split=None).fit(X, y)
    _clf(max_epochs=1, train_split=ValidSplit(5, stratified=True)).fit(X, y)  # the caller's own
    assert not [w for w in recwarn if w.category is WindowWiseSplitWarning]


def test_save_load_bit_exact(fitted, helsinki_small, tmp_path):
    X, *_ = helsinki_small
    path = tmp_path / "net.skseizure.pt"
    fitted.save(path)
    loaded = LightCNNClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert loaded.get_params(deep=False).keys() == fitted.get_params(deep=False).keys()
    assert loaded.n_channels_in_ == 18 and loaded.classes_.tolist() == [0, 1]
    assert len(loaded.history) == len(fitted.history)
    # generic loader dispatches on the stored class
    assert type(BaseNetClassifier.load(path)) is LightCNNClassifier
    # the file is readable with weights_only=True (no code execution)
    payload = torch.load(path, weights_only=True)
    assert payload["format"] == "skseizure.estimator"


def test_save_refuses_overwrite_and_unsafe_params(fitted, tmp_path, helsinki_small):
    path = tmp_path / "net.pt"
    fitted.save(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        fitted.save(path)
    fitted.save(path, overwrite=True)
    X, y, g, _ = helsinki_small
    odd = _clf(max_epochs=1, criterion=torch.nn.CrossEntropyLoss(), callbacks=None).fit(X, y, groups=g)
    with pytest.raises(ValueError, match="cannot be saved safely"):
        odd.save(tmp_path / "odd.pt")
    with pytest.raises(NotInitializedError):
        _clf().save(tmp_path / "unfitted.pt")


def test_load_other_architecture_is_clear_error(fitted, tmp_path, helsinki_small):
    path = tmp_path / "cnn.pt"
    fitted.save(path)
    with pytest.raises(ValueError, match="different architecture"):
        LightSeizureNetClassifier.load(path)
    not_ours = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, not_ours)
    with pytest.raises(ValueError, match="not an skseizure estimator file"):
        LightCNNClassifier.load(not_ours)


def test_pickle_roundtrip(fitted, helsinki_small):
    import pickle

    X, *_ = helsinki_small
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))


def test_partial_fit_and_warm_start(helsinki_small):
    X, y, g, _ = helsinki_small
    clf = _clf(max_epochs=1, valid_size=None)
    clf.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert len(clf.history) == 2
    clf.set_params(warm_start=True)
    clf.fit(X, y)
    assert len(clf.history) == 3


def test_groups_routed_through_gridsearch(helsinki_small, monkeypatch):
    import sklearn
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.pipeline import Pipeline

    import skseizure.estimators._components as base
    from skseizure.preprocessing.standardization import ChannelStandardizer

    X, y, g, _ = helsinki_small
    seen = []
    orig = base.inner_validation_split

    def spy(yy, groups=None, *a, **k):
        seen.append(groups)
        return orig(yy, groups, *a, **k)

    monkeypatch.setattr(base, "inner_validation_split", spy)
    pipe = Pipeline([("std", ChannelStandardizer()), ("clf", _clf(max_epochs=1))])
    with sklearn.config_context(enable_metadata_routing=True):
        gs = GridSearchCV(pipe, {"clf__lr": [1e-3, 1e-2]}, cv=GroupKFold(2)).fit(X, y, groups=g)
    assert len(seen) == 5 and all(s is not None for s in seen)
    assert gs.best_estimator_.named_steps["clf"].n_channels_in_ == 18
    seen.clear()
    GridSearchCV(pipe, {"clf__lr": [1e-3]}, cv=GroupKFold(2)).fit(X, y, groups=g, clf__groups=g)
    assert len(seen) == 3 and all(s is not None for s in seen)


def test_precision_setting_runs_the_forward_under_autocast():
    """``precision='bfloat16'`` trains and predicts (on the CPU here) with float32 outputs."""
    import torch
    from sklearn.base import clone

    from skseizure.estimators import LightCNNClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3, 64)).astype(np.float32)
    y = np.repeat([0, 1], 32)
    X[y == 1] += 2.0
    seen = []
    clf = LightCNNClassifier(module__n_filters=(4, 8, 8), max_epochs=1, batch_size=16,
                             valid_size=None, random_state=0, precision="bfloat16").fit(X, y)
    hook = clf.module_.register_forward_hook(
        lambda m, inp, out: seen.append((torch.is_autocast_cpu_enabled(), out.dtype)))
    clf.partial_fit(X, y)
    proba = clf.predict_proba(X)
    hook.remove()
    assert seen and all(enabled and dtype == torch.bfloat16 for enabled, dtype in seen)
    assert proba.dtype == np.float32 and np.allclose(proba.sum(1), 1, atol=1e-3)
    assert clone(clf).get_params()["precision"] == "bfloat16"
    with pytest.raises(ValueError, match="precision"):
        LightCNNClassifier(precision="int8").fit(X, y)
