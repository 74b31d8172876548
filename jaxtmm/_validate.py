"""Checks shared by every reader of user input (point files, configurations)."""

import math


def finite_number(key: str, v, error=ValueError) -> float:
    """``v`` as a finite float, or ``error`` naming ``key``."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise error(f"'{key}' must be a number, got {type(v).__name__} {v!r}")
    v = float(v)
    if not math.isfinite(v):
        raise error(f"'{key}' must be finite, got {v}")
    return v
