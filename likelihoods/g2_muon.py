"""(g-2)_mu: the model's Delta a_mu (E-scalar loop and the dark photon's own loop) judged against the Standard Model
at the same inputs (:class:`likelihoods._limit.AgainstSM`, 95% CL, one degree of freedom), with
a_mu(exp) - a_mu(SM) = 38(63) x 1e-11: the 2025 world average of the measurements (Fermilab E989 runs 1-6 with BNL)
against the 2025 White Paper's Standard Model prediction.

``Delta a_mu`` is :func:`jaxtmm.delta_a_mu` in the chosen convention plus :func:`jaxtmm.delta_a_mu_dark_photon`.
Data: ``likelihoods/data/g_minus_2.toml`` [muon].
"""

from jaxtmm import delta_a_mu, delta_a_mu_dark_photon
from likelihoods._data import read_toml
from likelihoods._limit import AgainstSM, against_sm
from likelihoods.registry import Options, register

DATA_FILE = "g_minus_2.toml"


def likelihood(convention: str = "corrected") -> AgainstSM:
    d = read_toml(DATA_FILE)["muon"]
    return against_sm(
        "(g-2)_mu",
        "Delta a_mu (against the SM)",
        "",
        lambda p: delta_a_mu(p, convention) + delta_a_mu_dark_photon(p),
        float(d["delta"]),
        float(d["sigma"]),
        float(d["cl"]),
        d["citation"],
        d["arxiv"],
        f"{DATA_FILE} [muon]",
    )


@register(
    "(g-2)_mu",
    group="lepton g-2",
    data_file=DATA_FILE,
    scales="Delta a_mu (E loop + A' loop), against the SM",
    sets=("complete",),
    rank=90,
)
def build(options: Options) -> AgainstSM:
    return likelihood(options.convention)
