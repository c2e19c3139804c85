"""Bonn and the shipped sample (package loaders), and the test-data extract helpers."""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np
import pytest

from skseizure.io import EEGRecording
from skseizure.datasets.loaders import (
    BONN_SET_CODES,
    SAMPLE_FILES,
    bonn_seizure_target,
    load_bonn,
    load_sample,
    locate_data,
)
from skseizure.datasets.montages import CHBMIT_23, HELSINKI_18
from skseizure.datasets.windowing import Windows
from tests._extracts import (
    load_chbmit_crops,
    load_chbmit_seizures,
    load_chbmit_windows,
    load_helsinki_neonatal,
)

# ----------------------------------------------------------------------------- Helsinki


@pytest.mark.parametrize(
    "expert, n, n_seizure, n_seizure_infants",
    [("A", 781, 385, 40), ("B", 790, 394, 40)],
)
def test_helsinki_counts_and_groups(shared_data, expert, n, n_seizure, n_seizure_infants):
    w = load_helsinki_neonatal(shared_data, expert=expert)
    assert isinstance(w, Windows)
    assert w.X.shape == (n, 18, 64) and w.X.dtype == np.float32
    assert w.sfreq == 64.0 and w.ch_names == list(HELSINKI_18)
    assert int(w.y.sum()) == n_seizure and set(np.unique(w.y)) == {0, 1}
    assert len(np.unique(w.groups)) == 62
    per_infant = w.metadata.groupby("subject")["label"].agg(["min", "max", "size"])
    # Every infant contributes one class only.
    assert (per_infant["min"] == per_infant["max"]).all()
    assert int((per_infant["max"] == 1).sum()) == n_seizure_infants
    # Seizure-free infants give 18 windows each (22 x 18 = 396).
    assert set(per_infant.loc[per_infant["max"] == 0, "size"]) == {18}
    # Volts: median |x| about 10 microvolts.
    assert 2e-6 < float(np.median(np.abs(w.X))) < 5e-5
    np.testing.assert_array_equal(w.metadata["subject"].to_numpy(), w.groups)


def test_helsinki_metadata_and_shared_windows(shared_data):
    a = load_helsinki_neonatal(shared_data / "helsinki-neonatal", expert="a")
    b = load_helsinki_neonatal(shared_data, expert="B")
    first = a.metadata.iloc[0]
    assert (first["subject"], first["recording"], first["label"]) == (1, "eeg1.edf", 1)
    assert first["start_s"] == pytest.approx(103.015625)
    assert first["end_s"] - first["start_s"] == pytest.approx(1.0)
    assert a.metadata.loc[a.y == 0, "start_s"].isna().all()
    assert a.metadata.loc[a.y == 1, "start_s"].notna().all()
    # SOURCE.md: 47 (infant, onset) windows are shared bit for bit by experts A and B.
    key = ["subject", "start_s"]
    merged = a.metadata[a.y == 1].reset_index().merge(
        b.metadata[b.y == 1].reset_index(), on=key, suffixes=("_a", "_b")
    )
    assert len(merged) == 47
    np.testing.assert_array_equal(a.X[merged["index_a"]], b.X[merged["index_b"]])


def test_helsinki_errors(shared_data, tmp_path):
    with pytest.raises(ValueError, match="expert must be 'A' or 'B'"):
        load_helsinki_neonatal(shared_data, expert="C")
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        load_helsinki_neonatal(tmp_path)


# ----------------------------------------------------------------------------- Bonn


@pytest.fixture(scope="module")
def bonn(shared_data):
    return load_bonn(shared_data)


def test_bonn_all_sets(bonn, shared_data):
    assert bonn.X.shape == (500, 1, 4097) and bonn.X.dtype == np.float32
    assert bonn.sfreq == pytest.approx(173.61) and bonn.groups is None
    assert bonn.units == "adc" and bonn.ch_names == ["EEG"]
    assert np.bincount(bonn.y).tolist() == [100] * 5
    assert bonn.metadata["set"].tolist() == [s for s in "ABCDE" for _ in range(100)]
    assert bonn.metadata["recording"].iloc[[0, 99, 200, 499]].tolist() == [
        "Z001", "Z100", "N001", "S100",
    ]
    # Raw integer A/D values, exactly as in the text file.
    raw = np.loadtxt(shared_data / "bonn" / "C_N" / "N001.TXT")
    np.testing.assert_array_equal(bonn.X[200, 0], raw.astype(np.float32))
    assert np.array_equal(bonn.X, np.round(bonn.X))
    np.testing.assert_array_equal(bonn_seizure_target(bonn.y), bonn.metadata["label"])
    assert int(bonn.metadata["label"].sum()) == 100


def test_bonn_subset_target_and_scale(shared_data, bonn):
    w = load_bonn(shared_data / "bonn", sets=("E", "a"), target="seizure", scale=1e-6)
    assert len(w) == 200 and w.units == "V"
    assert w.y.tolist() == [1] * 100 + [0] * 100
    np.testing.assert_allclose(w.X[100:], bonn.X[:100] * 1e-6, rtol=1e-6)
    codes = load_bonn(shared_data, sets="D").y
    assert set(codes) == {BONN_SET_CODES["D"]}


def test_bonn_errors(shared_data, tmp_path):
    with pytest.raises(ValueError, match="letters among A, B, C, D, E"):
        load_bonn(shared_data, sets=("F",))
    with pytest.raises(ValueError, match="target"):
        load_bonn(shared_data, target="ictal")
    with pytest.raises(ValueError, match="Unknown Bonn set code"):
        bonn_seizure_target([0, 7])
    bad = tmp_path / "bonn" / "A_Z"
    bad.mkdir(parents=True)
    (bad / "Z001.txt").write_text("1\n2\n3\n")
    with pytest.raises(ValueError, match=r"Z001.txt holds 3 samples"):
        load_bonn(tmp_path, sets=("A",))
    with pytest.raises(FileNotFoundError, match="B_O"):
        load_bonn(tmp_path, sets=("A", "B"))


