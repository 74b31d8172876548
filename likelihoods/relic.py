"""The relic abundance of the model's lightest Z2-odd state: ``Omega h^2 <= 0.120`` (Planck 2018).

Freeze-out from the Boltzmann equation (:mod:`jaxtmm.relic`, g_*(T) and h_*(T) of Saikawa and Shirai) with the model's
channels (:mod:`jaxtmm.annihilation`: to A'A', to neutrino pairs through the scalars or the N's, and coannihilation
within the candidate's family through the A' into Standard Model states). A point whose stable state overcloses the
universe fails; an underabundant one passes (the rest of the dark matter may be something else). A charged lightest
state (E) is a stable charged relic and fails. Statistical model: half-normal in ``(Omega h^2 / 0.120)^10``, a smooth
stand-in for an upper edge. Data: ``likelihoods/data/cosmology.toml`` [relic].
"""

from jaxtmm.annihilation import omega_h2_model
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, register

DATA_FILE = "cosmology.toml"
POWER = 10.0


def likelihood() -> OneSidedLimit:
    d = read_toml(DATA_FILE)["relic"]
    return half_normal_limit(
        "Relic abundance",
        "Omega h^2 of the lightest Z2-odd state",
        "",
        omega_h2_model,
        float(d["omega_h2_max"]),
        d,
        f"{DATA_FILE} [relic]",
        power=POWER,
    )


@register(
    "Relic abundance",
    group="cosmology",
    data_file=DATA_FILE,
    sets=("complete",),
    rank=92,
    scales="(Omega h^2 / 0.120)^10 of the lightest Z2-odd state (freeze-out)",
)
def build(options: Options) -> OneSidedLimit:
    return likelihood()
