"""PyTorch entry points of lrscope (importing this module imports torch).

>>> from lrscope.torch import ScheduleLR  # doctest: +SKIP
"""

from .adapters.torch_finetune import freeze, param_groups, unfreeze
from .adapters.torch_scheduler import ScheduleLR

__all__ = ["ScheduleLR", "param_groups", "freeze", "unfreeze"]
