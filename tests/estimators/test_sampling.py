"""WindowResampler: imblearn samplers on 3-D windows with groups kept aligned."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler

import skseizure.estimators._components as base
from skseizure.estimators.light_cnn import LightCNNClassifier
from skseizure.estimators.sampling import GroupedWindows, WindowResampler


@pytest.fixture
def unbalanced(helsinki_small):
    X, y, groups, _ = helsinki_small
    keep = np.flatnonzero(y == 0).tolist() + np.flatnonzero(y == 1)[::4].tolist()
    keep = np.sort(keep)
    return X[keep], y[keep], groups[keep]


def test_under_sampling_aligns_windows_labels_groups(unbalanced):
    X, y, g = unbalanced
    res = WindowResampler(RandomUnderSampler(random_state=0))
    Xr, yr = res.fit_resample(X, y, groups=g)
    idx = res.sample_indices_
    assert isinstance(Xr, GroupedWindows) and Xr.shape[1:] == X.shape[1:]
    assert np.bincount(yr)[0] == np.bincount(yr)[1] == np.bincount(y)[1]
    np.testing.assert_array_equal(np.asarray(Xr), X[idx])
    np.testing.assert_array_equal(yr, y[idx])
    np.testing.assert_array_equal(Xr.groups, g[idx])
    assert Xr[:5].groups is None  # slices never carry stale ids


def test_over_sampling_duplicates_with_groups(unbalanced):
    X, y, g = unbalanced
    Xr, yr = WindowResampler(RandomOverSampler(random_state=0)).fit_resample(X, y, groups=g)
    assert np.bincount(yr)[1] == np.bincount(y)[0]
    # every resampled window is an original window of the same subject
    for k in range(0, len(Xr), 7):
        hits = np.flatnonzero((X == Xr[k]).all(axis=(1, 2)))
        assert hits.size and g[hits[0]] == Xr.groups[k]


def test_synthesising_sampler(unbalanced):
    X, y, g = unbalanced
    Xr, yr = WindowResampler(SMOTE(random_state=0, k_neighbors=3)).fit_resample(X, y)
    assert Xr.shape == (2 * np.bincount(y)[0],) + X.shape[1:]
    assert Xr.groups is None
    with pytest.raises(ValueError, match="synthesises"):
        WindowResampler(SMOTE(random_state=0, k_neighbors=3)).fit_resample(X, y, groups=g)


def _spy(monkeypatch):
    seen = []
    orig = base.inner_validation_split

    def spy(y, groups=None, *args, **kwargs):
        seen.append((len(y), None if groups is None else np.asarray(groups).copy()))
        return orig(y, groups, *args, **kwargs)

    monkeypatch.setattr(base, "inner_validation_split", spy)
    return seen


def test_pipeline_groups_reach_network_without_routing(unbalanced, monkeypatch):
    X, y, g = unbalanced
    seen = _spy(monkeypatch)
    pipe = Pipeline([("resample", WindowResampler(RandomUnderSampler(random_state=0))),
                     ("clf", LightCNNClassifier(module__n_filters=(4, 4, 4), max_epochs=1,
                                                random_state=0))])
    pipe.fit(X, y, clf__groups=g)
    idx = pipe.named_steps["resample"].sample_indices_
    (n, groups_seen), = seen
    assert n == len(idx)
    np.testing.assert_array_equal(groups_seen, g[idx])


def test_pipeline_groups_with_metadata_routing(unbalanced, monkeypatch):
    X, y, g = unbalanced
    seen = _spy(monkeypatch)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline([("resample", WindowResampler(RandomUnderSampler(random_state=0))),
                         ("clf", LightCNNClassifier(module__n_filters=(4, 4, 4), max_epochs=1,
                                                    random_state=0))])
        pipe.fit(X, y, groups=g)
    idx = pipe.named_steps["resample"].sample_indices_
    np.testing.assert_array_equal(seen[0][1], g[idx])
    # prediction is not resampled
    assert pipe.predict(X).shape == y.shape


def test_default_sampler_and_validation(unbalanced):
    X, y, g = unbalanced
    Xr, yr = WindowResampler(random_state=0).fit_resample(X, y)
    assert np.bincount(yr)[0] == np.bincount(yr)[1]
    with pytest.raises(ValueError, match="labels"):
        WindowResampler().fit_resample(X, y[:-1])
