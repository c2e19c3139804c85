"""
Spatiotemporal CAP signatures of SIMULATED nerve-cuff recordings
================================================================

This example runs the MobilESCAPE-Net chain of Gökdağ, Zhu, Mura, Magarini, Coviello and
Spagnolini, "Low-Complexity CNN-Based Classification of Electroneurographic Signals"
(2025, arXiv:2505.06241) end to end on **simulated** data:

1. :func:`skseizure.eng.simulate_nerve_cuff` generates 56-channel
   (7 rings x 8 contacts, 30 kHz) recordings of one simulated animal for the
   three stimulus classes (dorsiflexion, plantarflexion, pricking). It is a
   simulator of the paper's system model, not real nerve data.
2. :class:`skseizure.eng.CAPSignatureBuilder` clips, band-passes
   (800 Hz - 5 kHz), applies tripolar referencing, finds the stimulus periods,
   detects CAPs and cuts a 56 x 100 signature around each one.
3. We plot the detection on one recording (like the paper's Fig. 2) and the
   average of 40 signatures per class (like its Fig. 3).
4. :class:`skseizure.eng.MobilESCAPENetClassifier` is trained for a few
   epochs and scored on held-out signatures.

Set ``SKSEIZURE_FIGURES`` to a folder to save the figures as PNG files there, and
``SKSEIZURE_DOCS_FAST=1`` for shorter recordings and training (used by the documentation
build).
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split

from skseizure.eng.simulator import STIMULUS_CLASSES, simulate_nerve_cuff
from skseizure.eng.estimators import MobilESCAPENetClassifier
from skseizure.eng.signatures import CAPSignatureBuilder

torch.set_num_threads(1)  # small network: one thread is fastest on a shared CPU
fig_dir = os.environ.get("SKSEIZURE_FIGURES")
FAST = os.environ.get("SKSEIZURE_DOCS_FAST", "") not in ("", "0")

# %%
# Simulate one animal: one recording per stimulus class (SIMULATED data).
recordings = [
    simulate_nerve_cuff(stimulus, snr_db=1.5, duration_s=2.0 if FAST else 4.0, animal=0,
                        random_state=i)
    for i, stimulus in enumerate(STIMULUS_CLASSES)
]
for rec in recordings:
    print(rec)

# %%
# Build the signatures (clip +/-40 uV, Butterworth 800-5000 Hz, tripolar
# referencing, activity intervals, CAP detection, 56 x 100 signatures).
builder = CAPSignatureBuilder()
signatures = builder.build(recordings)
X, y = signatures.X, signatures.y
print(f"{len(X)} signatures of shape {X.shape[1:]}; per class {np.bincount(y)}; "
      f"SNR after preprocessing (dB) {np.round(signatures.snr_db, 2)}")

# %%
# The chain on the dorsiflexion recording: middle-ring signal, estimated
# stimulus periods and detected CAPs (cf. the paper's Fig. 2).
det = builder.process(recordings[0])
t = np.arange(det.data.shape[1]) / det.sfreq
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3), gridspec_kw={"width_ratios": [3, 1]})
ax0.plot(t, 1e6 * det.detection_signal, lw=0.3, color="k")
for start, end in det.intervals:
    ax0.axvspan(start, end, color="C1", alpha=0.2)
ax0.set(xlabel="time (s)", ylabel="middle ring (uV)",
        title="SIMULATED dorsiflexion: estimated stimulus periods")
c0 = det.cap_samples[len(det.cap_samples) // 2] / det.sfreq
zoom = (t > c0 - 0.02) & (t < c0 + 0.02)
ax1.plot(1e3 * (t[zoom] - c0), 1e6 * det.detection_signal[zoom], color="k", lw=0.8)
caps = det.cap_samples[np.abs(det.cap_samples / det.sfreq - c0) < 0.02]
ax1.plot(1e3 * (caps / det.sfreq - c0), 1e6 * det.detection_signal[caps], "o", color="C3",
         mfc="none", ms=8)
ax1.set(xlabel="ms around a CAP", title="detected CAPs")
fig.tight_layout()
if fig_dir:
    fig.savefig(os.path.join(fig_dir, "eng_detection.png"), dpi=110)

# %%
# Average of 40 signatures per class (cf. the paper's Fig. 3). Rows are the
# 56 electrodes (ring-major), columns the 100 samples (3.3 ms).
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharey=True)
fig.subplots_adjust(left=0.07, right=0.86, bottom=0.17, top=0.84, wspace=0.08)
vmax = max(np.abs(X[y == c][:40].mean(axis=0)).max() for c in range(3))
for c, ax in enumerate(axes):
    mean = X[y == c][:40].mean(axis=0)[0]
    im = ax.imshow(mean, aspect="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax,
                   extent=[-50 / 30, 50 / 30, 55.5, -0.5])
    ax.set(title=f"{STIMULUS_CLASSES[c]} (mean of 40)", xlabel="time (ms)")
    for ring in range(1, 7):
        ax.axhline(ring * 8 - 0.5, color="k", lw=0.3)
axes[0].set_ylabel("electrode (ring x 8 + contact)")
fig.colorbar(im, cax=fig.add_axes([0.88, 0.17, 0.015, 0.67]), label="signal / 40 uV")
fig.suptitle("Spatiotemporal signatures - SIMULATED recordings", fontsize=10)
if fig_dir:
    fig.savefig(os.path.join(fig_dir, "eng_signatures.png"), dpi=110)

# %%
# Train MobilESCAPE-Net briefly (a few epochs; the paper trains to
# convergence with early stopping) and score it on 15 % held-out signatures.
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.15, stratify=y, random_state=0)
clf = MobilESCAPENetClassifier(max_epochs=2 if FAST else 4, batch_size=16, lr=3e-3, random_state=0, verbose=1)
clf.fit(X_train, y_train)
print(classification_report(y_test, clf.predict(X_test), target_names=STIMULUS_CLASSES,
                            digits=3))
print("(scores on SIMULATED data; not comparable to results on real nerve recordings)")

plt.show()
