"""The one-loop Majorana neutrino mass against cosmology: sum m_nu < 0.12 eV (Planck 2018, default) or 0.0642 eV
(DESI DR2 + CMB), 95% CL.

The couplings that make the transition moment also make a finite neutrino mass (``jaxtmm.m_nu_loop``,
``docs/derivation.md`` section 5), which the seed paper omits. Signal ratio ``sum m_nu / (t * bound)``: the
*tuning factor* ``t >= 1`` (default 1) says how far the loop mass may exceed the bound, cancelled by a tree-level
mass the model does not contain. Statistical model: half-normal in the mass sum. Data:
``likelihoods/data/neutrino_mass.toml``.
"""

from jaxtmm import sum_m_nu
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, choices, positive_number, register

DATA_FILE = "neutrino_mass.toml"
BOUNDS = choices("nu_mass_bound")


def likelihood(bound: str = "planck2018", tuning: float = 1.0) -> OneSidedLimit:
    """The cosmological bound ``bound`` (one of :data:`BOUNDS`) on the loop mass, relaxed by ``tuning``."""
    if bound not in BOUNDS:
        raise ValueError(f"the neutrino-mass bound must be one of {', '.join(BOUNDS)}, got {bound!r}")
    t = positive_number(tuning)
    d = read_toml(DATA_FILE)[bound]
    quantity = "sum m_nu (one loop)" + ("" if t == 1.0 else f" / tuning {t:g}")
    return half_normal_limit(
        "Neutrino mass",
        quantity,
        "eV",
        lambda p: sum_m_nu(p) * 1e9,
        float(d["sum_95_eV"]) * t,
        d,
        f"{DATA_FILE} [{bound}]",
    )


@register(
    "Neutrino mass",
    group="neutrino mass",
    data_file=DATA_FILE,
    scales="sum of the one-loop masses",
    sets=("complete",),
    rank=50,
)
def build(options: Options) -> OneSidedLimit:
    return likelihood(options.nu_mass_bound, options.tuning)
