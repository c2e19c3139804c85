"""Export of fitted skseizure networks to ONNX, with the probabilities in the graph.

:func:`to_onnx` writes the fitted network of an estimator as an ONNX model whose
output is what ``predict_proba`` returns: the per-estimator input scaling and the
softmax / sigmoid are part of the graph, so an ONNX runtime on an edge device needs
nothing from skseizure. What each estimator becomes:

- raw-window networks (:class:`~skseizure.estimators.LightCNNClassifier`,
  :class:`~skseizure.estimators.LightSeizureNetClassifier`,
  :class:`~skseizure.estimators.CNNBiLSTMClassifier`): input ``windows``
  ``(batch, n_channels, n_times)`` float32;
- signature networks (ESCAPE-Net, MobilESCAPE-Net): input ``windows``
  ``(batch, 1, n_electrodes, n_times)``; the division by the fitted ``input_scale_``
  is baked in;
- :class:`~skseizure.estimators.DCRNNClassifier`: input ``windows``
  ``(batch, n_steps, n_channels, n_bins)`` (raw log-amplitude FFT clips); the global
  standardisation (``mean_``, ``std_``) is baked in. A fixed graph
  (:class:`~skseizure.preprocessing.DistanceGraph`) is stored as a constant; a graph
  computed per clip (:class:`~skseizure.preprocessing.CorrelationGraph`) is a second
  input ``supports`` ``(batch, n_supports, n_channels, n_channels)``, computed on the
  device with ``estimator.graph_.supports(X)`` (see :func:`onnx_input_feed`). The
  single binary logit ``z`` becomes ``[1 - sigmoid(z), sigmoid(z)]`` as in
  ``predict_proba``. Clips must have the fitted number of steps (no padded clips:
  ``seq_lengths`` is not an input), and a decision threshold (``threshold_``) is not
  applied: it is stored in the metadata (``threshold``) for the caller to apply;
- a fitted :class:`~skseizure.pruning.StructuredPruner`: its pruned network
  (``estimator_``), physically smaller;
- a :class:`~sklearn.pipeline.Pipeline` whose last step is one of the above: only that
  network is exported. **The preprocessing steps are not in the ONNX graph**: apply
  them (filters, resampling, standardisation, FFT) before feeding the model.

The output ``probabilities`` ``(batch, n_classes)`` float32 follows ``classes_``. The
batch axis is dynamic. The model's metadata (``onnx_metadata``) records the classes,
the input shape, the graph mode and the decision threshold.

The TorchScript-based exporter of :func:`torch.onnx.export` (``dynamo=False``) is
used: it needs only the ``onnx`` package and exports these small networks in well
under a second.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from torch import nn

from ..estimators import BaseNetClassifier, DCRNNClassifier
from ..pruning import StructuredPruner

__all__ = ["to_onnx", "resolve_network", "onnx_input_feed", "ProbabilityNetwork",
           "INPUT_NAME", "SUPPORTS_NAME", "OUTPUT_NAME"]

#: Name of the ONNX graph's window input.
INPUT_NAME = "windows"
#: Name of the per-clip graph-support input (DCRNN with a per-clip graph only).
SUPPORTS_NAME = "supports"
#: Name of the ONNX graph's output (class probabilities).
OUTPUT_NAME = "probabilities"

_INSTALL_HINT = "install them with `pip install onnx onnxruntime` (the skseizure[export] extra)"


def _require(name):
    """Import ``onnx`` / ``onnxruntime`` (optional dependencies) or explain how to get them."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(f"skseizure.export needs the {name!r} package; {_INSTALL_HINT}.") from exc


