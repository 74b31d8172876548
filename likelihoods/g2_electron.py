r"""(g-2)_e: the model's Delta a_e (E-scalar loop and the dark photon's own loop) judged against the Standard Model at
the same inputs (:class:`likelihoods._limit.AgainstSM`: a likelihood ratio, 95% CL, one degree of freedom).

The measured shift ``a_e(exp) - a_e(SM)`` follows from the alpha determinations in the data file: the measured a_e
fixes alpha^-1 = 137.035999166(15) (Fan et al. 2023), so ``a_e(exp) - a_e(SM; alpha_X) = (da_e / dalpha)(alpha_ae -
alpha_X)`` with ``da_e/dalpha = 1/(2 pi) - 2 C_2 alpha / pi^2 + 3 C_3 alpha^2 / pi^3`` (C_2 = -0.328478965,
C_3 = 1.181241456, the universal QED coefficients). The alpha behind the SM prediction (option ``alpha_e``):

* ``combined`` (default): the Rb and Cs determinations averaged with weights ``1/sigma^2`` and the Particle Data
  Group's scale factor ``S = sqrt(chi^2 / (N - 1))`` on the error where ``S > 1`` (PDG, Review of Particle Physics,
  Introduction, section 5.2.2). The two are 5.5 standard deviations apart, so ``S = 5.49``;
* ``Rb`` (Morel et al. 2020) or ``Cs`` (Parker et al. 2018) alone.

Rb: +3.4(1.6)e-13; Cs: -10.1(2.6)e-13; combined +1.5(4.9)e-13 (printed by ``python -m likelihoods.g2_electron``).
With either atom alone the Standard Model sits 2.1 (Rb) or 3.9 (Cs) standard deviations from the measurement; a
constraint that demanded agreement within 95% would require new physics in a_e, which a global fit must not, so
the comparison is relative to the Standard Model. Data: ``likelihoods/data/g_minus_2.toml`` [electron].
"""

import math

from jaxtmm import delta_a_e, delta_a_e_dark_photon
from likelihoods._data import read_toml
from likelihoods._limit import AgainstSM, against_sm
from likelihoods.registry import Options, choices, register

DATA_FILE = "g_minus_2.toml"
ALPHAS = choices("alpha_e")
ATOMS = ALPHAS[1:]
_C2, _C3 = -0.328478965, 1.181241456


def alpha_inv(alpha_e: str = "combined") -> tuple[float, float, float]:
    """``(alpha^-1, sigma, S)`` of the determination ``alpha_e``: one atom's (``S = 1``) or the scaled average."""
    if alpha_e not in ALPHAS:
        raise ValueError(f"the alpha behind (g-2)_e must be one of {', '.join(ALPHAS)}, got {alpha_e!r}")
    d = read_toml(DATA_FILE)["electron"]
    if alpha_e != "combined":
        return float(d[alpha_e]["alpha_inv"]), float(d[alpha_e]["alpha_inv_sigma"]), 1.0
    x0 = float(d[ATOMS[0]]["alpha_inv"])
    x = [float(d[a]["alpha_inv"]) - x0 for a in ATOMS]  # offsets: the values agree to 9 digits
    w = [1.0 / float(d[a]["alpha_inv_sigma"]) ** 2 for a in ATOMS]
    mean = sum(wi * xi for wi, xi in zip(w, x)) / sum(w)
    chi2 = sum(wi * (xi - mean) ** 2 for wi, xi in zip(w, x))
    scale = max(1.0, math.sqrt(chi2 / (len(x) - 1)))
    return x0 + mean, scale / math.sqrt(sum(w)), scale


def shift(alpha_e: str = "combined") -> tuple[float, float]:
    """``(a_e(exp) - a_e(SM), sigma)`` with the SM prediction at the alpha of ``alpha_e`` (combined, Rb or Cs)."""
    A_x, sig_x, _ = alpha_inv(alpha_e)
    d = read_toml(DATA_FILE)["electron"]
    A_ae = float(d["alpha_inv_from_ae"])
    a = 1.0 / A_ae
    slope = 1.0 / (2.0 * math.pi) + 2.0 * _C2 * a / math.pi**2 + 3.0 * _C3 * a**2 / math.pi**3
    d_alpha = (A_x - A_ae) / (A_x * A_ae)  # alpha_ae - alpha_X
    sig_alpha = math.hypot(float(d["alpha_inv_from_ae_sigma"]), sig_x) / A_ae**2
    return slope * d_alpha, slope * sig_alpha


def _source(alpha_e: str, d: dict) -> str:
    if alpha_e != "combined":
        return d[alpha_e]["source"]
    return "average of " + " and ".join(d[a]["source"] for a in ATOMS) + f" (PDG scale factor {alpha_inv()[2]:.2f})"


def likelihood(alpha_e: str = "combined", convention: str = "corrected") -> AgainstSM:
    d = read_toml(DATA_FILE)["electron"]
    s, sigma = shift(alpha_e)
    return against_sm(
        "(g-2)_e",
        f"Delta a_e (alpha: {alpha_e}; against the SM)",
        "",
        lambda p: delta_a_e(p, convention) + delta_a_e_dark_photon(p),
        s,
        sigma,
        float(d["cl"]),
        f"{d['citation']}; alpha: {_source(alpha_e, d)}",
        d["arxiv"],
        f"{DATA_FILE} [electron]",
    )


@register(
    "(g-2)_e",
    group="lepton g-2",
    data_file=DATA_FILE,
    scales="Delta a_e (E loop + A' loop), against the SM",
    sets=("complete",),
    rank=100,
)
def build(options: Options) -> AgainstSM:
    return likelihood(options.alpha_e, options.convention)


if __name__ == "__main__":
    for x in ALPHAS:
        print(
            x,
            "alpha^-1 = {:.10f} +- {:.2g} (S = {:.2f})".format(*alpha_inv(x)),
            " a_e(exp) - a_e(SM) = {:.3g} +- {:.2g}".format(*shift(x)),
        )
