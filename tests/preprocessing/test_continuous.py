"""Recording-level filtering (``filter_continuous``) and the block-by-block SOS engine.

The recommended path is "filter the continuous recording, then cut windows". On real
recordings the windows cut from :func:`filter_continuous` must agree with the
continuous recording filtered in one go (MNE's IIR ``filter_data``, float64) within
1 % RMS, whereas band-passing each 1-s window on its own (the old habit) is far off.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from skseizure.io import read_edf
from skseizure.preprocessing import BandpassFilter, NotchFilter, filter_continuous
from skseizure.preprocessing._sos import butter_sos, notch_sos, sos_filter_rows, sos_padlen

BUTTER4 = dict(order=4, ftype="butter", output="sos")


def _rms_rel(a, ref):
    return float(np.sqrt(np.mean((a - ref) ** 2)) / np.sqrt(np.mean(ref**2)))


def _cut(x, n_win):
    """(C, T) -> (n, C, n_win): consecutive non-overlapping windows."""
    n = x.shape[-1] // n_win
    return x[:, : n * n_win].reshape(x.shape[0], n, n_win).transpose(1, 0, 2)


def _ombao(shared_data):
    folder = shared_data / "ombao-scalp-8ch"
    # 5 values per line, 3 on the last line, 2 trailing NaN
    chans = [np.array((folder / name).read_text().split(), dtype=float)
             for name in ("c3", "c4", "cz", "p3")]
    x = np.stack([c[np.isfinite(c)] for c in chans]) * 1e-6  # microvolts -> volts
    return x.astype(np.float32), 100.0


# ------------------------------------------------------------------- engine equivalence
@pytest.mark.parametrize("block", [97, 1000, 4096, 10**7])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_block_engine_equals_sosfiltfilt(block, dtype):
    """Any block size (rows x time, state carried) gives scipy's sosfiltfilt result."""
    x = np.random.default_rng(0).standard_normal((5, 3001)).astype(np.float32)
    sos = np.concatenate([notch_sos([50.0], 256.0, 30.0, False)[1],
                          butter_sos(0.5, 30.0, 256.0, 4)])
    padlen = sos_padlen(sos)
    ref = signal.sosfiltfilt(sos, x.astype(np.float64), padlen=padlen)
    out = sos_filter_rows(x, sos, compute_dtype=dtype, padlen=padlen, block=block)
    tol = 1e-4 if dtype == np.float32 else 1e-6
    assert out.dtype == np.float32
    assert np.max(np.abs(out - ref)) / np.max(np.abs(ref)) < tol
    causal = sos_filter_rows(x, sos, compute_dtype=dtype, padlen=padlen, zero_phase=False,
                             block=block)
    ref_causal = signal.sosfilt(sos, x.astype(np.float64))
    assert np.max(np.abs(causal - ref_causal)) / np.max(np.abs(ref_causal)) < tol


def test_filter_continuous_equals_cascade_of_the_window_filters():
    """One cascaded pass = NotchFilter then BandpassFilter on the recording as one window."""
    x = np.random.default_rng(1).standard_normal((3, 256 * 30)).astype(np.float32)
    got = filter_continuous(x, 256.0, 1.0, 40.0, notch=[50.0, 60.0], order=3)
    chain = NotchFilter([50.0, 60.0], sfreq=256.0).fit_transform(x[None])
    chain = BandpassFilter(1.0, 40.0, sfreq=256.0, order=3).fit_transform(chain)[0]
    core = slice(256 * 3, -256 * 3)  # the two differ only in their edge padding
    assert got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got[:, core], chain[:, core], atol=1e-4 * np.abs(chain).max())


def test_filter_continuous_low_cutoff_runs_float64():
    """0.1 Hz at 256 Hz forces float64 recursion: the float32 result is that of float64."""
    rng = np.random.default_rng(2)
    x = (20e-6 * rng.standard_normal((2, 256 * 120))).astype(np.float32)
    assert BandpassFilter(0.1, 30.0, sfreq=256.0).fit(x[None]).compute_dtype_ == np.float64
    got = filter_continuous(x, 256.0, 0.1, 30.0, padlen=3000)
    sos = butter_sos(0.1, 30.0, 256.0, 4)
    ref = signal.sosfiltfilt(sos, x.astype(np.float64), padlen=3000)
    assert np.max(np.abs(got - ref)) / np.max(np.abs(ref)) < 1e-5


