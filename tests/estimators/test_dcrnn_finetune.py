"""Fine-tuning DCRNNClassifier from the encoders released with Tang et al. (ICLR 2022).

Real input: the 19 referential 10-20 channels of a neonatal EEG (Helsinki group demo EDF,
no seizure), picked in the authors' node order (``DCRNN_19``), resampled to 200 Hz and cut
into 12-s clips of 1-s FFT steps (100 bins), as the checkpoints expect. The labels of the
short fit are synthetic (the file has no seizure): the fit checks the mechanics only.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.signal import resample_poly
from sklearn.base import clone

from skseizure.datasets import DCRNN_19, pick_channels
from skseizure.estimators import DCRNNClassifier
from skseizure.io import read_edf
from skseizure.models import load_released_dcrnn
from skseizure.models.dcrnn_checkpoints import released_state_dict
from skseizure.preprocessing import CorrelationGraph, DistanceGraph, FFTLogAmplitude

GRAPHS = {"distance": DistanceGraph(), "correlation": CorrelationGraph(top_k=3, ch_names=DCRNN_19)}


@pytest.fixture(scope="module")
def ref_dir(shared_data):
    return shared_data / "eeg-gnn-ssl-reference"


@pytest.fixture(scope="module")
def neonatal_clips(shared_data):
    rec = read_edf(shared_data / "neonatal-demo-edf" / "eeg_burst_eg.edf")
    data = pick_channels(rec.data, rec.ch_names, DCRNN_19) * 1e6  # microvolts, as TUSZ
    data = resample_poly(data, 25, 32, axis=-1)  # 256 Hz -> 200 Hz
    n = data.shape[1] // 2400
    clips = data[:, : n * 2400].reshape(19, n, 2400).transpose(1, 0, 2).astype(np.float32)
    return FFTLogAmplitude(sfreq=200).fit_transform(clips)  # (17, 12, 19, 100)


@pytest.mark.parametrize("kind", ["distance", "correlation"])
def test_encoder_starts_from_the_released_checkpoint(kind, ref_dir, neonatal_clips, tmp_path):
    path = ref_dir / f"pretrained_{kind}_graph_12s.pth.tar"
    X = neonatal_clips
    assert X.shape == (17, 12, 19, 100)
    y = np.arange(len(X)) % 2  # synthetic labels (no seizure in this recording)
    est = DCRNNClassifier(GRAPHS[kind], pretrained=str(path), max_epochs=0, valid_size=None,
                          random_state=0).fit(X, y)
    state, params = released_state_dict(path)
    for name, value in est.module_.encoder.state_dict().items():
        torch.testing.assert_close(value, state["encoder." + name], rtol=0, atol=0)
    conv = est.module_.encoder.layers[1].dconv_candidate
    assert conv.basis == "chebyshev"
    assert conv.chain_supports is (kind == "correlation")  # the authors' recursion quirk
    # the fine-tuned encoder reproduces the authors' encoder states (layers 1 and 2 of 3)
    ref = np.load(ref_dir / f"pretrained_{kind}_graph_12s_reference.npz")
    with torch.no_grad():
        _, hidden = est.module_.encoder(torch.from_numpy(ref["x"]),
                                        torch.from_numpy(ref["supports"]).permute(1, 0, 2, 3))
    np.testing.assert_allclose(hidden.numpy(), ref["encoder_hidden"][:2], atol=1e-5, rtol=0)
    # the same from the loaded module, and get_params untouched by fit
    est2 = DCRNNClassifier(GRAPHS[kind], pretrained=load_released_dcrnn(path), max_epochs=0,
                           valid_size=None, random_state=0).fit(X, y)
    np.testing.assert_array_equal(est2.decision_function(X), est.decision_function(X))
    assert est.get_params()["module__chain_supports"] is None
    # a short fit on the real clips runs and moves the weights; save/load keeps them
    tuned = clone(est).set_params(max_epochs=1, batch_size=8, reflect_prob=0.5).fit(X, y)
    w0 = state["encoder.layers.0.dconv_gate.weight"]
    assert not torch.equal(tuned.module_.encoder.layers[0].dconv_gate.weight, w0)
    assert np.isfinite(tuned.predict_proba(X)).all()
    loaded = DCRNNClassifier.load(tuned.save(tmp_path / f"{kind}.skseizure.pt"))
    assert loaded.pretrained is None
    np.testing.assert_array_equal(loaded.predict_proba(X), tuned.predict_proba(X))


def test_mismatched_graph_or_recursion_is_refused(ref_dir, neonatal_clips):
    X, y = neonatal_clips, np.arange(17) % 2
    corr = ref_dir / "pretrained_correlation_graph_12s.pth.tar"
    with pytest.raises(ValueError, match="uses 2 graph support"):
        DCRNNClassifier(DistanceGraph(), pretrained=corr, max_epochs=0, valid_size=None).fit(X, y)
    with pytest.raises(ValueError, match="chain_supports=False"):
        DCRNNClassifier(GRAPHS["correlation"], pretrained=corr, module__chain_supports=False,
                        max_epochs=0, valid_size=None).fit(X, y)
    with pytest.raises(ValueError, match="does not fit the classifier"):
        DCRNNClassifier(GRAPHS["correlation"], pretrained=corr, module__num_units=8,
                        max_epochs=0, valid_size=None).fit(X, y)
    with pytest.raises(TypeError, match="pretrained must be"):
        DCRNNClassifier(GRAPHS["correlation"], pretrained=3, max_epochs=0, valid_size=None).fit(X, y)
    with pytest.raises(FileNotFoundError):
        DCRNNClassifier(pretrained=ref_dir / "missing.pth.tar", max_epochs=0,
                        valid_size=None).fit(X, y)
