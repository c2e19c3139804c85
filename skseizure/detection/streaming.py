"""Run the bundled detector's recipe on a long recording in bounded memory.

:meth:`BundledDetector.window_proba <skseizure.detection.bundled.BundledDetector.window_proba>`
needs the whole recording in memory (a 12-h, 23-channel EDF at 256 Hz is 1 GiB of
float32). :func:`stream_window_proba` gives the same window probabilities chunk by chunk:
each chunk of windows is computed from a stretch of signal read with enough **context**
on both sides that every step of the recipe gives the same samples as on the whole
recording:

* resampling (:func:`scipy.signal.resample_poly`, a linear-phase FIR of ``2 * 10 *
  max(up, down) + 1`` taps at the up-sampled rate) reaches ``ceil(10 * max(up, down) / up)``
  input samples on each side; the stretch read starts on a multiple of ``down`` so its
  output samples fall on the whole recording's output grid. At the first and last sample
  of the recording the stretch is extended by the same straight line scipy uses on the
  whole recording (``padtype="line"``: the slope from the first to the last sample);
* the zero-phase Butterworth band-pass (:func:`~skseizure.preprocessing.filters.filter_continuous`)
  is an IIR filter: a chunk border perturbs the output by a transient that decays like
  the slowest pole of the filter. The context is the number of model-rate samples it
  takes that pole to decay by ``1e-9``, plus 10 % (:func:`filter_context`; 0.5-25 Hz
  order-4 band-pass at 64 Hz: 1,230 samples, about 19 s of signal on each side). Each
  chunk is filtered in float64 (the in-memory recipe runs the recursion in float32, whose
  rounding noise is a few ``1e-5`` of a standardised window);
* windows are cut and standardised one by one, so they only need the filtered samples;
  with the ``"background"`` standardisation (one scale per recording: the 20th percentile
  of the window scales) a first pass computes every window's scale, and the second
  standardises with it.

Channels flat over the whole recording are left out by the recipe; they are found in a
first pass that stops as soon as every channel has varied (usually in the first chunk).
Peak memory is a few chunks of signal (``chunk_seconds``, default 300 s) plus the window
probabilities. The tests check that the chunked windows equal those of the same
computation on the whole recording within ``1e-5`` (in practice ``1e-7``), and the
probabilities those of ``window_proba`` within ``1e-5``.
"""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import signal as sps

from ..io import EDFError
from ..preprocessing.resampling import Resampler
from .bundled import (
    BundledDetectorInputError,
    WindowProbabilities,
    _montage,
    standardize_windows,
    window_scale,
)

__all__ = [
    "ArraySource",
    "EDFSource",
    "STAGES",
    "filter_context",
    "resample_context",
    "stream_window_proba",
]

#: Names of the timed stages (seconds are added to ``timings`` under these keys).
STAGES = ("read", "filter/resample", "windows+network")

_DECAY = 1e-9  # relative size of the chunk-border transient of the band-pass left over


class ArraySource:
    """A recording already in memory, read like a file (for tests and short signals).

    Parameters
    ----------
    data : array-like of shape (n_channels, n_times)
    sfreq : float
        Hz.
    ch_names : sequence of str
    """

    def __init__(self, data, sfreq, ch_names):
        self.data = np.asarray(data)
        self.sfreq = float(sfreq)
        self.ch_names = [str(c) for c in ch_names]
        self.n_times = int(self.data.shape[-1]) if self.data.ndim == 2 else 0
        self.meas_date = None

    def read(self, start, stop):
        """Samples ``[start, stop)`` of every channel, float32, shape (n_channels, stop - start)."""
        return np.asarray(self.data[:, start:stop], dtype=np.float32)


