"""Physical pruning engine: parameter counts, exact function equivalence, L1 selection, FLOPs."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch_pruning as tp
from torch import nn

from skseizure.models.cnn_bilstm import CNNBiLSTM
from skseizure.models.light_cnn import LightCNN1d
from skseizure.models.light_seizure_net import LightSeizureNet
from skseizure.eng.mobilescape_net import MobilESCAPENet
from skseizure.pruning._torch_pruning import (
    find_output_layer,
    prune_module,
    replay_pruning,
)
from skseizure.pruning.flops import count_flops, count_params

N_CHANS, N_TIMES = 18, 64



def _randomize_bn(module, seed=0):
    """Non-trivial BatchNorm statistics and affine terms (fresh nets have 0/1)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                n = m.num_features
                m.running_mean.copy_(torch.randn(n, generator=gen))
                m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
                m.weight.copy_(torch.randn(n, generator=gen))
                m.bias.copy_(torch.randn(n, generator=gen))
    return module


def _light_cnn(n_filters=(32, 64, 128), seed=0):
    torch.manual_seed(seed)
    return _randomize_bn(LightCNN1d(N_CHANS, 2, N_TIMES, n_filters=n_filters), seed).eval()


def _expected_light_cnn_params(widths, n_chans=N_CHANS, kernels=(7, 5, 3), n_outputs=2):
    """Analytic trainable-parameter count of LightCNN1d (conv + bias, BN gamma/beta, FC)."""
    total, c_in = 0, n_chans
    for w, k in zip(widths, kernels):
        total += c_in * w * k + w  # Conv1d weight + bias
        total += 2 * w  # BatchNorm1d gamma, beta
        c_in = w
    return total + c_in * n_outputs + n_outputs


def _x(shape, seed=1):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


# --------------------------------------------------------------------------- counts
@pytest.mark.parametrize(
    "amount, widths",
    [(0.25, (24, 48, 96)), (0.5, (16, 32, 64)), (0.75, (8, 16, 32)), (0.3, (23, 45, 90))],
)
def test_param_count_matches_analytic(amount, widths):
    net = _light_cnn()
    assert count_params(net) == _expected_light_cnn_params((32, 64, 128)) == 39_778
    report = prune_module(net, _x((2, N_CHANS, N_TIMES)), amount,
                          ignored_layers=[net.final_layer])
    convs = [blk[0] for blk in net.features]
    assert tuple(c.out_channels for c in convs) == widths
    assert tuple(blk[1].num_features for blk in net.features) == widths
    assert net.final_layer.in_features == widths[-1]
    assert net.final_layer.out_features == 2
    assert count_params(net) == _expected_light_cnn_params(widths)
    kept = sum(widths) / (32 + 64 + 128)
    assert report.kernel_retention["overall"] == pytest.approx(kept)
    assert net(_x((3, N_CHANS, N_TIMES))).shape == (3, 2)


def test_amount_zero_changes_nothing():
    net = _light_cnn()
    before = copy.deepcopy(net)
    report = prune_module(net, _x((2, N_CHANS, N_TIMES)), 0.0, ignored_layers=[net.final_layer])
    assert report.removed == {}
    assert report.kernel_retention["overall"] == 1.0
    for (k, a), (_, b) in zip(net.state_dict().items(), before.state_dict().items()):
        assert torch.equal(a, b), k


@pytest.mark.parametrize("amount", [-0.1, 1.0, 1.5])
def test_engine_rejects_bad_amount(amount):
    net = _light_cnn()
    with pytest.raises(ValueError, match="amount"):
        prune_module(net, _x((2, N_CHANS, N_TIMES)), amount)


