"""Channels picked or montages derived from recordings as distributed.

Every function takes the signal and its channel labels, ``(data, ch_names)``, with
channels on axis -2 (a recording ``(n_channels, n_times)`` or windows
``(n_windows, n_channels, n_times)``), so it works on an
:class:`~skseizure.io.EEGRecording` (``rec.data, rec.ch_names``), on an
:class:`mne.io.Raw` (``raw.get_data(), raw.ch_names``) or on plain arrays. Labels are
read with :func:`skseizure.datasets.channels.parse_channel_name` (any case, ``EEG ``
prefix, ``-REF``/``-LE``/``-Avg``/``-A1`` suffixes, old and new 10-20 names, MNE's
duplicate suffix). Plain numpy: nothing here depends on torch.

- :func:`pick_channels`: select and reorder recorded channels by name (never computes).
- :func:`bipolar_montage`: derivations ``A - B`` from referential channels; the default
  is the longitudinal bipolar "double banana" of CHB-MIT
  (:data:`~skseizure.datasets.channels.DOUBLE_BANANA_18`).
- :func:`common_average_montage`: referential channels minus their mean across
  channels; the default is the 19-channel input of SzCORE (Dan et al. 2024, "SzCORE:
  seizure community open-source research evaluation framework for the validation of
  EEG-based automated seizure detection algorithms", Epilepsia, doi:10.1111/epi.18113),
  :data:`~skseizure.datasets.channels.SZCORE_19`.
- :func:`derive_montage`: any requested channel list, from whatever the recording
  holds: a channel already there is picked; a bipolar channel is derived from two
  referential channels sharing one reference (or is the negative of its reversed
  derivation); average-referenced channels (``Fp1-Avg``) are computed as one common
  average over all of them.

A requested channel that cannot be had raises
:class:`~skseizure.datasets.channels.MissingChannelsError` naming what is missing and
what the recording holds.

The channel lists and name matching (``CHBMIT_23``, ``TUSZ_19``,
:func:`~skseizure.datasets.channels.channel_indices` ...) live in
:mod:`skseizure.datasets.channels` and are importable from here as well.
"""

from __future__ import annotations

import numpy as np

from ..io import EEGRecording

# Channel lists and matching are re-exported: ``from .montages import CHBMIT_23`` works.
from .channels import (  # noqa: F401
    CHBMIT_18,
    CHBMIT_21,
    CHBMIT_23,
    DCRNN_19,
    DOUBLE_BANANA_18,
    ELECTRODE_REFERENCES,
    HELSINKI_18,
    OLD_TO_NEW_10_20,
    SZCORE_19,
    TUSZ_19,
    MissingChannelsError,
    channel_indices,
    missing_channels_message,
    normalize_channel_name,
    parse_channel_name,
)

__all__ = ["pick_channels", "bipolar_montage", "common_average_montage", "derive_montage"]


def _check_channel_axis(X, ch_names, name="X"):
    """``X`` as an array with ``len(ch_names)`` channels on axis -2 (else ``ValueError``)."""
    if ch_names is None:
        raise ValueError(f"ch_names is required to pick channels from an array ({name}).")
    if isinstance(ch_names, str):
        raise TypeError("ch_names must be a sequence of channel names, not one string.")
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(
            f"{name} must have a channel axis and a time axis (..., n_channels, n_times); "
            f"got shape {X.shape}."
        )
    if X.shape[-2] != len(ch_names):
        raise ValueError(
            f"{len(ch_names)} channel names for {X.shape[-2]} channels "
            f"(axis -2 of {name}, shape {X.shape})."
        )
    return X


