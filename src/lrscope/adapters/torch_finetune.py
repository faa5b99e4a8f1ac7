"""Fine-tuning helpers: discriminative LRs per module, and freezing by module name.

A pretrained backbone usually wants a smaller LR than a new head (Howard & Ruder, 2018,
"Universal Language Model Fine-tuning": discriminative fine-tuning and gradual unfreezing).
:func:`param_groups` builds the optimizer's parameter groups from module-name prefixes (or
predicates) and LR multipliers; ``find_lr`` then sweeps group 0's LR and keeps the others at
their ratios, and ``result.apply`` / ``ScheduleLR`` keep them while training.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from .. import _validate as v
from ..errors import InvalidArgumentError

__all__ = ["param_groups", "freeze", "unfreeze"]

#: the key of ``param_groups`` that takes every parameter no other key matched
REST = "*"


def _under(name: str, prefix: str) -> bool:
    """Whether parameter ``name`` lies in the module ``prefix`` ("" is the whole model)."""
    return prefix == "" or name == prefix or name.startswith(prefix + ".")


def _matcher(key) -> Callable[[str, torch.nn.Parameter], bool]:
    if callable(key):
        return lambda name, p: bool(key(name, p))
    if isinstance(key, str):
        return lambda name, p: _under(name, key)
    raise InvalidArgumentError("scales", f"a key of type {type(key).__name__}",
                               "must have module-name prefixes (str) or predicates f(name, param) -> bool as keys",
                               'e.g. {"backbone": 0.1, "head": 1.0}.')


def param_groups(model, scales: Mapping[Any, float], *, lr: float | None = None, base_optimizer=None,
                 **optimizer_kwargs):
    """Parameter groups with discriminative LRs, from module-name prefixes or predicates.

    Args:
        model: a ``torch.nn.Module``.
        scales: ``{key: multiplier}``; a key is a module-name prefix (``"backbone"``,
            ``"encoder.layer.0"``; a parameter belongs to it when its name is the prefix or
            starts with ``prefix + "."``), a predicate ``f(name, param) -> bool``, or ``"*"``
            for every parameter no other key matched. The first key's group is group 0, the
            one ``find_lr`` sweeps; put the group whose LR you want reported first.
        lr: the base LR (group ``g`` gets ``lr * scales[g]``); default 1e-3 when
            ``base_optimizer`` is given (``find_lr`` sweeps it anyway).
        base_optimizer: an optimizer class (``torch.optim.AdamW``) or factory
            ``f(groups, lr=..., **kw)``; None returns the groups themselves.
        **optimizer_kwargs: passed to ``base_optimizer`` (``weight_decay=0.01``, ...).

    Returns:
        The optimizer, or (without ``base_optimizer``) the list of groups
        ``{"params": [...], "lr": ..., "name": key}`` in the order of ``scales``.

    Raises:
        InvalidArgumentError: a parameter matched by no key (add ``"*": 1.0``), a parameter
            matched by two keys, a key that matches nothing, or a multiplier that is not > 0.

    >>> import torch
    >>> net = torch.nn.Sequential()
    >>> net.add_module("backbone", torch.nn.Linear(4, 8)); net.add_module("head", torch.nn.Linear(8, 2))
    >>> opt = param_groups(net, {"head": 1.0, "backbone": 0.1}, lr=1e-3, base_optimizer=torch.optim.AdamW)
    >>> [(g["name"], len(g["params"]), round(g["lr"], 6)) for g in opt.param_groups]
    [('head', 2, 0.001), ('backbone', 2, 0.0001)]
    """
    if not isinstance(model, torch.nn.Module):
        raise InvalidArgumentError("model", type(model).__name__, "must be a torch.nn.Module",
                                   "pass the network whose parameters are grouped.")
    if not isinstance(scales, Mapping) or not scales:
        raise InvalidArgumentError("scales", scales, "must be a non-empty dict {module prefix or predicate: multiplier}",
                                   'e.g. {"backbone": 0.1, "head": 1.0}.')
    if lr is None:
        lr = 1e-3
    lr = v.positive("lr", lr)
    keys = list(scales)
    mult = {k: v.positive(f"scales[{k!r}]", scales[k]) for k in keys}
    matchers = {k: _matcher(k) for k in keys if k != REST}
    owner: dict[str, Any] = {}
    groups: dict[Any, list] = {k: [] for k in keys}
    unmatched = []
    for name, p in model.named_parameters():
        hits = [k for k, match in matchers.items() if match(name, p)]
        if len(hits) > 1:
            raise InvalidArgumentError("scales", f"keys {[_label(k) for k in hits]}",
                                       f"must not overlap: parameter {name!r} matches several",
                                       "make the prefixes disjoint (e.g. 'encoder.layer.0' and 'encoder.layer.1', "
                                       "not 'encoder' and 'encoder.layer.0').")
        if hits:
            owner[name] = hits[0]
            groups[hits[0]].append(p)
        elif REST in groups:
            groups[REST].append(p)
        else:
            unmatched.append(name)
    if unmatched:
        shown = ", ".join(repr(n) for n in unmatched[:4]) + (" ..." if len(unmatched) > 4 else "")
        raise InvalidArgumentError("scales", f"{len(unmatched)} parameters matched by no key ({shown})",
                                   "must give every parameter a group",
                                   f'add a key for them, or "{REST}": 1.0 for all the rest.')
    empty = [_label(k) for k in keys if not groups[k]]
    if empty:
        top = sorted({n.split(".")[0] for n, _ in model.named_parameters()})
        raise InvalidArgumentError("scales", f"keys {empty}", "must each match at least one parameter",
                                   f"check the module names; the model's top-level modules are {top}.")
    out = [{"params": groups[k], "lr": lr * mult[k], "name": _label(k)} for k in keys]
    if base_optimizer is None:
        return out
    if not callable(base_optimizer):
        raise InvalidArgumentError("base_optimizer", base_optimizer, "must be an optimizer class or factory",
                                   "e.g. base_optimizer=torch.optim.AdamW.")
    return base_optimizer(out, lr=lr, **optimizer_kwargs)


def _label(key) -> str:
    return key if isinstance(key, str) else getattr(key, "__name__", repr(key))


def _set_trainable(model, prefixes, flag: bool) -> int:
    if not isinstance(model, torch.nn.Module):
        raise InvalidArgumentError("model", type(model).__name__, "must be a torch.nn.Module",
                                   "pass the network whose parameters are frozen or unfrozen.")
    if not prefixes:
        raise InvalidArgumentError("prefixes", (), "must name at least one module", 'e.g. freeze(model, "backbone").')
    names = dict(model.named_parameters())
    changed = 0
    for prefix in prefixes:
        if not isinstance(prefix, str):
            raise InvalidArgumentError("prefixes", prefix, "must be module names (str)", 'e.g. "backbone".')
        hit = [n for n in names if _under(n, prefix)]
        if not hit:
            top = sorted({n.split(".")[0] for n in names})
            raise InvalidArgumentError("prefixes", prefix, "names no module with parameters",
                                       f"check the name; the model's top-level modules are {top}.")
        for n in hit:
            names[n].requires_grad_(flag)
            changed += names[n].numel()
    return changed


def freeze(model, *prefixes: str) -> int:
    """Stop training the parameters under the given module names (``requires_grad=False``).

    Returns the number of parameter values (elements) frozen. BatchNorm layers still update
    their running statistics in train mode; call ``module.eval()`` on them to stop that too.

    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Linear(8, 2))
    >>> freeze(net, "0"), [p.requires_grad for p in net.parameters()]
    (40, [False, False, True, True])
    """
    return _set_trainable(model, prefixes, False)


def unfreeze(model, *prefixes: str) -> int:
    """Train the parameters under the given module names again (``requires_grad=True``);
    gradual unfreezing calls it for one more block at a time. Returns the elements unfrozen."""
    return _set_trainable(model, prefixes, True)
