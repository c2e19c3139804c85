"""The one table of EEG channel names: spelling, aliases, channel lists and name matching.

Canonical names
---------------
Electrodes are named as in the modern 10-20 system and MNE's ``standard_1020``
template (``Fp1``, ``Fz``, ``T7``, ``T8``, ``P7``, ``P8``, ``FT9`` ...). The four old
10-20 names are aliases, kept in the single mapping :data:`OLD_TO_NEW_10_20`::

    T3 -> T7    T4 -> T8    T5 -> P7    T6 -> P8

Node orders and file conventions that use the old spelling (TUSZ, the DCRNN graph of
Tang et al. 2022, the Helsinki neonatal archives, SzCORE) are written here as
canonical electrodes rendered with ``legacy=True`` (:func:`format_channel_name`), so
the old and new spellings can never drift apart.

Label grammar (:func:`parse_channel_name`)
------------------------------------------
A label as distributed is read as ``[EEG ]A[-B][-REFERENCE][-k]``:

1. case and surrounding blanks are ignored (``FP1`` = ``Fp1``);
2. a leading ``EEG `` (TUSZ, Siena, Helsinki) is dropped;
3. a trailing integer ``-k`` is MNE's duplicate suffix: CHB-MIT lists ``T8-P8`` twice
   and :func:`mne.io.read_raw_edf` renames the two ``T8-P8-0`` and ``T8-P8-1``;
4. a trailing reference is separated from the electrodes: ``-REF``/``-Ref`` (an
   unspecified common reference, the same as no suffix), ``-LE`` (linked ears, also
   ``-A1A2``), ``-AVG``/``-Avg``/``-AR``/``-CAR`` (common average), or a single ear /
   mastoid electrode ``-A1``, ``-A2``, ``-M1``, ``-M2``;
5. what remains is one electrode (referential channel) or two (bipolar derivation
   ``A-B`` = A minus B), each mapped through :data:`OLD_TO_NEW_10_20`.

Matching (:func:`channel_indices`)
----------------------------------
A wanted name matches an available label with the same electrodes, in the same order
(``P7-T7`` is minus ``T7-P7``, not the same channel), and the same duplicate suffix. A
wanted name without a suffix matches an available channel without one or, failing
that, the *first* occurrence ``-0``. A wanted name with no reference (or ``-REF``)
accepts any reference of the available channel (``T3`` matches ``EEG T3-REF``,
``T3-LE`` and ``T3-A1``); a wanted name with a specific reference (``Fp1-Avg``,
``T4-A2``) only matches a channel recorded against that reference.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

__all__ = [
    "OLD_TO_NEW_10_20",
    "ELECTRODE_REFERENCES",
    "ChannelName",
    "parse_channel_name",
    "normalize_channel_name",
    "parse_channel",
    "canonical_electrode",
    "format_channel_name",
    "DOUBLE_BANANA_18",
    "SZCORE_19",
    "CHBMIT_23",
    "CHBMIT_21",
    "CHBMIT_18",
    "TUSZ_19",
    "DCRNN_19",
    "HELSINKI_18",
    "MissingChannelsError",
    "channel_indices",
]

#: The only alias table: old 10-20 name -> modern (canonical) name.
OLD_TO_NEW_10_20 = {"T3": "T7", "T4": "T8", "T5": "P7", "T6": "P8"}
_NEW_TO_OLD = {new: old for old, new in OLD_TO_NEW_10_20.items()}

# Reference suffix (upper case, punctuation removed) -> reference class. ``None`` is an
# unspecified common reference.
_REFERENCES = {
    "REF": None, "REFERENCE": None,
    "LE": "LE", "A1A2": "LE", "LINKEDEARS": "LE",
    "AVG": "AVG", "AV": "AVG", "AVE": "AVG", "AVERAGE": "AVG", "AR": "AVG", "CAR": "AVG",
    "A1": "A1", "A2": "A2", "M1": "M1", "M2": "M2",
}
#: Reference classes that are one electrode: ``T4-A2`` is also the derivation T4 minus A2.
ELECTRODE_REFERENCES = frozenset({"A1", "A2", "M1", "M2"})
_REFERENCE_SPELLING = {"AVG": "Avg"}
_PREFIX = re.compile(r"^EEG[\s_:]+")


class ChannelName(NamedTuple):
    """A parsed channel label (see the module docstring).

    Attributes
    ----------
    electrodes : tuple of str
        Upper-case canonical electrodes: one for a referential channel, two for a
        bipolar derivation (first minus second).
    reference : str or None
        Reference class: ``None`` (none stated or ``-REF``), ``"LE"``, ``"AVG"``,
        ``"A1"``, ``"A2"``, ``"M1"`` or ``"M2"``.
    duplicate : int or None
        MNE's duplicate suffix (``T8-P8-1`` -> 1).
    """

    electrodes: tuple
    reference: str | None
    duplicate: int | None


def canonical_electrode(name, *, legacy=False):
    """Upper-case canonical name of one electrode (``"t3"`` -> ``"T7"``).

    Parameters
    ----------
    name : str
        One electrode, any case, old or new 10-20 name.
    legacy : bool, default=False
        Return the old 10-20 name instead (``"T7"`` -> ``"T3"``).

    Returns
    -------
    electrode : str
    """
    key = str(name).strip().upper()
    key = OLD_TO_NEW_10_20.get(key, key)
    return _NEW_TO_OLD.get(key, key) if legacy else key


def parse_channel_name(name):
    """Split a channel label into electrodes, reference and duplicate suffix.

    Never raises on a well-formed string: labels of non-EEG channels (``"ECG EKG-Ref"``)
    parse to electrodes that match nothing in the 10-20 system.

    Parameters
    ----------
    name : str
        Label as distributed, e.g. ``"EEG T3-REF"``, ``"Fp2-F4"``, ``"T8-P8-1"``,
        ``"Fp1-Avg"``, ``"C3-A2"``.

    Returns
    -------
    parsed : ChannelName

    Examples
    --------
    >>> parse_channel_name("EEG T3-REF")
    ChannelName(electrodes=('T7',), reference=None, duplicate=None)
    >>> parse_channel_name("Fp1-Avg")
    ChannelName(electrodes=('FP1',), reference='AVG', duplicate=None)
    """
    text = _PREFIX.sub("", str(name).strip().upper(), count=1)
    parts = [p.strip() for p in text.split("-")]
    duplicate = None
    if len(parts) > 1 and parts[-1].isdigit():
        duplicate = int(parts.pop())
    reference = None
    if len(parts) > 1:
        token = re.sub(r"[^A-Z0-9]", "", parts[-1])
        if token in _REFERENCES:
            reference = _REFERENCES[token]
            parts.pop()
    electrodes = tuple(canonical_electrode(p) for p in parts)
    return ChannelName(electrodes, reference, duplicate)


def normalize_channel_name(name):
    """Matching key of a channel label: its electrodes and duplicate suffix.

    The reference is left out (``"EEG T3-REF"``, ``"T3-LE"`` and ``"T7-A1"`` share a
    key); :func:`parse_channel_name` keeps it.

    Parameters
    ----------
    name : str
        Channel label, e.g. ``"EEG T3-REF"``, ``"Fp2-F4"``, ``"T8-P8-1"``.

    Returns
    -------
    key : tuple
        ``(electrodes, duplicate_index)``: ``electrodes`` is a tuple of upper-case
        canonical names (one for a referential channel, two for a bipolar derivation);
        ``duplicate_index`` is MNE's integer suffix or ``None``.

    Examples
    --------
    >>> normalize_channel_name("EEG T3-REF")
    (('T7',), None)
    >>> normalize_channel_name("T8-P8-1")
    (('T8', 'P8'), 1)
    """
    parsed = parse_channel_name(name)
    return parsed.electrodes, parsed.duplicate


def parse_channel(name, *, legacy=False):
    """Electrodes of a referential (``"C3"``) or bipolar (``"C3-P3"``) channel.

    Parameters
    ----------
    name : str
        Channel label (any convention of :func:`parse_channel_name`).
    legacy : bool, default=False
        Spell the electrodes with the old 10-20 names (``T3`` ... ``T6``).

    Returns
    -------
    electrodes : tuple of str
        One or two upper-case electrode names.

    Raises
    ------
    ValueError
        If the label is neither ``A`` nor ``A-B``.
    """
    electrodes = parse_channel_name(name).electrodes
    if len(electrodes) not in (1, 2) or not all(electrodes):
        raise ValueError(f"Cannot parse channel name {name!r} as 'A' or 'A-B'.")
    return tuple(canonical_electrode(e, legacy=legacy) for e in electrodes)


def _spell(electrode, upper):
    if upper:
        return electrode
    if electrode.startswith("FP"):
        electrode = "Fp" + electrode[2:]
    if re.fullmatch(r"[A-Za-z]+Z", electrode):
        electrode = electrode[:-1] + "z"
    return electrode


def format_channel_name(name, *, legacy=False, upper=False):
    """Spell a channel label canonically (``"EEG FP1-REF"`` -> ``"Fp1"``).

    Parameters
    ----------
    name : str
        Channel label in any convention of :func:`parse_channel_name`.
    legacy : bool, default=False
        Use the old 10-20 names T3, T4, T5, T6 instead of T7, T8, P7, P8.
    upper : bool, default=False
        Upper-case spelling (``FP1``, ``CZ``; TUSZ and CHB-MIT style) instead of the
        mixed case of MNE's ``standard_1020`` (``Fp1``, ``Cz``).

    Returns
    -------
    label : str
        Electrodes joined by ``-``, then a stated reference (``-Avg``, ``-LE``, ``-A1``;
        an unspecified ``-REF`` is dropped), then a duplicate suffix if any.

    Examples
    --------
    >>> format_channel_name("EEG T3-REF")
    'T7'
    >>> format_channel_name("fp2-t8", legacy=True)
    'Fp2-T4'
    """
    parsed = parse_channel_name(name)
    parts = [_spell(canonical_electrode(e, legacy=legacy), upper) for e in parsed.electrodes]
    if parsed.reference is not None:
        ref = parsed.reference
        parts.append(ref if upper else _REFERENCE_SPELLING.get(ref, ref))
    if parsed.duplicate is not None:
        parts.append(str(parsed.duplicate))
    return "-".join(parts)


def _render(names, **kwargs):
    return tuple(format_channel_name(n, **kwargs) for n in names)


# ----------------------------------------------------------------------------- channel lists
#: The longitudinal bipolar ("double banana") montage in CHB-MIT order: the four
#: 4-derivation chains Fp1-F7 ... P8-O2 and the midline Fz-Cz, Cz-Pz (canonical names).
DOUBLE_BANANA_18 = (
    "Fp1-F7", "F7-T7", "T7-P7", "P7-O1",
    "Fp1-F3", "F3-C3", "C3-P3", "P3-O1",
    "Fp2-F4", "F4-C4", "C4-P4", "P4-O2",
    "Fp2-F8", "F8-T8", "T8-P8", "P8-O2",
    "Fz-Cz", "Cz-Pz",
)

#: SzCORE input (Dan et al. 2024, "SzCORE: seizure community open-source research
#: evaluation framework for the validation of EEG-based automated seizure detection
#: algorithms", Epilepsia, doi:10.1111/epi.18113): 19 referential 10-20 channels against
#: the common average, in SzCORE's order and spelling (``Fp1-Avg`` ... ``T6-Avg``).
SZCORE_19 = tuple(
    f"{e}-Avg"
    for e in _render(
        ("Fp1", "F3", "C3", "P3", "O1", "F7", "T7", "P7", "Fz", "Cz", "Pz",
         "Fp2", "F4", "C4", "P4", "O2", "F8", "T8", "P8"),
        legacy=True,
    )
)

#: The 23 bipolar derivations of CHB-MIT as :func:`mne.io.read_raw_edf` names them
#: (``raw.ch_names == list(CHBMIT_23)``): the EDF header lists ``T8-P8`` twice, renamed
#: ``T8-P8-0`` (15th) and ``T8-P8-1`` (last).
CHBMIT_23 = (
    "FP1-F7", "F7-T7", "T7-P7", "P7-O1",
    "FP1-F3", "F3-C3", "C3-P3", "P3-O1",
    "FP2-F4", "F4-C4", "C4-P4", "P4-O2",
    "FP2-F8", "F8-T8", "T8-P8-0", "P8-O2",
    "FZ-CZ", "CZ-PZ",
    "P7-T7", "T7-FT9", "FT9-FT10", "FT10-T8", "T8-P8-1",
)

#: :data:`DOUBLE_BANANA_18` spelled as CHB-MIT labels (upper case).
CHBMIT_18 = _render(DOUBLE_BANANA_18, upper=True)

#: LightSeizureNet input (Qiu et al. 2023): the 23 CHB-MIT channels without the
#: duplicates P7-T7 (minus T7-P7) and the second T8-P8.
CHBMIT_21 = CHBMIT_18 + ("T7-FT9", "FT9-FT10", "FT10-T8")

#: The 19 referential 10-20 electrodes in the node order of Tang et al. (2022, "Self-
#: supervised graph neural networks for improved electroencephalographic seizure analysis",
#: ICLR), spelled like TUSZ labels without ``EEG ``/``-REF``: upper case, old names.
TUSZ_19 = _render(
    ("Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2",
     "F7", "F8", "T7", "T8", "P7", "P8", "Fz", "Cz", "Pz"),
    legacy=True, upper=True,
)
DCRNN_19 = TUSZ_19

#: The 18 bipolar derivations of the Helsinki neonatal archives (Stevenson et al. 2019,
#: "A dataset of neonatal EEG recordings with seizure annotations", Sci. Data), in their
#: order and old-name spelling: the double banana, right chains first.
HELSINKI_18 = _render(DOUBLE_BANANA_18[8:12] + DOUBLE_BANANA_18[4:8] + DOUBLE_BANANA_18[12:16]
                      + DOUBLE_BANANA_18[0:4] + DOUBLE_BANANA_18[16:18], legacy=True)


# ----------------------------------------------------------------------------- matching
class MissingChannelsError(KeyError, ValueError):
    """Raised when wanted channels are absent; catchable as ``KeyError`` or ``ValueError``.

    Attributes
    ----------
    missing : list of str
        Every wanted name that has no match.
    available : list of str
        The labels that were there.
    """

    def __init__(self, message, missing, available=()):
        super().__init__(message)
        self.missing = list(missing)
        self.available = list(available)

    def __str__(self):
        # KeyError would otherwise print the message with quotes around it.
        return str(self.args[0])


def missing_channels_message(missing, available):
    """The message of :class:`MissingChannelsError`: what is missing and what is there."""
    return (
        f"{len(missing)} channel(s) not found: {', '.join(map(str, missing))}. "
        f"Available: {', '.join(map(str, available))}."
    )


def _check_names(ch_names, wanted):
    if isinstance(ch_names, str) or isinstance(wanted, str):
        raise TypeError("ch_names and wanted must be sequences of channel names, not one string.")
    ch_names = [str(c) for c in ch_names]
    wanted = [str(w) for w in wanted]
    if not wanted:
        raise ValueError("wanted is empty: name at least one channel to pick.")
    parsed = [parse_channel_name(w) for w in wanted]
    seen = {}
    for w, key in zip(wanted, parsed):
        if key in seen:
            raise ValueError(f"Channel {w!r} is asked for twice (also as {seen[key]!r}).")
        seen[key] = w
    return ch_names, wanted, parsed


def _lookup(ch_names):
    table = {}
    for i, name in enumerate(ch_names):
        p = parse_channel_name(name)
        table.setdefault((p.electrodes, p.duplicate), []).append((i, p.reference))
    return table


def _find(table, ch_names, label, parsed):
    """Index of the one available channel matching ``parsed``, or ``None``."""
    electrodes, reference, duplicate = parsed
    hits = table.get((electrodes, duplicate), [])
    if not hits and duplicate is None:
        # MNE renamed a duplicated label; the plain name means its first occurrence.
        hits = table.get((electrodes, 0), [])
    hits = [i for i, ref in hits if reference is None or ref == reference]
    if len(hits) > 1:
        raise ValueError(
            f"Channel {label!r} is ambiguous: it matches {[ch_names[i] for i in hits]} "
            "(old and new 10-20 names, or two references, both present?)."
        )
    return hits[0] if hits else None


def channel_indices(ch_names, wanted):
    """Positions in ``ch_names`` of each channel of ``wanted``, in the order of ``wanted``.

    Parameters
    ----------
    ch_names : sequence of str
        Available channel labels (e.g. a recording's ``ch_names``).
    wanted : sequence of str
        Channels to select, in the desired output order, in any naming convention of
        the module docstring.

    Returns
    -------
    indices : ndarray of shape (len(wanted),), int
        ``ch_names[indices[i]]`` names the same channel as ``wanted[i]``.

    Raises
    ------
    MissingChannelsError
        (a ``KeyError`` and ``ValueError``) naming every wanted channel that has no
        match and every available one.
    ValueError
        If ``wanted`` is empty or names a channel twice, or if a wanted name matches
        two available channels (e.g. both ``T3`` and ``T7`` are present).
    """
    ch_names, wanted, parsed = _check_names(ch_names, wanted)
    table = _lookup(ch_names)
    indices, missing = [], []
    for w, p in zip(wanted, parsed):
        i = _find(table, ch_names, w, p)
        if i is None:
            missing.append(w)
        else:
            indices.append(i)
    if missing:
        raise MissingChannelsError(missing_channels_message(missing, ch_names), missing, ch_names)
    return np.asarray(indices, dtype=np.intp)
