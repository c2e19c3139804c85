"""WindowResampler: imblearn samplers on 3-D windows with groups kept aligned."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.model_selection import StratifiedGroupKFold, cross_validate

import skseizure.estimators._components as base
from skseizure.estimators.light_cnn import LightCNNClassifier
from skseizure.estimators.augmentation import AugmentationWarning
from skseizure.estimators.sampling import (
    GroupedWindows,
    SubjectSMOTE,
    WindowResampler,
    resolve_groups,
)


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


# ------------------------------------------------------------------ SubjectSMOTE
def test_subject_smote_interpolates_within_subjects(unbalanced):
    X, y, g = unbalanced
    smote = SubjectSMOTE(k_neighbors=3, random_state=0)
    Xr, yr = smote.fit_resample(X, y, groups=g)
    n = len(X)
    assert np.bincount(yr)[0] == np.bincount(yr)[1] == np.bincount(y)[0]
    np.testing.assert_array_equal(np.asarray(Xr[:n]), X)  # originals first, unchanged
    new, new_g = np.asarray(Xr[n:]), Xr.groups[n:]
    i, j = smote.synthetic_sources_.T
    lam = smote.synthetic_weights_
    assert (yr[n:] == 1).all() and (y[i] == 1).all() and (y[j] == 1).all()
    assert (g[i] == g[j]).all() and (new_g == g[i]).all()
    np.testing.assert_allclose(new, X[i] + lam[:, None, None] * (X[j] - X[i]), rtol=1e-4, atol=1e-5)
    # sample_indices point at the seed window, so un-resampled groups re-index correctly
    np.testing.assert_array_equal(resolve_groups(GroupedWindows(np.asarray(Xr), None,
                                                                Xr.sample_indices), g), Xr.groups)
    # every infant with >= 2 minority windows may seed; others never do
    counts = {s: ((g == s) & (y == 1)).sum() for s in np.unique(g)}
    assert all(counts[s] >= 2 for s in np.unique(g[i]))


def test_subject_smote_never_mixes_subjects_even_when_nearer(unbalanced):
    X, y, g = unbalanced
    pos = np.flatnonzero(y == 1)
    # a near-copy of every minority window, each from another (new) subject: the
    # nearest minority neighbour of every window is its twin, across subjects
    twins = X[pos] + 1e-3
    Xb = np.concatenate([X, twins])
    yb = np.concatenate([y, np.ones(len(pos), int)])
    gb = np.concatenate([g, 10_000 + np.arange(len(pos))])
    smote = SubjectSMOTE(k_neighbors=1, random_state=0)
    Xr, _ = smote.fit_resample(Xb, yb, groups=gb)
    i, j = smote.synthetic_sources_.T
    assert len(i) > 0 and (i < len(X)).all() and (j < len(X)).all()  # twins never used
    assert (gb[i] == gb[j]).all() and (Xr.groups[len(Xb):] == gb[i]).all()


def test_subject_smote_options_and_windowresampler(unbalanced):
    X, y, g = unbalanced
    a = SubjectSMOTE(random_state=0).fit_resample(X, y, groups=g)[0]
    b = SubjectSMOTE(random_state=0).fit_resample(X, y, groups=g)[0]
    c = SubjectSMOTE(random_state=1).fit_resample(X, y, groups=g)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    half = SubjectSMOTE(sampling_strategy=0.5, random_state=0).fit_resample(X, y, groups=g)[1]
    assert np.bincount(half)[1] == int(0.5 * np.bincount(y)[0])
    Xw, yw = WindowResampler(SubjectSMOTE(random_state=0)).fit_resample(X, y, groups=g)
    np.testing.assert_array_equal(Xw, a)
    np.testing.assert_array_equal(Xw.groups, a.groups)
    with pytest.warns(AugmentationWarning, match="one subject"):
        Xn, _ = SubjectSMOTE(random_state=0).fit_resample(X, y)
    assert Xn.groups is None
    with pytest.raises(ValueError, match="SubjectSMOTE"):
        WindowResampler(SMOTE(random_state=0)).fit_resample(X, y, groups=g)


def test_subject_smote_in_pipeline_with_grouped_cv(unbalanced, monkeypatch):
    X, y, g = unbalanced
    seen = _spy(monkeypatch)
    pipe = Pipeline([("smote", SubjectSMOTE(k_neighbors=3, random_state=0)),
                     ("clf", LightCNNClassifier(module__n_filters=(4, 4, 4), max_epochs=1,
                                                random_state=0))])
    with sklearn.config_context(enable_metadata_routing=True):
        cv = StratifiedGroupKFold(n_splits=2, shuffle=True, random_state=0)
        scores = cross_validate(pipe, X, y, cv=cv,
                                params={"groups": g}, return_estimator=True)
    assert np.isfinite(scores["test_score"]).all() and len(seen) == 2
    for (n, groups_seen), fitted in zip(seen, scores["estimator"]):
        smote = fitted.named_steps["smote"]
        assert n == len(groups_seen) and n > 0
        # the network's inner split saw the ids of the resampled windows, synthetic ones too
        n_syn = len(smote.synthetic_sources_)
        assert n_syn > 0 and set(groups_seen[-n_syn:]) <= set(groups_seen[:-n_syn])
        np.testing.assert_array_equal(groups_seen[-n_syn:],
                                      groups_seen[smote.synthetic_sources_[:, 0]])
