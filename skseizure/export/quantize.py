"""Static int8 quantisation of exported models and the score change it causes.

:func:`quantize_int8` applies onnxruntime's static quantisation
(:func:`onnxruntime.quantization.quantize_static`, QDQ format): weights become int8
(per output channel), activations uint8 with ranges calibrated on a few hundred
training windows (:class:`WindowCalibrationReader`). :func:`int8_score_change`
compares the float32 and int8 models on held-out windows (accuracy, AUROC, agreement).
Recurrent operators (the LSTM of CNN-BiLSTM) are left in float32 by static
quantisation; convolutions and matrix products are quantised.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .onnx import INPUT_NAME, SUPPORTS_NAME, _require, _write_atomically
from .runtime import onnx_metadata, onnx_predict_proba

__all__ = ["WindowCalibrationReader", "quantize_int8", "int8_score_change"]


class _QuietOrtLogs(logging.Filter):
    """Drop onnxruntime.quantization's root-logger notes (e.g. per-channel axis on 1-D weights)."""

    def filter(self, record):
        return "onnxruntime" not in str(record.pathname) or record.levelno >= logging.ERROR


try:  # the reader is an onnxruntime CalibrationDataReader when onnxruntime is installed
    from onnxruntime.quantization import CalibrationDataReader as _ReaderBase
except ImportError:  # pragma: no cover - the functions below then explain what to install
    _ReaderBase = object


class WindowCalibrationReader(_ReaderBase):
    """Calibration batches for :func:`onnxruntime.quantization.quantize_static`.

    An onnxruntime ``CalibrationDataReader``: ``get_next`` returns the next feed
    dict (``{"windows": batch}``, plus ``"supports"``) and None when exhausted.

    Parameters
    ----------
    X : ndarray
        Training inputs of the network (``(n, C, T)`` windows …), float32.
    supports : ndarray of shape (n, S, C, C) or None
        Per-clip graph supports (DCRNN with a per-clip graph).
    n_windows : int, default=300
        Windows drawn (without replacement, seeded) from ``X``; all if fewer.
    batch_size : int, default=32
    random_state : int, default=0
    """

    def __init__(self, X, supports=None, n_windows=300, batch_size=32, random_state=0):
        X = np.asarray(X, dtype=np.float32)
        if X.ndim < 2 or X.shape[0] == 0:
            raise ValueError(f"calibration_X must hold at least one window; got shape {X.shape}.")
        if not np.all(np.isfinite(X)):
            raise ValueError("calibration_X holds NaN or inf values.")
        if supports is not None and len(supports) != len(X):
            raise ValueError(f"{len(supports)} supports for {len(X)} calibration windows.")
        rng = np.random.default_rng(random_state)
        n = min(int(n_windows), X.shape[0])
        idx = np.sort(rng.choice(X.shape[0], size=n, replace=False))
        self.X = X[idx]
        self.supports = None if supports is None else np.asarray(supports, np.float32)[idx]
        self.batch_size = int(batch_size)
        self.rewind()

    def rewind(self):
        """Start again from the first batch."""
        self._pos = 0

    def get_next(self):
        """The next feed dict, or None when exhausted."""
        if self._pos >= len(self.X):
            return None
        sl = slice(self._pos, self._pos + self.batch_size)
        self._pos += self.batch_size
        feed = {INPUT_NAME: np.ascontiguousarray(self.X[sl])}
        if self.supports is not None:
            feed[SUPPORTS_NAME] = np.ascontiguousarray(self.supports[sl])
        return feed