class EDFSource:
    """An EDF/EDF+ file opened for reading in chunks (MNE, ``preload=False``).

    Only the header is read on opening; :meth:`read` decodes the requested samples.
    Channel names follow MNE (a repeated label gets ``-0``, ``-1`` …, as
    :func:`skseizure.io.read_edf` names them); signals are returned in volts for the
    voltage units MNE recognises (the detector standardises every window, so the unit
    does not change its output).

    Parameters
    ----------
    path : path-like

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    EDFError
        If MNE cannot read its header, or the EEG signals have different rates.
    """

    def __init__(self, path):
        import mne  # local: importing mne costs about a second

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"EDF file not found: {self.path}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                raw = mne.io.read_raw_edf(self.path, preload=False, stim_channel=None,
                                          verbose=False)
        except Exception as exc:  # MNE's messages do not name the file
            raise EDFError(self.path, None,
                           f"MNE could not read the EDF: {type(exc).__name__}: {exc}") from exc
        self._raw = raw
        self.sfreq = float(raw.info["sfreq"])
        self.ch_names = list(raw.ch_names)
        self.n_times = int(raw.n_times)
        date = raw.info.get("meas_date")
        self.meas_date = date.replace(tzinfo=None) if date is not None else None

    def read(self, start, stop):
        """Samples ``[start, stop)`` of every channel, float32 volts, shape (n_channels, stop - start)."""
        try:
            data = self._raw.get_data(start=int(start), stop=int(stop))
        except Exception as exc:
            raise EDFError(self.path, None, f"MNE could not decode samples {start}-{stop}: "
                                            f"{type(exc).__name__}: {exc}") from exc
        return data.astype(np.float32)


def _ratio(sfreq, rate):
    res = Resampler(sfreq=sfreq, new_sfreq=rate).fit(np.zeros((1, 1, 2), dtype=np.float32))
    return res.up_, res.down_


def resample_context(sfreq, rate):
    """Input samples the polyphase resampler reaches on each side of an output sample.

    Parameters
    ----------
    sfreq, rate : float
        Input and output rates in Hz.

    Returns
    -------
    n_samples : int
        ``ceil(10 * max(up, down) / up) + 1`` (0 when the rates are equal).
    """
    up, down = _ratio(sfreq, rate)
    if up == down:
        return 0
    return int(math.ceil(10 * max(up, down) / up)) + 1


def filter_context(rate, band, order=4):
    """Model-rate samples after which a chunk border's transient has decayed by ``1e-9``.

    Parameters
    ----------
    rate : float
        Hz.
    band : (float, float)
        Band-pass edges in Hz.
    order : int, default=4
        Butterworth order (as :func:`~skseizure.preprocessing.filters.filter_continuous`).

    Returns
    -------
    n_samples : int
        ``ceil(log(1e-9) / log(r))`` for the largest pole radius ``r`` of the band-pass,
        plus a safety margin of 10 %.
    """
    sos = sps.butter(int(order), [float(band[0]), float(band[1])], btype="bandpass", fs=rate,
                     output="sos")
    radius = max(np.abs(np.roots([1.0, s[4], s[5]])).max() for s in sos)
    return int(math.ceil(1.1 * math.log(_DECAY) / math.log(radius)))


def _check_source(source, cfg):
    if source.n_times <= 0:
        raise BundledDetectorInputError("the recording has zero samples.")
    low, high = (float(f) for f in cfg["band"])
    if source.sfreq < 2 * high:
        raise BundledDetectorInputError(
            f"sampling rate {source.sfreq:g} Hz is too low for the model's band {low:g}-{high:g} "
            f"Hz (at least {2 * high:g} Hz is needed).")


def _live_channels(source, cfg, chunk):
    """Montage labels, kind and the mask of channels that vary somewhere in the recording."""
    lo = hi = labels = kind = None
    for start in range(0, source.n_times, chunk):
        sig, labels, kind = _montage(source.read(start, min(start + chunk, source.n_times)),
                                     source.ch_names, cfg["montage"])
        lo = sig.min(axis=1) if lo is None else np.minimum(lo, sig.min(axis=1))
        hi = sig.max(axis=1) if hi is None else np.maximum(hi, sig.max(axis=1))
        if np.all(hi > lo):
            break
    live = hi > lo
    if not live.any():
        raise BundledDetectorInputError(
            f"every EEG channel is flat (constant) over the whole recording: {labels}.")
    return labels, kind, live


