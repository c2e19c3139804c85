"""Safe persistence of fitted network estimators (weights + JSON configuration).

File layout: a single ``torch.save`` archive containing a plain dict ::

    {"format": "skseizure.estimator", "format_version": 1,
     "config": "<JSON string>",            # class, params, fitted attributes, history
     "state_dict": {name: Tensor},         # module_.state_dict()
     "arrays": {name: Tensor}}             # numeric ndarray fitted attributes

Everything is a tensor, a string or a number, so :func:`load_estimator` reads
it with ``torch.load(weights_only=True)``: no pickled code is ever executed.
Classes and functions among the parameters (``criterion``, ``optimizer``,
``iterator_train`` …) are stored as ``"module:qualname"`` and re-imported only
from the packages in :data:`ALLOWED_IMPORT_ROOTS`. Parameters that are neither
JSON values nor such importable objects (e.g. callback *instances*) make
:func:`save_estimator` raise; use ``pickle`` (trusted files only) for those.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "save_estimator",
    "load_estimator",
    "read_estimator_file",
    "build_saved_estimator",
    "ALLOWED_IMPORT_ROOTS",
    "FORMAT",
    "FORMAT_VERSION",
]

FORMAT = "skseizure.estimator"
FORMAT_VERSION = 1
#: Top-level packages from which classes/functions named in a file may be imported.
ALLOWED_IMPORT_ROOTS = ("skseizure", "torch", "skorch", "sklearn", "numpy", "imblearn")

# Attributes that are rebuilt by ``initialize()`` or are transient.
_EXCLUDED_ATTRS = {
    "module_", "criterion_", "optimizer_", "callbacks_", "history_", "initialized_",
    "virtual_params_", "label_encoder_", "fit_groups_", "classes_inferred_",
    "init_context_", "prefixes_", "cuda_dependent_attributes_",
}


def _import_path(obj):
    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None)
    if not mod or not qual or "<" in qual:
        return None
    if mod.split(".")[0] not in ALLOWED_IMPORT_ROOTS:
        return None
    try:
        if _resolve(f"{mod}:{qual}") is not obj:
            return None
    except (ImportError, AttributeError, ValueError):
        return None
    return f"{mod}:{qual}"


def _resolve(path):
    mod_name, _, qual = path.partition(":")
    if mod_name.split(".")[0] not in ALLOWED_IMPORT_ROOTS:
        raise ValueError(
            f"refusing to import {path!r}: only objects from {ALLOWED_IMPORT_ROOTS} can be "
            "named in an skseizure file."
        )
    obj = importlib.import_module(mod_name)
    for part in qual.split("."):
        obj = getattr(obj, part)
    return obj


class _Encoder:
    """JSON-encode values; numeric arrays go to a side dict of tensors."""

    def __init__(self):
        self.arrays = {}

    def __call__(self, value, name):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                key = f"a{len(self.arrays)}"
                self.arrays[key] = torch.from_numpy(np.ascontiguousarray(value).copy())
                return {"__array__": key, "dtype": value.dtype.str}
            if value.dtype.kind in "UO":
                return {"__strarray__": [self(v, name) for v in value.tolist()],
                        "dtype": value.dtype.str}
            raise ValueError(f"{name}: cannot save an array of dtype {value.dtype}.")
        if isinstance(value, tuple):
            return {"__tuple__": [self(v, name) for v in value]}
        if isinstance(value, list):
            return [self(v, name) for v in value]
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                return {"__items__": [[self(k, name), self(v, name)] for k, v in value.items()]}
            return {"__dict__": {k: self(v, name) for k, v in value.items()}}
        path = _import_path(value)
        if path is not None:
            return {"__import__": path}
        raise ValueError(
            f"{name}={value!r} cannot be saved safely: only JSON values, arrays and classes/"
            f"functions importable from {ALLOWED_IMPORT_ROOTS} are supported. Pass a class "
            "and its parameters (e.g. criterion=FocalLoss, criterion__gamma=2) instead of an "
            "instance, or use pickle for trusted storage."
        )


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if isinstance(value, dict):
        if "__array__" in value:
            return arrays[value["__array__"]].numpy().astype(np.dtype(value["dtype"]), copy=True)
        if "__strarray__" in value:
            return np.asarray([_decode(v, arrays) for v in value["__strarray__"]],
                              dtype=np.dtype(value["dtype"]))
        if "__tuple__" in value:
            return tuple(_decode(v, arrays) for v in value["__tuple__"])
        if "__dict__" in value:
            return {k: _decode(v, arrays) for k, v in value["__dict__"].items()}
        if "__items__" in value:
            return {_hashable(_decode(k, arrays)): _decode(v, arrays) for k, v in value["__items__"]}
        if "__import__" in value:
            return _resolve(value["__import__"])
        raise ValueError(f"unknown encoded value {value!r}")
    return value


def _hashable(v):
    return tuple(v) if isinstance(v, list) else v


def _class_path(cls):
    return f"{cls.__module__}:{cls.__qualname__}"


def save_estimator(est, path, *, overwrite=False):
    """Write a fitted estimator to ``path``; see the module docstring.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    skorch.exceptions.NotInitializedError
        If the estimator is not fitted.
    ValueError
        If a parameter or fitted attribute cannot be stored safely.
    """
    est.check_is_fitted()
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    enc = _Encoder()
    params = {k: enc(v, k) for k, v in est.get_params(deep=False).items()}
    fitted = {}
    for key, val in vars(est).items():
        if not key.endswith("_") or key.startswith("_") or key in _EXCLUDED_ATTRS:
            continue
        fitted[key] = enc(val, key)
    history = est.history_.to_list() if est.history_ is not None else []
    module = est.module if not isinstance(est.module, torch.nn.Module) else type(est.module)
    config = {
        "estimator": _class_path(type(est)),
        "module": _class_path(module),
        "params": params,
        "fitted": fitted,
        "classes": enc(np.asarray(est.classes_), "classes_"),
        "history": enc(history, "history"),
        "versions": {"torch": torch.__version__, "skseizure": _pkg_version()},
    }
    state_dict = {k: v.detach().cpu().clone() for k, v in est.module_.state_dict().items()}
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": json.dumps(config),
        "state_dict": state_dict,
        "arrays": enc.arrays,
    }
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)  # atomic: a crash never leaves half a file at ``path``
    return path


def _pkg_version():
    from .. import __version__

    return __version__


def read_estimator_file(path):
    """Open a file written by :func:`save_estimator` without executing code.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    payload : dict
        The raw file content (``torch.load(..., weights_only=True)``).
    config : dict
        The decoded JSON configuration (class, params, fitted attributes).
    arrays : dict
        Arrays referenced by the configuration.

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file, unreadable file, no skseizure format tag, newer format.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - re-raised with the path
        raise ValueError(f"{path} is not a readable skseizure estimator file ({exc}).") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not an skseizure estimator file (missing format tag).")
    if payload.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{path} uses format version {payload['format_version']}; this skseizure reads "
            f"up to {FORMAT_VERSION}. Upgrade skseizure."
        )
    return payload, json.loads(payload["config"]), payload.get("arrays", {})


