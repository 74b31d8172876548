r"""Dark-photon limits recast to a dark photon with extra (invisible) decays: DarkCast's method
(arXiv:1801.04847, section 2; ``likelihoods/data/darkphoton/README.md``), in NumPy.

Every published limit is for a *standard* dark photon (couplings ``eps e Q_f``, Standard Model decays only,
:mod:`jaxtmm.darkphoton`). Production scales as ``eps^2`` in every experiment, so only the branching ratios and the
lifetime change when the A' also decays invisibly, with a width ``Gamma_inv`` given in GeV (``invisible_width``)
or as a multiple ``R`` of its Standard Model width (``invisible_ratio``):

* **prompt** searches in final states F keep ``eps^2 BR(F) (1 - exp(-t1/tau))`` fixed (``t1`` the largest accepted
  proper lifetime, infinite for most): without a lifetime cut ``eps = eps_pub sqrt(BR_std(F) / BR_new(F))``;
* **beam dumps** count ``eps^2 BR(F) [exp(-t0/tau) - exp(-t1/tau)]``, ``t1 = t0 (1 + L_decay/L_shield)``; ``t0`` is
  fixed per mass by equal yields at the published lower and upper edges, and the new band is where the new yield
  exceeds that one (two roots, or none: the band closes);
* **invisible** searches: ``eps = eps_pub / sqrt(BR_new(invisible))`` (the published limits assume BR = 1);
* **g-2**: the loop does not care how the A' decays; the published limit stands.

:func:`recast` gives the excluded interval ``(lower, upper)`` in eps (``upper = inf`` for one-sided limits; both
NaN where the limit does not cover the mass or the band closes).
"""

import csv
import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from jaxtmm.constants import M_MU_GEV
from jaxtmm.darkphoton import C_M_PER_S, HBAR_GEV_S
from likelihoods._data import data_path

FOLDER = "darkphoton"
NO_LIMIT = 1.0e5  # "no limit at this mass" in the files
M_PHI, M_ETA = 1.019461, 0.547862


def _kloe(m, eta=False):
    gamma = (M_PHI**2 + m**2 - (M_ETA**2 if eta else 0.0)) / (2.0 * M_PHI * m)
    return 0.08 / (gamma * C_M_PER_S)


#: The largest accepted proper lifetime t1(m) in seconds of the prompt searches with a lifetime cut (MANIFEST.csv).
LIFETIME_CUTS = {
    "KLOE_Anastasi2015qla": _kloe,
    "KLOE_Anastasi2016ktq": _kloe,
    "KLOE_Anastasi2018azp_combined": _kloe,
    "KLOE_Babusci2014sta": _kloe,
    "KLOE_Babusci2012cr": lambda m: _kloe(m, eta=True),
    "LHCb_Aaij2019bvg_prompt": lambda m: (0.004 / (m - 2.0 * M_MU_GEV) + 0.1) * 1e-12,
    "NA48_Batley2015lha": lambda m: 1.0 / ((50.0 / m) * C_M_PER_S),
}


@dataclass(frozen=True)
class Limit:
    """One published limit: its manifest row and its curve (NaN where the file says there is no limit)."""

    name: str
    experiment: str
    arxiv: str
    kind: str
    final_states: tuple
    mass: np.ndarray
    lower: np.ndarray
    upper: np.ndarray | None
    length_ratio: float | None

    @property
    def mass_range(self) -> tuple:
        return float(self.mass[0]), float(self.mass[-1])


#: The invisible-mode limits the seed paper uses (``likelihoods.na64``, ``likelihoods.babar``): file stem -> manifest row.
PAPER_INVISIBLE = {
    "na64_invisible_2023": {
        "experiment": "NA64",
        "arxiv": "2307.02404",
        "kind": "invisible",
        "final_states": "invisible",
        "production": "electron bremsstrahlung",
    },
    "babar_invisible_2017": {
        "experiment": "BaBar",
        "arxiv": "1702.03327",
        "kind": "invisible",
        "final_states": "invisible",
        "production": "e+e- -> gamma A'",
    },
}


@cache
def manifest() -> dict:
    """Every limit's manifest row by file stem: the data folder's MANIFEST.csv and the paper's two invisible limits."""
    with open(data_path(f"{FOLDER}/MANIFEST.csv"), encoding="utf-8") as fh:
        rows = {row["file"][:-4]: row for row in csv.DictReader(fh)}
    rows.update({k: {**v, "file": f"{k}.csv", "L_decay_over_L_shield": ""} for k, v in PAPER_INVISIBLE.items()})
    return rows


def names() -> tuple:
    """Every limit, by file stem."""
    return tuple(manifest())


