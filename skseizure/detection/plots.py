"""Figure of a detection run: EEG traces, window probabilities, reference vs detected events."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_detection"]


def plot_detection(data, sfreq, ch_names, window_proba, *, reference=(), detected=(),
                   threshold=0.5, title=None, max_channels=8):
    """Draw one recording's detection on three stacked panels.

    Parameters
    ----------
    data : array-like of shape (n_channels, n_times)
        The recording as read (any unit; each trace is scaled to its own range).
    sfreq : float
        Hz.
    ch_names : sequence of str
    window_proba : WindowProbabilities
        Output of the detector (``start``, ``proba``, ``window_length``).
    reference, detected : sequence of events
        Objects with ``onset`` and ``duration`` in seconds.
    threshold : float, default=0.5
        Drawn as a dashed line on the probability panel.
    title : str or None
    max_channels : int, default=8
        At most this many traces are drawn (the first ones).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    data = np.asarray(data)[:max_channels]
    t = np.arange(data.shape[1]) / float(sfreq)
    fig, axes = plt.subplots(3, 1, figsize=(11, 7), sharex=True,
                             gridspec_kw={"height_ratios": [4, 1.4, 0.8]})
    ax = axes[0]
    step = max(1, data.shape[1] // 20000)  # at most ~20k points a trace
    for k, row in enumerate(data):
        scale = np.percentile(np.abs(row - np.median(row)), 99) or 1.0
        ax.plot(t[::step], (row[::step] - np.median(row)) / (2.5 * scale) - k, lw=0.4, color="k")
    ax.set_yticks(-np.arange(len(data)))
    ax.set_yticklabels(list(ch_names)[:len(data)], fontsize=8)
    ax.set_ylim(-len(data), 1)
    ax.set_title(title or "seizure detection")
    wp = window_proba
    centres = wp.start + wp.window_length / 2
    axes[1].plot(centres, wp.proba, lw=0.8, color="tab:blue", label="window probability")
    axes[1].axhline(threshold, ls="--", lw=0.8, color="grey", label=f"threshold {threshold:g}")
    axes[1].set_ylim(-0.02, 1.02)
    axes[1].set_ylabel("P(seizure)")
    axes[1].legend(loc="upper left", fontsize=8)
    lanes = ((1, reference, "tab:green", "reference"), (0, detected, "tab:red", "detected"))
    for y, events, color, label in lanes:
        for i, ev in enumerate(events):
            for a in axes[:1]:
                a.axvspan(ev.onset, ev.onset + ev.duration, color=color, alpha=0.12)
            axes[2].broken_barh([(ev.onset, ev.duration)], (y + 0.1, 0.8), color=color,
                                label=label if i == 0 else None)
    axes[2].set_yticks([0.5, 1.5])
    axes[2].set_yticklabels(["detected", "reference"], fontsize=8)
    axes[2].set_ylim(0, 2)
    axes[2].set_xlabel("time (s)")
    axes[2].set_xlim(0, t[-1] if len(t) else 1)
    fig.tight_layout()
    return fig
