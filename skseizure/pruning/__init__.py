"""Structured (channel / kernel) pruning of the package's convolutional networks.

:class:`StructuredPruner` removes the lowest-L1 kernels of every convolution *physically*
(smaller layers, fewer FLOPs) with Torch-Pruning's dependency graph, retrains, and can search
for the largest pruning that keeps the validation score within a given drop.
"""

from ._persistence import load_pruned, save_pruned
from .flops import count_flops, count_params
from .structured import StructuredPruner

__all__ = ["StructuredPruner", "count_flops", "count_params", "save_pruned", "load_pruned"]
