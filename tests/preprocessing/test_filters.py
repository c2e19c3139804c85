"""Measured behaviour of BandpassFilter and NotchFilter (gains in dB, phase, precision)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from skseizure.preprocessing.filters import BandpassFilter, NotchFilter

SFREQ = 256.0
DURATION_S = 60.0  # long enough to measure 0.05 Hz; the first/last 10 s are edges
EDGE_S = 10.0


def _tone(freq, sfreq=SFREQ, duration=DURATION_S, amplitude=1.0, phase=0.3):
    t = np.arange(int(duration * sfreq)) / sfreq
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def _amplitude(x, freq, sfreq=SFREQ, edge_s=EDGE_S):
    """Amplitude of the ``freq`` component of ``x`` (least squares, edges excluded)."""
    n_edge = int(edge_s * sfreq)
    x = np.asarray(x, dtype=np.float64)[n_edge:-n_edge]
    t = (np.arange(x.size) + n_edge) / sfreq
    basis = np.stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, x, rcond=None)
    return float(np.hypot(*coef))


def _gain_db(transformer, freq, sfreq=SFREQ):
    x = _tone(freq, sfreq)
    X = np.tile(x, (1, 2, 1))  # (1 window, 2 channels, n_times)
    y = transformer.fit_transform(X)[0, 1]
    return 20 * np.log10(max(_amplitude(y, freq, sfreq), 1e-12) / _amplitude(x, freq, sfreq))


# --------------------------------------------------------------------------- band-pass
@pytest.mark.parametrize("freq", [1.0, 2.0, 5.0, 10.0, 20.0, 22.0])
def test_bandpass_passband_ripple_below_1db(freq):
    """Within 1 dB from 1 to 22 Hz.

    The zero-phase order-4 Butterworth squares the response: it is -6 dB at
    the 0.5/30 Hz edges and -1 dB at about 0.64 and 23.7 Hz (at 25 Hz it is
    -1.5 dB, which is the design, not ripple).
    """
    gain = _gain_db(BandpassFilter(0.5, 30.0, sfreq=SFREQ), freq)
    assert abs(gain) <= 1.0, f"{freq} Hz: {gain:.3f} dB"


@pytest.mark.parametrize("freq", [0.05, 60.0, 80.0, 100.0])
def test_bandpass_stopband_attenuation_at_least_40db(freq):
    gain = _gain_db(BandpassFilter(0.5, 30.0, sfreq=SFREQ), freq)
    assert gain <= -40.0, f"{freq} Hz: {gain:.1f} dB"


def test_bandpass_frequency_response_of_designed_sections():
    """The zero-phase response |H|^2 of ``sos_`` meets the same specification."""
    est = BandpassFilter(0.5, 30.0, sfreq=SFREQ).fit(np.zeros((1, 1, 512), np.float32))
    freqs = np.array([0.05, 2.0, 10.0, 22.0, 60.0, 100.0])
    _, h = signal.sosfreqz(est.sos_, worN=freqs, fs=SFREQ)
    gain_db = 20 * np.log10(np.abs(h) ** 2)
    assert np.all(np.abs(gain_db[1:4]) <= 1.0)
    assert np.all(gain_db[[0, 4, 5]] <= -40.0)
    # Edges of the zero-phase Butterworth sit at -6 dB (-3 dB per pass).
    _, h_edges = signal.sosfreqz(est.sos_, worN=[0.5, 30.0], fs=SFREQ)
    np.testing.assert_allclose(20 * np.log10(np.abs(h_edges) ** 2), -6.02, atol=0.05)


def test_lowpass_and_highpass_variants():
    lowpass = BandpassFilter(l_freq=None, h_freq=30.0, sfreq=SFREQ)
    highpass = BandpassFilter(l_freq=0.5, h_freq=None, sfreq=SFREQ)
    assert abs(_gain_db(lowpass, 0.1)) <= 1.0  # below 0.5 Hz still passes
    assert _gain_db(lowpass, 80.0) <= -40.0
    assert abs(_gain_db(highpass, 80.0)) <= 1.0  # above 30 Hz still passes
    assert _gain_db(highpass, 0.05) <= -40.0


def _lag_of_max_xcorr(x, y, max_lag):
    n = x.size
    lags = np.arange(-max_lag, max_lag + 1)
    core = slice(max_lag, n - max_lag)
    xc = [np.dot(x[core], y[max_lag + lag : n - max_lag + lag]) for lag in lags]
    return int(lags[int(np.argmax(xc))])


def test_zero_phase_sinusoid_not_shifted():
    x = _tone(10.0, duration=20.0)
    X = x[None, None, :]
    out = BandpassFilter(0.5, 30.0, sfreq=SFREQ).fit_transform(X)[0, 0]
    causal = BandpassFilter(0.5, 30.0, sfreq=SFREQ, zero_phase=False).fit_transform(X)[0, 0]
    n_edge = int(5 * SFREQ)
    core = slice(n_edge, -n_edge)
    # Lag search shorter than the 25.6-sample period of 10 Hz: the max is unique.
    assert _lag_of_max_xcorr(x[core], out[core], max_lag=10) == 0
    # The causal filter does delay the sinusoid, so the measurement can fail.
    assert _lag_of_max_xcorr(x[core], causal[core], max_lag=10) > 0


@pytest.mark.parametrize(
    "sfreq, l_freq, h_freq, expected_dtype",
    [
        (64.0, 0.5, 30.0, np.float32),
        (200.0, 0.5, 30.0, np.float32),
        (256.0, 0.5, 30.0, np.float32),
        (256.0, 1.0, None, np.float32),
        (512.0, 0.5, 30.0, np.float64),
        (1024.0, 0.5, None, np.float64),
    ],
)
def test_float32_computation_accuracy(sfreq, l_freq, h_freq, expected_dtype):
    """float32 where its error stays <= 5e-4 of the peak; float64 otherwise."""
    rng = np.random.default_rng(1)
    # Random walk: strong low-frequency content, the hard case for a high-pass.
    X = np.cumsum(rng.standard_normal((2, 3, int(30 * sfreq))), axis=-1)
    X = (X - X.mean(axis=-1, keepdims=True)).astype(np.float32)
    est = BandpassFilter(l_freq, h_freq, sfreq=sfreq).fit(X)
    assert est.compute_dtype_ == expected_dtype
    out = est.transform(X)
    assert out.dtype == np.float32
    ref = signal.sosfiltfilt(est.sos_, X.astype(np.float64), axis=-1)
    rel_err = np.max(np.abs(out - ref)) / np.max(np.abs(ref))
    assert rel_err <= 5e-4, rel_err


def test_bandpass_matches_scipy_reference_design():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 4, 1024)).astype(np.float32)
    out = BandpassFilter(0.5, 40.0, sfreq=SFREQ, order=4).fit_transform(X)
    assert out.flags.c_contiguous and out.base is None  # not a view of scipy's padded buffer
    sos = signal.butter(4, [0.5, 40.0], btype="bandpass", fs=SFREQ, output="sos")
    ref = signal.sosfiltfilt(sos, X.astype(np.float64), axis=-1)
    np.testing.assert_allclose(out, ref, atol=1e-4 * np.abs(ref).max())


@pytest.mark.parametrize(
    "params, match",
    [
        ({"l_freq": 0.5, "h_freq": 32.0, "sfreq": 64.0}, "Nyquist"),
        ({"l_freq": 40.0, "h_freq": None, "sfreq": 64.0}, "Nyquist"),
        ({"l_freq": 10.0, "h_freq": 5.0, "sfreq": 64.0}, "below"),
        ({"l_freq": None, "h_freq": None, "sfreq": 64.0}, "At least one"),
        ({"l_freq": 0.5, "h_freq": 30.0, "sfreq": None}, "sfreq is required"),
        ({"l_freq": 0.5, "h_freq": 30.0, "sfreq": 64.0, "order": 0}, "order"),
    ],
)
def test_bandpass_invalid_parameters_raise_in_fit(params, match):
    est = BandpassFilter(**params)  # __init__ does not validate
    with pytest.raises(ValueError, match=match):
        est.fit(np.zeros((2, 1, 256), np.float32))


def test_window_too_short_for_filter_has_clear_error():
    est = BandpassFilter(0.5, 30.0, sfreq=64.0)
    X = np.zeros((2, 3, 20), np.float32)
    with pytest.raises(ValueError, match="too short"):
        est.fit_transform(X)
    # The limit is padlen_: one sample more is accepted.
    est.fit(X)
    ok = np.zeros((2, 3, est.padlen_ + 1), np.float32)
    assert est.transform(ok).shape == ok.shape
    # A causal filter has no such limit.
    assert BandpassFilter(0.5, 30.0, sfreq=64.0, zero_phase=False).fit_transform(X).shape == X.shape


def test_helsinki_sized_windows_are_long_enough():
    """1-s windows at 64 Hz (Helsinki) fit the default order-4 band-pass."""
    est = BandpassFilter(0.5, 30.0, sfreq=64.0).fit(np.zeros((1, 18, 64), np.float32))
    assert est.padlen_ < 64


# --------------------------------------------------------------------------- notch
@pytest.mark.parametrize("f0", [50.0, 60.0])
def test_notch_attenuates_line_frequency_by_40db(f0):
    gain = _gain_db(NotchFilter(f0, sfreq=SFREQ), f0)
    assert gain <= -40.0, f"{f0} Hz: {gain:.1f} dB"


@pytest.mark.parametrize("f0", [50.0, 60.0])
def test_notch_small_loss_5hz_away(f0):
    est = NotchFilter(f0, sfreq=SFREQ)
    for freq in (f0 - 5.0, f0 + 5.0):
        gain = _gain_db(est, freq)
        assert -0.5 <= gain <= 0.1, f"{freq} Hz: {gain:.3f} dB"
    # and no loss in the EEG band
    assert abs(_gain_db(est, 10.0)) <= 0.05


def test_notch_list_and_harmonics():
    both = NotchFilter([50.0, 60.0], sfreq=SFREQ)
    assert _gain_db(both, 50.0) <= -40.0 and _gain_db(both, 60.0) <= -40.0
    np.testing.assert_array_equal(both.freqs_, [50.0, 60.0])

    harm = NotchFilter(50.0, sfreq=500.0, harmonics=True)
    harm.fit(np.zeros((1, 1, 1000), np.float32))
    # 250 Hz is the Nyquist frequency itself: excluded.
    np.testing.assert_array_equal(harm.freqs_, [50.0, 100.0, 150.0, 200.0])
    assert _gain_db(NotchFilter(50.0, sfreq=SFREQ, harmonics=True), 100.0) <= -40.0
    assert _gain_db(NotchFilter(50.0, sfreq=SFREQ, harmonics=False), 100.0) >= -0.1


def test_notch_zero_phase():
    x = _tone(30.0, duration=20.0)
    out = NotchFilter(50.0, sfreq=SFREQ).fit_transform(x[None, None, :])[0, 0]
    core = slice(int(5 * SFREQ), -int(5 * SFREQ))
    assert _lag_of_max_xcorr(x[core], out[core], max_lag=3) == 0


@pytest.mark.parametrize(
    "params, match",
    [
        ({"freqs": 50.0, "sfreq": 64.0}, "Nyquist"),
        ({"freqs": [50.0, -1.0], "sfreq": 256.0}, "Nyquist"),
        ({"freqs": 50.0, "sfreq": 256.0, "quality": 0}, "quality"),
        ({"freqs": 50.0, "sfreq": None}, "sfreq is required"),
    ],
)
def test_notch_invalid_parameters_raise_in_fit(params, match):
    with pytest.raises(ValueError, match=match):
        NotchFilter(**params).fit(np.zeros((1, 1, 256), np.float32))


def test_sampling_rate_of_the_data_must_match(shared_data):
    """Containers that carry their rate (Windows, mne.Epochs) are checked against sfreq."""
    import mne

    from tests._extracts import load_chbmit_windows

    windows = load_chbmit_windows(shared_data)  # 256 Hz
    out = BandpassFilter(l_freq=0.5, h_freq=30.0, sfreq=256.0).fit_transform(windows)
    np.testing.assert_array_equal(
        out, BandpassFilter(l_freq=0.5, h_freq=30.0, sfreq=256.0).fit_transform(windows.X)
    )
    with pytest.raises(ValueError, match=r"sfreq=200.0 Hz but the data are sampled at 256.0 Hz"):
        BandpassFilter(l_freq=0.5, h_freq=30.0, sfreq=200.0).fit(windows)
    epochs = mne.EpochsArray(
        windows.X.astype(np.float64),
        mne.create_info(list(windows.ch_names), 256.0, "eeg"),
        verbose=False,
    )
    with pytest.raises(ValueError, match="sampled at 256.0 Hz"):
        NotchFilter(freqs=50.0, sfreq=250.0).fit(epochs)
    fitted = NotchFilter(freqs=60.0, sfreq=256.0).fit(epochs)
    assert fitted.transform(epochs).shape == windows.X.shape
