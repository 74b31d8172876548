"""BaBar mono-photon (e+e- -> gamma A', A' -> invisible): 90% CL limit on epsilon, 1 MeV - 8 GeV.

Signal ratio ``(eps / eps_90(m_A'))^2``, interpolated in (log m, log eps), no constraint outside the curve.
Statistical model: half-normal (a background-dominated spectral fit). Assumes BR(A' -> invisible) = 1.
Data: ``likelihoods/data/babar_invisible_2017.csv``.
"""

from likelihoods._epsilon import epsilon_limit
from likelihoods._limit import HalfNormal, OneSidedLimit

DATA_FILE = "babar_invisible_2017.csv"


def babar(when_closed: str = "apply") -> OneSidedLimit:
    return epsilon_limit(
        "BaBar",
        DATA_FILE,
        HalfNormal(0.90),
        citation="BaBar Collaboration, J. P. Lees et al., Phys. Rev. Lett. 119 (2017) 131804",
        arxiv="1702.03327",
        when_closed=when_closed,
    )