# --------------------------------------------------------------------------- resolution
def resolve_network(obj):
    """The fitted network estimator that :func:`to_onnx` exports for ``obj``.

    Parameters
    ----------
    obj : estimator
        A fitted :class:`~skseizure.estimators.BaseNetClassifier` (any skseizure
        network, the ENG ones included), a fitted
        :class:`~skseizure.pruning.StructuredPruner`, or a
        :class:`~sklearn.pipeline.Pipeline` whose last step is one of those.

    Returns
    -------
    estimator : BaseNetClassifier
        The fitted network estimator (``estimator_`` of a pruner, the last step of a
        pipeline).

    Raises
    ------
    TypeError
        ``obj`` is not a network estimator (e.g. a random forest, a pipeline ending in
        one, or a :class:`~skseizure.estimators.DCRNNPretrainer`, which predicts clips,
        not classes).
    ValueError
        ``obj`` is not fitted (``sklearn.exceptions.NotFittedError`` and skorch's
        ``NotInitializedError`` are ``ValueError`` subclasses).
    """
    from sklearn.exceptions import NotFittedError

    seen = obj
    if isinstance(obj, Pipeline):
        obj = obj.steps[-1][1]
        if isinstance(obj, Pipeline):
            return resolve_network(obj)
    if isinstance(obj, StructuredPruner):
        if not hasattr(obj, "estimator_"):
            raise NotFittedError(
                "This StructuredPruner is not fitted yet: call fit before exporting it."
            )
        obj = obj.estimator_
    if not isinstance(obj, BaseNetClassifier):
        where = "" if obj is seen else f" (the last step of {type(seen).__name__})"
        raise TypeError(
            f"to_onnx exports skseizure network classifiers (BaseNetClassifier subclasses, "
            f"StructuredPruner, or a Pipeline ending in one); got {type(obj).__name__}{where}."
        )
    try:
        obj.check_is_fitted()
    except NotFittedError as exc:  # skorch's NotInitializedError is one
        raise NotFittedError(
            f"This {type(obj).__name__} is not fitted yet: call fit before exporting it."
        ) from exc
    return obj


# --------------------------------------------------------------------------- wrapper
def _nonlinearity(estimator):
    """The function ``predict_proba`` applies to the logits, as a torch callable."""
    nonlin = estimator.predict_nonlinearity
    if callable(nonlin):
        return nonlin
    if nonlin is None:
        return None
    if nonlin != "auto":
        raise ValueError(f"Unsupported predict_nonlinearity {nonlin!r}.")
    crit = getattr(estimator, "criterion_", None)
    if isinstance(crit, nn.BCEWithLogitsLoss):
        return lambda z: torch.cat([1 - torch.sigmoid(z), torch.sigmoid(z)], dim=-1)
    # CrossEntropyLoss and skseizure's FocalLoss: softmax over classes; any other loss
    # is checked against predict_proba by _check_agreement below.
    return lambda z: torch.softmax(z, dim=-1)


class ProbabilityNetwork(nn.Module):
    """A fitted network with its input scaling and output nonlinearity (what is exported).

    Parameters
    ----------
    module : torch.nn.Module
        The fitted network (``estimator.module_``).
    nonlinearity : callable or None
        Logits -> probabilities (softmax for the cross-entropy losses).
    offset, scale : float
        The input becomes ``(x - offset) / scale`` before the network.
    supports : torch.Tensor or None
        Fixed graph supports ``(S, N, N)`` stored as a constant; None when the
        network takes no graph or takes a per-clip graph as a second input.
    graph_input : bool
        True when ``forward`` takes ``supports`` ``(batch, S, N, N)``.
    binary_logit : bool
        True when the network returns one logit ``z`` for two classes; it is
        presented as ``[0, z]`` (softmax of that is ``[1 - sigmoid(z), sigmoid(z)]``).
    """

    def __init__(self, module, nonlinearity, *, offset=0.0, scale=1.0, supports=None,
                 graph_input=False, binary_logit=False):
        super().__init__()
        self.module = module
        self.nonlinearity = nonlinearity
        self.offset = float(offset)
        self.scale = float(scale)
        self.graph_input = bool(graph_input)
        self.binary_logit = bool(binary_logit)
        if supports is not None:
            self.register_buffer("supports", torch.as_tensor(supports, dtype=torch.float32))
        else:
            self.supports = None

    def forward(self, x, supports=None):
        """``x`` (batch, ...) [and ``supports`` (batch, S, N, N)] -> (batch, n_classes)."""
        if self.offset != 0.0:
            x = x - self.offset
        if self.scale != 1.0:
            x = x / self.scale
        if self.graph_input:
            out = self.module(x, supports)
        elif self.supports is not None:
            out = self.module(x, self.supports)
        else:
            out = self.module(x)
        if self.binary_logit:
            out = torch.cat([torch.zeros_like(out), out], dim=1)
        return out if self.nonlinearity is None else self.nonlinearity(out)


