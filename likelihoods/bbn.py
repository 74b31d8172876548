"""BBN / N_eff: a thermalised light dark photon that decays to e+e- after neutrino decoupling lowers N_eff; Planck
excludes ``m_A' < 8.5 MeV`` when ``eps > O(1e-9)`` (Ibe, Kobayashi, Nakayama, Shirai, JHEP 04 (2020) 009,
arXiv:1912.12152). An option: registered in no set; add it by name (``--constraints complete,BBN``).

Signal ratio ``(m_min / m_A')^10`` (half-normal: a smooth stand-in for a lower mass edge, ``r = 1`` at 8.5 MeV, as
:mod:`likelihoods.lep_heavy_lepton`), applied where the A' was in equilibrium (``eps > 1e-9``) and decays mostly to
Standard Model states (``BR(A' -> invisible) < 1/2``): an A' that decays to dark states heats no photon and is
outside the cited analysis. Both conditions are steps. Data: ``likelihoods/data/cosmology.toml`` [bbn_neff].
"""

from dataclasses import replace

from jaxtmm.darkphoton import invisible_fraction
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, register

DATA_FILE = "cosmology.toml"
POWER = 10.0


def likelihood(convention: str = "corrected") -> OneSidedLimit:
    d = read_toml(DATA_FILE)["bbn_neff"]
    eps_th, m_min = float(d["eps_thermal"]), float(d["m_min_GeV"])
    base = half_normal_limit("BBN", "1 / m_A'", "GeV^-1", lambda p: 1.0 / p.m_Ap, 1.0 / m_min, d,
                             f"{DATA_FILE} [bbn_neff]", power=POWER)  # fmt: skip
    return replace(base, constrains=lambda p: (p.eps > eps_th) & (invisible_fraction(p, convention) < 0.5))


@register("BBN", group="cosmology", data_file=DATA_FILE, scales="(8.5 MeV / m_A')^10 if eps > 1e-9 and A' decays visibly",
          sets=(), rank=90)  # fmt: skip
def build(options: Options) -> OneSidedLimit:
    return likelihood(options.convention)
