"""Keras 3 entry points of lrscope (importing this module imports keras; any backend).

:func:`find_lr` runs lrscope's range test on a compiled Keras model; :class:`KerasSchedule`
turns any :mod:`lrscope.schedules` schedule into a serializable
``keras.optimizers.schedules.LearningRateSchedule``; :func:`schedule_for` turns a range
test's answer into one. See ``docs/keras.md``.

>>> import lrscope.keras  # doctest: +SKIP
"""

from .adapters.keras_range_test import KerasSchedule, find_lr, schedule_for

__all__ = ["find_lr", "KerasSchedule", "schedule_for"]
