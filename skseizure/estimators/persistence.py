"""Safe persistence of fitted skorch estimators: weights + a JSON configuration.

Threat model (the documentation page "Saving and loading models" has the details): a
model file may come from anyone, so loading never executes code from it and saving never
destroys a file. Files are read with ``torch.load(weights_only=True)``; classes named in a
file resolve only through a **closed registry** of exact names (:func:`persistable_names`,
extended by :func:`register_persistable` or per call with ``trusted=[...]``); the whole
file (layout, SHA-256 checksum, finite weights, class names, declared fitted attributes) is
validated before anything is constructed; writes are atomic and never replace a file
without ``overwrite=True``. Any violation is a :class:`ModelFileError` naming the file.

Higher layers plug in without this module knowing them: an estimator class may
define ``_fitted_attributes`` (extra attributes to store), ``_rebuilt_attributes``
(documented attributes rebuilt instead of stored), ``_unsaved_params``
(parameters saved as their default, e.g. a pre-trained model) and a
``_restore_fitted_state()`` method (called after the fitted attributes are set,
before the network is built); a package such as :mod:`skseizure.pruning`
registers extra state with :func:`register_extension`.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import Dataset

from .. import __version__
from ._persistence_format import (
    FORMAT,
    FORMAT_VERSION,
    Encoder,
    ModelFileError,
    atomic_torch_save,
    decode,
    digest,
    materialize,
    qualified_name,
    walk_names,
)

__all__ = [
    "save_estimator",
    "load_estimator",
    "register_persistable",
    "register_extension",
    "persistable_names",
    "fitted_attributes",
    "ModelFileError",
    "FORMAT",
    "FORMAT_VERSION",
]

#: Third-party classes skseizure estimators use as parameters.
_STATIC = (
    torch.nn.CrossEntropyLoss, torch.nn.BCEWithLogitsLoss, torch.nn.NLLLoss,
    torch.nn.L1Loss, torch.nn.MSELoss, torch.nn.SmoothL1Loss, torch.nn.HuberLoss,
    torch.nn.ReLU, torch.nn.ELU, torch.nn.GELU, torch.nn.LeakyReLU, torch.nn.SiLU,
    torch.nn.Tanh, torch.nn.Sigmoid, torch.nn.Hardswish, torch.nn.ReLU6, torch.nn.Identity,
    torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD, torch.optim.RMSprop,
    torch.optim.Adagrad, torch.optim.NAdam, torch.optim.RAdam,
    torch.utils.data.DataLoader, Dataset,
)
_REGISTERED = {}
_EXTENSIONS = {}

#: skorch/sklearn state rebuilt by ``initialize()`` or by the loader, never stored.
_REBUILT = frozenset({
    "module_", "criterion_", "optimizer_", "callbacks_", "history_", "initialized_",
    "label_encoder_", "classes_", "virtual_params_", "fit_groups_", "classes_inferred_",
    "init_context_", "prefixes_", "cuda_dependent_attributes_",
})
#: Parameters a file must leave at None (they would unpickle later).
_FORCED_NONE = frozenset({"torch_load_kwargs"})
_PAYLOAD_KEYS = {"format", "format_version", "config", "state_dict", "arrays", "sha256"}
_CONFIG_KEYS = {"estimator", "module", "params", "fitted", "extensions", "classes", "history",
                "versions"}
_PARAM_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


# ----------------------------------------------------------------------------- registry
def register_persistable(*objects):
    """Add classes to the registry a model file may name (usable as a decorator).

    Registering a class says: any file may construct it with any parameters. Only
    register classes whose constructor merely stores its arguments.
    """
    for obj in objects:
        if not isinstance(obj, type):
            raise TypeError(f"only classes can be registered, got {obj!r}.")
        _REGISTERED[qualified_name(obj)] = obj
    return objects[0] if len(objects) == 1 else objects


def _subclasses(base):
    seen, stack = [], [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


def persistable_names():
    """The closed registry: ``{"pkg.module.Name": class}`` a file may name.

    skseizure's own estimators (``skorch.NeuralNet`` subclasses) and networks/losses
    (``torch.nn.Module`` subclasses) defined in imported skseizure modules, the torch
    classes in ``_STATIC``, and the classes given to :func:`register_persistable`.
    """
    names = {qualified_name(c): c for c in _STATIC}
    for base in (NeuralNet, torch.nn.Module):
        for cls in _subclasses(base):
            if cls.__module__.split(".")[0] == "skseizure" and "<" not in cls.__qualname__:
                names[qualified_name(cls)] = cls
    names.update(_REGISTERED)
    return names


def _import_trusted(name):
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", name):
        raise ValueError(f"trusted entries are dotted names like 'pkg.module.Name'; got {name!r}.")
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for part in parts[i:]:
                obj = getattr(obj, part)
        except AttributeError:
            break
        if isinstance(obj, type):
            return obj
        break
    raise ValueError(f"trusted name {name!r} is not an importable class.")


def _registry(trusted):
    names = persistable_names()
    if trusted is None:
        return names
    if isinstance(trusted, str):
        raise TypeError("trusted must be a list of names, e.g. trusted=['pkg.module.Name'].")
    for name in trusted:
        obj = _import_trusted(name)
        names[name] = obj
        names[qualified_name(obj)] = obj
    return names


class _Extension:
    def __init__(self, name, attributes, rebuild, loader, check):
        self.name, self.attributes, self.rebuild = name, tuple(attributes), rebuild
        self.loader, self.check = loader, check


def register_extension(name, attributes, rebuild, *, loader, check=None):
    """Let a higher layer store extra fitted state and rebuild the network from it.

    Parameters
    ----------
    name : str
        Stored in the file (e.g. ``"pruning"``).
    attributes : sequence of str
        Fitted attributes (ending in ``_``) saved when present on the estimator.
    rebuild : callable
        ``rebuild(estimator)`` after ``initialize()`` and before the weights are
        loaded (e.g. to shrink the layers of a pruned network).
    loader : str
        The function users must call to load such files (named in errors).
    check : callable or None
        ``check(state)`` with the decoded ``{attribute: value}`` read from a file;
        raises ``ValueError`` if malformed. Runs with the rest of the validation,
        before anything is constructed.
    """
    bad = [a for a in attributes if not (a.endswith("_") and _PARAM_NAME.match(a))]
    if bad:
        raise ValueError(f"extension attributes must be public names ending in '_'; got {bad}.")
    _EXTENSIONS[name] = _Extension(name, attributes, rebuild, loader, check)


# ----------------------------------------------------------------------- fitted state
def _documented(doc):
    """Names ending in ``_`` listed in the ``Attributes`` section of a numpydoc docstring."""
    lines = (doc or "").expandtabs().splitlines()
    names, indent = [], None
    for i, line in enumerate(lines):
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        is_header = bool(line.strip()) and nxt.startswith("---") and set(nxt) == {"-"}
        if indent is None:
            if is_header and line.strip() == "Attributes":
                indent = len(line) - len(line.lstrip())
            continue
        if is_header:
            break
        if line.strip() and len(line) - len(line.lstrip()) == indent and not set(line.strip()) <= {"-"}:
            head = line.split(" : ")[0]
            names += [n for n in re.findall(r"[A-Za-z_]\w*", head) if n.endswith("_")]
    return names


def _collect(klass, attr):
    out = set()
    for c in klass.__mro__:
        out.update(c.__dict__.get(attr, ()))
    return out


def fitted_attributes(klass):
    """Fitted attributes a file may restore on ``klass`` (sorted names).

    Documented attributes (docstring ``Attributes`` sections along the MRO) plus
    ``_fitted_attributes``, minus state rebuilt on load and anything the class
    itself defines (methods, properties).
    """
    names = _collect(klass, "_fitted_attributes")
    for c in klass.__mro__:
        names.update(_documented(c.__dict__.get("__doc__")))
    rebuilt = _REBUILT | _collect(klass, "_rebuilt_attributes")
    return sorted(n for n in names if n.endswith("_") and _PARAM_NAME.match(n)
                  and n not in rebuilt and not hasattr(klass, n))


# ----------------------------------------------------------------------------- saving
def save_estimator(est, path, *, overwrite=False):
    """Write a fitted estimator to ``path`` (see the module docstring).

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    IsADirectoryError
        ``path`` is a folder (nothing is written).
    skorch.exceptions.NotInitializedError
        The estimator is not fitted.
    ValueError
        A parameter or fitted attribute cannot be stored safely, or a weight is NaN/inf.
    """
    est.check_is_fitted()
    klass, state = type(est), vars(est)
    enc = Encoder()
    skip = _collect(klass, "_unsaved_params")
    params = {k: enc(v, k) for k, v in est.get_params(deep=False).items() if k not in skip}
    ext_attrs = {a for e in _EXTENSIONS.values() for a in e.attributes}
    fitted = {k: enc(state[k], k) for k in fitted_attributes(klass)
              if k in state and k not in ext_attrs}
    extensions = {}
    for ext in _EXTENSIONS.values():
        present = {a: enc(state[a], a) for a in ext.attributes if a in state}
        if present:
            extensions[ext.name] = present
    le = state.get("label_encoder_")
    module = est.module if isinstance(est.module, type) else type(est.module)
    history = est.history_.to_list() if est.history_ is not None else []
    config = {
        "estimator": qualified_name(klass),
        "module": qualified_name(module),
        "params": params,
        "fitted": fitted,
        "extensions": extensions,
        "classes": None if le is None else enc(np.asarray(le.classes_), "classes_"),
        "history": enc(history, "history"),
        "versions": {"skseizure": __version__, "torch": torch.__version__},
    }
    state_dict = {k: v.detach().cpu().clone() for k, v in est.module_.state_dict().items()}
    for key, t in state_dict.items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ValueError(f"network weight {key!r} holds NaN or infinite values; "
                             "refusing to save a diverged model.")
    text = json.dumps(config)
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, "config": text,
               "state_dict": state_dict, "arrays": enc.arrays,
               "sha256": digest(text, state_dict, enc.arrays)}
    return atomic_torch_save(payload, path, overwrite=overwrite)


# ---------------------------------------------------------------------------- loading
def _read_payload(path):
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if not path.is_file():
        raise ModelFileError(path, "is not a file.")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a model file"
        raise ModelFileError(path, f"is not a readable skseizure model file ({exc}).") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(path, "is not an skseizure estimator file (missing format tag).")
    version = payload.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            path, f"uses file format version {version!r}; this skseizure ({__version__}) reads "
            f"version {FORMAT_VERSION} only. Re-save the model with the skseizure that wrote it "
            "after upgrading, or install that version.")
    if set(payload) != _PAYLOAD_KEYS:
        raise ModelFileError(path, f"has unexpected entries {sorted(set(payload) ^ _PAYLOAD_KEYS)}.")
    for section in ("state_dict", "arrays"):
        tensors = payload[section]
        if not isinstance(tensors, dict) or not all(
                isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in tensors.items()):
            raise ModelFileError(path, f"'{section}' must map names to tensors.")
    if not isinstance(payload["config"], str) or not isinstance(payload["sha256"], str):
        raise ModelFileError(path, "'config' and 'sha256' must be strings.")
    if digest(payload["config"], payload["state_dict"], payload["arrays"]) != payload["sha256"]:
        raise ModelFileError(path, "checksum mismatch: the file is corrupted or was modified.")
    for section in ("state_dict", "arrays"):
        for key, t in payload[section].items():
            if t.is_floating_point() and not bool(torch.isfinite(t).all()):
                raise ModelFileError(path, f"tensor {key!r} holds NaN or infinite values.")
    return payload


def _check_version(config, path):
    saved = config["versions"].get("skseizure") if isinstance(config["versions"], dict) else None
    if not isinstance(saved, str):
        raise ModelFileError(path, "does not record the skseizure version that wrote it.")

    def major_minor(v):
        return tuple(re.findall(r"\d+", v)[:2])

    if major_minor(saved) != major_minor(__version__):
        raise ModelFileError(
            path, f"was written by skseizure {saved}; this is skseizure {__version__}. Files "
            "are read by the same major.minor version only: install skseizure "
            f"{'.'.join(major_minor(saved))} to load it.")


def _parse(payload, path, cls, exact, registry, extensions):
    """Validate the whole configuration; return the decoded plan (nothing constructed)."""
    try:
        config = json.loads(payload["config"])
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(path, f"configuration is not valid JSON ({exc}).") from exc
    if not isinstance(config, dict) or set(config) != _CONFIG_KEYS:
        raise ModelFileError(path, "configuration has an unexpected layout.")
    _check_version(config, path)
    name = config["estimator"]
    klass = registry.get(name) if isinstance(name, str) else None
    if not (isinstance(klass, type) and issubclass(klass, NeuralNet)):
        hint = ("import its module first, or call its own .load"
                if isinstance(name, str) and name.startswith("skseizure.")
                else "pass trusted=[...] if you trust this file")
        raise ModelFileError(path, f"names estimator class {name!r}, which is not a registered "
                             f"skseizure estimator; {hint}.")
    if cls is not None and (klass is not cls if exact else not issubclass(klass, cls)):
        raise ModelFileError(
            path, f"holds a {name.rsplit('.', 1)[-1]} (network "
            f"{str(config['module']).rsplit('.', 1)[-1]}), not a {cls.__name__}: different "
            f"architecture. Load it with {name.rsplit('.', 1)[-1]}.load or "
            "skseizure.estimators.persistence.load_estimator.")
    arrays = payload["arrays"]
    try:
        sections = {s: config[s] for s in ("params", "fitted", "extensions")}
        if not all(isinstance(v, dict) for v in sections.values()):
            raise ValueError("params, fitted and extensions must be objects")
        params = {k: decode(v, arrays, f"parameter {k}") for k, v in config["params"].items()}
        fitted = {k: decode(v, arrays, f"fitted attribute {k}") for k, v in config["fitted"].items()}
        ext_state = {e: {k: decode(v, arrays, f"{e} attribute {k}") for k, v in attrs.items()}
                     for e, attrs in config["extensions"].items()}
        classes = None if config["classes"] is None else decode(config["classes"], arrays, "classes")
        history = decode(config["history"], arrays, "history")
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise ModelFileError(path, f"malformed configuration: {exc}") from exc
    for key, val in params.items():
        if not _PARAM_NAME.match(key):
            raise ModelFileError(path, f"has an invalid parameter name {key!r}.")
        if key in _FORCED_NONE and val is not None:
            raise ModelFileError(path, f"sets parameter {key}={val!r}, which a file may not set.")
    allowed = set(fitted_attributes(klass))
    refused = sorted(k for k in fitted if k not in allowed)
    if refused:
        raise ModelFileError(path, f"sets fitted attributes {refused}, which {klass.__name__} "
                             "does not declare; refusing to load it.")
    for ext_name, attrs in ext_state.items():
        ext = _EXTENSIONS.get(ext_name)
        if ext is None or ext_name not in extensions:
            hint = f"load it with {ext.loader}" if ext else f"its '{ext_name}' state is unknown here"
            raise ModelFileError(path, f"holds {ext_name} state ({sorted(attrs)}); {hint}.")
        extra = sorted(set(attrs) - set(ext.attributes))
        if extra:
            raise ModelFileError(path, f"sets undeclared {ext_name} attributes {extra}.")
        if ext.check is not None:
            try:
                ext.check(attrs)
            except (ValueError, TypeError) as exc:
                raise ModelFileError(path, f"malformed {ext_name} state: {exc}") from exc
    unknown = sorted({n for v in (params, fitted, ext_state, classes, history)
                      for n in walk_names(v) if n not in registry})
    if unknown:
        raise ModelFileError(
            path, f"names {unknown}, which skseizure does not restore from files (not in its "
            "registry); if you trust this file, pass trusted=" + repr(unknown) + ".")
    if not (isinstance(history, list) and all(isinstance(h, dict) for h in history)):
        raise ModelFileError(path, "history must be a list of per-epoch records.")
    return klass, params, fitted, ext_state, classes, history, config["module"]


def load_estimator(path, *, cls=None, exact=False, device=None, trusted=None, extensions=()):
    """Load an estimator written by :func:`save_estimator` without executing code from it.

    Parameters
    ----------
    path : str or path-like
    cls : type or None
        Accept only this class (``exact=True``) or its subclasses; None accepts any
        registered skseizure estimator.
    exact : bool, default=False
    device : str or None
        Map the weights to this device (default: the saved one; CPU when the saved
        CUDA device is unavailable).
    trusted : list of str or None
        Extra dotted class names (``"pkg.module.Name"``) the file may name, beyond
        :func:`persistable_names`. Listing a name means trusting its constructor
        with arguments taken from the file.
    extensions : sequence of str
        Registered extensions (:func:`register_extension`) whose state may be applied.

    Returns
    -------
    estimator
        Fitted, in evaluation mode; predictions are bit-identical to the saved one's.

    Raises
    ------
    FileNotFoundError
        No such file.
    ModelFileError
        (a ``ValueError``) The file is not a model file, is corrupted (checksum), holds
        NaN/inf weights, comes from another format or major.minor version, names a
        class outside the registry, sets undeclared fitted attributes, or its weights
        do not fit the network it describes.
    """
    from skorch.history import History
    from sklearn.preprocessing import LabelEncoder

    path = Path(path)
    registry = _registry(trusted)
    payload = _read_payload(path)
    klass, params, fitted, ext_state, classes, history, module_name = _parse(
        payload, path, cls, exact, registry, set(extensions))
    params = materialize(params, registry.__getitem__)
    if device is not None:
        params["device"] = device
    elif str(params.get("device", "cpu")).startswith("cuda") and not torch.cuda.is_available():
        params["device"] = "cpu"
    try:
        est = klass(**params)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(path, f"its parameters do not fit {klass.__name__}: {exc}") from exc
    module = est.module if isinstance(est.module, type) else type(est.module)
    if qualified_name(module) != module_name:
        raise ModelFileError(path, f"was saved with network {module_name} but {klass.__name__} "
                             f"builds {qualified_name(module)}: different architecture.")
    for key, val in fitted.items():
        setattr(est, key, materialize(val, registry.__getitem__))
    for attrs in ext_state.values():
        for key, val in attrs.items():
            setattr(est, key, val)
    if classes is not None:
        est.label_encoder_ = LabelEncoder()
        est.label_encoder_.classes_ = classes
    restore = getattr(est, "_restore_fitted_state", None)
    if callable(restore):
        restore()
    try:
        est.initialize()  # skorch validates the parameters here
    except (TypeError, ValueError) as exc:
        raise ModelFileError(path, f"its parameters do not fit {klass.__name__}: {exc}") from exc
    try:
        for ext_name in ext_state:
            _EXTENSIONS[ext_name].rebuild(est)
        est.module_.load_state_dict(payload["state_dict"], strict=True)
    except (RuntimeError, ValueError, IndexError, KeyError) as exc:
        raise ModelFileError(path, f"the weights do not fit {klass.__name__}'s network built "
                             f"from the saved configuration (different architecture?): {exc}") from exc
    est.initialize_optimizer()  # on the final parameters (an extension may have replaced them)
    for group in getattr(est.optimizer_, "param_groups", []):
        # schedulers resumed at a later epoch (partial_fit) need the starting rate
        group.setdefault("initial_lr", group["lr"])
    est.history_ = History(history)
    est.module_.eval()
    return est