class _Pipeline:
    """The recipe's signal steps on one stretch of a source (see the module notes)."""

    def __init__(self, source, cfg, live):
        self.source, self.cfg, self.live = source, cfg, live
        self.rate = float(cfg["sfreq"])
        self.up, self.down = _ratio(source.sfreq, self.rate)
        self.n_out = -(-source.n_times * self.up // self.down)
        reach = resample_context(source.sfreq, self.rate)
        self.pad = -(-reach // self.down) * self.down  # multiple of down
        self.ctx = filter_context(self.rate, cfg["band"])
        self.slope = None
        if self.up != self.down:
            first = self._montage(0, 1)[:, 0]
            last = self._montage(source.n_times - 1, source.n_times)[:, 0]
            self.first, self.last = first, last
            self.slope = (last - first) / max(source.n_times - 1, 1)

    def _montage(self, start, stop):
        sig, _, _ = _montage(self.source.read(start, stop), self.source.ch_names,
                             self.cfg["montage"])
        return sig[self.live]

    def resampled(self, fa, fb, timings):
        """Model-rate samples ``[fa, fb)`` of the montage, as on the whole recording."""
        if self.up == self.down:
            t0 = time.perf_counter()
            raw = self.source.read(fa, fb)
            timings["read"] += time.perf_counter() - t0
            sig, _, _ = _montage(raw, self.source.ch_names, self.cfg["montage"])
            return sig[self.live]
        up, down, n_in = self.up, self.down, self.source.n_times
        ia = max(0, (fa * down // up) // down * down - self.pad)
        ib = min(n_in, -(-fb * down // up) + self.pad)
        t0 = time.perf_counter()
        raw = self.source.read(ia, ib)
        timings["read"] += time.perf_counter() - t0
        sig, _, _ = _montage(raw, self.source.ch_names, self.cfg["montage"])
        sig = sig[self.live].astype(np.float32)
        steps = np.arange(1, self.pad + 1, dtype=np.float64)
        head = tail = 0
        if ia == 0:  # scipy's "line" extension of the whole recording
            ext = self.first[:, None] - steps[::-1][None] * self.slope[:, None]
            sig = np.concatenate([ext.astype(np.float32), sig], axis=1)
            head = self.pad
        if ib == n_in:
            ext = self.last[:, None] + steps[None] * self.slope[:, None]
            sig = np.concatenate([sig, ext.astype(np.float32)], axis=1)
            tail = self.pad
        out = Resampler(sfreq=self.source.sfreq, new_sfreq=self.rate).fit_transform(sig[None])[0]
        out = out[:, head * up // down: out.shape[1] - tail * up // down]
        offset = ia * up // down
        return out[:, fa - offset: fb - offset]


def _network_proba(estimator, X, batch_size=128):
    """Window and per-channel seizure probabilities, from one pass of the network.

    :class:`~skseizure.models.ChannelPooledCNN` pools its per-channel logits with a
    log-mean-exp over channels; computing the per-channel logits once and pooling them
    here gives ``predict_proba`` and ``channel_proba`` for the price of one of them.
    Any other estimator is asked for both.
    """
    module = getattr(estimator, "module_", None)
    if module is None or not hasattr(module, "channel_logits") or \
            list(getattr(estimator, "classes_", [])) != [0, 1]:
        return (estimator.predict_proba(X)[:, 1].astype(float),
                estimator.channel_proba(X).astype(float))
    import torch

    was_training = module.training
    module.eval()
    proba, channel = [], []
    try:
        with torch.no_grad():
            for start in range(0, len(X), batch_size):
                xb = torch.as_tensor(X[start:start + batch_size], device=estimator.device)
                logits = module.channel_logits(xb)
                pooled = torch.logsumexp(logits, dim=1) - math.log(logits.shape[1])
                proba.append(torch.softmax(pooled, dim=-1)[:, 1].cpu().numpy())
                channel.append(torch.softmax(logits, dim=-1)[..., 1].cpu().numpy())
    finally:
        module.train(was_training)
    return (np.concatenate(proba).astype(np.float32).astype(float),
            np.concatenate(channel).astype(np.float32).astype(float))


def _bandpass64(x, rate, low, high):
    """:func:`filter_continuous`'s band-pass (``sosfiltfilt`` with MNE's padding), in float64.

    The in-memory recipe runs the recursion in float32, whose rounding noise sits near
    ``1e-5`` of the signal after standardisation; computing each chunk in float64 keeps
    the chunked result within that noise of the in-memory one instead of doubling it.
    """
    from mne.filter import estimate_ringing_samples

    sos = sps.butter(4, [low, high], btype="bandpass", fs=rate, output="sos")
    padlen = min(int(estimate_ringing_samples(sos)), x.shape[1] - 1)
    return sps.sosfiltfilt(sos, np.asarray(x, dtype=np.float64), axis=1,
                           padlen=padlen).astype(np.float32)


def _filtered_windows(pipe, bounds, n_win, per_chunk, win, step, timings):
    """Yield ``(w0, X)``: the filtered windows ``w0 .. w0 + per_chunk`` (not standardised)."""
    low, high = (float(f) for f in pipe.cfg["band"])
    for w0 in bounds:
        w1 = min(w0 + per_chunk, n_win)
        a, b = w0 * step, (w1 - 1) * step + win
        fa, fb = max(0, a - pipe.ctx), min(pipe.n_out, b + pipe.ctx)
        read_before = timings["read"]
        t0 = time.perf_counter()
        seg = pipe.resampled(fa, fb, timings)
        seg = _bandpass64(seg, pipe.rate, low, high)[:, a - fa: b - fa]
        timings["filter/resample"] += time.perf_counter() - t0 - (timings["read"] - read_before)
        t0 = time.perf_counter()
        X = np.stack([seg[:, s:s + win] for s in np.arange(w1 - w0) * step])
        timings["windows+network"] += time.perf_counter() - t0
        yield w0, X


def stream_window_proba(detector, source, *, chunk_seconds=300.0, timings=None, progress=False):
    """Window probabilities of a recording read chunk by chunk (bounded memory).

    Parameters
    ----------
    detector : BundledDetector
        Its ``config`` (rate, band, window, standardisation, montage) and ``estimator``.
    source : EDFSource or ArraySource
        Anything with ``sfreq``, ``ch_names``, ``n_times`` and ``read(start, stop)``.
    chunk_seconds : float, default=300
        Seconds of windows computed at once (memory grows with it, not with the recording).
    timings : dict or None
        If given, seconds spent in each of :data:`STAGES` are added to it.
    progress : bool, default=False
        A tqdm progress bar on stderr (when it is a terminal and there are several chunks).

    Returns
    -------
    WindowProbabilities
        Equal (within float32 rounding) to ``detector.window_proba`` on the whole signal.

    Raises
    ------
    BundledDetectorInputError
        Zero samples, a rate too low for the band, no usable EEG channel (labels listed),
        every channel flat, a recording shorter than one window.
    """
    cfg = detector.config
    timings = {} if timings is None else timings
    for stage in STAGES:
        timings.setdefault(stage, 0.0)
    _check_source(source, cfg)
    t0 = time.perf_counter()
    chunk_in = max(int(chunk_seconds * source.sfreq), 1)
    labels, kind, live = _live_channels(source, cfg, chunk_in)
    timings["read"] += time.perf_counter() - t0
    labels = [lab for lab, ok in zip(labels, live) if ok]
    pipe = _Pipeline(source, cfg, live)
    rate = pipe.rate
    win = int(round(cfg["window_length"] * rate))
    step = int(round(cfg["window_step"] * rate))
    if pipe.n_out < win:
        raise BundledDetectorInputError(
            f"the recording lasts {source.n_times / source.sfreq:.3g} s, shorter than one "
            f"{cfg['window_length']}-s window.")
    n_win = (pipe.n_out - win) // step + 1
    per_chunk = max(1, int(chunk_seconds * rate) // step)
    bounds = range(0, n_win, per_chunk)
    method, reference = cfg["standardization"], None
    if method == "background":
        # one scale for the whole recording (a percentile of the window scales): a first
        # pass computes the scale of every window, the second one standardises with it
        scales = [window_scale(X) for _, X in _filtered_windows(pipe, bounds, n_win, per_chunk,
                                                                win, step, timings)]
        reference = float(np.percentile(np.concatenate(scales), 20.0))
    if progress and len(bounds) > 1:
        from tqdm.auto import tqdm

        # disable=None: a bar only when stderr is a terminal
        bounds = tqdm(bounds, desc="detecting", unit="chunk", leave=False, disable=None)
    proba, channel_proba = [], []
    for _, X in _filtered_windows(pipe, bounds, n_win, per_chunk, win, step, timings):
        t0 = time.perf_counter()
        X = standardize_windows(X, method, reference=reference) if reference is not None \
            else standardize_windows(X, method)
        p, pc = _network_proba(detector.estimator, X)
        proba.append(p)
        channel_proba.append(pc)
        timings["windows+network"] += time.perf_counter() - t0
    start = np.arange(n_win) * step / rate
    return WindowProbabilities(start, np.concatenate(proba), np.concatenate(channel_proba),
                               tuple(labels), float(cfg["window_length"]), kind)


