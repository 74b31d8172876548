"""NA64 (electron beam, missing energy): 90% CL limit on epsilon for A' -> invisible, 1.055 MeV - 1.409 GeV.

Signal ratio ``(eps / eps_90(m_A'))^2`` (A' production ~ eps^2), interpolated in (log m, log eps), no
constraint outside the curve. Statistical model: zero-observed Poisson (NA64 observed no event in its
signal region with 9.37e11 electrons on target, and expected ~0.1 background). Published for
BR(A' -> invisible) = 1, applied so by the paper's set; the ``physics`` option scales it by the point's BR
(:mod:`likelihoods._epsilon`). Data: ``likelihoods/data/na64_invisible_2023.csv``.
"""

from likelihoods._epsilon import epsilon_limit
from likelihoods._limit import OneSidedLimit, ZeroObservedPoisson
from likelihoods.registry import Options, register

DATA_FILE = "na64_invisible_2023.csv"


def likelihood(invisible: str = "apply", convention: str = "corrected") -> OneSidedLimit:
    return epsilon_limit(
        "NA64",
        DATA_FILE,
        ZeroObservedPoisson(0.90),
        citation="NA64 Collaboration, Yu. M. Andreev et al., Phys. Rev. Lett. 131 (2023) 161801",
        arxiv="2307.02404",
        invisible=invisible,
        convention=convention,
    )


@register(
    "NA64",
    group="dark photon, invisible",
    data_file=DATA_FILE,
    scales="eps^2 BR(A' -> invisible) (= 1 in the paper's use)",
    rank=20,
)
def build(options: Options) -> OneSidedLimit:
    return likelihood(options.invisible, options.convention)