def pick_channels(X_or_recording, ch_names, wanted):
    """Select and reorder channels by name.

    Parameters
    ----------
    X_or_recording : ndarray of shape (..., n_channels, n_times) or EEGRecording
        Signal with channels on the second-to-last axis: a recording array
        ``(n_channels, n_times)``, windows ``(n_windows, n_channels, n_times)``, or an
        :class:`~skseizure.io.EEGRecording`.
    ch_names : sequence of str or None
        Labels of the channel axis of ``X``. ``None`` for a recording (its own
        ``ch_names`` are used); if given for a recording it must equal them.
    wanted : sequence of str
        Channels to keep, in output order. Matching is tolerant (case, an ``EEG`` prefix,
        reference suffix, T3/T4/T5/T6 aliases, MNE duplicate suffix); see the module
        docstring of :mod:`skseizure.datasets.channels`. Picking never computes: use
        :func:`derive_montage` to derive bipolar or average-referenced channels.

    Returns
    -------
    picked : ndarray of shape (..., len(wanted), n_times) or EEGRecording
        For an array: the selected channels (a copy). For a recording: a new
        ``EEGRecording`` whose ``ch_names`` are the ``wanted`` names (so recordings from
        different sources share one naming), everything else unchanged.

    Raises
    ------
    MissingChannelsError
        (``KeyError`` and ``ValueError``) naming every missing channel.
    ValueError
        If ``ch_names`` does not match the channel axis.
    """
    if isinstance(X_or_recording, EEGRecording):
        rec = X_or_recording
        if ch_names is not None and list(map(str, ch_names)) != rec.ch_names:
            raise ValueError(
                "ch_names differs from the recording's own ch_names; pass ch_names=None "
                "for a recording."
            )
        try:
            idx = channel_indices(rec.ch_names, wanted)
        except MissingChannelsError as exc:
            where = rec.name or rec.source or "recording"
            raise MissingChannelsError(f"In {where}: {exc}", exc.missing, exc.available) from None
        return EEGRecording(
            data=rec.data[idx],
            sfreq=rec.sfreq,
            ch_names=[str(w) for w in wanted],
            subject=rec.subject,
            name=rec.name,
            seizures=list(rec.seizures),
            source=rec.source,
        )
    X = _check_channel_axis(X_or_recording, ch_names)
    idx = channel_indices(ch_names, wanted)
    return np.take(X, idx, axis=-2)


def _referential_sources(ch_names):
    """Electrode -> [(index, reference), ...] for the single-electrode channels."""
    table = {}
    for i, name in enumerate(ch_names):
        p = parse_channel_name(name)
        if len(p.electrodes) == 1 and p.electrodes[0] and p.duplicate in (None, 0):
            table.setdefault(p.electrodes[0], []).append((i, p.reference))
    return table


def _difference(sources, positive, negative):
    """Indices ``(i, j)`` of the two electrodes against one shared reference, or ``None``."""
    for i, ref in sources.get(positive, []):
        for j, ref_b in sources.get(negative, []):
            if ref == ref_b:
                return i, j
    return None


def _terms(parsed):
    """``(positive, negative)`` electrodes of a derivation, or ``None`` if it is not one."""
    if len(parsed.electrodes) == 2 and parsed.reference is None:
        return parsed.electrodes
    if len(parsed.electrodes) == 1 and parsed.reference in ELECTRODE_REFERENCES:
        return parsed.electrodes[0], parsed.reference
    return None


def _common_reference(sources, electrodes, labels, ch_names):
    """Indices of ``electrodes`` against one reference they all share.

    Returns ``(indices, missing_labels)``; raises ``ValueError`` when every electrode is
    there but no single reference is common to all of them.
    """
    missing = [lab for e, lab in zip(electrodes, labels) if e not in sources]
    if missing:
        return None, missing
    common = None
    for e in electrodes:
        refs = [ref for _, ref in sources[e]]
        common = refs if common is None else [r for r in common if r in refs]
    if not common:
        raise ValueError(
            "The referential channels use different references, so their average is not a "
            f"common-average reference: {', '.join(ch_names)}."
        )
    ref = common[0]
    return [next(i for i, r in sources[e] if r == ref) for e in electrodes], []


def _as_float(X):
    return X if np.issubdtype(X.dtype, np.floating) else X.astype(np.float64)


def _stack(X, ops, car=None):
    """Evaluate the row operations on axis -2 of ``X``."""
    mean = None
    if car is not None:
        mean = X[..., car, :].mean(axis=-2, dtype=np.float64)
    rows = []
    for op in ops:
        kind, i = op[0], op[1]
        if kind == "pick":
            rows.append(X[..., i, :])
        elif kind == "neg":
            rows.append(-X[..., i, :])
        elif kind == "diff":
            rows.append(X[..., i, :] - X[..., op[2], :])
        else:  # "avg"
            rows.append((X[..., i, :] - mean).astype(X.dtype))
    return np.stack(rows, axis=-2)


def _raise_missing(missing, ch_names, hint=""):
    raise MissingChannelsError(
        missing_channels_message(missing, ch_names) + hint, missing, ch_names
    )


