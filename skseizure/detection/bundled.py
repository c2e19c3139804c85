"""A small seizure detector shipped with the package, for any EEG recording.

:func:`load_bundled_detector` returns a :class:`BundledDetector`: a
:class:`~skseizure.estimators.ChannelPooledClassifier` trained on open data (CHB-MIT
excerpts and Helsinki neonatal windows; see the model card in the documentation) and a
fixed recipe stored beside it as JSON (nothing executable):

1. drop the channels that are not EEG (ECG, respiration, EMG, photic …): a channel is
   kept when every electrode of its label (:func:`~skseizure.datasets.channels.parse_channel_name`)
   is a scalp electrode of the 10-20 system or of MNE's ``standard_1020`` template (ear and
   mastoid references alone are dropped);
2. the longitudinal bipolar "double banana" (:data:`~skseizure.datasets.channels.DOUBLE_BANANA_18`)
   when the recording holds or can derive all 18 derivations
   (:func:`~skseizure.datasets.montages.derive_montage`); otherwise the common average of
   the referential EEG channels there are (at least two); otherwise the bipolar
   channels as recorded; channels that are flat over the whole recording are left out;
3. resampling of the continuous signal to the model rate
   (:class:`~skseizure.preprocessing.Resampler`);
4. a zero-phase Butterworth band-pass of the continuous signal
   (:func:`~skseizure.preprocessing.filters.filter_continuous`);
5. windows of fixed length and step, each standardised (:func:`standardize_windows`):
   centred, and divided by the recording's background scale (the 20th percentile of the
   window scales, :func:`background_scale`) so that the rise of amplitude in a seizure is
   kept while the unit (volts, microvolts) and the patient's overall amplitude are not;
   a recording that is seizure from end to end therefore relies on the shape of the
   signal alone;
6. the network gives a seizure probability per window and per channel; windows become
   events with :func:`~skseizure.detection.probabilities_to_events`, and each event names
   the channels whose mean probability inside it passes a threshold.

Not a medical device: see the model card for the data, the subject-wise evaluation and
the limits.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np

from ..datasets.channels import (
    DOUBLE_BANANA_18,
    ELECTRODE_REFERENCES,
    format_channel_name,
    parse_channel_name,
)
from ..datasets.electrodes import electrode_position
from ..datasets.montages import MissingChannelsError, common_average_montage, derive_montage
from ..estimators.channel_pooled import ChannelPooledClassifier
from ..preprocessing.filters import filter_continuous
from ..preprocessing.resampling import Resampler
from .events import probabilities_to_events

__all__ = [
    "BundledDetector",
    "BundledDetectorInputError",
    "WindowProbabilities",
    "load_bundled_detector",
    "eeg_channel_mask",
    "standardize_windows",
    "window_scale",
    "background_scale",
    "CONFIG_FILE",
    "window_proba_to_events",
    "WEIGHTS_FILE",
]

#: Names of the two package-data files (in ``skseizure/detection/data/``).
CONFIG_FILE = "bundled_detector.json"
WEIGHTS_FILE = "bundled_detector.skseizure.pt"
#: The detector configuration format this version of skseizure reads.
FORMAT_VERSION = 1
_CONFIG_KEYS = ("format_version", "sfreq", "band", "window_length", "window_step",
                "standardization", "montage", "postprocessing")
_EPS = 1e-12


class BundledDetectorInputError(ValueError):
    """A recording the bundled detector cannot read (no EEG channel, rate too low, flat …)."""


@dataclasses.dataclass(frozen=True)
class WindowProbabilities:
    """Window-level output of :meth:`BundledDetector.window_proba`.

    Attributes
    ----------
    start : ndarray of shape (n_windows,)
        Window starts in seconds from the first sample.
    proba : ndarray of shape (n_windows,)
        Seizure probability of each window.
    channel_proba : ndarray of shape (n_windows, n_channels)
        Seizure probability of each window on each channel of the montage used.
    channels : tuple of str
        Labels of the montage used (e.g. ``"Fp1-F7"``, ``"C3-Avg"``).
    window_length : float
        Seconds.
    montage : str
        ``"double_banana"``, ``"common_average"`` or ``"bipolar_as_recorded"``.
    """

    start: np.ndarray
    proba: np.ndarray
    channel_proba: np.ndarray
    channels: tuple
    window_length: float
    montage: str


@functools.lru_cache(maxsize=512)
def _is_scalp_electrode(name):
    if name in ELECTRODE_REFERENCES:
        return False
    try:
        electrode_position(name)
    except ValueError:
        return False
    return True


def eeg_channel_mask(ch_names):
    """Which channels are scalp EEG (by name, through the channel table).

    Parameters
    ----------
    ch_names : sequence of str
        Labels as distributed (``"EEG Fp1-Ref"``, ``"ECG EKG-Ref"``, ``"T8-P8-1"`` …).

    Returns
    -------
    mask : ndarray of bool, shape (n_channels,)
        True when every electrode of the label is a 10-20 (or ``standard_1020``) scalp
        electrode; ECG, respiration (``Effort``), EMG, photic and ear-only channels are False.
    """
    mask = []
    for name in ch_names:
        electrodes = parse_channel_name(str(name)).electrodes
        mask.append(1 <= len(electrodes) <= 2 and all(_is_scalp_electrode(e) for e in electrodes))
    return np.asarray(mask, dtype=bool)


def window_scale(X):
    """Scale of each window: median over channels of the channel standard deviations.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_times)

    Returns
    -------
    scale : ndarray of shape (n_windows,)
    """
    return np.median(np.asarray(X, dtype=np.float64).std(axis=-1), axis=1)


def background_scale(X, percentile=20.0):
    """Background scale of a recording: a low percentile of its window scales.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_times)
        The windows of one recording (or of one subject).
    percentile : float, default=20.0
        Seizures rarely fill more than a small part of a recording, so the 20th
        percentile of :func:`window_scale` is a scale of its background activity.

    Returns
    -------
    scale : float
    """
    return float(np.percentile(window_scale(X), percentile))


def standardize_windows(X, method="window", reference=None, clip=20.0):
    """Per-window standardisation of ``(n_windows, n_channels, n_times)`` windows.

    Parameters
    ----------
    X : ndarray of shape (n_windows, n_channels, n_times)
    method : {"window", "channel", "background"}, default="window"
        Every channel of every window is first centred (its mean removed), then divided by
        ``"window"``: the window's :func:`window_scale` (one scale per window, relative
        channel amplitudes kept); ``"channel"``: its own standard deviation (unit
        variance); ``"background"``: ``reference``, the recording's
        :func:`background_scale` (the rise of amplitude during a seizure is kept).
    reference : float or None
        Needed for ``"background"`` (default: :func:`background_scale` of ``X``).
    clip : float, default=20.0
        ``"background"`` values are clipped to ``[-clip, clip]`` (artefacts).

    Returns
    -------
    Xs : ndarray of float32, same shape
    """
    X = np.asarray(X, dtype=np.float64)
    X = X - X.mean(axis=-1, keepdims=True)
    if method == "window":
        scale = np.median(X.std(axis=-1), axis=1)[:, None, None]
    elif method == "channel":
        scale = X.std(axis=-1, keepdims=True)
    elif method == "background":
        scale = background_scale(X) if reference is None else float(reference)
        return np.clip(X / max(scale, _EPS), -clip, clip).astype(np.float32)
    else:
        raise ValueError(
            f"standardization must be 'window', 'channel' or 'background'; got {method!r}.")
    return (X / np.maximum(scale, _EPS)).astype(np.float32)


def _check_recording(data, sfreq, ch_names):
    data = np.asarray(data)
    if data.ndim != 2:
        raise BundledDetectorInputError(
            f"data must be one recording of shape (n_channels, n_times); got shape {data.shape}.")
    if not np.issubdtype(data.dtype, np.number):
        raise BundledDetectorInputError(f"data must be numeric; got dtype {data.dtype}.")
    ch_names = [str(c) for c in ch_names]
    if len(ch_names) != data.shape[0]:
        raise BundledDetectorInputError(
            f"{len(ch_names)} channel names for {data.shape[0]} channels in data.")
    if data.shape[1] == 0:
        raise BundledDetectorInputError("the recording has zero samples.")
    if not np.all(np.isfinite(data)):
        raise BundledDetectorInputError("data contains NaN or infinite values.")
    if isinstance(sfreq, bool) or not isinstance(sfreq, (int, float, np.number)) \
            or not math.isfinite(sfreq) or sfreq <= 0:
        raise BundledDetectorInputError(f"sfreq must be a positive number of Hz; got {sfreq!r}.")
    return data, float(sfreq), ch_names


def _montage(data, ch_names, montage_cfg):
    """(signal, labels, kind) of the montage the recipe uses."""
    keep = eeg_channel_mask(ch_names)
    if not keep.any():
        raise BundledDetectorInputError(
            f"no usable EEG channel: none of the labels {ch_names} names scalp 10-20 electrodes "
            "(non-EEG channels such as ECG, respiration or EMG are dropped).")
    data = data[keep]
    names = [n for n, k in zip(ch_names, keep) if k]
    bipolar = tuple(montage_cfg.get("bipolar", DOUBLE_BANANA_18))
    try:
        return derive_montage(data, names, bipolar), list(bipolar), "double_banana"
    except (MissingChannelsError, ValueError):
        pass
    parsed = [parse_channel_name(n) for n in names]
    referential = [i for i, p in enumerate(parsed) if len(p.electrodes) == 1]
    electrodes = [parsed[i].electrodes[0] for i in referential]
    if len(referential) >= 2 and len(set(electrodes)) == len(electrodes):
        labels = [names[i] for i in referential]
        try:
            car = common_average_montage(data[referential], labels, channels=labels)
            return car, [f"{format_channel_name(e)}-Avg" for e in electrodes], "common_average"
        except (MissingChannelsError, ValueError):
            pass
    seen, rows, labels = set(), [], []
    for i, p in enumerate(parsed):
        key = frozenset(p.electrodes)
        if len(p.electrodes) == 2 and key not in seen:
            seen.add(key)
            rows.append(i)
            labels.append(names[i])
    if not rows:  # a single referential channel
        rows, labels = [referential[0]], [names[referential[0]]]
    return data[rows], labels, "bipolar_as_recorded"


class BundledDetector:
    """The bundled seizure detector: a fixed recipe and a channel-pooled network.

    Use :func:`load_bundled_detector` rather than building one.

    Parameters
    ----------
    estimator : ChannelPooledClassifier
        Fitted network (classes ``0`` / ``1``; window length ``window_length * sfreq``).
    config : dict
        The recipe (see :data:`CONFIG_FILE` in the package data): ``sfreq`` (Hz), ``band``
        ``[low, high]`` (Hz), ``window_length``/``window_step`` (s), ``standardization``,
        ``montage``, ``postprocessing`` (``threshold``, ``smoothing``, ``min_duration``,
        ``merge_gap``, ``channel_threshold``), plus provenance (``training_data``,
        ``version``).
    """

    def __init__(self, estimator, config):
        missing = [k for k in _CONFIG_KEYS if k not in config]
        if missing:
            raise ValueError(f"bundled detector configuration lacks {missing}.")
        self.estimator = estimator
        self._config = json.loads(json.dumps(config))
        n_times = int(round(config["window_length"] * config["sfreq"]))
        if getattr(estimator, "n_times_in_", n_times) != n_times:
            raise ValueError(
                f"the network takes windows of {estimator.n_times_in_} samples; the configuration "
                f"says {n_times} ({config['window_length']} s at {config['sfreq']} Hz).")

    @property
    def config(self):
        """A copy of the recipe (a JSON-compatible dict)."""
        return json.loads(json.dumps(self._config))

    # ------------------------------------------------------------------ recipe
    def prepare(self, data, sfreq, ch_names, *, standardize=True):
        """Run the recipe up to the standardised windows.

        Parameters
        ----------
        data : array-like of shape (n_channels, n_times)
            One continuous recording, any unit (volts or microvolts: windows are
            standardised).
        sfreq : float
            Sampling frequency in Hz.
        ch_names : sequence of str
            Channel labels as distributed.
        standardize : bool, default=True
            Apply the recipe's :func:`standardize_windows` (False: the filtered windows,
            in the unit of ``data``, e.g. to standardise several excerpts of one subject
            together).

        Returns
        -------
        X : ndarray of shape (n_windows, n_montage_channels, n_window_samples), float32
        start : ndarray of shape (n_windows,)
            Window starts in seconds.
        channels : list of str
            Montage labels.
        montage : str
            Which montage branch was taken.

        Raises
        ------
        BundledDetectorInputError
            No usable EEG channel (the labels are listed), a rate too low for the model's
            band, a zero-length, non-finite, flat or too short recording.
        """
        cfg = self._config
        data, sfreq, ch_names = _check_recording(data, sfreq, ch_names)
        low, high = (float(f) for f in cfg["band"])
        if sfreq < 2 * high:
            raise BundledDetectorInputError(
                f"sampling rate {sfreq} Hz is too low for the model's band {low}-{high} Hz "
                f"(at least {2 * high} Hz is needed).")
        signal, labels, kind = _montage(data, ch_names, cfg["montage"])
        live = signal.std(axis=1) > 0
        if not live.any():
            raise BundledDetectorInputError(
                f"every EEG channel is flat (constant) over the whole recording: {labels}.")
        signal, labels = signal[live], [lab for lab, ok in zip(labels, live) if ok]
        rate = float(cfg["sfreq"])
        if sfreq != rate:
            signal = Resampler(sfreq=sfreq, new_sfreq=rate).fit_transform(
                signal[None].astype(np.float32))[0]
        win = int(round(cfg["window_length"] * rate))
        step = int(round(cfg["window_step"] * rate))
        if signal.shape[1] < win:
            raise BundledDetectorInputError(
                f"the recording lasts {data.shape[1] / sfreq:.3g} s, shorter than one "
                f"{cfg['window_length']}-s window.")
        signal = filter_continuous(signal, rate, low, high)
        starts = np.arange(0, signal.shape[1] - win + 1, step)
        X = np.stack([signal[:, s:s + win] for s in starts])
        if standardize:
            X = standardize_windows(X, cfg["standardization"])
        return X, starts / rate, labels, kind

    def window_proba(self, data, sfreq, ch_names):
        """Seizure probability of each window (and each channel) of one recording.

        Parameters
        ----------
        data : array-like of shape (n_channels, n_times)
        sfreq : float
            Hz.
        ch_names : sequence of str

        Returns
        -------
        WindowProbabilities
        """
        X, start, labels, kind = self.prepare(data, sfreq, ch_names)
        proba = self.estimator.predict_proba(X)[:, 1].astype(float)
        channel_proba = self.estimator.channel_proba(X).astype(float)
        return WindowProbabilities(start, proba, channel_proba, tuple(labels),
                                   float(self._config["window_length"]), kind)

    def detect(self, data, sfreq, ch_names, recording_duration=None):
        """Seizure events of one recording.

        Parameters
        ----------
        data : array-like of shape (n_channels, n_times)
        sfreq : float
            Hz.
        ch_names : sequence of str
        recording_duration : float or None
            Seconds; default ``n_times / sfreq``. Events are clipped to it.

        Returns
        -------
        events : list of SeizureEvent
            In time order; ``channels`` names the montage channels whose mean probability
            inside the event is at least ``postprocessing.channel_threshold`` (at least the
            most probable one).
        """
        wp = self.window_proba(data, sfreq, ch_names)
        if recording_duration is None:
            recording_duration = np.asarray(data).shape[1] / float(sfreq)
        return window_proba_to_events(wp, self._config, recording_duration)

    def __repr__(self):
        c = self._config
        return (f"BundledDetector(version={c.get('version')!r}, sfreq={c['sfreq']}, "
                f"band={c['band']}, window={c['window_length']} s / {c['window_step']} s)")


def window_proba_to_events(wp, config, recording_duration):
    """Events of one recording from its window probabilities (the detector's post-processing).

    Parameters
    ----------
    wp : WindowProbabilities
    config : dict
        The detector's configuration; its ``postprocessing`` (``threshold``, ``smoothing``,
        ``min_duration``, ``merge_gap``, ``channel_threshold``) is used.
    recording_duration : float
        Seconds; events are clipped to it.

    Returns
    -------
    events : list of SeizureEvent
        As :meth:`BundledDetector.detect`: ``channels`` names the montage channels whose
        mean probability inside the event reaches ``channel_threshold`` (at least the
        most probable one).
    """
    post = config["postprocessing"]
    events = probabilities_to_events(
        wp.proba, wp.start, wp.window_length, threshold=post["threshold"],
        smoothing=int(post["smoothing"]), min_duration=post["min_duration"],
        merge_gap=post["merge_gap"], recording_duration=recording_duration)
    centres = wp.start + wp.window_length / 2
    out = []
    for ev in events:
        inside = (centres >= ev.onset) & (centres <= ev.end)
        if not inside.any():
            dist = np.abs(centres - (ev.onset + ev.end) / 2)
            inside = dist == dist.min()
        mean_p = wp.channel_proba[inside].mean(axis=0)
        order = np.argsort(-mean_p, kind="stable")
        chosen = [int(i) for i in order if mean_p[i] >= post["channel_threshold"]] or [int(order[0])]
        out.append(dataclasses.replace(ev, channels=tuple(wp.channels[i] for i in chosen)))
    return out


def load_bundled_detector(folder=None):
    """Load the seizure detector shipped with the package.

    Parameters
    ----------
    folder : str, path-like or None
        A folder holding :data:`CONFIG_FILE` and :data:`WEIGHTS_FILE` (as written by the
        training script); ``None``: the package data.

    Returns
    -------
    BundledDetector
        With ``window_proba``, ``detect`` and ``config``.

    Raises
    ------
    FileNotFoundError
        If a file is missing (path named).
    ValueError
        If the configuration is not valid JSON, lacks a key or has another
        ``format_version`` (path named).
    """
    root = Path(folder) if folder is not None else \
        Path(str(resources.files("skseizure.detection") / "data"))
    cfg_path, weights_path = root / CONFIG_FILE, root / WEIGHTS_FILE
    for path in (cfg_path, weights_path):
        if not path.is_file():
            raise FileNotFoundError(f"bundled detector file {path} does not exist.")
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{cfg_path} is not valid JSON (line {exc.lineno}): {exc.msg}.") from exc
    if not isinstance(config, dict):
        raise ValueError(f"{cfg_path} must hold a JSON object.")
    missing = [k for k in _CONFIG_KEYS if k not in config]
    if missing:
        raise ValueError(f"{cfg_path} lacks the keys {missing}.")
    if config["format_version"] != FORMAT_VERSION:
        raise ValueError(f"{cfg_path} has format_version {config['format_version']!r}; this "
                         f"version of skseizure reads format_version {FORMAT_VERSION} only.")
    estimator = ChannelPooledClassifier.load(weights_path)
    return BundledDetector(estimator, config)
