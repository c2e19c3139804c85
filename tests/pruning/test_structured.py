"""StructuredPruner as an sklearn meta-estimator, on real Helsinki neonatal windows."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline
from skorch import NeuralNetClassifier
from torch import nn

from tests._extracts import load_helsinki_neonatal
from skseizure.estimators import BaseNetClassifier
from skseizure.estimators.cnn_bilstm import CNNBiLSTMClassifier
from skseizure.estimators.light_cnn import LightCNNClassifier
from skseizure.estimators.light_seizure_net import LightSeizureNetClassifier
from skseizure.preprocessing.standardization import ChannelStandardizer
from skseizure.pruning import load_pruned, save_pruned
from skseizure.pruning.structured import StructuredPruner

WIDTHS = (16, 32, 64)



@pytest.fixture(scope="module")
def helsinki(shared_data):
    w = load_helsinki_neonatal(shared_data / "helsinki-neonatal", expert="A")
    X = ChannelStandardizer().fit_transform(w.X)  # volts -> unit variance per channel
    return X.astype(np.float32), np.asarray(w.y), np.asarray(w.groups)


def _cnn(**kw):
    params = dict(module__n_filters=WIDTHS, max_epochs=2, random_state=0, patience=None,
                  lr_patience=None)
    params.update(kw)
    return LightCNNClassifier(**params)


def _expected_params(widths, n_chans=18, kernels=(7, 5, 3), n_outputs=2):
    total, c_in = 0, n_chans
    for w, k in zip(widths, kernels):
        total += c_in * w * k + w + 2 * w
        c_in = w
    return total + c_in * n_outputs + n_outputs


def _widths(est):
    return tuple(blk[0].out_channels for blk in est.module_.features)


@pytest.fixture(scope="module")
def fitted(helsinki):
    X, y, g = helsinki
    return StructuredPruner(_cnn(), amount=0.5, random_state=0).fit(X, y, groups=g)


def test_fit_prunes_physically_and_records_everything(fitted, helsinki):
    X, y, g = helsinki
    p = fitted
    assert p.amount_ == 0.5
    assert _widths(p.estimator_) == (8, 16, 32)
    assert _widths(p.baseline_estimator_) == WIDTHS
    assert p.estimator_.module_.final_layer.in_features == 32
    assert p.n_params_before_ == _expected_params(WIDTHS)
    assert p.n_params_after_ == _expected_params((8, 16, 32))
    assert p.kernel_retention_["overall"] == 0.5
    assert set(p.kernel_retention_["per_layer"].values()) == {0.5}
    assert p.protected_layers_ == {}
    assert sorted(len(v) for v in p.removed_channels_.values()) == [8, 16, 32]
    # FLOPs: 2 per MAC of the convs and the FC, 64-sample windows, pools of 2
    def flops(w):
        return 2 * (18 * w[0] * 7 * 64 + w[0] * w[1] * 5 * 32 + w[1] * w[2] * 3 * 16 + w[2] * 2)
    assert p.flops_before_ == flops(WIDTHS)
    assert p.flops_after_ == flops((8, 16, 32))
    assert np.isfinite(p.baseline_score_) and np.isfinite(p.pruned_score_)
    assert len(p.history_) == 1 and p.history_[0]["accepted"] is True
    assert p.history_[0]["n_params"] == p.n_params_after_
    # delegation: the pruned network answers, not the baseline
    assert list(p.classes_) == [0, 1]
    proba = p.predict_proba(X[:20])
    np.testing.assert_array_equal(proba, p.estimator_.predict_proba(X[:20]))
    assert not np.array_equal(proba, p.baseline_estimator_.predict_proba(X[:20]))
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    pred = p.predict(X)
    np.testing.assert_array_equal(pred, p.estimator_.predict(X))
    assert p.score(X, y) == pytest.approx(np.mean(pred == y))
    # retrained with a fresh optimizer on the pruned parameters and a fresh history
    opt_params = [q for grp in p.estimator_.optimizer_.param_groups for q in grp["params"]]
    assert {id(q) for q in opt_params} == {id(q) for q in p.estimator_.module_.parameters()}
    assert len(p.estimator_.history_) == 2  # max_epochs of the retraining only
    # no amount to choose: no validation split; the test split is subject-wise and the
    # reported scores are measured on it
    assert p.validation_indices_ is None
    test = p.test_indices_
    train = np.setdiff1d(np.arange(len(y)), test)
    assert np.intersect1d(g[test], g[train]).size == 0
    assert p.baseline_score_ == pytest.approx(
        f1_score(y[test], p.baseline_estimator_.predict(X[test]), average="macro"))
    assert p.pruned_score_ == pytest.approx(
        f1_score(y[test], p.estimator_.predict(X[test]), average="macro"))


def test_amount_zero_changes_nothing(helsinki):
    X, y, g = helsinki
    p = StructuredPruner(_cnn(), amount=0.0, random_state=0).fit(X, y, groups=g)
    assert p.kernel_retention_["overall"] == 1.0
    assert p.n_params_after_ == p.n_params_before_ and p.flops_after_ == p.flops_before_
    assert p.removed_channels_ == {}
    np.testing.assert_array_equal(
        p.predict_proba(X), p.baseline_estimator_.predict_proba(X)
    )
    assert p.pruned_score_ == p.baseline_score_


@pytest.mark.parametrize("amount", [-0.1, 1.0, 1.5, True, "half", float("nan")])
def test_amount_outside_unit_interval_is_value_error(amount, helsinki):
    X, y, _ = helsinki
    with pytest.raises(ValueError, match="amount"):
        StructuredPruner(_cnn(), amount=amount).fit(X[:40], y[:40])


def test_bad_constraint_parameters(helsinki):
    X, y, _ = helsinki
    with pytest.raises(ValueError, match="max_score_drop"):
        StructuredPruner(_cnn(), max_score_drop=-0.1).fit(X[:40], y[:40])
    with pytest.raises(ValueError, match="validation_fraction"):
        StructuredPruner(_cnn(), max_score_drop=0.01, validation_fraction=None).fit(X[:40], y[:40])
    for bad in (0.0, 1.0, "0.2", True):
        with pytest.raises(ValueError, match="test_fraction"):
            StructuredPruner(_cnn(), test_fraction=bad).fit(X[:40], y[:40])
    with pytest.raises(ValueError, match="refit"):
        StructuredPruner(_cnn(), refit="yes").fit(X[:40], y[:40])
    single = np.zeros(40, dtype=int)
    with pytest.raises(ValueError, match="single subject.*test split"):
        StructuredPruner(_cnn()).fit(X[:40], y[:40], groups=single)


def test_non_network_estimator_is_type_error(helsinki):
    X, y, _ = helsinki
    with pytest.raises(TypeError, match="LogisticRegression"):
        StructuredPruner(LogisticRegression()).fit(X[:40], y[:40])


class _MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(18 * 64, 2)

    def forward(self, x):
        return self.fc(x.flatten(1))


def test_network_without_convolutions_is_type_error(helsinki):
    X, y, _ = helsinki
    net = NeuralNetClassifier(_MLP, max_epochs=1, train_split=None)
    with pytest.raises(TypeError, match="_MLP.*no convolution"):
        StructuredPruner(net, validation_fraction=None, test_fraction=None).fit(X[:64], y[:64])


def test_prefit_uses_the_fitted_estimator_without_modifying_it(helsinki):
    X, y, g = helsinki
    base = _cnn().fit(X, y, groups=g)
    before = base.predict_proba(X)
    p = StructuredPruner(base, amount=0.5, prefit=True, retrain=False, random_state=0)
    p.fit(X, y, groups=g)
    assert _widths(base) == WIDTHS
    np.testing.assert_array_equal(base.predict_proba(X), before)
    np.testing.assert_array_equal(p.baseline_estimator_.predict_proba(X), before)
    assert _widths(p.estimator_) == (8, 16, 32)
    with pytest.raises(ValueError, match="not fitted"):
        StructuredPruner(_cnn(), prefit=True).fit(X, y, groups=g)


def _kept_fraction(est, X, y):
    """A deterministic 'score': fraction of the kernels kept (baseline = 1)."""
    return sum(_widths(est)) / sum(WIDTHS)


def test_constrained_search_bisects_to_the_largest_acceptable_amount(helsinki):
    X, y, g = helsinki
    p = StructuredPruner(_cnn(max_epochs=1), amount=0.8, scoring=_kept_fraction,
                         max_score_drop=0.4, retrain=False, n_search_steps=3, random_state=0)
    p.fit(X, y, groups=g)
    assert p.baseline_score_ == 1.0
    path = [(h["amount"], h["accepted"]) for h in p.history_]
    # 0.8 keeps 20% (rejected) -> 0.4 keeps 69/112 -> 0.6 keeps 46/112 -> 0.5 keeps 1/2
    assert path == [(0.8, False), (0.4, True), (0.6, False), (0.5, False)]
    assert p.amount_ == 0.4
    assert p.pruned_score_ == pytest.approx(69 / 112)
    assert p.pruned_score_ >= p.baseline_score_ - 0.4
    assert _widths(p.estimator_) == (10, 20, 39)


def test_constraint_that_nothing_meets_keeps_the_baseline(helsinki):
    X, y, g = helsinki
    p = StructuredPruner(_cnn(max_epochs=1), amount=0.5, scoring=_kept_fraction,
                         max_score_drop=0.0, retrain=False, n_search_steps=2, random_state=0)
    p.fit(X, y, groups=g)
    assert p.amount_ == 0.0 and p.estimator_ is p.baseline_estimator_
    assert [h["accepted"] for h in p.history_] == [False, False, False]
    assert p.kernel_retention_["overall"] == 1.0


def test_constrained_search_on_real_scores(helsinki):
    """Real validation scores: each candidate is accepted exactly when it keeps the score."""
    X, y, g = helsinki
    # one-shot removal of 95% of the kernels: the network falls to chance, so the
    # search has to bisect
    p = StructuredPruner(_cnn(max_epochs=8), amount=0.95, max_score_drop=0.05, retrain=False,
                         n_search_steps=3, random_state=0).fit(X, y, groups=g)
    val, test = p.validation_indices_, p.test_indices_
    train = np.setdiff1d(np.arange(len(y)), np.concatenate([val, test]))
    # three disjoint parts, whole infants each
    for a, b in ((val, test), (val, train), (test, train)):
        assert np.intersect1d(g[a], g[b]).size == 0
    assert p.baseline_validation_score_ == pytest.approx(
        f1_score(y[val], p.baseline_estimator_.predict(X[val]), average="macro"))
    threshold = p.baseline_validation_score_ - 0.05
    amounts = [h["amount"] for h in p.history_]
    assert amounts[0] == 0.95 and p.history_[0]["accepted"] is False
    assert len(p.history_) == 4  # 0.95, then 3 bisection steps
    for h in p.history_:
        assert h["accepted"] == (h["score"] >= threshold), h
    # bisection: each next amount halves the interval left by the previous verdict
    lo, hi = 0.0, 0.95
    for h, nxt in zip(p.history_, amounts[1:]):
        lo, hi = (h["amount"], hi) if h["accepted"] else (lo, h["amount"])
        assert nxt == pytest.approx((lo + hi) / 2)
    accepted = [h["amount"] for h in p.history_ if h["accepted"]]
    assert p.amount_ == max(accepted, default=0.0)
    chosen = [h for h in p.history_ if h["amount"] == p.amount_]
    assert all(h["score"] >= threshold for h in chosen)
    # the reported scores come from the test infants, which played no part in the choice
    assert p.baseline_score_ == pytest.approx(
        f1_score(y[test], p.baseline_estimator_.predict(X[test]), average="macro"))
    assert p.pruned_score_ == pytest.approx(
        f1_score(y[test], p.estimator_.predict(X[test]), average="macro"))


def test_clone_get_set_params_and_pickle(fitted, helsinki):
    X, _, _ = helsinki
    params = fitted.get_params()
    assert params["amount"] == 0.5 and params["estimator__lr"] == 0.0025
    assert params["estimator__module__n_filters"] == WIDTHS
    c = clone(fitted)
    assert not hasattr(c, "estimator_")
    c.set_params(amount=0.25, estimator__max_epochs=7)
    assert c.amount == 0.25 and c.estimator.max_epochs == 7
    assert fitted.estimator.max_epochs == 2
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))


def test_save_load_pruned_is_bit_exact(fitted, helsinki, tmp_path):
    X, _, _ = helsinki
    path = fitted.save(tmp_path / "pruned.skseizure.pt")
    loaded = load_pruned(path)
    assert isinstance(loaded, LightCNNClassifier)
    assert _widths(loaded) == (8, 16, 32)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    # the file holds tensors and JSON only
    payload = torch.load(path, weights_only=True)
    assert "pruning_steps_" in payload["config"]
    # the plain loader cannot build the pruned network: a clear error, not garbage
    with pytest.raises(ValueError, match="load_pruned"):
        BaseNetClassifier.load(path)
    with pytest.raises(FileExistsError):
        save_pruned(fitted, path)


def test_load_pruned_reads_unpruned_files_too(helsinki, tmp_path):
    X, y, g = helsinki
    net = _cnn(max_epochs=1).fit(X, y, groups=g)
    path = net.save(tmp_path / "plain.skseizure.pt")
    loaded = load_pruned(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))


@pytest.mark.parametrize("factory", [
    lambda: LightSeizureNetClassifier(module__pool_sizes=(2, 2, 2, 2), max_epochs=1,
                                      random_state=0),
    lambda: CNNBiLSTMClassifier(module__pool_size=2, max_epochs=1, random_state=0),
], ids=["LightSeizureNet", "CNNBiLSTM"])
def test_other_networks_prune_retrain_and_reload(factory, helsinki, tmp_path):
    X, y, g = (a[::2] for a in helsinki)  # every infant, half the windows
    X = np.ascontiguousarray(X[:, :6])  # 6 channels: keeps the per-channel reshape quick
    p = StructuredPruner(factory(), amount=0.5, random_state=0).fit(X, y, groups=g)
    assert p.n_params_after_ < p.n_params_before_
    assert p.flops_after_ < p.flops_before_
    assert p.kernel_retention_["overall"] < 1.0
    final = p.estimator_.module_.final_layer
    assert final.out_features == 2
    loaded = load_pruned(p.save(tmp_path / "net.pt"))
    np.testing.assert_array_equal(loaded.predict_proba(X), p.predict_proba(X))
    if hasattr(p.estimator_, "ecam"):
        assert p.estimator_.ecam(X[:3]).shape[:2] == (3, 6)
        assert p.kernel_retention_["overall"] == 0.5  # every block, the last one included


def test_grid_search_over_amount_with_group_kfold(helsinki):
    """GridSearchCV picks the amount by its own held-out (GroupKFold) score and refits
    the pipeline at that amount on all the windows."""
    X, y, g = helsinki
    pipe = Pipeline([
        ("std", ChannelStandardizer()),
        ("clf", StructuredPruner(_cnn(max_epochs=1), random_state=0)),
    ])
    search = GridSearchCV(pipe, {"clf__amount": [0.25, 0.5, 0.75]}, cv=GroupKFold(n_splits=3),
                          scoring="f1_macro", error_score="raise")
    search.fit(X, y, groups=g, clf__groups=g)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    # the held-out scores differ, so the choice is real, and the best one is taken
    assert np.unique(np.round(scores, 6)).size > 1
    assert search.best_index_ == int(np.argmax(scores))
    best = search.best_estimator_[-1]
    assert best.amount_ == search.best_params_["clf__amount"]
    expected = {0.25: (12, 24, 48), 0.5: (8, 16, 32), 0.75: (4, 8, 16)}[best.amount_]
    assert _widths(best.estimator_) == expected
    # refitted on every window: the pruner's test split indexes the full X, subject-wise,
    # and its network was trained on all the other windows
    test = best.test_indices_
    assert np.intersect1d(g[test], np.delete(g, test)).size == 0
    assert _windows_seen(best.estimator_) == len(y) - test.size
    assert search.predict(X[:5]).shape == (5,)
    assert search.score(X, y) == pytest.approx(f1_score(y, search.predict(X), average="macro"))


def _windows_seen(est):
    """Windows of the first epoch (training + the network's early-stopping split)."""
    batches = est.history_[0]["batches"]
    return sum(b.get("train_batch_size", 0) + b.get("valid_batch_size", 0) for b in batches)


def test_refit_retrains_the_chosen_network_on_all_windows(helsinki):
    X, y, g = (a[::2] for a in helsinki)
    kw = dict(amount=0.5, random_state=0)
    plain = StructuredPruner(_cnn(max_epochs=1), **kw).fit(X, y, groups=g)
    refit = StructuredPruner(_cnn(max_epochs=1), refit=True, **kw).fit(X, y, groups=g)
    n_test = plain.test_indices_.size
    assert 0 < n_test < len(y)
    assert _windows_seen(plain.estimator_) == len(y) - n_test
    assert _windows_seen(refit.estimator_) == len(y)
    # same choice and same held-out scores (measured before the refit) ...
    assert refit.amount_ == plain.amount_
    assert _widths(refit.estimator_) == _widths(plain.estimator_) == (8, 16, 32)
    assert refit.pruned_score_ == plain.pruned_score_
    assert refit.baseline_score_ == plain.baseline_score_
    # ... but the final network was trained further, on every window
    assert not np.array_equal(refit.predict_proba(X), plain.predict_proba(X))
    assert refit.estimator_.pruning_steps_ == plain.estimator_.pruning_steps_


def test_groups_are_routed_with_metadata_routing(helsinki):
    import sklearn

    X, y, g = helsinki
    pipe = Pipeline([("clf", StructuredPruner(_cnn(max_epochs=1), amount=0.5, random_state=0))])
    search = GridSearchCV(pipe, {"clf__amount": [0.5]}, cv=GroupKFold(n_splits=2),
                          scoring="f1_macro", error_score="raise")
    with sklearn.config_context(enable_metadata_routing=True):
        search.fit(X, y, groups=g)
    best = search.best_estimator_[-1]
    test = best.test_indices_
    assert np.intersect1d(g[test], np.delete(g, test)).size == 0


def test_pruning_a_pruned_network_again_continues_its_record(fitted, helsinki, tmp_path):
    X, y, g = helsinki
    again = StructuredPruner(fitted.estimator_, amount=0.5, prefit=True, retrain=False,
                             random_state=0).fit(X, y, groups=g)
    assert _widths(again.estimator_) == (4, 8, 16)
    assert _widths(fitted.estimator_) == (8, 16, 32)  # the input network is untouched
    assert len(again.estimator_.pruning_steps_) == 6
    loaded = load_pruned(again.save(tmp_path / "twice.pt"))
    assert _widths(loaded) == (4, 8, 16)
    np.testing.assert_array_equal(loaded.predict_proba(X), again.predict_proba(X))


def test_unknown_importance_is_value_error(helsinki):
    X, y, g = helsinki
    with pytest.raises(ValueError, match="importance"):
        StructuredPruner(_cnn(max_epochs=1), importance="taylor").fit(X, y, groups=g)


# ----------------------------------------------------------------- input contract
@pytest.fixture(scope="module")
def small_pruned(helsinki):
    X, y, g = (a[::4] for a in helsinki)
    return StructuredPruner(_cnn(max_epochs=1), amount=0.5, random_state=0).fit(X, y, groups=g)


def test_refuses_another_window_length(small_pruned, helsinki):
    X, y, _ = helsinki
    assert small_pruned.input_shape_ == (18, 64)
    short = X[:10, :, :48]
    for method in (small_pruned.predict, small_pruned.predict_proba,
                   lambda Z: small_pruned.score(Z, y[:10])):
        with pytest.raises(ValueError, match="n_times=48 samples.*fitted with n_times=64"):
            method(short)
    with pytest.raises(ValueError, match="channels"):
        small_pruned.predict(X[:10, :12])
    assert small_pruned.predict(X[:10]).shape == (10,)


@pytest.mark.parametrize("kind", ["float-nan", "float-inf", "object-none", "object-nan"])
def test_refuses_missing_or_infinite_labels(kind, helsinki):
    X, y, g = (a[:120] for a in helsinki)
    bad = y.astype(object if kind.startswith("object") else float)
    bad[3] = {"float-nan": np.nan, "float-inf": np.inf, "object-none": None,
              "object-nan": float("nan")}[kind]
    pruner = StructuredPruner(_cnn(max_epochs=1), random_state=0)
    with pytest.raises(ValueError, match="missing or infinite label.*index 3"):
        pruner.fit(X, bad, groups=g)
    assert not hasattr(pruner, "estimator_")


def _split_warnings(record):
    from skseizure.estimators import WindowWiseSplitWarning

    return [w for w in record if issubclass(w.category, WindowWiseSplitWarning)]


def test_warns_once_without_groups(helsinki):
    import warnings

    X, y, g = (a[::4] for a in helsinki)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        StructuredPruner(_cnn(max_epochs=1), amount=0.5, random_state=0).fit(X, y)
    found = _split_warnings(record)
    assert len(found) == 1  # not one per (re)training of the network
    message = str(found[0].message)
    assert message.startswith("StructuredPruner was fitted without groups")
    assert "window-wise, not subject-wise" in message and "groups=" in message
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        StructuredPruner(_cnn(max_epochs=1), amount=0.5, random_state=0).fit(X, y, groups=g)
        StructuredPruner(_cnn(max_epochs=1, valid_size=None), amount=0.5,
                         test_fraction=None, random_state=0).fit(X, y)
    assert not _split_warnings(record)