def _probe(estimator, rng):
    """A small batch of inputs that ``estimator.predict_proba`` accepts."""
    shape = (3, *estimator.input_shape_)
    scale = np.float32(getattr(estimator, "input_scale_", 1.0))
    return rng.standard_normal(shape).astype(np.float32) * scale


def _build_probability_network(estimator):
    """:class:`ProbabilityNetwork` of a fitted network estimator (see the module docstring).

    Returns
    -------
    net : ProbabilityNetwork
        In evaluation mode; shares its parameters with ``estimator.module_``.
    """
    module = estimator.module_
    kwargs = {"scale": getattr(estimator, "input_scale_", 1.0)}
    if isinstance(estimator, DCRNNClassifier):
        kwargs.update(offset=estimator.mean_, scale=estimator.std_,
                      binary_logit=len(estimator.classes_) == 2)
        if estimator.graph_.per_clip:
            kwargs["graph_input"] = True
        else:
            kwargs["supports"] = np.asarray(estimator.graph_.supports(), dtype=np.float32)
    return ProbabilityNetwork(module, _nonlinearity(estimator), **kwargs)


def onnx_input_feed(estimator, X):
    """The inputs of the exported model for windows ``X``, as a dict for onnxruntime.

    Parameters
    ----------
    estimator : estimator
        What was exported (network estimator, pruner or pipeline; for a pipeline ``X``
        must already be preprocessed, i.e. what its last step receives).
    X : array-like
        Inputs of the network estimator (``(n, C, T)`` windows, ``(n, 1, E, T)``
        signatures, ``(n, T, C, M)`` FFT clips for DCRNN).

    Returns
    -------
    feed : dict of str to ndarray
        ``{"windows": X}`` float32, plus ``{"supports": estimator.graph_.supports(X)}``
        for a DCRNN with a per-clip graph.
    """
    net = resolve_network(estimator)
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim == len(net.input_shape_) and hasattr(net, "input_scale_"):
        # signatures given without their image axis, as the ENG estimators accept
        X = X[:, None]
    feed = {INPUT_NAME: X}
    if isinstance(net, DCRNNClassifier) and net.graph_.per_clip:
        feed[SUPPORTS_NAME] = np.ascontiguousarray(net.graph_.supports(X), dtype=np.float32)
    return feed


def _device(module):
    param = next(module.parameters(), None)
    return torch.device("cpu") if param is None else param.device


def _check_agreement(estimator, wrapper, tol=1e-4):
    """Refuse to export a wrapper that does not reproduce ``predict_proba``."""
    rng = np.random.default_rng(0)
    X = _probe(estimator, rng)
    expected = estimator.predict_proba(X)
    feed = onnx_input_feed(estimator, X)
    device = _device(wrapper)
    with torch.no_grad():
        args = [torch.from_numpy(v).to(device) for v in feed.values()]
        got = wrapper(*args).cpu().numpy()
    if got.shape != expected.shape or not np.allclose(got, expected, atol=tol, rtol=0):
        raise ValueError(
            f"The exported graph would not reproduce {type(estimator).__name__}.predict_proba "
            f"(custom predict_nonlinearity or criterion?); max difference "
            f"{np.abs(got - expected).max() if got.shape == expected.shape else 'shape'}."
        )
    return feed


# --------------------------------------------------------------------------- writing
def _check_target(path, overwrite):
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name such as model.onnx.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"The folder {path.parent} of {path} does not exist.")
    return path


