"""The oblique T parameter of the vector-like doublet against the electroweak fit (Gaussian, 95% CL interval).

``jaxtmm.T_oblique`` is the finite Lavoura-Silva form with the N1, N2 splitting; the model as written is not
UV-finite in T (``docs/derivation.md`` section 8), so this constrains the finite remainder at the scale m_Z.
Data: ``likelihoods/data/electroweak.toml`` [oblique_T] (see its note on the source).
"""

from jaxtmm import T_oblique
from likelihoods._data import read_toml
from likelihoods._limit import Measurement, measurement
from likelihoods.registry import Options, register

DATA_FILE = "electroweak.toml"


def likelihood() -> Measurement:
    d = read_toml(DATA_FILE)["oblique_T"]
    return measurement("Oblique T", "T", "", T_oblique, float(d["T"]), float(d["sigma"]), float(d["cl"]),
                       d["citation"], d["arxiv"], f"{DATA_FILE} [oblique_T]")  # fmt: skip


@register("Oblique T", group="electroweak precision", data_file=DATA_FILE, scales="T (N1, N2, E loops)",
          sets=("complete",), rank=70)  # fmt: skip
def build(options: Options) -> Measurement:
    return likelihood()
