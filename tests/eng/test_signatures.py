"""Tests of the CAP signature builder (MobilESCAPE-Net paper, section III) on SIMULATED nerve-cuff data."""

import pickle

import numpy as np
import pytest
from scipy import signal
from sklearn.base import clone

from skseizure.eng.simulator import simulate_nerve_cuff
from skseizure.eng.signatures import (
    CAPSignatureBuilder,
    cap_snr,
    detect_caps,
    estimate_activity_intervals,
    tripolar_reference,
)

SFREQ = 30000.0


@pytest.fixture(scope="module")
def recordings():
    return [
        simulate_nerve_cuff(s, snr_db=2.0, duration_s=3.0, animal=1, random_state=i)
        for i, s in enumerate(("dorsiflexion", "plantarflexion", "pricking"))
    ]


@pytest.fixture(scope="module")
def built(recordings):
    return CAPSignatureBuilder().build(recordings)


def test_build_shapes_labels_groups(built, recordings):
    X = built.X
    assert X.dtype == np.float32 and X.ndim == 4 and X.shape[1:] == (1, 56, 100)
    assert len(built.y) == len(built.groups) == len(built.cap_times) == len(X)
    assert set(np.unique(built.y)) == {0, 1, 2}
    assert set(np.unique(built.groups)) == {"sim-animal-1"}
    for i in range(3):
        assert (built.recording_index == i).sum() > 30
        assert np.all(built.y[built.recording_index == i] == recordings[i].label)
    # 'clip' scale: volts / 40 µV -> pixel intensities within about +/-1
    assert 0.02 < np.abs(X).max() < 1.5
    assert built.snr_db.shape == (3,) and np.all(built.snr_db > 0)


def test_detected_caps_match_ground_truth(built, recordings):
    for i, rec in enumerate(recordings):
        t = built.cap_times[built.recording_index == i]
        nearest = np.abs(t[:, None] - rec.cap_times[None, :]).min(axis=1)
        assert np.mean(nearest < 0.5e-3) > 0.9  # detections are real CAPs (precision)
        evoked = rec.cap_times[rec.cap_evoked]
        recall = np.mean(np.abs(evoked[:, None] - t[None, :]).min(axis=1) < 0.5e-3)
        assert recall > 0.4
        assert np.all(np.diff(t) >= 3e-3 - 1 / SFREQ)  # 3 ms exclusion window


def test_signature_is_centred_on_the_cap(recordings):
    builder = CAPSignatureBuilder(output_scale="V")
    rec = recordings[0]
    det = builder.process(rec)
    X = builder.build([rec]).X
    s = det.cap_samples[(det.cap_samples >= 50) & (det.cap_samples + 50 <= rec.n_times)]
    np.testing.assert_array_equal(X[0, 0], det.data[:, s[0] - 50: s[0] + 50])
    mid = X[:, 0, 24:32].mean(axis=1)  # middle-ring average of each signature
    # the CAP is the largest deflection of its own window (a bigger one nearby can only
    # be outside the stimulus period or above the artefact threshold)
    assert np.mean(np.argmax(np.abs(mid), axis=1) == 50) > 0.95


def test_output_scales(recordings):
    v = CAPSignatureBuilder(output_scale="V").build(recordings[:1]).X
    uv = CAPSignatureBuilder(output_scale="uV").build(recordings[:1]).X
    clip = CAPSignatureBuilder(output_scale="clip", clip_uv=40.0).build(recordings[:1]).X
    np.testing.assert_allclose(uv, v * 1e6, rtol=1e-5)
    np.testing.assert_allclose(clip, v / 40e-6, rtol=1e-5)


def test_classes_have_distinct_average_signatures(built):
    means = np.stack([built.X[built.y == c].mean(axis=0).ravel() for c in range(3)])
    corr = np.corrcoef(means)
    assert corr[0, 1] < 0.9 and corr[0, 2] < 0.9 and corr[1, 2] < 0.9


def test_clipping_bounds_the_raw_signal(recordings):
    rec = recordings[0]
    spiky = rec.data.copy()
    spiky[:, 1000] = 1e-3  # a 1 mV artefact on every electrode
    det_clip = CAPSignatureBuilder(clip_uv=40.0, l_freq=None, h_freq=None, reference=None,
                                   sfreq=SFREQ, output_scale="V").process(spiky)
    assert np.abs(det_clip.data).max() <= 40e-6 * (1 + 1e-6)
    det_raw = CAPSignatureBuilder(clip_uv=None, l_freq=None, h_freq=None, reference=None,
                                  sfreq=SFREQ, output_scale="V").process(spiky)
    assert np.abs(det_raw.data).max() == pytest.approx(1e-3)


def test_bandpass_attenuation():
    t = np.arange(int(SFREQ)) / SFREQ
    tones = {100.0: None, 2000.0: None, 12000.0: None}
    for f in tones:
        data = np.tile(10e-6 * np.sin(2 * np.pi * f * t), (56, 1)).astype(np.float32)
        det = CAPSignatureBuilder(sfreq=SFREQ, reference=None, output_scale="V").process(data)
        core = det.data[0, 3000:-3000]
        tones[f] = 20 * np.log10(core.std() / data[0, 3000:-3000].std())
    assert tones[2000.0] == pytest.approx(0.0, abs=0.5)
    assert tones[100.0] < -60  # EMG band
    assert tones[12000.0] < -40  # above the 5 kHz edge


