"""Reading and checking point files (TOML) and the shipped point presets.

A point file has the flat keys ``y_e1 y_e2 y_mu1 y_mu2`` (each ``[re, im]``), ``theta_R theta_I``
(rad), ``m_H1 m_H2 m_A1 m_A2 M1 M2 M_E m_Ap`` (GeV), ``g_D eps``, an optional ``Q_S`` (default 1), optional CP parities ``eta1 eta2`` of N1, N2 (+1 or -1, default +1), and
an optional ``[pmns]`` table (``theta12 theta13 theta23 delta_CP alpha21 alpha31``, degrees; missing
entries take NuFIT 6.0). Every problem is reported as a :class:`PointFileError` naming the key.
"""

import tomllib
from importlib import resources
from pathlib import Path

from jaxtmm.model import MASS_KEYS, PARITY_KEYS, REAL_KEYS, Y_FLAT, Point
from jaxtmm.pmns import PMNS
from jaxtmm.validate import PMNS_RANGES, finite_number, in_range, parity, perturbative, read_text, yukawa

PRESETS = ("paper",)
_OPTIONAL = {"Q_S": 1.0, "eta1": 1.0, "eta2": 1.0}


class PointFileError(ValueError):
    """A point file or preset that cannot be turned into a model point; the message names the problem."""


def _number(key: str, v) -> float:
    return finite_number(key, v, PointFileError)


def check_values(raw: dict) -> tuple[dict, PMNS]:
    """Validate the parsed TOML table of a point; return the flat values and the PMNS angles."""
    raw = dict(raw)
    pmns_raw = raw.pop("pmns", {})
    if not isinstance(pmns_raw, dict):
        raise PointFileError("'pmns' must be a table of angles in degrees")
    known = set(Y_FLAT) | set(REAL_KEYS)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise PointFileError(f"unknown key(s): {', '.join(unknown)} (allowed: {', '.join(sorted(known))}, [pmns])")
    required = [k for k in (*Y_FLAT, *REAL_KEYS) if k not in _OPTIONAL]
    missing = [k for k in required if k not in raw]
    if missing:
        raise PointFileError(f"missing key(s): {', '.join(missing)}")
    values = dict(_OPTIONAL)
    for k in Y_FLAT:
        v = raw[k]
        if not isinstance(v, list) or len(v) != 2:
            raise PointFileError(f"'{k}' must be a pair [re, im], got {v!r}")
        values[k] = (_number(f"{k}[0]", v[0]), _number(f"{k}[1]", v[1]))
        yukawa(k, *values[k], PointFileError)
    for k in REAL_KEYS:
        if k in raw:
            values[k] = _number(k, raw[k])
    for k in MASS_KEYS:
        if values[k] <= 0.0:
            raise PointFileError(f"mass '{k}' must be positive (GeV), got {values[k]}")
    for k in REAL_KEYS:
        if k in PARITY_KEYS:
            parity(k, values[k], PointFileError)
        else:
            in_range(k, values[k], PointFileError)
    perturbative("g_D |Q_S|", values["g_D"] * abs(values["Q_S"]), PointFileError)
    pmns_deg = {}
    for k, v in pmns_raw.items():
        if k not in PMNS._fields:
            raise PointFileError(f"unknown key 'pmns.{k}' (allowed: {', '.join(PMNS._fields)})")
        pmns_deg[k] = in_range(k, _number(f"pmns.{k}", v), PointFileError, PMNS_RANGES, f"pmns.{k}")
    return values, PMNS.from_degrees(**pmns_deg)


def load_point(path) -> Point:
    """Read a point file; raise :class:`PointFileError` with a one-line reason on any problem."""
    path = Path(path)
    return parse_point(read_text(path, "point file", PointFileError), source=str(path))


def parse_point(text: str, source: str = "<string>") -> Point:
    """Parse the TOML text of a point file."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PointFileError(f"{source} is not valid TOML: {exc}") from None
    values, pmns = check_values(raw)
    return Point.from_flat(values, pmns)


def preset_text(name: str) -> str:
    """The TOML text of a shipped point preset."""
    if name not in PRESETS:
        raise PointFileError(f"unknown preset '{name}' (available: {', '.join(PRESETS)})")
    return resources.files("jaxtmm.presets").joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_preset(name: str) -> Point:
    """A shipped point preset as a :class:`Point` (``paper``: the seed's Sec. 3.3 benchmark)."""
    return parse_point(preset_text(name), source=f"preset '{name}'")
