"""ChannelPooledCNN / ChannelPooledClassifier: any channel count, fixed window length."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skseizure.estimators import ChannelPooledClassifier
from skseizure.models import ChannelPooledCNN


def n_params_channel_pooled(n_chans, n_outputs, n_times, n_filters=(8, 16, 16),
                            kernel_sizes=(7, 5, 3), **_):
    """Shared per-channel convs (w*cin*k + w) + BN (2w) from one input channel, then
    Linear(2 * last, n_outputs) on the mean and max over time; no n_chans/n_times term."""
    if isinstance(kernel_sizes, int):
        kernel_sizes = (kernel_sizes,) * len(n_filters)
    total, cin = 0, 1
    for w, k in zip(n_filters, kernel_sizes):
        total += w * cin * k + w + 2 * w
        cin = w
    return total + 2 * cin * n_outputs + n_outputs


def test_param_count_does_not_depend_on_channels():
    a = ChannelPooledCNN(n_chans=18, n_outputs=2, n_times=64)
    b = ChannelPooledCNN(n_chans=4, n_outputs=2, n_times=64)
    count = sum(p.numel() for p in a.parameters())
    assert count == sum(p.numel() for p in b.parameters()) == n_params_channel_pooled(18, 2, 64)


def test_pooling_is_log_mean_exp_of_channel_logits():
    torch.manual_seed(0)
    net = ChannelPooledCNN(n_chans=5, n_outputs=2, n_times=64).eval()
    x = torch.randn(3, 5, 64)
    per_channel = net.channel_logits(x)
    expected = torch.log(torch.exp(per_channel).mean(dim=1))
    torch.testing.assert_close(net(x), expected)
    # The same channel repeated gives that channel's logits: montage size is neutral.
    one = x[:, :1]
    torch.testing.assert_close(net(one.repeat(1, 7, 1)), net.channel_logits(one)[:, 0])
    # Channels are exchangeable.
    torch.testing.assert_close(net(x[:, [4, 2, 0, 1, 3]]), net(x))


def test_module_refuses_other_window_length():
    net = ChannelPooledCNN(n_chans=5, n_outputs=2, n_times=64).eval()
    with pytest.raises(ValueError, match="n_times=64"):
        net(torch.zeros(2, 5, 65))


def _toy(n=64, c=6, t=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, c, t)).astype(np.float32)
    y = np.arange(n) % 2
    # Seizure windows: a 3-Hz rhythm (64 Hz) on two channels only (focal).
    X[y == 1, :2] += 3 * np.sin(2 * np.pi * 3 * np.arange(t) / 64).astype(np.float32)
    return X, y


def test_estimator_any_channel_count_but_fixed_length():
    X, y = _toy()
    clf = ChannelPooledClassifier(max_epochs=15, lr=0.01, valid_size=None, random_state=0)
    clf.fit(X, y)
    assert clf.n_channels_in_ == 6 and clf.n_times_in_ == 64
    for c in (1, 3, 19):
        Xc = np.concatenate([X] * 4, axis=1)[:, :c]
        assert clf.predict_proba(Xc).shape == (len(y), 2)
    with pytest.raises(ValueError, match="n_times"):
        clf.predict_proba(X[..., :60])
    cp = clf.channel_proba(X)
    assert cp.shape == (len(y), 6) and cp.dtype == np.float32
    # Evidence sits on the two channels carrying the rhythm.
    assert cp[y == 1, :2].mean() > cp[y == 1, 2:].mean() + 0.2
    # Two seizure channels among 18 background ones are still detected (pooling is not a mean).
    pad = np.concatenate([X[:, :2], np.repeat(X[:, 2:3], 16, axis=1)], axis=1)
    p = clf.predict_proba(pad)[:, 1]
    assert p[y == 1].mean() > p[y == 0].mean() + 0.2


def test_channel_proba_survives_save_load(tmp_path):
    X, y = _toy(n=32)
    clf = ChannelPooledClassifier(max_epochs=2, valid_size=None, random_state=0).fit(X, y)
    clf.save(tmp_path / "m.pt")
    loaded = ChannelPooledClassifier.load(tmp_path / "m.pt")
    np.testing.assert_array_equal(loaded.channel_proba(X[:, :3]), clf.channel_proba(X[:, :3]))
