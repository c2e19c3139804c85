"""Physical structured pruning of convolution kernels with Torch-Pruning's DependencyGraph.

This is the engine behind :class:`skseizure.pruning.StructuredPruner`. It works on a
plain ``torch.nn.Module`` (no skorch, no sklearn) and modifies it **in place**:
pruned convolutions get fewer output channels, and every coupled layer found by
Torch-Pruning's autograd-traced dependency graph is resized with it (BatchNorm,
depthwise convolutions, the next convolution's input channels, the LSTM input size,
the fully connected layer after global pooling or flatten).

Criterion (Mounvik K and Harshit, 2025, arXiv 2509.05190): per layer, the importance of output
channel ``j`` of a convolution is the L1 norm of its kernel, ``sum(|W[j]|)``; the
``floor(amount * n_channels)`` channels with the smallest norms are removed (ties:
the lower channel index goes first), never all of them. This is Torch-Pruning's
``MagnitudeImportance(p=1, group_reduction='first', normalizer=None)`` applied to
the producing convolution of each group. When a depthwise convolution is coupled to
its producer, the producer's (dense) kernels are scored; when several dense
convolutions share channels (residual additions), the first one of the group (its
root in Torch-Pruning's order) is scored and all of them lose the same channels.

Layers whose width is fixed are protected: the classifier output layer, anything the
caller lists, the input of the network (a depthwise convolution that reads the EEG
channels directly), and grouped convolutions with a depth multiplier other than 1
(Torch-Pruning cannot keep ``out_channels`` divisible by ``groups`` for them).

**Flatten after a reshape.** Torch-Pruning maps the channels of a convolution to the
input columns of a following ``nn.Linear`` through ``flatten`` only when the channel
axis stays axis 1 (columns ``j * n_positions ...``). Networks that reshape first,
e.g. ``LightSeizureNet``'s per-EEG-channel branches flattened channel-major (column
``c * n_filters + j`` for EEG channel ``c``), get a wrong mapping. For every linear
layer whose input columns a pruned convolution feeds, the columns are therefore found
by a probe (``skseizure.pruning._columns.probed_columns``: shift the removed channels
by a large constant and see which inputs of the linear layer move) and removed by hand
(``torch_pruning.prune_linear_in_channels``). The probe only decides *which* columns;
every step is still verified against the masked network as described in
:func:`prune_module`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import torch
from torch import nn

import torch_pruning as tp
from torch_pruning import ops as tp_ops

from ._columns import probed_columns

__all__ = [
    "PruneReport",
    "find_output_layer",
    "conv_layers",
    "prune_module",
    "replay_pruning",
]

_IMPORTANCES = {"l1": 1, "l2": 2}


@dataclass
class PruneReport:
    """What :func:`prune_module` did.

    Attributes
    ----------
    removed : dict of str to list of int
        For each pruned group, the qualified name of its root convolution and the
        (sorted) output-channel indices removed from it. Replaying these on an
        unpruned copy of the same architecture reproduces the pruned structure
        (see :func:`replay_pruning`).
    order : list of str
        Names of the roots in the order they were pruned.
    kernels_before, kernels_after : dict of str to int
        Output channels (kernels) of every convolution, before and after.
    protected : dict of str to str
        Convolutions that were left untouched, with the reason.
    """

    removed: dict = field(default_factory=dict)
    order: list = field(default_factory=list)
    kernels_before: dict = field(default_factory=dict)
    kernels_after: dict = field(default_factory=dict)
    protected: dict = field(default_factory=dict)

    @property
    def steps(self):
        """``[(root_name, removed_indices), ...]`` in pruning order (for replay)."""
        return [(name, list(self.removed[name])) for name in self.order]

    @property
    def kernel_retention(self):
        """Per-layer and overall fraction of convolution kernels kept."""
        per_layer = {
            name: self.kernels_after[name] / self.kernels_before[name]
            for name in self.kernels_before
        }
        total_before = sum(self.kernels_before.values())
        total_after = sum(self.kernels_after.values())
        overall = total_after / total_before if total_before else 1.0
        return {"overall": overall, "per_layer": per_layer}


def conv_layers(module):
    """Return ``{qualified_name: conv}`` for every convolution of ``module``."""
    return {
        name: m for name, m in module.named_modules() if isinstance(m, nn.modules.conv._ConvNd)
    }


def find_output_layer(module, n_outputs=None):
    """Locate the classifier output layer, whose width is fixed.

    The convention of ``skseizure.models`` is an attribute ``final_layer``. Without
    it, the last ``nn.Linear`` (in registration order) whose ``out_features`` equals
    ``n_outputs`` is taken (or the last ``nn.Linear`` if ``n_outputs`` is None).

    Returns
    -------
    layer : nn.Module or None
    """
    final = getattr(module, "final_layer", None)
    if isinstance(final, nn.Module):
        return final
    candidates = [
        m
        for m in module.modules()
        if isinstance(m, nn.Linear) and (n_outputs is None or m.out_features == n_outputs)
    ]
    return candidates[-1] if candidates else None


def _is_depthwise(conv):
    return conv.groups > 1 and conv.groups == conv.in_channels == conv.out_channels


def _is_multiplier_grouped(conv):
    # grouped conv that is not a plain depthwise one (depth multiplier != 1 or
    # ordinary channel groups): Torch-Pruning 1.6 slices it inconsistently.
    return conv.groups > 1 and not _is_depthwise(conv)


def _input_consumers(module, example_inputs):
    """Modules whose first input is the network input itself (same storage)."""
    ptr = example_inputs.data_ptr()
    found = set()
    handles = []

    def hook(mod, args):
        if args and isinstance(args[0], torch.Tensor) and args[0].data_ptr() == ptr:
            found.add(mod)

    for m in module.modules():
        if isinstance(m, (nn.modules.conv._ConvNd, nn.Linear, nn.modules.batchnorm._BatchNorm)):
            handles.append(m.register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            module(example_inputs)
    finally:
        for h in handles:
            h.remove()
    return found


def _importance(importance):
    if isinstance(importance, str):
        key = importance.lower()
        if key not in _IMPORTANCES:
            raise ValueError(
                f"importance must be one of {sorted(_IMPORTANCES)} or a "
                f"torch_pruning.importance.Importance instance; got {importance!r}."
            )
        # the paper's per-layer L1 criterion; p=2 gives the squared L2 norm (same ranking).
        return tp.importance.MagnitudeImportance(
            p=_IMPORTANCES[key], group_reduction="first", normalizer=None
        )
    if isinstance(importance, tp.importance.Importance):
        return importance
    raise ValueError(
        "importance must be 'l1', 'l2' or a torch_pruning.importance.Importance instance; "
        f"got {importance!r}."
    )


def _producer(group):
    """The dense convolution whose kernels score ``group`` (the root otherwise).

    A depthwise convolution is coupled to the layer that feeds it; its kernels follow
    the producer's channels, so the producer's kernels are the ones scored.
    """
    for dep, _ in group:
        m = dep.target.module
        if (
            isinstance(m, nn.modules.conv._ConvNd)
            and dep.handler == tp.prune_conv_out_channels
            and not _is_depthwise(m)
        ):
            return m
    return group[0].dep.target.module


def _n_remove(n_channels, amount):
    # floor, guarded against float noise (0.3 * 10 = 2.9999999999999996), never all.
    n = int(math.floor(amount * n_channels + 1e-9))
    return max(0, min(n, n_channels - 1))


def _build_graph(module, example_inputs):
    # DependencyGraph traces with autograd: grads must be on. Callers put the module
    # in eval() so tracing neither updates BatchNorm statistics nor draws dropout.
    with torch.enable_grad():
        return tp.DependencyGraph().build_dependency(module, example_inputs=example_inputs)


def _kernel_scores(conv, full_group, scorer):
    """Importance of every output kernel of ``conv``; ``full_group()`` builds its group
    (all channels) only for scorers that need it (tracing it can be slow)."""
    if (
        isinstance(scorer, tp.importance.GroupMagnitudeImportance)
        and scorer.group_reduction == "first"
    ):
        # Torch-Pruning's classic per-layer criterion, computed on the producing
        # convolution itself: sum_j |W_j|^p over each output kernel.
        w = conv.weight.detach()
        if getattr(conv, "transposed", False):
            w = w.transpose(0, 1)
        return w.flatten(1).abs().pow(scorer.p).sum(1).to(torch.float64)
    return scorer(full_group()).detach().to(torch.float64)


def _mask_group(group, DG):
    """Zero every out-channel parameter of ``group`` (conv kernels + bias, norm affine).

    With those zeroed, the removed channels carry exact zeros after BatchNorm, ReLU
    and pooling, so the consumers' input weights for them have no effect: the masked
    network computes the same function as the physically pruned one.
    """
    with torch.no_grad():
        for dep, idxs in group:
            m = dep.target.module
            if not DG.is_out_channel_pruning_fn(dep.handler) or not isinstance(m, nn.Module):
                continue
            if isinstance(m, nn.modules.conv._ConvNd) and getattr(m, "transposed", False):
                continue
            idx = torch.as_tensor(list(idxs), dtype=torch.long)
            for pname in ("weight", "bias"):
                p = getattr(m, pname, None)
                if isinstance(p, torch.Tensor) and p.ndim >= 1:
                    p[idx] = 0


def _same_function(a, b, x):
    with torch.no_grad():
        ya, yb = a(x), b(x)
    if not isinstance(ya, torch.Tensor) or ya.shape != yb.shape:
        return False
    scale = float(yb.abs().max()) if yb.numel() else 0.0
    return bool(torch.allclose(ya, yb, rtol=1e-4, atol=1e-5 * max(scale, 1e-12)))


def _probe_input(example_inputs):
    # a seeded random batch (own generator: the global RNG is untouched) so that the
    # function check cannot pass by accident on constant data
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(example_inputs.shape, generator=gen, dtype=torch.float32)
    return x.to(device=example_inputs.device, dtype=example_inputs.dtype)


def _prune_step(module, example_inputs, root_name, idxs):
    """Remove output channels ``idxs`` of convolution ``root_name`` and every coupled layer.

    Torch-Pruning's group does the work, except for the input columns of linear
    layers: those come from ``probed_columns`` (correct after any reshape or
    permutation) whenever the probe finds the same number of columns per removed
    channel as the layer has per channel, else Torch-Pruning's own mapping is kept.
    Deterministic for a given architecture, so :func:`replay_pruning` repeats it.
    """
    DG = _build_graph(module, example_inputs)
    names = {m: n for n, m in module.named_modules()}
    root = dict(module.named_modules())[root_name]
    n_channels = root.out_channels
    group = DG.get_pruning_group(root, tp.prune_conv_out_channels, list(idxs))
    linears = [names[dep.target.module] for dep, _ in group
               if isinstance(dep.target.module, nn.Linear)
               and dep.handler == tp.prune_linear_in_channels]
    columns = {}
    if linears:
        probed = probed_columns(module, root_name, idxs, linears, _probe_input(example_inputs))
        for name, cols in probed.items():
            n_in = dict(module.named_modules())[name].in_features
            if cols and len(cols) * n_channels == len(idxs) * n_in:
                columns[name] = cols
    if not columns or any(dep.target.type == tp_ops.OPTYPE.PARAMETER for dep, _ in group):
        # Torch-Pruning's own mapping (it handles unwrapped parameters too)
        if not DG.check_pruning_group(group):
            raise ValueError(
                "check_pruning_group refused it (channel index mapping through a reshape?)"
            )
        group.prune()
        return module
    for dep, dep_idxs in group:
        m = dep.target.module
        if isinstance(m, nn.Linear) and dep.handler == tp.prune_linear_in_channels \
                and names.get(m) in columns:
            continue  # removed below, at the probed columns
        n = None
        if DG.is_out_channel_pruning_fn(dep.handler):
            n = DG.get_out_channels(m)
        elif DG.is_in_channel_pruning_fn(dep.handler):
            n = DG.get_in_channels(m)
        if n is not None and n <= len(dep_idxs):
            raise ValueError(
                f"pruning {root_name!r} would remove every channel of {names.get(m, m)!r}"
            )
        dep(dep_idxs)
    for name, cols in columns.items():
        tp.prune_linear_in_channels(dict(module.named_modules())[name], cols)
    return module


def prune_module(module, example_inputs, amount, *, importance="l1", ignored_layers=()):
    """Physically remove the least important kernels of every prunable convolution.

    Every group of coupled layers is pruned on a copy first and **verified**: the
    pruned copy must compute the same function (``allclose``, rtol 1e-4) as the
    unpruned network with the removed channels' kernels, biases and norm affine
    parameters zeroed. A group that fails (Torch-Pruning cannot map channels through
    some reshapes, e.g. per-EEG-channel branches flattened channel-major) or raises is
    left unpruned and listed in ``report.protected``. The accepted removals are then
    applied to ``module`` itself (in place) by :func:`replay_pruning`.

    Parameters
    ----------
    module : torch.nn.Module
        Network, modified **in place** (pass a copy to keep the original).
    example_inputs : torch.Tensor
        One input batch, e.g. shape ``(2, n_channels, n_times)``; used to trace the
        dependency graph. The module is traced in ``eval`` mode and restored.
    amount : float in [0, 1)
        Fraction of the kernels (output channels) of each convolution to remove.
    importance : {"l1", "l2"} or torch_pruning Importance, default="l1"
        Kernel score; "l1" is the L1 norm of each kernel (the paper's).
    ignored_layers : sequence of nn.Module
        Layers whose output width is fixed (the classifier output layer, ...).

    Returns
    -------
    report : PruneReport
    """
    if not 0.0 <= amount < 1.0:
        raise ValueError(f"amount must be in [0, 1), got {amount!r}.")
    scorer = _importance(importance)
    names = {m: n for n, m in module.named_modules()}
    convs = conv_layers(module)
    report = PruneReport(kernels_before={n: c.out_channels for n, c in convs.items()})
    was_training = module.training
    module.eval()
    try:
        DG = _build_graph(module, example_inputs)
        input_readers = _input_consumers(module, example_inputs)
        ignored = [m for m in ignored_layers if m is not None]
        roots = []
        seen = set()
        for group in DG.get_all_groups(
            ignored_layers=list(ignored), root_module_types=[tp_ops.TORCH_CONV]
        ):
            seen.update(
                dep.target.module for dep, _ in group if DG.is_out_channel_pruning_fn(dep.handler)
            )
            reason = None
            for dep, _ in group:
                m = dep.target.module
                if not isinstance(m, nn.modules.conv._ConvNd):
                    continue
                if _is_multiplier_grouped(m):
                    reason = (
                        f"coupled to grouped convolution {names.get(m, m)!r} "
                        f"(groups={m.groups}, depth multiplier != 1)"
                    )
                    break
                if _is_depthwise(m) and m in input_readers:
                    reason = f"coupled to the network input through depthwise {names.get(m, m)!r}"
                    break
            if reason is not None:
                for dep, _ in group:
                    m = dep.target.module
                    if (
                        isinstance(m, nn.modules.conv._ConvNd)
                        and m in names
                        and DG.is_out_channel_pruning_fn(dep.handler)
                    ):
                        report.protected.setdefault(names[m], reason)
                continue
            roots.append(names[_producer(group)])
        for name, conv in convs.items():
            if conv not in seen:
                # get_all_groups skips groups that would change an ignored layer's output
                report.protected.setdefault(name, "fixed width (output layer or coupled to it)")
        if amount > 0 and roots:
            x = _probe_input(example_inputs)
            reference = copy.deepcopy(module)  # unpruned; removed channels get zeroed
            ref_named = dict(reference.named_modules())
            ref_DG = _build_graph(reference, example_inputs)
            current = copy.deepcopy(module)
            for root_name in roots:
                root = dict(module.named_modules())[root_name]
                n = root.out_channels
                k = _n_remove(n, amount)
                if k == 0:
                    continue
                saved = None
                try:
                    scores = _kernel_scores(root, lambda: DG.get_pruning_group(
                        root, tp.prune_conv_out_channels, list(range(n))), scorer)
                    order = torch.argsort(scores, stable=True)  # ascending: weakest first
                    idxs = sorted(int(i) for i in order[:k])
                    candidate = copy.deepcopy(current)
                    _prune_step(candidate, example_inputs, root_name, idxs)
                    saved = copy.deepcopy(reference.state_dict())
                    _mask_group(
                        ref_DG.get_pruning_group(
                            ref_named[root_name], tp.prune_conv_out_channels, idxs
                        ),
                        ref_DG,
                    )
                    ok = _same_function(candidate, reference, x)
                except Exception as exc:  # noqa: BLE001 - any failure protects the group
                    ok = False
                    failure = f"{type(exc).__name__}: {exc}"
                else:
                    failure = "the pruned network would compute a different function"
                if not ok:
                    if saved is not None:
                        reference.load_state_dict(saved)
                    report.protected[root_name] = (
                        "Torch-Pruning cannot remove its channels exactly (" + failure + ")"
                    )
                    continue
                current = candidate
                report.removed[root_name] = idxs
                report.order.append(root_name)
            if report.removed:
                replay_pruning(module, example_inputs, report.steps)
    finally:
        module.train(was_training)
    report.kernels_after = {n: c.out_channels for n, c in conv_layers(module).items()}
    return report


def replay_pruning(module, example_inputs, steps):
    """Re-apply recorded channel removals to a network of the same architecture.

    Used by :func:`prune_module` on the caller's module and to rebuild a pruned
    network from its JSON config before loading its weights (no pickled code).

    Parameters
    ----------
    module : torch.nn.Module
        Network in the state the record starts from, usually freshly built and
        unpruned (modified in place).
    example_inputs : torch.Tensor
        Input batch used to trace the dependency graph.
    steps : sequence of (str, list of int)
        ``PruneReport.steps``: root convolution name and the output channels removed
        from it (indices at the time of that step), in order. Successive pruning
        rounds simply concatenate their steps.
    """
    was_training = module.training
    module.eval()
    try:
        for name, idxs in steps:
            named = dict(module.named_modules())
            if name not in named or not isinstance(named[name], nn.modules.conv._ConvNd):
                raise ValueError(
                    f"cannot replay pruning: the network has no convolution named {name!r}; "
                    "the record comes from a different architecture."
                )
            idxs = [int(i) for i in idxs]
            n = named[name].out_channels
            if not idxs or max(idxs) >= n or min(idxs) < 0 or len(set(idxs)) >= n:
                raise ValueError(
                    f"cannot replay pruning: {name!r} has {n} output channels but the record "
                    f"removes {idxs}."
                )
            # one graph per step, exactly as prune_module traced its verified copies
            _prune_step(module, example_inputs, name, idxs)
    finally:
        module.train(was_training)
    return module
