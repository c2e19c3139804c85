"""Tests for skseizure.io.read_edf on real CHB-MIT crops and damaged copies."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pytest

from skseizure.io import EDFError, EEGRecording, read_edf

edfio = pytest.importorskip("edfio")

CHBMIT_CHANNELS = [
    "FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP1-F3", "F3-C3", "C3-P3", "P3-O1",
    "FP2-F4", "F4-C4", "C4-P4", "P4-O2", "FP2-F8", "F8-T8", "T8-P8-0", "P8-O2",
    "FZ-CZ", "CZ-PZ", "P7-T7", "T7-FT9", "FT9-FT10", "FT10-T8", "T8-P8-1",
]
# CHB-MIT EDFs: digital -2048..2047 mapped to -800..800 µV, so one step is 1600/4095 µV.
CHBMIT_LSB_UV = 1600.0 / 4095.0


@pytest.fixture(scope="module")
def seizure_edf(shared_data):
    return shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf"


@pytest.fixture(scope="module")
def seizure_rec(seizure_edf):
    return read_edf(seizure_edf, subject="chb01", seizures=[(1.0, 41.0)])


def _write_edf(path, signals, annotations=()):
    """Write an EDF with edfio; ``signals`` is a list of (label, data_uV, sfreq)."""
    edf = edfio.Edf(
        [
            edfio.EdfSignal(
                np.asarray(x, dtype=float), sfreq, label=label,
                physical_dimension="uV", physical_range=(-1000.0, 1000.0),
            )
            for label, x, sfreq in signals
        ],
        annotations=list(annotations),
    )
    edf.write(path)
    return path


def test_chbmit_crop_metadata(seizure_rec, seizure_edf):
    rec = seizure_rec
    assert isinstance(rec, EEGRecording)
    assert rec.data.shape == (23, 41 * 256)
    assert rec.data.dtype == np.float32
    assert rec.sfreq == 256.0
    assert rec.ch_names == CHBMIT_CHANNELS
    assert rec.name == "chb01_03_Seizure"
    assert rec.subject == "chb01"
    assert rec.seizures == [(1.0, 41.0)]
    assert rec.source == str(seizure_edf)


def test_chbmit_crop_samples_equal_full_seizure_npy(seizure_rec, shared_data):
    # SOURCE.md: the seizure is 1.0..41.0 s of the crop; the npy starts at the
    # onset sample and holds 40 s * 256 + 1 samples, the last one past the crop.
    full = np.load(shared_data / "chbmit" / "full-seizures" / "chb01_03_ictal_full.npy")
    assert full.shape == (23, 40 * 256 + 1)
    onset = 256
    overlap = seizure_rec.n_times - onset
    edf_uv = seizure_rec.data[:, onset:].astype(np.float64) * 1e6
    npy_uv = full[:, :overlap]
    # Same digital samples: the only difference allowed is float32 rounding of the
    # volts, far below one quantisation step (0.39 µV).
    err = np.abs(edf_uv - npy_uv).max()
    assert err < 1e-3 * CHBMIT_LSB_UV
    # ... and a one-sample shift would be caught (the signal moves by many steps).
    shifted = np.abs(seizure_rec.data[:, onset - 1 : -1].astype(np.float64) * 1e6 - npy_uv)
    assert shifted.max() > 10 * CHBMIT_LSB_UV
    # Values really are volts: the EEG is tens to hundreds of µV.
    assert 1e-5 < np.abs(seizure_rec.data).max() < 1e-3


def test_nonseizure_crop_reads_same_layout(shared_data):
    rec = read_edf(shared_data / "chbmit" / "edf" / "chb01_03_NonSeizure.edf")
    assert rec.ch_names == CHBMIT_CHANNELS
    assert rec.data.shape == (23, 41 * 256)
    assert rec.seizures == []
    assert rec.subject is None


def test_channel_selection_and_lazy_read(seizure_rec, seizure_edf):
    rec = read_edf(seizure_edf, channels=["T8-P8-1", "FP1-F7", "T8-P8-0"], preload=False)
    assert rec.ch_names == ["T8-P8-1", "FP1-F7", "T8-P8-0"]
    np.testing.assert_array_equal(rec.data[0], seizure_rec.data[22])
    np.testing.assert_array_equal(rec.data[1], seizure_rec.data[0])
    np.testing.assert_array_equal(rec.data[2], seizure_rec.data[14])
    # In CHB-MIT the second T8-P8 is a sample-for-sample copy of the first one.
    np.testing.assert_array_equal(rec.data[0], rec.data[2])


def test_unknown_channel_names_file_and_choices(seizure_edf):
    with pytest.raises(ValueError, match="T8-P8") as info:
        read_edf(seizure_edf, channels=["T8-P8"])
    assert str(seizure_edf) in str(info.value)
    with pytest.raises(TypeError, match="list of channel names"):
        read_edf(seizure_edf, channels="FP1-F7")


def test_seizure_beyond_recording_names_file(seizure_edf):
    with pytest.raises(ValueError, match="beyond the recording") as info:
        read_edf(seizure_edf, seizures=[(30.0, 45.0)])
    assert str(seizure_edf) in str(info.value)


def test_truncated_copy(seizure_edf, tmp_path):
    blob = seizure_edf.read_bytes()
    cut = tmp_path / "half.edf"
    cut.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(EDFError, match="truncated") as info:
        read_edf(cut)
    assert str(cut) in str(info.value)
    # Cut inside the header as well.
    cut_header = tmp_path / "header_cut.edf"
    cut_header.write_bytes(blob[:1000])
    with pytest.raises(EDFError, match="truncated.*signal headers"):
        read_edf(cut_header)
    # One missing byte is enough to be refused (MNE alone would infer fewer records).
    one_short = tmp_path / "one_short.edf"
    one_short.write_bytes(blob[:-1])
    with pytest.raises(EDFError, match="truncated"):
        read_edf(one_short)


def test_trailing_bytes_warn_and_are_ignored(seizure_edf, seizure_rec, tmp_path):
    longer = tmp_path / "longer.edf"
    longer.write_bytes(seizure_edf.read_bytes() + b"\x00" * 10)
    with pytest.warns(RuntimeWarning, match="10 bytes follow"):
        rec = read_edf(longer)
    np.testing.assert_array_equal(rec.data, seizure_rec.data)


def test_garbage_header_and_non_edf_bytes(seizure_edf, tmp_path):
    blob = bytearray(seizure_edf.read_bytes())
    blob[236:244] = b"abcdefgh"  # number of data records
    garbage = tmp_path / "garbage.edf"
    garbage.write_bytes(bytes(blob))
    with pytest.raises(EDFError, match="number of data records.*abcdefgh") as info:
        read_edf(garbage)
    assert str(garbage) in str(info.value)

    rng = np.random.default_rng(0)
    noise = tmp_path / "noise.edf"
    noise.write_bytes(rng.integers(0, 256, 10_000, dtype=np.uint8).tobytes())
    with pytest.raises(EDFError, match="not an EDF file") as info:
        read_edf(noise)
    assert str(noise) in str(info.value)

    bdf = tmp_path / "x.edf"
    bdf.write_bytes(b"\xffBIOSEMI" + bytes(300))
    with pytest.raises(EDFError, match="BDF"):
        read_edf(bdf)


def test_header_inconsistent_sizes(seizure_edf, tmp_path):
    blob = bytearray(seizure_edf.read_bytes())
    blob[184:192] = b"1234    "  # header bytes, should be 256 * 24
    bad = tmp_path / "bad_hdr.edf"
    bad.write_bytes(bytes(blob))
    with pytest.raises(EDFError, match="1234 header bytes"):
        read_edf(bad)


def test_empty_and_missing_file(tmp_path):
    empty = tmp_path / "empty.edf"
    empty.write_bytes(b"")
    with pytest.raises(EDFError, match="empty") as info:
        read_edf(empty)
    assert str(empty) in str(info.value)
    with pytest.raises(FileNotFoundError, match="missing.edf"):
        read_edf(tmp_path / "missing.edf")
    with pytest.raises(EDFError, match="not a regular file"):
        read_edf(tmp_path)


def test_mixed_sampling_rates_refused_unless_one_rate_selected(tmp_path, rng):
    a = rng.normal(0, 100, 256 * 4)
    b = rng.normal(0, 100, 128 * 4)
    c = rng.normal(0, 100, 256 * 4)
    path = _write_edf(tmp_path / "mixed.edf", [("A", a, 256), ("B", b, 128), ("A", c, 256)])
    with pytest.raises(EDFError, match="different sampling rates") as info:
        read_edf(path)
    message = str(info.value)
    assert str(path) in message and "128 Hz: ['B']" in message and "256 Hz" in message
    with pytest.raises(EDFError, match="different sampling rates"):
        read_edf(path, channels=["A-0", "B"])

    fast = read_edf(path, channels=["A-1", "A-0"])
    assert fast.sfreq == 256.0 and fast.n_times == 1024
    lsb = 2000.0 / 65535
    np.testing.assert_allclose(fast.data[0] * 1e6, c, atol=lsb)
    np.testing.assert_allclose(fast.data[1] * 1e6, a, atol=lsb)
    slow = read_edf(path, channels=["B"], preload=False)
    assert slow.sfreq == 128.0 and slow.n_times == 512
    np.testing.assert_allclose(slow.data[0] * 1e6, b, atol=lsb)


def test_edf_plus_annotation_signal_is_not_a_channel(tmp_path, rng):
    x = rng.normal(0, 100, (2, 512))
    path = _write_edf(
        tmp_path / "plus.edf",
        [("C3", x[0], 256), ("C4", x[1], 256)],
        annotations=[edfio.EdfAnnotation(0.5, 1.0, "seizure")],
    )
    assert b"EDF+C" in path.read_bytes()[192:236]
    rec = read_edf(path)
    assert rec.ch_names == ["C3", "C4"]
    np.testing.assert_allclose(rec.data * 1e6, x, atol=2000.0 / 65535)


@pytest.mark.parametrize(
    "dimension, to_volts",
    [
        (b"uV", 1e-6),
        ("\u00b5V".encode("latin-1"), 1e-6),
        ("\u00b5V".encode("utf-8"), 1e-6),  # MNE alone would return this one unscaled
        ("\u03bcV".encode("utf-8"), 1e-6),
        (b"UV", 1e-6),
        (b"mV", 1e-3),
        (b"V", 1.0),
        (b"nV", 1e-9),
        (b"%", 1.0),  # not a voltage: returned in the file's unit
    ],
)
def test_physical_dimension_scaling(tmp_path, rng, dimension, to_volts):
    x = rng.normal(0, 100, 512)
    path = _write_edf(tmp_path / "unit.edf", [("C3", x, 256)])
    blob = bytearray(path.read_bytes())
    start = blob.index(b"uV      ", 256)  # the signal's 8-byte physical dimension
    blob[start : start + 8] = dimension.ljust(8, b" ")
    path.write_bytes(bytes(blob))
    rec = read_edf(path)
    lsb = 2000.0 / 65535
    np.testing.assert_allclose(rec.data[0] / to_volts, x, atol=lsb, rtol=1e-6)


def test_edf_plus_discontinuous_refused(tmp_path, rng):
    path = _write_edf(tmp_path / "d.edf", [("C3", rng.normal(0, 1, 256), 256)])
    blob = bytearray(path.read_bytes())
    blob[192:197] = b"EDF+D"
    path.write_bytes(bytes(blob))
    with pytest.raises(EDFError, match="EDF\\+D"):
        read_edf(path)


def test_mne_failure_is_wrapped_with_path(seizure_edf, tmp_path, monkeypatch):
    import mne

    def broken(*args, **kwargs):
        raise RuntimeError("simulated decoder failure")

    monkeypatch.setattr(mne.io, "read_raw_edf", broken)
    copy = tmp_path / "copy.edf"
    shutil.copyfile(seizure_edf, copy)
    with pytest.raises(EDFError, match="simulated decoder failure") as info:
        read_edf(copy)
    assert str(copy) in str(info.value)


def test_no_warning_for_chbmit_duplicate_labels(seizure_edf):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_edf(seizure_edf, channels=["FP1-F7"])
