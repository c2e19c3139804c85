"""
DCRNN on an EEG graph and its occlusion map
===========================================

Train a small diffusion-convolutional recurrent network (Tang et al., ICLR 2022) on real
CHB-MIT excerpts, then ask which channel and which second drove its seizure logit:
zero one channel during one second at a time, record ``original - occluded`` logit, and
scale each clip's map to [0, 1]. The map is drawn over the EEG traces and on the nodes
of the distance graph on the scalp.

Data: the 20 ten-second CHB-MIT windows shipped in ``../shared/data/chbmit`` (7 + 3
ictal, 7 + 3 pre-ictal, patients chb01 and chb02), reduced to the 18 "double banana"
derivations. This is a demonstration of the API on very little data, not an evaluation
(see ``benchmarks/bench_dcrnn.py`` for subject-wise numbers).
"""

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skseizure.datasets.loaders import load_chbmit_windows  # noqa: E402
from skseizure.datasets.montages import CHBMIT_18, pick_channels  # noqa: E402
from skseizure.estimators.dcrnn import DCRNNClassifier  # noqa: E402
from skseizure.interpret.occlusion import occlusion_map  # noqa: E402
from skseizure.interpret.plots import plot_occlusion_graph, plot_occlusion_traces  # noqa: E402
from skseizure.preprocessing.graphs import DistanceGraph  # noqa: E402
from skseizure.preprocessing.spectral import FFTLogAmplitude  # noqa: E402

torch.set_num_threads(1)
root = Path(os.environ.get("SKSEIZURE_DATA", Path.cwd().parent / "shared" / "data"))
if not root.is_dir():
    root = Path(__file__).resolve().parents[2] / "shared" / "data"
ds = load_chbmit_windows(root)
ch_names = list(CHBMIT_18)
X = pick_channels(ds.X, ds.ch_names, ch_names)[:, :, : 10 * 256]  # 10 s, 256 Hz
y = np.asarray(ds.y)
print(X.shape, np.bincount(y))

# %%
# Log-amplitude spectra of 1-s steps (0-47 Hz), then a DCRNN on the distance graph of the
# bipolar channels (each derivation sits at the midpoint of its two electrodes).
pipe = make_pipeline(
    FFTLogAmplitude(sfreq=256, n_bins=48),
    DCRNNClassifier(graph=DistanceGraph(ch_names=ch_names), module__num_units=32, lr=3e-3,
                    max_epochs=40, valid_size=None, batch_size=8, random_state=0),
)
pipe.fit(X, y)
print("training accuracy", pipe.score(X, y))

# %%
# Occlusion map of the first ictal window: FFT features in, one (channel, second) cell
# occluded at a time. ``fill_value="auto"`` zero-fills the network's standardised input.
feats = pipe[0].transform(X)
clf = pipe[-1]
i = int(np.flatnonzero(y == 1)[0])
M = occlusion_map(clf, feats[i:i + 1])[0]  # (18 channels, 10 seconds)

fig = plt.figure(figsize=(13, 5))
ax1 = fig.add_axes([0.05, 0.1, 0.55, 0.85])
plot_occlusion_traces(X[i] * 1e6, M, sfreq=256, ch_names=ch_names, ax=ax1, threshold=0.5)
ax1.set_title(f"{ds.metadata['recording'][i] if 'recording' in ds.metadata else 'ictal window'}:"
              " occlusion > 0.5 over the traces (µV)")
ax2 = fig.add_axes([0.62, 0.1, 0.32, 0.85])
plot_occlusion_graph(M, ch_names, adjacency=clf.graph_.adjacency_, ax=ax2)
ax2.set_title("mean occlusion on the graph")
out = Path(os.environ.get("SKSEIZURE_FIGURES", "."))
fig.savefig(out / "dcrnn_occlusion.png", dpi=110)
