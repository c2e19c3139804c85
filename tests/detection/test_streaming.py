"""Chunked detection equals the in-memory recipe (windows within 1e-5) on real EEG."""

import sys
from pathlib import Path

import numpy as np
import pytest

from skseizure.detection.bundled import BundledDetectorInputError
from skseizure.detection.streaming import (
    ArraySource,
    EDFSource,
    filter_context,
    resample_context,
    stream_window_proba,
)
from skseizure.detection import window_proba_to_events
from skseizure.io import read_edf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "datasets"))
from _models import small_detector  # noqa: E402
from _trees import real_signal, write_edf  # noqa: E402

SZCORE_19 = ["Fp1", "F3", "C3", "P3", "O1", "F7", "T3", "T5", "Fz", "Cz", "Pz", "Fp2", "F4",
             "C4", "P4", "O2", "F8", "T4", "T6"]


class _Recorder:
    """Wraps the detector's network and keeps every window it is given."""

    def __init__(self, estimator):
        self.estimator, self.windows = estimator, []

    def predict_proba(self, X):
        self.windows.append(np.array(X))
        return self.estimator.predict_proba(X)

    def channel_proba(self, X):
        return self.estimator.channel_proba(X)


@pytest.fixture(scope="module")
def detector():
    return small_detector()


def _windows(detector, data, sfreq, names, chunk_seconds):
    recorder = _Recorder(detector.estimator)
    original, detector.estimator = detector.estimator, recorder
    try:
        wp = stream_window_proba(detector, ArraySource(data, sfreq, names),
                                 chunk_seconds=chunk_seconds)
    finally:
        detector.estimator = original
    return wp, recorder.windows


def _compare(detector, data, sfreq, names, chunk_seconds):
    # 1. chunked == the same computation on the whole recording at once, within 1e-5
    wp, chunks = _windows(detector, data, sfreq, names, chunk_seconds)
    whole, one = _windows(detector, data, sfreq, names, 1e9)
    assert len(chunks) > 2 and len(one) == 1  # really in several chunks
    X, X_whole = np.concatenate(chunks), one[0]
    assert X.shape == X_whole.shape
    assert np.abs(X - X_whole).max() < 1e-5
    # 2. == the bundled detector's in-memory recipe, whose float32 IIR recursion carries
    #    its own rounding noise (a few 1e-5 of the standardised windows' scale)
    X_ref, start_ref, labels, kind = detector.prepare(data, sfreq, names)
    ref = detector.window_proba(data, sfreq, names)
    np.testing.assert_allclose(X, X_ref, rtol=1e-4, atol=5e-4)
    np.testing.assert_allclose(wp.start, start_ref)
    np.testing.assert_allclose(wp.proba, ref.proba, atol=1e-5)
    np.testing.assert_allclose(wp.channel_proba, ref.channel_proba, atol=1e-5)
    assert wp.channels == tuple(labels) and wp.montage == kind
    return wp


def test_chunked_windows_equal_in_memory_chbmit(detector, shared_data):
    rec = read_edf(shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf")  # 256 Hz -> 64 Hz
    wp = _compare(detector, rec.data, rec.sfreq, rec.ch_names, chunk_seconds=10)
    assert wp.montage == "double_banana"


def test_chunked_windows_equal_in_memory_referential_100hz(detector, shared_data):
    # SzCORE-style referential channels at an unusual rate (100 -> 64 Hz: up 16, down 25)
    data = real_signal(shared_data, 19, 100, 150.0).astype(np.float32)
    _compare(detector, data, 100.0, SZCORE_19, chunk_seconds=20)


def test_channel_flat_only_in_first_chunk_is_kept(detector, shared_data):
    rec = read_edf(shared_data / "chbmit" / "edf" / "chb01_03_NonSeizure.edf")
    data = rec.data.copy()
    data[0, : 20 * 256] = 0.0  # flat for 20 s, then real
    _compare(detector, data, rec.sfreq, rec.ch_names, chunk_seconds=10)


def test_edf_source_reads_what_read_edf_reads(shared_data):
    path = shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf"
    rec, src = read_edf(path), EDFSource(path)
    assert src.ch_names == rec.ch_names and src.sfreq == rec.sfreq
    assert src.n_times == rec.data.shape[1]
    np.testing.assert_array_equal(src.read(1000, 3000), rec.data[:, 1000:3000])
    assert src.meas_date is not None


def test_context_lengths():
    assert resample_context(256, 64) == 41 and resample_context(64, 64) == 0
    ctx = filter_context(64.0, (0.5, 25.0))
    assert 64 * 10 < ctx < 64 * 30  # 10-30 s of signal for a 0.5-Hz edge, not minutes
    assert filter_context(64.0, (2.0, 25.0)) < ctx  # a higher edge decays faster


def test_events_match_detector_detect(detector, shared_data):
    rec = read_edf(shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf")
    wp = stream_window_proba(detector, ArraySource(rec.data, rec.sfreq, rec.ch_names),
                             chunk_seconds=10)
    events = window_proba_to_events(wp, detector.config, 41.0)
    expected = detector.detect(rec.data, rec.sfreq, rec.ch_names)
    assert [(e.onset, e.duration, e.channels) for e in events] == \
        [(e.onset, e.duration, e.channels) for e in expected]


@pytest.mark.parametrize("make, message", [
    (lambda d: ArraySource(d[:, :0], 256, CHB), "zero samples"),
    (lambda d: ArraySource(d[:, ::8], 32, CHB), "too low for the model's band"),
    (lambda d: ArraySource(np.zeros_like(d), 256, CHB), "flat"),
    (lambda d: ArraySource(d[:2], 256, ["ECG", "Resp"]), "no usable EEG channel"),
    (lambda d: ArraySource(d[:, :100], 256, CHB), "shorter than one"),
])
def test_bad_recordings(detector, shared_data, make, message):
    rec = read_edf(shared_data / "chbmit" / "edf" / "chb01_03_Seizure.edf")
    with pytest.raises(BundledDetectorInputError, match=message):
        stream_window_proba(detector, make(rec.data))


CHB = ["FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP1-F3", "F3-C3", "C3-P3", "P3-O1", "FP2-F4",
       "F4-C4", "C4-P4", "P4-O2", "FP2-F8", "F8-T8", "T8-P8-0", "P8-O2", "FZ-CZ", "CZ-PZ",
       "P7-T7", "T7-FT9", "FT9-FT10", "FT10-T8", "T8-P8-1"]


def test_edf_round_trip_streamed(detector, shared_data, tmp_path):
    data = real_signal(shared_data, 19, 100, 120.0)
    path = write_edf(tmp_path / "rec.edf", data, 100, SZCORE_19)
    src = EDFSource(path)
    wp = stream_window_proba(detector, src, chunk_seconds=15)
    ref = detector.window_proba(read_edf(path).data, 100.0, SZCORE_19)
    np.testing.assert_allclose(wp.proba, ref.proba, atol=1e-5)


def test_chunked_background_standardisation(shared_data):
    # one scale per recording (a percentile of all window scales): two passes, same windows
    from _models import CONFIG

    cfg = {**CONFIG, "standardization": "background"}
    data = real_signal(shared_data, 19, 100, 90.0).astype(np.float32)
    data[:, 4000:6000] *= 5  # a louder stretch: the percentile is not the median
    _compare(small_detector(cfg), data, 100.0, SZCORE_19, chunk_seconds=20)