# ----------------------------------------------------------------------------- CHB-MIT


def test_chbmit_windows(shared_data):
    w = load_chbmit_windows(shared_data)
    assert w.X.shape == (20, 23, 2561) and w.X.dtype == np.float32
    assert w.ch_names == list(CHBMIT_23) and w.sfreq == 256.0
    assert int(w.y.sum()) == 10
    assert (w.groups == "chb01").sum() == 14 and (w.groups == "chb02").sum() == 6
    unreliable = w.metadata[~w.metadata["label_reliable"]]
    assert unreliable[["recording", "kind", "label"]].values.tolist() == [["chb02_19", "ictal", 1]]
    assert set(w.metadata.loc[w.y == 0, "kind"]) == {"preictal"}
    # µV -> V: typical EEG amplitudes are tens of microvolts.
    assert 1e-6 < float(np.median(np.abs(w.X))) < 2e-4
    dropped = load_chbmit_windows(shared_data / "chbmit", drop_unreliable=True)
    assert len(dropped) == 19 and dropped.metadata["label_reliable"].all()
    assert "chb02_19" in set(dropped.metadata.loc[dropped.y == 0, "recording"])


def test_chbmit_windows_match_the_edf_crop(shared_data):
    """The chb01_03 ictal window is official onset +10 s, i.e. second 11 of the Seizure crop."""
    w = load_chbmit_windows(shared_data)
    seizure = load_chbmit_crops(shared_data)[0]
    row = w.metadata.index[(w.metadata["recording"] == "chb01_03") & (w.y == 1)][0]
    np.testing.assert_array_equal(w.X[row], seizure.data[:, 11 * 256:11 * 256 + 2561])


def test_chbmit_crops(shared_data):
    seizure, non_seizure = load_chbmit_crops(shared_data)
    for rec in (seizure, non_seizure):
        assert isinstance(rec, EEGRecording)
        assert rec.data.shape == (23, 10496) and rec.data.dtype == np.float32
        assert rec.duration == 41.0 and rec.sfreq == 256.0 and rec.subject == "chb01"
        assert rec.ch_names == list(CHBMIT_23)
    assert seizure.name == "chb01_03_Seizure" and seizure.seizures == [(1.0, 41.0)]
    assert non_seizure.name == "chb01_03_NonSeizure" and non_seizure.seizures == []


def test_chbmit_full_seizures(shared_data):
    recs = load_chbmit_seizures(shared_data)
    assert [r.name for r in recs] == ["chb01_03", "chb01_04", "chb01_15", "chb01_16"]
    # Official durations 40, 27, 40, 51 s; files hold 256 * s + 1 samples.
    assert [r.n_times for r in recs] == [256 * s + 1 for s in (40, 27, 40, 51)]
    for rec in recs:
        assert rec.seizures == [(0.0, rec.duration)] and rec.subject == "chb01"
        assert rec.data.dtype == np.float32
    # Bit-exact with the crop, whose seizure starts at 1.0 s.
    crop = load_chbmit_crops(shared_data)[0]
    np.testing.assert_array_equal(recs[0].data[:, :10240], crop.data[:, 256:])


def test_chbmit_missing_folder_names_path(tmp_path):
    for loader in (load_chbmit_windows, load_chbmit_crops, load_chbmit_seizures):
        with pytest.raises(FileNotFoundError, match=str(tmp_path)):
            loader(tmp_path)
    with pytest.raises(ValueError, match="path is required"):
        load_chbmit_crops(None)


# ----------------------------------------------------------------------------- shipped sample


def test_sample_is_shipped_small_and_equals_the_real_crops(shared_data):
    data_dir = resources.files("skseizure.datasets") / "data"
    total = 0
    for filename in SAMPLE_FILES:
        content = (data_dir / filename).read_bytes()
        total += len(content)
    assert total <= 2 * 1024 * 1024
    digest = hashlib.sha256((data_dir / "chbmit_chb01_03_seizure_crop.edf").read_bytes())
    # sha256 from chbmit/SOURCE.md.
    assert digest.hexdigest() == "6c3b6af20586f11800c5ee9ee31d172d22e5fcdf5b1e94db6a2c5e8fa79cb2ec"
    attribution = (data_dir / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "chbmit_chb01_03_seizure_crop.edf" in attribution and "ODC-By" in attribution

    sample = load_sample()
    crops = load_chbmit_crops(shared_data)
    assert [r.name for r in sample] == [r.name for r in crops]
    for mine, real in zip(sample, crops):
        np.testing.assert_array_equal(mine.data, real.data)
        assert mine.seizures == real.seizures and mine.ch_names == real.ch_names


# ----------------------------------------------------------------------------- locate_data


def test_locate_data(tmp_path, monkeypatch):
    monkeypatch.delenv("SKSEIZURE_DATA", raising=False)
    assert locate_data(tmp_path) == tmp_path
    with pytest.raises(FileNotFoundError, match="nowhere"):
        locate_data(tmp_path / "nowhere")
    monkeypatch.setenv("SKSEIZURE_DATA", str(tmp_path))
    assert locate_data() == tmp_path
    monkeypatch.setenv("SKSEIZURE_DATA", str(tmp_path / "gone"))
    with pytest.raises(FileNotFoundError, match="SKSEIZURE_DATA"):
        locate_data()
    monkeypatch.delenv("SKSEIZURE_DATA")
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    assert locate_data() is None
    (tmp_path / "shared" / "data").mkdir(parents=True)
    assert locate_data() == (tmp_path / "shared" / "data").resolve()
