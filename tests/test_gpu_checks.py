"""The GPU check script without a GPU, and the mixed-precision recipe on the CPU.

``benchmarks/gpu_checks.py`` runs on CUDA machines; here it must say that there is no
CUDA device and exit 0 without writing results. The ``torch.autocast`` recipe of the
scaling guide runs the same code paths on the CPU with bfloat16.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from skseizure.estimators import LightCNNClassifier

REPO = Path(__file__).resolve().parents[1]


def test_gpu_check_script_exits_cleanly_without_cuda(tmp_path):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gpu_checks.py"), "--json",
         str(tmp_path / "gpu.json")],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert "no CUDA device" in out.stdout
    assert not (tmp_path / "gpu.json").exists()


def test_bfloat16_autocast_fit_and_predict(rng):
    X = rng.standard_normal((96, 4, 64)).astype(np.float32)
    y = np.arange(96) % 2
    X[y == 1] += np.sin(2 * np.pi * 4 * np.arange(64) / 64).astype(np.float32)
    groups = np.repeat(np.arange(6), 16)
    params = dict(module__n_filters=(4, 8, 8), max_epochs=3, batch_size=32, random_state=0)
    ref = LightCNNClassifier(**params).fit(X, y, groups=groups)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        clf = LightCNNClassifier(**params).fit(X, y, groups=groups)
        proba = clf.predict_proba(X)
    assert proba.dtype == np.float32 and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-3)
    # bfloat16 rounding changes the weights a little, not what the network learned.
    assert np.mean(clf.predict(X) == ref.predict(X)) >= 0.9
