"""Montage derivation on real recordings as distributed.

CHB-MIT crops (23 bipolar channels, ``T8-P8`` twice), the Helsinki-group neonatal demo
EDFs (19 referential ``EEG Fp1-Ref`` channels + ECG + respiration; 8 bipolar preterm
channels with old names) and the Ombao 8-channel referential scalp recording (lower-case
file names ``c3`` ... ``t5``). EDFs are read with MNE directly.
"""

from __future__ import annotations

import numpy as np
import pytest

from skseizure.datasets.channels import (
    CHBMIT_23,
    DOUBLE_BANANA_18,
    HELSINKI_18,
    SZCORE_19,
    TUSZ_19,
    MissingChannelsError,
    channel_indices,
    parse_channel,
)
from skseizure.datasets.montages import (
    bipolar_montage,
    common_average_montage,
    derive_montage,
    pick_channels,
)
from skseizure.io import EEGRecording

mne = pytest.importorskip("mne")

OMBAO = ("c3", "c4", "cz", "p3", "p4", "t3", "t4", "t5")


def _edf(path, tmax=None):
    raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
    if tmax is not None:
        raw.crop(tmax=tmax)
    return raw


@pytest.fixture(scope="module")
def chbmit(shared_data):
    return _edf(shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf")


@pytest.fixture(scope="module")
def neonatal(shared_data):
    """19 referential channels ``EEG Fp1-Ref`` ... + ``ECG EKG-Ref`` + ``EEG Effort-Ref``."""
    return _edf(shared_data / "neonatal-demo-edf" / "eeg_burst_eg.edf", tmax=30.0)


@pytest.fixture(scope="module")
def preterm(shared_data):
    """8 bipolar channels with old names: F7-C3, C3-T5, F7-T3, T3-T5, F8-C4, ..."""
    return _edf(shared_data / "neonatal-demo-edf" / "preterm_demo.edf", tmax=30.0)


@pytest.fixture(scope="module")
def ombao(shared_data):
    """(8, 32678) referential signal at 100 Hz, channel names as the files are named."""
    rows = []
    for name in OMBAO:
        values = np.array((shared_data / "ombao-scalp-8ch" / name).read_text().split(), float)
        rows.append(values[np.isfinite(values)])  # two trailing NaN
    return np.stack(rows), list(OMBAO)


def _rows(raw, labels):
    return np.stack([raw.get_data(picks=[raw.ch_names.index(lab)])[0] for lab in labels])


# ----------------------------------------------------------------------------- CHB-MIT
def test_chbmit_23_matches_mne_on_the_real_edf(chbmit):
    assert chbmit.ch_names == list(CHBMIT_23)
    assert [parse_channel(n) for n in chbmit.ch_names[14::8]] == [("T8", "P8"), ("T8", "P8")]


def test_chbmit_double_banana_is_picked_not_computed(chbmit):
    X = chbmit.get_data()
    out = derive_montage(X, chbmit.ch_names, DOUBLE_BANANA_18)
    np.testing.assert_array_equal(out, X[:18])  # T8-P8 = the first occurrence T8-P8-0
    # The duplicated T8-P8 holds the same samples twice in this file.
    both = derive_montage(X, chbmit.ch_names, ["T8-P8", "T8-P8-1"])
    np.testing.assert_array_equal(both[0], both[1])
    # Windows (n, C, T) work the same way, float32 stays float32.
    W = X[:, : 2 * 256].reshape(23, 2, 256).transpose(1, 0, 2).astype(np.float32)
    out_w = derive_montage(W, chbmit.ch_names, DOUBLE_BANANA_18)
    assert out_w.shape == (2, 18, 256) and out_w.dtype == np.float32
    np.testing.assert_array_equal(out_w, W[:, :18])


def test_chbmit_reversed_derivation_is_the_negative(chbmit):
    X = chbmit.get_data()
    # Without T7-P7, it is derived as minus the recorded P7-T7. On the real file the two
    # recorded channels agree to one quantisation step (0.39 uV).
    keep = [i for i, n in enumerate(chbmit.ch_names) if n != "T7-P7"]
    derived = derive_montage(X[keep], [chbmit.ch_names[i] for i in keep], ["T7-P7"])[0]
    np.testing.assert_array_equal(derived, -X[chbmit.ch_names.index("P7-T7")])
    assert np.abs(derived - X[2]).max() < 0.5e-6
    assert np.abs(X[2]).max() > 100e-6  # the signal is large: the check is not vacuous


def test_chbmit_cannot_give_referential_montages(chbmit):
    X = chbmit.get_data()
    with pytest.raises(MissingChannelsError, match="no referential channels") as info:
        bipolar_montage(X, chbmit.ch_names)
    assert info.value.missing == list(DOUBLE_BANANA_18)
    assert info.value.available == list(CHBMIT_23)
    with pytest.raises(MissingChannelsError) as info:
        common_average_montage(X, chbmit.ch_names)
    assert info.value.missing == list(SZCORE_19)
    assert "Available: FP1-F7, F7-T7" in str(info.value)
    with pytest.raises(MissingChannelsError) as info:
        derive_montage(X, chbmit.ch_names, ["Fp1-F7", "Cz", "Fp1-Avg"])
    assert info.value.missing == ["Cz", "Fp1-Avg"]


# ----------------------------------------------------------------------------- neonatal
def test_neonatal_referential_names_normalise(neonatal):
    names = neonatal.ch_names
    assert names[0] == "EEG Fp1-Ref" and names[-2:] == ["ECG EKG-Ref", "EEG Effort-Ref"]
    assert channel_indices(names, TUSZ_19).tolist() == list(range(19))
    assert channel_indices(names, ["T7", "T8", "P7", "P8"]).tolist() == [12, 13, 14, 15]


def test_neonatal_bipolar_equals_referential_differences(neonatal):
    X, names = neonatal.get_data(), neonatal.ch_names
    out = bipolar_montage(X, names)
    assert out.shape == (18, X.shape[1])
    for k, label in enumerate(DOUBLE_BANANA_18):
        a, b = (f"EEG {e}-Ref" for e in label.replace("T7", "T3").replace("T8", "T4")
                .replace("P7", "T5").replace("P8", "T6").split("-"))
        np.testing.assert_array_equal(out[k], X[names.index(a)] - X[names.index(b)])
    # MNE's own bipolar re-referencing gives the same signals.
    anode = [f"EEG {p.split('-')[0]}-Ref" for p in HELSINKI_18]
    cathode = [f"EEG {p.split('-')[1]}-Ref" for p in HELSINKI_18]
    ref = mne.set_bipolar_reference(neonatal.copy(), anode, cathode, verbose="error")
    expected = _rows(ref, [f"{a}-{c}" for a, c in zip(anode, cathode)])
    np.testing.assert_allclose(bipolar_montage(X, names, HELSINKI_18), expected, rtol=0, atol=1e-15)
    # Tuples work as pairs, and derive_montage computes what is not recorded.
    np.testing.assert_array_equal(bipolar_montage(X, names, [("Fp1", "F7")])[0], out[0])
    np.testing.assert_array_equal(derive_montage(X, names, DOUBLE_BANANA_18), out)


def test_neonatal_common_average_is_szcore_car(neonatal):
    X, names = neonatal.get_data(), neonatal.ch_names
    car = common_average_montage(X, names)
    assert car.shape == (19, X.shape[1])
    scale = np.abs(car).max()
    assert scale > 10e-6
    assert np.abs(car.mean(axis=0)).max() < 1e-12 * scale * 19
    # The same as MNE's average reference over the 19 EEG electrodes (not ECG, effort).
    eeg = neonatal.copy().pick(names[:19]).set_eeg_reference("average", verbose="error")
    order = [f"EEG {lab.split('-')[0]}-Ref" for lab in SZCORE_19]
    np.testing.assert_allclose(car, _rows(eeg, order), rtol=0, atol=1e-15)
    np.testing.assert_allclose(derive_montage(X, names, SZCORE_19), car, rtol=0, atol=1e-15)
    # The result does not depend on the recording reference: add a common signal.
    drift = np.sin(np.arange(X.shape[1]) / 50.0) * 1e-4
    np.testing.assert_allclose(common_average_montage(X + drift, names), car, atol=1e-15)


def test_neonatal_missing_channels_name_both_sets(neonatal):
    X, names = neonatal.get_data(), neonatal.ch_names
    keep = [i for i, n in enumerate(names) if n != "EEG Pz-Ref"]
    kept = [names[i] for i in keep]
    with pytest.raises(MissingChannelsError) as info:
        bipolar_montage(X[keep], kept)
    assert info.value.missing == ["Cz-Pz"]
    assert info.value.available == kept
    message = str(info.value)
    assert "1 channel(s) not found: Cz-Pz." in message and "EEG Fp1-Ref" in message
    with pytest.raises(MissingChannelsError) as info:
        common_average_montage(X[keep], kept)
    assert info.value.missing == ["Pz-Avg"]
    # An ear-referenced derivation needs the ear electrode, which is not recorded.
    with pytest.raises(MissingChannelsError) as info:
        derive_montage(X, names, ["Fp1-F7", "T4-A2"])
    assert info.value.missing == ["T4-A2"]


# ----------------------------------------------------------------------------- preterm
def test_preterm_bipolar_recording_is_picked_across_spellings(preterm):
    X, names = preterm.get_data(), preterm.ch_names
    assert names == ["F7-C3", "C3-T5", "F7-T3", "T3-T5", "F8-C4", "C4-T6", "F8-T4", "T4-T6"]
    out = derive_montage(X, names, ["F7-T7", "T7-P7", "F8-T8", "T8-P8", "C3-F7"])
    np.testing.assert_array_equal(out[:4], X[[2, 3, 6, 7]])
    np.testing.assert_array_equal(out[4], -X[0])
    with pytest.raises(MissingChannelsError) as info:
        derive_montage(X, names, DOUBLE_BANANA_18)
    assert info.value.missing == [
        lab for lab in DOUBLE_BANANA_18 if lab not in ("F7-T7", "T7-P7", "F8-T8", "T8-P8")
    ]
    assert info.value.available == names


# ----------------------------------------------------------------------------- Ombao
def test_ombao_names_and_derivations(ombao):
    X, names = ombao
    assert X.shape == (8, 32678)
    assert [parse_channel(n)[0] for n in names] == ["C3", "C4", "CZ", "P3", "P4", "T7", "T8", "P7"]
    pairs = ["T7-P7", "C3-P3", "C4-P4", "C3-Cz", "Cz-C4", "T3-C3"]
    out = bipolar_montage(X, names, pairs)
    i = {n: k for k, n in enumerate(names)}
    expected = [X[i["t3"]] - X[i["t5"]], X[i["c3"]] - X[i["p3"]], X[i["c4"]] - X[i["p4"]],
                X[i["c3"]] - X[i["cz"]], X[i["cz"]] - X[i["c4"]], X[i["t3"]] - X[i["c3"]]]
    np.testing.assert_array_equal(out, np.stack(expected))
    with pytest.raises(MissingChannelsError) as info:
        bipolar_montage(X, names)
    derivable = {"T7-P7", "C3-P3", "C4-P4"}
    assert info.value.missing == [lab for lab in DOUBLE_BANANA_18 if lab not in derivable]
    assert "Available: c3, c4, cz, p3, p4, t3, t4, t5." in str(info.value)


def test_ombao_common_average(ombao):
    X, names = ombao
    car = common_average_montage(X.astype(np.float32), names, channels=names)
    assert car.dtype == np.float32
    assert np.abs(car.astype(np.float64).mean(axis=0)).max() < 1e-5 * np.abs(car).max()
    np.testing.assert_allclose(car, X - X.mean(axis=0), rtol=0, atol=1e-3 * np.abs(X).std())
    with pytest.raises(MissingChannelsError) as info:
        common_average_montage(X, names)
    assert "Fp1-Avg" in info.value.missing and "Cz-Avg" not in info.value.missing


# ----------------------------------------------------------------------------- picking
def test_pick_channels_on_arrays(rng):
    X = rng.standard_normal((5, 3, 7)).astype(np.float32)
    names = ["EEG C3-REF", "EEG CZ-REF", "EEG C4-REF"]
    picked = pick_channels(X, names, ["C4", "C3"])
    np.testing.assert_array_equal(picked, X[:, [2, 0], :])
    assert picked.dtype == np.float32
    np.testing.assert_array_equal(pick_channels(X[0], names, ["cz"]), X[0, [1], :])
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
    with pytest.raises(MissingChannelsError, match="In r1: 1 channel") as info:
        pick_channels(rec, None, ["O1-O2"])
    assert info.value.available == rec.ch_names


# ----------------------------------------------------------------------------- bad input
def test_bad_requests_raise_clear_errors(ombao):
    X, names = ombao
    with pytest.raises(ValueError, match="not a bipolar derivation"):
        bipolar_montage(X, names, ["C3"])
    with pytest.raises(TypeError, match="not one string"):
        bipolar_montage(X, names, "C3-P3")
    with pytest.raises(ValueError, match="7 channel names for 8 channels"):
        derive_montage(X, names[:7], ["C3"])
    with pytest.raises(ValueError, match="twice"):
        derive_montage(X, names, ["T3-T5", "T7-P7"])
    with pytest.raises(ValueError, match="not one electrode"):
        common_average_montage(X, names, ["C3-P3", "Cz"])
    mixed = ["C3-A1", "C4-A2", "Cz-A1"]
    with pytest.raises(ValueError, match="different references"):
        common_average_montage(X[:3], mixed, ["C3", "C4", "Cz"])
    with pytest.raises(MissingChannelsError):  # C3-A1 minus C4-A2 is not C3-C4
        bipolar_montage(X[:3], mixed, ["C3-C4"])
    np.testing.assert_array_equal(bipolar_montage(X[:3], mixed, ["C3-Cz"])[0], X[0] - X[2])
