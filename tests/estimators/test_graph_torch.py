"""Per-clip correlation graphs built in torch (on the batch's device) equal the numpy builders."""

import numpy as np
import pytest
import torch

from skseizure.estimators.graph_torch import correlation_adjacency_torch, supports_torch
from skseizure.preprocessing import CorrelationGraph, FFTLogAmplitude, compute_supports, correlation_adjacency


@pytest.fixture(scope="module")
def fft_clips(shared_data):
    from tests._extracts import load_helsinki_neonatal

    ds = load_helsinki_neonatal(shared_data)
    X = ds.X[::20]
    return FFTLogAmplitude(sfreq=ds.sfreq, step_s=0.5).fit_transform(X)  # (n, 2, 18, M)


@pytest.mark.parametrize("top_k", [2, 3, 5])
def test_adjacency_equals_numpy_on_real_clips(fft_clips, top_k):
    ours = correlation_adjacency_torch(torch.from_numpy(fft_clips), top_k).numpy()
    ref = correlation_adjacency(fft_clips, top_k)
    np.testing.assert_array_equal(ours != 0, ref != 0)
    np.testing.assert_allclose(ours, ref, atol=1e-6)


@pytest.mark.parametrize("filter_type", ["dual_random_walk", "laplacian"])
def test_supports_equal_numpy(fft_clips, filter_type):
    A = correlation_adjacency(fft_clips, 3)
    ours = supports_torch(torch.from_numpy(A), filter_type).numpy()
    np.testing.assert_allclose(ours, compute_supports(A, filter_type), atol=2e-6)


def test_reference_supports_of_the_released_checkpoint(shared_data):
    ref = np.load(shared_data / "eeg-gnn-ssl-reference" / "pretrained_correlation_graph_12s_reference.npz")
    A = correlation_adjacency_torch(torch.from_numpy(ref["x"]), 3)
    np.testing.assert_allclose(A.numpy(), ref["adjacency"], atol=1e-6)
    sup = supports_torch(A, "dual_random_walk").numpy()
    np.testing.assert_allclose(np.transpose(sup, (1, 0, 2, 3)), ref["supports"], atol=1e-6)


def test_zero_channel_and_bad_input():
    x = torch.randn(2, 3, 4, 5, generator=torch.Generator().manual_seed(0))
    x[0, :, 1] = 0.0  # an occluded channel correlates with nothing
    A = correlation_adjacency_torch(x, 2)
    assert A[0, 1, 1] == 1.0 and A[0, 1].sum() == 1.0 and A[0, :, 1].sum() == 1.0
    with pytest.raises(ValueError, match="top_k"):
        correlation_adjacency_torch(x, 4)
    with pytest.raises(ValueError, match="filter_type"):
        supports_torch(A, "nope")


def test_estimator_uses_the_device_graph(fft_clips):
    from skseizure.estimators import DCRNNClassifier

    y = np.arange(len(fft_clips)) % 2
    est = DCRNNClassifier(graph=CorrelationGraph(top_k=3), module__num_units=8,
                          module__num_layers=1, max_epochs=1, valid_size=None, augment=False,
                          random_state=0).fit(fft_clips, y)
    x = torch.from_numpy(fft_clips[:4])
    ours = est._supports_for(x).numpy()
    ref = est.graph_.supports(fft_clips[:4])
    np.testing.assert_allclose(ours, ref, atol=2e-6)
