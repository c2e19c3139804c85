"""Fine-tuning and decision helpers of :class:`~skseizure.estimators.DCRNNClassifier`.

- :func:`resolve_pretrained_encoder`: the pre-trained DCGRU encoder named by the
  classifier's ``pretrained`` parameter (a released checkpoint file of Tang et al., 2022,
  a :class:`~skseizure.models.DCRNNSeq2Seq` / :class:`~skseizure.models.DCRNN` module, or
  a fitted :class:`~skseizure.estimators.DCRNNPretrainer`);
- :func:`copy_encoder_layers`: the authors' ``build_finetune_model`` (encoder layers
  ``0 .. L-1`` copied, decoder discarded, head fresh, nothing frozen);
- :func:`max_f1_threshold`: the decision threshold of highest F1 on validation data
  (the authors' ``thresh_max_f1``).
"""

from __future__ import annotations

import os

import numpy as np

from ..models.dcrnn import DCRNNEncoder
from ..models.dcrnn_checkpoints import load_released_dcrnn
from .dcrnn_pretrain import DCRNNPretrainer

__all__ = ["resolve_pretrained_encoder", "encoder_recursion", "copy_encoder_layers",
           "max_f1_threshold"]


def resolve_pretrained_encoder(pretrained):
    """The :class:`~skseizure.models.dcrnn.DCRNNEncoder` named by ``pretrained`` (or None).

    Parameters
    ----------
    pretrained : None, path-like, torch module, DCRNNPretrainer or FrozenEstimator
        A path is read with :func:`skseizure.models.load_released_dcrnn` (the authors'
        released ``pretrained_*.pth.tar`` files; weights only, no code is unpickled).

    Returns
    -------
    encoder : DCRNNEncoder or None
    """
    if pretrained is None:
        return None
    if isinstance(pretrained, (str, os.PathLike)):
        return load_released_dcrnn(pretrained).encoder
    if isinstance(pretrained, DCRNNEncoder):
        return pretrained
    if isinstance(getattr(pretrained, "encoder", None), DCRNNEncoder):
        return pretrained.encoder  # DCRNNSeq2Seq or DCRNN module
    est = getattr(pretrained, "estimator", pretrained)  # sklearn.frozen.FrozenEstimator
    if isinstance(est, DCRNNPretrainer):
        if not getattr(est, "initialized_", False) or not hasattr(est, "module_"):
            raise ValueError(
                "pretrained DCRNNPretrainer is not fitted (clone() returns an unfitted copy: wrap "
                "the fitted pre-trainer in sklearn.frozen.FrozenEstimator for GridSearchCV / "
                "cross_validate)."
            )
        return est.module_.encoder
    raise TypeError(
        "pretrained must be None, the path of a released checkpoint, a DCRNNSeq2Seq/DCRNN "
        "module or a fitted DCRNNPretrainer (optionally in sklearn.frozen.FrozenEstimator); "
        f"got {type(pretrained).__name__}."
    )


def encoder_recursion(encoder):
    """``num_supports``, ``basis`` and ``chain_supports`` of an encoder's diffusion convolutions."""
    conv = encoder.layers[0].dconv_gate
    return {"num_supports": conv.num_supports, "basis": conv.basis,
            "chain_supports": conv.chain_supports}


def copy_encoder_layers(module, encoder):
    """Copy encoder layers ``0 .. L-1`` of ``encoder`` into ``module.encoder`` (L = its layers).

    Raises
    ------
    ValueError
        Fewer pre-trained layers than the classifier has, or layers whose shapes differ
        (another graph filter type, number of units, diffusion steps or FFT bins).
    """
    src = encoder.layers
    dst = module.encoder.layers
    if len(src) < len(dst):
        raise ValueError(
            f"The pre-trained encoder has {len(src)} layers; the classifier needs {len(dst)}."
        )
    for i, layer in enumerate(dst):
        try:
            layer.load_state_dict(src[i].state_dict(), strict=True)
        except RuntimeError as exc:
            raise ValueError(
                f"Pre-trained encoder layer {i} does not fit the classifier (same graph "
                f"filter_type, num_units, max_diffusion_step and FFT bins needed): "
                f"{str(exc).splitlines()[0]} ..."
            ) from None


def max_f1_threshold(y_true, y_score):
    """Threshold on ``y_score`` of the highest F1 (predict positive when ``score >= t``).

    The candidates are the distinct scores (``sklearn.metrics.precision_recall_curve``);
    ties keep the lowest threshold, as the authors' ``thresh_max_f1``.

    Parameters
    ----------
    y_true : array-like of shape (n,), 0/1
    y_score : array-like of shape (n,)
        Probability (or any score) of the positive class.

    Returns
    -------
    threshold : float or None
        None when F1 is undefined everywhere (no positive in ``y_true``).
    """
    from sklearn.metrics import precision_recall_curve

    y_true = np.asarray(y_true)
    if not (y_true == 1).any():
        return None
    precision, recall, thresholds = precision_recall_curve(y_true, y_score)
    precision, recall = precision[:-1], recall[:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = 2 * precision * recall / (precision + recall)
    ok = np.isfinite(f1)
    if not ok.any():
        return None
    return float(thresholds[ok][int(np.argmax(f1[ok]))])
