"""The shared skorch base of every skseizure network estimator.

``BaseNetClassifier`` turns a plain ``nn.Module`` whose constructor follows the
braindecode convention ``Module(n_chans, n_outputs, n_times, **hyper)`` into a
scikit-learn classifier:

- every hyper-parameter is an ``__init__`` argument (including ``module__*``);
- input shapes are inferred in ``fit`` into fitted attributes
  (``n_channels_in_``, ``n_times_in_``, ``classes_``) and are **never** written
  back into the parameters, so ``get_params()`` is the same before and after
  ``fit`` and ``clone`` gives a truly unfitted copy;
- the internal validation split (early stopping, learning-rate plateau) is
  **subject-wise** when ``groups`` are given;
- ``random_state`` seeds weight initialisation, dropout and the shuffling of
  the training loader, so the same seed gives identical predictions;
- ``save`` / ``load`` use a single file loadable with
  ``torch.load(weights_only=True)`` (tensors + a JSON configuration): no
  arbitrary code is unpickled.

Writing a new network estimator
-------------------------------
::

    class MyNetClassifier(BaseNetClassifier):
        def __init__(self, module__n_filters=16, module__drop_prob=0.5, **kwargs):
            super().__init__(module=MyNet, module__n_filters=module__n_filters,
                             module__drop_prob=module__drop_prob, **kwargs)

``module`` is fixed by the subclass and therefore not part of ``get_params``
(see ``_fixed_module``); everything else (``lr``, ``max_epochs``,
``criterion``, ``callbacks`` …) arrives through ``**kwargs``. Networks that do
not take ``(n, C, T)`` windows override ``_input_ndim`` / ``_channel_axis`` and
``_module_kwargs_from_data``.
"""

from __future__ import annotations

import inspect
import numbers
import warnings

import numpy as np
import torch
from sklearn.model_selection import (
    GroupShuffleSplit,
    ShuffleSplit,
    StratifiedGroupKFold,
    StratifiedShuffleSplit,
)
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from skorch import NeuralNetClassifier
from skorch.callbacks import EarlyStopping, EpochScoring, LRScheduler, ProgressBar
from skorch.utils import is_dataset, to_numpy

from .._utils.random import seed_from_random_state
from .._utils.validation import check_groups, check_n_channels, check_windows
from .losses import FocalLoss
from .sampling import resolve_groups

__all__ = ["BaseNetClassifier", "inner_validation_split", "seeded_iterator"]


# --------------------------------------------------------------------------- #
# Module-level helpers (module level so that nets stay picklable)
# --------------------------------------------------------------------------- #
def _softmax(x):
    return torch.softmax(x, dim=-1)


def _proba_encoded(net, X):
    # Go through skorch's own predict_proba: during epoch scoring ``X`` is the
    # validation Subset and the forward pass is served from skorch's cache.
    return NeuralNetClassifier.predict_proba(net, X)


def _valid_f1_macro(net, X, y):
    """Macro-F1 on label-encoded targets (skorch ``EpochScoring`` callable)."""
    from sklearn.metrics import f1_score

    y_pred = _proba_encoded(net, X).argmax(axis=1)
    return f1_score(to_numpy(y), y_pred, average="macro", zero_division=0)


def _valid_accuracy(net, X, y):
    """Accuracy on label-encoded targets (skorch ``EpochScoring`` callable)."""
    y_pred = _proba_encoded(net, X).argmax(axis=1)
    return float(np.mean(to_numpy(y) == y_pred))


