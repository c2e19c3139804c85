"""Channel lists of the datasets and papers skseizure follows, and name-based channel picking.

Constants
---------
``CHBMIT_23``
    The 23 bipolar derivations of CHB-MIT in EDF order. The EDF header lists ``T8-P8``
    twice; :func:`mne.io.read_raw_edf` makes the labels unique by renaming them
    ``T8-P8-0`` (15th position) and ``T8-P8-1`` (last position), and this constant uses
    exactly those names so that ``raw.ch_names == list(CHBMIT_23)``.
``CHBMIT_18``
    The unique "double banana" core: the four 4-derivation chains of each hemisphere
    (FP1-F7 … P8-O2) plus the midline FZ-CZ and CZ-PZ. It leaves out the extra
    temporal loop of CHB-MIT (P7-T7, which is T7-P7 reversed, T7-FT9, FT9-FT10,
    FT10-T8) and the duplicate T8-P8.
``CHBMIT_21``
    The LightSeizureNet input (Qiu et al. 2023, figures of the public repository): the
    23 channels without the two duplicates P7-T7 and the second T8-P8.
``TUSZ_19`` / ``DCRNN_19``
    The 19 referential 10-20 electrodes in the node order of Tang et al. (ICLR 2022,
    ``constants.INCLUDED_CHANNELS`` of tsy935/eeg-gnn-ssl), old names T3/T4/T5/T6,
    upper case, without the ``EEG `` prefix and ``-REF`` suffix of TUSZ labels.
``HELSINKI_18``
    The 18 bipolar derivations of the Helsinki neonatal windows, in the order of the
    converted archives (``Fp2-F4`` … ``Cz-Pz``).

Name matching (:func:`normalize_channel_name`)
-----------------------------------------------
Two labels name the same channel when they agree after

1. upper-casing and stripping white space,
2. removing a leading ``EEG `` (TUSZ, Siena),
3. removing a trailing reference suffix ``-REF`` or ``-LE`` (referential TUSZ montages),
4. mapping the old 10-20 names to the new ones, electrode by electrode:
   ``T3 -> T7``, ``T4 -> T8``, ``T5 -> P7``, ``T6 -> P8``,
5. separating MNE's duplicate suffix (``-0``, ``-1``, …). A wanted name without the
   suffix matches an available channel without it or, failing that, the *first*
   occurrence ``-0``; ``T8-P8-1`` must be asked for by that name.

The order of the electrodes in a bipolar derivation matters: ``P7-T7`` is not
``T7-P7`` (it is its negative).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CHBMIT_23",
    "CHBMIT_21",
    "CHBMIT_18",
    "TUSZ_19",
    "DCRNN_19",
    "HELSINKI_18",
    "OLD_TO_NEW_10_20",
    "MissingChannelsError",
    "normalize_channel_name",
    "channel_indices",
    "pick_channels",
]

CHBMIT_23 = (
    "FP1-F7", "F7-T7", "T7-P7", "P7-O1",
    "FP1-F3", "F3-C3", "C3-P3", "P3-O1",
    "FP2-F4", "F4-C4", "C4-P4", "P4-O2",
    "FP2-F8", "F8-T8", "T8-P8-0", "P8-O2",
    "FZ-CZ", "CZ-PZ",
    "P7-T7", "T7-FT9", "FT9-FT10", "FT10-T8", "T8-P8-1",
)

CHBMIT_18 = (
    "FP1-F7", "F7-T7", "T7-P7", "P7-O1",
    "FP1-F3", "F3-C3", "C3-P3", "P3-O1",
    "FP2-F4", "F4-C4", "C4-P4", "P4-O2",
    "FP2-F8", "F8-T8", "T8-P8", "P8-O2",
    "FZ-CZ", "CZ-PZ",
)

CHBMIT_21 = CHBMIT_18 + ("T7-FT9", "FT9-FT10", "FT10-T8")

TUSZ_19 = (
    "FP1", "FP2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2",
    "F7", "F8", "T3", "T4", "T5", "T6", "FZ", "CZ", "PZ",
)
DCRNN_19 = TUSZ_19

HELSINKI_18 = (
    "Fp2-F4", "F4-C4", "C4-P4", "P4-O2",
    "Fp1-F3", "F3-C3", "C3-P3", "P3-O1",
    "Fp2-F8", "F8-T4", "T4-T6", "T6-O2",
    "Fp1-F7", "F7-T3", "T3-T5", "T5-O1",
    "Fz-Cz", "Cz-Pz",
)

OLD_TO_NEW_10_20 = {"T3": "T7", "T4": "T8", "T5": "P7", "T6": "P8"}

_REFERENCE_SUFFIXES = ("REF", "LE")


class MissingChannelsError(KeyError, ValueError):
    """Raised when wanted channels are absent; catchable as ``KeyError`` or ``ValueError``.

    Attributes
    ----------
    missing : list of str
        Every wanted name that has no match.
    """

    def __init__(self, message, missing):
        super().__init__(message)
        self.missing = list(missing)

    def __str__(self):
        # KeyError would otherwise print the message with quotes around it.
        return str(self.args[0])


def normalize_channel_name(name):
    """Return the matching key of a channel label (see the module docstring).

    Parameters
    ----------
    name : str
        Channel label, e.g. ``"EEG T3-REF"``, ``"Fp2-F4"``, ``"T8-P8-1"``.

    Returns
    -------
    key : tuple
        ``(electrodes, duplicate_index)``: ``electrodes`` is a tuple of upper-case new
        10-20 names (one for a referential channel, two for a bipolar derivation);
        ``duplicate_index`` is MNE's integer suffix or ``None``.

    Examples
    --------
    >>> normalize_channel_name("EEG T3-REF")
    (('T7',), None)
    >>> normalize_channel_name("T8-P8-1")
    (('T8', 'P8'), 1)
    """
    text = str(name).strip().upper()
    if text.startswith("EEG "):
        text = text[4:].strip()
    parts = [p.strip() for p in text.split("-")]
    duplicate = None
    if len(parts) > 1 and parts[-1].isdigit():
        duplicate = int(parts.pop())
    if len(parts) > 1 and parts[-1] in _REFERENCE_SUFFIXES:
        parts.pop()
    electrodes = tuple(OLD_TO_NEW_10_20.get(p, p) for p in parts)
    return electrodes, duplicate


def channel_indices(ch_names, wanted):
    """Positions in ``ch_names`` of each channel of ``wanted``, in the order of ``wanted``.

    Parameters
    ----------
    ch_names : sequence of str
        Available channel labels (e.g. a recording's ``ch_names``).
    wanted : sequence of str
        Channels to select, in the desired output order.

    Returns
    -------
    indices : ndarray of shape (len(wanted),), int
        ``ch_names[indices[i]]`` names the same channel as ``wanted[i]``.

    Raises
    ------
    MissingChannelsError
        (a ``KeyError`` and ``ValueError``) naming every wanted channel that has no match.
    ValueError
        If ``wanted`` is empty or names a channel twice, or if a wanted name matches
        two available channels (e.g. both ``T3`` and ``T7`` are present).
    """
    if isinstance(ch_names, str) or isinstance(wanted, str):
        raise TypeError("ch_names and wanted must be sequences of channel names, not one string.")
    ch_names = [str(c) for c in ch_names]
    wanted = [str(w) for w in wanted]
    if not wanted:
        raise ValueError("wanted is empty: name at least one channel to pick.")
    wanted_keys = [normalize_channel_name(w) for w in wanted]
    seen = {}
    for w, key in zip(wanted, wanted_keys):
        if key in seen:
            raise ValueError(f"Channel {w!r} is asked for twice (also as {seen[key]!r}).")
        seen[key] = w

    lookup = {}
    for i, name in enumerate(ch_names):
        lookup.setdefault(normalize_channel_name(name), []).append(i)

    indices, missing = [], []
    for w, (electrodes, duplicate) in zip(wanted, wanted_keys):
        hits = lookup.get((electrodes, duplicate), [])
        if not hits and duplicate is None:
            # MNE renamed a duplicated label; the plain name means its first occurrence.
            hits = lookup.get((electrodes, 0), [])
        if not hits:
            missing.append(w)
            continue
        if len(hits) > 1:
            raise ValueError(
                f"Channel {w!r} is ambiguous: it matches "
                f"{[ch_names[i] for i in hits]} (old and new 10-20 names both present?)."
            )
        indices.append(hits[0])
    if missing:
        raise MissingChannelsError(
            f"{len(missing)} channel(s) not found: {', '.join(missing)}. "
            f"Available: {', '.join(ch_names)}.",
            missing,
        )
    return np.asarray(indices, dtype=np.intp)


def pick_channels(X_or_recording, ch_names, wanted):
    """Select and reorder channels by name.

    Parameters
    ----------
    X_or_recording : ndarray of shape (..., n_channels, n_times) or EEGRecording
        Signal with channels on the second-to-last axis: a recording array
        ``(n_channels, n_times)``, windows ``(n_windows, n_channels, n_times)``, or an
        :class:`~skseizure.datasets._record.EEGRecording`.
    ch_names : sequence of str or None
        Labels of the channel axis of ``X``. ``None`` for a recording (its own
        ``ch_names`` are used); if given for a recording it must equal them.
    wanted : sequence of str
        Channels to keep, in output order. Matching is tolerant (case, ``EEG `` prefix,
        ``-REF``/``-LE`` suffix, T3/T4/T5/T6 aliases, MNE duplicate suffix); see the
        module docstring.

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
    from ._record import EEGRecording

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
            raise MissingChannelsError(f"In {where}: {exc}", exc.missing) from None
        return EEGRecording(
            data=rec.data[idx],
            sfreq=rec.sfreq,
            ch_names=[str(w) for w in wanted],
            subject=rec.subject,
            name=rec.name,
            seizures=list(rec.seizures),
            source=rec.source,
        )
    if ch_names is None:
        raise ValueError("ch_names is required to pick channels from an array.")
    X = np.asarray(X_or_recording)
    if X.ndim < 2:
        raise ValueError(
            "X must have a channel axis and a time axis (..., n_channels, n_times); "
            f"got shape {X.shape}."
        )
    if X.shape[-2] != len(ch_names):
        raise ValueError(
            f"{len(ch_names)} channel names for {X.shape[-2]} channels "
            f"(axis -2 of X, shape {X.shape})."
        )
    idx = channel_indices(ch_names, wanted)
    return np.take(X, idx, axis=-2)
