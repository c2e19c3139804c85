"""The on-disk format of skseizure model files: encoding, checksum, atomic writing.

A model file is a ``torch.save`` archive of one plain dict::

    {"format": "skseizure.estimator", "format_version": 2,
     "config": "<JSON string>",     # class, parameters, fitted attributes, history
     "state_dict": {name: Tensor},  # the network's weights and buffers
     "arrays": {name: Tensor},      # numeric arrays among parameters / fitted attributes
     "sha256": "<hex digest>"}      # of the config and of every tensor (name, dtype, shape, bytes)

Values in the configuration are JSON; anything else is a tagged JSON object:
``{"__array__": key, "dtype": "<f4"}``, ``{"__strarray__": [...], "dtype": "<U3"}``,
``{"__tuple__": [...]}``, ``{"__dict__": {...}}``, ``{"__items__": [[k, v], ...]}``,
``{"__callable__": "pkg.module.Name"}`` (a class named, never imported, by the file) and
``{"__estimator__": "pkg.module.Name", "params": {...}}`` (an unfitted scikit-learn
estimator given as a parameter, e.g. a graph builder).

Reading goes in two passes: :func:`decode` turns the JSON into plain values with
:class:`Ref` / :class:`EstimatorSpec` placeholders (nothing constructed), the caller checks
every name it found against its registry, and only then :func:`materialize` replaces the
placeholders.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ModelFileError",
    "Encoder",
    "Ref",
    "EstimatorSpec",
    "decode",
    "walk_names",
    "materialize",
    "qualified_name",
    "digest",
    "atomic_torch_save",
]

FORMAT = "skseizure.estimator"
FORMAT_VERSION = 2

_NUMERIC_KINDS = "biuf"
_TAGS = ("__array__", "__strarray__", "__tuple__", "__dict__", "__items__", "__callable__",
         "__estimator__")


class ModelFileError(ValueError):
    """A model file is malformed, corrupted, from another version, or names untrusted code.

    Parameters
    ----------
    path : path-like
        The file.
    message : str
        What is wrong (the path is prepended).
    """

    def __init__(self, path, message):
        self.path = Path(path)
        super().__init__(f"{self.path}: {message}")


def qualified_name(obj):
    """``"module.QualName"`` of a class or function (the name a file stores)."""
    return f"{obj.__module__}.{obj.__qualname__}"


class Ref:
    """Placeholder for a class named by a file (resolved only through a registry)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class EstimatorSpec:
    """Placeholder for an estimator parameter: class name + encoded parameters."""

    __slots__ = ("name", "params")

    def __init__(self, name, params):
        self.name = name
        self.params = params


def _importable(obj):
    """True if ``obj`` can be found again under :func:`qualified_name` (no lambdas, locals)."""
    mod = sys.modules.get(getattr(obj, "__module__", None) or "")
    qual = getattr(obj, "__qualname__", None)
    if mod is None or not qual or "<" in qual:
        return False
    found = mod
    for part in qual.split("."):
        found = getattr(found, part, None)
    return found is obj


class Encoder:
    """JSON-encode parameter/attribute values; numeric arrays go to :attr:`arrays`."""

    def __init__(self):
        self.arrays = {}

    def __call__(self, value, name):  # noqa: C901 - one branch per supported type
        if value is None or isinstance(value, (bool, str, int)):
            return value
        if isinstance(value, float):
            return value
        if isinstance(value, np.generic):
            return self(value.item(), name)
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            return self._array(value, name)
        if isinstance(value, tuple):
            return {"__tuple__": [self(v, name) for v in value]}
        if isinstance(value, list):
            return [self(v, name) for v in value]
        if isinstance(value, dict):
            if all(isinstance(k, str) for k in value):
                return {"__dict__": {k: self(v, name) for k, v in value.items()}}
            return {"__items__": [[self(k, name), self(v, name)] for k, v in value.items()]}
        if isinstance(value, type) and _importable(value):
            return {"__callable__": qualified_name(value)}
        if hasattr(value, "get_params") and _importable(type(value)):
            params = value.get_params(deep=False)
            return {"__estimator__": qualified_name(type(value)),
                    "params": {k: self(v, f"{name}__{k}") for k, v in params.items()}}
        raise ValueError(
            f"{name}={value!r} cannot be saved safely: only JSON values, numeric/str arrays, "
            "classes and unfitted scikit-learn estimators are supported. Pass a class and "
            "its parameters (e.g. criterion=FocalLoss, criterion__gamma=2) instead of an "
            "instance."
        )

    def _array(self, value, name):
        if value.dtype.kind in _NUMERIC_KINDS:
            if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
                raise ValueError(f"{name} holds NaN or infinite values; refusing to save it.")
            key = f"a{len(self.arrays)}"
            self.arrays[key] = torch.from_numpy(np.ascontiguousarray(value).copy())
            return {"__array__": key, "dtype": value.dtype.str}
        if value.dtype.kind in "UO":
            items = value.tolist()
            if not all(isinstance(v, str) for v in np.ravel(np.asarray(items, dtype=object))):
                raise ValueError(f"{name}: only numeric or string arrays can be saved.")
            kind = value.dtype.str if value.dtype.kind == "U" else "O"
            return {"__strarray__": items, "dtype": kind}
        raise ValueError(f"{name}: cannot save an array of dtype {value.dtype}.")