def inner_validation_split(y, groups=None, valid_size=0.2, random_state=None):
    """Indices of the internal train/validation split used for early stopping.

    Parameters
    ----------
    y : ndarray of shape (n_windows,)
        Encoded class labels.
    groups : ndarray of shape (n_windows,) or None
        Subject ids. When given (and at least two subjects exist) the split is
        **subject-wise**: no subject has windows on both sides. It uses the
        first fold of ``StratifiedGroupKFold(n_splits=round(1 / valid_size))``
        so that the validation fold keeps the class balance as well as the
        subjects allow, and falls back to ``GroupShuffleSplit`` when there are
        fewer subjects than folds.
        Without groups the split is window-wise and stratified
        (``StratifiedShuffleSplit``); ``ShuffleSplit`` if a class is too rare.
    valid_size : float in (0, 1)
        Fraction of windows (approximately, for grouped splits) held out.
    random_state : int or None

    Returns
    -------
    train_idx, valid_idx : ndarray of int
    """
    y = np.asarray(y)
    n = y.shape[0]
    idx = np.arange(n)
    if not (isinstance(valid_size, numbers.Real) and 0.0 < valid_size < 1.0):
        raise ValueError(f"valid_size must be a float in (0, 1), got {valid_size!r}.")
    if groups is not None:
        uniq = np.unique(groups)
        if uniq.size >= 2:
            n_splits = max(2, int(round(1.0 / valid_size)))
            if uniq.size >= n_splits:
                cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
                with warnings.catch_warnings():
                    # "The least populated class has only k members" is expected
                    # for rare seizure classes; the split stays subject-wise.
                    warnings.simplefilter("ignore", UserWarning)
                    return next(iter(cv.split(idx, y, groups)))
            # test_size is a fraction of *subjects*; sklearn rounds it up to >= 1
            cv = GroupShuffleSplit(n_splits=1, test_size=valid_size, random_state=random_state)
            return next(iter(cv.split(idx, y, groups)))
        warnings.warn(
            "groups holds a single subject: the internal validation split falls back to "
            "a window-wise stratified split (windows of that subject on both sides).",
            UserWarning,
            stacklevel=3,
        )
    _, counts = np.unique(y, return_counts=True)
    n_valid = int(np.ceil(valid_size * n))
    if counts.min() >= 2 and n_valid >= counts.size and n - n_valid >= counts.size:
        cv = StratifiedShuffleSplit(n_splits=1, test_size=valid_size, random_state=random_state)
        return next(iter(cv.split(idx, y)))
    cv = ShuffleSplit(n_splits=1, test_size=valid_size, random_state=random_state)
    return next(iter(cv.split(idx)))


def seeded_iterator(net, dataset, training):
    """skorch ``get_iterator`` whose shuffling depends only on ``net.random_seed_``.

    The training loader shuffles with its own ``torch.Generator`` seeded from
    ``random_seed_`` (offset by the epochs already run, so ``partial_fit`` calls
    do not replay the same order); the validation/prediction loader gets a fresh
    generator so that predicting never consumes the caller's global RNG.
    Shared by every skseizure skorch net (classifiers and the DCRNN pre-trainer).
    """
    if training:
        kwargs = net.get_params_for("iterator_train")
        iterator = net.iterator_train
        seed = getattr(net, "random_seed_", None)
        if kwargs.get("shuffle") and seed is not None and "generator" not in kwargs:
            gen = torch.Generator()
            gen.manual_seed(int(seed) + 7919 * len(net.history_ or []))
            kwargs["generator"] = gen
    else:
        kwargs = net.get_params_for("iterator_valid")
        iterator = net.iterator_valid
        if iterator is torch.utils.data.DataLoader:
            # A DataLoader without its own generator draws a base seed from
            # torch's *global* RNG on every pass; predicting must not
            # change the caller's random stream.
            kwargs.setdefault("generator", torch.Generator())
    kwargs.setdefault("batch_size", net.batch_size)
    if kwargs["batch_size"] == -1:
        kwargs["batch_size"] = len(dataset)
    return iterator(dataset, **kwargs)