def _pair_labels(pairs):
    """``"A-B"`` labels and their parsed electrodes; ``(A, B)`` tuples are accepted."""
    if isinstance(pairs, str):
        raise TypeError("pairs must be a sequence of derivations such as 'Fp1-F7', not one string.")
    labels, terms = [], []
    for pair in pairs:
        label = pair if isinstance(pair, str) else "-".join(map(str, pair))
        t = _terms(parse_channel_name(label))
        if t is None or not all(t):
            raise ValueError(
                f"{pair!r} is not a bipolar derivation 'A-B' of two electrodes."
            )
        labels.append(label)
        terms.append(t)
    if not labels:
        raise ValueError("pairs is empty: name at least one derivation.")
    return labels, terms


def bipolar_montage(data, ch_names, pairs=DOUBLE_BANANA_18):
    """Bipolar derivations ``A - B`` from a referential recording.

    Parameters
    ----------
    data : array-like of shape (..., n_channels, n_times)
        Referential signal (any unit; the output has the same unit).
    ch_names : sequence of str
        Labels of axis -2 of ``data``, e.g. ``"EEG Fp1-Ref"``, ``"FP1"``, ``"Fp1-Avg"``.
    pairs : sequence of str or of (str, str), default=DOUBLE_BANANA_18
        Derivations in output order, ``"Fp1-F7"`` or ``("Fp1", "F7")``. The default is
        the 18-channel longitudinal bipolar montage in CHB-MIT order.

    Returns
    -------
    bipolar : ndarray of shape (..., len(pairs), n_times)
        Row ``k`` is channel ``A`` minus channel ``B`` of ``pairs[k]``; both are taken
        against the same reference, which therefore cancels. Floating input keeps its
        dtype; integer input becomes float64.

    Raises
    ------
    MissingChannelsError
        Naming every derivation whose electrodes are not both recorded against one
        reference, and the available channels.
    ValueError
        If ``ch_names`` does not match ``data`` or a pair is not two electrodes.

    See Also
    --------
    derive_montage : also picks derivations a recording already holds.
    """
    X = _as_float(_check_channel_axis(data, ch_names, "data"))
    ch_names = [str(c) for c in ch_names]
    labels, terms = _pair_labels(pairs)
    sources = _referential_sources(ch_names)
    ops, missing = [], []
    for label, (a, b) in zip(labels, terms):
        ij = _difference(sources, a, b)
        if ij is None:
            missing.append(label)
        else:
            ops.append(("diff", *ij))
    if missing:
        hint = "" if sources else (
            " The recording has no referential channels; derive_montage picks derivations "
            "it already holds."
        )
        _raise_missing(missing, ch_names, hint)
    return _stack(X, ops)


def common_average_montage(data, ch_names, channels=SZCORE_19):
    """Referential channels re-referenced to their common average.

    Parameters
    ----------
    data : array-like of shape (..., n_channels, n_times)
        Referential signal, all channels against one reference (``-Ref``, linked ears,
        an average ...).
    ch_names : sequence of str
        Labels of axis -2 of ``data``.
    channels : sequence of str, default=SZCORE_19
        Electrodes to keep, in output order; their mean is the reference. A reference
        suffix in these names (``"Fp1-Avg"``) only names the output. The default is the
        19-channel SzCORE input (Dan et al. 2024), ``Fp1 F3 C3 P3 O1 F7 T3 T5 Fz Cz Pz
        Fp2 F4 C4 P4 O2 F8 T4 T6``.

    Returns
    -------
    car : ndarray of shape (..., len(channels), n_times)
        ``x_k - mean_j x_j`` over the selected channels: zero mean across channels at
        every sample. Floating input keeps its dtype (the mean is taken in float64).

    Raises
    ------
    MissingChannelsError
        Naming every requested electrode without a referential channel, and the
        available channels.
    ValueError
        If a requested name is bipolar, or the channels do not share one reference.
    """
    X = _as_float(_check_channel_axis(data, ch_names, "data"))
    ch_names = [str(c) for c in ch_names]
    if isinstance(channels, str):
        raise TypeError("channels must be a sequence of electrode names, not one string.")
    labels = [str(c) for c in channels]
    if len(labels) < 2:
        raise ValueError("A common average needs at least two channels.")
    electrodes = []
    for label in labels:
        p = parse_channel_name(label)
        if len(p.electrodes) != 1:
            raise ValueError(
                f"{label!r} is not one electrode; a common average re-references electrodes."
            )
        electrodes.append(p.electrodes[0])
    if len(set(electrodes)) != len(electrodes):
        raise ValueError(f"channels names an electrode twice: {labels}.")
    idx, missing = _common_reference(_referential_sources(ch_names), electrodes, labels, ch_names)
    if missing:
        _raise_missing(missing, ch_names)
    return _stack(X, [("avg", i) for i in idx], car=idx)


