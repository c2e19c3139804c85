"""FFTLogAmplitude reproduces eeg-gnn-ssl's ``computeFFT`` feature exactly."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fftpack

from skseizure.preprocessing.spectral import FFTLogAmplitude


def reference_fft_features(clip, sfreq=200, time_step=1):
    """Direct transcription of the authors' procedure (eeg-gnn-ssl ``computeFFT``).

    ``clip`` is ``(n_channels, n_times)``; one ``scipy.fftpack.fft`` per 1-s
    step, first ``floor(n/2)`` bins, ``|F|``, zeros -> 1e-8, natural log;
    returns ``(n_steps, n_channels, n // 2)``.
    """
    n = int(sfreq * time_step)
    steps = []
    for start in range(0, clip.shape[1], n):
        x = clip[:, start : start + n]
        fourier = scipy.fftpack.fft(x, n=n, axis=-1)
        amp = np.abs(fourier[:, : n // 2])
        amp[amp == 0.0] = 1e-8
        steps.append(np.log(amp))
    return np.stack(steps)


def test_equals_direct_per_window_fftpack():
    rng = np.random.default_rng(0)
    # 12-s clips, 19 channels, 200 Hz, EEG-like amplitudes in volts
    X = (1e-5 * rng.standard_normal((3, 19, 12 * 200))).astype(np.float32)
    X[1, 4] = 0.0  # a flat channel: every bin is exactly zero -> log(1e-8)
    out = FFTLogAmplitude(sfreq=200).fit_transform(X)
    assert out.shape == (3, 12, 19, 100) and out.dtype == np.float32
    ref = np.stack([reference_fft_features(clip.astype(np.float64)) for clip in X])
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(out[1, :, 4], np.float32(np.log(1e-8)))


def test_bins_and_frequencies():
    est = FFTLogAmplitude(sfreq=200).fit(np.zeros((1, 1, 2 * 200), np.float32))
    assert est.n_step_samples_ == 200 and est.n_bins_ == 100
    np.testing.assert_array_equal(est.freqs_, np.arange(100.0))  # DC in, 100 Hz Nyquist out
    t = np.arange(2 * 200) / 200
    X = np.sin(2 * np.pi * 17.0 * t)[None, None, :].astype(np.float32)
    out = est.transform(X)
    assert (np.argmax(out[0, :, 0], axis=-1) == 17).all()


def test_odd_step_length_and_truncated_bins():
    X = np.random.default_rng(1).standard_normal((2, 3, 4 * 101)).astype(np.float32)
    full = FFTLogAmplitude(sfreq=101).fit_transform(X)
    assert full.shape == (2, 4, 3, 50)  # floor(101 / 2)
    part = FFTLogAmplitude(sfreq=101, n_bins=30).fit_transform(X)
    np.testing.assert_array_equal(part, full[..., :30])


def test_half_second_steps():
    X = np.random.default_rng(2).standard_normal((1, 2, 400)).astype(np.float32)
    est = FFTLogAmplitude(sfreq=200, step_s=0.5).fit(X)
    assert est.transform(X).shape == (1, 4, 2, 50)
    np.testing.assert_array_equal(est.freqs_, np.arange(50) * 2.0)
    ref = reference_fft_features(X[0].astype(np.float64), sfreq=200, time_step=0.5)
    np.testing.assert_allclose(est.transform(X)[0], ref, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize(
    "params, n_times, match",
    [
        ({"sfreq": 200}, 250, "whole number of 1.0-s steps"),
        ({"sfreq": 200, "step_s": 0.333}, 600, "whole number of samples"),
        ({"sfreq": 200, "n_bins": 101}, 200, "n_bins"),
        ({"sfreq": None}, 200, "sfreq is required"),
    ],
)
def test_invalid_configurations_raise(params, n_times, match):
    with pytest.raises(ValueError, match=match):
        FFTLogAmplitude(**params).fit(np.zeros((1, 1, n_times), np.float32))


def test_transform_refuses_another_window_length():
    est = FFTLogAmplitude(sfreq=200).fit(np.zeros((1, 1, 400), np.float32))
    for n_times in (250, 600):  # not a whole number of steps; whole but another length
        with pytest.raises(ValueError, match=rf"400 samples but X has windows of {n_times}"):
            est.transform(np.zeros((1, 1, n_times), np.float32))
