"""Bounded memory: filters, resampler and features allocate a fraction of their input.

``tracemalloc`` sees numpy's buffers; the peak of a call minus the bytes of its
output (0 when the output is the input's memory) is what the call needs beyond its
result. Before the block-by-block engine the notch + band-pass chain needed about
3x its input, a float64-SOS band-pass 7x and BandPower 10x (benchmarks/README.md).
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from skseizure.preprocessing import (
    BandpassFilter,
    BandPower,
    ChannelStandardizer,
    FFTLogAmplitude,
    LineLength,
    NotchFilter,
    Resampler,
    WindowStandardizer,
    filter_continuous,
)

SFREQ = 256.0


@pytest.fixture(scope="module")
def recording():
    """4 min of 12-channel noise + 50 Hz, float32 (about 2.8 MB)."""
    rng = np.random.default_rng(0)
    n_times = int(4 * 60 * SFREQ)
    t = np.arange(n_times) / SFREQ
    x = rng.standard_normal((12, n_times)) + np.sin(2 * np.pi * 50.0 * t)
    return x.astype(np.float32)


@pytest.fixture(scope="module")
def windows(recording):
    """The same samples as 4-s windows (60, 12, 1024)."""
    n = recording.shape[1] // 1024
    return np.ascontiguousarray(recording.reshape(12, n, 1024).transpose(1, 0, 2))


def _extra_over_input(func, X):
    """Peak traced bytes of ``func(X)`` beyond its output, divided by ``X.nbytes``."""
    func(X[:2].copy())  # warm-up: lazy imports and caches are not the call's data
    gc.collect()
    tracemalloc.start()
    try:
        out = func(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    out_bytes = 0 if np.shares_memory(out, X) else out.nbytes
    return (peak - out_bytes) / X.nbytes


def _chain(copy):
    return make_pipeline(
        NotchFilter(50.0, sfreq=SFREQ), BandpassFilter(0.5, 30.0, sfreq=SFREQ, copy=copy)
    )


@pytest.mark.parametrize(
    "name, layout, func, bound",
    [
        # float32 notch + band-pass: the recording-level path and the in-place pipeline
        ("filter_continuous", "recording",
         lambda x: filter_continuous(x, SFREQ, 0.5, 30.0, notch=50.0), 1.0),
        ("chain copy=False", "windows", lambda X: _chain(False).fit_transform(X), 1.0),
        # default copy=True keeps the notch output alive: 1x + one block
        ("chain copy=True", "windows", lambda X: _chain(True).fit_transform(X), 1.3),
        ("NotchFilter", "windows",
         lambda X: NotchFilter(50.0, sfreq=SFREQ).fit_transform(X), 1.0),
        # 0.1 Hz at 256 Hz: float64 recursion
        ("BandpassFilter float64 SOS", "one window",
         lambda X: BandpassFilter(0.1, 30.0, sfreq=SFREQ).fit_transform(X), 2.0),
        ("Resampler", "one window",
         lambda X: Resampler(sfreq=SFREQ, new_sfreq=200.0).fit_transform(X), 1.0),
        ("BandPower", "windows", lambda X: BandPower(sfreq=SFREQ).fit_transform(X), 2.0),
        ("LineLength", "windows", lambda X: LineLength().fit_transform(X), 1.0),
        ("FFTLogAmplitude", "windows",
         lambda X: FFTLogAmplitude(sfreq=SFREQ).fit_transform(X), 1.0),
        ("WindowStandardizer", "windows", lambda X: WindowStandardizer().fit_transform(X), 1.0),
        ("ChannelStandardizer", "windows",
         lambda X: ChannelStandardizer().fit_transform(X), 1.0),
    ],
)
def test_memory_beyond_output_is_bounded(recording, windows, name, layout, func, bound):
    X = {"recording": recording, "windows": windows, "one window": recording[None]}[layout]
    ratio = _extra_over_input(func, X)
    assert ratio <= bound, f"{name} allocated {ratio:.2f}x its input beyond its output"
