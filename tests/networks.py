"""Test registry of every network estimator: one line per network.

The shared tests (``tests/estimators/test_common_networks.py``) parametrise
over :func:`all_networks`, so a network is tested the day it is registered.
The small test settings (``test_params``) live here, in the tests, not in the
package.

Registering a network
---------------------
Add one :class:`NetworkSpec` to ``_SPECS`` below, naming classes by import
path so that the registry never imports a network that is not installed::

    NetworkSpec("my_net", "skseizure.estimators.my_net:MyNetClassifier",
                "skseizure.models.my_net:MyNet", {"module__n_filters": 4}),

``input_builder`` is needed only for networks that do not take raw
``(n, C, T)`` windows: ``"module:function"`` of ``f(X, sfreq) -> X_net`` that
turns raw windows into the network's input (:func:`fft_step_input` for
DCRNN-style FFT steps, :func:`image_input` for signature-style images). A
``test_params`` value written ``"skseizure.x:Class"`` is instantiated afresh
for every estimator (e.g. a graph builder). ``test_params`` are
small hyper-parameters that make the shared tests fast; ``n_params`` is an
optional ``f(n_chans, n_outputs, n_times, **module_params) -> int`` formula
checked against ``sum(p.numel())``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

__all__ = ["NetworkSpec", "all_networks", "get_network"]


def _resolve(path):
    if path is None or not isinstance(path, str):
        return path
    mod, _, qual = path.partition(":")
    obj = importlib.import_module(mod)
    for part in qual.split("."):
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class NetworkSpec:
    """Description of one registered network.

    Parameters
    ----------
    name : str
        Short id used in test ids.
    estimator_path : str
        ``"module:Class"`` of the skorch estimator (a ``BaseNetClassifier``).
    module_path : str
        ``"module:Class"`` of the ``nn.Module``.
    test_params : dict
        Estimator parameters giving a small, fast network for tests
        (``module__*`` and training parameters).
    input_builder : str or None
        ``"module:function"``; ``f(X_raw, sfreq) -> X`` for networks whose
        input is not raw windows ``(n, C, T)``. None: raw windows.
    n_params : str or None
        ``"module:function"``; parameter-count formula
        ``f(n_chans, n_outputs, n_times, **module_params)``.
    min_n_times : int or None
        Shortest window the default network accepts (None: not applicable).
    """

    name: str
    estimator_path: str
    module_path: str
    test_params: dict = field(default_factory=dict)
    input_builder: str | None = None
    n_params: str | None = None
    min_n_times: int | None = None

    @property
    def estimator(self):
        """The estimator class (imported on first use)."""
        return _resolve(self.estimator_path)

    @property
    def module(self):
        """The ``nn.Module`` class (imported on first use)."""
        return _resolve(self.module_path)

    def build_inputs(self, X, sfreq):
        """Turn raw windows ``(n, C, T)`` into this network's input."""
        if self.input_builder is None:
            return X
        return _resolve(self.input_builder)(X, sfreq)

    def count_params(self, n_chans, n_outputs, n_times, **module_params):
        """Expected parameter count from the formula (None if no formula)."""
        if self.n_params is None:
            return None
        return _resolve(self.n_params)(n_chans, n_outputs, n_times, **module_params)

    def make_estimator(self, **params):
        """Estimator with ``test_params`` updated by ``params``.

        A ``test_params`` value written ``"module:Class"`` is imported and
        instantiated with no arguments (a fresh object per estimator, e.g. a
        graph builder).
        """
        merged = {**self.test_params, **params}
        for key, val in merged.items():
            if isinstance(val, str) and ":" in val and val.startswith("skseizure."):
                merged[key] = _resolve(val)()
        return self.estimator(**merged)

    def __repr__(self):
        return f"NetworkSpec({self.name!r})"


_E = "skseizure.estimators."
_M = "skseizure.models."
_F = "tests.networks:"

# ---- one line per network ------------------------------------------------- #
_SPECS = [
    NetworkSpec("light_cnn", _E + "light_cnn:LightCNNClassifier", _M + "light_cnn:LightCNN1d",
                {"module__n_filters": (8, 16, 32)}, n_params=_F + "n_params_light_cnn",
                min_n_times=8),
    NetworkSpec("light_seizure_net", _E + "light_seizure_net:LightSeizureNetClassifier",
                _M + "light_seizure_net:LightSeizureNet", {"module__n_filters": (4, 8, 8, 8)},
                n_params=_F + "n_params_light_seizure_net", min_n_times=32),
    NetworkSpec("cnn_bilstm", _E + "cnn_bilstm:CNNBiLSTMClassifier", _M + "cnn_bilstm:CNNBiLSTM",
                {"module__n_filters": (8, 16), "module__lstm_hidden": 8, "module__fc_hidden": 8},
                n_params=_F + "n_params_cnn_bilstm", min_n_times=16),
    NetworkSpec("mobilescape_net", "skseizure.eng.estimators:MobilESCAPENetClassifier",
                "skseizure.eng.mobilescape_net:MobilESCAPENet",
                {"module__n_filters": (8, 8, 8, 16), "module__n_hidden": 16},
                input_builder=_F + "image_input"),
    NetworkSpec("escape_net", "skseizure.eng.estimators:ESCAPENetClassifier",
                "skseizure.eng.escape_net:ESCAPENet",
                {"module__n_filters": 4, "module__n_hidden": 8}, input_builder=_F + "image_input"),
    NetworkSpec("channel_pooled", _E + "channel_pooled:ChannelPooledClassifier",
                _M + "channel_pooled:ChannelPooledCNN", {"module__n_filters": (4, 8, 8)},
                n_params="tests.models.test_channel_pooled:n_params_channel_pooled", min_n_times=8),
    NetworkSpec("dcrnn", _E + "dcrnn:DCRNNClassifier", _M + "dcrnn:DCRNN",
                {"graph": "skseizure.preprocessing.graphs:CorrelationGraph", "augment": False,
                 "module__num_units": 8, "module__num_layers": 1},
                input_builder=_F + "fft_step_input"),
]


