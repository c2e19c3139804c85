"""Tests of the nerve-cuff SIMULATOR (synthetic ENG; not real data)."""

import numpy as np
import pytest

from skseizure.eng.simulator import (
    STIMULUS_CLASSES,
    NerveCuffRecording,
    cuff_electrode_positions,
    simulate_nerve_cuff,
)
from skseizure.eng.signatures import cap_snr

SFREQ = 30000.0


@pytest.fixture(scope="module")
def rec():
    return simulate_nerve_cuff("dorsiflexion", snr_db=2.0, duration_s=4.0, animal=0,
                               random_state=0)


def test_shapes_units_and_layout(rec):
    assert isinstance(rec, NerveCuffRecording)
    assert rec.simulated is True
    assert "SIMULATED" in repr(rec)
    assert rec.data.shape == (56, int(4.0 * SFREQ))
    assert rec.data.dtype == np.float32
    assert rec.sfreq == SFREQ
    # volts: CAPs of a few µV, nothing near a millivolt
    assert 1e-6 < np.abs(rec.data).max() < 1e-4
    assert rec.electrode_positions.shape == (56, 3)
    assert rec.ch_names[:2] == ["R0E0", "R0E1"] and rec.ch_names[-1] == "R6E7"
    assert rec.label == 0 and rec.stimulus == "dorsiflexion"
    assert rec.subject == "sim-animal-0"


def test_electrode_geometry():
    pos = cuff_electrode_positions(7, 8, cuff_radius=1e-3, ring_spacing=2e-3)
    np.testing.assert_allclose(np.hypot(pos[:, 0], pos[:, 1]), 1e-3)
    rings_z = pos[::8, 2]
    np.testing.assert_allclose(rings_z, (np.arange(7) - 3) * 2e-3)  # middle ring at z=0
    np.testing.assert_allclose(pos[:8, 2], pos[0, 2])  # ring-major rows


def test_stimulus_timing_70_bpm(rec):
    iv = rec.stimulus_intervals
    assert iv.ndim == 2 and iv.shape[1] == 2 and len(iv) >= 3
    assert np.all(iv[:, 1] > iv[:, 0]) and np.all(iv[1:, 0] > iv[:-1, 1])  # off gaps
    np.testing.assert_allclose(np.diff(iv[:, 0]).mean(), 60 / 70, atol=0.06)
    assert 0.5 < (iv[:, 1] - iv[:, 0]).mean() < 0.75  # about 0.64 s on


def test_snr_is_calibrated_per_animal_not_per_class():
    for snr in (0.5, 3.0):
        recs = [simulate_nerve_cuff(c, snr_db=snr, duration_s=4.0, animal=1, random_state=c)
                for c in range(3)]
        measured = [cap_snr(r.data, r.sfreq, r.stimulus_intervals) for r in recs]
        ratio = np.mean([10 ** (m / 10) for m in measured])
        assert 10 * np.log10(ratio) == pytest.approx(snr, abs=0.35)
        # the same noise level in every class: off-period power differs by < 10 %
        off = []
        for r in recs:
            mask = np.ones(r.n_times, bool)
            for a, b in r.stimulus_intervals:
                mask[int(a * SFREQ): int(b * SFREQ) + 1] = False
            off.append(np.mean(r.data[:, mask].astype(float) ** 2))
        assert max(off) / min(off) < 1.1


def test_caps_are_evoked_during_stimuli(rec):
    on = np.zeros(rec.n_times, bool)
    for a, b in rec.stimulus_intervals:
        on[int(a * SFREQ): int(b * SFREQ)] = True
    evoked = rec.cap_times[rec.cap_evoked]
    assert len(evoked) > 50
    idx = np.clip((evoked * SFREQ).astype(int), 0, rec.n_times - 1)
    assert on[idx].mean() > 0.98
    # spontaneous CAPs exist and are a minority
    assert 0 < (~rec.cap_evoked).sum() < rec.cap_evoked.sum()
    assert np.all(np.diff(rec.cap_times) >= 0)


