"""DCRNN torch modules: exact parameter counts, diffusion-convolution maths, heads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skseizure.models.dcrnn import DCGRUCell, DCRNN, DCRNNSeq2Seq, DiffusionGraphConv


def n_trainable(m):
    return sum(p.numel() for p in m.parameters() if p.requires_grad)


@pytest.mark.parametrize(
    "filter_type, det, cls4, ssl",
    [("laplacian", 168_641, 168_836, 417_572), ("dual_random_walk", 280_769, 280_964, 690_980)],
)
def test_parameter_counts_match_paper(filter_type, det, cls4, ssl):
    assert n_trainable(DCRNN(100, 1, 64, 2, filter_type)) == det
    assert n_trainable(DCRNN(100, 4, 64, 2, filter_type)) == cls4
    assert n_trainable(DCRNNSeq2Seq(100, num_units=64, num_layers=3, filter_type=filter_type)) == ssl
    # without the authors' shared decoder cell there is one more 64->64 cell
    extra = DCRNNSeq2Seq(100, filter_type=filter_type, share_decoder_cells=False)
    per_cell = n_trainable(extra.decoder_cells[2])
    assert n_trainable(extra) == ssl + per_cell


def _term_selector(F, M, m):
    """Weight (F*M, F) whose output is term m of the stacked diffusion terms."""
    W = torch.zeros(F * M, F)
    for f in range(F):
        W[f * M + m, f] = 1.0
    return W


def _terms(conv, x, supports):
    F = x.shape[-1]
    M = conv.num_matrices
    out = []
    with torch.no_grad():
        conv.bias.zero_()
        for m in range(M):
            conv.weight.copy_(_term_selector(F, M, m))
            out.append(conv(x, x[..., :0], supports))
    return out


@pytest.fixture
def graph_data():
    g = torch.Generator().manual_seed(0)
    N, F = 5, 3
    A = torch.rand(N, N, generator=g) + torch.eye(N)
    S1 = (A / A.sum(1, keepdim=True)).T
    S2 = (A.T / A.T.sum(1, keepdim=True)).T
    x = torch.randn(2, N, F, generator=g)
    return x, S1, S2


def test_chebyshev_terms_of_single_support(graph_data):
    x, S1, _ = graph_data
    conv = DiffusionGraphConv(1, x.shape[-1], 0, x.shape[-1], max_diffusion_step=3)
    t = _terms(conv, x, S1[None])
    I = torch.eye(S1.shape[0])
    expected = [I, S1, 2 * S1 @ S1 - I, 4 * S1 @ S1 @ S1 - 3 * S1]  # T0..T3
    for got, P in zip(t, expected):
        torch.testing.assert_close(got, torch.einsum("nm,bmf->bnf", P, x), atol=1e-5, rtol=1e-5)


def test_dual_random_walk_power_terms_start_from_x(graph_data):
    """Paper eq. 1: each support's powers act on X itself (no chaining)."""
    x, S1, S2 = graph_data
    conv = DiffusionGraphConv(2, x.shape[-1], 0, x.shape[-1], 2, basis="power")
    t = _terms(conv, x, torch.stack([S1, S2]))
    I = torch.eye(S1.shape[0])
    for got, P in zip(t, [I, S1, S1 @ S1, S2, S2 @ S2]):
        torch.testing.assert_close(got, torch.einsum("nm,bmf->bnf", P, x), atol=1e-5, rtol=1e-5)


def test_chain_supports_reproduces_original_code_quirk(graph_data):
    """The released DCRNN code does not restart the recursion for the second support.

    Its terms for the second support are S2 S1 X and 2 S2^2 S1 X - S1 X (Tang et al.,
    2022, code of "Self-supervised graph neural networks for improved
    electroencephalographic seizure analysis").
    """
    x, S1, S2 = graph_data
    conv = DiffusionGraphConv(2, x.shape[-1], 0, x.shape[-1], 2, basis="chebyshev",
                              chain_supports=True)
    t = _terms(conv, x, torch.stack([S1, S2]))
    I = torch.eye(S1.shape[0])
    expected = [I, S1, 2 * S1 @ S1 - I, S2 @ S1, 2 * S2 @ S2 @ S1 - S1]
    for got, P in zip(t, expected):
        torch.testing.assert_close(got, torch.einsum("nm,bmf->bnf", P, x), atol=1e-5, rtol=1e-5)
    # without chaining the second support starts again from X
    conv.chain_supports = False
    t2 = _terms(conv, x, torch.stack([S1, S2]))
    torch.testing.assert_close(t2[3], torch.einsum("nm,bmf->bnf", S2, x))


