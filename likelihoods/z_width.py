"""The Z's invisible width: N_nu = 3 + Delta N_nu against LEP's 2.9963 +- 0.0074 (Gaussian, 95% CL interval).

The doublet's neutral states couple to the Z with full strength (``jaxtmm.delta_N_nu``, ``docs/derivation.md``
section 7): below ``|M1| + |M2| < m_Z`` they add up to two neutrino species, whatever the couplings of the
dark sector. Data: ``likelihoods/data/electroweak.toml`` [z_width].
"""

from jaxtmm import delta_N_nu
from likelihoods._data import read_toml
from likelihoods._limit import Measurement, measurement
from likelihoods.registry import Options, register

DATA_FILE = "electroweak.toml"


def likelihood() -> Measurement:
    d = read_toml(DATA_FILE)["z_width"]
    return measurement(
        "Z invisible width",
        "Delta N_nu",
        "",
        delta_N_nu,
        float(d["N_nu"]) - float(d["N_nu_SM"]),
        float(d["sigma"]),
        float(d["cl"]),
        d["citation"],
        d["arxiv"],
        f"{DATA_FILE} [z_width]",
    )


@register(
    "Z invisible width",
    group="electroweak precision",
    data_file=DATA_FILE,
    scales="Delta N_nu (Z -> N1 N2)",
    sets=("complete",),
    rank=60,
    masses_only=True,
)
def build(options: Options) -> Measurement:
    return likelihood()