def _dtype(text, allowed, where):
    if not isinstance(text, str):
        raise ValueError(f"{where}: dtype must be a string, got {text!r}.")
    try:
        dt = np.dtype(text)
    except TypeError as exc:
        raise ValueError(f"{where}: unknown dtype {text!r}.") from exc
    if dt.kind not in allowed:
        raise ValueError(f"{where}: dtype {text!r} is not allowed here.")
    return dt


def decode(value, arrays, where):
    """Decode JSON into plain values with :class:`Ref`/:class:`EstimatorSpec` placeholders.

    Raises ``ValueError`` (message starting with ``where``) on any malformed node.
    Constructs nothing and imports nothing.
    """
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [decode(v, arrays, where) for v in value]
    if not isinstance(value, dict):
        raise ValueError(f"{where}: unexpected value of type {type(value).__name__}.")
    tags = [t for t in _TAGS if t in value]
    if len(tags) != 1:
        raise ValueError(f"{where}: malformed encoded value with keys {sorted(value)}.")
    tag = tags[0]
    if tag == "__array__":
        key = value["__array__"]
        if not isinstance(key, str) or key not in arrays:
            raise ValueError(f"{where}: refers to a missing array {key!r}.")
        dt = _dtype(value.get("dtype"), _NUMERIC_KINDS, where)
        return arrays[key].numpy().astype(dt, copy=True)
    if tag == "__strarray__":
        items = value["__strarray__"]
        if not isinstance(items, list) or not all(
                isinstance(v, str) for v in np.ravel(np.asarray(items, dtype=object))):
            raise ValueError(f"{where}: a string array must hold strings only.")
        return np.asarray(items, dtype=_dtype(value.get("dtype"), "UO", where))
    if tag == "__tuple__":
        return tuple(decode(v, arrays, where) for v in _list(value[tag], where))
    if tag == "__dict__":
        inner = value[tag]
        if not isinstance(inner, dict):
            raise ValueError(f"{where}: malformed dict.")
        return {k: decode(v, arrays, f"{where}[{k!r}]") for k, v in inner.items()}
    if tag == "__items__":
        out = {}
        for pair in _list(value[tag], where):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ValueError(f"{where}: malformed dict items.")
            key = decode(pair[0], arrays, where)
            key = tuple(key) if isinstance(key, list) else key
            if not isinstance(key, (str, int, float, bool, tuple, type(None))):
                raise ValueError(f"{where}: dict key of type {type(key).__name__}.")
            out[key] = decode(pair[1], arrays, where)
        return out
    name = value[tag]
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}: malformed class name {name!r}.")
    if tag == "__callable__":
        return Ref(name)
    params = value.get("params")
    if not isinstance(params, dict) or set(value) != {"__estimator__", "params"}:
        raise ValueError(f"{where}: malformed estimator {name!r}.")
    return EstimatorSpec(name, {k: decode(v, arrays, f"{where}__{k}") for k, v in params.items()})


def _list(value, where):
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list.")
    return value


def walk_names(value):
    """Every class name (:class:`Ref`/:class:`EstimatorSpec`) in a decoded value."""
    if isinstance(value, Ref):
        yield value.name
    elif isinstance(value, EstimatorSpec):
        yield value.name
        for v in value.params.values():
            yield from walk_names(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from walk_names(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from walk_names(k)
            yield from walk_names(v)


def materialize(value, lookup):
    """Replace placeholders using ``lookup(name) -> class`` (already validated names)."""
    if isinstance(value, Ref):
        return lookup(value.name)
    if isinstance(value, EstimatorSpec):
        params = {k: materialize(v, lookup) for k, v in value.params.items()}
        return lookup(value.name)(**params)
    if isinstance(value, list):
        return [materialize(v, lookup) for v in value]
    if isinstance(value, tuple):
        return tuple(materialize(v, lookup) for v in value)
    if isinstance(value, dict):
        return {k: materialize(v, lookup) for k, v in value.items()}
    return value


def _tensor_bytes(t):
    t = t.detach().cpu().contiguous().reshape(-1)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.view(torch.uint8).numpy().tobytes()


def digest(config, state_dict, arrays):
    """SHA-256 (hex) of the configuration string and of every tensor, in name order."""
    h = hashlib.sha256()
    h.update(config.encode("utf-8"))
    for section, tensors in (("state_dict", state_dict), ("arrays", arrays)):
        for name in sorted(tensors):
            t = tensors[name]
            h.update(f"\0{section}\0{name}\0{t.dtype}\0{tuple(t.shape)}\0".encode())
            h.update(_tensor_bytes(t))
    return h.hexdigest()


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_torch_save(payload, path, *, overwrite=False):
    """Write ``payload`` with ``torch.save`` to ``path`` atomically, never destroying a file.

    The archive is written to a unique temporary file beside ``path``
    (``tempfile.mkstemp`` in the same folder) and moved into place with
    ``os.replace`` (``overwrite=True``) or ``os.link`` (which refuses an existing
    target). On any error the temporary file is removed.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    IsADirectoryError
        ``path`` is a folder.
    FileNotFoundError
        The folder of ``path`` does not exist.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name to save to.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: folder {folder} does not exist.")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        mode = (path.stat().st_mode & 0o777) if path.exists() else (0o666 & ~_umask())
        os.chmod(tmp, mode)
        if overwrite:
            if path.is_dir():
                raise IsADirectoryError(f"{path} is a folder; give a file name to save to.")
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if ``path`` appeared meanwhile
            except FileExistsError:
                raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.") from None
            except OSError:  # file system without hard links
                if path.exists():
                    raise FileExistsError(
                        f"{path} exists; pass overwrite=True to replace it.") from None
                os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
