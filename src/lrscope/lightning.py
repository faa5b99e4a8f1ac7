"""Lightning entry points of lrscope (importing this module imports lightning and torch).

>>> from lrscope.lightning import LRScopeFinder, find_lr  # doctest: +SKIP
"""

from .adapters.lightning_finder import USES, LRScopeFinder, find_lr
from .adapters.torch_scheduler import ScheduleLR

__all__ = ["LRScopeFinder", "find_lr", "ScheduleLR", "USES"]
