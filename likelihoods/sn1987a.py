r"""SN1987A: a dark photon made in the proto-neutron star that escapes carries energy away faster than the observed
neutrino burst allows (Chang, Essig, McDermott, JHEP 01 (2017) 107, arXiv:1611.03864). The excluded region is a band
in eps at each mass, ``eps_low(m) < eps < eps_high(m)`` for ``1.1 MeV < m_A' < 179 MeV``: below ``eps_low`` too few
are made (free streaming: luminosity ~ eps^2), above ``eps_high`` they decay or are reabsorbed inside (trapping).

Signal ratio ``min((eps / eps_low)^2, (eps_high / eps)^2)``, both edges interpolated linearly in (ln m, ln eps): above 1
exactly inside the band, 1 on its edges, 0 outside the mass range. Half-normal statistic at a nominal 95% CL (the
bound is a luminosity criterion, not a measurement). The published curve assumes Standard Model decays; where the
point's A' decays mostly to dark states the true trapping edge lies higher, and keeping the published one excludes
less (conservative). Dark states pair-produced through the A' inside the star are not included. The curve is only
partly verified against its publication (the data file's header says what was checked). Data:
``likelihoods/data/sn1987a_chang2017.csv``.
"""

import csv
from functools import cache

import jax.numpy as jnp
import numpy as np

from likelihoods._data import data_path
from likelihoods._limit import HalfNormal, OneSidedLimit
from likelihoods.registry import Options, register

DATA_FILE = "sn1987a_chang2017.csv"
M_LOW_GEV = 1.103695e-3  # the upper edge's lowest mass before the jump at 2 m_e (row 81)


@cache
def edges() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(m_lo, eps_lo, m_hi, eps_hi)``: the lower edge and the upper edge (closed at the tip), masses increasing."""
    lines = data_path(DATA_FILE).read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader(ln for ln in lines if ln and not ln.startswith("#")))
    if rows[0] != ["edge", "mass_GeV", "epsilon"]:
        raise ValueError(f"{DATA_FILE}: expected columns edge,mass_GeV,epsilon, got {rows[0]}")
    lo = np.array([[float(m), float(e)] for k, m, e in rows[1:] if k == "lower"])
    up = np.array([[float(m), float(e)] for k, m, e in rows[1:] if k == "upper"])
    up = up[up[:, 0] >= M_LOW_GEV - 1e-12][::-1]  # from 1.10 MeV to the tip, increasing
    up = np.vstack([up, lo[-1]])  # the tip closes the band
    if not (np.all(np.diff(lo[:, 0]) > 0) and np.all(np.diff(up[:, 0]) > 0)):
        raise ValueError(f"{DATA_FILE}: each edge's masses must increase")
    return lo[:, 0], lo[:, 1], up[:, 0], up[:, 1]


def _edge(m, ms, es):
    return jnp.exp(jnp.interp(jnp.log(m), jnp.log(jnp.asarray(ms)), jnp.log(jnp.asarray(es))))


def band(m):
    """``(eps_low(m), eps_high(m))`` of the excluded band (the edges' end values outside their range)."""
    m_lo, e_lo, m_hi, e_hi = edges()
    return _edge(m, m_lo, e_lo), _edge(m, m_hi, e_hi)


def ratio(m, eps):
    """``min((eps / eps_low)^2, (eps_high / eps)^2)`` inside the mass range, 0 outside."""
    lo, hi = band(m)
    e = jnp.abs(eps)
    r = jnp.minimum((e / lo) ** 2, (hi / jnp.where(e > 0, e, 1.0)) ** 2)
    inside = (m >= M_LOW_GEV) & (m <= edges()[0][-1]) & (e > 0)
    return jnp.where(inside, r, 0.0)


def likelihood() -> OneSidedLimit:
    m_tip = float(edges()[0][-1])
    return OneSidedLimit(
        name="SN1987A",
        quantity="min((eps/eps_low)^2, (eps_high/eps)^2)",
        unit="",
        power=1.0,
        stat=HalfNormal(0.95),
        value=lambda p: ratio(p.m_Ap, p.eps),
        limit=lambda p: 1.0,
        citation="J. H. Chang, R. Essig, S. D. McDermott, JHEP 01 (2017) 107 (curve digitised by "
        "NewPhysicsLive/DarkMatterLive, Apache-2.0)",
        arxiv="1611.03864",
        data_file=DATA_FILE,
        constrains=lambda p: (p.m_Ap >= M_LOW_GEV) & (p.m_Ap <= m_tip),
        mass_range=(M_LOW_GEV, m_tip),
    )


@register(
    "SN1987A",
    group="astrophysics",
    data_file=DATA_FILE,
    sets=("complete",),
    rank=95,
    scales="eps inside the cooling band eps_low(m_A') < eps < eps_high(m_A'), 1.1 - 179 MeV",
)
def build(options: Options) -> OneSidedLimit:
    return likelihood()