# ---------------------------------------------------------------- equivalence
def test_pruned_equals_original_with_removed_kernels_zeroed_light_cnn():
    """Before retraining, the pruned LightCNN1d computes exactly the original network in
    which the removed kernels are zeroed together with their conv bias and BatchNorm
    gamma/beta: those channels are then exactly 0 after BN, ReLU and max-pool, so the
    next layer's input weights for them are irrelevant. The removed kernels are, per
    layer, those with the smallest L1 norms (computed here independently)."""
    amount = 0.5
    net = _light_cnn()
    reference = copy.deepcopy(net)
    original = copy.deepcopy(net)
    prune_module(net, _x((2, N_CHANS, N_TIMES)), amount, ignored_layers=[net.final_layer])

    prev_kept = torch.arange(N_CHANS)
    with torch.no_grad():
        for blk_ref, blk_orig, blk_new in zip(reference.features, original.features, net.features):
            conv, bn = blk_ref[0], blk_ref[1]
            l1 = blk_orig[0].weight.abs().sum(dim=(1, 2))
            n_remove = int(amount * conv.out_channels)
            removed = torch.argsort(l1, stable=True)[:n_remove]
            kept = torch.tensor(sorted(set(range(conv.out_channels)) - set(removed.tolist())))
            # the kept kernels are the largest-L1 ones, and they are unchanged
            assert l1[kept].min() >= l1[removed].max()
            assert torch.equal(blk_new[0].weight, blk_orig[0].weight[kept][:, prev_kept])
            assert torch.equal(blk_new[0].bias, blk_orig[0].bias[kept])
            assert torch.equal(blk_new[1].running_mean, blk_orig[1].running_mean[kept])
            for p in (conv.weight, conv.bias, bn.weight, bn.bias):
                p[removed] = 0
            prev_kept = kept
        assert torch.equal(net.final_layer.weight, original.final_layer.weight[:, prev_kept])

    x = _x((16, N_CHANS, N_TIMES), seed=3)
    with torch.no_grad():
        y_pruned, y_ref = net(x), reference(x)
    torch.testing.assert_close(y_pruned, y_ref, rtol=0, atol=1e-5)
    # zeroing only the conv kernels is NOT equivalent (BN shifts the dead channels)
    naive = copy.deepcopy(original)
    with torch.no_grad():
        for blk, blk_ref in zip(naive.features, reference.features):
            dead = blk_ref[0].weight.flatten(1).abs().sum(1) == 0
            blk[0].weight[dead] = 0
            blk[0].bias[dead] = 0
        assert not torch.allclose(naive(x), y_pruned, atol=1e-5)


def _masked_reference(original, example, report):
    """Zero every out-channel parameter of each removed group (Torch-Pruning groups)."""
    ref = copy.deepcopy(original).eval()
    named = dict(ref.named_modules())
    DG = tp.DependencyGraph().build_dependency(ref, example_inputs=example)
    with torch.no_grad():
        for name in report.order:
            group = DG.get_pruning_group(named[name], tp.prune_conv_out_channels,
                                         report.removed[name])
            for dep, idxs in group:
                m = dep.target.module
                if DG.is_out_channel_pruning_fn(dep.handler) and isinstance(
                    m, (nn.modules.conv._ConvNd, nn.modules.batchnorm._BatchNorm)
                ):
                    for p in (m.weight, m.bias):
                        if p is not None:
                            p[list(idxs)] = 0
    return ref


