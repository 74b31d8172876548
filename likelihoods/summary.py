"""The standard set of likelihoods, their sum, and a per-constraint report of one point."""

import math

import jax.numpy as jnp

from jaxtmm import Point, invisible_open
from likelihoods._limit import OneSidedLimit
from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT
from likelihoods.registry import REGISTRY, Options, build


def default_likelihoods(
    convention: str = "corrected",
    meg_year: str = "auto",
    moment: str = "solar",
    T_min: float = T_MIN_DEFAULT,
    E_nu: float = E_NU_DEFAULT,
    T_max: float | None = None,
    invisible: str = "auto",
    constraints="paper",
    **more,
) -> tuple[OneSidedLimit, ...]:
    """The likelihoods of a constraint set (default ``paper``: MEG II, NA64, BaBar, Borexino) or a list of
    names, with the given options (``more``: the other fields of :class:`likelihoods.registry.Options`)."""
    window = {"T_min": T_min, "E_nu": E_nu, "T_max": T_max}
    return build(
        constraints,
        Options(convention=convention, meg_year=meg_year, moment=moment, invisible=invisible, **window, **more),
    )


def total_log_likelihood(p: Point, likelihoods) -> jnp.ndarray:
    """Sum of the log-likelihoods: the single objective ``f(point) -> scalar`` of the fits."""
    return sum(lk(p) for lk in likelihoods)


def report(p: Point, likelihoods) -> list[dict]:
    """For each likelihood: value, limit, signal ratio, ln L, test statistic vs threshold, pass/fail; a set of searches
    (``members``) is followed by a row for each member that constrains the point (``part_of`` names the set)."""
    inv = bool(invisible_open(p))
    rows = []
    for lk in likelihoods:
        rows.append(_row(p, lk, inv))
        members = getattr(lk, "members", ())
        if len(members) > 1:
            rows += _member_rows(p, lk)
    return rows


def _member_rows(p: Point, lk) -> list[dict]:
    """Rows for the members of a set of searches that constrain the point, from one evaluation of the set."""
    from likelihoods import darkphoton as D
    from likelihoods._limit import source_text
    from likelihoods.searches import STAT, citation

    parts = lk.member_parts(p)
    rows = []
    for k, name in enumerate(lk.members):
        if not parts["constrains"][k]:
            continue
        lim, r = D.load(name), float(parts["ratio"][k])
        stat = STAT[lim.kind]
        entry = REGISTRY.get(name)
        rows.append(
            {
                "experiment": name,
                "group": entry.group if entry else "",
                "quantity": "epsilon (limit: published, standard A')",
                "unit": "",
                "value": float(abs(p.eps)),
                "limit": float(parts["published"][k]),
                "signal_ratio": r,
                "log_likelihood": -0.5 * float(parts["q"][k]),
                "test_statistic": float(parts["q"][k]),
                "threshold": stat.threshold,
                "cl": stat.cl,
                "statistical_model": stat.name,
                "constrains": True,
                "allowed": r <= 1.0,
                "assumes_invisible": False,
                "invisible_open": None,
                "citation": source_text(citation(name), lim.arxiv),
                "data_file": f"darkphoton/{name}.lmt",
                "part_of": lk.name,
            }
        )
    return rows


def _row(p: Point, lk, inv: bool) -> dict:
    r = float(lk.signal_ratio(p))
    applies = bool(lk.applies(p))
    limit = float(lk.limit(p)) if applies else None
    entry = REGISTRY.get(lk.name)
    return {
        "experiment": lk.name,
        "group": entry.group if entry else "",
        "quantity": lk.quantity,
        "unit": lk.unit,
        "value": float(jnp.abs(lk.value(p))),
        "limit": limit if limit is not None and math.isfinite(limit) else None,
        "signal_ratio": r,
        "log_likelihood": float(lk.log_likelihood(p)),
        "test_statistic": float(lk.test_statistic(p)),
        "threshold": lk.threshold,
        "cl": lk.cl,
        "statistical_model": lk.stat.name,
        "constrains": applies,
        "allowed": r <= 1.0,
        "assumes_invisible": lk.requires_invisible,
        "invisible_open": inv if lk.requires_invisible else None,
        "citation": lk.source,
        "data_file": lk.data_file,
        "part_of": None,
    }


def with_couplings(p: Point, y: complex = 0.0, eps: float = 0.0) -> Point:
    """The point with every Yukawa coupling set to ``y`` and the kinetic mixing to ``eps`` (masses, angles kept)."""
    return p._replace(y=jnp.full_like(p.y, y), eps=jnp.full_like(jnp.asarray(p.eps, dtype=jnp.float64), eps))


#: A second set of couplings (y, eps, and g_D added to the point's) and a second A' mass (the point's times
#: ``m_Ap``), at which a constraint fixed by the dark states' masses must give the same signal ratio.
_PROBE = {"y": 0.3 + 0.2j, "eps": 1e-3, "g_D": 0.7, "m_Ap": 1.37}


def unsatisfiable_at(p: Point, likelihoods) -> dict:
    """The likelihoods no choice of couplings can satisfy at this point's masses, name -> signal ratio: those
    outside their CL region with y = 0 and eps = 0 *and* unchanged (to 1e-9) with other couplings (y, eps, g_D) and
    another A' mass, i.e. fixed by the dark states' masses alone (the Z width and T for doublet states below m_Z/2).
    Only the likelihoods registered ``masses_only`` are looked at: evaluating every other one (the relic's Boltzmann
    equation, the searches) took 44 s of a 49 s scan of the complete set, and their signals move with the couplings."""
    null = with_couplings(p)
    probe = with_couplings(p, _PROBE["y"], _PROBE["eps"])._replace(
        g_D=jnp.asarray(p.g_D, dtype=jnp.float64) + _PROBE["g_D"],
        m_Ap=jnp.asarray(p.m_Ap, dtype=jnp.float64) * _PROBE["m_Ap"],
    )
    out = {}
    for lk in likelihoods:
        entry = REGISTRY.get(lk.name)
        if entry is None or not entry.masses_only:
            continue
        r0, r1 = float(lk.signal_ratio(null)), float(lk.signal_ratio(probe))
        if r0 > 1.0 and abs(r1 - r0) <= 1e-9 * r0:
            out[lk.name] = r0
    return out
