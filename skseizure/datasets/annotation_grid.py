"""Channel x second seizure annotation grids on a graph's nodes.

The coverage and localisation scores of occlusion maps (Tang et al., 2022, "Self-supervised
graph neural networks for improved electroencephalographic seizure analysis", ICLR,
Section 2.4; :func:`skseizure.interpret.coverage_score`) compare a ``(n_nodes, n_seconds)``
map with a binary grid ``A[c, t] = 1`` when node ``c`` is seizing during second ``t``.
:func:`channel_annotation_grid` builds that grid from channel-level annotations:

- the Helsinki per-channel table (:func:`skseizure.io.read_helsinki_channel_annotations`,
  :class:`~skseizure.io.ChannelSeizure`: one event, several bipolar derivations);
- TUSZ channel rows (:func:`skseizure.io.read_tusz_csv_bi` on a channel-based ``.csv``,
  :class:`~skseizure.io.TuszEvent`: one derivation per row; ``TERM`` rows and background
  rows are ignored);
- plain ``(channel, start_s, stop_s)`` tuples.

Mapping channels onto nodes
---------------------------
Channel labels are parsed with :func:`skseizure.datasets.channels.parse_channel` (any
case, old or new 10-20 names, ``EEG``/``-REF`` decorations).

- **Referential nodes** (e.g. the 19 electrodes of
  :data:`~skseizure.datasets.channels.DCRNN_19`): a node is involved when **any**
  annotated derivation containing its electrode is involved (``Fz-Cz`` marks Fz and Cz;
  a referential annotation ``C3`` marks C3). This rule over-marks: an electrode shared by
  one involved and one uninvolved derivation counts as involved, because a bipolar
  annotation cannot say which of its two electrodes carries the discharge. Electrodes
  that are not nodes (e.g. ``A1`` in ``A1-T3``) are ignored.
- **Bipolar nodes** (a graph built on derivations, e.g.
  :data:`~skseizure.datasets.channels.HELSINKI_18`): a node is involved when the same
  derivation (either electrode order) is annotated; a referential annotation marks every
  derivation containing that electrode.

Seconds: cell ``t`` covers ``[start + t, start + t + 1)`` (times in seconds from the
recording start); it is marked when the event overlaps it by any positive duration.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .channels import ELECTRODE_REFERENCES, parse_channel

__all__ = ["channel_annotation_grid", "event_channel_rows"]


def _electrodes(label):
    try:
        return frozenset(parse_channel(label))
    except ValueError:
        raise ValueError(f"cannot parse the channel label {label!r} as 'A' or 'A-B'.") from None


def event_channel_rows(events):
    """Flatten channel-level annotations into ``(channel, start_s, stop_s)`` rows.

    Parameters
    ----------
    events : iterable
        :class:`~skseizure.io.ChannelSeizure` (one row per involved channel),
        :class:`~skseizure.io.TuszEvent` (kept when it is a seizure row of a channel,
        not ``TERM``), or ``(channel, start_s, stop_s)`` tuples.

    Returns
    -------
    rows : list of (str, float, float)
    """
    rows = []
    for ev in events:
        if hasattr(ev, "channels"):
            rows.extend((ch, float(ev.start), float(ev.stop)) for ch in ev.channels)
        elif hasattr(ev, "channel"):
            if getattr(ev, "is_seizure", True) and str(ev.channel).upper() != "TERM":
                rows.append((str(ev.channel), float(ev.start), float(ev.stop)))
        else:
            try:
                ch, start, stop = ev
            except (TypeError, ValueError):
                raise TypeError(
                    f"an event must be a ChannelSeizure, a TuszEvent or a (channel, start_s, "
                    f"stop_s) tuple; got {ev!r}.") from None
            rows.append((str(ch), float(start), float(stop)))
    for ch, start, stop in rows:
        if not (math.isfinite(start) and math.isfinite(stop) and stop > start):
            raise ValueError(f"event on {ch!r} ({start} s, {stop} s) does not end after it starts.")
    return rows


def _node_mask(node_sets, electrodes, bipolar_nodes):
    """Which nodes one annotated channel (its electrode set) involves."""
    if not bipolar_nodes:
        return np.array([bool(node & electrodes) for node in node_sets])
    if len(electrodes) == 1:
        return np.array([bool(node & electrodes) for node in node_sets])
    return np.array([node == electrodes for node in node_sets])


def channel_annotation_grid(events, node_names, *, start_s=0.0, n_seconds=None):
    """Binary channel x second grid of the seizure annotations on a graph's nodes.

    Parameters
    ----------
    events : iterable
        Channel-level annotations (see :func:`event_channel_rows`); times in seconds from
        the recording start.
    node_names : sequence of str
        The graph's nodes, all referential (``DCRNN_19``) or all bipolar (``HELSINKI_18``).
    start_s : float, default=0.0
        Time of the first column (e.g. the start of a clip).
    n_seconds : int or None, default=None
        Number of one-second columns; ``None`` runs to the end of the last event.

    Returns
    -------
    grid : ndarray of shape (n_nodes, n_seconds), uint8
        ``grid[c, t] = 1`` when node ``c`` is involved during ``[start_s + t, start_s + t + 1)``
        (module docstring: rule for bipolar annotations on referential nodes).

    Raises
    ------
    ValueError
        Mixed referential and bipolar nodes, an unparsable label, a repeated node, an
        annotated channel that reaches no node (it would silently vanish), or a bad
        ``n_seconds``.

    Examples
    --------
    >>> from skseizure.datasets.channels import DCRNN_19
    >>> g = channel_annotation_grid([("Fz-Cz", 1.0, 3.0)], DCRNN_19, n_seconds=4)
    >>> [DCRNN_19[i] for i in g.any(axis=1).nonzero()[0]], g[17].tolist()
    (['FZ', 'CZ'], [0, 1, 1, 0])
    """
    node_sets = [_electrodes(n) for n in node_names]
    if len(set(node_sets)) != len(node_sets):
        raise ValueError(f"node_names repeat a node: {list(node_names)}.")
    sizes = {len(s) for s in node_sets}
    if not node_sets or len(sizes) != 1:
        raise ValueError("node_names must be all referential or all bipolar channels (and not empty).")
    bipolar = sizes == {2}
    rows = event_channel_rows(events)
    start_s = float(start_s)
    if n_seconds is None:
        end = max((stop for _, _, stop in rows), default=start_s)
        n_seconds = max(0, math.ceil(end - start_s))
    elif not (isinstance(n_seconds, numbers.Integral) and n_seconds >= 0):
        raise ValueError(f"n_seconds must be a non-negative integer or None; got {n_seconds!r}.")
    grid = np.zeros((len(node_sets), int(n_seconds)), dtype=np.uint8)
    for ch, start, stop in rows:
        mask = _node_mask(node_sets, _electrodes(ch), bipolar)
        if not mask.any():
            if bipolar or (_electrodes(ch) - ELECTRODE_REFERENCES):
                raise ValueError(f"annotated channel {ch!r} matches no node of {list(node_names)}.")
            continue  # e.g. a reference electrode only; nothing on the graph
        lo = max(0, math.floor(start - start_s))
        hi = min(int(n_seconds), math.ceil(stop - start_s))
        if hi > lo:
            grid[mask, lo:hi] = 1
    return grid