def all_networks():
    """All registered networks.

    Returns
    -------
    specs : list of NetworkSpec
    """
    return list(_SPECS)


def get_network(name):
    """The :class:`NetworkSpec` called ``name``."""
    for spec in _SPECS:
        if spec.name == name:
            return spec
    raise KeyError(f"no network {name!r}; registered: {[s.name for s in _SPECS]}")


# ---- parameter-count formulas (closed form, checked by the tests) ---------- #
def n_params_light_cnn(n_chans, n_outputs, n_times, n_filters=(32, 64, 128),
                       kernel_sizes=(7, 5, 3), **_):
    """Conv (w*in*k + w) + BN (2w) per block, + Linear(last, n_outputs)."""
    if isinstance(kernel_sizes, int):
        kernel_sizes = (kernel_sizes,) * len(n_filters)
    total, cin = 0, n_chans
    for w, k in zip(n_filters, kernel_sizes):
        total += w * cin * k + w + 2 * w
        cin = w
    return total + cin * n_outputs + n_outputs


def n_params_light_seizure_net(n_chans, n_outputs, n_times, n_filters=(8, 16, 16, 24),
                               kernel_size=3, **_):
    """Bias-free convs (w*in*k) + BN (2w) per block (shared over channels),
    + Linear(n_chans * last, n_outputs)."""
    ks = (kernel_size,) * len(n_filters) if isinstance(kernel_size, int) else kernel_size
    total, cin = 0, 1
    for w, k in zip(n_filters, ks):
        total += w * cin * k + 2 * w
        cin = w
    return total + n_chans * cin * n_outputs + n_outputs


def n_params_cnn_bilstm(n_chans, n_outputs, n_times, n_filters=(32, 64), kernel_size=5,
                        lstm_hidden=32, lstm_layers=1, bidirectional=True, fc_hidden=32, **_):
    """Conv+BN blocks, torch LSTM (two bias vectors), dense head."""
    total, cin = 0, n_chans
    for w in n_filters:
        total += w * cin * kernel_size + w + 2 * w
        cin = w
    n_dir = 2 if bidirectional else 1
    h = lstm_hidden
    for layer in range(lstm_layers):
        inp = cin if layer == 0 else n_dir * h
        total += n_dir * (4 * h * (inp + h) + 8 * h)
    feat = n_dir * h
    if fc_hidden:
        total += feat * fc_hidden + fc_hidden
        feat = fc_hidden
    return total + feat * n_outputs + n_outputs


# ---- input builders for networks that do not take raw (n, C, T) windows ---- #
def image_input(X, sfreq):
    """``(n, C, T)`` windows as one-channel images ``(n, 1, C, T)`` (signature-style nets)."""
    return X[:, None, :, :]


def fft_step_input(X, sfreq, n_steps=4):
    """``(n, C, T)`` windows as log-amplitude FFT steps ``(n, n_steps, C, n_bins)``.

    Each window is cut into ``n_steps`` equal steps (graph/recurrent nets such as DCRNN).
    """
    from skseizure.preprocessing import FFTLogAmplitude

    step_s = X.shape[-1] / float(sfreq) / n_steps
    return FFTLogAmplitude(sfreq=sfreq, step_s=step_s).fit_transform(X)


def whole_second_fft_input(X, sfreq):
    """Raw windows ``(n, C, L)`` -> 1-s log-amplitude FFT steps.

    Windows are cut to whole seconds; a window shorter than one second is one step.
    """
    import numpy as np

    from skseizure.preprocessing import FFTLogAmplitude

    X = np.asarray(X, dtype=np.float32)
    step = int(round(sfreq))
    n_sec = X.shape[-1] // step
    if n_sec == 0:
        return FFTLogAmplitude(sfreq=sfreq, step_s=X.shape[-1] / sfreq).fit_transform(X)
    return FFTLogAmplitude(sfreq=sfreq).fit_transform(X[..., : n_sec * step])
