"""Derived quantities a profile likelihood can be taken of, by name: each a function of a configuration that gives
a positive function of a point, with its unit (``fits.jobs.profile``, ``jaxtmm profile``)."""

from fits.problem.config import Config
from jaxtmm import mu_eff, sum_m_nu, to_mu_B

#: name -> (maker: config -> (point -> value), unit, what it is)
QUANTITIES = {
    "mu_eff": (
        lambda c: lambda p: to_mu_B(mu_eff(p, c.moment, c.convention)),
        "mu_B",
        "the effective moment the configuration's 'moment' option names",
    ),
    "sum_m_nu": (lambda c: lambda p: sum_m_nu(p) * 1e9, "eV", "the sum of the one-loop neutrino masses"),
}


def quantity(name: str, config: Config):
    """The function ``point -> value`` of derived quantity ``name``."""
    if name not in QUANTITIES:
        raise ValueError(f"unknown derived quantity '{name}' (available: {', '.join(QUANTITIES)})")
    return QUANTITIES[name][0](config)
