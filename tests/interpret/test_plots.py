"""Occlusion figures render (Agg) with the expected artists."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skseizure.interpret.plots import (  # noqa: E402
    plot_occlusion_graph,
    plot_occlusion_traces,
    scalp_projection,
)
from skseizure.datasets.channels import TUSZ_19  # noqa: E402
from skseizure.preprocessing.graphs import DistanceGraph  # noqa: E402


def test_traces_plot(tmp_path):
    rng = np.random.default_rng(0)
    sig = rng.normal(size=(4, 300))
    occ = rng.uniform(size=(4, 3))
    ann = np.zeros((4, 3), dtype=int)
    ann[1, 2] = 1
    ax = plot_occlusion_traces(sig, occ, sfreq=100, ch_names=list("ABCD"), annotation=ann,
                               threshold=0.5)
    assert len(ax.lines) == 4
    assert len(ax.patches) == 1  # one annotated cell
    assert [t.get_text() for t in ax.get_yticklabels()] == list("ABCD")
    ax.figure.savefig(tmp_path / "traces.png")
    assert (tmp_path / "traces.png").stat().st_size > 1000
    plt.close("all")
    with pytest.raises(ValueError, match="channels"):
        plot_occlusion_traces(sig, occ[:3], sfreq=100)


def test_scalp_projection_layout():
    xy = scalp_projection(list(TUSZ_19))
    i = {c: k for k, c in enumerate(TUSZ_19)}
    np.testing.assert_allclose(xy[i["CZ"]], [0, 0], atol=1e-12)
    assert xy[i["FZ"], 1] > 0 > xy[i["PZ"], 1]        # nose up
    assert xy[i["T3"], 0] < 0 < xy[i["T4"], 0]        # left ear on the left
    np.testing.assert_allclose(np.hypot(*xy[i["O1"]]), 1.0)  # equator on the unit circle


def test_graph_plot(tmp_path):
    g = DistanceGraph().fit()
    vals = np.linspace(0, 1, 19)
    ax = plot_occlusion_graph(vals, list(TUSZ_19), adjacency=g.adjacency_, threshold=0.5)
    assert len(ax.lines) == 36  # one line per undirected edge, no self-loops
    assert len(ax.collections[0].get_offsets()) == 19
    ax.figure.savefig(tmp_path / "graph.png")
    plt.close("all")
    # bipolar channels and a channel x second map
    ax = plot_occlusion_graph(np.ones((2, 3)), ["Fp1-F7", "Fp2-F8"])
    assert len(ax.collections[0].get_offsets()) == 2
    plt.close("all")
