"""PyTorch entry points of lrscope (importing this module imports torch).

>>> from lrscope.torch import ScheduleLR  # doctest: +SKIP
"""

from .adapters.torch_scheduler import ScheduleLR

__all__ = ["ScheduleLR"]
