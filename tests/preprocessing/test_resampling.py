"""Resampler: rational factors, output length, sinusoid frequency/amplitude, anti-aliasing."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from skseizure.preprocessing.resampling import Resampler


def _tone(freq, sfreq, n_times, amplitude=1.0, phase=0.7):
    t = np.arange(n_times) / sfreq
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def _fit_sinusoid(x, freq, sfreq, edge):
    """Amplitude of ``freq`` in ``x`` (least squares), ``edge`` samples dropped each side."""
    x = np.asarray(x, np.float64)[edge:-edge]
    t = (np.arange(x.size) + edge) / sfreq
    basis = np.stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, x, rcond=None)
    return float(np.hypot(*coef))


def test_256_to_200_factors_and_length():
    X = np.zeros((3, 19, 4 * 256), np.float32)
    est = Resampler(sfreq=256.0, new_sfreq=200.0).fit(X)
    assert (est.up_, est.down_) == (25, 32)
    out = est.transform(X)
    assert out.shape == (3, 19, 800) and out.dtype == np.float32
    # Non-whole lengths round up, as scipy.signal.resample_poly does.
    assert est.n_times_out(1000) == 782  # ceil(1000 * 25 / 32) = ceil(781.25)
    assert est.transform(np.zeros((1, 19, 1000), np.float32)).shape == (1, 19, 782)


@pytest.mark.parametrize(
    "sfreq, new_sfreq, freq", [(256.0, 200.0, 10.0), (512.0, 256.0, 37.0), (64.0, 256.0, 5.0)]
)
def test_sinusoid_frequency_and_amplitude_preserved(sfreq, new_sfreq, freq):
    n_times = int(20 * sfreq)
    x = _tone(freq, sfreq, n_times, amplitude=3.0)
    out = Resampler(sfreq=sfreq, new_sfreq=new_sfreq).fit_transform(x[None, None, :])[0, 0]
    assert out.size == int(20 * new_sfreq)
    # frequency: FFT peak of the output is at `freq` (0.05 Hz resolution)
    spectrum = np.abs(np.fft.rfft(out * np.hanning(out.size)))
    peak = np.fft.rfftfreq(out.size, 1 / new_sfreq)[np.argmax(spectrum)]
    assert peak == pytest.approx(freq, abs=0.05)
    # amplitude and phase: the output equals the tone sampled at the new rate
    edge = int(new_sfreq)  # 1 s of edge effects excluded
    assert _fit_sinusoid(out, freq, new_sfreq, edge) == pytest.approx(3.0, rel=2e-3)
    expected = _tone(freq, new_sfreq, out.size, amplitude=3.0)
    np.testing.assert_allclose(out[edge:-edge], expected[edge:-edge], atol=0.01)


def test_content_above_new_nyquist_is_removed():
    """A 120 Hz tone at 256 Hz would alias to 80 Hz at 200 Hz; it must be attenuated >= 40 dB."""
    sfreq, new_sfreq = 256.0, 200.0
    x = _tone(120.0, sfreq, int(20 * sfreq))
    out = Resampler(sfreq=sfreq, new_sfreq=new_sfreq).fit_transform(x[None, None, :])[0, 0]
    alias = _fit_sinusoid(out, 80.0, new_sfreq, edge=int(new_sfreq))
    assert 20 * np.log10(alias) <= -40.0


def test_matches_resample_poly():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 3, 512)).astype(np.float32)
    out = Resampler(sfreq=256, new_sfreq=200).fit_transform(X)
    ref = signal.resample_poly(X, 25, 32, axis=-1, padtype="line")
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)


def test_identity_ratio_copies():
    X = np.random.default_rng(0).standard_normal((2, 2, 64)).astype(np.float32)
    out = Resampler(sfreq=64, new_sfreq=64.0).fit_transform(X)
    np.testing.assert_array_equal(out, X)
    assert out is not X


@pytest.mark.parametrize(
    "params, match",
    [
        ({"sfreq": 256.0, "new_sfreq": None}, "new_sfreq is required"),
        ({"sfreq": None, "new_sfreq": 200.0}, "sfreq is required"),
        ({"sfreq": 256.0, "new_sfreq": -1.0}, "positive"),
        ({"sfreq": 256.0, "new_sfreq": 100.0 * np.pi}, "rational"),
    ],
)
def test_invalid_parameters_raise_in_fit(params, match):
    with pytest.raises(ValueError, match=match):
        Resampler(**params).fit(np.zeros((1, 1, 256), np.float32))


def test_two_decimal_rate_bonn_to_200_hz():
    """173.61 Hz (Bonn) -> 200 Hz needs up/down = 20000/17361; a sinusoid survives."""
    sfreq = 173.61
    t = np.arange(4097) / sfreq
    X = np.sin(2 * np.pi * 10.0 * t)[None, None].astype(np.float32)
    res = Resampler(sfreq=sfreq, new_sfreq=200.0).fit(X)
    assert (res.up_, res.down_) == (20000, 17361)
    out = res.transform(X)[0, 0]
    assert out.size == res.n_times_out(4097) == 4720
    expected = np.sin(2 * np.pi * 10.0 * np.arange(out.size) / 200.0)
    # away from the window edges the resampled tone matches to 0.5 % of its amplitude
    np.testing.assert_allclose(out[200:-200], expected[200:-200], atol=5e-3)
