"""make_windows and the Windows container, on hand-built and real CHB-MIT recordings."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from skseizure.io import EEGRecording
from skseizure.datasets.montages import CHBMIT_18, CHBMIT_23, MissingChannelsError, channel_indices
from skseizure.datasets.windowing import Windows, make_windows
from tests._extracts import load_chbmit_crops


def _ramp_recording(n_channels=2, sfreq=10.0, seconds=10.0, seizures=(), name="r", subject="s"):
    """Sample value encodes (channel, time index) so that slices can be checked exactly."""
    n = int(round(sfreq * seconds))
    data = np.stack([np.arange(n, dtype=np.float32) + 1000 * c for c in range(n_channels)])
    return EEGRecording(
        data=data, sfreq=sfreq, ch_names=[f"C{c}" for c in range(n_channels)],
        subject=subject, name=name, seizures=list(seizures),
    )


@pytest.fixture(scope="module")
def crops(shared_data):
    return load_chbmit_crops(shared_data)


# ----------------------------------------------------------------------------- hand-built


def test_non_overlapping_windows_slices_and_labels():
    rec = _ramp_recording(seizures=[(2.5, 4.0)])
    w = make_windows(rec, window_s=2.0)
    assert len(w) == 5 and w.X.shape == (5, 2, 20)
    assert w.X.dtype == np.float32 and w.sfreq == 10.0 and w.ch_names == ["C0", "C1"]
    for k in range(5):
        np.testing.assert_array_equal(w.X[k], rec.data[:, 20 * k:20 * (k + 1)])
    # Window [2, 4) s shares 1.5 s with the seizure = 75 % >= 50 %.
    assert w.y.tolist() == [0, 1, 0, 0, 0]
    np.testing.assert_allclose(w.metadata["seizure_overlap_s"], [0, 1.5, 0, 0, 0])
    np.testing.assert_allclose(w.metadata["start_s"], [0, 2, 4, 6, 8])
    np.testing.assert_allclose(w.metadata["end_s"], [2, 4, 6, 8, 10])
    assert w.metadata["start_sample"].tolist() == [0, 20, 40, 60, 80]
    assert w.groups.tolist() == ["s"] * 5
    assert (w.metadata["label"].to_numpy() == w.y).all()


@pytest.mark.parametrize(
    "fraction, expected",
    [
        (0.0, [0, 1, 1, 0, 0]),  # any overlap: [2,4) has 1.5 s, [4,6) has 0.5 s
        (0.25, [0, 1, 1, 0, 0]),  # 0.5 s = 25 % exactly
        (0.26, [0, 1, 0, 0, 0]),
        (0.75, [0, 1, 0, 0, 0]),  # 1.5 s = 75 % exactly
        (0.76, [0, 0, 0, 0, 0]),
        (1.0, [0, 0, 0, 0, 0]),
    ],
)
def test_overlap_fraction_rule_is_inclusive(fraction, expected):
    rec = _ramp_recording(seizures=[(2.5, 4.5)])
    assert make_windows(rec, window_s=2.0, min_seizure_overlap=fraction).y.tolist() == expected


def test_fully_ictal_window_and_merged_overlapping_seizures():
    # Two overlapping intervals must not be counted twice.
    rec = _ramp_recording(seizures=[(2.0, 3.5), (3.0, 4.0)])
    w = make_windows(rec, window_s=2.0, min_seizure_overlap=1.0)
    assert w.y.tolist() == [0, 1, 0, 0, 0]
    assert w.metadata["seizure_overlap_s"][1] == pytest.approx(2.0)


def test_overlapping_windows_and_partial_tail():
    rec = _ramp_recording(seconds=10.5)  # 105 samples
    w = make_windows(rec, window_s=4.0, step_s=2.0)
    assert w.metadata["start_sample"].tolist() == [0, 20, 40, 60]
    w_keep = make_windows(rec, window_s=4.0, step_s=2.0, drop_partial=False)
    # One more window, ending exactly at the last sample (no padding).
    assert w_keep.metadata["start_sample"].tolist() == [0, 20, 40, 60, 65]
    np.testing.assert_array_equal(w_keep.X[-1], rec.data[:, 65:105])
    # When the steps already reach the end there is nothing to add.
    exact = _ramp_recording(seconds=8.0)
    assert len(make_windows(exact, window_s=4.0, drop_partial=False)) == 2


def test_several_recordings_channels_reordered_and_groups():
    a = _ramp_recording(n_channels=3, name="a", subject="p1")
    b = _ramp_recording(n_channels=3, name="b", subject="p2", seizures=[(0.0, 10.0)])
    b = EEGRecording(
        data=b.data[::-1], sfreq=b.sfreq, ch_names=b.ch_names[::-1], subject="p2",
        name="b", seizures=b.seizures,
    )
    w = make_windows([a, b], window_s=5.0)
    assert w.ch_names == ["C0", "C1", "C2"]
    # b's rows were stored reversed; they come back in a's order.
    np.testing.assert_array_equal(w.X[2], a.data[:, :50])
    np.testing.assert_array_equal(w.X[2], w.X[0])
    assert w.groups.tolist() == ["p1", "p1", "p2", "p2"]
    assert w.y.tolist() == [0, 0, 1, 1]
    assert w.metadata["recording"].tolist() == ["a", "a", "b", "b"]
    picked = make_windows([a, b], window_s=5.0, channels=["C2"])
    np.testing.assert_array_equal(picked.X[:, 0], np.concatenate([w.X[:2, 2], w.X[2:, 2]]))


def test_groups_none_without_subjects():
    rec = _ramp_recording(subject=None)
    assert make_windows(rec, window_s=5.0).groups is None


def test_errors_name_the_problem():
    a = _ramp_recording(name="short", seconds=3.0)
    with pytest.raises(ValueError, match="longer than recording 'short'"):
        make_windows(a, window_s=4.0)
    b = _ramp_recording(name="fast", sfreq=20.0)
    c = _ramp_recording(name="slow", sfreq=10.0)
    with pytest.raises(ValueError, match=r"'fast': 20.0 Hz, 'slow': 10.0 Hz"):
        make_windows([b, c], window_s=1.0)
    d = _ramp_recording(n_channels=3, name="full")
    e = _ramp_recording(n_channels=1, name="thin")
    missing = r"'thin' lacks channels: 2 channel\(s\) not found: C1, C2"
    with pytest.raises(MissingChannelsError, match=missing):
        make_windows([d, e], window_s=1.0)
    nan = _ramp_recording(n_channels=3, name="holey")
    nan.data[1, 7] = np.nan
    nan_message = r"'holey' contains NaN or infinite samples in channel\(s\) C1"
    with pytest.raises(ValueError, match=nan_message):
        make_windows(nan, window_s=1.0)
    # A NaN in a channel that is not picked is harmless.
    assert len(make_windows(nan, window_s=1.0, channels=["C0", "C2"])) == 10
    mixed = [_ramp_recording(name="x"), _ramp_recording(name="y", subject=None)]
    with pytest.raises(ValueError, match="'y' have no subject"):
        make_windows(mixed, window_s=1.0)
    with pytest.raises(ValueError, match="at least one recording"):
        make_windows([], window_s=1.0)
    with pytest.raises(ValueError, match="min_seizure_overlap"):
        make_windows(a, window_s=1.0, min_seizure_overlap=1.5)
    with pytest.raises(ValueError, match="window_s"):
        make_windows(a, window_s=0)
    with pytest.raises(TypeError, match="not an EEGRecording"):
        make_windows([a.data], window_s=1.0)


def test_windows_container():
    rec = _ramp_recording(seizures=[(0.0, 2.0)])
    w = make_windows(rec, window_s=2.0)
    X, y, groups = w.as_arrays()
    assert X is w.X and y is w.y and groups is w.groups
    sub = w.subset(w.y == 0)
    assert len(sub) == 4 and sub.y.tolist() == [0] * 4
    assert sub.metadata.index.tolist() == [0, 1, 2, 3]
    np.testing.assert_array_equal(sub.X, w.X[1:])
    assert w.subset([4, 0]).metadata["start_s"].tolist() == [8.0, 0.0]
    again = pickle.loads(pickle.dumps(w))
    np.testing.assert_array_equal(again.X, w.X)
    with pytest.raises(ValueError, match="metadata has 1 rows for 5 windows"):
        Windows(X=w.X, y=w.y, groups=None, sfreq=10.0, ch_names=w.ch_names,
                metadata=pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match="3 channel names for 2 channels"):
        Windows(X=w.X, y=w.y, groups=None, sfreq=10.0, ch_names=["a", "b", "c"],
                metadata=w.metadata)


# ----------------------------------------------------------------------------- real CHB-MIT


def test_chbmit_crops_4s_half_overlap(crops):
    seizure, non_seizure = crops
    w = make_windows(crops, window_s=4.0, step_s=2.0)
    # 41 s at 256 Hz = 10496 samples: starts 0, 512, ..., 9216 -> 19 windows per crop.
    assert w.X.shape == (38, 23, 1024)
    by_rec = w.metadata.groupby("recording")["label"]
    assert by_rec.count().to_dict() == {"chb01_03_NonSeizure": 19, "chb01_03_Seizure": 19}
    # Seizure runs 1.0-41.0 s: the first window [0, 4) is 3/4 ictal, all others fully.
    assert by_rec.sum().to_dict() == {"chb01_03_NonSeizure": 0, "chb01_03_Seizure": 19}
    first = w.metadata.iloc[0]
    assert first["seizure_overlap_s"] == pytest.approx(3.0)
    assert set(w.groups) == {"chb01"}
    np.testing.assert_array_equal(w.X[1], seizure.data[:, 512:1536])
    np.testing.assert_array_equal(w.X[19], non_seizure.data[:, :1024])


def test_chbmit_crops_dcrnn_clips_and_strict_rule(crops):
    seizure = crops[0]
    w12 = make_windows(seizure, window_s=12.0)
    assert len(w12) == 3 and w12.y.tolist() == [1, 1, 1]
    w12_tail = make_windows(seizure, window_s=12.0, drop_partial=False)
    assert w12_tail.metadata["start_s"].tolist() == [0.0, 12.0, 24.0, 29.0]
    # 10-s windows with a 95 % rule: [0, 10) is only 90 % ictal.
    w10 = make_windows(seizure, window_s=10.0, min_seizure_overlap=0.95)
    assert w10.y.tolist() == [0, 1, 1, 1]
    with pytest.raises(ValueError, match="longer than recording 'chb01_03_Seizure'"):
        make_windows(seizure, window_s=60.0)


def test_chbmit_crops_18_channel_subset(crops):
    w = make_windows(crops, window_s=20.0, channels=CHBMIT_18)
    assert w.X.shape == (4, 18, 5120) and w.ch_names == list(CHBMIT_18)
    full = make_windows(crops, window_s=20.0)
    np.testing.assert_array_equal(w.X, full.X[:, channel_indices(CHBMIT_23, CHBMIT_18)])
