"""BaBar mono-photon (e+e- -> gamma A', A' -> invisible): 90% CL limit on epsilon, 1 MeV - 8 GeV.

Signal ratio ``(eps / eps_90(m_A'))^2``, interpolated in (log m, log eps), no constraint outside the curve.
Statistical model: half-normal (a background-dominated spectral fit). Published for BR(A' -> invisible) = 1,
applied so by the paper's set; the ``physics`` option scales it by the point's BR (:mod:`likelihoods._epsilon`).
Data: ``likelihoods/data/babar_invisible_2017.csv``.
"""

from likelihoods._epsilon import epsilon_limit
from likelihoods._limit import HalfNormal, OneSidedLimit
from likelihoods.registry import Options, register

DATA_FILE = "babar_invisible_2017.csv"


def likelihood(invisible: str = "apply", convention: str = "corrected") -> OneSidedLimit:
    return epsilon_limit(
        "BaBar",
        DATA_FILE,
        HalfNormal(0.90),
        citation="BaBar Collaboration, J. P. Lees et al., Phys. Rev. Lett. 119 (2017) 131804",
        arxiv="1702.03327",
        invisible=invisible,
        convention=convention,
    )


@register(
    "BaBar",
    group="dark photon, invisible",
    data_file=DATA_FILE,
    scales="eps^2 BR(A' -> invisible) (= 1 in the paper's use)",
    rank=30,
)
def build(options: Options) -> OneSidedLimit:
    return likelihood(options.invisible, options.convention)