NETWORKS = {
    "LightCNN1d": (lambda: LightCNN1d(N_CHANS, 2, N_TIMES), (N_CHANS, N_TIMES)),
    "CNNBiLSTM": (lambda: CNNBiLSTM(N_CHANS, 2, N_TIMES), (N_CHANS, N_TIMES)),
    "LightSeizureNet": (  # few channels: tracing its per-channel reshape is slow for many
        lambda: LightSeizureNet(5, 2, N_TIMES, pool_sizes=(2, 2, 2, 2)),
        (5, N_TIMES),
    ),
    "MobilESCAPENet": (lambda: MobilESCAPENet(), (1, 56, 100)),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_network_prunes_exactly(name):
    build, shape = NETWORKS[name]
    torch.manual_seed(0)
    net = _randomize_bn(build()).eval()
    original = copy.deepcopy(net)
    example = _x((2,) + shape)
    n_before = count_params(net)
    report = prune_module(net, example, 0.5, ignored_layers=[find_output_layer(net)])
    assert report.removed, f"{name}: nothing was pruned ({report.protected})"
    assert count_params(net) < n_before
    assert net.final_layer.out_features == original.final_layer.out_features
    ref = _masked_reference(original, example, report)
    x = _x((4,) + shape, seed=5)
    with torch.no_grad():
        torch.testing.assert_close(net(x), ref(x), rtol=1e-4, atol=1e-5)
    # replaying the record on a fresh copy gives the same architecture and weights
    replayed = copy.deepcopy(original)
    replay_pruning(replayed, example, report.steps)
    for (k, a), (_, b) in zip(net.state_dict().items(), replayed.state_dict().items()):
        assert torch.equal(a, b), k


def test_cnn_bilstm_prunes_conv_front_end_never_the_recurrent_width():
    torch.manual_seed(0)
    net = CNNBiLSTM(N_CHANS, 2, N_TIMES).eval()
    hidden, head_in = net.lstm.hidden_size, net.head[0].in_features
    report = prune_module(net, _x((2, N_CHANS, N_TIMES)), 0.5, ignored_layers=[net.final_layer])
    convs = [m for m in net.modules() if isinstance(m, nn.Conv1d)]
    assert convs[0].out_channels == 16
    assert net.lstm.hidden_size == hidden  # recurrent width is fixed
    assert net.head[0].in_features == head_in
    # the conv feeding the LSTM is pruned together with the LSTM input size
    assert report.protected == {}
    assert convs[-1].out_channels == 32
    assert net.lstm.input_size == 32 == net.lstm.weight_ih_l0.shape[1]
    assert net(_x((2, N_CHANS, N_TIMES))).shape == (2, 2)


class _BiLSTMOutputHead(CNNBiLSTM):
    """Same function as CNNBiLSTM, reading the last states from the LSTM *output*."""

    def forward(self, x):
        z = self.features(x).transpose(1, 2)
        out, _ = self.lstm(z)
        h = self.lstm.hidden_size
        return self.final_layer(self.head(torch.cat([out[:, -1, :h], out[:, 0, h:]], 1)))


def test_lstm_input_size_is_pruned_when_traceable():
    torch.manual_seed(0)
    net = _randomize_bn(_BiLSTMOutputHead(N_CHANS, 2, N_TIMES)).eval()
    original = copy.deepcopy(net)
    example = _x((2, N_CHANS, N_TIMES))
    report = prune_module(net, example, 0.5, ignored_layers=[net.final_layer])
    assert report.protected == {}
    assert net.lstm.input_size == 32 and net.lstm.hidden_size == 32
    x = _x((4, N_CHANS, N_TIMES), seed=2)
    ref = _masked_reference(original, example, report)
    with torch.no_grad():
        torch.testing.assert_close(net(x), ref(x), rtol=1e-4, atol=1e-5)


LSN_CHANS = 5  # few EEG channels: tracing the per-channel reshape is slow for many


def _light_seizure_net_with_dead_kernels(amount, seed=0):
    """Trained-looking LightSeizureNet whose weakest ``floor(amount * n)`` kernels per block
    are exactly zero, with BatchNorm mapping those channels to exactly 0 as well."""
    torch.manual_seed(seed)
    net = _randomize_bn(LightSeizureNet(LSN_CHANS, 2, N_TIMES, pool_sizes=(2, 2, 2, 2)), seed)
    gen = torch.Generator().manual_seed(seed + 1)
    dead = []
    with torch.no_grad():
        for blk in net.features:
            conv, bn = blk[0], blk[2]
            n = conv.out_channels
            idx = torch.randperm(n, generator=gen)[: int(amount * n)]
            conv.weight[idx] = 0
            bn.bias[idx] = 0
            bn.running_mean[idx] = 0
            dead.append(sorted(idx.tolist()))
    return net.eval(), dead


@pytest.mark.parametrize("amount, widths", [(0.25, (6, 12, 12, 18)), (0.5, (4, 8, 8, 12)),
                                            (0.75, (2, 4, 4, 6))])
def test_light_seizure_net_prunes_every_block_and_resizes_the_flattened_head(amount, widths):
    """All four blocks lose floor(amount * n) kernels, the last one included: it feeds
    ``final_layer`` through a per-EEG-channel reshape (column ``c * n_filters + j``), whose
    matching columns are removed. Removing kernels that were exactly zero (and mapped to 0
    by BatchNorm) leaves the network's outputs unchanged."""
    net, dead = _light_seizure_net_with_dead_kernels(amount)
    original = copy.deepcopy(net)
    assert [blk[0].out_channels for blk in net.features] == [8, 16, 16, 24]
    report = prune_module(net, _x((2, LSN_CHANS, N_TIMES)), amount,
                          ignored_layers=[net.final_layer])
    assert report.protected == {}
    assert tuple(blk[0].out_channels for blk in net.features) == widths
    assert tuple(blk[2].num_features for blk in net.features) == widths
    assert report.kernel_retention["overall"] == pytest.approx(1 - amount)
    assert sum(report.kernels_after.values()) == (1 - amount) * sum(report.kernels_before.values())
    # the L1 criterion picked the zero kernels, in every block
    assert [report.removed[f"features.{i}.0"] for i in range(4)] == dead
    # final_layer lost exactly the columns c * 24 + j of the removed kernels j, for every c
    kept = [j for j in range(24) if j not in dead[-1]]
    cols = [c * 24 + j for c in range(LSN_CHANS) for j in kept]
    assert net.final_layer.in_features == LSN_CHANS * widths[-1]
    assert torch.equal(net.final_layer.weight, original.final_layer.weight[:, cols])
    assert net.n_features_per_chan == widths[-1]
    x = _x((8, LSN_CHANS, N_TIMES), seed=4)
    with torch.no_grad():
        torch.testing.assert_close(net(x), original(x), rtol=1e-5, atol=1e-6)
        # the ECAM still decomposes the logit exactly
        cam = net.ecam(x, target=1)
        assert cam.shape[:2] == (8, LSN_CHANS)
        logit = cam.mean(-1).sum(-1) + net.final_layer.bias[1]
        torch.testing.assert_close(logit, net(x)[:, 1], rtol=1e-4, atol=1e-5)


def test_light_seizure_net_removing_live_last_block_kernels_changes_the_outputs():
    """Control: when the weakest kernels of the last block are small but not zero (and
    BatchNorm lifts them), the same kernels are removed and the outputs do change, so
    the equality above depends on the removed kernels being zero."""
    net, dead = _light_seizure_net_with_dead_kernels(0.5)
    with torch.no_grad():
        net.features[3][0].weight[dead[-1]] = 1e-3
        net.features[3][2].bias[dead[-1]] = 1.0
    original = copy.deepcopy(net)
    report = prune_module(net, _x((2, LSN_CHANS, N_TIMES)), 0.5, ignored_layers=[net.final_layer])
    assert report.removed["features.3.0"] == dead[-1]
    x = _x((8, LSN_CHANS, N_TIMES), seed=4)
    with torch.no_grad():
        assert not torch.allclose(net(x), original(x), atol=1e-3)


def test_grouped_conv_with_depth_multiplier_is_protected():
    class Grouped(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(4, 8, 3, padding=1)
            self.dw = nn.Conv1d(8, 16, 3, padding=1, groups=8)  # depth multiplier 2
            self.pw = nn.Conv1d(16, 16, 1)
            self.final_layer = nn.Linear(16, 2)

        def forward(self, x):
            return self.final_layer(self.pw(self.dw(torch.relu(self.conv(x)))).mean(-1))

    torch.manual_seed(0)
    net = Grouped().eval()
    report = prune_module(net, _x((2, 4, 32)), 0.5, ignored_layers=[net.final_layer])
    assert "conv" in report.protected and "dw" in report.protected
    assert net.conv.out_channels == 8 and net.dw.out_channels == 16
    assert net.pw.out_channels == 8  # the pointwise conv before the head is prunable
    assert net(_x((2, 4, 32))).shape == (2, 2)


def test_output_layer_detection():
    net = _light_cnn()
    assert find_output_layer(net) is net.final_layer
    seq = nn.Sequential(nn.Conv1d(3, 4, 3), nn.Flatten(), nn.Linear(8, 5), nn.Linear(5, 2))
    assert find_output_layer(seq, n_outputs=2) is seq[3]


# -------------------------------------------------------------------------- FLOPs
def test_flops_are_two_per_mac_for_light_cnn():
    net = _light_cnn()
    t1, t2, t3 = N_TIMES, N_TIMES // 2, N_TIMES // 4  # 'same' convs after each pool
    macs = 18 * 32 * 7 * t1 + 32 * 64 * 5 * t2 + 64 * 128 * 3 * t3 + 128 * 2
    assert count_flops(net, (1, N_CHANS, N_TIMES)) == 2 * macs
    assert count_flops(net, _x((4, N_CHANS, N_TIMES))) == 8 * macs
    assert net.training is False
    prune_module(net, _x((2, N_CHANS, N_TIMES)), 0.5, ignored_layers=[net.final_layer])
    macs_half = 18 * 16 * 7 * t1 + 16 * 32 * 5 * t2 + 32 * 64 * 3 * t3 + 64 * 2
    assert count_flops(net, (1, N_CHANS, N_TIMES)) == 2 * macs_half


def test_count_flops_restores_training_mode():
    net = _light_cnn().train()
    count_flops(net, (1, N_CHANS, N_TIMES))
    assert net.training
    with pytest.raises(TypeError, match="example_inputs"):
        count_flops(net, "bad")


def test_flops_count_lstm_matmuls():
    """Convs + the LSTM gate products + the dense head, 2 FLOPs per MAC, exactly."""
    torch.manual_seed(0)
    net = CNNBiLSTM(N_CHANS, 2, N_TIMES).eval()
    conv = sum(
        2 * m.in_channels * m.out_channels * m.kernel_size[0] * t
        for m, t in zip([m for m in net.modules() if isinstance(m, nn.Conv1d)],
                        [N_TIMES, N_TIMES // 4])
    )
    steps, h, n_in = N_TIMES // 16, net.lstm.hidden_size, net.lstm.input_size
    lstm = 2 * steps * 2 * (4 * h * n_in + 4 * h * h)  # 2 FLOPs/MAC, 2 directions
    dense = 2 * sum(m.in_features * m.out_features for m in net.modules()
                    if isinstance(m, nn.Linear))
    assert count_flops(net, (1, N_CHANS, N_TIMES)) == conv + lstm + dense


def test_random_state_untouched():
    net = _light_cnn()
    state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    prune_module(net, _x((2, N_CHANS, N_TIMES)), 0.5, ignored_layers=[net.final_layer])
    assert torch.equal(state, torch.get_rng_state())
    assert np.array_equal(np_state, np.random.get_state()[1])


class _Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv1d(N_CHANS, 16, 3, padding=1)
        self.bn0 = nn.BatchNorm1d(16)
        self.conv = nn.Conv1d(16, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm1d(16)
        self.final_layer = nn.Linear(16, 2)

    def forward(self, x):
        h = torch.relu(self.bn0(self.stem(x)))
        h = torch.relu(h + self.bn1(self.conv(h)))  # residual: stem and conv share channels
        return self.final_layer(h.mean(-1))


def test_residual_coupled_convolutions_lose_the_same_channels_exactly():
    torch.manual_seed(0)
    net = _randomize_bn(_Residual()).eval()
    original = copy.deepcopy(net)
    example = _x((2, N_CHANS, N_TIMES))
    report = prune_module(net, example, 0.5, ignored_layers=[net.final_layer])
    assert net.stem.out_channels == net.conv.out_channels == net.conv.in_channels == 8
    assert len(report.removed) == 1  # one coupled group
    ref = _masked_reference(original, example, report)
    x = _x((4, N_CHANS, N_TIMES), seed=4)
    with torch.no_grad():
        torch.testing.assert_close(net(x), ref(x), rtol=1e-4, atol=1e-5)
