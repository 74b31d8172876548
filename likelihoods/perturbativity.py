"""Perturbative widths: every dark state's total two-body width below half its mass, ``Gamma / M <= 1/2``
(``jaxtmm.widths``; ``docs/derivation.md`` section 13).

The hand-set SU(2) breaking ``M_E - M_N`` makes ``Gamma(E -> N W)`` grow like ``g^2 M_E^3 / (32 pi m_W^2)``: at the paper's
benchmark ``Gamma_E / M_E = 2.6``, and no loop computed there is meaningful. Signal ratio
``max_X (Gamma_X / M_X) / (1/2)`` over X = E, N1, N2, H1, H2, A1, A2; half-normal statistic, power 4 (a theoretical
edge made smooth for the fits, not a measurement). Data: ``likelihoods/data/theory.toml`` [perturbativity].
"""

import jax.numpy as jnp

from jaxtmm.widths import width_over_mass
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, register

DATA_FILE = "theory.toml"
POWER = 4.0


def likelihood() -> OneSidedLimit:
    d = read_toml(DATA_FILE)["perturbativity"]
    return half_normal_limit(
        "Perturbative widths",
        "max Gamma / M (E, N1, N2, H1, H2, A1, A2)",
        "",
        lambda p: jnp.max(width_over_mass(p)),
        float(d["max_width_over_mass"]),
        d,
        f"{DATA_FILE} [perturbativity]",
        power=POWER,
    )


@register(
    "Perturbative widths",
    group="theory",
    data_file=DATA_FILE,
    scales="max Gamma / M of the dark states",
    sets=("complete",),
    rank=75,
)
def build(options: Options) -> OneSidedLimit:
    return likelihood()
