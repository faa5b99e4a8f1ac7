"""Strict JSON for every payload lrscope writes (CLI --json, reports, result files)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def strict(obj: Any) -> Any:
    """Turn numpy values, tuples and non-finite floats into strict-JSON-ready Python values.

    NaN and +/-inf become None (JSON has no such numbers); arrays become lists.

    >>> strict({"a": np.array([1.0, np.nan]), "b": (np.int64(2), float("inf"))})
    {'a': [1.0, None], 'b': [2, None]}
    """
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, np.ndarray):
        return strict(obj.tolist())
    if isinstance(obj, (list, tuple)):
        return [strict(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): strict(x) for k, x in obj.items()}
    if isinstance(obj, (np.integer, int)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return float(obj) if math.isfinite(obj) else None
    if hasattr(obj, "tolist"):
        return strict(obj.tolist())
    return obj