def build_saved_estimator(cls, config, arrays, path, *, device=None):
    """Rebuild the initialised (not yet weight-loaded) estimator a file describes.

    Parameters
    ----------
    cls : type
        The class ``load`` was called on. ``BaseNetClassifier`` accepts any
        saved skseizure estimator; a concrete class accepts only itself.
    config, arrays : dict
        From :func:`read_estimator_file`.
    path : path-like
        For error messages.
    device : str or None
        Overrides the saved device; a saved CUDA device falls back to CPU when
        no GPU is present.

    Returns
    -------
    estimator
        Initialised with the saved parameters and fitted attributes; its
        ``module_`` still holds freshly initialised weights.
    """
    from sklearn.preprocessing import LabelEncoder

    from ._base import BaseNetClassifier

    saved_cls_path = config["estimator"]
    if cls is BaseNetClassifier:
        klass = _resolve(saved_cls_path)
        if not (isinstance(klass, type) and issubclass(klass, BaseNetClassifier)):
            raise ValueError(f"{path} names {saved_cls_path}, which is not an skseizure estimator.")
    else:
        if saved_cls_path != _class_path(cls):
            raise ValueError(
                f"{path} holds a {saved_cls_path.split(':')[-1]} (network "
                f"{config['module'].split(':')[-1]}), not a {cls.__name__}: different "
                f"architecture. Load it with {saved_cls_path.split(':')[-1]}.load or "
                "BaseNetClassifier.load."
            )
        klass = cls
    params = {k: _decode(v, arrays) for k, v in config["params"].items()}
    if device is not None:
        params["device"] = device
    elif str(params.get("device", "cpu")).startswith("cuda") and not torch.cuda.is_available():
        params["device"] = "cpu"
    est = klass(**params)
    module = est.module if not isinstance(est.module, torch.nn.Module) else type(est.module)
    if _class_path(module) != config["module"]:
        raise ValueError(
            f"{path} was saved with network {config['module']} but {klass.__name__} builds "
            f"{_class_path(module)}: different architecture."
        )
    for key, val in config["fitted"].items():
        setattr(est, key, _decode(val, arrays))
    enc = LabelEncoder()
    enc.classes_ = _decode(config["classes"], arrays)
    est.label_encoder_ = enc
    est.initialize()
    return est


def load_estimator(cls, path, *, device=None):
    """Read a file written by :func:`save_estimator` (``weights_only=True``).

    Parameters
    ----------
    cls : type
        The class ``load`` was called on. ``BaseNetClassifier`` accepts any
        saved skseizure estimator; a concrete class accepts only itself.
    path : str or path-like
    device : str or None

    Returns
    -------
    estimator
    """
    from skorch.history import History

    payload, config, arrays = read_estimator_file(path)
    if "pruning_steps_" in config["fitted"]:
        # A physically pruned network no longer matches the class defaults; rebuilding it
        # needs the pruning record, which only the pruning package knows how to replay.
        raise ValueError(
            f"{path} holds a network pruned by StructuredPruner; load it with "
            "skseizure.pruning.load_pruned (or StructuredPruner.load)."
        )
    est = build_saved_estimator(cls, config, arrays, path, device=device)
    try:
        est.module_.load_state_dict(payload["state_dict"], strict=True)
    except RuntimeError as exc:
        raise ValueError(
            f"the weights in {path} do not fit {type(est).__name__}'s network built from the "
            f"saved configuration (different architecture?): {exc}"
        ) from exc
    est.history_ = History(_decode(config["history"], arrays))
    est.module_.eval()
    return est
