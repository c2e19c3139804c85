"""BandPower and LineLength: values, layout and errors."""

from __future__ import annotations

import numpy as np
import pytest

from skseizure.preprocessing.features import BandPower, LineLength
from skseizure.preprocessing.spectral import FFTLogAmplitude

SFREQ = 128.0


def _tones(freqs_per_channel, amplitude=2.0, n_windows=3, duration=8.0, noise=0.0):
    rng = np.random.default_rng(0)
    t = np.arange(int(duration * SFREQ)) / SFREQ
    X = np.stack(
        [
            amplitude * np.sin(2 * np.pi * f * t) if f else np.zeros_like(t)
            for f in freqs_per_channel
        ]
    )
    X = np.broadcast_to(X, (n_windows, *X.shape)).copy()
    X += noise * rng.standard_normal(X.shape)
    return X.astype(np.float32)


def test_sinusoid_power_lands_in_its_band_with_parseval_value():
    # channel 0: 10 Hz (alpha), channel 1: 2 Hz (delta), channel 2: 20 Hz (beta)
    X = _tones([10.0, 2.0, 20.0])
    est = BandPower(sfreq=SFREQ, log=False).fit(X)
    out = est.transform(X)
    assert out.shape == (3, 3 * 4) and out.dtype == np.float32
    power = out.reshape(3, 3, 4)  # channel-major: (window, channel, band)
    np.testing.assert_array_equal(power[0].argmax(axis=1), [2, 0, 3])
    # a sinusoid of amplitude A carries A**2 / 2 = 2.0 (units**2)
    np.testing.assert_allclose(power[:, 0, 2], 2.0, rtol=0.02)
    np.testing.assert_allclose(power[:, 1, 0], 2.0, rtol=0.02)
    np.testing.assert_allclose(power[:, 2, 3], 2.0, rtol=0.02)


def test_log_is_natural_log_of_power():
    X = _tones([10.0, 3.0], noise=0.1)
    lin = BandPower(sfreq=SFREQ, log=False).fit_transform(X)
    log = BandPower(sfreq=SFREQ, log=True).fit_transform(X)
    np.testing.assert_allclose(log, np.log(lin.astype(np.float64)), rtol=1e-5, atol=1e-5)
    zero = BandPower(sfreq=SFREQ).fit_transform(np.zeros((1, 1, 256), np.float32))
    assert np.isfinite(zero).all()


def test_short_helsinki_windows():
    """1-s windows at 64 Hz: one 64-sample segment, 1 Hz bins, every default band non-empty."""
    X = np.random.default_rng(0).standard_normal((5, 18, 64)).astype(np.float32)
    out = BandPower(sfreq=64.0).fit_transform(X)
    assert out.shape == (5, 72) and np.isfinite(out).all()


def test_feature_names():
    est = BandPower(sfreq=SFREQ, bands=[(1, 4), (4, 8.5)]).fit(np.zeros((1, 2, 256), np.float32))
    names = est.get_feature_names_out()
    assert list(names) == ["ch0_1-4Hz", "ch0_4-8.5Hz", "ch1_1-4Hz", "ch1_4-8.5Hz"]
    assert list(est.get_feature_names_out(["Fz", "Cz"]))[:2] == ["Fz_1-4Hz", "Fz_4-8.5Hz"]


@pytest.mark.parametrize(
    "params, n_times, match",
    [
        ({"bands": [(10.0, 70.0)]}, 256, "Nyquist"),
        ({"bands": [(8.0, 4.0)]}, 256, "low < high"),
        ({"bands": [(10.1, 10.4)]}, 256, "no PSD bin"),
        ({"bands": "delta"}, 256, "pairs"),
        ({"nperseg": 512}, 256, "longer than the windows"),
        ({"sfreq": None}, 256, "sfreq is required"),
    ],
)
def test_invalid_band_power_parameters(params, n_times, match):
    params = {"sfreq": SFREQ, **params}
    with pytest.raises(ValueError, match=match):
        BandPower(**params).fit(np.zeros((1, 1, n_times), np.float32))


def test_line_length_of_ramp_and_sinusoid():
    ramp = (0.5 * np.arange(100, dtype=np.float32))[None, None, :]
    np.testing.assert_allclose(LineLength().fit_transform(ramp), [[0.5]])
    np.testing.assert_allclose(LineLength(normalize=False).fit_transform(ramp), [[0.5 * 99]])
    # a sinusoid of amplitude A over whole periods travels 4A per period:
    # 8 periods of 4 Hz at 128 Hz = 256 differences = 257 samples
    t = np.arange(257) / SFREQ
    X = np.stack([np.sin(2 * np.pi * 4.0 * t), np.zeros_like(t)])[None].astype(np.float32)
    ll = LineLength(normalize=False).fit_transform(X)
    np.testing.assert_allclose(ll[0, 0], 8 * 4.0, rtol=1e-5)
    assert ll[0, 1] == 0.0
    names = LineLength().fit(X).get_feature_names_out()
    assert list(names) == ["ch0_line_length", "ch1_line_length"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: BandPower(sfreq=128.0),
        lambda: LineLength(),
        lambda: FFTLogAmplitude(sfreq=128.0),
    ],
    ids=["BandPower", "LineLength", "FFTLogAmplitude"],
)
def test_feature_transformers_refuse_another_window_length(make):
    rng = np.random.default_rng(7)
    est = make().fit(rng.standard_normal((3, 2, 512)).astype(np.float32))
    assert est.n_times_in_ == 512
    assert est.transform(rng.standard_normal((1, 2, 512)).astype(np.float32)).shape[0] == 1
    name = type(est).__name__
    for n_times in (256, 1024):
        with pytest.raises(
            ValueError,
            match=rf"{name} was fitted on windows of 512 samples but X has windows of "
            rf"{n_times} samples",
        ):
            est.transform(rng.standard_normal((1, 2, n_times)).astype(np.float32))
