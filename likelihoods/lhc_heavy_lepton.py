"""The LHC on the charged doublet state E: published mass bounds of the two-lepton + missing-energy searches, labelled
as such (not a recast). ATLAS, Eur. Phys. J. C 80 (2020) 123, arXiv:1908.08215, 95% CL.

E is pair-produced by Drell-Yan with a vector-like doublet's full gauge couplings and decays (``jaxtmm.widths``) to
``l + H_k / A_k`` or to ``N_n W``. With light dark states (below 0.3 M_E, the searches' massless-LSP reach) both
signatures are a slepton- or chargino-like pair with missing energy:

* ``BR(E -> l S)^2 >= 1/2``: the slepton bound, ``M_E > 700 GeV``. Conservative: the bound assumes three degenerate
  generations of left- and right-handed scalars, whose summed e and mu cross-section is below a vector-like doublet
  fermion's (a fermion pair has no P-wave suppression and four times the spin states);
* ``BR(E -> N W)^2 >= 1/2``: the chargino bound with W-mediated decays, ``M_E > 420 GeV``. *Not* conservative: it was
  set for a wino, whose pair cross-section exceeds a doublet's; it is applied as published and labelled so.

Mixed decays (neither condition) and heavy dark states get no LHC bound; LEP's (:mod:`likelihoods.lep_heavy_lepton`)
still applies. Statistical model: half-normal in ``(M_lim / M_E)^10``, a smooth stand-in for a mass edge. Data:
``likelihoods/data/electroweak.toml`` [lhc_heavy_lepton].
"""

import jax.numpy as jnp

from jaxtmm.widths import partial_widths
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, register

DATA_FILE = "electroweak.toml"
POWER = 10.0
LIGHT_FRACTION = 0.3  # dark states below 0.3 M_E count as the searches' (near-)massless invisible particles


def branching(p):
    """``(BR(E -> l S), BR(E -> N W))`` with S, N lighter than 0.3 M_E (the rest of E's width counts in the total)."""
    parts = {k: v for k, v in partial_widths(p).items() if k.startswith("E -> ")}
    total = sum(parts.values())
    safe = jnp.where(total > 0, total, 1.0)
    light = LIGHT_FRACTION * p.M_E
    mass = {"H1": p.m_H1, "H2": p.m_H2, "A1": p.m_A1, "A2": p.m_A2, "N1": jnp.abs(p.M1), "N2": jnp.abs(p.M2)}
    bl = sum(jnp.where(mass[k.split()[-1]] < light, v, 0.0) for k, v in parts.items() if k.startswith("E -> l "))
    bw = sum(jnp.where(mass[k.split()[2]] < light, v, 0.0) for k, v in parts.items() if k.endswith(" W"))
    return jnp.where(total > 0, bl / safe, 0.0), jnp.where(total > 0, bw / safe, 0.0)


def mass_bound(p, m_slepton: float, m_chargino: float):
    """The published bound in force at the point (GeV; 0 where none applies)."""
    bl, bw = branching(p)
    return jnp.maximum(jnp.where(bl**2 >= 0.5, m_slepton, 0.0), jnp.where(bw**2 >= 0.5, m_chargino, 0.0))


def likelihood() -> OneSidedLimit:
    d = read_toml(DATA_FILE)["lhc_heavy_lepton"]
    ms, mc = float(d["M_slepton_like_GeV"]), float(d["M_chargino_like_GeV"])
    return half_normal_limit(
        "LHC heavy lepton",
        "M_lim / M_E (published mass bound; no recast)",
        "",
        lambda p: mass_bound(p, ms, mc) / p.M_E,
        1.0,
        d,
        f"{DATA_FILE} [lhc_heavy_lepton]",
        power=POWER,
    )


@register(
    "LHC heavy lepton",
    group="collider",
    data_file=DATA_FILE,
    sets=("complete",),
    rank=81,
    scales="(M_lim / M_E)^10: 700 GeV if E -> l + invisible, 420 GeV if E -> N W (published bounds)",
)
def build(options: Options) -> OneSidedLimit:
    return likelihood()
