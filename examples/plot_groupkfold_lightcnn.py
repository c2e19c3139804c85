"""
Subject-wise grid search of the lightweight 1-D CNN on neonatal EEG
===================================================================

This example trains the pipeline ``ChannelStandardizer -> LightCNNClassifier`` on
1-s windows of the Helsinki neonatal EEG dataset (Stevenson et al. 2019, "A dataset of
neonatal EEG recordings with seizure annotations", Scientific Data 6:190039) with
**GroupKFold by infant**: no infant contributes windows to both the training and the
test side of any split, and the network's internal early-stopping split is subject-wise
too (``groups`` are routed with scikit-learn metadata routing).

It then plots the training curves of the refitted best model and the out-of-fold
confusion matrix.

Where the windows come from: with the dataset as distributed (``eeg1.edf`` ...
``eeg79.edf`` and the experts' annotation tables from Zenodo record 4940267) in a folder
named by ``$SKSEIZURE_HELSINKI``, the recordings are indexed with
:func:`~skseizure.datasets.load_recordings`, each continuous recording is band-passed,
resampled to 64 Hz and cut into 1-s windows in the 18-channel bipolar montage. Without
it, the example uses the small pre-cut archive of 1-s windows (expert A) found in the
real-data folder (``$SKSEIZURE_DATA``), so that it runs offline in about two minutes on
two CPU cores.

Run it as a script or open it as a notebook (``# %%`` cells).
"""

# %%
# Load the windows: X (n, 18, 64) in volts at 64 Hz, y (1 = seizure), infant ids.
import os
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import sklearn
import torch
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from skseizure.datasets import HELSINKI_18, load_recordings, locate_data
from skseizure.datasets.loaders import load_helsinki_neonatal
from skseizure.estimators.light_cnn import LightCNNClassifier
from skseizure.metrics import SCORERS
from skseizure.preprocessing import filter_continuous
from skseizure.preprocessing.standardization import ChannelStandardizer

torch.set_num_threads(1)  # small networks: one thread is fastest on a shared CPU
distributed = os.environ.get("SKSEIZURE_HELSINKI")
if distributed:
    # As distributed: lazy index (EDF headers + annotation tables), resampled to 64 Hz on
    # load; a second is ictal when the majority of the three experts marked it.
    corpus = load_recordings(distributed, layout="helsinki", sfreq=64.0, agreement="majority")
    print(corpus)
    windows = corpus.make_windows(
        window_s=1.0, montage=list(HELSINKI_18), min_seizure_overlap=0.5,
        preprocess=partial(filter_continuous, l_freq=0.5, h_freq=25.0),
    )
else:
    root = locate_data()
    if root is None:
        raise SystemExit("set SKSEIZURE_HELSINKI (EDF + tables) or SKSEIZURE_DATA")
    windows = load_helsinki_neonatal(root, expert="A")  # pre-cut 1-s windows, expert A
X, y, groups = windows.X, windows.y, windows.groups
print(f"{X.shape[0]} windows, {len(np.unique(groups))} infants, {y.mean():.0%} seizure")

# %%
# The pipeline and a small grid. ``enable_metadata_routing`` lets
# ``search.fit(..., groups=groups)`` reach both the outer GroupKFold and the
# network's inner validation split (``fit`` requests ``groups`` by default).
sklearn.set_config(enable_metadata_routing=True)
pipe = Pipeline([
    ("std", ChannelStandardizer()),
    ("clf", LightCNNClassifier(max_epochs=10, patience=4, batch_size=64, random_state=0)),
])
grid = {"clf__lr": [1e-3, 2.5e-3]}
search = GridSearchCV(pipe, grid, cv=GroupKFold(n_splits=4), scoring=SCORERS, refit="auroc")
search.fit(X, y, groups=groups)
print("best parameters:", search.best_params_)
print(f"grouped AUROC {search.best_score_:.3f}  seizure-F1 "
      f"{search.cv_results_['mean_test_seizure_f1'][search.best_index_]:.3f}")

# %%
# Training curves of the refitted best network: loss and validation macro-F1 per
# epoch; the weights of the best validation epoch were restored at the end.
net = search.best_estimator_.named_steps["clf"]
hist = net.history
fig, ax = plt.subplots(1, 2, figsize=(9, 3.2))
ax[0].plot(hist[:, "epoch"], hist[:, "train_loss"], label="train")
ax[0].plot(hist[:, "epoch"], hist[:, "valid_loss"], label="valid (held-out infants)")
ax[0].set(xlabel="epoch", ylabel="cross-entropy", title="loss")
ax[0].legend()
ax[1].plot(hist[:, "epoch"], hist[:, "valid_f1_macro"])
ax[1].set(xlabel="epoch", ylabel="macro-F1", title="validation macro-F1")
fig.tight_layout()

# %%
# Out-of-fold predictions of the best configuration, still grouped by infant.
best = sklearn.base.clone(search.best_estimator_)
pred = cross_val_predict(best, X, y, cv=GroupKFold(n_splits=4),
                         params={"groups": groups})
ConfusionMatrixDisplay.from_predictions(y, pred, display_labels=["non-seizure", "seizure"])
plt.title("GroupKFold by infant, out-of-fold")
plt.show()