def _write_atomically(path, overwrite, write):
    """Call ``write(tmp_path)`` on a unique temporary file beside ``path``, then move it.

    ``os.replace`` makes the move atomic; the temporary file is removed on failure.
    """
    path = _check_target(path, overwrite)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        if path.exists() and not overwrite:  # appeared meanwhile
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _metadata(source, estimator, graph_input):
    from .. import __version__

    return {
        "skseizure.version": str(__version__),
        "skseizure.estimator": type(source).__name__,
        "skseizure.network": type(estimator).__name__,
        "skseizure.classes": json.dumps([c.item() if hasattr(c, "item") else c
                                         for c in estimator.classes_]),
        "skseizure.input_shape": json.dumps(list(estimator.input_shape_)),
        "skseizure.graph": "input" if graph_input else (
            "constant" if isinstance(estimator, DCRNNClassifier) else "none"),
        "skseizure.preprocessing_included": "false",
        # decision threshold of ``predict`` on the positive-class probability (DCRNN
        # ``threshold_``); "none": the larger probability wins
        "skseizure.threshold": ("none" if getattr(estimator, "threshold_", None) is None
                                else repr(float(estimator.threshold_))),
    }


def to_onnx(estimator, path, *, overwrite=False, opset=None):
    """Write the fitted network of ``estimator`` as an ONNX model of its class probabilities.

    Parameters
    ----------
    estimator : estimator
        A fitted skseizure network classifier, a fitted
        :class:`~skseizure.pruning.StructuredPruner` (its pruned network is written), or
        a :class:`~sklearn.pipeline.Pipeline` ending in one (only the network is
        written; the preprocessing steps are **not** included). See the module
        docstring for the inputs of each network.
    path : str or path-like
        Target file (suffix ``.onnx`` suggested); its folder must exist.
    overwrite : bool, default=False
        An existing file is an error unless True. The model is written to a unique
        temporary file beside ``path`` and moved into place with ``os.replace``.
    opset : int or None, default=None
        ONNX opset version (None: the exporter's default; 13 or later for int8
        quantisation).

    Returns
    -------
    path : pathlib.Path
        The written file. Its graph maps ``windows`` (and ``supports`` for a per-clip
        DCRNN graph) with a dynamic batch axis to ``probabilities``
        ``(batch, n_classes)`` float32, equal to ``predict_proba`` up to float
        rounding (about 1e-6).

    Raises
    ------
    TypeError
        ``estimator`` is not a network classifier (see :func:`resolve_network`).
    ValueError
        ``estimator`` is not fitted, or its ``predict_nonlinearity`` cannot be exported.
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    IsADirectoryError, FileNotFoundError
        ``path`` is a folder, or its folder does not exist.
    """
    onnx = _require("onnx")
    if opset is not None and (isinstance(opset, bool) or not isinstance(opset, (int, np.integer))
                              or opset < 9):
        raise ValueError(f"opset must be an int >= 9 or None; got {opset!r}.")
    net = resolve_network(estimator)
    _check_target(path, overwrite)
    module = net.module_
    wrapper = _build_probability_network(net).to(_device(module))
    was_training = module.training
    module.eval()
    try:
        feed = _check_agreement(net, wrapper)
        names = list(feed)
        args = tuple(torch.from_numpy(feed[n]).to(_device(module)) for n in names)
        axes = {n: {0: "batch"} for n in [*names, OUTPUT_NAME]}
        meta = _metadata(estimator, net, wrapper.graph_input)

        def write(tmp):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tracer / deprecation notes of the exporter
                torch.onnx.export(wrapper, args, tmp, dynamo=False, input_names=names,
                                  output_names=[OUTPUT_NAME], dynamic_axes=axes,
                                  opset_version=None if opset is None else int(opset))
            model = onnx.load(tmp)
            for key, value in meta.items():
                entry = model.metadata_props.add()
                entry.key, entry.value = key, value
            model.doc_string = (f"skseizure {meta['skseizure.network']}: class probabilities; "
                                "preprocessing not included")
            onnx.save(model, tmp)

        return _write_atomically(path, overwrite, write)
    finally:
        module.train(was_training)
