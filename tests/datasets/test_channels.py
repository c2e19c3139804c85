"""The channel-name table: parsing, spelling, channel lists and name-based picking."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skseizure.datasets.channels import (
    CHBMIT_18,
    CHBMIT_21,
    CHBMIT_23,
    DCRNN_19,
    DOUBLE_BANANA_18,
    HELSINKI_18,
    OLD_TO_NEW_10_20,
    SZCORE_19,
    TUSZ_19,
    ChannelName,
    MissingChannelsError,
    canonical_electrode,
    channel_indices,
    format_channel_name,
    normalize_channel_name,
    parse_channel,
    parse_channel_name,
)
from skseizure.datasets.electrodes import electrode_position, mirror_channel, mirror_permutation


# ----------------------------------------------------------------------------- the lists
def test_constant_sizes_and_uniqueness():
    for names, size in [
        (CHBMIT_23, 23), (CHBMIT_21, 21), (CHBMIT_18, 18), (TUSZ_19, 19), (HELSINKI_18, 18),
        (DOUBLE_BANANA_18, 18), (SZCORE_19, 19),
    ]:
        assert len(names) == size
        assert len(set(names)) == size
        # Also unique once normalised: no two entries name the same channel.
        assert len({normalize_channel_name(n) for n in names}) == size
    assert DCRNN_19 == TUSZ_19
    assert TUSZ_19[12:16] == ("T3", "T4", "T5", "T6")


def test_legacy_lists_are_renderings_of_the_same_table():
    # TUSZ/DCRNN order is in old names, the double banana in new ones: same electrodes.
    assert [normalize_channel_name(n)[0][0] for n in TUSZ_19[12:16]] == ["T7", "T8", "P7", "P8"]
    assert {normalize_channel_name(n) for n in HELSINKI_18} == {
        normalize_channel_name(n) for n in DOUBLE_BANANA_18
    }
    assert [normalize_channel_name(n) for n in CHBMIT_18] == [
        normalize_channel_name(n) for n in DOUBLE_BANANA_18
    ]
    # SzCORE order and spelling (Dan et al. 2024): old names, "-Avg" suffix.
    assert SZCORE_19[:8] == (
        "Fp1-Avg", "F3-Avg", "C3-Avg", "P3-Avg", "O1-Avg", "F7-Avg", "T3-Avg", "T5-Avg",
    )
    assert SZCORE_19[-3:] == ("F8-Avg", "T4-Avg", "T6-Avg")
    assert {normalize_channel_name(n)[0][0] for n in SZCORE_19} == {
        normalize_channel_name(n)[0][0] for n in TUSZ_19
    }


def test_chbmit_subsets_resolve_into_the_23_channel_recording():
    idx21 = channel_indices(CHBMIT_23, CHBMIT_21)
    # 21 = the 23 minus P7-T7 (position 18) and the second T8-P8 (position 22).
    assert idx21.tolist() == [i for i in range(23) if i not in (18, 22)]
    assert channel_indices(CHBMIT_23, CHBMIT_18).tolist() == list(range(18))
    assert channel_indices(CHBMIT_23, DOUBLE_BANANA_18).tolist() == list(range(18))
    # The plain name T8-P8 means MNE's first occurrence, T8-P8-1 the second.
    assert channel_indices(CHBMIT_23, ["T8-P8", "T8-P8-1"]).tolist() == [14, 22]


# ----------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    "label, electrodes, reference, duplicate",
    [
        ("EEG FP1-REF", ("FP1",), None, None),
        ("EEG Fp1-Ref", ("FP1",), None, None),
        ("Fp1", ("FP1",), None, None),
        ("EEG T3-LE", ("T7",), "LE", None),
        ("eeg t6-ref", ("P8",), None, None),
        ("Fp1-Avg", ("FP1",), "AVG", None),
        ("EEG C3-AR", ("C3",), "AVG", None),
        ("C3-A2", ("C3",), "A2", None),
        ("T5-M1", ("P7",), "M1", None),
        ("Fp2-F4", ("FP2", "F4"), None, None),
        ("FP1-F7", ("FP1", "F7"), None, None),
        ("T4-T6", ("T8", "P8"), None, None),
        ("A1-T3", ("A1", "T7"), None, None),
        ("T8-P8-1", ("T8", "P8"), None, 1),
        ("T8-P8-0", ("T8", "P8"), None, 0),
        (" fz ", ("FZ",), None, None),
        ("ECG EKG-Ref", ("ECG EKG",), None, None),
    ],
)
def test_parse_channel_name(label, electrodes, reference, duplicate):
    assert parse_channel_name(label) == ChannelName(electrodes, reference, duplicate)
    assert normalize_channel_name(label) == (electrodes, duplicate)


def test_old_names_are_aliases_only():
    assert OLD_TO_NEW_10_20 == {"T3": "T7", "T4": "T8", "T5": "P7", "T6": "P8"}
    for old, new in OLD_TO_NEW_10_20.items():
        assert canonical_electrode(old.lower()) == new
        assert canonical_electrode(new, legacy=True) == old
        assert canonical_electrode(old, legacy=True) == old
    assert canonical_electrode("Cz", legacy=True) == "CZ"
    assert parse_channel("EEG T4-REF") == ("T8",)
    assert parse_channel("T8-P8-0", legacy=True) == ("T4", "T6")
    with pytest.raises(ValueError, match="Cannot parse"):
        parse_channel("F7-T3-C3")


@pytest.mark.parametrize(
    "label, kwargs, expected",
    [
        ("EEG FP1-REF", {}, "Fp1"),
        ("EEG T3-REF", {}, "T7"),
        ("fp2-t8", {"legacy": True}, "Fp2-T4"),
        ("Fp2-T4", {"upper": True}, "FP2-T8"),
        ("AFZ", {}, "AFz"),
        ("fpz", {}, "Fpz"),
        ("FP1-AVG", {}, "Fp1-Avg"),
        ("T8-P8-1", {"legacy": True}, "T4-T6-1"),
        ("C3-a2", {}, "C3-A2"),
    ],
)
def test_format_channel_name(label, kwargs, expected):
    assert format_channel_name(label, **kwargs) == expected


def test_canonical_spelling_is_mne_standard_1020():
    mne = pytest.importorskip("mne")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # template renamed in MNE >= 1.13
        names = mne.channels.make_standard_montage("standard_1020").ch_names
    for name in names:
        if name.upper() in OLD_TO_NEW_10_20:
            assert format_channel_name(name) == OLD_TO_NEW_10_20[name.upper()]
            assert format_channel_name(name, legacy=True) == name
        else:
            assert format_channel_name(name.upper()) == name


_ELECTRODE = st.sampled_from(
    ["Fp1", "FP2", "f7", "T3", "t8", "P7", "T5", "Cz", "PZ", "O1", "FT9", "FT10", "A1", "M2"]
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    prefix=st.sampled_from(["", "EEG ", "eeg "]),
    first=_ELECTRODE,
    second=st.one_of(st.none(), _ELECTRODE),
    ref=st.sampled_from(["", "-REF", "-Ref", "-LE", "-Avg", "-AR", "-A1", "-M2"]),
    dup=st.sampled_from(["", "-0", "-1"]),
)
def test_formatting_round_trips_and_aliases_agree(prefix, first, second, ref, dup):
    label = prefix + first + ("-" + second if second else "") + ("" if second else ref) + dup
    parsed = parse_channel_name(label)
    for kwargs in ({}, {"legacy": True}, {"upper": True}):
        assert parse_channel_name(format_channel_name(label, **kwargs)) == parsed
    # Old and new spellings of the same label parse identically.
    swapped = label
    for old, new in OLD_TO_NEW_10_20.items():
        swapped = swapped.replace(old, new).replace(old.lower(), new.lower())
    assert parse_channel_name(swapped) == parsed


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=30))
def test_any_label_parses_without_error(label):
    # Recordings hold arbitrary labels (ECG, "--0", photic ...); reading them never fails.
    parsed = parse_channel_name(label)
    assert isinstance(parsed.electrodes, tuple) and len(parsed.electrodes) >= 1
    assert isinstance(format_channel_name(label), str)


# ----------------------------------------------------------------------------- matching
def test_tusz_labels_map_to_dcrnn_order():
    # TUSZ EDF labels in a scrambled order, plus a non-EEG channel.
    labels = ["EEG " + n + "-REF" for n in reversed(TUSZ_19)] + ["EKG1-REF"]
    idx = channel_indices(labels, DCRNN_19)
    assert [labels[i] for i in idx] == ["EEG " + n + "-REF" for n in TUSZ_19]
    # New names request the same electrodes as the old ones.
    assert [labels[i] for i in channel_indices(labels, ["T7", "T8", "P7", "P8"])] == [
        "EEG T3-REF", "EEG T4-REF", "EEG T5-REF", "EEG T6-REF",
    ]


def test_helsinki_names_match_chbmit_derivations():
    # Fp2-F8, F8-T4, T4-T6, T6-O2 is the CHB-MIT right temporal chain under old names.
    idx = channel_indices(CHBMIT_23, HELSINKI_18[8:12])
    assert [CHBMIT_23[i] for i in idx] == ["FP2-F8", "F8-T8", "T8-P8-0", "P8-O2"]


def test_references_in_matching():
    labels = ["EEG C3-REF", "C4-A1", "Cz-Avg"]
    # No reference requested: any reference is accepted.
    assert channel_indices(labels, ["C3", "C4", "Cz"]).tolist() == [0, 1, 2]
    # A stated reference must be the recorded one: T4-A2 is not T4 against REF.
    assert channel_indices(labels, ["Cz-Avg", "C4-A1"]).tolist() == [2, 1]
    with pytest.raises(MissingChannelsError) as info:
        channel_indices(labels, ["C3-Avg", "C4-A2"])
    assert info.value.missing == ["C3-Avg", "C4-A2"]
    assert info.value.available == labels
    with pytest.raises(ValueError, match="ambiguous"):
        channel_indices(["Fp1-A1", "EEG Fp1-REF"], ["Fp1"])


def test_bipolar_direction_matters():
    with pytest.raises(MissingChannelsError, match="T3-F7"):
        channel_indices(["F7-T3"], ["T3-F7"])
    # P7-T7 is T7-P7 reversed, and both exist in CHB-MIT as distinct channels.
    assert channel_indices(CHBMIT_23, ["P7-T7", "T7-P7"]).tolist() == [18, 2]


def test_missing_channels_are_all_named_and_catchable_both_ways():
    with pytest.raises(MissingChannelsError) as info:
        channel_indices(["FP1", "FP2"], ["FP1", "O1", "CZ"])
    assert info.value.missing == ["O1", "CZ"]
    assert info.value.available == ["FP1", "FP2"]
    assert "O1, CZ" in str(info.value) and "Available: FP1, FP2" in str(info.value)
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)


def test_ambiguous_and_duplicate_requests_raise():
    with pytest.raises(ValueError, match="ambiguous"):
        channel_indices(["T3", "T7"], ["T7"])
    with pytest.raises(ValueError, match="twice"):
        channel_indices(["T3", "O1"], ["T3", "T7"])
    with pytest.raises(ValueError, match="empty"):
        channel_indices(["T3"], [])
    with pytest.raises(TypeError, match="not one string"):
        channel_indices(["T3"], "T3")


# ----------------------------------------------------------------------------- electrodes
def test_positions_and_mirror_accept_both_spellings():
    for old, new in OLD_TO_NEW_10_20.items():
        np.testing.assert_array_equal(electrode_position(old), electrode_position(new))
    assert mirror_channel("T3") == ("T8",) and mirror_channel("EEG T5-REF") == ("P8",)
    assert mirror_channel("Fp1-F7") == ("FP2", "F8")
    # The same permutation whatever the spelling of the node order.
    modern = [format_channel_name(n) for n in TUSZ_19]
    np.testing.assert_array_equal(mirror_permutation(modern), mirror_permutation(TUSZ_19))
    perm = mirror_permutation(DOUBLE_BANANA_18)
    # Left temporal chain <-> right temporal chain, parasagittal <-> parasagittal.
    mirrored = [DOUBLE_BANANA_18[i] for i in perm[:8]]
    assert mirrored == list(DOUBLE_BANANA_18[12:16] + DOUBLE_BANANA_18[8:12])
    with pytest.raises(ValueError, match="bipolar"):
        electrode_position("Fp1-F7")
