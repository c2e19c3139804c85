"""Spatiotemporal CAP signatures from multi-contact nerve-cuff (ENG) recordings.

The preprocessing chain of MobilESCAPE-Net (Gokdag et al., arXiv 2505.06241, §III),
itself adapted from ESCAPE-Net (Koh et al., J. Neural Eng. 2020):

1. clip the raw signal to +/-40 µV;
2. 6th-order Butterworth band-pass 800 Hz - 5 kHz;
3. tripolar referencing with the outermost rings as references;
4. activity intervals: moving average of |x| on the middle ring, peaks =
   stimulus centres;
5. per-channel SNR between stimulus-on and stimulus-off periods (Table I;
   :func:`cap_snr`);
6. CAP detection: peaks of the middle-ring signal between a lower and an upper
   threshold derived from the signal's median and standard deviation, with a
   3 ms exclusion window;
7. a ``n_electrodes x n_times`` (56 x 100) signature centred on each CAP.

Why a separate step and not a Pipeline transformer: a recording of any length
gives a variable number of signatures, each with its own label and time, so the
output does not align with the input rows the way ``Pipeline`` requires (the
same holds for windowing). :class:`CAPSignatureBuilder` therefore follows the
transformer API for its parameters (``get_params``, ``clone``, ``fit`` /
``transform``), but is used *before* the estimator pipeline::

    builder = CAPSignatureBuilder(sfreq=30000)
    sig = builder.build(recordings)              # X (n_caps, 1, 56, 100), y, groups
    clf = MobilESCAPENetClassifier().fit(sig.X, sig.y, groups=sig.groups)

The thresholds' multipliers of ESCAPE-Net's CAP detector are not given in the
texts available to us; the defaults here (3 and 20 standard deviations) are our
choice and are parameters.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import signal
from sklearn.base import BaseEstimator, TransformerMixin

from .._utils.validation import check_frequency_band, check_sfreq

__all__ = [
    "CAPSignatureBuilder",
    "CAPSignatures",
    "CAPDetection",
    "cap_snr",
    "tripolar_reference",
    "estimate_activity_intervals",
    "detect_caps",
]


# --------------------------------------------------------------------------- #
# Functions (each step usable on its own)
# --------------------------------------------------------------------------- #
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


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #
@dataclass
class CAPSignatures:
    """Signatures of one or more recordings, aligned on the first axis.

    Attributes
    ----------
    X : ndarray of shape (n_caps, 1, n_electrodes, n_times), float32
        Signatures (see ``CAPSignatureBuilder.output_scale`` for the unit).
    y : ndarray of shape (n_caps,) or None
        Label of the recording each CAP comes from.
    groups : ndarray of shape (n_caps,) or None
        Subject (animal) of each CAP, for group-wise splits.
    cap_times : ndarray of shape (n_caps,)
        CAP times in seconds from the start of their recording.
    recording_index : ndarray of shape (n_caps,)
        Index of the source recording in the input list.
    snr_db : ndarray of shape (n_recordings,)
        :func:`cap_snr` of each preprocessed recording with its estimated
        activity intervals.
    """

    X: np.ndarray
    y: np.ndarray | None
    groups: np.ndarray | None
    cap_times: np.ndarray
    recording_index: np.ndarray
    snr_db: np.ndarray


@dataclass
class CAPDetection:
    """Intermediate results of the chain on one recording (for inspection / plots).

    Attributes
    ----------
    data : ndarray of shape (n_electrodes, n_times), float32
        Clipped, filtered and referenced signal in volts.
    detection_signal : ndarray of shape (n_times,)
        Middle-ring average used for CAP detection (volts).
    intervals : ndarray of shape (n_stimuli, 2)
        Estimated stimulus-on periods (s).
    cap_samples : ndarray of int
        Detected CAP positions (samples); all of them, including those too
        close to the edges to give a full signature.
    snr_db : float
        :func:`cap_snr` of ``data`` with ``intervals``.
    sfreq : float
        Sampling frequency in Hz.
    """

    data: np.ndarray
    detection_signal: np.ndarray
    intervals: np.ndarray
    cap_samples: np.ndarray
    snr_db: float
    sfreq: float


# --------------------------------------------------------------------------- #
# The builder
# --------------------------------------------------------------------------- #
class CAPSignatureBuilder(TransformerMixin, BaseEstimator):
    """Turn nerve-cuff recordings into spatiotemporal CAP signatures (paper §III).

    Input contract: ``recordings`` is one recording or a list of them. A
    recording is a :class:`~skseizure.datasets.NerveCuffRecording` (from the
    simulator, or built by a user from real data), any object with a ``data``
    attribute ``(n_electrodes, n_times)`` in **volts** and optionally
    ``sfreq`` / ``label`` / ``subject`` / ``n_rings`` attributes, or a bare
    2-D array ``(n_electrodes, n_times)`` in volts (then ``sfreq`` is required
    here). A 3-D array is read as a list of equally long recordings. Rows are
    ring-major (``r * n_electrodes_per_ring + m``).

    Output: ``transform`` returns ``X`` of shape
    ``(n_caps, 1, n_rings * n_electrodes_per_ring, n_times_signature)`` float32;
    :meth:`build` also returns labels, groups and CAP times. The number of
    signatures is data dependent, which is why this step runs before (not
    inside) a :class:`~sklearn.pipeline.Pipeline` (see the module docstring).

    Parameters
    ----------
    sfreq : float or None, default=None
        Sampling frequency in Hz. None: taken from each recording's ``sfreq``
        (bare arrays then raise). A value that differs from a recording's
        ``sfreq`` raises. Must exceed ``2 * h_freq`` (10 kHz for the 5 kHz edge).
    n_rings, n_electrodes_per_ring : int, default=7, 8
        Cuff layout (56 electrodes).
    clip_uv : float or None, default=40.0
        Clip the raw signal to ``+/-clip_uv`` µV. None: no clipping.
    l_freq, h_freq : float, default=800.0, 5000.0
        Band-pass edges in Hz (None disables that side; both None: no filter).
    filter_order : int, default=6
        Butterworth order passed to ``scipy.signal.butter`` (a band-pass
        therefore has ``2 * filter_order`` poles), as second-order sections.
    filter_phase : {"zero", "causal"}, default="zero"
        ``"zero"``: ``sosfiltfilt`` (no delay, CAP times preserved, effective
        order doubled); ``"causal"``: ``sosfilt`` (what an implant could run).
    reference : {"tripolar", None}, default="tripolar"
        :func:`tripolar_reference` with the outer rings, or none.
    activity_window_s : float, default=0.64
        Moving-average length for :func:`estimate_activity_intervals`.
    stimulus_rate_bpm : float, default=70.0
        Metronome rate of the stimuli.
    stimulus_duration_s : float, default=0.64
        Length of each estimated stimulus-on period.
    activity_threshold : float, default=0.5
        See :func:`estimate_activity_intervals`.
    only_active : bool, default=True
        Keep only CAPs inside the estimated stimulus-on periods.
    threshold_low, threshold_high : float, default=3.0, 20.0
        CAP amplitude window in standard deviations (:func:`detect_caps`; our
        choice, the published multipliers are not available).
    exclusion_ms : float, default=3.0
        Minimum time between two CAPs.
    n_times_signature : int, default=100
        Samples per signature (100 = 3.33 ms at 30 kHz), centred on the CAP
        (``n // 2`` samples before it).
    output_scale : {"clip", "uV", "V"}, default="clip"
        Unit of the signatures: ``"clip"`` divides volts by the clip level
        (pixel intensities mostly within +/-1, the paper's "normalised pixel
        intensities"; µV / 40 by default), ``"uV"`` microvolts, ``"V"`` volts.
    on_empty : {"raise", "warn"}, default="raise"
        A recording without any detected CAP raises ``ValueError`` (or warns
        and contributes no signature).

    Attributes
    ----------
    n_electrodes_in_ : int
        Electrode count checked at ``fit`` (= ``n_rings * n_electrodes_per_ring``).

    Examples
    --------
    >>> from skseizure.datasets import simulate_nerve_cuff
    >>> rec = simulate_nerve_cuff("dorsiflexion", duration_s=5, random_state=0)  # SIMULATED
    >>> sig = CAPSignatureBuilder().build([rec])
    >>> sig.X.shape[1:]
    (1, 56, 100)
    """

    def __init__(
        self,
        sfreq=None,
        n_rings=7,
        n_electrodes_per_ring=8,
        clip_uv=40.0,
        l_freq=800.0,
        h_freq=5000.0,
        filter_order=6,
        filter_phase="zero",
        reference="tripolar",
        activity_window_s=0.64,
        stimulus_rate_bpm=70.0,
        stimulus_duration_s=0.64,
        activity_threshold=0.5,
        only_active=True,
        threshold_low=3.0,
        threshold_high=20.0,
        exclusion_ms=3.0,
        n_times_signature=100,
        output_scale="clip",
        on_empty="raise",
    ):
        self.sfreq = sfreq
        self.n_rings = n_rings
        self.n_electrodes_per_ring = n_electrodes_per_ring
        self.clip_uv = clip_uv
        self.l_freq = l_freq
        self.h_freq = h_freq
        self.filter_order = filter_order
        self.filter_phase = filter_phase
        self.reference = reference
        self.activity_window_s = activity_window_s
        self.stimulus_rate_bpm = stimulus_rate_bpm
        self.stimulus_duration_s = stimulus_duration_s
        self.activity_threshold = activity_threshold
        self.only_active = only_active
        self.threshold_low = threshold_low
        self.threshold_high = threshold_high
        self.exclusion_ms = exclusion_ms
        self.n_times_signature = n_times_signature
        self.output_scale = output_scale
        self.on_empty = on_empty

    # ------------------------------------------------------------------ #
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False  # stateless: parameters only
        return tags

    def _validate_params(self):
        for name in ("n_rings", "n_electrodes_per_ring", "filter_order", "n_times_signature"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if self.n_rings < 3 and self.reference == "tripolar":
            raise ValueError(f"Tripolar referencing needs at least 3 rings, got {self.n_rings}.")
        if self.filter_phase not in ("zero", "causal"):
            raise ValueError(f"filter_phase must be 'zero' or 'causal', got {self.filter_phase!r}.")
        if self.reference not in ("tripolar", None):
            raise ValueError(f"reference must be 'tripolar' or None, got {self.reference!r}.")
        if self.output_scale not in ("clip", "uV", "V"):
            raise ValueError(
                f"output_scale must be 'clip', 'uV' or 'V', got {self.output_scale!r}."
            )
        if self.output_scale == "clip" and self.clip_uv is None:
            raise ValueError("output_scale='clip' needs clip_uv (the clip level is the unit).")
        if self.clip_uv is not None and not self.clip_uv > 0:
            raise ValueError(f"clip_uv must be > 0 µV or None, got {self.clip_uv!r}.")
        if self.on_empty not in ("raise", "warn"):
            raise ValueError(f"on_empty must be 'raise' or 'warn', got {self.on_empty!r}.")
        if not self.exclusion_ms >= 0:
            raise ValueError(f"exclusion_ms must be >= 0, got {self.exclusion_ms!r}.")
        if self.sfreq is not None:
            self._check_band(check_sfreq(self.sfreq))

    def _check_band(self, sfreq):
        if self.l_freq is None and self.h_freq is None:  # filtering disabled
            return
        try:
            check_frequency_band(self.l_freq, self.h_freq, sfreq)
        except ValueError as exc:
            edge = max(f for f in (self.l_freq, self.h_freq) if f is not None)
            raise ValueError(
                f"sfreq={sfreq:g} Hz is too low for the {self.l_freq}-{self.h_freq} Hz band: "
                f"the {edge:g} Hz edge needs sfreq > {2 * edge:g} Hz ({exc})"
            ) from exc

    @property
    def _n_electrodes(self):
        return self.n_rings * self.n_electrodes_per_ring

    def _as_list(self, recordings):
        if isinstance(recordings, np.ndarray):
            if recordings.ndim == 2:
                return [recordings]
            if recordings.ndim == 3:
                return list(recordings)
            raise ValueError(
                "recordings as an array must be 2-D (n_electrodes, n_times) or 3-D "
                f"(n_recordings, n_electrodes, n_times); got shape {recordings.shape}."
            )
        if hasattr(recordings, "data"):
            return [recordings]
        if isinstance(recordings, (list, tuple)):
            if len(recordings) == 0:
                raise ValueError("recordings is empty.")
            return list(recordings)
        raise TypeError(
            "recordings must be a NerveCuffRecording, an object with a `data` attribute, a "
            f"2-D/3-D array or a list of those; got {type(recordings).__name__}."
        )

    def _unpack(self, rec, i):
        """Return (data, sfreq, name) after checking layout and sampling rate."""
        name = f"recording {i}"
        rec_sfreq = None
        if hasattr(rec, "data"):
            data = rec.data
            rec_sfreq = getattr(rec, "sfreq", None)
            subject = getattr(rec, "subject", None)
            if subject is not None:
                name += f" (subject {subject!r})"
            for attr in ("n_rings", "n_electrodes_per_ring"):
                value = getattr(rec, attr, None)
                if value is not None and value != getattr(self, attr):
                    raise ValueError(
                        f"{name} has {attr}={value} but the builder expects {attr}="
                        f"{getattr(self, attr)}."
                    )
        else:
            data = rec
        data = np.asarray(data)
        if data.ndim != 2:
            raise ValueError(f"{name}: data must be 2-D (n_electrodes, n_times), got {data.shape}.")
        if data.shape[0] != self._n_electrodes:
            raise ValueError(
                f"{name} has {data.shape[0]} electrodes, but the builder expects "
                f"n_rings x n_electrodes_per_ring = {self.n_rings} x "
                f"{self.n_electrodes_per_ring} = {self._n_electrodes}."
            )
        if data.dtype.kind not in "biuf" or not np.isfinite(data).all():
            raise ValueError(f"{name}: data must be finite real numbers (volts).")
        if self.sfreq is None and rec_sfreq is None:
            raise ValueError(
                f"{name} carries no sampling rate: pass sfreq= to CAPSignatureBuilder "
                "(it is never guessed)."
            )
        sfreq = check_sfreq(self.sfreq if self.sfreq is not None else rec_sfreq)
        if rec_sfreq is not None and self.sfreq is not None and float(rec_sfreq) != sfreq:
            raise ValueError(
                f"{name} is sampled at {rec_sfreq} Hz but the builder has sfreq={self.sfreq} Hz."
            )
        self._check_band(sfreq)
        if data.shape[1] < 2 * self.n_times_signature:
            raise ValueError(
                f"{name} has only {data.shape[1]} samples; at least "
                f"{2 * self.n_times_signature} are needed."
            )
        return data, sfreq, name

    # ------------------------------------------------------------------ #
    def fit(self, recordings=None, y=None):
        """Check the parameters (and the recordings' layout if given).

        Parameters
        ----------
        recordings : see class docstring, optional
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        if recordings is not None:
            for i, rec in enumerate(self._as_list(recordings)):
                self._unpack(rec, i)
        self.n_electrodes_in_ = self._n_electrodes
        return self

    def process(self, recording, *, index=0):
        """Run the chain on one recording and return every intermediate result.

        Parameters
        ----------
        recording : one recording (see class docstring)
        index : int
            Position used in error messages.

        Returns
        -------
        detection : CAPDetection
        """
        self._validate_params()
        return self._process(recording, index)[0]

    def _process(self, recording, index):
        data, sfreq, name = self._unpack(recording, index)
        x = np.empty(data.shape, dtype=np.float32)
        sos = None
        if self.l_freq is not None or self.h_freq is not None:
            if self.l_freq is not None and self.h_freq is not None:
                wn, btype = [self.l_freq, self.h_freq], "bandpass"
            elif self.l_freq is not None:
                wn, btype = self.l_freq, "highpass"
            else:
                wn, btype = self.h_freq, "lowpass"
            sos = signal.butter(self.filter_order, wn, btype=btype, fs=sfreq, output="sos")
        clip = None if self.clip_uv is None else self.clip_uv * 1e-6
        # channel by channel: a 56 x 1.8 M float64 copy would be 800 MB
        for ch in range(data.shape[0]):
            row = data[ch].astype(np.float64)
            if clip is not None:
                np.clip(row, -clip, clip, out=row)
            if sos is not None:
                row = (
                    signal.sosfiltfilt(sos, row)
                    if self.filter_phase == "zero"
                    else signal.sosfilt(sos, row)
                )
            x[ch] = row
        if self.reference == "tripolar":
            x = tripolar_reference(x, self.n_rings, self.n_electrodes_per_ring)
        mid = self.n_rings // 2
        m = self.n_electrodes_per_ring
        middle = x[mid * m: (mid + 1) * m]
        intervals, _ = estimate_activity_intervals(
            middle,
            sfreq,
            window_s=self.activity_window_s,
            stimulus_rate_bpm=self.stimulus_rate_bpm,
            stimulus_duration_s=self.stimulus_duration_s,
            threshold=self.activity_threshold,
        )
        try:
            snr = cap_snr(x, sfreq, intervals) if len(intervals) else float("nan")
        except ValueError:
            snr = float("nan")
        det = middle.mean(axis=0, dtype=np.float64)
        caps = detect_caps(
            det,
            sfreq,
            intervals=intervals if self.only_active else None,
            threshold_low=self.threshold_low,
            threshold_high=self.threshold_high,
            exclusion_ms=self.exclusion_ms,
        )
        if self.only_active and len(intervals) == 0:
            caps = caps[:0]
        detection = CAPDetection(
            data=x, detection_signal=det, intervals=intervals, cap_samples=caps,
            snr_db=snr, sfreq=sfreq,
        )
        return detection, name

    def _signatures(self, detection, name):
        n = self.n_times_signature
        before = n // 2
        starts = detection.cap_samples - before
        keep = (starts >= 0) & (starts + n <= detection.data.shape[1])
        starts = starts[keep]
        if len(starts) == 0:
            message = (
                f"No CAP detected in {name}: {len(detection.cap_samples)} peak(s) between "
                f"{self.threshold_low} and {self.threshold_high} std"
                + (" inside the estimated stimulus periods" if self.only_active else "")
                + f" ({len(detection.intervals)} found). Lower threshold_low, check the units "
                "(volts) and the electrode order, or set on_empty='warn'."
            )
            if self.on_empty == "raise":
                raise ValueError(message)
            import warnings

            warnings.warn(message, RuntimeWarning, stacklevel=3)
        idx = starts[:, None] + np.arange(n)[None, :]
        X = detection.data[:, idx].transpose(1, 0, 2)[:, None]  # (n_caps, 1, L, n)
        scale = {"clip": 1.0 / (self.clip_uv * 1e-6) if self.clip_uv else 1.0,
                 "uV": 1e6, "V": 1.0}[self.output_scale]
        X = np.ascontiguousarray(X * np.float32(scale), dtype=np.float32)
        times = (starts + before) / detection.sfreq
        return X, times

    def build(self, recordings, y=None, groups=None):
        """Signatures, labels, groups and CAP times of one or more recordings.

        Parameters
        ----------
        recordings : see class docstring
        y : array-like of shape (n_recordings,), optional
            Label of each recording; defaults to each recording's ``label``
            attribute (None if absent).
        groups : array-like of shape (n_recordings,), optional
            Subject of each recording; defaults to each recording's ``subject``.

        Returns
        -------
        signatures : CAPSignatures
            ``X`` (n_caps, 1, n_electrodes, n_times_signature) float32, ``y``,
            ``groups``, ``cap_times`` (s), ``recording_index``, ``snr_db``.
        """
        self.fit()
        recs = self._as_list(recordings)
        for name, values in (("y", y), ("groups", groups)):
            if values is not None and len(values) != len(recs):
                raise ValueError(
                    f"{name} must have one entry per recording ({len(recs)}), got {len(values)}."
                )
        Xs, ys, gs, times, index, snrs = [], [], [], [], [], []
        for i, rec in enumerate(recs):
            det, name = self._process(rec, i)
            X, t = self._signatures(det, name)
            label = y[i] if y is not None else getattr(rec, "label", None)
            group = groups[i] if groups is not None else getattr(rec, "subject", None)
            Xs.append(X)
            times.append(t)
            index.append(np.full(len(t), i))
            ys.append([label] * len(t))
            gs.append([group] * len(t))
            snrs.append(det.snr_db)
        flat_y = [v for part in ys for v in part]
        flat_g = [v for part in gs for v in part]
        return CAPSignatures(
            X=np.concatenate(Xs) if Xs else np.zeros((0, 1, self._n_electrodes,
                                                     self.n_times_signature), np.float32),
            y=None if any(v is None for v in flat_y) else np.asarray(flat_y),
            groups=None if any(v is None for v in flat_g) else np.asarray(flat_g),
            cap_times=np.concatenate(times),
            recording_index=np.concatenate(index).astype(int),
            snr_db=np.asarray(snrs, dtype=float),
        )

    def transform(self, recordings):
        """Signatures only: ``(n_caps, 1, n_electrodes, n_times_signature)`` float32.

        Use :meth:`build` to also get labels, groups and CAP times.
        """
        return self.build(recordings).X
