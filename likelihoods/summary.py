"""The standard set of likelihoods, their sum, and a per-constraint report of one point."""

import jax.numpy as jnp

from jaxtmm import Point, invisible_open
from likelihoods._limit import OneSidedLimit
from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT
from likelihoods.registry import REGISTRY, Options, build


def default_likelihoods(
    loop: str = "derived",
    meg_year: str = "2023",
    moment: str = "solar",
    T_min: float = T_MIN_DEFAULT,
    E_nu: float = E_NU_DEFAULT,
    T_max: float | None = None,
    when_closed: str = "apply",
    constraints="paper",
) -> tuple[OneSidedLimit, ...]:
    """The likelihoods of a constraint set (default ``paper``: MEG II, NA64, BaBar, Borexino) or a list of
    names, with the given options."""
    return build(constraints, Options(loop, meg_year, moment, T_min, E_nu, T_max, when_closed))


def total_log_likelihood(p: Point, likelihoods) -> jnp.ndarray:
    """Sum of the log-likelihoods: the single objective ``f(point) -> scalar`` of the fits."""
    return sum(lk(p) for lk in likelihoods)


def report(p: Point, likelihoods) -> list[dict]:
    """For each likelihood: value, limit, signal ratio, ln L, test statistic vs threshold, pass/fail."""
    inv = bool(invisible_open(p))
    rows = []
    for lk in likelihoods:
        r = float(lk.signal_ratio(p))
        applies = bool(lk.applies(p))
        rows.append(
            {
                "experiment": lk.name,
                "group": REGISTRY[lk.name].group if lk.name in REGISTRY else "",
                "quantity": lk.quantity,
                "unit": lk.unit,
                "value": float(jnp.abs(lk.value(p))),
                "limit": float(lk.limit(p)) if applies else None,
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
                "citation": f"{lk.citation}, arXiv:{lk.arxiv}",
                "data_file": lk.data_file,
            }
        )
    return rows