# --------------------------------------------------------------------------- #
class BaseNetClassifier(NeuralNetClassifier):
    """skorch ``NeuralNetClassifier`` with scikit-learn semantics for EEG windows.

    Subclasses fix ``module`` and list their ``module__*`` hyper-parameters
    explicitly; this base adds the training recipe of seed 000 and the
    behaviour described in the module docstring.

    Parameters
    ----------
    module : type of torch.nn.Module
        Network class with signature ``Module(n_chans, n_outputs, n_times,
        **hyper)`` taking input ``(batch, n_chans, n_times)`` and returning
        logits ``(batch, n_outputs)``. Fixed by subclasses.
    criterion : type of torch.nn.Module, default=torch.nn.CrossEntropyLoss
        Loss on logits. :class:`~skseizure.estimators.FocalLoss` is supported
        (``criterion__gamma``, ``criterion__alpha``).
    optimizer : type of torch.optim.Optimizer, default=torch.optim.Adam
    lr : float, default=0.0025
        Initial learning rate (seed 000).
    max_epochs : int, default=120
        Upper bound on epochs (seed 000).
    batch_size : int, default=128
    patience : int or None, default=10
        Early stopping: stop after ``patience`` epochs without improvement of
        the validation macro-F1 and restore the weights of the best epoch.
        ``None`` disables early stopping. Needs an internal validation split.
    lr_patience : int or None, default=5
        ``ReduceLROnPlateau`` patience (epochs) on validation macro-F1 (on the
        training loss when there is no validation split); ``None`` disables it.
    lr_factor : float, default=0.5
        Learning-rate multiplier applied on plateau.
    valid_size : float or None, default=0.2
        Fraction of the training windows held out for early stopping; with
        ``groups`` the hold-out is subject-wise (see
        :func:`inner_validation_split`). ``None`` or 0 disables validation.
    class_weight : None, 'balanced' or dict, default=None
        Per-class loss weights (passed as ``weight=`` to the criterion);
        ``'balanced'`` uses ``n_samples / (n_classes * bincount(y))``. Dict
        keys are the original class labels.
    train_split : 'auto', None or callable, default='auto'
        ``'auto'`` uses ``valid_size`` as described above. A skorch-style
        callable ``train_split(dataset, y, groups=None)`` (e.g.
        ``skorch.dataset.ValidSplit``) replaces it; ``None`` disables
        validation.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, the shuffling of the training
        loader and the internal split. An int gives identical predictions for
        identical data.
    device : str, default='cpu'
        ``'cuda'`` to train on a GPU.
    verbose : int, default=0
        0 is silent; 1 prints skorch's epoch table; 2 also shows a progress
        bar per epoch.
    iterator_train__shuffle : bool, default=True
        Shuffle the training windows every epoch.
    **kwargs
        Any other skorch parameter (``callbacks``, ``optimizer__weight_decay``,
        ``criterion__*``, ``iterator_train__*``, ``warm_start`` …).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Original class labels (any type ``LabelEncoder`` accepts, e.g. str).
    n_channels_in_ : int
        Number of EEG channels seen in ``fit``.
    n_times_in_ : int
        Window length (samples) seen in ``fit``.
    module_kwargs_from_data_ : dict
        Signal arguments inferred in ``fit`` and passed to the module.
    class_weight_ : ndarray of shape (n_classes,) or None
        Class weights actually used.
    valid_indices_ : ndarray or None
        Indices (into the ``X`` given to ``fit``) of the internal validation
        windows.
    random_seed_ : int
        The integer seed drawn from ``random_state`` for the last fit.
    module_ : torch.nn.Module
        The trained network (weights of the best validation epoch).
    history_ : skorch.History
        Per-epoch training log (``train_loss``, ``valid_loss``,
        ``valid_acc``, ``valid_f1_macro``, ``lr`` …).

    Notes
    -----
    **Routing groups.** ``fit(X, y, groups=g)`` makes the inner split
    subject-wise. Through a ``Pipeline`` pass ``clf__groups=g``. Through
    ``GridSearchCV``/``cross_validate`` either

    - enable metadata routing (``sklearn.set_config(enable_metadata_routing=True)``):
      ``fit`` requests ``groups`` by default, so ``search.fit(X, y, groups=g)``
      sends them to the outer CV *and* to the inner split; or
    - without routing: ``search.fit(X, y, groups=g, clf__groups=g)`` (the
      search slices ``clf__groups`` to each training fold).
    """

    # ``groups`` is requested by default when metadata routing is enabled.
    __metadata_request__fit = {"groups": True}

    #: Number of dimensions of the input array (3: (n, C, T)).
    _input_ndim = 3
    #: Axis holding the channels (checked against ``n_channels_in_``).
    _channel_axis = 1

    def __init__(
        self,
        module,
        *,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.0025,
        max_epochs=120,
        batch_size=128,
        patience=10,
        lr_patience=5,
        lr_factor=0.5,
        valid_size=0.2,
        class_weight=None,
        train_split="auto",
        random_state=None,
        device="cpu",
        verbose=0,
        iterator_train__shuffle=True,
        **kwargs,
    ):
        super().__init__(
            module=module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            device=device,
            verbose=verbose,
            iterator_train__shuffle=iterator_train__shuffle,
            **kwargs,
        )
        self.patience = patience
        self.lr_patience = lr_patience
        self.lr_factor = lr_factor
        self.valid_size = valid_size
        self.class_weight = class_weight
        self.random_state = random_state

    # ------------------------------------------------------------------ #
    # sklearn parameter plumbing
    # ------------------------------------------------------------------ #
    @classmethod
    def _fixed_module(cls):
        """True when the subclass hard-codes ``module`` (no ``module`` arg)."""
        if cls is BaseNetClassifier:
            return False
        return "module" not in inspect.signature(cls.__init__).parameters

    def _get_param_names(self):
        # skorch lists its private ``_params_to_validate`` bookkeeping as a
        # parameter; it is not one (clone/save must not carry it).
        names = [n for n in super()._get_param_names() if n != "_params_to_validate"]
        if self._fixed_module():
            names = [n for n in names if n != "module"]
        return names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags

    # ------------------------------------------------------------------ #
    # callbacks / components
    # ------------------------------------------------------------------ #
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
                _valid_accuracy, lower_is_better=False, name="valid_acc", use_caching=True)))
            cbs.append(("valid_f1_macro", EpochScoring(
                _valid_f1_macro, lower_is_better=False, name="valid_f1_macro", use_caching=True)))
            if self.patience is not None:
                cbs.append(("early_stopping", EarlyStopping(
                    monitor="valid_f1_macro", patience=self.patience,
                    lower_is_better=False, load_best=True, sink=_silent)))
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
            raise
        self.module_ = module
        return self

    def initialize_criterion(self):
        """Instantiate the criterion, adding ``weight=`` from ``class_weight``."""
        kwargs = self.get_params_for("criterion")
        cw = getattr(self, "class_weight_", None)
        if cw is not None and "weight" not in kwargs:
            kwargs["weight"] = torch.as_tensor(cw, dtype=torch.float32)
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def _get_predict_nonlinearity(self):
        if self.predict_nonlinearity == "auto":
            crit = getattr(self, "criterion_", None)
            if isinstance(crit, FocalLoss):
                return _softmax
        return super()._get_predict_nonlinearity()

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

    # ------------------------------------------------------------------ #
    # data checks and inference of signal arguments
    # ------------------------------------------------------------------ #
    def _check_X(self, X, reset):
        X = check_windows(X, ndim=self._input_ndim, dtype=np.float32)
        if not reset:
            check_n_channels(X, self.n_channels_in_, estimator_name=type(self).__name__,
                             axis=self._channel_axis)
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
        y = np.asarray(y)
        if y.ndim != 1:
            y = np.ravel(y) if y.ndim == 2 and y.shape[1] == 1 else y
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D (one label per window), got shape {y.shape}.")
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

    # ------------------------------------------------------------------ #
    # fit / predict
    # ------------------------------------------------------------------ #
    def _rng_devices(self):
        """CUDA devices whose RNG state ``fork_rng`` must save and restore."""
        try:
            dev = torch.device(self.device or "cpu")
        except (TypeError, RuntimeError):
            return []
        if dev.type == "cuda" and torch.cuda.is_available():
            return [dev.index or 0]
        return []

    def _fit_encoded(self, X, y_enc, groups, fit_params, first_call):
        self.random_seed_ = seed_from_random_state(self.random_state)
        self.fit_groups_ = groups
        try:
            # fork_rng keeps the caller's global RNG untouched while making weight
            # init and dropout a function of random_state only.
            with torch.random.fork_rng(devices=self._rng_devices()):
                torch.manual_seed(self.random_seed_)
                if first_call:
                    self.initialize()
                NeuralNetClassifier.partial_fit(self, X, y_enc, **fit_params)
        finally:
            self.fit_groups_ = None
        return self

    def fit(self, X, y, groups=None, **fit_params):
        """Train the network from scratch (unless ``warm_start=True``).

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            EEG windows (any float dtype, converted to float32).
        y : array-like of shape (n_windows,)
            Class labels (ints, strings …).
        groups : array-like of shape (n_windows,), default=None
            Subject ids; make the internal validation split subject-wise.
            When ``X`` comes from :class:`~skseizure.estimators.WindowResampler`
            its carried ids are used, or ``groups`` of the un-resampled data
            are re-indexed to the resampled windows.
        **fit_params
            Passed to the module's ``forward`` (skorch semantics).

        Returns
        -------
        self
        """
        fresh = not (self.warm_start and self.initialized_ and hasattr(self, "label_encoder_"))
        # Windows resampled by WindowResampler carry their (resampled) subject
        # ids; those are the aligned ones, so they win over ``groups``.
        groups = resolve_groups(X, groups)
        X = self._check_X(X, reset=fresh)
        y_enc = self._encode_y(y, reset=fresh)
        if X.shape[0] != y_enc.shape[0]:
            raise ValueError(f"X has {X.shape[0]} windows but y has {y_enc.shape[0]} labels.")
        groups = check_groups(groups, X.shape[0])
        if fresh:
            self.module_kwargs_from_data_ = self._module_kwargs_from_data(X, y_enc)
            self.class_weight_ = self._compute_class_weight(y_enc)
        return self._fit_encoded(X, y_enc, groups, dict(fit_params, _routing_method="fit"), fresh)

    def partial_fit(self, X, y=None, classes=None, groups=None, **fit_params):
        """Continue training for ``max_epochs`` more epochs (first call = ``fit``).

        Parameters
        ----------
        X, y, groups
            As in :meth:`fit`.
        classes : ignored
            Present for API compatibility; set the ``classes`` parameter instead.
        """
        first = not (self.initialized_ and hasattr(self, "label_encoder_"))
        if first:
            return self.fit(X, y, groups=groups, **fit_params)
        X = self._check_X(X, reset=False)
        y_enc = self._encode_y(y, reset=False)
        groups = check_groups(groups, X.shape[0])
        return self._fit_encoded(X, y_enc, groups, fit_params, False)

    def _check_predict_input(self, X):
        self.check_is_fitted()
        if is_dataset(X):
            return X
        return self._check_X(X, reset=False)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes), float32
            Columns follow ``classes_``.
        """
        X = self._check_predict_input(X)
        return NeuralNetClassifier.predict_proba(self, X)

    def predict(self, X):
        """Predicted labels (from ``classes_``), shape (n_windows,)."""
        proba = self.predict_proba(X)  # first: raises NotInitializedError when unfitted
        return self.classes_[proba.argmax(axis=1)]

    def decision_function(self, X):
        """Logits, shape (n_windows, n_classes); 1-D (positive class) for 2 classes."""
        X = self._check_predict_input(X)
        logits = to_numpy(self.forward(X, training=False))
        if logits.shape[1] == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict(X)`` against ``y`` (sklearn semantics)."""
        from sklearn.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)

    def check_is_fitted(self, attributes=None, *args, **kwargs):
        """Raise ``NotInitializedError`` unless the net was fitted (or loaded)."""
        from skorch.exceptions import NotInitializedError

        super().check_is_fitted(attributes, *args, **kwargs)
        if attributes is None and "label_encoder_" not in self.__dict__:
            raise NotInitializedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    # ------------------------------------------------------------------ #
    # persistence
    # ------------------------------------------------------------------ #
    def save(self, path, *, overwrite=False):
        """Save the fitted estimator to one file (weights + JSON configuration).

        The file is a ``torch.save`` archive holding only tensors, strings and
        numbers; :meth:`load` opens it with ``torch.load(weights_only=True)``,
        so loading never runs arbitrary code. Parameters that are classes or
        functions (``criterion``, ``optimizer`` …) are stored by import path
        and re-imported only from ``torch``, ``skorch``, ``sklearn``,
        ``numpy`` and ``skseizure``. The optimizer state is not saved: a
        loaded estimator predicts bit-identically, and training it again
        starts with a fresh optimizer.

        Parameters
        ----------
        path : str or path-like
            Target file (suggested suffix ``.skseizure.pt``).
        overwrite : bool, default=False
            An existing file is an error unless True.

        Returns
        -------
        path : pathlib.Path
        """
        from .serialization import save_estimator

        return save_estimator(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path, *, device=None):
        """Load an estimator written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
        device : str or None
            Map the weights to this device (default: the saved ``device``,
            or CPU when CUDA is unavailable).

        Returns
        -------
        estimator : instance of ``cls`` (or of the saved class when called on
            ``BaseNetClassifier``)

        Raises
        ------
        ValueError
            If the file holds a different estimator/architecture than ``cls``
            or is not an skseizure file.
        """
        from .serialization import load_estimator

        return load_estimator(cls, path, device=device)


def _silent(*args, **kwargs):
    """Sink that discards callback messages (verbosity is the estimator's job)."""
    return None

