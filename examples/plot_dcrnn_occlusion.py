"""
DCRNN on an EEG graph and its occlusion map
===========================================

Train a small diffusion-convolutional recurrent network (Tang et al., "Self-Supervised Graph
Neural Networks for Improved Electroencephalographic Seizure Analysis", ICLR 2022) on real
CHB-MIT EEG, then ask which channel and which second drove its seizure logit: zero one
channel during one second at a time, record ``original - occluded`` logit, and scale each
clip's map to [0, 1]. The map is drawn over the EEG traces and on the nodes of the distance
graph on the scalp.

Data: the real CHB-MIT sample shipped inside the package (two 41-s crops of record
``chb01_03``, one around a seizure and one without, 23 bipolar channels at 256 Hz), cut into
10-s windows every 5 s and reduced to the 18 "double banana" derivations. No data folder is
needed. This is a demonstration of the API on very little data from one patient, not an
evaluation: the network is scored on the windows it was trained on (see
``benchmarks/bench_dcrnn.py`` and ``benchmarks/bench_accuracy.py`` for subject-wise figures).

Set ``SKSEIZURE_DOCS_FAST=1`` for a shorter training (used by the documentation build).
"""

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.pipeline import make_pipeline

from skseizure.datasets import CHBMIT_18, load_sample, make_windows
from skseizure.estimators import DCRNNClassifier
from skseizure.interpret import occlusion_map, plot_occlusion_graph, plot_occlusion_traces
from skseizure.preprocessing import DistanceGraph, FFTLogAmplitude

torch.set_num_threads(1)  # small network: one thread is fastest on a shared CPU
FAST = os.environ.get("SKSEIZURE_DOCS_FAST", "") not in ("", "0")
SFREQ = 256.0

ch_names = list(CHBMIT_18)
ds = make_windows(load_sample(), window_s=10.0, step_s=5.0, min_seizure_overlap=0.5,
                  channels=ch_names)
X, y = np.asarray(ds.X), np.asarray(ds.y)
print(f"X {X.shape} (volts, {SFREQ:g} Hz), windows per class {np.bincount(y)}")

# %%
# Log-amplitude spectra of 1-s steps (0-47 Hz), then a DCRNN on the distance graph of the
# bipolar channels (each derivation sits at the midpoint of its two electrodes).
pipe = make_pipeline(
    FFTLogAmplitude(sfreq=SFREQ, n_bins=48),
    DCRNNClassifier(graph=DistanceGraph(ch_names=ch_names), module__num_units=32, lr=3e-3,
                    max_epochs=15 if FAST else 40, valid_size=None, batch_size=8,
                    random_state=0),
)
pipe.fit(X, y)
print("accuracy on the training windows (not an evaluation):", pipe.score(X, y))

# %%
# Occlusion map of the first ictal window: FFT features in, one (channel, second) cell
# occluded at a time. ``fill_value="auto"`` zero-fills the network's standardised input.
feats = pipe[0].transform(X)
clf = pipe[-1]
i = int(np.flatnonzero(y == 1)[0])
M = occlusion_map(clf, feats[i:i + 1])[0]  # (18 channels, 10 seconds), scaled to [0, 1]

fig = plt.figure(figsize=(13, 5))
ax1 = fig.add_axes([0.05, 0.1, 0.55, 0.85])
plot_occlusion_traces(X[i] * 1e6, M, sfreq=SFREQ, ch_names=ch_names, ax=ax1, threshold=0.5)
name = ds.metadata["recording"][i] if "recording" in ds.metadata else "ictal window"
ax1.set_title(f"{name}: occlusion > 0.5 over the traces (µV)")
ax2 = fig.add_axes([0.62, 0.1, 0.32, 0.85])
plot_occlusion_graph(M, ch_names, adjacency=clf.graph_.adjacency_, ax=ax2)
ax2.set_title("mean occlusion on the graph")

# Saved only on request (the documentation build captures the figure itself).
if os.environ.get("SKSEIZURE_FIGURES"):
    fig.savefig(Path(os.environ["SKSEIZURE_FIGURES"]) / "dcrnn_occlusion.png", dpi=110)
plt.show()
