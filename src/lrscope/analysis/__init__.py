"""Curve analysis (numpy only): the range-test result, smoothing and suggesters."""

from ._result import RangeTestResult

__all__ = ["RangeTestResult"]
