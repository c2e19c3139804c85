"""Occlusion-map figures (matplotlib): over the EEG traces and over the graph on the scalp.

Both functions draw on a given ``Axes`` (or create a figure) and return the ``Axes``; they
never call ``plt.show``. Use a non-interactive backend (``matplotlib.use("Agg")``) on
servers.
"""

from __future__ import annotations

import numpy as np

from ..datasets.electrodes import channel_positions

__all__ = ["plot_occlusion_traces", "plot_occlusion_graph", "scalp_projection"]


def _axes(ax, figsize):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_occlusion_traces(signal, occlusion, sfreq, ch_names=None, annotation=None,
                          threshold=None, cmap="Reds", ax=None, scale=None):
    """Occlusion map as a coloured background behind stacked EEG traces (paper Fig. 3).

    Parameters
    ----------
    signal : array-like of shape (n_channels, n_times)
        Raw EEG of one clip (any unit).
    occlusion : array-like of shape (n_channels, n_seconds) or (n_channels,)
        Occlusion map of that clip in [0, 1] (a per-channel map is replicated in time).
    sfreq : float
        Sampling frequency of ``signal`` in Hz.
    ch_names : list of str or None
        Labels of the traces (top to bottom).
    annotation : array-like of shape (n_channels, n_seconds) or None
        Binary seizure annotation drawn as red boxes.
    threshold : float or None
        Only cells with ``occlusion > threshold`` are coloured (the paper uses 0.5).
    cmap : str, default="Reds"
    ax : matplotlib Axes or None
    scale : float or None
        Vertical spacing between traces in signal units (default: 6 x median std).

    Returns
    -------
    ax : matplotlib Axes
    """
    sig = np.asarray(signal, dtype=np.float64)
    occ = np.asarray(occlusion, dtype=np.float64)
    if sig.ndim != 2:
        raise ValueError(f"signal must be (n_channels, n_times); got {sig.shape}.")
    C, L = sig.shape
    duration = L / float(sfreq)
    if occ.ndim == 1:
        occ = np.repeat(occ[:, None], max(1, int(np.ceil(duration))), axis=1)
    if occ.shape[0] != C:
        raise ValueError(f"occlusion has {occ.shape[0]} channels, signal {C}.")
    ax = _axes(ax, (10, 0.35 * C + 1.5))
    scale = scale or 6.0 * float(np.median(sig.std(1)) or 1.0)
    shown = np.ma.masked_where(occ <= threshold, occ) if threshold is not None else occ
    n_sec = occ.shape[1]
    # row r of the image spans y in [-(r+0.5), -(r-0.5)] * scale: trace r sits at -r*scale
    im = ax.imshow(shown, aspect="auto", cmap=cmap, vmin=0, vmax=1, alpha=0.6,
                   extent=(0, n_sec * duration / n_sec, -(C - 0.5) * scale, 0.5 * scale),
                   interpolation="nearest", origin="upper")
    t = np.arange(L) / float(sfreq)
    for r in range(C):
        ax.plot(t, sig[r] - sig[r].mean() - r * scale, color="k", lw=0.5)
    if annotation is not None:
        from matplotlib.patches import Rectangle

        A = np.asarray(annotation)
        for r, s in zip(*np.nonzero(A)):
            ax.add_patch(Rectangle((s * duration / n_sec, -(r + 0.5) * scale),
                                   duration / n_sec, scale, fill=False, ec="red", lw=1.2))
    ax.set_yticks(-np.arange(C) * scale)
    ax.set_yticklabels(list(ch_names) if ch_names is not None else [str(i) for i in range(C)])
    ax.set_xlim(0, duration)
    ax.set_ylim(-(C - 0.5) * scale, 0.5 * scale)
    ax.set_xlabel("time (s)")
    ax.figure.colorbar(im, ax=ax, label="occlusion (scaled)", fraction=0.03)
    return ax


def scalp_projection(ch_names):
    """2-D scalp coordinates of channels (azimuthal equidistant projection, nose up).

    A point at polar angle ``theta`` from Cz is drawn at radius ``theta / 90 deg``, so the
    10-20 equator (Fp1, T3, O1 ...) lies on the unit circle.

    Returns
    -------
    xy : ndarray of shape (n_channels, 2)
    """
    P = channel_positions(ch_names)
    theta = np.arccos(np.clip(P[:, 2], -1, 1))
    phi = np.arctan2(P[:, 1], P[:, 0])
    r = theta / (np.pi / 2)
    # nose (+x on the sphere) up, left ear (+y) to the left
    return np.column_stack([-r * np.sin(phi), r * np.cos(phi)])


def plot_occlusion_graph(values, ch_names, adjacency=None, cmap="Reds", ax=None,
                         threshold=None, annotate=True, edge_color="0.5"):
    """Occlusion values on the nodes of the EEG graph drawn on the scalp (paper Fig. 3).

    Parameters
    ----------
    values : array-like of shape (n_channels,) or (n_channels, n_seconds)
        Node values in [0, 1]; a channel x second map is averaged over time (as in the
        paper's right panels).
    ch_names : list of str
        Channel names (referential or bipolar; bipolar channels are drawn at the
        midpoint of their electrodes).
    adjacency : array-like of shape (n_channels, n_channels) or None
        Edges drawn with width proportional to the weight (self-loops omitted; a directed
        graph is drawn with one line per ordered pair that has weight).
    cmap : str, default="Reds"
    ax : matplotlib Axes or None
    threshold : float or None
        Nodes with ``value <= threshold`` are drawn white.
    annotate : bool, default=True
        Write the channel names.
    edge_color : matplotlib colour, default="0.5"

    Returns
    -------
    ax : matplotlib Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Polygon

    v = np.asarray(values, dtype=np.float64)
    if v.ndim == 2:
        v = v.mean(1)
    xy = scalp_projection(ch_names)
    if v.shape[0] != xy.shape[0]:
        raise ValueError(f"{v.shape[0]} values for {xy.shape[0]} channels.")
    ax = _axes(ax, (5, 5))
    ax.add_patch(Circle((0, 0), 1.0, fill=False, lw=1.5))
    ax.add_patch(Polygon([(-0.1, 0.99), (0, 1.12), (0.1, 0.99)], closed=False, fill=False, lw=1.5))
    if adjacency is not None:
        A = np.asarray(adjacency, dtype=np.float64)
        w_max = np.abs(A[~np.eye(A.shape[0], dtype=bool)]).max() if A.size > 1 else 1.0
        for i, j in zip(*np.nonzero(A)):
            if i == j or (A[j, i] == A[i, j] and j < i):
                continue
            ax.plot(xy[[i, j], 0], xy[[i, j], 1], color=edge_color,
                    lw=0.5 + 3.0 * abs(A[i, j]) / (w_max or 1.0), zorder=1)
    colors = plt.get_cmap(cmap)(np.clip(v, 0, 1))
    if threshold is not None:
        colors[v <= threshold] = (1, 1, 1, 1)
    sc = ax.scatter(xy[:, 0], xy[:, 1], s=380, c=colors, edgecolors="k", zorder=2)
    if annotate:
        for (x, y), name in zip(xy, ch_names):
            ax.text(x, y, str(name), ha="center", va="center", fontsize=6, zorder=3)
    mappable = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, 1))
    ax.figure.colorbar(mappable, ax=ax, fraction=0.04, label="occlusion (scaled)")
    del sc
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.25, 1.25)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
