"""ChannelStandardizer: per-channel statistics learned on the training windows."""

from __future__ import annotations

import numpy as np
import pytest

from skseizure.preprocessing.standardization import ChannelStandardizer


@pytest.fixture
def volts():
    """Windows in volts with very different channel offsets and scales."""
    rng = np.random.default_rng(0)
    offsets = np.array([0.0, 5e-5, -2e-4, 1e-3])[None, :, None]
    scales = np.array([1e-5, 3e-6, 5e-5, 1e-6])[None, :, None]
    return (offsets + scales * rng.standard_normal((40, 4, 256))).astype(np.float32)


def test_zero_mean_unit_variance_on_train(volts):
    est = ChannelStandardizer().fit(volts)
    out = est.transform(volts)
    assert out.dtype == np.float32
    mean = out.astype(np.float64).mean(axis=(0, 2))
    std = out.astype(np.float64).std(axis=(0, 2))
    np.testing.assert_allclose(mean, 0.0, atol=1e-5)
    np.testing.assert_allclose(std, 1.0, rtol=1e-5)


def test_statistics_are_per_channel_over_windows_and_time(volts):
    est = ChannelStandardizer().fit(volts)
    assert est.mean_.shape == est.scale_.shape == (4,)
    x64 = volts.astype(np.float64)
    np.testing.assert_allclose(est.mean_, x64.mean(axis=(0, 2)), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(est.scale_, x64.std(axis=(0, 2)), rtol=1e-6)


def test_test_data_use_training_statistics(volts):
    train, test = volts[:30], volts[30:] * 2.0
    est = ChannelStandardizer().fit(train)
    expected = (test.astype(np.float64) - est.mean_[None, :, None]) / est.scale_[None, :, None]
    np.testing.assert_allclose(est.transform(test), expected, rtol=1e-5, atol=1e-5)
    # amplitude differences between windows survive (not a per-window z-score)
    assert est.transform(test).std() > 1.5


def test_flat_channel_maps_to_zero_not_nan(volts):
    X = volts.copy()
    X[:, 2] = 7e-5
    out = ChannelStandardizer().fit_transform(X)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out[:, 2], 0.0, atol=1e-3)
    np.testing.assert_allclose(out[:, 0].std(), 1.0, rtol=1e-5)


@pytest.mark.parametrize("eps", [0.0, -1.0, np.nan, "1e-8"])
def test_invalid_eps_raises_in_fit(volts, eps):
    with pytest.raises(ValueError, match="eps"):
        ChannelStandardizer(eps=eps).fit(volts)


# --- WindowStandardizer: per-window, per-channel z-score (stateless) -----------------

from skseizure.preprocessing.standardization import WindowStandardizer  # noqa: E402


def test_window_standardizer_zero_mean_unit_std_per_window_and_channel(volts):
    out = WindowStandardizer().fit(volts[:5]).transform(volts)
    assert out.dtype == np.float32 and out.shape == volts.shape
    x = out.astype(np.float64)
    np.testing.assert_allclose(x.mean(axis=-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=-1), 1.0, rtol=1e-4)


def test_window_standardizer_removes_window_gain_and_offset(volts):
    # a per-window gain (e.g. an infant's recording amplitude) and offset leave no trace
    rng = np.random.default_rng(1)
    gain = rng.uniform(0.1, 10.0, (len(volts), 1, 1)).astype(np.float32)
    shifted = volts * gain + np.float32(3e-4)
    est = WindowStandardizer().fit(volts)
    np.testing.assert_allclose(est.transform(shifted), est.transform(volts), atol=2e-3)


def test_window_standardizer_is_stateless(volts):
    a = WindowStandardizer().fit(volts[:10]).transform(volts[30:])
    b = WindowStandardizer().fit(volts[10:30] * 100).transform(volts[30:])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, WindowStandardizer().fit_transform(volts)[30:])


def test_window_standardizer_flat_channel_maps_to_zero(volts):
    X = volts.copy()
    X[3, 1] = 7e-5
    out = WindowStandardizer().fit_transform(X)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[3, 1], 0.0)


def test_window_standardizer_checks_channels(volts):
    est = WindowStandardizer().fit(volts)
    with pytest.raises(ValueError):
        est.transform(volts[:, :3])


@pytest.mark.parametrize("eps", [0.0, -1.0, np.nan, "1e-8", True])
def test_window_standardizer_invalid_eps_raises_in_fit(volts, eps):
    with pytest.raises(ValueError, match="eps"):
        WindowStandardizer(eps=eps).fit(volts)
