"""The DCRNN checkpoints released with Tang et al. (ICLR 2022) load and reproduce the authors' outputs.

The reference folder holds the authors' self-supervised checkpoints (distance and correlation
graph, 12-s clips), seeded inputs, the exact graphs and supports, and the predictions of the
authors' own code. The loaded model must reproduce ``y_pred`` within 1e-5 (float32).
"""

import numpy as np
import pytest
import torch

from skseizure.models import DCRNNSeq2Seq
from skseizure.models.dcrnn_checkpoints import (
    ReleasedCheckpointError,
    load_released_dcrnn,
    released_state_dict,
)
from skseizure.preprocessing import compute_supports, correlation_adjacency

NAMES = ["distance_graph_12s", "correlation_graph_12s"]


@pytest.fixture(scope="module")
def ref_dir(shared_data):
    return shared_data / "eeg-gnn-ssl-reference"


def _reference(ref_dir, name):
    return dict(np.load(ref_dir / f"pretrained_{name}_reference.npz"))


@pytest.mark.parametrize("name", NAMES)
def test_released_checkpoint_reproduces_authors_predictions(ref_dir, name):
    model = load_released_dcrnn(ref_dir / f"pretrained_{name}.pth.tar")
    ref = _reference(ref_dir, name)
    supports = torch.from_numpy(ref["supports"]).permute(1, 0, 2, 3)  # (B, S, N, N)
    x = torch.from_numpy(ref["x"])
    with torch.no_grad():
        y = model(x, supports).numpy()
        _, hidden = model.encoder(x, supports)
    assert y.shape == ref["y_pred"].shape == (4, 12, 19, 100)
    np.testing.assert_allclose(y, ref["y_pred"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(hidden.numpy(), ref["encoder_hidden"], atol=1e-5, rtol=0)
    unique = {"distance_graph_12s": 417_572, "correlation_graph_12s": 690_980}[name]
    assert sum(p.numel() for p in model.parameters()) == unique


def test_correlation_weights_need_the_authors_recursion(ref_dir):
    """Restarting the recursion for the second support (textbook form) does not match."""
    name = "correlation_graph_12s"
    state, params = released_state_dict(ref_dir / f"pretrained_{name}.pth.tar")
    assert params["filter_type"] == "dual_random_walk" and params["chain_supports"]
    textbook = DCRNNSeq2Seq(**{**params, "chain_supports": False})
    textbook.load_state_dict(state)
    ref = _reference(ref_dir, name)
    with torch.no_grad():
        y = textbook.eval()(torch.from_numpy(ref["x"]),
                            torch.from_numpy(ref["supports"]).permute(1, 0, 2, 3)).numpy()
    assert np.abs(y - ref["y_pred"]).max() > 1e-2


def test_package_graphs_rebuild_the_recorded_supports(ref_dir):
    corr = _reference(ref_dir, "correlation_graph_12s")
    adj = correlation_adjacency(corr["x"], top_k=3)
    np.testing.assert_allclose(adj, corr["adjacency"], atol=1e-6)
    sup = compute_supports(corr["adjacency"], "dual_random_walk")          # (B, 2, N, N)
    np.testing.assert_allclose(np.transpose(sup, (1, 0, 2, 3)), corr["supports"], atol=1e-6)
    dist = _reference(ref_dir, "distance_graph_12s")
    lap = compute_supports(dist["adjacency"][0], "laplacian")              # (1, N, N)
    np.testing.assert_allclose(lap, dist["supports"][:, 0], atol=1e-6)


def test_foreign_or_corrupt_files_are_refused(tmp_path, ref_dir):
    with pytest.raises(FileNotFoundError):
        load_released_dcrnn(tmp_path / "missing.pth.tar")
    junk = tmp_path / "junk.pth.tar"
    junk.write_bytes(b"not a torch file")
    with pytest.raises(ReleasedCheckpointError, match="junk.pth.tar"):
        load_released_dcrnn(junk)
    state = torch.load(ref_dir / "pretrained_distance_graph_12s.pth.tar", weights_only=True)
    bad = {"model_state": dict(state["model_state"])}
    bad["model_state"]["decoder.projection_layer.bias"] = torch.full((100,), float("nan"))
    torch.save(bad, tmp_path / "nan.pth.tar")
    with pytest.raises(ReleasedCheckpointError, match="NaN"):
        load_released_dcrnn(tmp_path / "nan.pth.tar")
    del bad["model_state"]["decoder.projection_layer.bias"]
    bad["model_state"]["decoder.projection_layer.bias"] = torch.zeros(100)
    bad["model_state"]["extra.weight"] = torch.zeros(3)
    torch.save(bad, tmp_path / "extra.pth.tar")
    with pytest.raises(ReleasedCheckpointError, match="extra.weight"):
        load_released_dcrnn(tmp_path / "extra.pth.tar")
