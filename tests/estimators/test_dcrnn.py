"""DCRNNClassifier / DCRNNPretrainer: parameter counts, graph plumbing, augmentation,
training on real data, pre-training, persistence (generic loaders, resumed training)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.pipeline import make_pipeline

from skseizure.estimators import BaseNetClassifier
from skseizure.estimators.dcrnn import DCRNNClassifier, DCRNNPretrainer
from skseizure.estimators.persistence import load_estimator
from skseizure.datasets.channels import TUSZ_19
from skseizure.datasets.electrodes import mirror_permutation
from skseizure.preprocessing.graphs import CorrelationGraph, DistanceGraph
from skseizure.preprocessing.spectral import FFTLogAmplitude


SMALL = dict(module__num_units=8, batch_size=16, random_state=0)


def _n_params(est):
    return sum(p.numel() for p in est.module_.parameters() if p.requires_grad)


@pytest.fixture(scope="module")
def helsinki_fft(shared_data):
    from tests._extracts import load_helsinki_neonatal

    ds = load_helsinki_neonatal(shared_data)
    feats = FFTLogAmplitude(sfreq=ds.sfreq).fit_transform(ds.X)  # (781, 1, 18, 32)
    return feats, np.asarray(ds.y), np.asarray(ds.groups), list(ds.ch_names)


@pytest.fixture(scope="module")
def chb_sequences(shared_data):
    """FFT steps (1 s, 0-31 Hz) of the 4 whole CHB-MIT seizures: consecutive clips."""
    from tests._extracts import load_chbmit_seizures

    recs = load_chbmit_seizures(shared_data)
    fft = FFTLogAmplitude(sfreq=256, n_bins=32)
    stretches = []
    for rec in recs:
        n_sec = rec.data.shape[1] // 256
        steps = fft.fit_transform(rec.data[None, :, : n_sec * 256])[0]  # (n_sec, 23, 32)
        for s in range(0, n_sec - 6 + 1, 3):
            stretches.append(steps[s:s + 6])
    return np.stack(stretches), list(recs[0].ch_names)


def _synthetic(n=8, T=2, C=19, M=100, n_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(3.0, 1.0, size=(n, T, C, M)).astype(np.float32)
    y = np.arange(n) % n_classes
    return X, y


# ----------------------------------------------------------------------------- counts
@pytest.mark.parametrize("graph, n_classes, expected", [
    (DistanceGraph(), 2, 168_641),
    (CorrelationGraph(top_k=3), 2, 280_769),
    (DistanceGraph(), 4, 168_836),
    (CorrelationGraph(top_k=3), 4, 280_964),
])
def test_paper_configuration_parameter_counts(graph, n_classes, expected):
    X, y = _synthetic(n_classes=n_classes)
    est = DCRNNClassifier(graph=graph, max_epochs=0, valid_size=None, random_state=0).fit(X, y)
    assert _n_params(est) == expected
    assert est.predict_proba(X).shape == (8, n_classes)


@pytest.mark.parametrize("graph, expected", [(DistanceGraph(), 417_572),
                                             (CorrelationGraph(top_k=3), 690_980)])
def test_pretrainer_parameter_counts(graph, expected):
    X, _ = _synthetic(T=3)
    pre = DCRNNPretrainer(graph=graph, horizon=1, max_epochs=0, valid_size=None,
                          random_state=0).fit(X)
    assert _n_params(pre) == expected


# ----------------------------------------------------------------------------- params
def test_graph_params_are_nested_and_searchable():
    est = DCRNNClassifier(graph=DistanceGraph(kappa=0.9))
    params = est.get_params()
    assert params["graph__kappa"] == 0.9
    est.set_params(graph__kappa=0.8, lr=1e-3)
    assert est.graph.kappa == 0.8 and est.lr == 1e-3
    c = clone(est)
    assert c.graph is not est.graph and c.graph.kappa == 0.8
    assert "graph__kappa" not in vars(c)


def test_gridsearch_over_kappa_and_top_k_in_pipeline(helsinki_fft):
    feats, y, groups, ch = helsinki_fft
    # 4 windows from each of 6 seizure and 6 seizure-free infants (one class per infant)
    idx = []
    for label in (0, 1):
        for g in np.unique(groups[y == label])[:6]:
            idx.extend(np.flatnonzero((groups == g) & (y == label))[:4])
    idx = np.asarray(idx)
    X, yy, gg = feats[idx], y[idx], groups[idx]
    cv = StratifiedGroupKFold(2, shuffle=True, random_state=0)
    pipe = make_pipeline(DCRNNClassifier(graph=DistanceGraph(ch_names=ch), max_epochs=1,
                                         valid_size=None, **SMALL))
    search = GridSearchCV(pipe, {"dcrnnclassifier__graph__kappa": [0.5, 0.9]},
                          cv=cv, scoring="roc_auc")
    search.fit(X, yy, groups=gg)
    assert list(search.cv_results_["param_dcrnnclassifier__graph__kappa"]) == [0.5, 0.9]
    best = search.best_estimator_[-1]
    assert best.graph_.kappa == search.best_params_["dcrnnclassifier__graph__kappa"]
    # the kappa actually reached the fitted graph: fewer edges at 0.5
    g05 = DistanceGraph(ch_names=ch, kappa=0.5).fit().adjacency_
    g09 = DistanceGraph(ch_names=ch, kappa=0.9).fit().adjacency_
    assert (g05 > 0).sum() < (g09 > 0).sum()
    search2 = GridSearchCV(
        DCRNNClassifier(graph=CorrelationGraph(ch_names=ch), max_epochs=1, valid_size=None, **SMALL),
        {"graph__top_k": [2, 4]}, cv=cv, scoring="roc_auc")
    search2.fit(X, yy, groups=gg)
    assert search2.best_estimator_.graph_.top_k in (2, 4)
    assert np.isfinite(search2.cv_results_["mean_test_score"]).all()


# ----------------------------------------------------------------------------- augmentation
def test_reflection_permutes_features_and_graph_consistently():
    X, y = _synthetic(n=4, T=2, M=6)
    for graph in (DistanceGraph(), CorrelationGraph(top_k=3, ch_names=list(TUSZ_19))):
        est = DCRNNClassifier(graph=graph, max_epochs=0, valid_size=None, reflect_prob=1.0,
                              scale_range=(1.0, 1.0), **SMALL).fit(X, y)
        x = torch.as_tensor(X)
        sup = est._supports_for(x)
        xa, sa, _ = est._augment(x, sup)
        perm = mirror_permutation(TUSZ_19)
        torch.testing.assert_close(xa, x[:, :, perm])
        # the graph of the reflected clip is the reflected graph
        torch.testing.assert_close(sa, est._supports_for(xa).expand_as(sa), atol=1e-6, rtol=1e-5)
        # the network is equivariant: reflected features + reflected graph -> same logits
        net = est.module_.eval()
        with torch.no_grad():
            torch.testing.assert_close(net(est._standardize(xa), sa),
                                       net(est._standardize(x), sup), atol=1e-5, rtol=1e-5)


def test_amplitude_scaling_adds_log_scale_per_clip():
    X, y = _synthetic(n=64, T=2, M=6)
    est = DCRNNClassifier(max_epochs=0, valid_size=None, reflect_prob=0.0, **SMALL).fit(X, y)
    x = torch.as_tensor(X)
    torch.manual_seed(0)
    xa, _, _ = est._augment(x, est._supports_for(x))
    shift = (xa - x).reshape(64, -1)
    assert torch.allclose(shift, shift[:, :1].expand_as(shift), atol=1e-5)  # constant per clip
    s = torch.exp(shift[:, 0])
    assert float(s.min()) >= 0.8 - 1e-6 and float(s.max()) <= 1.2 + 1e-6
    assert float(s.std()) > 0.05  # actually random


def test_reflection_needs_channel_names(helsinki_fft):
    feats, y, _, ch = helsinki_fft
    X, yy = feats[::40], y[::40]
    with pytest.raises(ValueError, match="channel names"):
        DCRNNClassifier(graph=CorrelationGraph(), max_epochs=0, valid_size=None).fit(X, yy)
    DCRNNClassifier(graph=CorrelationGraph(), reflect_prob=0, max_epochs=0,
                    valid_size=None).fit(X, yy)


# ----------------------------------------------------------------------------- training on real data
def test_trains_on_helsinki_with_subject_wise_validation(helsinki_fft):
    feats, y, groups, ch = helsinki_fft
    rng = np.random.default_rng(0)
    idx = np.sort(np.r_[rng.choice(np.flatnonzero(y == 1), 100, replace=False),
                        rng.choice(np.flatnonzero(y == 0), 100, replace=False)])
    X, yy, gg = feats[idx], y[idx], groups[idx]
    est = DCRNNClassifier(graph=DistanceGraph(ch_names=ch), module__num_units=16, lr=3e-3,
                          max_epochs=30, patience=None, valid_size=0.25, batch_size=32,
                          random_state=0)
    est.fit(X, yy, groups=gg)
    valid_subjects = set(gg[est.valid_indices_])
    train_subjects = set(np.delete(gg, est.valid_indices_))
    assert valid_subjects and not (valid_subjects & train_subjects)
    losses = est.history[:, "train_loss"]
    assert losses[-1] < losses[0] - 0.05
    assert "valid_auroc" in est.history[-1]
    # the paper's schedule: cosine annealing to ~0 over max_epochs
    lrs = est.history[:, "event_lr"]
    assert lrs[0] == pytest.approx(3e-3) and lrs[-1] < 0.05 * 3e-3
    train_mask = ~np.isin(np.arange(len(yy)), est.valid_indices_)
    auc = roc_auc_score(yy[train_mask], est.predict_proba(X[train_mask])[:, 1])
    assert auc > 0.75
    # same seed -> identical network
    est2 = clone(est).fit(X, yy, groups=gg)
    np.testing.assert_array_equal(est2.predict_proba(X), est.predict_proba(X))


def test_early_stopping_on_validation_loss(helsinki_fft):
    feats, y, groups, ch = helsinki_fft
    est = DCRNNClassifier(graph=DistanceGraph(ch_names=ch), module__num_units=8, lr=0.05,
                          max_epochs=40, patience=2, valid_size=0.3, batch_size=64,
                          random_state=0)
    est.fit(feats[::3], y[::3], groups=groups[::3])
    assert len(est.history) < 40
    cb = dict(est.callbacks_)["early_stopping"]
    assert cb.monitor == "valid_loss"


def test_save_load_bit_identical_and_pickle(tmp_path, helsinki_fft):
    feats, y, groups, ch = helsinki_fft
    X, yy = feats[::8], y[::8]
    for graph in (DistanceGraph(ch_names=ch, kappa=0.8), CorrelationGraph(top_k=2, ch_names=ch)):
        est = DCRNNClassifier(graph=graph, max_epochs=2, valid_size=None, **SMALL).fit(X, yy)
        path = est.save(tmp_path / f"{type(graph).__name__}.pt")
        loaded = DCRNNClassifier.load(path)
        np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
        assert loaded.get_params()["graph"].get_params() == graph.get_params()
        assert est.graph is graph  # save() leaves the estimator untouched
        p = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(p.predict_proba(X), est.predict_proba(X))
    with pytest.raises(ValueError, match="channels"):
        loaded.predict_proba(X[:, :, :10])


def test_generic_loaders_partial_fit_and_time_axis_check(tmp_path, helsinki_fft):
    feats, y, groups, ch = helsinki_fft
    X, yy = feats[::8], y[::8]
    est = DCRNNClassifier(graph=CorrelationGraph(top_k=2, ch_names=ch), max_epochs=2,
                          valid_size=None, **SMALL).fit(X, yy)
    path = est.save(tmp_path / "dcrnn.pt")
    expected = est.predict_proba(X)
    for load in (BaseNetClassifier.load, load_estimator):
        loaded = load(path)
        assert type(loaded) is DCRNNClassifier
        np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    # a loaded network keeps training (the cosine schedule resumes at its epoch)
    n_epochs = len(loaded.history)
    loaded.partial_fit(X, yy)
    assert len(loaded.history) == n_epochs + 2
    assert np.isfinite(loaded.history[-1, "train_loss"])
    assert not np.array_equal(loaded.predict_proba(X), expected)
    # clips with another number of FFT steps than in fit are refused, naming both
    longer = np.concatenate([X, X], axis=1)
    for net in (est, BaseNetClassifier.load(path)):
        with pytest.raises(ValueError, match=r"n_steps=2.*n_steps=1"):
            net.predict_proba(longer)
    with pytest.raises(ValueError, match="n_steps"):
        est.partial_fit(longer, yy)


def test_pretrainer_generic_loader_partial_fit_and_steps(tmp_path):
    X, _ = _synthetic(n=12, T=5, C=19, M=4)
    pre = DCRNNPretrainer(horizon=2, module__num_units=4, module__num_layers=1, max_epochs=1,
                          valid_size=None, batch_size=6, random_state=0).fit(X)
    assert pre.input_shape_ == (3, 19, 4)
    path = pre.save(tmp_path / "pre.pt")
    loaded = load_estimator(path)
    assert type(loaded) is DCRNNPretrainer
    np.testing.assert_array_equal(loaded.predict(X[:, :3]), pre.predict(X[:, :3]))
    with pytest.raises(ValueError, match="DCRNNPretrainer"):
        BaseNetClassifier.load(path)
    loaded.partial_fit(X)
    assert len(loaded.history) == 2
    with pytest.raises(ValueError, match=r"n_steps=5.*n_steps=3"):
        pre.predict(X)


def test_binary_logit_is_decision_function():
    X, y = _synthetic(n=6, M=5)
    est = DCRNNClassifier(max_epochs=1, valid_size=None, **SMALL).fit(X, y)
    z = est.decision_function(X)
    np.testing.assert_allclose(est.predict_proba(X)[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-5)
    assert est.module_.fc.out_features == 1


# ----------------------------------------------------------------------------- pre-training
def test_pretrainer_learns_next_clip_and_initialises_classifier(chb_sequences, tmp_path):
    seq, ch = chb_sequences  # (n, 6, 23, 32): 4 s in, 2 s to predict
    graph = DistanceGraph(ch_names=ch)
    pre = DCRNNPretrainer(graph=graph, horizon=2, module__num_units=16, lr=3e-3, max_epochs=8,
                          valid_size=None, batch_size=16, random_state=0)
    pre.fit(seq)
    losses = pre.history[:, "train_loss"]
    assert losses[-1] < 0.8 * losses[0]
    pred = pre.predict(seq[:, :4])
    assert pred.shape == (len(seq), 2, 23, 32)
    # better than predicting the training mean everywhere (MAE in log-amplitude units)
    mae_mean = np.mean(np.abs(seq[:, 4:] - pre.mean_))
    assert -pre.score(seq) < mae_mean
    # explicit (X, next clip) pairs give the same score as splitting X
    assert pre.score(seq[:, :4], seq[:, 4:]) == pytest.approx(pre.score(seq))
    # encoder layers 0..1 initialise the 2-layer classifier; survives clone via FrozenEstimator
    clf = DCRNNClassifier(graph=graph, pretrained=FrozenEstimator(pre), module__num_units=16,
                          max_epochs=0, valid_size=None, random_state=0)
    clf = clone(clf).fit(seq[:, :4], np.arange(len(seq)) % 2)
    for i in range(2):
        for (k, a), (_, b) in zip(clf.module_.encoder.layers[i].state_dict().items(),
                                  pre.module_.encoder.layers[i].state_dict().items()):
            torch.testing.assert_close(a, b, msg=k)
    with pytest.raises(ValueError, match="not fitted"):
        DCRNNClassifier(graph=graph, pretrained=clone(pre), max_epochs=0,
                        valid_size=None).fit(seq[:, :4], np.arange(len(seq)) % 2)
    # persistence
    path = pre.save(tmp_path / "pre.pt")
    np.testing.assert_array_equal(DCRNNPretrainer.load(path).predict(seq[:, :4]), pred)


def test_pretrainer_subject_wise_validation_and_shapes(chb_sequences):
    seq, ch = chb_sequences
    groups = np.arange(len(seq)) % 3
    pre = DCRNNPretrainer(graph=CorrelationGraph(ch_names=ch), horizon=3, module__num_units=8,
                          max_epochs=2, valid_size=0.34, batch_size=16, random_state=0)
    pre.fit(seq, groups=groups)
    assert len(set(groups[pre.valid_indices_])) == 1
    assert "valid_loss" in pre.history[-1]
    with pytest.raises(ValueError, match="horizon"):
        DCRNNPretrainer(horizon=6).fit(seq)


def test_params_unchanged_by_fit_and_registry_input_builder(shared_data):
    from tests._extracts import load_helsinki_neonatal
    from tests.networks import whole_second_fft_input as _test_inputs

    ds = load_helsinki_neonatal(shared_data)
    X = _test_inputs(ds.X[::50], ds.sfreq)
    assert X.shape == (len(ds.X[::50]), 1, 18, 32)
    est = DCRNNClassifier(graph=CorrelationGraph(top_k=2), reflect_prob=0.0, max_epochs=1,
                          valid_size=None, **SMALL)
    def shallow(e):
        return {k: v for k, v in e.get_params().items()
                if k != "graph" and not k.startswith("callbacks__")}

    before = shallow(est)
    est.fit(X, ds.y[::50])
    after = shallow(est)
    assert before["graph__top_k"] == 2
    assert before == after
    assert not hasattr(est.graph, "n_channels_in_")  # the parameter is never fitted in place
