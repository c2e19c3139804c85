"""Seizure clips (onset - 2 s, truncated at the seizure end, padded) and the four-class merge.

Real signal: the whole CHB-MIT seizures (each file runs from the official onset to the
offset), embedded in a longer recording so that the 2-s pre-onset exists.
"""

import numpy as np
import pytest

from skseizure.datasets import SEIZURE_TYPE_CLASSES, merge_seizure_types, seizure_onset_clips


def test_merge_into_the_four_paper_classes():
    types = ["FNSZ", "spsz", "CPSZ", "gnsz", "ABSZ", "tnsz", "TCSZ", "mysz", "atsz", "cnsz", "seiz"]
    labels, kept = merge_seizure_types(types)
    assert labels.tolist() == ["CF", "CF", "CF", "GN", "AB", "CT", "CT"]
    assert kept.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert set(labels) == set(SEIZURE_TYPE_CLASSES)
    with pytest.raises(ValueError, match="seizure type 1"):
        merge_seizure_types(["fnsz", 3])


def test_clips_on_real_chbmit_seizures(shared_data):
    from tests._extracts import load_chbmit_seizures

    recs = load_chbmit_seizures(shared_data)
    sfreq = 256
    rec = recs[0]
    sz_len = rec.data.shape[1] / sfreq
    pre = np.zeros((rec.data.shape[0], 5 * sfreq), np.float32)
    data = np.concatenate([pre, rec.data], axis=1)  # seizure at 5 s .. 5 + sz_len
    clips, lengths, kept = seizure_onset_clips(data, sfreq, [(5.0, 5.0 + sz_len)], clip_s=12)
    assert clips.shape == (1, 23, 12 * sfreq) and lengths.tolist() == [12] and kept.tolist() == [0]
    # starts 2 s before onset: 2 s of the zero prefix, then the seizure's first samples
    np.testing.assert_array_equal(clips[0, :, : 2 * sfreq], 0)
    np.testing.assert_array_equal(clips[0, :, 2 * sfreq:], rec.data[:, : 10 * sfreq])
    # truncated at the seizure end: with 60-s clips a shorter seizure is padded
    clips60, len60, _ = seizure_onset_clips(data, sfreq, [(5.0, 5.0 + sz_len)], clip_s=60,
                                            pad_value=-1.0)
    n_valid = int((5.0 + sz_len) * sfreq - 3 * sfreq) // sfreq
    assert sz_len < 58 and len60.tolist() == [n_valid]
    assert (clips60[0, :, n_valid * sfreq:] == -1.0).all()
    np.testing.assert_array_equal(clips60[0, :, 2 * sfreq: n_valid * sfreq],
                                  rec.data[:, : (n_valid - 2) * sfreq])


def test_second_seizure_starts_after_the_first_and_short_ones_drop():
    data = np.arange(100 * 10, dtype=np.float32).reshape(1, -1)  # 1 channel, 100 s at 10 Hz
    seizures = [(50.0, 70.0), (10.0, 30.5), (71.0, 71.5)]
    clips, lengths, kept = seizure_onset_clips(data, 10, seizures, clip_s=12)
    # (10, 30.5): starts at 8 s, 12 steps; (50, 70) starts at 48 s; (71, 71.5): clip from
    # 70.1 s (after the previous end) to 71.5 s holds one whole step
    assert kept.tolist() == [1, 0, 2]
    assert lengths.tolist() == [12, 12, 1]
    assert clips[0, 0, 0] == 80 and clips[1, 0, 0] == 480 and clips[2, 0, 0] == 701
    _, _, kept = seizure_onset_clips(data, 10, [(71.0, 71.5)], clip_s=12, pre_onset_s=0)
    assert kept.size == 0  # 0.5 s: no whole step
    with pytest.raises(ValueError, match="whole number"):
        seizure_onset_clips(data, 10, seizures, clip_s=12.5)
    with pytest.raises(ValueError, match="seizure 0"):
        seizure_onset_clips(data, 10, [(5.0, 2.0)])


TUSZ_CHANNEL_CSV = """# version = csv_v1.0.0
# bname = aaaaaaaa_s001_t000
# duration = 120.0000 secs
#
channel,start_time,stop_time,label,confidence
FP1-F7,0.0000,10.0000,bckg,1.0000
FP1-F7,10.0000,30.0000,cpsz,1.0000
F7-T3,12.5000,31.0000,cpsz,1.0000
T3-T5,29.0000,33.0000,fnsz,1.0000
FP2-F8,60.0000,62.0000,mysz,1.0000
CZ-PZ,80.0000,95.0000,gnsz,1.0000
CZ-C4,81.0000,100.0000,tcsz,1.0000
C3-CZ,90.0000,101.0000,tcsz,1.0000
"""


def test_typed_seizures_from_tusz_channel_rows(tmp_path):
    from skseizure.datasets import read_tusz_csv_bi, typed_seizures

    path = tmp_path / "aaaaaaaa_s001_t000.csv"
    path.write_text(TUSZ_CHANNEL_CSV)
    seizures = typed_seizures(read_tusz_csv_bi(path).events)
    # 10-33 s: cpsz covers 38.5 channel-seconds, fnsz 4; 80-101 s: tcsz 30 vs gnsz 15
    assert seizures == [(10.0, 33.0, "cpsz"), (60.0, 62.0, "mysz"), (80.0, 101.0, "tcsz")]
    labels, kept = merge_seizure_types([t for _, _, t in seizures])
    assert labels.tolist() == ["CF", "CT"] and kept.tolist() == [0, 2]
