"""The skorch components and data checks of :class:`~skseizure.estimators.BaseNetClassifier`.

:class:`NetComponentsMixin` holds the parts of the shared base that build skorch's
pieces (callbacks, module, criterion, loaders, the internal validation split) and
check the data given to ``fit`` and ``predict`` (window shape, labels, class
weights). It is mixed into ``BaseNetClassifier`` only; keeping it here holds the
base module to its public behaviour (parameters, fit, predict, persistence).
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from skorch.callbacks import EarlyStopping, EpochScoring, LRScheduler, ProgressBar
from skorch.utils import to_numpy

from .._utils.validation import check_n_channels, check_windows, is_lazy_windows
from .losses import FocalLoss
from .streaming import StoreDataset
from .training import (
    check_input_shape,
    check_labels,
    inner_validation_split,
    seeded_iterator,
    silent_sink,
    softmax,
    valid_accuracy,
    valid_f1_macro,
)

__all__ = ["NetComponentsMixin"]


class NetComponentsMixin:
    """skorch components and data checks of the network estimators (see module docstring).

    Expects the host class to be a skorch ``NeuralNetClassifier`` with the
    parameters of ``BaseNetClassifier`` (``valid_size``, ``patience``,
    ``lr_patience``, ``lr_factor``, ``class_weight``) and the class attributes
    ``_input_ndim``, ``_channel_axis`` and ``_input_axis_names``.
    """

    # -------------------------------------------------------- callbacks / components
    def _has_validation(self):
        if self.train_split is None:
            return False
        if isinstance(self.train_split, str):
            return bool(self.valid_size)
        return True

    @property
    def _default_callbacks(self):
        has_valid = self._has_validation()
        cbs = [cb for cb in super()._default_callbacks if cb[0] != "valid_acc"]
        if has_valid:
            cbs.append(("valid_acc", EpochScoring(
                valid_accuracy, lower_is_better=False, name="valid_acc", use_caching=True)))
            cbs.append(("valid_f1_macro", EpochScoring(
                valid_f1_macro, lower_is_better=False, name="valid_f1_macro", use_caching=True)))
            if self.patience is not None:
                cbs.append(("early_stopping", EarlyStopping(
                    monitor="valid_f1_macro", patience=self.patience,
                    lower_is_better=False, load_best=True, sink=silent_sink)))
        if self.lr_patience is not None:
            monitor, mode = ("valid_f1_macro", "max") if has_valid else ("train_loss", "min")
            cbs.append(("lr_scheduler", LRScheduler(
                policy="ReduceLROnPlateau", monitor=monitor, mode=mode,
                factor=self.lr_factor, patience=self.lr_patience)))
        if self.verbose and self.verbose >= 2:
            cbs.append(("progress_bar", ProgressBar()))
        return cbs

    def initialize_module(self):
        """Instantiate the module with user ``module__*`` + inferred signal args."""
        kwargs = self.get_params_for("module")
        inferred = getattr(self, "module_kwargs_from_data_", None) or {}
        for key, val in inferred.items():
            if key in kwargs and kwargs[key] is not None and kwargs[key] != val:
                raise ValueError(
                    f"module__{key}={kwargs[key]!r} was given but the data imply "
                    f"{key}={val!r}; drop the parameter (it is inferred in fit)."
                )
            kwargs[key] = val
        try:
            module = self.initialized_instance(self.module, kwargs)
        except TypeError as exc:
            if not inferred:
                raise TypeError(
                    f"{type(self).__name__}: could not build the module ({exc}). Signal "
                    "arguments (n_chans, n_outputs, n_times) are inferred in fit; call "
                    "fit instead of initialize, or pass them as module__* parameters."
                ) from exc
            name = getattr(self.module, "__name__", type(self.module).__name__)
            raise TypeError(
                f"{type(self).__name__}: could not build {name} from the module__* "
                f"parameters and the signal arguments inferred in fit ({exc})."
            ) from exc
        self.module_ = module
        return self

    def _criterion_kwargs(self):
        """Keyword arguments of the criterion (``criterion__*``); subclasses may filter."""
        return self.get_params_for("criterion")

    def initialize_criterion(self):
        """Instantiate the criterion, adding ``weight=`` from ``class_weight``."""
        kwargs = self._criterion_kwargs()
        cw = getattr(self, "class_weight_", None)
        if cw is not None and "weight" not in kwargs:
            kwargs["weight"] = torch.as_tensor(cw, dtype=torch.float32)
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def _get_predict_nonlinearity(self):
        if self.predict_nonlinearity == "auto":
            crit = getattr(self, "criterion_", None)
            if isinstance(crit, FocalLoss):
                return softmax
        return super()._get_predict_nonlinearity()

    def _autocast(self):
        """The ``torch.autocast`` context of the ``precision`` parameter (a no-op for float32)."""
        precision = getattr(self, "precision", None)
        if precision in (None, "float32"):
            return contextlib.nullcontext()
        dtype = check_precision(precision)
        device_type = torch.device(self.device if self.device is not None else "cpu").type
        return torch.autocast(device_type=device_type, dtype=dtype)

    def infer(self, x, **fit_params):
        """Forward pass under the ``precision`` setting; a half-precision output becomes float32."""
        with self._autocast():
            out = super().infer(x, **fit_params)
        if isinstance(out, torch.Tensor) and out.dtype in (torch.float16, torch.bfloat16):
            out = out.float()
        return out

    def get_dataset(self, X, y=None):
        """skorch dataset; lazy on-disk windows are streamed (one read per batch)."""
        if is_lazy_windows(X):
            return StoreDataset(X, y)
        return super().get_dataset(X, y)

    def get_iterator(self, dataset, training=False):
        """DataLoader; the training one shuffles with a seeded ``torch.Generator``."""
        return seeded_iterator(self, dataset, training)

    def get_split_datasets(self, X, y=None, **fit_params):
        """Internal train/validation datasets (subject-wise with groups)."""
        groups = getattr(self, "fit_groups_", None)
        fit_params.pop("groups", None)
        dataset = self.get_dataset(X, y)
        self.valid_indices_ = None
        if not self._has_validation():
            return dataset, None
        if isinstance(self.train_split, str):
            if self.train_split != "auto":
                raise ValueError(f"train_split must be 'auto', None or a callable, got {self.train_split!r}.")
            y_np = to_numpy(y) if y is not None else None
            train_idx, valid_idx = inner_validation_split(
                y_np, groups, self.valid_size, random_state=self.random_seed_)
            self.valid_indices_ = np.asarray(valid_idx)
            return (torch.utils.data.Subset(dataset, train_idx),
                    torch.utils.data.Subset(dataset, valid_idx))
        if groups is not None:
            fit_params["groups"] = groups
        if y is None:
            return self.train_split(dataset, **fit_params)
        return self.train_split(dataset, y, **fit_params)

    # ------------------------------------------------------------------- data checks
    def _check_X(self, X, reset):
        # Lazy on-disk windows (a WindowStore's X) are checked chunk-wise, never loaded.
        X = check_windows(X, ndim=self._input_ndim, dtype=np.float32, lazy=True)
        if not reset:
            check_n_channels(X, self.n_channels_in_, estimator_name=type(self).__name__,
                             axis=self._channel_axis)
        return X

    def _check_input_shape(self, X):
        """Refuse windows whose shape differs from ``input_shape_`` (recorded in ``fit``).

        One check for every network (raw windows, images, FFT steps); the error
        names the axis (``_input_axis_names``), the expected and the received value.
        """
        check_input_shape(X, getattr(self, "input_shape_", None),
                          estimator_name=type(self).__name__,
                          axis_names=self._input_axis_names)
        return X

    def _module_kwargs_from_data(self, X, y):
        """Infer the module's signal arguments from the training data.

        Sets ``n_channels_in_`` and ``n_times_in_`` and returns the keyword
        arguments merged into ``module__*`` when the module is built.
        Override for inputs that are not ``(n, C, T)``.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_times), float32
        y : ndarray of shape (n_windows,), int64 (encoded labels)

        Returns
        -------
        kwargs : dict
            ``{"n_chans": C, "n_times": T, "n_outputs": n_classes}``.
        """
        self.n_channels_in_ = int(X.shape[1])
        self.n_times_in_ = int(X.shape[2])
        return {"n_chans": self.n_channels_in_, "n_times": self.n_times_in_,
                "n_outputs": int(len(self.classes_))}

    def _encode_y(self, y, reset):
        y = check_labels(y)
        if reset:
            enc = LabelEncoder()
            if self.classes is not None:
                enc.fit(np.asarray(self.classes))
                unknown = np.setdiff1d(np.unique(y), enc.classes_)
                if unknown.size:
                    raise ValueError(f"y holds labels {unknown.tolist()} not in classes={list(self.classes)}.")
            else:
                enc.fit(y)
            if enc.classes_.size < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes in y; got {enc.classes_.tolist()}.")
            self.label_encoder_ = enc
        return self.label_encoder_.transform(y).astype(np.int64)

    @property
    def classes_(self):
        """Original class labels seen in ``fit`` (or the ``classes`` param)."""
        enc = self.__dict__.get("label_encoder_")
        if enc is None:
            if self.classes is not None and len(self.classes):
                return np.asarray(self.classes)
            raise AttributeError(f"{type(self).__name__} is not fitted yet: no attribute 'classes_'.")
        return enc.classes_

    def _compute_class_weight(self, y_enc):
        cw = self.class_weight
        if cw is None:
            return None
        n_classes = len(self.classes_)
        if isinstance(cw, str):
            if cw != "balanced":
                raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}.")
            present = np.unique(y_enc)
            w = np.ones(n_classes)
            w[present] = compute_class_weight("balanced", classes=present, y=y_enc)
            return w.astype(np.float32)
        if isinstance(cw, dict):
            w = np.ones(n_classes, dtype=np.float32)
            for label, val in cw.items():
                hits = np.flatnonzero(self.classes_ == label)
                if hits.size == 0:
                    raise ValueError(f"class_weight key {label!r} is not a class; classes_={self.classes_.tolist()}.")
                w[hits[0]] = float(val)
            return w
        raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {type(cw).__name__}.")

    def _rng_devices(self):
        """CUDA devices whose RNG state ``fork_rng`` must save and restore."""
        try:
            dev = torch.device(self.device or "cpu")
        except (TypeError, RuntimeError):
            return []
        if dev.type == "cuda" and torch.cuda.is_available():
            return [dev.index or 0]
        return []


#: ``precision`` values and the autocast dtype each selects (None / "float32": no autocast).
PRECISIONS = {"bfloat16": torch.bfloat16, "float16": torch.float16}


def check_precision(precision):
    """The autocast dtype of a ``precision`` setting, or a ValueError naming the choices."""
    if precision in (None, "float32"):
        return None
    try:
        return PRECISIONS[precision]
    except (KeyError, TypeError):
        raise ValueError(f"precision must be None, 'float32', 'bfloat16' or 'float16'; got "
                         f"{precision!r}.") from None
