r"""BBN and N_eff: light states in thermal equilibrium at temperatures of their own mass change the expansion rate at
BBN and N_eff at recombination. Lower mass bounds, 95% CL:

* a dark photon that decays to e+e- (``BR(A' -> e e) >= 1/2``): ``m_A' > 8.5 MeV`` (Planck; Ibe, Kobayashi, Nakayama,
  Shirai, JHEP 04 (2020) 009, arXiv:1912.12152, "if the mixing is larger than O(1e-9)");
* any other light state -- a neutrinophilic A' (decaying to nu nu through the moment, or to dark states), N1, N2 and
  the scalars: ``m > 3.7 MeV`` (BBN + Planck, purely electrophilic or neutrinophilic species of any spin; Sabti,
  Alvey, Escudero, Fairbairn, Blas, JCAP 01 (2020) 004, arXiv:1910.01649). The neutrinophilic A' is *not* exempt:
  its decays heat the neutrinos and raise N_eff.

Thermalisation criterion (``docs/derivation.md`` section 14): a state is in equilibrium at ``T ~ m`` when a rate that
makes it exceeds the Hubble rate there, ``H(T) = sqrt(4 pi^3 g_* / 45) T^2 / M_Pl`` (``g_* = 10.75``):

* the A': its inverse decays from the plasma, ``Gamma(A' -> e e) + Gamma(A' -> nu nu) > H(m_A')`` (at ``m_A' = 8.5 MeV``
  this is ``eps > 1.3e-9``, the cited analysis's ``O(1e-9)``);
* a dark state X lighter than 20 MeV: made by a thermal A' (``Gamma(A' -> X + ...) > H(m_A')``), or by a decay with a
  neutrino that it takes part in, as parent or daughter (``Gamma(Y -> nu Z) > H(m_Y)``, X one of Y, Z).

Signal ratio ``max over thermal states of (m_min / m)^10`` (half-normal: a smooth stand-in for a lower mass edge,
``r = 1`` at the bound, as :mod:`likelihoods.lep_heavy_lepton`); the thermalisation tests are steps. Data:
``likelihoods/data/cosmology.toml`` [bbn_neff], [light_thermal].
"""

import jax.numpy as jnp

from jaxtmm.constants import G_STAR_MEV, M_PLANCK_GEV
from jaxtmm.darkphoton import scalar_pair_widths, sm_widths, width_N1N2, width_nu_nu
from jaxtmm.spectrum import DARK, dark_masses
from jaxtmm.widths import partial_widths
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, register

DATA_FILE = "cosmology.toml"
POWER = 10.0
#: The dark states that can be light, in the order of :func:`thermal_states` after the A'.
LIGHT_GEV = 0.02  # dark states above 20 MeV are Boltzmann-suppressed at BBN and not tested


def hubble(T):
    """``H(T)`` (GeV) in radiation domination with ``g_* = 10.75``."""
    return jnp.sqrt(4.0 * jnp.pi**3 * G_STAR_MEV / 45.0) * T**2 / M_PLANCK_GEV


def thermal_states(p, convention: str = "corrected"):
    """Booleans ``(A', N1, N2, H1, H2, A1, A2)``: in equilibrium at a temperature of their mass (the criterion above;
    the dark states only where lighter than 20 MeV)."""
    mAp = jnp.asarray(p.m_Ap, dtype=jnp.float64)
    sm = sm_widths(mAp, p.eps)
    ap = sm[0] + width_nu_nu(p, convention) > hubble(mAp)
    m = dark_masses(p)
    idx = {s: k for k, s in enumerate(DARK)}
    made = [jnp.asarray(False)] * len(DARK)
    # from a thermal A': N1 N2, and H_k A_l
    fast = ap & (width_N1N2(p) > hubble(mAp))
    made[0], made[1] = made[0] | fast, made[1] | fast
    pairs = scalar_pair_widths(p) > hubble(mAp)
    for k in range(2):
        for l in range(2):
            f = ap & pairs[k, l]
            made[2 + k], made[4 + l] = made[2 + k] | f, made[4 + l] | f
    # decays with a neutrino: "Y -> nu Z"
    for name, w in partial_widths(p).items():
        parent, final = name.split(" -> ")
        child = final.split()[-1]
        if not final.startswith("nu ") or parent not in idx or child not in idx:
            continue
        f = w > hubble(m[idx[parent]])
        made[idx[parent]], made[idx[child]] = made[idx[parent]] | f, made[idx[child]] | f
    dark = jnp.stack(made) & (m < LIGHT_GEV)
    return jnp.concatenate([ap[None], dark])


def bound_over_mass(p, convention: str, m_ee: float, m_any: float):
    """``max (m_min / m)`` over the thermal states (0 where none is): above 1, a thermal state is below its bound."""
    mAp = jnp.asarray(p.m_Ap, dtype=jnp.float64)
    sm = sm_widths(mAp, p.eps)
    total = jnp.sum(sm) + width_N1N2(p) + jnp.sum(scalar_pair_widths(p)) + width_nu_nu(p, convention)
    electrophilic = sm[0] >= 0.5 * total
    m_min_ap = jnp.where(electrophilic, m_ee, m_any)
    ms = jnp.concatenate([mAp[None], dark_masses(p)])
    mins = jnp.concatenate([m_min_ap[None], jnp.full(len(DARK), m_any)])
    return jnp.max(jnp.where(thermal_states(p, convention), mins / ms, 0.0))


def likelihood(convention: str = "corrected") -> OneSidedLimit:
    data = read_toml(DATA_FILE)
    ee, anyx = data["bbn_neff"], data["light_thermal"]
    m_ee, m_any = float(ee["m_min_GeV"]), float(anyx["m_min_GeV"])
    return half_normal_limit(
        "BBN",
        "m_min / m (largest over the states thermal at T ~ m)",
        "",
        lambda p: bound_over_mass(p, convention, m_ee, m_any),
        1.0,
        anyx,
        f"{DATA_FILE} [bbn_neff], [light_thermal]",
        power=POWER,
        citation=f"{ee['citation']} (arXiv:{ee['arxiv']}; A' -> e e); {anyx['citation']}",
    )


@register(
    "BBN",
    group="cosmology",
    data_file=DATA_FILE,
    sets=("complete",),
    rank=90,
    scales="(m_min / m)^10 of every state thermal at T ~ m: A' (8.5 MeV if -> e e, else 3.7), N, scalars (3.7)",
)
def build(options: Options) -> OneSidedLimit:
    return likelihood(options.convention)
