"""Channel constants and name-based picking."""

from __future__ import annotations

import numpy as np
import pytest

from skseizure.datasets._record import EEGRecording
from skseizure.datasets.montages import (
    CHBMIT_18,
    CHBMIT_21,
    CHBMIT_23,
    DCRNN_19,
    HELSINKI_18,
    TUSZ_19,
    MissingChannelsError,
    channel_indices,
    normalize_channel_name,
    pick_channels,
)


def test_constant_sizes_and_uniqueness():
    for names, size in [
        (CHBMIT_23, 23), (CHBMIT_21, 21), (CHBMIT_18, 18), (TUSZ_19, 19), (HELSINKI_18, 18),
    ]:
        assert len(names) == size
        assert len(set(names)) == size
        # Also unique once normalised: no two constants' entries name the same channel.
        assert len({normalize_channel_name(n) for n in names}) == size
    assert DCRNN_19 == TUSZ_19
    assert TUSZ_19[12:16] == ("T3", "T4", "T5", "T6")


def test_chbmit_23_matches_mne_on_the_real_edf(shared_data):
    mne = pytest.importorskip("mne")
    raw = mne.io.read_raw_edf(
        shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf", preload=False, verbose="error"
    )
    assert raw.ch_names == list(CHBMIT_23)


def test_chbmit_subsets_resolve_into_the_23_channel_recording():
    idx21 = channel_indices(CHBMIT_23, CHBMIT_21)
    # 21 = the 23 minus P7-T7 (position 18) and the second T8-P8 (position 22).
    assert idx21.tolist() == [i for i in range(23) if i not in (18, 22)]
    idx18 = channel_indices(CHBMIT_23, CHBMIT_18)
    assert idx18.tolist() == list(range(18))
    # The plain name T8-P8 means MNE's first occurrence, T8-P8-1 the second.
    assert channel_indices(CHBMIT_23, ["T8-P8", "T8-P8-1"]).tolist() == [14, 22]


@pytest.mark.parametrize(
    "label, key",
    [
        ("EEG FP1-REF", (("FP1",), None)),
        ("EEG T3-LE", (("T7",), None)),
        ("eeg t6-ref", (("P8",), None)),
        ("Fp2-F4", (("FP2", "F4"), None)),
        ("T4-T6", (("T8", "P8"), None)),
        ("T8-P8-1", (("T8", "P8"), 1)),
        (" fz ", (("FZ",), None)),
    ],
)
def test_normalize_channel_name(label, key):
    assert normalize_channel_name(label) == key


def test_tusz_labels_map_to_dcrnn_order():
    # TUSZ EDF labels in a scrambled order, plus a non-EEG channel.
    labels = ["EEG " + n + "-REF" for n in reversed(TUSZ_19)] + ["EKG1-REF"]
    idx = channel_indices(labels, DCRNN_19)
    assert [labels[i] for i in idx] == ["EEG " + n + "-REF" for n in TUSZ_19]
    # New names request the same electrodes as the old ones.
    new = ["T7", "T8", "P7", "P8"]
    assert [labels[i] for i in channel_indices(labels, new)] == [
        "EEG T3-REF", "EEG T4-REF", "EEG T5-REF", "EEG T6-REF",
    ]


def test_helsinki_names_match_chbmit_derivations():
    # Fp2-F8, F8-T4, T4-T6, T6-O2 is the CHB-MIT right temporal chain under old names.
    idx = channel_indices(CHBMIT_23, HELSINKI_18[8:12])
    assert [CHBMIT_23[i] for i in idx] == ["FP2-F8", "F8-T8", "T8-P8-0", "P8-O2"]


def test_bipolar_direction_matters():
    with pytest.raises(MissingChannelsError, match="T3-F7"):
        channel_indices(["F7-T3"], ["T3-F7"])
    # P7-T7 is T7-P7 reversed, and both exist in CHB-MIT as distinct channels.
    assert channel_indices(CHBMIT_23, ["P7-T7", "T7-P7"]).tolist() == [18, 2]


def test_missing_channels_are_all_named_and_catchable_both_ways():
    with pytest.raises(MissingChannelsError) as info:
        channel_indices(["FP1", "FP2"], ["FP1", "O1", "CZ"])
    assert info.value.missing == ["O1", "CZ"]
    assert "O1" in str(info.value) and "CZ" in str(info.value)
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)


def test_ambiguous_and_duplicate_requests_raise():
    with pytest.raises(ValueError, match="ambiguous"):
        channel_indices(["T3", "T7"], ["T7"])
    with pytest.raises(ValueError, match="twice"):
        channel_indices(["T3", "O1"], ["T3", "T7"])
    with pytest.raises(ValueError, match="empty"):
        channel_indices(["T3"], [])


def test_pick_channels_on_arrays(rng):
    X = rng.standard_normal((5, 3, 7)).astype(np.float32)
    names = ["EEG C3-REF", "EEG CZ-REF", "EEG C4-REF"]
    picked = pick_channels(X, names, ["C4", "C3"])
    np.testing.assert_array_equal(picked, X[:, [2, 0], :])
    assert picked.dtype == np.float32
    picked_2d = pick_channels(X[0], names, ["cz"])
    np.testing.assert_array_equal(picked_2d, X[0, [1], :])
    with pytest.raises(ValueError, match="2 channel names for 3 channels"):
        pick_channels(X, names[:2], ["C3"])
    with pytest.raises(ValueError, match="ch_names is required"):
        pick_channels(X, None, ["C3"])


def test_pick_channels_on_a_recording(rng):
    data = rng.standard_normal((3, 100)).astype(np.float32)
    rec = EEGRecording(
        data=data, sfreq=50.0, ch_names=["T3-T5", "T4-T6", "FZ-CZ"], subject="s1",
        name="r1", seizures=[(0.5, 1.0)],
    )
    out = pick_channels(rec, None, ["T8-P8", "T7-P7"])
    assert out.ch_names == ["T8-P8", "T7-P7"]
    np.testing.assert_array_equal(out.data, data[[1, 0]])
    assert (out.subject, out.name, out.seizures, out.sfreq) == ("s1", "r1", [(0.5, 1.0)], 50.0)
    with pytest.raises(MissingChannelsError, match="In r1: 1 channel"):
        pick_channels(rec, None, ["O1-O2"])
