"""Spatiotemporal CAP signatures from multi-contact nerve-cuff (ENG) recordings.

The preprocessing chain of MobilESCAPE-Net (Gokdag et al., arXiv 2505.06241, section III),
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
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .._utils.validation import check_frequency_band, check_sfreq
from ._recordings import as_recording_list, unpack_recording
from .cap_detection import (
    bandpass_sos,
    cap_snr,
    clip_and_filter,
    detect_caps,
    estimate_activity_intervals,
    tripolar_reference,
)

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
    """Turn nerve-cuff recordings into spatiotemporal CAP signatures (paper section III).

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
    >>> from skseizure.eng import simulate_nerve_cuff
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
            for i, rec in enumerate(as_recording_list(recordings)):
                unpack_recording(self, rec, i)
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
        data, sfreq, name = unpack_recording(self, recording, index)
        sos = bandpass_sos(self.l_freq, self.h_freq, self.filter_order, sfreq)
        clip = None if self.clip_uv is None else self.clip_uv * 1e-6
        x = clip_and_filter(data, clip=clip, sos=sos, phase=self.filter_phase)
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
        recs = as_recording_list(recordings)
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
