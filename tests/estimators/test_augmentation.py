"""Training-time augmentation: the transforms, and their use inside CNNBiLSTMClassifier."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

import skseizure.estimators.augmentation_mixin as aug
from skseizure.estimators import BaseNetClassifier
from skseizure.estimators.augmentation import (
    AugmentationWarning,
    interpolate_minority,
    overlap_windows,
    random_scale,
    random_shift,
)
from skseizure.estimators.cnn_bilstm import CNNBiLSTMClassifier
from skseizure.estimators.training import WindowWiseSplitWarning

TINY = {"module__n_filters": (4, 4), "module__lstm_hidden": 4, "module__fc_hidden": 4,
        "batch_size": 32}
ALL_ON = {"augment_overlap": 0.5, "augment_scale": (0.8, 1.2), "augment_shift": 3,
          "augment_minority": 1.0}


def sines(n=6, n_chans=2, n_times=64, cycles=4):
    t = np.arange(n_times)
    phase = np.arange(n * n_chans).reshape(n, n_chans, 1)
    return np.sin(2 * np.pi * cycles * t / n_times + phase).astype(np.float32)


def toy(n_subjects=4, per_subject=24, n_chans=3, n_times=32, seed=0):
    """Windows cut back to back from one continuous signal per subject.

    Each subject's signal has its own offset (10 * subject id) so that a window
    mixing two subjects would be recognisable; labels: the last 6 windows of
    subjects 0 and 1 are the minority class.
    """
    rng = np.random.default_rng(seed)
    Xs, ys, gs, sig = [], [], [], []
    for s in range(n_subjects):
        long = rng.normal(size=(n_chans, per_subject * n_times)) + 10 * s
        sig.append(long)
        Xs.append(long.reshape(n_chans, per_subject, n_times).transpose(1, 0, 2))
        y = np.zeros(per_subject, int)
        if s < 2:
            y[-6:] = 1
        ys.append(y)
        gs.append(np.full(per_subject, s))
    return (np.concatenate(Xs).astype(np.float32), np.concatenate(ys), np.concatenate(gs),
            [s.astype(np.float32) for s in sig])


# ------------------------------------------------------------------ the transforms
def test_circular_shift_of_a_sine_is_the_shift():
    X = sines(n=40)
    out, shifts = random_shift(X, 5, random_state=0)
    assert shifts.min() == -5 and shifts.max() == 5  # both directions drawn
    t = np.arange(64)
    for k, s in enumerate(shifts):
        phase = np.arange(k * 2, k * 2 + 2).reshape(2, 1)
        expected = np.sin(2 * np.pi * 4 * (t - s) / 64 + phase)  # delayed by s samples
        np.testing.assert_allclose(out[k], expected, atol=1e-5)


def test_zero_padded_shift():
    X = sines(n=30) + 2.0
    out, shifts = random_shift(X, 7, mode="zero", random_state=1)
    for k, s in enumerate(shifts):
        if s >= 0:
            np.testing.assert_array_equal(out[k, :, s:], X[k, :, :64 - s])
            assert not out[k, :, :s].any()
        else:
            np.testing.assert_array_equal(out[k, :, :64 + s], X[k, :, -s:])
            assert not out[k, :, 64 + s:].any()
    np.testing.assert_array_equal(random_shift(X, 0, random_state=0)[0], X)
    with pytest.raises(ValueError, match="mode"):
        random_shift(X, 2, mode="reflect")
    with pytest.raises(ValueError, match="n_times"):
        random_shift(X, 64)


def test_scaled_windows_have_the_gain_range():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 3, 16)).astype(np.float32)
    out, gains = random_scale(X, (0.5, 2.0), random_state=0)
    ratio = out / X
    np.testing.assert_allclose(ratio, np.broadcast_to(gains[:, None, None], X.shape), rtol=1e-5)
    assert gains.min() >= 0.5 and gains.max() <= 2.0
    assert gains.min() < 0.52 and gains.max() > 1.98  # the whole range is drawn
    assert out.dtype == np.float32
    for bad in [(1.2, 0.8), (0.0, 1.0), 3]:
        with pytest.raises((ValueError, TypeError), match="low"):
            random_scale(X, bad)


def test_overlap_windows_are_slices_of_the_concatenated_signal():
    X, y, g, signals = toy()
    new = overlap_windows(X, y, 0.5, groups=g)
    T = X.shape[2]
    # 23 consecutive pairs per subject, minus the label change in subjects 0 and 1
    assert len(new) == 4 * 23 - 2
    assert set(new.positions.tolist()) == {T // 2}
    for (i, j), off, sub in zip(new.sources, new.positions, new.groups):
        assert j == i + 1 and g[i] == g[j] == sub and y[i] == y[j]
    for k, ((i, _), off) in enumerate(zip(new.sources, new.positions)):
        local = i - np.flatnonzero(g == g[i])[0]
        start = local * T + off
        np.testing.assert_array_equal(new.X[k], signals[g[i]][:, start:start + T])
    three = overlap_windows(X, y, 0.75, groups=g)
    assert len(three) == 3 * len(new) and set(three.positions.tolist()) == {8, 16, 24}


def test_overlap_windows_follow_recordings_and_starts():
    X, y, g, _ = toy(n_subjects=1)
    T = X.shape[2]
    rec = np.repeat([0, 1], 12)  # two recordings: the pair (11, 12) is not joined
    assert len(overlap_windows(X, y, 0.5, recordings=rec)) == 22 - 1
    starts = np.arange(24.0) * T
    starts[5] = np.nan  # unknown position: never joined
    starts[10:] += 1  # a one-sample gap between windows 9 and 10
    new = overlap_windows(X, y, 0.5, starts=starts)
    assert len(new) == 23 - 1 - 2 - 1
    assert not {5, 9} & set(new.sources[:, 0].tolist())
    shuffled = np.random.default_rng(0).permutation(24)  # order in X does not matter with starts
    again = overlap_windows(X[shuffled], y[shuffled], 0.5, starts=starts[shuffled])
    np.testing.assert_array_equal(np.sort(again.X.sum(axis=(1, 2))),
                                  np.sort(new.X.sum(axis=(1, 2))))


def test_synthetic_minority_windows_stay_on_same_subject_segments():
    X, y, g, _ = toy()
    new = interpolate_minority(X, y, g, ratio=1.0, k_neighbors=3, random_state=0)
    assert (y == 1).sum() + len(new) == (y == 0).sum()
    assert (new.y == 1).all()
    i, j = new.sources.T
    assert (g[i] == g[j]).all() and (g[i] == new.groups).all() and (i != j).all()
    assert (y[i] == 1).all() and (y[j] == 1).all()
    assert (new.positions >= 0).all() and (new.positions <= 1).all()
    lam = new.positions[:, None, None]
    np.testing.assert_allclose(new.X, X[i] + lam * (X[j] - X[i]), rtol=1e-5, atol=1e-5)
    # independent of ``sources``: every synthetic window is on a segment between two
    # minority windows of its subject, and on none between subjects (offsets differ by 10)
    minority = np.flatnonzero(y == 1)
    for k in range(0, len(new), 5):
        best = None
        for a in minority:
            for b in minority:
                d = X[b] - X[a]
                t = float(np.clip(((new.X[k] - X[a]) * d).sum() / max((d * d).sum(), 1e-12), 0, 1))
                res = np.abs(new.X[k] - X[a] - t * d).max()
                if best is None or res < best[0]:
                    best = (res, a, b)
        assert best[0] < 1e-4 and g[best[1]] == g[best[2]] == new.groups[k]
    # neighbours are the k nearest of the seed within its subject
    for s, t in new.sources[:10]:
        same = minority[(g[minority] == g[s]) & (minority != s)]
        dist = ((X[same] - X[s]) ** 2).sum(axis=(1, 2))
        assert t in same[np.argsort(dist)[:3]]


def test_minority_ratio_single_windows_and_no_groups():
    X, y, g, _ = toy()
    half = interpolate_minority(X, y, g, ratio=0.5, random_state=0)
    assert (y == 1).sum() + len(half) == int(0.5 * (y == 0).sum())
    y2 = y.copy()
    y2[g == 1] = 0
    y2[np.flatnonzero(g == 1)[0]] = 1  # subject 1: a single minority window, never a source
    new = interpolate_minority(X, y2, g, random_state=0)
    assert set(g[new.sources.ravel()].tolist()) == {0}
    with pytest.warns(AugmentationWarning, match="one subject"):
        interpolate_minority(X, y, None, random_state=0)
    for bad in (0.0, 1.5, True):
        with pytest.raises(ValueError, match="ratio"):
            interpolate_minority(X, y, g, ratio=bad)


def test_transforms_are_seeded():
    X, y, g, _ = toy()
    for fn in (lambda s: random_scale(X, (0.5, 1.5), random_state=s)[0],
               lambda s: random_shift(X, 4, random_state=s)[0],
               lambda s: interpolate_minority(X, y, g, random_state=s).X):
        np.testing.assert_array_equal(fn(0), fn(0))
        assert not np.array_equal(fn(0), fn(1))


# -------------------------------------------------------------- inside the estimator
class Recorder:
    """Records the (augmented) training batches, validation batches and training sets."""

    def __init__(self, monkeypatch):
        self.train, self.valid, self.datasets, self.labels = [], [], [], []
        cls = CNNBiLSTMClassifier
        orig_train = BaseNetClassifier.train_step_single  # below the augmentation hook
        orig_valid = cls.validation_step
        orig_split = cls.get_split_datasets

        def train_step_single(net, batch, **kw):
            self.train.append(np.asarray(batch[0]).copy())
            return orig_train(net, batch, **kw)

        def validation_step(net, batch, **kw):
            self.valid.append(np.asarray(batch[0]).copy())
            return orig_valid(net, batch, **kw)

        def get_split_datasets(net, X, y=None, **kw):
            train, valid = orig_split(net, X, y, **kw)
            self.datasets.append(np.stack([np.asarray(train[k][0]) for k in range(len(train))]))
            self.labels.append(np.array([int(train[k][1]) for k in range(len(train))]))
            return train, valid

        monkeypatch.setattr(BaseNetClassifier, "train_step_single", train_step_single,
                            raising=False)
        monkeypatch.setattr(cls, "validation_step", validation_step)
        monkeypatch.setattr(cls, "get_split_datasets", get_split_datasets)


def test_defaults_are_off():
    clf = CNNBiLSTMClassifier()
    params = clf.get_params()
    assert all(params[k] is None for k in
               ("augment_overlap", "augment_scale", "augment_shift", "augment_minority"))
    X, y, g, _ = toy()
    clf = CNNBiLSTMClassifier(max_epochs=0, patience=None, random_state=0, **TINY)
    clf.fit(X, y, groups=g)
    assert clf.augmentation_counts_ == {"original": len(X) - len(clf.valid_indices_),
                                        "overlap": 0, "minority": 0}


def test_augmentation_touches_training_windows_only(monkeypatch):
    X, y, g, _ = toy()
    rec = Recorder(monkeypatch)
    clf = CNNBiLSTMClassifier(max_epochs=2, random_state=0, **TINY, **ALL_ON).fit(X, y, groups=g)
    counts = clf.augmentation_counts_
    n_valid = len(clf.valid_indices_)
    assert counts["original"] == len(X) - n_valid
    assert counts["overlap"] > 0 and counts["minority"] > 0
    for epoch in clf.history_:
        batches = epoch["batches"]
        assert sum(b.get("valid_batch_size", 0) for b in batches) == n_valid
        assert sum(b.get("train_batch_size", 0) for b in batches) == sum(counts.values())
    # validation windows are exactly X[valid_indices_], in both epochs
    seen = np.concatenate(rec.valid)
    assert len(seen) == 2 * n_valid
    key = lambda a: np.sort(a.reshape(len(a), -1).sum(1))  # noqa: E731
    np.testing.assert_allclose(key(seen[:n_valid]), key(X[clf.valid_indices_]), rtol=1e-6)
    np.testing.assert_array_equal(seen[:n_valid], seen[n_valid:])
    # training batches are rescaled: none equals a stored training window
    stored = rec.datasets[0].reshape(len(rec.datasets[0]), -1)
    first = rec.train[0].reshape(len(rec.train[0]), -1)
    assert not any((np.abs(stored - w).max(axis=1) < 1e-7).any() for w in first)
    # no validation subject feeds the training set
    train_idx = np.setdiff1d(np.arange(len(X)), clf.valid_indices_)
    assert not set(g[clf.valid_indices_]) & set(g[train_idx])
    # predict is not augmented: it equals the plain forward pass of the trained module
    clf.module_.eval()
    with torch.no_grad():
        plain = torch.softmax(clf.module_(torch.as_tensor(X)), dim=-1).numpy()
    np.testing.assert_allclose(clf.predict_proba(X), plain, rtol=1e-5, atol=1e-6)


def test_augmentation_does_not_change_initialisation():
    X, y, g, _ = toy()
    base = {"max_epochs": 0, "patience": None, "random_state": 3, **TINY}
    off = CNNBiLSTMClassifier(**base).fit(X, y, groups=g)
    on = CNNBiLSTMClassifier(**base, **ALL_ON).fit(X, y, groups=g)
    np.testing.assert_array_equal(off.predict_proba(X), on.predict_proba(X))
    np.testing.assert_array_equal(off.valid_indices_, on.valid_indices_)


def test_same_seed_same_fit_other_seed_other_augmentation(monkeypatch):
    X, y, g, _ = toy()
    rec = Recorder(monkeypatch)
    fits = [CNNBiLSTMClassifier(max_epochs=2, random_state=s, train_split=None, **TINY, **ALL_ON)
            .fit(X, y, groups=g) for s in (0, 0, 1)]
    np.testing.assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))
    np.testing.assert_array_equal(rec.datasets[0], rec.datasets[1])
    assert rec.datasets[0].shape == rec.datasets[2].shape  # same counts ...
    assert not np.array_equal(rec.datasets[0], rec.datasets[2])  # ... other synthetic windows
    # the original and overlap windows (deterministic) come first and agree
    n_det = len(X) + fits[0].augmentation_counts_["overlap"]
    np.testing.assert_array_equal(rec.datasets[0][:n_det], rec.datasets[2][:n_det])


def test_recordings_and_starts_fit_parameters():
    X, y, g, _ = toy()
    T = X.shape[2]
    clf = CNNBiLSTMClassifier(max_epochs=0, patience=None, random_state=0, augment_overlap=0.5,
                              train_split=None, **TINY)
    assert clf.fit(X, y, groups=g).augmentation_counts_["overlap"] == 4 * 23 - 2
    starts = np.arange(len(X)) * 2.0 * T  # windows with gaps: nothing to join
    assert clf.fit(X, y, groups=g, starts=starts).augmentation_counts_["overlap"] == 0
    rec = np.arange(len(X)) // 12  # two recordings per subject
    assert clf.fit(X, y, groups=g, recordings=rec).augmentation_counts_["overlap"] == 4 * 22 - 2
    # routed (and sliced per fold) by cross-validation under metadata routing
    with sklearn.config_context(enable_metadata_routing=True):
        for params, expected in (({"groups": g}, 2 * 23 - 1), ({"groups": g, "starts": starts}, 0)):
            fitted = cross_validate(clf, X, y, cv=GroupKFold(n_splits=2), params=params,
                                    return_estimator=True)["estimator"]
            assert [est.augmentation_counts_["overlap"] for est in fitted] == [expected] * 2
    with pytest.raises(ValueError, match="starts"):
        clf.fit(X, y, groups=g, starts=starts[:-1])
    with pytest.raises(ValueError, match="recordings"):
        clf.fit(X, y, groups=g, recordings=rec[:-1])


@pytest.mark.parametrize("params, match", [
    ({"augment_scale": (1.2, 0.8)}, "augment_scale"),
    ({"augment_shift": 32}, "augment_shift"),
    ({"augment_shift": 2, "augment_shift_mode": "mirror"}, "augment_shift_mode"),
    ({"augment_overlap": 1.0}, "augment_overlap"),
    ({"augment_minority": 2.0}, "augment_minority"),
])
def test_bad_settings_are_refused(params, match):
    X, y, g, _ = toy()
    with pytest.raises(ValueError, match=match):
        CNNBiLSTMClassifier(max_epochs=0, patience=None, **TINY, **params).fit(X, y, groups=g)


def test_without_groups_a_warning_says_one_subject():
    X, y, _, _ = toy()
    clf = CNNBiLSTMClassifier(max_epochs=0, patience=None, random_state=0, train_split=None,
                              augment_overlap=0.5, augment_minority=1.0, **TINY)
    with pytest.warns(AugmentationWarning) as record:
        clf.fit(X, y)
    text = " ".join(str(w.message) for w in record)
    assert "one recording" in text and "one subject" in text
    with pytest.warns(WindowWiseSplitWarning) as record:
        clf.set_params(train_split="auto", augment_overlap=None, augment_minority=None).fit(X, y)
    assert record[0].filename == __file__  # points at the caller's fit, not the mixin


def test_clone_and_grid_search_with_group_kfold(monkeypatch):
    X, y, g, _ = toy()
    rec = Recorder(monkeypatch)
    clf = CNNBiLSTMClassifier(max_epochs=1, random_state=0, **TINY, **ALL_ON)
    twin = clone(clf)
    assert twin.get_params(deep=False) == clf.get_params(deep=False)
    assert not hasattr(twin, "augmentation_counts_")
    grid = {"augment_scale": [None, (0.5, 1.5)], "augment_minority": [None, 1.0]}
    seen = []
    orig = aug.interpolate_minority

    def spy(X, y, groups=None, **kw):
        new = orig(X, y, groups, **kw)
        seen.append((np.unique(groups), groups[new.sources]))
        return new

    monkeypatch.setattr(aug, "interpolate_minority", spy)
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        # groups reach every fit: no "treated as one subject" fallback
        warnings.simplefilter("error", AugmentationWarning)
        search = GridSearchCV(clf, grid, cv=GroupKFold(n_splits=2), scoring="accuracy")
        search.fit(X, y, groups=g)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_
    assert best.augment_overlap == 0.5 and best.augment_shift == 3
    assert len(rec.datasets) == 4 * 2 + 1
    # minority synthesis ran in the 2 folds of the 2 settings with it (+ refit if chosen),
    # each on a strict subset of the subjects, pairing windows of one subject only
    assert len(seen) == 4 + (best.augment_minority is not None)
    for subjects, pair_groups in seen[:4]:
        assert 0 < subjects.size < 4 and (pair_groups[:, 0] == pair_groups[:, 1]).all()


def test_real_helsinki_fit_with_all_augmentations(helsinki, monkeypatch):
    """Real windows grouped by infant, all augmentations on.

    The Helsinki extract keeps isolated 1-s windows, so the back-to-back
    assumption of ``augment_overlap`` does not hold here: the fit only
    exercises the path on real shapes, labels and subject ids.
    """
    X, y, groups, _ = helsinki
    rec = Recorder(monkeypatch)
    rng = np.random.default_rng(0)
    keep = np.sort(np.concatenate([np.flatnonzero(y == 0),
                                   rng.choice(np.flatnonzero(y == 1), 100, replace=False)]))
    X, y, groups = X[keep], y[keep], groups[keep]
    X = X / X.std(axis=(0, 2), keepdims=True)
    test = np.isin(groups, np.unique(groups)[::5])
    clf = CNNBiLSTMClassifier(max_epochs=3, patience=None, random_state=0, **TINY, **ALL_ON)
    clf.fit(X[~test], y[~test], groups=groups[~test])
    counts = clf.augmentation_counts_
    assert counts["overlap"] > 0 and counts["minority"] > 0
    assert not set(groups[~test][clf.valid_indices_]) & set(groups[test])
    # the training part ends balanced (augment_minority=1.0); validation keeps the real ratio
    assert len(rec.labels[0]) == sum(counts.values())
    n_neg, n_pos = np.bincount(rec.labels[0])
    assert n_neg == n_pos
    assert sum(len(b) for b in rec.valid) == 3 * len(clf.valid_indices_)
    proba = clf.predict_proba(X[test])
    assert proba.shape == (test.sum(), 2) and np.isfinite(proba).all()
    assert set(np.unique(clf.predict(X[test]))) <= {0, 1}