def test_per_clip_supports_equal_shared_supports(graph_data):
    x, S1, S2 = graph_data
    torch.manual_seed(0)
    conv = DiffusionGraphConv(2, 3, 4, 6, 2)
    h = torch.randn(2, 5, 4)
    shared = conv(x, h, torch.stack([S1, S2]))
    per_clip = conv(x, h, torch.stack([S1, S2])[None].expand(2, 2, 5, 5))
    torch.testing.assert_close(shared, per_clip)


def test_weight_layout_and_init():
    torch.manual_seed(0)
    conv = DiffusionGraphConv(1, 100, 64, 128, 2)
    assert conv.weight.shape == ((100 + 64) * 3, 128)  # the authors' (492, 128)
    assert torch.all(conv.bias == 0)
    # Xavier normal with gain 1.414: std = gain * sqrt(2 / (fan_in + fan_out))
    expected = 1.414 * np.sqrt(2.0 / (492 + 128))
    assert float(conv.weight.detach().std()) == pytest.approx(expected, rel=0.05)


def test_dcgru_cell_equations(graph_data):
    x, S1, _ = graph_data
    torch.manual_seed(0)
    cell = DCGRUCell(3, 4, num_supports=1)
    h = torch.randn(2, 5, 4)
    sup = S1[None]
    with torch.no_grad():
        cell.dconv_gate.bias.normal_()
        r, u = torch.split(torch.sigmoid(cell.dconv_gate(x, h, sup)), 4, dim=-1)
        c = torch.tanh(cell.dconv_candidate(x, r * h, sup))
        torch.testing.assert_close(cell(x, h, sup), u * h + (1 - u) * c)


def test_dcrnn_head_last_valid_state_and_max_over_nodes():
    torch.manual_seed(0)
    net = DCRNN(input_dim=6, n_outputs=3, num_units=8, num_layers=2).eval()
    x = torch.randn(2, 5, 4, 6)
    sup = torch.eye(4)[None]
    out = net(x, sup)
    assert out.shape == (2, 3)
    torch.testing.assert_close(out, net.node_logits(x, sup).max(dim=1).values)
    # seq_lengths: the state at t = len - 1, i.e. the same as running on the prefix
    lengths = torch.tensor([3, 5])
    got = net(x, sup, seq_lengths=lengths)
    torch.testing.assert_close(got[0], net(x[:1, :3], sup)[0])
    torch.testing.assert_close(got[1], out[1])


def test_seq2seq_shapes_shared_cells_and_determinism():
    torch.manual_seed(0)
    net = DCRNNSeq2Seq(input_dim=6, horizon=4, num_units=8, num_layers=3,
                       filter_type="dual_random_walk").eval()
    assert net.decoder_cells[1] is net.decoder_cells[2]
    assert net.decoder_cells[0] is not net.decoder_cells[1]
    x = torch.randn(2, 5, 4, 6)
    sup = torch.eye(4).expand(2, 4, 4)
    y = net(x, sup)
    assert y.shape == (2, 4, 4, 6)
    assert net(x, sup, horizon=2).shape == (2, 2, 4, 6)
    torch.manual_seed(0)
    net2 = DCRNNSeq2Seq(input_dim=6, horizon=4, num_units=8, num_layers=3,
                        filter_type="dual_random_walk").eval()
    torch.testing.assert_close(net2(x, sup), y)


def test_wrong_number_of_supports_raises():
    net = DCRNN(input_dim=2, num_units=4, filter_type="dual_random_walk")
    with pytest.raises(ValueError, match="support"):
        net(torch.randn(1, 2, 3, 2), torch.eye(3)[None])
    with pytest.raises(ValueError, match="filter_type"):
        DCRNN(filter_type="cheb")