def test_cap_propagates_across_rings():
    # noiseless, one isolated CAP: the peak time moves monotonically along the cuff
    r = simulate_nerve_cuff("pricking", snr_db=None, duration_s=2.0, random_state=3,
                            spontaneous_rate_hz=0.0, async_rate_hz=0.0, cap_rate_hz=5.0,
                            cross_talk=0.0)
    t = r.cap_times[r.cap_evoked][0]
    k = r.cap_sources[r.cap_evoked][0]
    centre = int(t * SFREQ)
    seg = r.data[:, centre - 200: centre + 200].reshape(7, 8, -1)
    m = np.argmax(np.abs(seg[3]).max(axis=1))  # electrode angle closest to the source
    peaks = np.array([np.argmax(np.abs(seg[ring, m])) for ring in range(7)])
    expected = (r.electrode_positions[::8, 2] - r.source_positions[k, 2]) / r.source_velocities[k]
    np.testing.assert_allclose((peaks - peaks[3]) / SFREQ, expected - expected[3], atol=1.5 / SFREQ)
    assert abs(peaks[-1] - peaks[0]) >= 10  # pricking (A-delta, ~12 m/s): >= 0.33 ms over 6 mm


def test_lead_field_amplitude_falls_with_distance():
    r = simulate_nerve_cuff("plantarflexion", snr_db=None, duration_s=2.0, random_state=0,
                            spontaneous_rate_hz=0.0, async_rate_hz=0.0)
    power = (r.data.astype(float) ** 2).mean(axis=1).reshape(7, 8).mean(axis=1)
    assert power.argmax() in (2, 3, 4)  # sources sit near the middle of the cuff
    assert power[3] > 5 * power[0] and power[3] > 5 * power[6]


def test_interference_is_correlated_between_neighbours():
    r = simulate_nerve_cuff("dorsiflexion", snr_db=0.5, duration_s=2.0, random_state=0,
                            noise_mix=(0.0, 1.0, 0.0))
    x = r.data.astype(float)
    c = np.corrcoef(x)
    neighbours = np.mean([c[i, i + 1] for i in range(0, 56, 8)])
    far = np.mean([c[i, i + 4] for i in range(0, 56, 8)])  # opposite side of the ring
    assert neighbours > 0.2 and neighbours > far + 0.15


def test_determinism_and_animal_anatomy():
    a = simulate_nerve_cuff("pricking", duration_s=1.5, animal=2, random_state=5)
    b = simulate_nerve_cuff("pricking", duration_s=1.5, animal=2, random_state=5)
    np.testing.assert_array_equal(a.data, b.data)
    c = simulate_nerve_cuff("dorsiflexion", duration_s=1.5, animal=2, random_state=6)
    np.testing.assert_array_equal(a.source_positions, c.source_positions)  # same animal
    d = simulate_nerve_cuff("pricking", duration_s=1.5, animal=3, random_state=5)
    assert not np.allclose(a.source_positions, d.source_positions)


def test_classes_and_custom_layout():
    r = simulate_nerve_cuff(2, duration_s=1.5, n_rings=5, n_electrodes_per_ring=4,
                            sfreq=20000.0, random_state=0)
    assert r.stimulus == STIMULUS_CLASSES[2] == "pricking" and r.label == 2
    assert r.data.shape == (20, 30000)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(stimulus="walking"), "stimulus must be one of"),
        (dict(stimulus=3), "stimulus index"),
        (dict(snr_db=-1.0), "snr_db must be > 0"),
        (dict(duration_s=0), "duration_s"),
        (dict(nerve_radius=1e-3, cuff_radius=0.8e-3), "nerve_radius"),
        (dict(n_rings=2), "n_rings"),
        (dict(noise_mix=(1, 1)), "noise_mix"),
        (dict(snr_db=60.0), "unreachable"),
    ],
)
def test_errors(kwargs, match):
    kwargs = dict(dict(duration_s=1.5, random_state=0), **kwargs)
    with pytest.raises(ValueError, match=match):
        simulate_nerve_cuff(**kwargs)
