"""MEG II: BR(mu -> e gamma) < 3.1e-13 (2023, the seed paper's, default) or 1.5e-13 (2025), 90% CL.

Signal ratio ``BR / BR_90`` with BR from the full sum of Eq. (3.2) (``jaxtmm.BR_mu_e_gamma``), in the chosen
convention (``corrected``: 1/8 of the printed Eq. 3.6 in the heavy-E limit). Statistical
model: half-normal in the branching ratio (MEG II's limit comes from a likelihood fit with background,
best fit near zero). Data: ``likelihoods/data/meg_ii.toml``.
"""

from jaxtmm import BR_mu_e_gamma
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, choices, register

DATA_FILE = "meg_ii.toml"
YEARS = choices("meg_year")


def likelihood(year: str = "2023", convention: str = "corrected") -> OneSidedLimit:
    """The MEG II limit of the given year (``"2023"``: 3.1e-13, ``"2025"``: 1.5e-13)."""
    year = str(year)
    if year not in YEARS:
        raise ValueError(f"MEG II limit year must be one of {', '.join(YEARS)}, got {year!r}")
    d = read_toml(DATA_FILE)[year]
    return half_normal_limit(
        "MEG II",
        "BR(mu -> e gamma)",
        "",
        lambda p: BR_mu_e_gamma(p, convention),
        float(d["BR_90"]),
        d,
        f"{DATA_FILE} [{year}]",
    )


@register("MEG II", group="charged-lepton flavour", data_file=DATA_FILE, scales="BR(mu -> e gamma)", rank=10)
def build(options: Options) -> OneSidedLimit:
    return likelihood(options.meg_year, options.convention)
