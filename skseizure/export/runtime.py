"""Running exported models with onnxruntime: sessions, probabilities, metadata, latency."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .onnx import INPUT_NAME, OUTPUT_NAME, SUPPORTS_NAME, _require

__all__ = ["make_session", "onnx_metadata", "onnx_predict_proba", "measure_latency"]


def make_session(model, n_threads=1):
    """An onnxruntime CPU session for an exported model.

    Parameters
    ----------
    model : str, path-like or onnxruntime.InferenceSession
        ``.onnx`` file (a session is returned unchanged).
    n_threads : int, default=1
        Intra- and inter-op threads (1: the single-core figure of an edge device).

    Returns
    -------
    session : onnxruntime.InferenceSession
    """
    ort = _require("onnxruntime")
    if isinstance(model, ort.InferenceSession):
        return model
    path = Path(model)
    if not path.is_file():
        raise FileNotFoundError(f"No ONNX model at {path}.")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(n_threads)
    opts.inter_op_num_threads = int(n_threads)
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=opts,
                                    providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail / InvalidGraph types
        raise ValueError(f"{path} is not a loadable ONNX model: {exc}") from exc


def onnx_metadata(model):
    """The skseizure metadata stored in an exported model.

    Returns
    -------
    meta : dict
        ``classes`` (list), ``input_shape`` (tuple), ``graph`` (``"none"``,
        ``"constant"`` or ``"input"``), ``network`` and ``estimator`` (class names),
        ``version``; empty for a model not written by skseizure.
    """
    raw = make_session(model).get_modelmeta().custom_metadata_map
    meta = {k[len("skseizure."):]: v for k, v in raw.items() if k.startswith("skseizure.")}
    if "classes" in meta:
        meta["classes"] = json.loads(meta["classes"])
    if "input_shape" in meta:
        meta["input_shape"] = tuple(json.loads(meta["input_shape"]))
    return meta


def _feed(session, X, supports):
    names = [i.name for i in session.get_inputs()]
    if isinstance(X, dict):
        feed = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in X.items()}
    else:
        feed = {INPUT_NAME: np.ascontiguousarray(X, dtype=np.float32)}
        if supports is not None:
            feed[SUPPORTS_NAME] = np.ascontiguousarray(supports, dtype=np.float32)
    missing = sorted(set(names) - set(feed))
    extra = sorted(set(feed) - set(names))
    if missing or extra:
        hint = (" (a per-clip graph: pass supports=estimator.graph_.supports(X))"
                if SUPPORTS_NAME in missing else "")
        raise ValueError(f"The model takes inputs {names}; missing {missing}, unexpected "
                         f"{extra}{hint}.")
    expected = session.get_inputs()[names.index(INPUT_NAME)].shape if INPUT_NAME in names else None
    x = feed.get(INPUT_NAME)
    if expected is not None and x is not None:
        fixed = [d for d in expected[1:]]
        if x.ndim != len(expected) or any(isinstance(d, int) and d != s
                                          for d, s in zip(fixed, x.shape[1:])):
            raise ValueError(f"windows of shape {x.shape} do not fit the model's input "
                             f"{['batch', *fixed]}.")
    return feed


def onnx_predict_proba(model, X, *, supports=None, batch_size=256, n_threads=1):
    """Class probabilities from an exported (float32 or int8) model.

    Parameters
    ----------
    model : str, path-like or onnxruntime.InferenceSession
    X : ndarray or dict
        Network input (``(n, C, T)`` windows, ``(n, 1, E, T)`` signatures or
        ``(n, T, C, M)`` FFT clips), or a feed from
        :func:`~skseizure.export.onnx_input_feed`.
    supports : ndarray of shape (n, S, C, C) or None
        Per-clip graph supports (DCRNN with a per-clip graph only).
    batch_size : int, default=256
    n_threads : int, default=1

    Returns
    -------
    proba : ndarray of shape (n, n_classes), float32
    """
    session = make_session(model, n_threads=n_threads)
    feed = _feed(session, X, supports)
    n = next(iter(feed.values())).shape[0]
    out = [session.run([OUTPUT_NAME], {k: v[i:i + batch_size] for k, v in feed.items()})[0]
           for i in range(0, n, batch_size)]
    return np.concatenate(out, axis=0)


def measure_latency(model, X, *, supports=None, n_runs=200, n_warmup=20, n_threads=1):
    """Batch-1 latency of an exported model with onnxruntime on the CPU.

    Parameters
    ----------
    model : str, path-like or onnxruntime.InferenceSession
    X : ndarray or dict
        Inputs; the first window (and its supports) is run ``n_warmup + n_runs`` times.
    supports : ndarray or None
    n_runs, n_warmup : int
    n_threads : int, default=1

    Returns
    -------
    latency : dict
        ``median_ms``, ``p10_ms``, ``p90_ms`` (milliseconds per call) and ``n_runs``.
    """
    session = make_session(model, n_threads=n_threads)
    feed = {k: v[:1] for k, v in _feed(session, X, supports).items()}
    for _ in range(n_warmup):
        session.run([OUTPUT_NAME], feed)
    times = np.empty(int(n_runs))
    for i in range(int(n_runs)):
        t0 = time.perf_counter()
        session.run([OUTPUT_NAME], feed)
        times[i] = time.perf_counter() - t0
    ms = times * 1e3
    return {"median_ms": float(np.median(ms)), "p10_ms": float(np.percentile(ms, 10)),
            "p90_ms": float(np.percentile(ms, 90)), "n_runs": int(n_runs)}
