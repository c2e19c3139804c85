"""Occlusion maps (Zeiler & Fergus 2013) as used by Tang et al. (ICLR 2022, Section 2.4).

Work with **any fitted estimator** (or ``Pipeline``) that has ``decision_function`` or
``predict_proba``:

- :func:`occlusion_map` zero-fills one channel during one time step (one second with
  1-s FFT steps) at a time and records ``original - occluded`` of the model's output,
  then min-max scales every clip to [0, 1] -> ``(n_clips, n_channels, n_steps)``.
- :func:`channel_drop_map` zero-fills one whole channel at a time -> ``(n_clips, n_channels)``
  (the paper's map for seizure classification).

What is occluded depends on the input the estimator receives:

- FFT features ``(n, T, C, M)``: the row ``X[i, t, c, :]`` (one channel, one step).
- raw windows ``(n, C, L)``: ``sfreq`` samples (``X[i, c, t*sfreq:(t+1)*sfreq]``), e.g. for a
  ``Pipeline(FFTLogAmplitude, DCRNNClassifier)``; the last partial second, if any, is a
  step of its own.

The paper zero-fills the network's (standardised) input. ``fill_value="auto"`` does that
for estimators that standardise internally: :class:`~skseizure.estimators.DCRNNClassifier`
exposes ``occlusion_fill_value_`` (its training mean, which maps to 0 after its
standardisation); otherwise 0 in the units of ``X`` is used.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["occlusion_map", "channel_drop_map", "model_output"]


def _final_estimator(estimator):
    steps = getattr(estimator, "steps", None)
    if steps:
        return steps[-1][1], len(steps)
    return estimator, 1


def model_output(estimator, X, output="logit", target=None):
    """The scalar per clip that the occlusion maps explain.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
    X : array-like
    output : {"logit", "proba"}, default="logit"
        ``"logit"``: ``decision_function`` (the paper's choice; for a binary DCRNN this is
        the single output logit ``z``); ``"proba"``: ``predict_proba``.
    target : int, array-like of int or None
        Column (class index in ``classes_`` order) to explain when the output has several
        columns. For binary problems the positive class. ``None``: for 2-D outputs the
        class given per clip by the caller, else column 1 for probabilities.

    Returns
    -------
    values : ndarray of shape (n,) or (n, n_classes)
    """
    if output == "logit":
        if not hasattr(estimator, "decision_function"):
            raise AttributeError(
                f"{type(estimator).__name__} has no decision_function; use output='proba'."
            )
        out = np.asarray(estimator.decision_function(X), dtype=np.float64)
    elif output == "proba":
        out = np.asarray(estimator.predict_proba(X), dtype=np.float64)
        if out.ndim == 2 and out.shape[1] == 2 and target is None:
            out = out[:, 1]
    else:
        raise ValueError(f"output must be 'logit' or 'proba'; got {output!r}.")
    if out.ndim == 2 and target is not None:
        t = np.broadcast_to(np.asarray(target), (out.shape[0],))
        out = out[np.arange(out.shape[0]), t]
    return out


def _resolve_fill(estimator, X, fill_value):
    if isinstance(fill_value, str):
        if fill_value != "auto":
            raise ValueError(f"fill_value must be a number or 'auto'; got {fill_value!r}.")
        final, n_steps = _final_estimator(estimator)
        if n_steps == 1 and X.ndim == 4 and hasattr(final, "occlusion_fill_value_"):
            return float(final.occlusion_fill_value_)
        return 0.0
    if not isinstance(fill_value, numbers.Real):
        raise ValueError(f"fill_value must be a number or 'auto'; got {fill_value!r}.")
    return float(fill_value)


def _segments(X, sfreq):
    """(n_channels, list of (time-axis slice)) for the input layout of ``X``."""
    if X.ndim == 4:
        return X.shape[2], [slice(t, t + 1) for t in range(X.shape[1])]
    if X.ndim == 3:
        if sfreq is None:
            raise ValueError(
                "X is raw windows (n, C, L): pass sfreq (Hz) so that one occluded step is one "
                "second."
            )
        step = int(round(float(sfreq)))
        if step <= 0:
            raise ValueError(f"sfreq must be positive; got {sfreq!r}.")
        L = X.shape[2]
        return X.shape[1], [slice(s, min(s + step, L)) for s in range(0, L, step)]
    raise ValueError(f"X must be (n, T, C, M) features or (n, C, L) windows; got shape {X.shape}.")


def _axes(X):
    """(channel axis, time axis) of the occlusions for the layout of ``X`` (clip axis 0)."""
    return (2, 1) if X.ndim == 4 else (1, 2)


def _occluded_batch(X, clips, chans, t0, t1, fill):
    """Copies of ``X[clips]`` with channel ``chans[k]`` zero-filled over ``[t0[k], t1[k])``.

    Vectorised: one boolean mask built by broadcasting channel and time ranges.
    """
    ch_axis, t_axis = _axes(X)
    batch = X[clips]
    col = (len(clips),) + (1,) * (X.ndim - 1)
    ch_shape, t_shape = [1] * X.ndim, [1] * X.ndim
    ch_shape[ch_axis], t_shape[t_axis] = X.shape[ch_axis], X.shape[t_axis]
    ch_idx = np.arange(X.shape[ch_axis]).reshape(ch_shape)
    t_idx = np.arange(X.shape[t_axis]).reshape(t_shape)
    mask = ((ch_idx == chans.reshape(col)) & (t_idx >= t0.reshape(col))
            & (t_idx < t1.reshape(col)))
    batch[np.broadcast_to(mask, batch.shape)] = fill
    return batch


def _minmax(M):
    flat = M.reshape(M.shape[0], -1)
    lo = flat.min(1, keepdims=True)
    hi = flat.max(1, keepdims=True)
    span = hi - lo
    out = np.where(span > 0, (flat - lo) / np.where(span > 0, span, 1.0), 0.0)
    return out.reshape(M.shape)


def _explain(estimator, X, chans, t0, t1, output, target, fill, batch_size):
    """output(original) - output(occluded) for every clip and occlusion position.

    The ``n_clips * n_positions`` occluded copies are built and evaluated in batches of
    ``batch_size`` that mix clips, so that a network on a GPU sees full batches.
    """
    n, P = X.shape[0], chans.size
    orig_all = model_output(estimator, X, output)
    if orig_all.ndim == 2:
        tgt = orig_all.argmax(1) if target is None else np.broadcast_to(np.asarray(target), (n,))
        orig = orig_all[np.arange(n), tgt]
    else:
        tgt = None
        orig = orig_all
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size}.")
    diffs = np.empty(n * P, dtype=np.float64)
    for s in range(0, n * P, batch_size):
        k = np.arange(s, min(s + batch_size, n * P))
        clips, pos = k // P, k % P
        batch = _occluded_batch(X, clips, chans[pos], t0[pos], t1[pos], fill)
        vals = model_output(estimator, batch, output, None if tgt is None else tgt[clips])
        diffs[k] = orig[clips] - vals
    return diffs.reshape(n, P)


def occlusion_map(estimator, X, *, sfreq=None, output="logit", target=None, fill_value="auto",
                  normalize=True, batch_size=256):
    """Channel x second occlusion map of every clip (Tang et al. 2022, Section 2.4, detection).

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        Anything with ``decision_function`` (``output="logit"``) or ``predict_proba``.
    X : array-like of shape (n, T, C, M) or (n, C, L)
        What ``estimator`` takes: FFT features (one step per occlusion) or raw windows
        (``sfreq`` samples per occlusion).
    sfreq : float or None
        Sampling frequency in Hz; required for raw windows.
    output : {"logit", "proba"}, default="logit"
        Explain the logit (the paper) or a probability. With ``"logit"`` the map is not
        bounded by the saturation of the sigmoid.
    target : int or None
        Class index (``classes_`` order) for multi-class outputs; ``None`` uses each
        clip's predicted class. Binary: the positive class.
    fill_value : float or "auto", default="auto"
        Value written into the occluded entries (see the module docstring).
    normalize : bool, default=True
        Min-max scale each clip's map to [0, 1] (a constant map becomes all zeros). With
        ``False`` the raw differences ``original - occluded`` are returned.
    batch_size : int, default=256
        Occluded copies evaluated per call of the estimator; copies of several clips
        share a batch, so a network on a GPU runs full batches on its device.

    Returns
    -------
    M : ndarray of shape (n, n_channels, n_steps), float64
        ``M[i, c, t]``: (scaled) drop of the output when channel ``c`` is occluded during
        step ``t`` of clip ``i``. Larger = more important for the output.
    """
    X = np.asarray(X, dtype=np.float32)
    n_ch, segs = _segments(X, sfreq)
    fill = _resolve_fill(estimator, X, fill_value)
    chans = np.repeat(np.arange(n_ch), len(segs))
    t0 = np.tile([sl.start for sl in segs], n_ch)
    t1 = np.tile([sl.stop for sl in segs], n_ch)
    diffs = _explain(estimator, X, chans, t0, t1, output, target, fill, batch_size)
    M = diffs.reshape(X.shape[0], n_ch, len(segs))
    return _minmax(M) if normalize else M


def channel_drop_map(estimator, X, *, output="logit", target=None, fill_value="auto",
                     normalize=True, batch_size=256):
    """Per-channel importance: drop (zero-fill) one whole channel at a time.

    The paper's occlusion for seizure *classification* (Section 2.4): ``M'_c = original -
    output with channel c dropped``. Dropping is zero-filling the channel over the whole
    clip (model-agnostic; the graph of a DCRNN keeps the node).

    Parameters
    ----------
    estimator, X, output, target, fill_value, normalize, batch_size
        As :func:`occlusion_map` (no ``sfreq`` needed).

    Returns
    -------
    M : ndarray of shape (n, n_channels), float64
        Min-max scaled per clip when ``normalize``.
    """
    X = np.asarray(X, dtype=np.float32)
    if X.ndim not in (3, 4):
        raise ValueError(f"X must be (n, T, C, M) or (n, C, L); got shape {X.shape}.")
    ch_axis, t_axis = _axes(X)
    n_ch = X.shape[ch_axis]
    fill = _resolve_fill(estimator, X, fill_value)
    chans = np.arange(n_ch)
    t0, t1 = np.zeros(n_ch, dtype=np.int64), np.full(n_ch, X.shape[t_axis])
    M = _explain(estimator, X, chans, t0, t1, output, target, fill, batch_size)
    return _minmax(M) if normalize else M
