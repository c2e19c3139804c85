"""The shared skorch base of every skseizure network estimator.

``BaseNetClassifier`` turns a plain ``nn.Module`` whose constructor follows the
braindecode convention ``Module(n_chans, n_outputs, n_times, **hyper)`` into a
scikit-learn classifier:

- every hyper-parameter is an ``__init__`` argument (including ``module__*``);
- input shapes are inferred in ``fit`` into fitted attributes
  (``n_channels_in_``, ``n_times_in_``, ``input_shape_``, ``classes_``) and are
  **never** written back into the parameters, so ``get_params()`` is the same
  before and after ``fit`` and ``clone`` gives a truly unfitted copy; windows of
  another shape are refused at predict time;
- the internal validation split (early stopping, learning-rate plateau) is
  **subject-wise** when ``groups`` are given (a warning says so when they are not);
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
not take ``(n, C, T)`` windows override ``_input_ndim`` / ``_channel_axis`` /
``_input_axis_names`` and ``_module_kwargs_from_data``. The training helpers
(inner split, seeded loader, epoch scorers) live in
:mod:`skseizure.estimators.training`.
"""

from __future__ import annotations

import inspect

import torch
from skorch import NeuralNetClassifier
from skorch.utils import is_dataset, to_numpy

from .._utils.random import seed_from_random_state
from .._utils.validation import check_groups
from ._components import NetComponentsMixin, check_precision
from .persistence import load_estimator, save_estimator
from .sampling import resolve_groups
from .training import warn_window_wise_split

__all__ = ["BaseNetClassifier"]


# --------------------------------------------------------------------------- #
class BaseNetClassifier(NetComponentsMixin, NeuralNetClassifier):
    """skorch ``NeuralNetClassifier`` with scikit-learn semantics for EEG windows.

    Subclasses fix ``module`` and list their ``module__*`` hyper-parameters
    explicitly; this base adds the training recipe of Mounvik K and Harshit
    (2025), "Accuracy-Constrained CNN Pruning for Efficient and Reliable EEG-Based
    Seizure Detection" (arXiv 2509.05190) and the behaviour described in the
    module docstring.

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
        Initial learning rate (the paper's).
    max_epochs : int, default=120
        Upper bound on epochs (the paper's).
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
        :func:`~skseizure.estimators.inner_validation_split`); without them it
        is window-wise and ``fit`` warns
        (:class:`~skseizure.estimators.training.WindowWiseSplitWarning`).
        ``None`` or 0 disables validation.
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
    precision : {None, 'float32', 'bfloat16', 'float16'}, default=None
        Mixed precision: the forward pass of training and prediction runs under
        :func:`torch.autocast` with this dtype on ``device`` (outputs are cast back
        to float32). ``'bfloat16'`` needs no loss scaling and suits recent GPUs and
        CPUs; ``'float16'`` is for GPUs (small losses may underflow without a
        gradient scaler). None / ``'float32'``: full precision.
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
    input_shape_ : tuple of int
        Shape of one input window seen in ``fit`` (``(n_channels, n_times)``
        for raw windows); predicting on another shape is a ``ValueError``.
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
    #: Names of the non-batch input axes (used in shape-mismatch errors).
    _input_axis_names = ("n_channels", "n_times")

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
        precision=None,
        verbose=0,
        iterator_train__shuffle=True,
        **kwargs,
    ):
        super().__init__(
            module=module, criterion=criterion, optimizer=optimizer, lr=lr,
            max_epochs=max_epochs, batch_size=batch_size, train_split=train_split,
            device=device, verbose=verbose, iterator_train__shuffle=iterator_train__shuffle,
            **kwargs,
        )
        self.patience = patience
        self.lr_patience = lr_patience
        self.lr_factor = lr_factor
        self.valid_size = valid_size
        self.class_weight = class_weight
        self.random_state = random_state
        self.precision = precision

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
    # fit / predict
    # ------------------------------------------------------------------ #
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
                if groups is None and self._has_validation() and self.train_split == "auto":
                    warn_window_wise_split(type(self).__name__, stacklevel=4)
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
            Class labels (ints, strings …); NaN, None or inf are refused.
        groups : array-like of shape (n_windows,), default=None
            Subject ids; make the internal validation split subject-wise
            (without them, and with a validation split, ``fit`` warns).
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
        check_precision(self.precision)
        # Windows resampled by WindowResampler carry their (resampled) subject
        # ids; those are the aligned ones, so they win over ``groups``.
        groups = resolve_groups(X, groups)
        X = self._check_X(X, reset=fresh)
        if not fresh:
            self._check_input_shape(X)
        y_enc = self._encode_y(y, reset=fresh)
        if X.shape[0] != y_enc.shape[0]:
            raise ValueError(f"X has {X.shape[0]} windows but y has {y_enc.shape[0]} labels.")
        groups = check_groups(groups, X.shape[0])
        if fresh:
            self.input_shape_ = tuple(int(s) for s in X.shape[1:])
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
        X = self._check_input_shape(self._check_X(X, reset=False))
        y_enc = self._encode_y(y, reset=False)
        groups = check_groups(groups, X.shape[0])
        return self._fit_encoded(X, y_enc, groups, fit_params, False)

    def _check_predict_input(self, X):
        self.check_is_fitted()
        if is_dataset(X):
            return X
        return self._check_input_shape(self._check_X(X, reset=False))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_times)
            Windows of the shape seen in ``fit``.

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
        numbers, with a SHA-256 checksum; :meth:`load` opens it with
        ``torch.load(weights_only=True)`` and never runs code from it (see
        :mod:`skseizure.estimators.persistence`). Parameters that are classes
        (``criterion``, ``optimizer`` …) are stored by name and restored only
        from a closed registry. The file is written to a temporary file beside
        ``path`` and moved into place atomically. The optimizer state is not
        saved: a loaded estimator predicts bit-identically, and training it
        again starts with a fresh optimizer.

        Parameters
        ----------
        path : str or path-like
            Target file (suggested suffix ``.skseizure.pt``).
        overwrite : bool, default=False
            An existing file is an error unless True.

        Returns
        -------
        path : pathlib.Path

        Raises
        ------
        FileExistsError
            ``path`` exists and ``overwrite`` is False.
        IsADirectoryError
            ``path`` is a folder.
        """
        return save_estimator(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path, *, device=None, trusted=None):
        """Load an estimator written by :meth:`save` (no code from the file runs).

        Parameters
        ----------
        path : str or path-like
        device : str or None
            Map the weights to this device (default: the saved ``device``,
            or CPU when CUDA is unavailable).
        trusted : list of str or None
            Dotted names of classes outside skseizure's registry that the file
            may name (e.g. a custom loss), skops-style.

        Returns
        -------
        estimator : instance of ``cls`` (or of the saved class when called on
            ``BaseNetClassifier``)

        Raises
        ------
        ModelFileError
            (a ``ValueError``) The file holds a different estimator/architecture
            than ``cls``, is not an skseizure file, is corrupted, or names a
            class that is not trusted.
        """
        return load_estimator(path, cls=cls, exact=cls is not BaseNetClassifier,
                              device=device, trusted=trusted)
