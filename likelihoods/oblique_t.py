"""The oblique T parameter of the vector-like doublet against the electroweak fit (Gaussian, 95% CL interval).

``jaxtmm.T_oblique`` is the Lavoura-Silva form with the N1, N2 splitting: the one-loop MS-bar T at a scale ``mu* ~ M_E``
for a light N (``docs/derivation.md`` section 8). The model as written is not UV-finite in T (SU(2) is broken by hand,
``dT / d ln mu = +431`` at the benchmark), so the number is an estimate, labelled so in every table; the exclusion it
gives the benchmark holds at almost any scale (T = -1222 at m_Z, +406 at 2 M_E).
Data: ``likelihoods/data/electroweak.toml`` [oblique_T] (see its note on the source).
"""

from jaxtmm import T_oblique
from likelihoods._data import read_toml
from likelihoods._limit import Measurement, measurement
from likelihoods.registry import Options, register

DATA_FILE = "electroweak.toml"


def likelihood() -> Measurement:
    d = read_toml(DATA_FILE)["oblique_T"]
    return measurement(
        "Oblique T",
        "T (MS-bar at mu ~ M_E; an estimate)",
        "",
        T_oblique,
        float(d["T"]),
        float(d["sigma"]),
        float(d["cl"]),
        d["citation"],
        d["arxiv"],
        f"{DATA_FILE} [oblique_T]",
    )


@register(
    "Oblique T",
    group="electroweak precision",
    data_file=DATA_FILE,
    scales="T (N1, N2, E loops)",
    sets=("complete",),
    rank=70,
    masses_only=True,
)
def build(options: Options) -> Measurement:
    return likelihood()