# ------------------------------------------------------------------- real recordings
@pytest.mark.parametrize("name", ["chb01_03_Seizure.edf", "chb01_03_NonSeizure.edf", "ombao"])
def test_windows_cut_after_filter_continuous_match_the_filtered_recording(shared_data, name):
    mne = pytest.importorskip("mne")
    if name == "ombao":
        x, sfreq = _ombao(shared_data)
    else:
        rec = read_edf(shared_data / "chbmit" / "edf" / name)
        x, sfreq = rec.data, rec.sfreq
    ref = mne.filter.filter_data(x.astype(np.float64), sfreq, 0.5, 30.0, method="iir",
                                 iir_params=BUTTER4, verbose=False)
    n_win = int(sfreq)  # 1-s windows
    new = _cut(filter_continuous(x, sfreq, 0.5, 30.0), n_win)
    old = BandpassFilter(0.5, 30.0, sfreq=sfreq).fit_transform(_cut(x, n_win))
    R = _cut(ref, n_win)
    # same padding as MNE (odd extension over the filter's ringing): every window agrees
    assert _rms_rel(new, R) < 0.01
    assert max(_rms_rel(n, r) for n, r in zip(new, R)) < 0.01
    # each 1-s window's own 0.5 Hz high-pass transient: measured 54-58 % RMS
    assert _rms_rel(old, R) > 0.3


# ------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "data, kwargs, error, match",
    [
        (np.zeros((2, 3, 100)), {}, ValueError, r"2-D array \(n_channels, n_times\)"),
        (np.zeros((2, 0)), {}, ValueError, "non-empty"),
        (np.full((2, 500), np.nan), {}, ValueError, "NaN or infinity"),
        (np.zeros((2, 500)), {"notch": 200.0}, ValueError, "Nyquist"),
        (np.zeros((2, 500)), {"notch": 50.0, "notch_quality": 0}, ValueError, "quality"),
        (np.zeros((2, 500)), {"l_freq": 40.0, "h_freq": 30.0}, ValueError, "below h_freq"),
        (np.zeros((2, 500)), {"order": 0}, ValueError, "order"),
        (np.zeros((2, 500)), {"zero_phase": "yes"}, TypeError, "zero_phase"),
        (np.zeros((2, 20)), {"padlen": 20}, ValueError, "recording is too short"),
        (np.zeros((2, 500)), {"padlen": -1}, ValueError, "padlen"),
        ("abc", {}, TypeError, "array"),
        (np.zeros((2, 500), dtype=complex), {}, ValueError, "real numbers"),
    ],
)
def test_filter_continuous_rejects_bad_input(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        filter_continuous(data, 256.0, **{"l_freq": 0.5, "h_freq": 30.0, **kwargs})


def test_filter_continuous_notch_only_and_no_filter():
    t = np.arange(256 * 20) / 256.0
    x = np.stack([np.sin(2 * np.pi * 50 * t) + np.sin(2 * np.pi * 10 * t)]).astype(np.float64)
    y = filter_continuous(x, 256.0, None, None, notch=50.0)
    core = slice(256 * 5, -256 * 5)
    np.testing.assert_allclose(y[0, core], np.sin(2 * np.pi * 10 * t[core]), atol=0.02)
    same = filter_continuous(x, 256.0, None, None)
    assert same.dtype == np.float32 and np.array_equal(same, x.astype(np.float32))


def test_copy_false_filters_float32_in_place():
    X = np.random.default_rng(3).standard_normal((4, 2, 512)).astype(np.float32)
    expected = BandpassFilter(1.0, 30.0, sfreq=256.0).fit_transform(X)
    work = X.copy()
    out = BandpassFilter(1.0, 30.0, sfreq=256.0, copy=False).fit_transform(work)
    assert np.shares_memory(out, work)
    np.testing.assert_array_equal(out, expected)
    # float64 input cannot be filtered in place: a new float32 array comes back
    X64 = X.astype(np.float64)
    out64 = NotchFilter(50.0, sfreq=256.0, copy=False).fit_transform(X64)
    assert out64.dtype == np.float32 and not np.shares_memory(out64, X64)
