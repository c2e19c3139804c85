"""Occlusion maps: exact answers on hand-built models, then on a fitted DCRNN."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import make_pipeline

from skseizure.interpret.occlusion import channel_drop_map, model_output, occlusion_map


class LinearFeatureModel(ClassifierMixin, BaseEstimator):
    """logit = sum_{t,c} w[t, c] * sum_m X[t, c, m] (known occlusion answer)."""

    def __init__(self, w=None):
        self.w = w

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X):
        return np.einsum("ntcm,tc->n", np.asarray(X, dtype=np.float64), self.w)

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])


class EnergyModel(ClassifierMixin, BaseEstimator):
    """Raw windows: logit = sum_c w[c] * sum_t x[c, t]^2."""

    def __init__(self, w=None):
        self.w = w

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X):
        return np.einsum("nct,c->n", np.asarray(X, dtype=np.float64) ** 2, self.w)


def test_feature_occlusion_exact_answer():
    rng = np.random.default_rng(0)
    T, C, M = 3, 4, 5
    w = rng.normal(size=(T, C))
    X = rng.uniform(1, 2, size=(2, T, C, M)).astype(np.float32)
    est = LinearFeatureModel(w).fit(X)
    raw = occlusion_map(est, X, normalize=False)
    assert raw.shape == (2, C, T)
    expected = np.einsum("tc,ntc->nct", w, X.astype(np.float64).sum(-1))  # original - occluded
    np.testing.assert_allclose(raw, expected, rtol=1e-5)
    scaled = occlusion_map(est, X)
    lo = expected.reshape(2, -1).min(1)[:, None, None]
    hi = expected.reshape(2, -1).max(1)[:, None, None]
    np.testing.assert_allclose(scaled, (expected - lo) / (hi - lo), rtol=1e-5, atol=1e-7)
    assert scaled.reshape(2, -1).min(1).tolist() == [0, 0]
    assert np.allclose(scaled.reshape(2, -1).max(1), 1)
    # fill_value is honoured: filling with the original value changes nothing
    same = occlusion_map(est, np.ones_like(X), fill_value=1.0, normalize=False)
    np.testing.assert_allclose(same, 0.0)
    # probabilities are explained with output="proba"
    p = occlusion_map(est, X, output="proba", normalize=False)
    assert np.sign(p).tolist() == np.sign(expected).tolist()


def test_raw_window_occlusion_one_second_segments():
    sfreq = 10
    X = np.zeros((1, 2, 35), dtype=np.float32)  # 3.5 s -> 4 steps, the last one partial
    X[0, 0, 10:20] = 1.0  # channel 0, second 1
    X[0, 1, 30:35] = 2.0  # channel 1, the half second at the end
    est = EnergyModel(np.array([1.0, 0.5])).fit(X)
    raw = occlusion_map(est, X, sfreq=sfreq, normalize=False)
    expected = np.zeros((1, 2, 4))
    expected[0, 0, 1] = 10.0
    expected[0, 1, 3] = 0.5 * 5 * 4.0
    np.testing.assert_allclose(raw, expected)
    with pytest.raises(ValueError, match="sfreq"):
        occlusion_map(est, X)


def test_channel_drop_exact_answer():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(2, 3))
    X = rng.uniform(1, 2, size=(4, 2, 3, 2))
    est = LinearFeatureModel(w).fit(X)
    raw = channel_drop_map(est, X, normalize=False)
    np.testing.assert_allclose(raw, np.einsum("tc,ntcm->nc", w, X), rtol=1e-5)
    assert channel_drop_map(est, X).shape == (4, 3)


def test_multiclass_target_uses_predicted_class():
    class ThreeClass(BaseEstimator):
        def decision_function(self, X):
            s = np.asarray(X).sum(axis=(1, 3))  # (n, C): class k reads channel k
            return s[:, :3]

    X = np.zeros((1, 2, 3, 1))
    X[0, :, 1] = 5.0  # class 1 wins, driven by channel 1
    M = occlusion_map(ThreeClass(), X, normalize=False)
    np.testing.assert_allclose(M[0], [[0, 0], [5, 5], [0, 0]])
    M2 = occlusion_map(ThreeClass(), X, target=0, normalize=False)
    np.testing.assert_allclose(M2, 0)
    assert model_output(ThreeClass(), X, target=2).shape == (1,)


def test_occlusion_on_fitted_dcrnn(shared_data):
    from tests._extracts import load_helsinki_neonatal
    from skseizure.estimators.dcrnn import DCRNNClassifier
    from skseizure.preprocessing.graphs import CorrelationGraph
    from skseizure.preprocessing.spectral import FFTLogAmplitude

    ds = load_helsinki_neonatal(shared_data)
    X, y = ds.X[::20], ds.y[::20]
    pipe = make_pipeline(FFTLogAmplitude(sfreq=ds.sfreq),
                         DCRNNClassifier(graph=CorrelationGraph(ch_names=ds.ch_names),
                                         module__num_units=8, max_epochs=2, valid_size=None,
                                         random_state=0))
    pipe.fit(X, y)
    feats = pipe[0].transform(X[:3])
    clf = pipe[-1]
    M = occlusion_map(clf, feats)
    assert M.shape == (3, 18, 1)
    assert np.allclose(M.reshape(3, -1).max(1), 1) and np.allclose(M.reshape(3, -1).min(1), 0)
    # "auto" zero-fills the network's standardised input: X units = the training mean
    raw = occlusion_map(clf, feats, normalize=False)
    manual = occlusion_map(clf, feats, fill_value=clf.mean_, normalize=False)
    np.testing.assert_array_equal(raw, manual)
    # the whole pipeline on raw windows: one second per occlusion
    Mp = occlusion_map(pipe, X[:2], sfreq=ds.sfreq)
    assert Mp.shape == (2, 18, 1) and np.isfinite(Mp).all()
    assert channel_drop_map(clf, feats).shape == (3, 18)


class _CountingModel(EnergyModel):
    """EnergyModel that records the batch size of every call."""

    def decision_function(self, X):
        self.calls_.append(len(X))
        return super().decision_function(X)


def test_occlusion_batches_mix_clips_and_match_a_per_clip_reference():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 3, 25)).astype(np.float32)  # 2.5 s at 10 Hz: 3 steps
    est = _CountingModel(w=np.array([1.0, -2.0, 0.5])).fit(X)
    est.calls_ = []
    M = occlusion_map(est, X, sfreq=10, normalize=False, batch_size=7)
    # 1 call for the originals + ceil(5 clips * 9 positions / 7) batches of occluded copies.
    assert est.calls_ == [5] + [7] * 6 + [3]
    expected = np.empty((5, 3, 3))
    for i in range(5):
        base = est.decision_function(X[i:i + 1])[0]
        for c in range(3):
            for t, sl in enumerate([slice(0, 10), slice(10, 20), slice(20, 25)]):
                x = X[i:i + 1].copy()
                x[0, c, sl] = 0.0
                expected[i, c, t] = base - est.decision_function(x)[0]
    np.testing.assert_allclose(M, expected, rtol=1e-12)
    # The same answer whatever the batch size; channel drops agree with the sum of steps.
    np.testing.assert_allclose(occlusion_map(est, X, sfreq=10, normalize=False,
                                             batch_size=1000), expected, rtol=1e-12)
    drop = channel_drop_map(est, X, normalize=False, batch_size=4)
    np.testing.assert_allclose(drop, expected.sum(axis=2), rtol=1e-10)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        occlusion_map(est, X, sfreq=10, batch_size=0)
