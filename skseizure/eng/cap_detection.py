"""The steps of the CAP signature chain, each usable on its own.

Clipping and band-pass filtering (:func:`clip_and_filter`), tripolar referencing
(:func:`tripolar_reference`), stimulus-on periods from the middle ring
(:func:`estimate_activity_intervals`), the on/off SNR of Table I of the MobilESCAPE-Net
paper (:func:`cap_snr`) and CAP detection between two thresholds (:func:`detect_caps`).
:class:`~skseizure.eng.CAPSignatureBuilder` chains them.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from .._utils.validation import check_sfreq

__all__ = [
    "cap_snr",
    "clip_and_filter",
    "tripolar_reference",
    "estimate_activity_intervals",
    "detect_caps",
]


def bandpass_sos(l_freq, h_freq, order, sfreq):
    """Butterworth second-order sections for the band ``l_freq``-``h_freq`` Hz.

    Either edge may be None (high-pass or low-pass); both None gives None (no filter).
    """
    if l_freq is None and h_freq is None:
        return None
    if l_freq is not None and h_freq is not None:
        wn, btype = [l_freq, h_freq], "bandpass"
    elif l_freq is not None:
        wn, btype = l_freq, "highpass"
    else:
        wn, btype = h_freq, "lowpass"
    return signal.butter(order, wn, btype=btype, fs=sfreq, output="sos")


def clip_and_filter(data, *, clip=None, sos=None, phase="zero"):
    """Clip each channel to ``+/-clip`` and filter it with ``sos``, channel by channel.

    Parameters
    ----------
    data : ndarray of shape (n_channels, n_times)
        Raw signal in volts (any real dtype).
    clip : float or None
        Clip level in volts; None: no clipping.
    sos : ndarray or None
        Second-order sections (:func:`bandpass_sos`); None: no filtering.
    phase : {"zero", "causal"}, default="zero"
        ``sosfiltfilt`` (no delay) or ``sosfilt``.

    Returns
    -------
    x : ndarray of shape (n_channels, n_times), float32
        Computed in float64 one channel at a time (a 56 x 1.8 M float64 copy would be
        800 MB) and stored as float32.
    """
    x = np.empty(data.shape, dtype=np.float32)
    for ch in range(data.shape[0]):
        row = data[ch].astype(np.float64)
        if clip is not None:
            np.clip(row, -clip, clip, out=row)
        if sos is not None:
            row = signal.sosfiltfilt(sos, row) if phase == "zero" else signal.sosfilt(sos, row)
        x[ch] = row
    return x


def _intervals_to_mask(intervals, n_times, sfreq):
    mask = np.zeros(n_times, dtype=bool)
    for start, end in np.asarray(intervals, dtype=float).reshape(-1, 2):
        a = max(int(np.floor(start * sfreq)), 0)
        b = min(int(np.ceil(end * sfreq)), n_times)
        mask[a:b] = True
    return mask


def cap_snr(data, sfreq, intervals, *, per_channel=False):
    """SNR (dB) between stimulus-on and stimulus-off periods, the paper's Table I.

    ``SNR = 10 log10( (1/L) sum_l P_on(l) / P_off(l) )`` where ``P_on(l)`` and
    ``P_off(l)`` are the **mean powers** (mean of squares) of channel ``l``
    during all stimulus-on samples and all other samples. The paper writes
    squared norms; with sums instead of means the ratio would also carry the
    duty cycle (0.64 s on in a 0.86 s period: +4.7 dB for pure noise), which
    its values (0.2-3.6 dB) rule out.

    Parameters
    ----------
    data : ndarray of shape (n_channels, n_times)
        Signal (any unit; the ratio is unit-free).
    sfreq : float
        Sampling frequency in Hz.
    intervals : array-like of shape (n_intervals, 2)
        Stimulus-on periods ``(start_s, end_s)`` in seconds.
    per_channel : bool, default=False
        Also return the per-channel ratios in dB.

    Returns
    -------
    snr_db : float
        Channel-averaged on/off power ratio in dB.
    per_channel_db : ndarray of shape (n_channels,)
        Only if ``per_channel``.

    Raises
    ------
    ValueError
        If the intervals leave no on or no off sample, or a channel is flat
        during the off periods.
    """
    sfreq = check_sfreq(sfreq)
    data = np.asarray(data)
    if data.ndim == 1:
        data = data[None]
    if data.ndim != 2:
        raise ValueError(f"data must be 2-D (n_channels, n_times), got shape {data.shape}.")
    on = _intervals_to_mask(intervals, data.shape[1], sfreq)
    if not on.any() or on.all():
        raise ValueError(
            "cap_snr needs both stimulus-on and stimulus-off samples; the intervals cover "
            f"{on.sum()} of {on.size} samples."
        )
    p_on = np.mean(np.square(data[:, on], dtype=np.float64), axis=1)
    p_off = np.mean(np.square(data[:, ~on], dtype=np.float64), axis=1)
    if (p_off <= 0).any():
        raise ValueError("A channel is exactly zero during the stimulus-off periods.")
    ratio = p_on / p_off
    snr = float(10 * np.log10(ratio.mean()))
    if per_channel:
        return snr, 10 * np.log10(ratio)
    return snr


def tripolar_reference(data, n_rings, n_electrodes_per_ring):
    """Tripolar referencing with the outermost rings as references.

    For each angular position ``m`` the common-mode estimate is the mean of the
    two outer rings, ``(x[0, m] + x[N-1, m]) / 2``; it is subtracted from every
    ring (Struijk & Thomsen 1995). The inner rings become classic tripolar
    signals; the outer rings become ``+/-(x[0, m] - x[N-1, m]) / 2`` and are kept
    so that the signature still has ``N x M`` rows.

    Parameters
    ----------
    data : ndarray of shape (n_rings * n_electrodes_per_ring, n_times)
        Rows ring-major (``r * M + m``).
    n_rings, n_electrodes_per_ring : int

    Returns
    -------
    referenced : ndarray, same shape and dtype as ``data`` (a new array).
    """
    data = np.asarray(data)
    n_el = n_rings * n_electrodes_per_ring
    if data.shape[0] != n_el:
        raise ValueError(
            f"data has {data.shape[0]} rows, expected {n_rings} rings x "
            f"{n_electrodes_per_ring} electrodes = {n_el}."
        )
    cube = data.reshape(n_rings, n_electrodes_per_ring, -1)
    ref = 0.5 * (cube[0] + cube[-1])
    return (cube - ref[None]).reshape(data.shape).astype(data.dtype, copy=False)


def _moving_average(x, n):
    n = max(int(n), 1)
    c = np.cumsum(np.concatenate([[0.0], np.asarray(x, dtype=np.float64)]))
    out = np.empty(len(x))
    half = n // 2
    idx = np.arange(len(x))
    lo = np.clip(idx - half, 0, len(x))
    hi = np.clip(idx - half + n, 0, len(x))
    out[:] = (c[hi] - c[lo]) / np.maximum(hi - lo, 1)
    return out


def estimate_activity_intervals(middle_ring, sfreq, *, window_s=0.64, stimulus_rate_bpm=70.0,
                                stimulus_duration_s=0.64, threshold=0.5):
    """Stimulus-on periods from the moving average of ``|x|`` on the middle ring.

    Parameters
    ----------
    middle_ring : ndarray of shape (n_channels, n_times) or (n_times,)
        Band-passed (and referenced) middle-ring signal.
    sfreq : float
        Sampling frequency in Hz.
    window_s : float, default=0.64
        Moving-average length in seconds; about one stimulus length, so the
        average peaks at stimulus centres.
    stimulus_rate_bpm : float, default=70.0
        Metronome rate; peaks closer than 0.6 period are merged.
    stimulus_duration_s : float, default=0.64
        Length of the returned interval around each centre.
    threshold : float, default=0.5
        A centre must exceed ``p5 + threshold * (p95 - p5)`` of the moving average.

    Returns
    -------
    intervals : ndarray of shape (n_stimuli, 2)
        ``(start_s, end_s)``, sorted, non-overlapping.
    centres : ndarray of shape (n_stimuli,)
        Stimulus centres in seconds.
    """
    sfreq = check_sfreq(sfreq)
    x = np.asarray(middle_ring, dtype=np.float64)
    env = np.abs(x).mean(axis=0) if x.ndim == 2 else np.abs(x)
    # decimate |x| to 1 kHz blocks before averaging: same peaks, 30x less work
    step = max(int(sfreq // 1000), 1)
    n_blocks = len(env) // step
    if n_blocks < 3:
        return np.zeros((0, 2)), np.zeros(0)
    coarse = env[: n_blocks * step].reshape(n_blocks, step).mean(axis=1)
    fs_c = sfreq / step
    ma = _moving_average(coarse, window_s * fs_c)
    p5, p95 = np.percentile(ma, [5, 95])
    period = 60.0 / stimulus_rate_bpm
    peaks, _ = signal.find_peaks(
        ma, height=p5 + threshold * (p95 - p5), distance=max(int(0.6 * period * fs_c), 1)
    )
    centres = (peaks + 0.5) * step / sfreq
    duration = len(env) / sfreq
    half = stimulus_duration_s / 2.0
    intervals = []
    for c in centres:
        start, end = max(c - half, 0.0), min(c + half, duration)
        if intervals and start <= intervals[-1][1]:
            intervals[-1][1] = max(intervals[-1][1], end)
        else:
            intervals.append([start, end])
    return np.asarray(intervals, dtype=float).reshape(-1, 2), centres


def detect_caps(x, sfreq, *, intervals=None, threshold_low=3.0, threshold_high=20.0,
                exclusion_ms=3.0):
    """CAP peaks between a lower and an upper threshold, with an exclusion window.

    The detection signal is ``|x - median(x)|``; a CAP is a local maximum with
    ``threshold_low * std(x) <= |x - median(x)| <= threshold_high * std(x)``
    (the upper bound rejects artefacts). Peaks closer than ``exclusion_ms``
    keep only the largest (``scipy.signal.find_peaks(distance=...)``).

    Parameters
    ----------
    x : ndarray of shape (n_times,)
        Detection signal (e.g. the middle-ring average after filtering and
        referencing).
    sfreq : float
        Sampling frequency in Hz.
    intervals : array-like of shape (n, 2) or None
        Only keep peaks inside these ``(start_s, end_s)`` periods.
    threshold_low, threshold_high : float, default=3.0, 20.0
        Multipliers of the standard deviation.
    exclusion_ms : float, default=3.0
        Minimum distance between two CAPs in milliseconds.

    Returns
    -------
    samples : ndarray of int
        Sample indices of the detected CAPs, sorted.
    """
    sfreq = check_sfreq(sfreq)
    x = np.asarray(x, dtype=np.float64)
    if not 0 < threshold_low < threshold_high:
        raise ValueError(
            f"Need 0 < threshold_low < threshold_high, got {threshold_low}, {threshold_high}."
        )
    dev = np.abs(x - np.median(x))
    std = x.std()
    if std == 0:
        return np.zeros(0, dtype=int)
    distance = max(int(round(exclusion_ms * 1e-3 * sfreq)), 1)
    peaks, _ = signal.find_peaks(
        dev, height=(threshold_low * std, threshold_high * std), distance=distance
    )
    if intervals is not None:
        peaks = peaks[_intervals_to_mask(intervals, len(x), sfreq)[peaks]]
    return peaks.astype(int)
