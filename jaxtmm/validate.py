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


#: Perturbative bound on each Yukawa coupling |y| and on the dark coupling g_D (and on g_D |Q_S|).
PERTURBATIVE = math.sqrt(4.0 * math.pi)
#: Where the physics is computed in float64 without overflow (checked at every corner by the tests), GeV.
MASS_RANGE = (1e-9, 1e9)
#: The allowed interval of each real parameter of a point, with what it is.
RANGES = {
    **dict.fromkeys(("m_H1", "m_H2", "m_A1", "m_A2", "M1", "M2", "M_E", "m_Ap"), (*MASS_RANGE, "a mass in GeV")),
    "theta_R": (-2.0 * math.pi, 2.0 * math.pi, "an angle in rad"),
    "theta_I": (-2.0 * math.pi, 2.0 * math.pi, "an angle in rad"),
    "g_D": (0.0, PERTURBATIVE, "the dark coupling, at most the perturbative bound sqrt(4 pi)"),
    "eps": (-1.0, 1.0, "the kinetic mixing"),
    "Q_S": (-PERTURBATIVE, PERTURBATIVE, "the scalars' dark charge (g_D |Q_S| <= sqrt(4 pi))"),
}
#: PMNS entries, degrees: mixing angles in the first quadrant, phases within two turns either way.
PMNS_RANGES = {
    **dict.fromkeys(("theta12", "theta13", "theta23"), (0.0, 90.0, "a mixing angle in degrees")),
    **dict.fromkeys(("delta_CP", "alpha21", "alpha31"), (-720.0, 720.0, "a phase in degrees")),
}


def in_range(key: str, v: float, error=ValueError, ranges=None, name: str | None = None) -> float:
    """``v`` if it lies in the allowed interval of parameter ``key``, else ``error`` with the interval."""
    lo, hi, what = (ranges or RANGES)[key]
    if not lo <= v <= hi:
        raise error(f"'{name or key}' = {v:g} is outside [{lo:g}, {hi:g}] ({what})")
    return v


def perturbative(what: str, value: float, error=ValueError, rtol: float = 0.0) -> float:
    """``value`` if it is within the perturbative bound sqrt(4 pi) (up to ``rtol``), else ``error`` naming ``what``."""
    if value > PERTURBATIVE * (1 + rtol):
        raise error(f"{what} = {value:g} is beyond the perturbative bound sqrt(4 pi) = {PERTURBATIVE:.6g}")
    return value


def yukawa(key: str, re: float, im: float, error=ValueError, bound: float = PERTURBATIVE) -> complex:
    """A Yukawa coupling within the perturbative bound |y| <= sqrt(4 pi), else ``error``."""
    if math.hypot(re, im) > bound * (1 + 1e-12):
        raise error(f"'{key}' has |y| = {math.hypot(re, im):g}, beyond the perturbative bound sqrt(4 pi) = {bound:.6g}")
    return complex(re, im)


def parity(key: str, v, error=ValueError) -> float:
    """A CP parity: exactly +1 or -1."""
    if v not in (1.0, -1.0):
        raise error(f"'{key}' is a CP parity and must be +1 or -1, got {v!r}")
    return float(v)
