"""FocalLoss: reduces to cross-entropy, matches hand-computed values, works as criterion."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from skseizure.estimators.losses import FocalLoss


def test_gamma0_equals_cross_entropy():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(16, 3, generator=g)
    target = torch.randint(0, 3, (16,), generator=g)
    ce = torch.nn.functional.cross_entropy(logits, target)
    assert torch.equal(FocalLoss(gamma=0.0, alpha=None)(logits, target), ce)
    w = torch.tensor([0.2, 1.0, 3.0])
    torch.testing.assert_close(FocalLoss(gamma=0.0, alpha=None, weight=w)(logits, target),
                               torch.nn.functional.cross_entropy(logits, target, weight=w))


def test_known_value_by_hand():
    # one window, logits (2, 0), true class 1: p1 = 1/(1+e^2)
    p1 = 1.0 / (1.0 + math.e ** 2)
    expected = -0.25 * (1 - p1) ** 2 * math.log(p1)  # alpha=0.25 for the positive class
    loss = FocalLoss(gamma=2.0, alpha=0.25)(torch.tensor([[2.0, 0.0]]), torch.tensor([1]))
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    # class 0 gets 1 - alpha
    p0 = 1 - p1
    loss0 = FocalLoss(gamma=2.0, alpha=0.25)(torch.tensor([[2.0, 0.0]]), torch.tensor([0]))
    assert float(loss0) == pytest.approx(-0.75 * (1 - p0) ** 2 * math.log(p0), rel=1e-5)


def test_focusing_downweights_easy_examples():
    logits = torch.tensor([[4.0, 0.0], [0.2, 0.0]])  # easy and hard, both class 0
    target = torch.tensor([0, 0])
    ce = FocalLoss(gamma=0.0, alpha=None, reduction="none")(logits, target)
    fl = FocalLoss(gamma=2.0, alpha=None, reduction="none")(logits, target)
    ratio = fl / ce
    assert ratio[0] < 0.001 and ratio[1] > 0.2


def test_per_class_alpha_and_errors():
    logits = torch.zeros(2, 3)
    target = torch.tensor([0, 2])
    loss = FocalLoss(gamma=0.0, alpha=[1.0, 1.0, 3.0], reduction="none")(logits, target)
    torch.testing.assert_close(loss, torch.tensor([math.log(3), 3 * math.log(3)]))
    with pytest.raises(ValueError, match="alpha has 2 values"):
        FocalLoss(alpha=[0.5, 0.5])(logits, target)
    with pytest.raises(ValueError, match="gamma"):
        FocalLoss(gamma=-1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        FocalLoss(alpha=1.5)


def test_focal_as_criterion_gives_probabilities(helsinki_small):
    from skseizure.estimators.light_cnn import LightCNNClassifier

    X, y, groups, _ = helsinki_small
    clf = LightCNNClassifier(module__n_filters=(8, 8, 8), criterion=FocalLoss, criterion__gamma=2.0,
                             criterion__alpha=0.5, class_weight="balanced", max_epochs=2,
                             random_state=0).fit(X, y, groups=groups)
    assert isinstance(clf.criterion_, FocalLoss)
    assert clf.criterion_.weight is not None
    proba = clf.predict_proba(X[:10])
    # FocalLoss works on logits: predict_proba must apply the softmax
    logits = clf.forward(X[:10], training=False)
    np.testing.assert_allclose(proba, torch.softmax(logits, dim=1).numpy(), rtol=1e-5)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
