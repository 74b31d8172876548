"""The Borexino 7Be rate against the standard solar model: the A' exchange of the vector form factor F (``jaxtmm.vertex``)
interferes with the weak nu-e amplitude and moves the rate (``jaxtmm.nue``; ``docs/derivation.md`` section 15).

Value: ``k - 1``, ``k`` the ratio of the rate with F to the rate without, over the recoil window of the Borexino
options (``T_min`` to the 862 keV line's endpoint by default) for the solar mixture of mass states. Measured
``k_meas - 1 = 48.3 / 47.9 - 1 = +0.0084`` with ``sigma = 0.065`` (the measurement's 2.6% and the solar model's 6%),
judged against the Standard Model like (g-2) (:class:`likelihoods._limit.AgainstSM`, 95% CL): F = 0 passes. The sign of
the A' exchange relative to the Z's is not fixed by the derivations: the less constraining sign is used. Data:
``likelihoods/data/borexino_be7_rate.toml`` (which numbers were read from the papers and which from transcriptions).
"""

import math

from jaxtmm.nue import rate_ratio
from likelihoods._data import read_toml
from likelihoods._limit import AgainstSM, against_sm, less_constraining_sign
from likelihoods.borexino import T_MIN_DEFAULT, check_window
from likelihoods.registry import Options, register

DATA_FILE = "borexino_be7_rate.toml"


def shift() -> tuple[float, float]:
    """``(k_meas - 1, sigma)``."""
    d = read_toml(DATA_FILE)
    meas, exp = float(d["measured_cpd"]), float(d["expected_cpd"])
    rel = math.hypot(float(d["measured_stat"]), float(d["measured_sys"])) / meas
    return meas / exp - 1.0, (meas / exp) * math.hypot(rel, float(d["expected_rel_sigma"]))


def likelihood(T_min: float | None = None, T_max: float | None = None) -> AgainstSM:
    d = read_toml(DATA_FILE)
    E = float(d["E_nu_GeV"])
    t_min, _, t_max = check_window(T_MIN_DEFAULT if T_min is None else T_min, E, T_max)
    s, sigma = shift()

    value = less_constraining_sign(lambda p, sign: rate_ratio(p, E, t_min, t_max, sign) - 1.0, s)
    return against_sm(
        "Borexino 7Be rate",
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
    "Borexino 7Be rate",
    group="neutrino-electron scattering",
    data_file=DATA_FILE,
    sets=("complete",),
    rank=44,
    scales="7Be rate change from the vector form factor's A' exchange (interference with the weak amplitude)",
)
def build(options: Options) -> AgainstSM:
    return likelihood(options.T_min, options.T_max)
