"""ESCAPE-Net and MobilESCAPE-Net modules: exact parameter counts, FLOPs, shapes, pruning."""

import copy

import pytest
import torch
from torch import nn

from skseizure.eng.escape_net import ESCAPENet
from skseizure.eng.mobilescape_net import DepthwiseConv2d, MobilESCAPENet


def n_trainable(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@pytest.fixture(scope="module")
def escape():
    torch.manual_seed(0)
    return ESCAPENet().eval()  # 91.8 M parameters: built once, never trained here


def test_escape_net_parameter_count_and_flops(escape):
    assert n_trainable(escape) == 91_837_635
    # 573,440,768 multiply-accumulates from the layer table (Gokdag et al. 2025, Table II);
    # FlopCounterMode counts 2 FLOPs per multiply-accumulate
    assert escape.count_flops() == 2 * 573_440_768
    assert isinstance(escape.final_layer, nn.Linear) and escape.final_layer.out_features == 3


def test_escape_net_same_padding_keeps_56x100(escape):
    x = torch.randn(2, 1, 56, 100)
    with torch.no_grad():
        feats = escape.features(x)
        out = escape(x)
    assert feats.shape == (2, 64, 56, 100)
    assert out.shape == (2, 3) and torch.isfinite(out).all()
    with torch.no_grad():
        torch.testing.assert_close(escape(x[:, 0]), out)  # 3-D input gets the image axis


def test_escape_maxpool_same_pads_right_bottom_with_minus_inf():
    pool = ESCAPENet(n_electrodes=4, n_times=4, n_filters=1, n_hidden=2).features[2]
    x = -torch.arange(16.0).reshape(1, 1, 4, 4) - 1  # all negative: a 0 pad would win
    y = pool(x)
    assert y.shape == x.shape
    assert y[0, 0, -1, -1] == x[0, 0, -1, -1]  # bottom-right sees only itself
    assert y[0, 0, 0, 0] == x[0, 0, 0, 0]  # max of x[0:2, 0:2] (largest = least negative)


def test_mobilescape_parameter_count_layer_table():
    net = MobilESCAPENet()
    assert n_trainable(net) == 67_843
    # BatchNorm running statistics are buffers, not parameters (Keras shows 68,227 total)
    n_buffers = sum(b.numel() for n, b in net.named_buffers() if "running" in n)
    assert n_trainable(net) + n_buffers == 68_227
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert [n_trainable(m) for m in convs] == [5248, 1664, 4160, 640, 4160, 640, 640, 16512]
    assert isinstance(net.final_layer, nn.Linear) and n_trainable(net.final_layer) == 771


def test_mobilescape_flops_match_reference_macs():
    net = MobilESCAPENet()
    # 40,146,560 multiply-accumulates from MobilESCAPE-Net's layer table (Gokdag et al. 2025)
    assert net.count_flops() == 2 * 40_146_560
    assert net.count_flops(batch_size=2) == 4 * 40_146_560


def test_mobilescape_feature_map_sizes():
    net = MobilESCAPENet().eval()
    x = torch.randn(3, 1, 56, 100)
    sizes = []
    h = x
    for layer in net.features:
        h = layer(h)
        if isinstance(layer, nn.MaxPool2d):
            sizes.append(tuple(h.shape[1:]))
    assert sizes == [(64, 28, 50), (64, 14, 25), (64, 7, 12), (128, 3, 6)]
    assert net(x).shape == (3, 3)


def test_depth_multiplier_block_equals_grouped_conv():
    torch.manual_seed(0)
    block = DepthwiseConv2d(4, 3, depth_multiplier=2)
    grouped = nn.Conv2d(4, 8, 3, padding=1, groups=4)
    # grouped output 2c+j  <->  block output j*C + c
    with torch.no_grad():
        for j, conv in enumerate(block.convs):
            grouped.weight[j::2] = conv.weight
            grouped.bias[j::2] = conv.bias
    x = torch.randn(2, 4, 5, 6)
    perm = torch.tensor([2 * c + j for j in range(2) for c in range(4)])
    torch.testing.assert_close(block(x), grouped(x)[:, perm])


def test_mobilescape_is_prunable_by_torch_pruning():
    tp = pytest.importorskip("torch_pruning")
    torch.manual_seed(0)
    net = MobilESCAPENet().eval()
    ref = copy.deepcopy(net)
    x = torch.randn(2, 1, 56, 100)
    graph = tp.DependencyGraph().build_dependency(net, example_inputs=x)
    # prune 2 output channels of block 3's pointwise conv: the group must reach BN,
    # both depthwise convs of the multiplier-2 block and the next pointwise conv
    group = graph.get_pruning_group(net.features[10], tp.prune_conv_out_channels, idxs=[0, 5])
    assert graph.check_pruning_group(group)
    group.prune()
    assert [c.in_channels for c in net.features[14].convs] == [62, 62]
    assert net.features[15].in_channels == 124
    # removing the channels equals zeroing their contribution in the original
    with torch.no_grad():
        ref.features[12].weight[[0, 5]] = 0
        ref.features[12].bias[[0, 5]] = 0
        for conv in ref.features[14].convs:
            conv.bias[[0, 5]] = 0
        torch.testing.assert_close(net(x), ref(x))
    # the high-level pruner runs end to end with the classifier head kept
    net2 = MobilESCAPENet()
    pruner = tp.pruner.BasePruner(net2, x, importance=tp.importance.MagnitudeImportance(p=1),
                                  pruning_ratio=0.5, ignored_layers=[net2.final_layer])
    pruner.step()
    assert n_trainable(net2) < 67_843 / 2
    assert net2(x).shape == (2, 3)


def test_custom_sizes_and_errors():
    assert MobilESCAPENet(n_electrodes=40, n_times=140, n_classes=5)(torch.randn(1, 1, 40, 140)).shape == (1, 5)
    with pytest.raises(ValueError, match="odd"):
        MobilESCAPENet(kernel_sizes=(8, 5, 3, 3))
    with pytest.raises(ValueError, match="too small"):
        MobilESCAPENet(n_electrodes=8, n_times=100)
    small = ESCAPENet(n_electrodes=8, n_times=10, n_filters=2, n_hidden=4, n_classes=2)
    assert n_trainable(small) == (8 * 8 * 2 + 2) + (16 * 4 + 2) + (4 * 4 + 2) + (2 * 80 * 4 + 4) + 10
