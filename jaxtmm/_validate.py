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


def read_text(path, what: str, error=ValueError) -> str:
    """The UTF-8 text of a user's file, or ``error`` saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read {what} '{path}': {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise error(f"{what} '{path}' is not UTF-8 text") from None
