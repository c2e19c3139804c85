"""Edge deployment: ONNX export and int8 quantisation of fitted networks.

:func:`to_onnx` writes a fitted network (any skseizure network classifier, a fitted
:class:`~skseizure.pruning.StructuredPruner`, or a pipeline ending in one) as an ONNX
model whose output equals ``predict_proba``; :func:`quantize_int8` quantises it
statically to int8, calibrated on training windows; :func:`int8_score_change` measures
what that costs on held-out windows. Needs the optional packages ``onnx`` and
``onnxruntime`` (``pip install skseizure[export]``).
"""

from .onnx import ProbabilityNetwork, onnx_input_feed, resolve_network, to_onnx
from .quantize import WindowCalibrationReader, int8_score_change, quantize_int8
from .runtime import make_session, measure_latency, onnx_metadata, onnx_predict_proba

__all__ = [
    "to_onnx",
    "resolve_network",
    "onnx_input_feed",
    "ProbabilityNetwork",
    "quantize_int8",
    "int8_score_change",
    "WindowCalibrationReader",
    "make_session",
    "onnx_metadata",
    "onnx_predict_proba",
    "measure_latency",
]
