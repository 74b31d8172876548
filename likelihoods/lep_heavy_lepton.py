"""LEP's lower limit on a heavy charged lepton: M_E > 100.8 GeV, 95% CL (L3, pair production up to 209 GeV).

E is pair-produced through the photon and the Z with full strength, whatever its decay; L3's limit assumes
``E -> nu W``, while here ``E -> l S`` (a lepton and missing energy), a channel LEP searched with similar
reach for sleptons. Statistical model: half-normal in ``(M_lim / M_E)^10``, a smooth stand-in for a
kinematic edge: ``r = 1`` exactly at the published mass, ``q`` ten times steeper than linear in the mass just
below it, negligible for a TeV-scale E. Data: ``likelihoods/data/electroweak.toml`` [lep_heavy_lepton].
"""

from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, register

DATA_FILE = "electroweak.toml"
POWER = 10.0


def likelihood() -> OneSidedLimit:
    d = read_toml(DATA_FILE)["lep_heavy_lepton"]
    return half_normal_limit(
        "LEP heavy lepton",
        "1 / M_E",
        "GeV^-1",
        lambda p: 1.0 / p.M_E,
        1.0 / float(d["M_95_GeV"]),
        d,
        f"{DATA_FILE} [lep_heavy_lepton]",
        power=POWER,
    )


@register(
    "LEP heavy lepton",
    group="collider",
    data_file=DATA_FILE,
    scales="(100.8 GeV / M_E)^10",
    sets=("complete",),
    rank=80,
    masses_only=True,
)
def build(options: Options) -> OneSidedLimit:
    return likelihood()