def test_tripolar_reference_removes_common_mode():
    rng = np.random.default_rng(0)
    common = rng.standard_normal(500)
    local = rng.standard_normal((56, 500)) * 0.1
    ref = tripolar_reference(local + common, 7, 8)
    np.testing.assert_allclose(ref, tripolar_reference(local, 7, 8), atol=1e-12)
    # the middle ring also loses a field that varies linearly along the cuff (EMG)
    ramp = np.repeat(np.arange(7.0), 8)[:, None] * common[None]
    mid = tripolar_reference(local + ramp, 7, 8).reshape(7, 8, -1)[3]
    np.testing.assert_allclose(mid, tripolar_reference(local, 7, 8).reshape(7, 8, -1)[3],
                               atol=1e-12)
    with pytest.raises(ValueError, match="expected 7 rings x 8"):
        tripolar_reference(local[:40], 7, 8)


def test_activity_intervals_find_stimulus_centres(recordings):
    rec = recordings[1]
    det = CAPSignatureBuilder().process(rec)
    true_centres = rec.stimulus_intervals.mean(axis=1)
    est_centres = det.intervals.mean(axis=1)
    assert len(est_centres) == len(true_centres)
    assert np.abs(est_centres - true_centres).max() < 0.1
    # on a synthetic envelope: boxcar bursts at 70 BPM
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5 * 3000)) * 0.1
    for c in (0.6, 1.46, 2.32, 3.17, 4.03):
        x[:, int((c - 0.32) * 3000): int((c + 0.32) * 3000)] *= 10
    iv, centres = estimate_activity_intervals(x, 3000.0)
    np.testing.assert_allclose(centres, [0.6, 1.46, 2.32, 3.17, 4.03], atol=0.03)
    np.testing.assert_allclose(iv[:, 1] - iv[:, 0], 0.64, atol=0.01)


def test_cap_snr_definition():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 30000))
    x[:, :10000] *= np.sqrt(2.0)  # double power in the first third
    snr, per_ch = cap_snr(x, 1000.0, [[0.0, 10.0]], per_channel=True)
    assert snr == pytest.approx(10 * np.log10(2.0), abs=0.1)
    assert per_ch.shape == (4,)
    # mean power, not energy: the duty cycle does not bias pure noise
    assert cap_snr(rng.standard_normal((4, 30000)), 1000.0, [[0, 25.0]]) == pytest.approx(0, abs=0.1)
    with pytest.raises(ValueError, match="both stimulus-on and stimulus-off"):
        cap_snr(x, 1000.0, [[0.0, 30.0]])


def test_detect_caps_thresholds_and_exclusion():
    x = np.zeros(3000)
    rng = np.random.default_rng(0)
    x += rng.standard_normal(3000) * 0.01
    x[[500, 520, 1500, 2500]] = [1.0, 0.8, 1.2, 50.0]  # 520 within 3 ms of 500; 2500 artefact
    peaks = detect_caps(x, SFREQ / 3, threshold_low=3, threshold_high=20, exclusion_ms=3.0)
    # std is dominated by the artefact; use a robust check on which peaks survive
    assert 2500 not in peaks
    peaks = detect_caps(x[:2000], SFREQ / 3, threshold_low=3, threshold_high=1e3, exclusion_ms=3.0)
    assert list(peaks) == [500, 1500]
    peaks = detect_caps(x[:2000], SFREQ / 3, threshold_low=3, threshold_high=1e3, exclusion_ms=0.1)
    assert list(peaks) == [500, 520, 1500]
    only = detect_caps(x[:2000], SFREQ / 3, intervals=[[0.1, 0.2]], threshold_low=3,
                       threshold_high=1e3)
    assert list(only) == [1500]


def test_errors(recordings):
    rec = recordings[0]
    with pytest.raises(ValueError, match="40 electrodes.*7 x 8 = 56"):
        CAPSignatureBuilder(sfreq=SFREQ).build([rec.data[:40]])
    with pytest.raises(ValueError, match="5000 Hz edge needs sfreq > 10000"):
        CAPSignatureBuilder(sfreq=8000.0).build([rec.data])
    with pytest.raises(ValueError, match="sampled at 30000.0 Hz"):
        CAPSignatureBuilder(sfreq=20000.0).build([rec])
    with pytest.raises(ValueError, match="never guessed"):
        CAPSignatureBuilder().build([rec.data])
    # a flat recording has no CAP (note: a threshold detector does fire on pure noise)
    noise = np.zeros((56, 60000), np.float32)
    with pytest.raises(ValueError, match="No CAP detected in recording 0"):
        CAPSignatureBuilder(sfreq=SFREQ).build([noise])
    with pytest.warns(RuntimeWarning, match="No CAP detected"):
        out = CAPSignatureBuilder(sfreq=SFREQ, on_empty="warn").build([noise, rec])
    assert np.all(out.recording_index == 1) and np.all(out.y == 0)
    with pytest.raises(ValueError, match="one entry per recording"):
        CAPSignatureBuilder().build([rec], y=[0, 1])


def test_sklearn_api(recordings):
    b = CAPSignatureBuilder(threshold_low=4.0)
    c = clone(b)
    assert c.get_params() == b.get_params()
    X = b.fit(recordings[:1]).transform(recordings[:1])
    assert b.n_electrodes_in_ == 56
    np.testing.assert_array_equal(X, b.build(recordings[:1]).X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(b)).transform(recordings[:1]), X)
    # a stricter lower threshold gives fewer CAPs
    assert len(X) < len(CAPSignatureBuilder(threshold_low=3.0).transform(recordings[:1]))


def test_causal_filter_option(recordings):
    z = CAPSignatureBuilder(filter_phase="zero").process(recordings[0])
    c = CAPSignatureBuilder(filter_phase="causal").process(recordings[0])
    assert not np.allclose(z.data, c.data)
    sos = signal.butter(6, [800, 5000], btype="bandpass", fs=SFREQ, output="sos")
    assert sos.shape == (6, 6)  # order 6 band-pass = 12 poles = 6 sections
