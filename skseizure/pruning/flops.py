"""Parameter and FLOP counts before/after pruning (see :mod:`skseizure._utils.flops`)."""

from .._utils.flops import count_flops, count_params

__all__ = ["count_flops", "count_params"]
