"""The TEXONO CsI(Tl) reactor anti-nu_e - electron cross section against the Standard Model: the A' exchange of the
vector form factor F (``jaxtmm.vertex``) interferes with the weak amplitude and moves the rate (``jaxtmm.nue``;
``docs/derivation.md`` section 15).

Value: ``k - 1``, ``k`` the ratio of the rate with F to the rate without, over the recoil window ``T_min`` to
``T_max`` with the reactor spectrum (Mueller et al. 2011 per isotope, weighted by the fission fractions, 2 to 8 MeV).
Measured ``xi - 1 = +0.08`` with ``sigma = sqrt(0.21^2 + 0.16^2)``, judged against the Standard Model like (g-2)
(:class:`likelihoods._limit.AgainstSM`, 95% CL): F = 0 passes. The sign of the A' exchange relative to the Z's is not
fixed by the derivations: the less constraining sign is used. Data: ``likelihoods/data/texono_csi_2010.toml`` (which
numbers were read from the paper and which were not).
"""

import itertools
import math
from functools import cache

import jax.numpy as jnp
import numpy as np

from jaxtmm.nue import dsigma_dT_reactor
from jaxtmm.quadrature import gauss_legendre_01
from likelihoods._data import read_toml
from likelihoods._limit import AgainstSM, against_sm, less_constraining_sign
from likelihoods.borexino import endpoint
from likelihoods.registry import Options, register
from likelihoods.scattering import min_energy

DATA_FILE = "texono_csi_2010.toml"


def spectrum(E_GeV):
    """Anti-nu_e per fission per MeV at ``E_GeV`` (NumPy): ``sum_iso f_iso exp(sum_k a_k E^k)``, E in MeV."""
    d = read_toml(DATA_FILE)
    E = np.asarray(E_GeV, dtype=float) * 1e3
    return sum(
        float(d["fission_fractions"][iso]) * np.exp(np.polyval(np.asarray(a, dtype=float)[::-1], E))
        for iso, a in d["mueller_2011"].items()
    )


@cache
def nodes(n_E: int = 48, n_T: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(E, T, w)`` (GeV, GeV, relative): Gauss-Legendre in E from ``min_energy(T_min)`` to ``E_max``, split where
    the endpoint crosses ``T_max``, and in T over ``[T_min, min(T_max, endpoint(E))]``."""
    d = read_toml(DATA_FILE)
    T_lo, T_hi, E_hi = float(d["T_min_GeV"]), float(d["T_max_GeV"]), float(d["E_max_GeV"])
    cuts = sorted({min_energy(T_lo), E_hi, *([min_energy(T_hi)] if min_energy(T_hi) < E_hi else [])})
    xi, gw = (np.asarray(a) for a in gauss_legendre_01(n_E))
    ti, tw = (np.asarray(a) for a in gauss_legendre_01(n_T))
    Es, Ts, ws = [], [], []
    for a, b in itertools.pairwise(cuts):
        E_nodes = a + (b - a) * xi
        for E, g, S in zip(E_nodes, (b - a) * gw, spectrum(E_nodes)):
            top = min(T_hi, endpoint(E))
            Es.append(np.full(n_T, E))
            Ts.append(T_lo + (top - T_lo) * ti)
            ws.append(g * float(S) * (top - T_lo) * tw)
    return np.concatenate(Es), np.concatenate(Ts), np.concatenate(ws)


def rate_ratio(p, sign: float = 1.0):
    """``rate(F) / rate(F = 0)`` over the window with the reactor spectrum."""
    E, T, w = (jnp.asarray(a) for a in nodes())
    zero = p._replace(g_D=jnp.zeros_like(jnp.asarray(p.g_D, dtype=jnp.float64)))
    return jnp.sum(w * dsigma_dT_reactor(p, E, T, sign)) / jnp.sum(w * dsigma_dT_reactor(zero, E, T, sign))


def shift() -> tuple[float, float]:
    """``(xi - 1, sigma)``."""
    d = read_toml(DATA_FILE)
    return float(d["xi_measured"]) - 1.0, math.hypot(float(d["xi_stat"]), float(d["xi_sys"]))


def likelihood() -> AgainstSM:
    d = read_toml(DATA_FILE)
    s, sigma = shift()

    value = less_constraining_sign(lambda p, sign: rate_ratio(p, sign) - 1.0, s)
    return against_sm(
        "TEXONO CsI rate",
        "rate(F) / rate(SM) - 1 (A' nu nu vector form factor)",
        "",
        value,
        s,
        sigma,
        float(d["cl"]),
        d["citation"],
        d["arxiv"],
        DATA_FILE,
    )


@register(
    "TEXONO CsI rate",
    group="neutrino-electron scattering",
    data_file=DATA_FILE,
    sets=("complete",),
    rank=43,
    scales="reactor anti-nu_e e rate change from the vector form factor's A' exchange, T = 3 - 8 MeV",
)
def build(options: Options) -> AgainstSM:
    return likelihood()