def quantize_int8(onnx_path, out_path, calibration_X, *, calibration_supports=None,
                  n_calibration=300, per_channel=True, calibrate_method="minmax",
                  overwrite=False, random_state=0):
    """Statically quantise an exported model to int8, calibrated on training windows.

    Parameters
    ----------
    onnx_path : str or path-like
        Float32 model written by :func:`~skseizure.export.to_onnx`.
    out_path : str or path-like
        Target of the int8 model (written to a temporary file beside it, then moved).
    calibration_X : ndarray
        **Training** inputs of the network (never the test windows), already
        preprocessed as the network expects.
    calibration_supports : ndarray of shape (n, S, C, C) or None
        Their graph supports (DCRNN with a per-clip graph: ``estimator.graph_.supports(X)``).
    n_calibration : int, default=300
        Windows drawn (seeded) from ``calibration_X`` to calibrate the activation ranges.
    per_channel : bool, default=True
        One weight scale per output channel (recommended for convolutions).
    calibrate_method : {"minmax", "entropy", "percentile"}, default="minmax"
    overwrite : bool, default=False
    random_state : int, default=0
        Seeds the choice of calibration windows.

    Returns
    -------
    path : pathlib.Path
        The int8 model (QDQ format: int8 weights, uint8 activations); same inputs and
        output as the float32 model, and the same metadata.

    Raises
    ------
    FileNotFoundError
        ``onnx_path`` does not exist.
    FileExistsError
        ``out_path`` exists and ``overwrite`` is False.
    ValueError
        Bad calibration data or method.
    """
    onnx = _require("onnx")
    q = _require("onnxruntime.quantization")
    onnx_path = Path(onnx_path)
    if not onnx_path.is_file():
        raise FileNotFoundError(f"No ONNX model at {onnx_path}.")
    methods = {"minmax": q.CalibrationMethod.MinMax, "entropy": q.CalibrationMethod.Entropy,
               "percentile": q.CalibrationMethod.Percentile}
    if calibrate_method not in methods:
        raise ValueError(f"calibrate_method must be one of {sorted(methods)}; "
                         f"got {calibrate_method!r}.")
    meta = onnx_metadata(onnx_path)
    shape = meta.get("input_shape")
    X = np.asarray(calibration_X, dtype=np.float32)
    if shape is not None and tuple(X.shape[1:]) != tuple(shape):
        raise ValueError(f"calibration_X has windows of shape {X.shape[1:]}; the model takes "
                         f"{tuple(shape)}.")
    if meta.get("graph") == "input" and calibration_supports is None:
        raise ValueError("The model takes per-clip graph supports: pass calibration_supports="
                         "estimator.graph_.supports(calibration_X).")
    reader = WindowCalibrationReader(X, calibration_supports, n_windows=n_calibration,
                                     random_state=random_state)

    def write(tmp):
        prep = tmp + ".prep.onnx"
        quiet = _QuietOrtLogs()
        logging.getLogger().addFilter(quiet)
        try:
            try:  # shape inference + graph optimisation, as onnxruntime recommends
                q.quant_pre_process(str(onnx_path), prep, skip_symbolic_shape=True)
                source = prep
            except Exception:  # pragma: no cover - fall back to the model as exported
                source = str(onnx_path)
            q.quantize_static(source, tmp, reader, quant_format=q.QuantFormat.QDQ,
                              per_channel=bool(per_channel),
                              activation_type=q.QuantType.QUInt8,
                              weight_type=q.QuantType.QInt8,
                              calibrate_method=methods[calibrate_method],
                              extra_options={"ActivationSymmetric": False})
        finally:
            logging.getLogger().removeFilter(quiet)
            Path(prep).unlink(missing_ok=True)
        model = onnx.load(tmp)
        keep = {p.key for p in model.metadata_props}
        for p in onnx.load(str(onnx_path)).metadata_props:
            if p.key not in keep:
                model.metadata_props.add(key=p.key, value=p.value)
        model.metadata_props.add(key="skseizure.quantization", value="int8-static-qdq")
        onnx.save(model, tmp)

    return _write_atomically(out_path, overwrite, write)


def int8_score_change(float_model, int8_model, X, y, *, supports=None, positive_class=None):
    """Scores of the float32 and int8 models on held-out windows, and their change.

    Parameters
    ----------
    float_model, int8_model : str, path-like or onnxruntime.InferenceSession
    X : ndarray
        Held-out inputs of the network (windows not used for training or calibration).
    y : array-like of shape (n,)
        Their labels (values of the model's ``classes``).
    supports : ndarray or None
        Per-clip graph supports of ``X`` (DCRNN with a per-clip graph).
    positive_class : label or None
        Class whose probability is scored by AUROC (binary problems; default: the
        last class, e.g. 1 = seizure). Multi-class problems get the macro one-vs-rest
        AUROC.

    Returns
    -------
    scores : dict
        ``accuracy_float32``, ``accuracy_int8``, ``auroc_float32``, ``auroc_int8``,
        ``delta_accuracy`` and ``delta_auroc`` (int8 minus float32), ``agreement``
        (fraction of equal predicted classes) and ``max_abs_proba_diff``.
    """
    from sklearn.metrics import accuracy_score, roc_auc_score

    classes = np.asarray(onnx_metadata(float_model).get("classes", []))
    p32 = onnx_predict_proba(float_model, X, supports=supports)
    p8 = onnx_predict_proba(int8_model, X, supports=supports)
    if classes.size != p32.shape[1]:
        classes = np.arange(p32.shape[1])
    y = np.asarray(y)
    if len(y) != len(p32):
        raise ValueError(f"{len(y)} labels for {len(p32)} windows.")
    unknown = set(np.unique(y).tolist()) - set(classes.tolist())
    if unknown:
        raise ValueError(f"y holds labels {sorted(unknown)} that are not the model's classes "
                         f"{classes.tolist()}.")
    pred32, pred8 = classes[p32.argmax(1)], classes[p8.argmax(1)]

    def auroc(p):
        if np.unique(y).size < 2:
            return float("nan")
        if p.shape[1] == 2:
            if positive_class is None:
                col = -1
            elif positive_class in classes.tolist():
                col = int(np.flatnonzero(classes == positive_class)[0])
            else:
                raise ValueError(f"positive_class {positive_class!r} is not one of the "
                                 f"model's classes {classes.tolist()}.")
            return float(roc_auc_score(y == classes[col], p[:, col]))
        return float(roc_auc_score(y, p, multi_class="ovr", labels=classes))

    out = {"accuracy_float32": float(accuracy_score(y, pred32)),
           "accuracy_int8": float(accuracy_score(y, pred8)),
           "auroc_float32": auroc(p32), "auroc_int8": auroc(p8)}
    out["delta_accuracy"] = out["accuracy_int8"] - out["accuracy_float32"]
    out["delta_auroc"] = out["auroc_int8"] - out["auroc_float32"]
    out["agreement"] = float(np.mean(pred32 == pred8))
    out["max_abs_proba_diff"] = float(np.abs(p32 - p8).max())
    return out