@cache
def load(name: str) -> Limit:
    rows = manifest()
    if name not in rows:
        raise ValueError(f"unknown dark-photon limit {name!r} (known: {', '.join(rows)})")
    row = rows[name]
    if name in PAPER_INVISIBLE:
        from likelihoods._data import LimitCurve

        c = LimitCurve.load(row["file"])
        return Limit(name, row["experiment"], row["arxiv"], "invisible", ("invisible",), c.mass, c.eps, None, None)
    data = np.loadtxt(str(data_path(f"{FOLDER}/{name}.lmt")), comments="#", ndmin=2)
    cols = [np.where(data[:, k] >= NO_LIMIT, np.nan, data[:, k]) for k in range(1, data.shape[1])]
    lr = row["L_decay_over_L_shield"]
    return Limit(
        name,
        row["experiment"],
        row["arxiv"],
        row["kind"],
        tuple(row["final_states"].split(";")),
        data[:, 0],
        cols[0],
        cols[1] if len(cols) > 1 else None,
        float(lr) if lr else None,
    )


def _interp(x, xp, fp):
    """Linear in (log m, log eps), NaN outside the curve and next to a "no limit" point (never across one)."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    out = np.full(x.shape, np.nan)
    inside = (x >= xp[0]) & (x <= xp[-1])
    k = np.clip(np.searchsorted(xp, x[inside], side="right"), 1, len(xp) - 1)
    x0, x1, f0, f1 = xp[k - 1], xp[k], fp[k - 1], fp[k]
    t = (np.log(x[inside]) - np.log(x0)) / (np.log(x1) - np.log(x0))
    out[inside] = np.exp((1 - t) * np.log(f0) + t * np.log(f1))
    exact = np.isin(x, xp)
    out[exact] = fp[np.searchsorted(xp, x[exact])]
    return out


@cache
def _sm_table_fn():
    import jax

    from jaxtmm import darkphoton as dp

    def f(ms):
        w = dp.sm_widths(ms, 1.0)
        unit = dp.ALPHA_EM * ms / 3.0
        return w, {s: unit * dp.R_hadrons(ms, s) for s in dp.HADRONIC_STATES}

    return jax.jit(f)


def _sm_at_unit_eps(ms: np.ndarray) -> dict:
    """Standard Model partial widths (GeV) at eps = 1 by channel and of the exclusive hadronic states, and their total,
    for every mass at once: name -> array. One compiled evaluation per padded length (multiples of 1024)."""
    from jaxtmm import darkphoton as dp  # float64 must be on, as everywhere in jaxtmm

    n = len(ms)
    padded = np.concatenate([ms, np.full(-n % 1024, ms[-1] if n else 1.0)])
    w, had = _sm_table_fn()(padded)
    w = np.asarray(w)[:, :n]
    out = dict(zip(dp.VISIBLE, w))
    out.update({s: np.asarray(v)[:n] for s, v in had.items()})
    out["total"] = w.sum(axis=0)
    return out


def _bisect(f, lo, hi, n=200):
    """A root of the increasing-or-decreasing f between lo and hi (log-space bisection, ~1e-15 relative)."""
    flo = f(lo)
    for _ in range(n):
        mid = math.sqrt(lo * hi)
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi / lo - 1 < 1e-15:
            break
    return math.sqrt(lo * hi)


def recast(name: str, m_Ap, *, invisible_width: float = 0.0, invisible_ratio: float = 0.0) -> tuple:
    """The excluded eps interval ``(lower, upper)`` of limit ``name`` at mass(es) ``m_Ap`` for a dark photon with an
    extra invisible width ``invisible_width`` (GeV) or ``invisible_ratio`` times its Standard Model width.

    ``upper`` is ``inf`` for a one-sided limit; both are NaN where the limit does not cover the mass or the band
    closes, and for prompt and beam-dump limits below the e+e- threshold (no visible decay to recast). Arrays in,
    arrays out (a float in, floats out).
    """
    if (
        invisible_width < 0
        or invisible_ratio < 0
        or not (math.isfinite(invisible_width) and math.isfinite(invisible_ratio))
    ):
        raise ValueError("the invisible width and ratio must be finite and >= 0")
    if invisible_width > 0 and invisible_ratio > 0:
        raise ValueError("give the invisible width in GeV or as a ratio to the Standard Model width, not both")
    lim = load(name)
    scalar = np.ndim(m_Ap) == 0
    ms = np.atleast_1d(np.asarray(m_Ap, dtype=float))
    if not np.all(np.isfinite(ms) & (ms > 0)):
        raise ValueError("the dark-photon mass must be a finite number > 0 (GeV)")
    lo_pub = _interp(ms, lim.mass, lim.lower)
    hi_pub = _interp(ms, lim.mass, lim.upper) if lim.upper is not None else np.full(ms.shape, np.inf)
    lo, hi = np.full(ms.shape, np.nan), np.full(ms.shape, np.nan)
    sm = _sm_at_unit_eps(ms)
    for k, m in enumerate(ms):
        if not (np.isfinite(lo_pub[k]) and (lim.upper is None or np.isfinite(hi_pub[k]))):
            continue
        g1 = float(sm["total"][k])  # SM width at eps = 1
        if g1 <= 0.0 and lim.kind in ("prompt", "beam_dump"):
            continue  # below 2 m_e no visible decay exists to recast (the 3-photon width is neglected, as in DarkCast)
        gF = float(sum(sm[f][k] for f in lim.final_states if f in sm))  # "none" (g-2), "invisible": unused

        def gamma(eps, g1=g1):  # total width of the new model at eps
            return eps**2 * g1 * (1.0 + invisible_ratio) + invisible_width

        if lim.kind == "g-2":
            lo[k], hi[k] = lo_pub[k], np.inf
        elif lim.kind == "invisible":

            def br_inv(e, g1=g1):  # below 2 m_e the Standard Model width is 0: then R / (1 + R) of nothing
                G = gamma(e)
                return (G - e**2 * g1) / G if G > 0 else invisible_ratio / (1.0 + invisible_ratio)

            if invisible_width == 0 and invisible_ratio == 0:
                continue  # a standard dark photon never decays invisibly: no limit
            # eps^2 BR_inv(eps) = eps_pub^2 (published for BR = 1); increasing in eps
            target = lo_pub[k] ** 2
            f = lambda e: e**2 * br_inv(e) - target
            if f(lo_pub[k] * 1e8) <= 0:
                continue  # eps^2 BR_inv -> Gamma_inv / g1 as eps grows: a small invisible width never reaches the limit
            lo[k] = _bisect(f, lo_pub[k], lo_pub[k] * 1e8)
            hi[k] = np.inf
        elif lim.kind == "prompt":
            t1 = LIFETIME_CUTS.get(name, lambda m: math.inf)(m)
            accept = (lambda G: 1.0) if math.isinf(t1) else (lambda G: -math.expm1(-t1 * G / HBAR_GEV_S))
            signal = lambda e, gam: e**2 * (e**2 * gF / gam) * accept(gam)
            e0 = lo_pub[k]
            target = signal(e0, e0**2 * g1)
            f = lambda e: signal(e, gamma(e)) - target
            if f(e0 * 1e8) <= 0:
                continue  # not reached below 1e8 times the published limit: no limit
            lo[k] = _bisect(f, e0 * 1e-8, e0 * 1e8)
            hi[k] = np.inf
        else:  # beam dump
            lo[k], hi[k] = _beam_dump(lo_pub[k], hi_pub[k], lim.length_ratio, g1, gF, gamma)
    return (float(lo[0]), float(hi[0])) if scalar else (lo, hi)


def _log_yield(e, x, k, gF, G, g1):
    """ln of ``eps^2 BR(F) [exp(-t0/tau) - exp(-t1/tau)]``, ``t0/tau = x G/g1``, ``t1 = k t0``, without underflow."""
    a = x * G / g1
    return 2.0 * np.log(e) + np.log(e**2 * gF / G) - a + np.log(-np.expm1(-(k - 1.0) * a))


def equal_yield_x(e_lo: float, e_hi: float, k: float) -> float:
    """``x = t0 g1 / hbar`` at which a standard dark photon gives equal beam-dump yields at ``e_lo`` and ``e_hi``
    (``g1`` its width at eps = 1, ``t1 = k t0``): the one root, the difference rising from ``4 ln(e_lo/e_hi) < 0``."""
    std = lambda e, x: _log_yield(e, x, k, 1.0, e**2, 1.0)
    return _bisect(lambda x: std(e_lo, x) - std(e_hi, x), 1e-30, 1e60)


def _beam_dump(e_lo, e_hi, L, g1, gF, gamma):
    """The new band of a beam dump: t0 from equal standard yields at the published edges, then both roots."""
    k = 1.0 + L
    x = equal_yield_x(e_lo, e_hi, k)
    y_star = _log_yield(e_lo, x, k, gF, e_lo**2 * g1, g1)
    grid = np.geomspace(e_lo * 1e-4, e_hi * 1e4, 8001)
    vals = _log_yield(grid, x, k, gF, gamma(grid), g1)
    j = int(np.argmax(vals))
    if not vals[j] > y_star:
        return math.nan, math.nan
    g = lambda e: float(_log_yield(e, x, k, gF, gamma(e), g1)) - y_star
    return _bisect(g, grid[0], grid[j]), _bisect(g, grid[j], grid[-1])
