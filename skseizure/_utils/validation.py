"""Input validation shared by every skseizure transformer and estimator.

The project's array convention is ``(n_windows, n_channels, n_times)`` float32.
These helpers turn anything array-like into that form or raise an error that
names the problem (wrong number of dimensions, NaN/inf, empty input, channel
count that differs from the one seen in ``fit``, sampling-rate mismatch).
They never silently reshape or drop data.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "check_windows",
    "check_n_channels",
    "check_sfreq",
    "check_frequency_band",
    "check_groups",
    "unwrap_windows",
    "check_positive_number",
    "per_block",
    "is_lazy_windows",
]


def check_windows(
    X,
    *,
    ndim=3,
    dtype=np.float32,
    allow_nan=False,
    min_windows=1,
    name="X",
    copy=False,
    lazy=False,
):
    """Validate a window array and return it as a C-contiguous ndarray.

    Parameters
    ----------
    X : array-like of shape (n_windows, n_channels, n_times)
        Windows of signal. Any numeric dtype; converted to ``dtype``.
    ndim : int or tuple of int, default=3
        Accepted number(s) of dimensions. FFT features use ``ndim=4``
        (``(n_windows, n_steps, n_channels, n_bins)``).
    dtype : numpy dtype or None, default=np.float32
        Target dtype; ``None`` keeps the input's floating dtype.
    allow_nan : bool, default=False
        If False, NaN or +/-inf anywhere in ``X`` raises ``ValueError``.
    min_windows : int, default=1
        Minimum number of windows (first axis).
    name : str, default="X"
        Name used in error messages.
    copy : bool, default=False
        Force a copy even if no conversion is needed.
    lazy : bool, default=False
        If True, a lazy on-disk window array (see :func:`is_lazy_windows`, e.g.
        :attr:`skseizure.datasets.store.WindowStore.X`) is checked without being
        loaded (shape and dtype from its attributes, NaN/inf chunk by chunk unless it
        records ``all_finite=True``) and returned as is. If False it is read into
        memory like any array-like.

    Returns
    -------
    X : ndarray
        The validated array with dtype ``dtype``.

    Raises
    ------
    ValueError
        If ``X`` has the wrong number of dimensions, is empty, holds NaN/inf,
        or is not numeric.
    """
    accepted = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
    if lazy and is_lazy_windows(X):
        return _check_lazy_windows(X, accepted, allow_nan, min_windows, name)
    if hasattr(X, "__array__") or isinstance(X, (list, tuple)):
        try:
            arr = np.asarray(X)
        except (TypeError, ValueError) as exc:  # ragged lists
            raise ValueError(f"{name} could not be converted to an array: {exc}") from exc
    else:
        raise TypeError(f"{name} must be array-like, got {type(X).__name__}.")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if arr.ndim not in accepted:
        shape_doc = {
            2: "(n_windows, n_times)",
            3: "(n_windows, n_channels, n_times)",
            4: "(n_windows, n_steps, n_channels, n_bins)",
        }
        expected = " or ".join(f"{d}-D {shape_doc.get(d, '')}".strip() for d in accepted)
        raise ValueError(
            f"{name} must be {expected}; got an array of shape {arr.shape} "
            f"({arr.ndim}-D)."
        )
    if arr.shape[0] < min_windows:
        raise ValueError(
            f"{name} is empty: found {arr.shape[0]} window(s) (shape {arr.shape}) "
            f"while a minimum of {min_windows} is required."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}.")
    target = arr.dtype if dtype is None and arr.dtype.kind == "f" else dtype
    if target is None:
        target = np.float64
    arr = np.array(arr, dtype=target, order="C", copy=True) if copy else np.ascontiguousarray(
        arr, dtype=target
    )
    if not allow_nan and not _all_finite(arr):
        n_bad = int(np.size(arr) - np.isfinite(arr).sum())
        raise ValueError(
            f"{name} contains NaN or infinity ({n_bad} non-finite value(s)); "
            "clean or interpolate the signal before this step."
        )
    return arr


def is_lazy_windows(X):
    """True for a lazy window array: not an ndarray; has ``shape``, ``read``, ``iter_chunks``."""
    return (not isinstance(X, np.ndarray) and hasattr(X, "shape")
            and callable(getattr(X, "read", None)) and callable(getattr(X, "iter_chunks", None)))


def _check_lazy_windows(X, accepted, allow_nan, min_windows, name, chunk=2048):
    """:func:`check_windows` for a lazy array: bounded memory, ``X`` returned unchanged."""
    shape = tuple(X.shape)
    if len(shape) not in accepted or np.dtype(X.dtype).kind != "f":
        raise ValueError(f"{name} must be a {accepted}-D float array; got shape {shape}, "
                         f"dtype {X.dtype}.")
    if shape[0] < min_windows or int(np.prod(shape)) == 0:
        raise ValueError(f"{name} is empty: shape {shape} (at least {min_windows} window(s)).")
    if not allow_nan and getattr(X, "all_finite", None) is not True:
        for start, _, chunk_arr in X.iter_chunks(chunk):
            if not _all_finite(chunk_arr):
                raise ValueError(
                    f"{name} contains NaN or infinity in windows "
                    f"{start}..{start + len(chunk_arr) - 1}; clean or interpolate the signal "
                    "before this step.")
    return X


def _all_finite(arr):
    """True if ``arr`` holds no NaN/inf, without a full-size boolean temporary.

    A float64 sum (accumulated through numpy's small casting buffers) is finite
    exactly when every value is, unless finite values overflow it; only then is
    the element-wise test run.
    """
    if arr.dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.sum(arr, dtype=np.float64)):
                return True
    return bool(np.isfinite(arr).all())


def check_n_channels(X, n_channels_expected, *, estimator_name="estimator", axis=1):
    """Raise if ``X`` has a different channel count than seen during ``fit``.

    Parameters
    ----------
    X : ndarray
        Validated array.
    n_channels_expected : int
        ``n_channels_in_`` recorded at fit time.
    estimator_name : str
        Name for the error message.
    axis : int, default=1
        Channel axis (1 for ``(n, C, T)``, 2 for ``(n, T, C, M)``).
    """
    if X.shape[axis] != n_channels_expected:
        raise ValueError(
            f"X has {X.shape[axis]} channels, but {estimator_name} was fitted with "
            f"{n_channels_expected} channels."
        )


def check_sfreq(sfreq, name="sfreq"):
    """Validate a sampling frequency in Hz and return it as float.

    Raises
    ------
    ValueError
        If ``sfreq`` is missing, not a number, non-finite or not positive.
    """
    if sfreq is None:
        raise ValueError(
            f"{name} is required: pass the sampling frequency of the data in Hz "
            "(it is never guessed)."
        )
    if isinstance(sfreq, bool) or not isinstance(sfreq, numbers.Real):
        raise TypeError(f"{name} must be a number in Hz, got {sfreq!r}.")
    sfreq = float(sfreq)
    if not np.isfinite(sfreq) or sfreq <= 0:
        raise ValueError(f"{name} must be a positive finite number of Hz, got {sfreq}.")
    return sfreq


def check_frequency_band(l_freq, h_freq, sfreq):
    """Validate band edges (Hz) against the Nyquist frequency.

    ``l_freq=None`` means high-pass disabled (low-pass only), ``h_freq=None``
    means low-pass disabled (high-pass only).

    Returns
    -------
    l_freq, h_freq : float or None
    """
    nyquist = sfreq / 2.0
    if l_freq is None and h_freq is None:
        raise ValueError("At least one of l_freq and h_freq must be given (Hz).")
    for label, f in (("l_freq", l_freq), ("h_freq", h_freq)):
        if f is None:
            continue
        if not isinstance(f, numbers.Real) or isinstance(f, bool) or not np.isfinite(f):
            raise ValueError(f"{label} must be a finite number of Hz, got {f!r}.")
        if f <= 0:
            raise ValueError(f"{label} must be > 0 Hz, got {f}.")
        if f >= nyquist:
            raise ValueError(
                f"{label}={f} Hz is at or above the Nyquist frequency "
                f"({nyquist} Hz for sfreq={sfreq} Hz)."
            )
    if l_freq is not None and h_freq is not None and l_freq >= h_freq:
        raise ValueError(f"l_freq ({l_freq} Hz) must be below h_freq ({h_freq} Hz).")
    return (None if l_freq is None else float(l_freq), None if h_freq is None else float(h_freq))


def check_groups(groups, n_samples, name="groups"):
    """Validate subject ids aligned with the first axis of ``X``.

    Returns
    -------
    groups : ndarray of shape (n_samples,) or None
    """
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n_samples:
        raise ValueError(
            f"{name} must be 1-D with one subject id per window ({n_samples}); "
            f"got shape {groups.shape}."
        )
    return groups


def unwrap_windows(X, sfreq=None, *, estimator_name="estimator"):
    """Return the array inside a windows container, checking its sampling rate.

    Plain arrays carry no sampling rate, so a rate that does not match the data
    can only be caught when the data bring their own: an
    :class:`skseizure.datasets.Windows` (``.X``, ``.sfreq``) or an MNE
    ``Epochs``-like object (``.get_data()``, ``.info["sfreq"]``). Arrays pass
    through unchanged.

    Parameters
    ----------
    X : array-like, Windows or mne.Epochs
        Windows of shape (n_windows, n_channels, n_times).
    sfreq : float or None
        The sampling rate (Hz) the estimator was configured with; ``None``
        skips the check.
    estimator_name : str
        Name for the error message.

    Returns
    -------
    X : array-like
        The windows as an array (not yet validated; see :func:`check_windows`).

    Raises
    ------
    ValueError
        If the container's sampling rate differs from ``sfreq``.
    """
    data_sfreq = None
    if hasattr(X, "X") and hasattr(X, "sfreq"):  # skseizure.datasets.Windows
        data_sfreq, X = X.sfreq, X.X
    elif hasattr(X, "get_data") and hasattr(X, "info"):  # mne Epochs / EpochsArray
        data_sfreq, X = X.info["sfreq"], X.get_data()
    if (
        data_sfreq is not None
        and sfreq is not None
        and not np.isclose(float(data_sfreq), float(sfreq), rtol=1e-6, atol=0.0)
    ):
        raise ValueError(
            f"{estimator_name} was configured with sfreq={sfreq} Hz but the data are sampled at "
            f"{data_sfreq} Hz; resample the data (Resampler) or set sfreq={data_sfreq}."
        )
    return X


def check_positive_number(value, name, *, unit=None):
    """Validate a finite real number > 0 (``eps``, a quality factor, a duration).

    Parameters
    ----------
    value : object
        The value to check; a bool is refused.
    name : str
        Parameter name used in the error message.
    unit : str or None
        Unit named in the message (``"seconds"``, ``"Hz"``).

    Returns
    -------
    value : float

    Raises
    ------
    ValueError
        If ``value`` is not a finite real number greater than 0.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or value <= 0
    ):
        what = f"a positive number of {unit}" if unit else "a positive number"
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    return float(value)


def per_block(value, n, name):
    """One integer per network block: a scalar is repeated, a sequence must have ``n`` entries.

    Parameters
    ----------
    value : int or sequence of int
        A kernel size, dilation, pool size or width for every block, or one per block.
    n : int
        Number of blocks.
    name : str
        Parameter name used in the error message.

    Returns
    -------
    values : tuple of int, length ``n``

    Raises
    ------
    ValueError
        If a sequence does not have ``n`` entries.
    """
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = tuple(int(v) for v in value)
        if len(value) != n:
            raise ValueError(f"{name} must have {n} entries (one per block), got {value}.")
        return value
    return (int(value),) * n
