"""SeizureDetector and event scorers inside subject-wise GridSearchCV with routed metadata."""

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skseizure.detection import SeizureDetector, make_event_scorer


def _log_power(X):
    return np.log(np.mean(np.asarray(X, dtype=np.float64) ** 2, axis=-1))


def _synthetic_corpus(n_subjects=6, n_windows=600, seed=0):
    """Synthetic recordings (one per subject) of 1-s windows, two seizures each.

    Seizure windows carry a 5-Hz rhythm of large amplitude over the background noise, so a
    log-power classifier separates them; a few background windows carry isolated artefact
    bursts (single windows) that only post-processing can suppress.
    """
    rng = np.random.default_rng(seed)
    sfreq, X, y, rec, start, subject = 64, [], [], [], [], []
    t = np.arange(sfreq) / sfreq
    for s in range(n_subjects):
        labels = np.zeros(n_windows, dtype=int)
        for onset in rng.choice(np.arange(50, n_windows - 60, 150), size=2, replace=False):
            labels[onset:onset + int(rng.integers(30, 60))] = 1
        for i, lab in enumerate(labels):
            w = rng.normal(0, 1.0, (2, sfreq))
            if lab:
                w += 4.0 * np.sin(2 * np.pi * 5 * t + rng.uniform(0, 6))
            elif rng.random() < 0.05:
                w *= 4.0                                   # isolated artefact
            X.append(w)
        y.append(labels)
        rec += [f"sub{s}_run1"] * n_windows
        start.append(np.arange(n_windows, dtype=float))
        subject += [f"sub{s}"] * n_windows
    return (np.asarray(X, dtype=np.float32), np.concatenate(y), np.asarray(rec),
            np.concatenate(start), np.asarray(subject))


@pytest.fixture(scope="module")
def corpus():
    return _synthetic_corpus()


def _detector(**params):
    clf = make_pipeline(FunctionTransformer(_log_power), LogisticRegression(max_iter=500))
    return SeizureDetector(clf, window_length=1.0, **params)


def test_predict_events_per_recording(corpus):
    X, y, rec, start, subject = corpus
    det = _detector(threshold=0.5, smoothing=5, min_duration=10.0, merge_gap=5.0).fit(X, y)
    events = det.predict_events(X, start=start, recording=rec)
    assert set(events) == set(rec)
    for r, evs in events.items():
        # two seizures per recording, each found once, near the labelled onset
        truth = y[rec == r]
        onsets = np.flatnonzero(np.diff(np.r_[0, truth]) == 1)
        assert len(evs) == 2
        for ev, on in zip(evs, onsets):
            assert abs(ev.onset - on) <= 3.0 and 0.5 < ev.confidence <= 1.0
    single = det.predict_events(X[rec == rec[0]], start=start[rec == rec[0]])
    assert single == events[rec[0]]


def test_raw_thresholding_counts_artefacts_as_false_alarms(corpus):
    X, y, rec, start, subject = corpus
    scorer = make_event_scorer("fp_rate", greater_is_better=True)
    raw = _detector().fit(X, y)
    smoothed = clone(raw).set_params(smoothing=5, min_duration=10.0).fit(X, y)
    fa_raw = scorer(raw, X, y, recording=rec, start=start, subject=subject)
    fa_smooth = scorer(smoothed, X, y, recording=rec, start=start, subject=subject)
    assert fa_raw > 10 * max(fa_smooth, 1.0)
    assert make_event_scorer("fp_rate")(smoothed, X, y, recording=rec, start=start) == -fa_smooth


def test_grid_search_selects_post_processing_for_event_f1_subject_wise(corpus):
    X, y, rec, start, subject = corpus
    grid = {"min_duration": [0.0, 10.0], "threshold": [0.5]}
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(_detector(), grid, cv=GroupKFold(3),
                              scoring={"f1": make_event_scorer("f1"),
                                       "sens": make_event_scorer("sensitivity")},
                              refit="f1")
        search.fit(X, y, groups=subject, recording=rec, start=start, subject=subject)
        cv = cross_validate(_detector(min_duration=10.0), X, y,
                            cv=GroupKFold(3), scoring=make_event_scorer("f1"),
                            params={"groups": subject, "recording": rec, "start": start,
                                    "subject": subject})
    assert search.best_params_ == {"min_duration": 10.0, "threshold": 0.5}
    f1 = search.cv_results_["mean_test_f1"]
    assert f1[1] == 1.0 and f1[0] < 0.97                # post-processing matters
    assert np.all(search.cv_results_["mean_test_sens"] > 0.9)
    np.testing.assert_allclose(cv["test_score"].mean(), f1.max())


def test_scorer_needs_start_times_and_a_detector(corpus):
    X, y, rec, start, subject = corpus
    det = _detector().fit(X[:100], y[:100] * 0 + (np.arange(100) % 2))
    with pytest.raises(ValueError, match="start"):
        make_event_scorer()(det, X[:100], y[:100])
    with pytest.raises(TypeError, match="SeizureDetector"):
        make_event_scorer()(LogisticRegression(), X[:100], y[:100], start=start[:100])
    with pytest.raises(ValueError, match="metric"):
        make_event_scorer("accuracy")


def test_detector_validates_before_fitting(corpus):
    X, y, *_ = corpus
    with pytest.raises(ValueError, match="smoothing"):
        _detector(smoothing=0).fit(X, y)
    with pytest.raises(ValueError, match="positive_label"):
        _detector(positive_label="sz").fit(X, y)
    with pytest.raises(TypeError, match="predict_proba"):
        SeizureDetector(FunctionTransformer(), window_length=1.0).fit(X, y)
    assert clone(_detector(threshold=0.7)).get_params()["threshold"] == 0.7
