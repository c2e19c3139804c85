"""Window probabilities -> events, and events -> 1-Hz masks."""

import math

import numpy as np
import pytest

from skseizure.detection import SeizureEvent, events_to_mask, probabilities_to_events, window_steps


def test_non_overlapping_windows_become_one_event_per_run():
    proba = np.array([0.1, 0.9, 0.8, 0.2, 0.1, 0.7, 0.1])
    starts = np.arange(7) * 2.0
    events = probabilities_to_events(proba, starts, 2.0, threshold=0.5)
    assert [(e.onset, e.duration) for e in events] == [(2.0, 4.0), (10.0, 2.0)]
    assert events[0].confidence == pytest.approx(0.9)
    assert events[1].confidence == pytest.approx(0.7)
    assert all(e.channels == () for e in events)


def test_overlapping_windows_speak_for_their_step_around_the_centre():
    # 10-s windows every 2 s: one positive window is a 2-s event centred in that window
    starts = np.arange(0, 60, 2.0)
    proba = np.zeros(starts.size)
    proba[10] = 1.0  # window 20..30 s, centre 25 s
    (event,) = probabilities_to_events(proba, starts, 10.0)
    assert (event.onset, event.end) == (24.0, 26.0)
    begins, ends = window_steps(starts, 10.0)
    np.testing.assert_allclose(ends - begins, 2.0)


def test_merge_gap_and_min_duration():
    starts = np.arange(20, dtype=float)
    proba = np.zeros(20)
    proba[[2, 3, 6, 15]] = 1.0
    raw = probabilities_to_events(proba, starts, 1.0)
    assert [(e.onset, e.end) for e in raw] == [(2, 4), (6, 7), (15, 16)]
    merged = probabilities_to_events(proba, starts, 1.0, merge_gap=2.5)
    assert [(e.onset, e.end) for e in merged] == [(2, 7), (15, 16)]
    long_only = probabilities_to_events(proba, starts, 1.0, merge_gap=2.5, min_duration=2.0)
    assert [(e.onset, e.end) for e in long_only] == [(2, 7)]


def test_smoothing_removes_isolated_spikes_and_keeps_sustained_runs():
    starts = np.arange(30, dtype=float)
    proba = np.full(30, 0.1)
    proba[5] = 0.95            # isolated spike
    proba[15:25] = 0.9         # sustained seizure
    events = probabilities_to_events(proba, starts, 1.0, smoothing=5, threshold=0.5)
    assert len(events) == 1
    assert 14 <= events[0].onset <= 16 and 23 <= events[0].end <= 26


def test_events_are_clipped_to_the_recording():
    events = probabilities_to_events([1.0, 1.0], [0.0, 4.0], 4.0, recording_duration=6.5)
    assert events[0].onset == 0.0 and events[0].end == 6.5


@pytest.mark.parametrize("kwargs, match", [
    (dict(proba=[0.5, 1.5], starts=[0, 1]), r"\[0, 1\]"),
    (dict(proba=[0.5, np.nan], starts=[0, 1]), r"\[0, 1\]"),
    (dict(proba=[0.5], starts=[0, 1]), "1 values for 2"),
    (dict(proba=[0.5, 0.5], starts=[1, 0]), "increasing"),
    (dict(proba=[0.5, 0.5], starts=[0, 1], threshold=2.0), "threshold"),
    (dict(proba=[0.5, 0.5], starts=[0, 1], smoothing=0), "smoothing"),
    (dict(proba=[0.5, 0.5], starts=[0, 1], merge_gap=-1), "merge_gap"),
    (dict(proba=[0.5, 0.5], starts=[0, 1], window_length=0), "window_length"),
])
def test_bad_input_is_named(kwargs, match):
    proba, starts = kwargs.pop("proba"), kwargs.pop("starts")
    length = kwargs.pop("window_length", 1.0)
    with pytest.raises(ValueError, match=match):
        probabilities_to_events(proba, starts, length, **kwargs)


def test_mask_follows_the_szcore_rendering():
    # int(onset * fs) .. int(end * fs), as epilepsy2bids renders events files
    mask = events_to_mask([SeizureEvent(2.5, 3.0), (7.0, 0.4)], 10.2)
    assert mask.shape == (10,)
    assert np.flatnonzero(mask).tolist() == [2, 3, 4]
    assert events_to_mask([], 5).sum() == 0
    with pytest.raises(ValueError, match="negative"):
        events_to_mask([(-1.0, 2.0)], 10)
    assert math.isnan(SeizureEvent(0, 1).confidence)
