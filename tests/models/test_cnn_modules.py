"""Plain torch modules: shapes, parameter counts (by hand), MACs, length limits, ECAM."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from skseizure.models.cnn_bilstm import CNNBiLSTM
from skseizure.models.light_cnn import LightCNN1d
from skseizure.models.light_seizure_net import LightSeizureNet



def _n_params(m):
    return sum(p.numel() for p in m.parameters())


def _macs(m, x):
    m.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        m(x)
    return fc.get_total_flops() // 2


@pytest.mark.parametrize("cls", [LightCNN1d, LightSeizureNet, CNNBiLSTM])
@pytest.mark.parametrize("n_times", [64, 257, 1024])
def test_forward_shape_any_length(cls, n_times):
    torch.manual_seed(0)
    net = cls(n_chans=5, n_outputs=3, n_times=n_times).eval()
    out = net(torch.randn(2, 5, n_times))
    assert out.shape == (2, 3)
    assert torch.isfinite(out).all()


def test_light_cnn_counts_by_hand():
    # conv 23*32*7+32, bn 64, conv 32*64*5+64, bn 128, conv 64*128*3+128, bn 256, fc 128*2+2
    expected = (23 * 32 * 7 + 32) + 64 + (32 * 64 * 5 + 64) + 128 + (64 * 128 * 3 + 128) + 256 + 258
    net = LightCNN1d(23, 2, 1024)
    assert _n_params(net) == expected == 40_898
    # MACs: 23*32*7*1024 + 32*64*5*512 + 64*128*3*256 + 128*2
    assert _macs(net, torch.zeros(1, 23, 1024)) == 23 * 32 * 7 * 1024 + 32 * 64 * 5 * 512 + 64 * 128 * 3 * 256 + 256


def test_light_seizure_net_counts_and_macs():
    net = LightSeizureNet(21, 2, 1024)
    # bias-free convs shared over channels: 1*8*3, 8*16*3, 16*16*3, 16*24*3; BN 2w; FC 21*24*2+2
    expected = 24 + 16 + 384 + 32 + 768 + 32 + 1152 + 48 + (21 * 24 * 2 + 2)
    assert _n_params(net) == expected == 3_466
    macs = _macs(net, torch.zeros(1, 21, 1024))
    per_chan = 1 * 8 * 3 * 1024 + 8 * 16 * 3 * 256 + 16 * 16 * 3 * 128 + 16 * 24 * 3 * 64
    assert macs == 21 * per_chan + 21 * 24 * 2
    assert abs(macs / 6.2e6 - 1) < 0.01  # paper: 6.2 M MACs (patient-independent)


def test_cnn_bilstm_code_faithful_count():
    net = CNNBiLSTM(19, 2, 1024, **CNNBiLSTM.code_faithful_kwargs())
    # Keras count 2,386 trainable + torch's second LSTM bias (4*16) = 2,450
    assert _n_params(net) == 464 + 16 + (4 * 16 * (8 + 16) + 8 * 16) + 272 + 34 == 2_450
    assert not net.lstm.bidirectional


def test_cnn_bilstm_default_count():
    net = CNNBiLSTM(23, 2, 1024)
    lstm = 2 * (4 * 32 * (64 + 32) + 8 * 32)
    expected = (23 * 32 * 5 + 32) + 64 + (32 * 64 * 5 + 64) + 128 + lstm + (64 * 32 + 32) + 66
    assert _n_params(net) == expected


@pytest.mark.parametrize("cls, minimum", [(LightCNN1d, 8), (LightSeizureNet, 32), (CNNBiLSTM, 16)])
def test_too_short_is_clear_error(cls, minimum):
    with pytest.raises(ValueError, match=f"at least {minimum} samples"):
        cls(4, 2, minimum - 1)
    net = cls(4, 2, minimum).eval()
    assert net(torch.randn(1, 4, minimum)).shape == (1, 2)
    with pytest.raises(ValueError, match=f"at least {minimum} samples"):
        net(torch.randn(1, 4, minimum - 1))


def test_light_cnn_rejects_even_kernels():
    with pytest.raises(ValueError, match="odd"):
        LightCNN1d(4, 2, 64, kernel_sizes=(4, 5, 3))


def test_ecam_decomposes_logits():
    torch.manual_seed(0)
    net = LightSeizureNet(6, 2, 256).eval()
    x = torch.randn(3, 6, 256)
    with torch.no_grad():
        logits = net(x)
        cam = net.ecam(x)  # (3, 2, 6, 8) at native resolution 256/32
        assert cam.shape == (3, 2, 6, 8)
        recon = cam.mean(-1).sum(-1) + net.final_layer.bias
        torch.testing.assert_close(recon, logits, rtol=1e-5, atol=1e-5)
        per_sec = net.ecam(x, n_steps=4, target=1)  # 4 equal segments
        assert per_sec.shape == (3, 6, 4)
        torch.testing.assert_close(per_sec.mean(-1).sum(-1) + net.final_layer.bias[1], logits[:, 1],
                                   rtol=1e-5, atol=1e-5)


def test_ecam_localises_channel_evidence():
    # A channel that is constant zero contributes only the BN/ReLU baseline; its map
    # must be identical across windows while an active channel's map varies.
    torch.manual_seed(0)
    net = LightSeizureNet(3, 2, 128).eval()
    x = torch.randn(4, 3, 128)
    x[:, 1] = 0.0
    with torch.no_grad():
        cam = net.ecam(x, target=1)
    assert torch.allclose(cam[:, 1], cam[:1, 1].expand_as(cam[:, 1]))
    assert not torch.allclose(cam[:, 0], cam[:1, 0].expand_as(cam[:, 0]))


def test_final_layer_named_for_pruning():
    for net in (LightCNN1d(4, 2, 64), LightSeizureNet(4, 2, 64), CNNBiLSTM(4, 2, 64)):
        assert isinstance(net.final_layer, torch.nn.Linear)
