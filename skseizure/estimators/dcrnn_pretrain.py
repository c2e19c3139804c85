"""Self-supervised DCRNN pre-training on EEG graphs (Tang et al., 2022, "Self-supervised
graph neural networks for improved electroencephalographic seizure analysis", ICLR).

The fitted encoder initialises :class:`~skseizure.estimators.DCRNNClassifier` through its
``pretrained`` parameter.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.base import RegressorMixin
from skorch import NeuralNet
from skorch.utils import to_tensor

from .._utils.random import seed_from_random_state
from .._utils.validation import check_groups, check_windows
from ..models.dcrnn import DCRNNSeq2Seq
from ._graph_input import GraphInputMixin
from .persistence import load_estimator, save_estimator
from .training import check_input_shape, inner_validation_split, seeded_iterator

__all__ = ["DCRNNPretrainer"]


class DCRNNPretrainer(GraphInputMixin, RegressorMixin, NeuralNet):
    """Self-supervised DCRNN pre-training: predict the next clip's features (Tang et al., 2022, Sec. 2.3).

    A sequence-to-sequence DCGRU encoder-decoder (:class:`skseizure.models.DCRNNSeq2Seq`)
    reads a clip of ``T`` steps and predicts the next ``horizon`` steps of the
    (standardised) log-amplitude features; the loss is the mean absolute error. The
    fitted encoder initialises :class:`DCRNNClassifier` through its ``pretrained``
    parameter.

    Training pairs:

    - ``fit(X, y)``: ``X`` ``(n, T, C, M)`` the current clips, ``y`` ``(n, T2, C, M)`` the
      next clips; the target is ``y[:, :horizon]`` (the paper: 12-s clip -> first 12 s of
      the next clip).
    - ``fit(X)``: each ``X[i]`` is one stretch of consecutive steps; its first
      ``T - horizon`` steps are the input and its last ``horizon`` steps the target.

    Augmentation (same scale and reflection on input and target) and the graph
    (computed on the *input* clip) are as in :class:`DCRNNClassifier`.

    Parameters
    ----------
    graph : DistanceGraph, CorrelationGraph or None, default=None
    horizon : int, default=12
        Steps predicted (``T'``).
    module__num_units : int, default=64
    module__num_layers : int, default=3
    module__max_diffusion_step : int, default=2
    module__dropout : float, default=0.0
    module__chain_supports : bool, default=False
    module__share_decoder_cells : bool, default=True
        Decoder layers ``1..L-1`` share one cell as in the authors' code (gives the
        paper's 417,572 / 690,980 parameters).
    standardize, augment, scale_range, reflect_prob
        As :class:`DCRNNClassifier`.
    lr : float, default=5e-4
    optimizer__weight_decay : float, default=5e-4
    max_epochs : int, default=350
    batch_size : int, default=40
    patience : int or None, default=5
    clip_grad_norm : float, default=5.0
    valid_size : float or None, default=0.1
        Subject-wise with ``groups``.
    random_state : int, RandomState or None
    device : str, default="cpu"
    verbose : int, default=0

    Attributes
    ----------
    graph_ : fitted graph builder
    ch_names_ : list of str or None
    mean_, std_ : float
        Global standardisation constants (log-amplitude units).
    reflect_perm_ : ndarray of int or None
    n_channels_in_, n_steps_in_, n_bins_in_ : int
        Shape of the *input* clips seen in ``fit`` (``n_steps_in_`` excludes the
        ``horizon`` target steps when ``fit(X)`` splits each stretch).
    input_shape_ : tuple of int
        ``(n_steps_in_, n_channels_in_, n_bins_in_)``; :meth:`predict` refuses other
        shapes.
    module_kwargs_from_data_ : dict
    random_seed_ : int
    valid_indices_ : ndarray or None
    module_, history_
        The trained encoder-decoder and the per-epoch log.

    Notes
    -----
    The authors train with an RMSE by accident (``loss_fn="MAE"`` is compared with
    ``'mae'``) and evaluate with MAE; this estimator trains with MAE as the paper says.
    Teacher forcing (off by default in their code) is not implemented.
    """

    __metadata_request__fit = {"groups": True}

    def __init__(
        self,
        graph=None,
        *,
        horizon=12,
        module__num_units=64,
        module__num_layers=3,
        module__max_diffusion_step=2,
        module__dropout=0.0,
        module__chain_supports=False,
        module__share_decoder_cells=True,
        standardize=True,
        augment=True,
        scale_range=(0.8, 1.2),
        reflect_prob=0.5,
        lr=5e-4,
        optimizer__weight_decay=5e-4,
        max_epochs=350,
        batch_size=40,
        patience=5,
        clip_grad_norm=5.0,
        valid_size=0.1,
        random_state=None,
        device="cpu",
        verbose=0,
        iterator_train__shuffle=True,
        **kwargs,
    ):
        super().__init__(
            module=DCRNNSeq2Seq,
            criterion=torch.nn.L1Loss,
            optimizer=torch.optim.Adam,
            module__num_units=module__num_units,
            module__num_layers=module__num_layers,
            module__max_diffusion_step=module__max_diffusion_step,
            module__dropout=module__dropout,
            module__chain_supports=module__chain_supports,
            module__share_decoder_cells=module__share_decoder_cells,
            lr=lr,
            optimizer__weight_decay=optimizer__weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            device=device,
            verbose=verbose,
            iterator_train__shuffle=iterator_train__shuffle,
            train_split=None,
            **kwargs,
        )
        self.graph = graph
        self.horizon = horizon
        self.standardize = standardize
        self.augment = augment
        self.scale_range = scale_range
        self.reflect_prob = reflect_prob
        self.patience = patience
        self.clip_grad_norm = clip_grad_norm
        self.valid_size = valid_size
        self.random_state = random_state

    def _get_param_names(self):
        return [n for n in super()._get_param_names()
                if n not in ("module", "criterion", "optimizer", "train_split")
                and not n.startswith("_")]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.non_deterministic = self.random_state is None
        return tags

    def _has_validation(self):
        return bool(self.valid_size)

    @property
    def _default_callbacks(self):
        from skorch.callbacks import EpochTimer, PassthroughScoring, PrintLog

        cbs = [("epoch_timer", EpochTimer()),
               ("train_loss", PassthroughScoring(name="train_loss", on_train=True))]
        if self._has_validation():
            cbs.append(("valid_loss", PassthroughScoring(name="valid_loss")))
        cbs += self._training_callbacks(self._has_validation())
        cbs.append(("print_log", PrintLog()))
        return cbs

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        kwargs.update(getattr(self, "module_kwargs_from_data_", {}) or {})
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def get_iterator(self, dataset, training=False):
        return seeded_iterator(self, dataset, training)

    def get_split_datasets(self, X, y=None, **fit_params):
        dataset = self.get_dataset(X, y)
        self.valid_indices_ = None
        if not self._has_validation():
            return dataset, None
        groups = getattr(self, "fit_groups_", None)
        dummy = np.zeros(len(dataset), dtype=np.int64)
        train_idx, valid_idx = inner_validation_split(
            dummy, groups, self.valid_size, random_state=self.random_seed_)
        self.valid_indices_ = np.asarray(valid_idx)
        return (torch.utils.data.Subset(dataset, train_idx),
                torch.utils.data.Subset(dataset, valid_idx))

    # ---------------------------------------------------------------- data
    def _split_pairs(self, X, y):
        h = self.horizon
        if not (isinstance(h, numbers.Integral) and h >= 1):
            raise ValueError(f"horizon must be a positive integer; got {h!r}.")
        if y is None:
            if X.shape[1] <= h:
                raise ValueError(
                    f"fit(X) without y splits each stretch into input and target: it needs more "
                    f"than horizon={h} steps, got {X.shape[1]}."
                )
            return np.ascontiguousarray(X[:, :-h]), np.ascontiguousarray(X[:, -h:])
        y = check_windows(y, ndim=4, dtype=np.float32, name="y")
        if y.shape[0] != X.shape[0] or y.shape[2:] != X.shape[2:]:
            raise ValueError(
                f"y (next clips) must be (n, T2, C, M) matching X {X.shape}; got {y.shape}."
            )
        if y.shape[1] < h:
            raise ValueError(f"y has {y.shape[1]} steps, fewer than horizon={h}.")
        return X, np.ascontiguousarray(y[:, :h])

    def fit(self, X, y=None, groups=None, **fit_params):
        """Pre-train the encoder-decoder.

        Parameters
        ----------
        X : array-like of shape (n, T, C, M)
            Log-amplitude FFT clips (unstandardised).
        y : array-like of shape (n, T2, C, M) or None
            Next clips (``T2 >= horizon``); ``None`` splits ``X`` (see class docstring).
        groups : array-like of shape (n,) or None
            Subject ids: subject-wise inner validation split.

        Returns
        -------
        self
        """
        X = self._check_features(X, reset=True)
        groups = check_groups(groups, X.shape[0])
        Xin, Y = self._split_pairs(X, y)
        self._fit_graph(Xin)
        self.input_shape_ = tuple(int(s) for s in Xin.shape[1:])
        self.module_kwargs_from_data_ = {"input_dim": self.n_bins_in_,
                                         "filter_type": self.graph_.filter_type,
                                         "horizon": int(self.horizon)}
        self.random_seed_ = seed_from_random_state(self.random_state)
        return self._train(Xin, Y, groups, fit_params, first_call=True)

    def partial_fit(self, X, y=None, groups=None, **fit_params):
        """Continue pre-training for ``max_epochs`` more epochs (first call = :meth:`fit`).

        Parameters
        ----------
        X, y, groups
            As in :meth:`fit`; the input clips must have the fitted shape.

        Returns
        -------
        self
        """
        if not (self.initialized_ and hasattr(self, "input_shape_")):
            return self.fit(X, y, groups=groups, **fit_params)
        X = self._check_features(X, reset=False)
        groups = check_groups(groups, X.shape[0])
        Xin, Y = self._split_pairs(X, y)
        self._check_steps(Xin)
        return self._train(Xin, Y, groups, fit_params, first_call=False)

    def _train(self, Xin, Y, groups, fit_params, first_call):
        self.fit_groups_ = groups
        try:
            # fork_rng: weight init, dropout and augmentation depend on random_state only
            with torch.random.fork_rng(devices=[]):
                offset = 0 if first_call else 7919 * len(self.history_ or [])
                torch.manual_seed(self.random_seed_ + offset)
                if first_call:
                    self.initialize()
                NeuralNet.partial_fit(self, Xin, Y, **fit_params)
        finally:
            self.fit_groups_ = None
        return self

    def _check_steps(self, X):
        check_input_shape(X, getattr(self, "input_shape_", None),
                          estimator_name=type(self).__name__,
                          axis_names=self._input_axis_names)
        return X

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        x = to_tensor(Xi, device=self.device)
        y = to_tensor(yi, device=self.device)
        supports = self._supports_for(x)
        if self.augment:
            x, supports, y = self._augment(x, supports, y)
        y_pred = self.module_(self._standardize(x), supports, **fit_params)
        loss = self.get_loss(y_pred, self._standardize(y), X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = batch
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, self._standardize(to_tensor(yi, device=self.device)),
                                 X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}

    def infer(self, x, **fit_params):
        x = to_tensor(x, device=self.device)
        supports = self._supports_for(x)
        return self.module_(self._standardize(x), supports, **fit_params)

    def predict(self, X):
        """Predicted next steps in log-amplitude units, ``(n, horizon, C, M)`` float32."""
        self.check_is_fitted()
        X = self._check_steps(self._check_features(X, reset=False))
        out = NeuralNet.predict_proba(self, X)  # raw module output, no nonlinearity
        return (out * self.std_ + self.mean_).astype(np.float32)

    def score(self, X, y=None, sample_weight=None):
        """Negative mean absolute error (log-amplitude units) of the next-step prediction.

        ``X``, ``y`` as in :meth:`fit` (``y=None`` splits ``X``). Higher is better.
        """
        X = self._check_features(X, reset=False)
        Xin, Y = self._split_pairs(X, y)
        return -float(np.mean(np.abs(self.predict(Xin) - Y)))

    def _get_predict_nonlinearity(self):
        return lambda x: x

    # ---------------------------------------------------------------- persistence
    def save(self, path, *, overwrite=False):
        """Save weights + JSON configuration (see :meth:`BaseNetClassifier.save`).

        Returns
        -------
        path : pathlib.Path
        """
        return save_estimator(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path, *, device=None, trusted=None):
        """Load a pre-trainer written by :meth:`save` (no code from the file runs).

        :func:`skseizure.estimators.persistence.load_estimator` loads it too.
        """
        return load_estimator(path, cls=cls, exact=True, device=device, trusted=trusted)