def derive_montage(data, ch_names, montage):
    """The requested channels from what a recording holds, picking or deriving each.

    For each requested name, in this order of preference:

    1. a channel of the recording that matches it
       (:func:`~skseizure.datasets.channels.channel_indices`: ``FP1-F7`` finds
       ``Fp1-F7``; ``T7`` finds ``EEG T3-REF``) is copied;
    2. a bipolar derivation ``A-B`` (or an ear/mastoid-referenced ``A-A1``) is
       computed as ``A - B`` from two referential channels against one reference, or as
       minus the reversed derivation ``B-A`` if the recording holds that;
    3. average-referenced names (``Fp1-Avg`` ...) are all picked if all are recorded as
       such, otherwise all computed as one common average over exactly these
       electrodes (:func:`common_average_montage`).

    Parameters
    ----------
    data : array-like of shape (..., n_channels, n_times)
    ch_names : sequence of str
        Labels of axis -2 of ``data``.
    montage : sequence of str
        Requested channels in output order, e.g.
        :data:`~skseizure.datasets.channels.DOUBLE_BANANA_18`,
        :data:`~skseizure.datasets.channels.SZCORE_19`,
        :data:`~skseizure.datasets.channels.TUSZ_19`.

    Returns
    -------
    derived : ndarray of shape (..., len(montage), n_times)
        Row ``k`` is channel ``montage[k]``. Floating input keeps its dtype.

    Raises
    ------
    MissingChannelsError
        Naming every requested channel that can be neither picked nor derived, and the
        available channels.
    ValueError
        If ``ch_names`` does not match ``data``, ``montage`` is empty or names a
        channel twice, or a requested name matches two recorded channels.
    """
    X = _as_float(_check_channel_axis(data, ch_names, "data"))
    ch_names = [str(c) for c in ch_names]
    if isinstance(montage, str):
        raise TypeError("montage must be a sequence of channel names, not one string.")
    labels = [str(m) for m in montage]
    # Validates the request (empty, duplicates) and finds what is recorded as such.
    try:
        picked = dict(zip(labels, channel_indices(ch_names, labels).tolist()))
    except MissingChannelsError as exc:
        found = [lab for lab in labels if lab not in exc.missing]
        picked = dict(zip(found, channel_indices(ch_names, found).tolist())) if found else {}
    parsed = {lab: parse_channel_name(lab) for lab in labels}
    averaged = [lab for lab in labels if len(parsed[lab].electrodes) == 1
                and parsed[lab].reference == "AVG"]
    sources = _referential_sources(ch_names)
    car, missing = None, []
    if averaged and not all(lab in picked for lab in averaged):
        for lab in averaged:
            picked.pop(lab, None)
        car, missing = _common_reference(
            sources, [parsed[lab].electrodes[0] for lab in averaged], averaged, ch_names)
    ops = {}
    if car is not None:
        ops.update({lab: ("avg", i) for lab, i in zip(averaged, car)})
    reversed_ = {}
    for i, name in enumerate(ch_names):
        p = parse_channel_name(name)
        if len(p.electrodes) == 2 and p.reference is None:
            reversed_.setdefault(p.electrodes[::-1], i)
    for lab in labels:
        if lab in picked:
            ops[lab] = ("pick", picked[lab])
        elif lab in ops or lab in missing:
            continue
        elif (terms := _terms(parsed[lab])) is not None and (
            (ij := _difference(sources, *terms)) is not None
        ):
            ops[lab] = ("diff", *ij)
        elif len(parsed[lab].electrodes) == 2 and parsed[lab].electrodes in reversed_:
            ops[lab] = ("neg", reversed_[parsed[lab].electrodes])
        else:
            missing.append(lab)
    if missing:
        _raise_missing([lab for lab in labels if lab in missing], ch_names)
    return _stack(X, [ops[lab] for lab in labels], car=car)
