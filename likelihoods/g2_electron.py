r"""(g-2)_e: the model's Delta a_e (E-scalar loop and the dark photon's own loop) against
a_e(exp) - a_e(SM), with the SM prediction from alpha measured with Rb (default) or Cs atoms (Gaussian, 95% CL).

The shift follows from the alpha determinations in the data file: the measured a_e fixes
alpha^-1 = 137.035999166(15) (Fan et al. 2023), so ``a_e(exp) - a_e(SM; alpha_X) = (da_e / dalpha)(alpha_ae -
alpha_X)`` with ``da_e/dalpha = 1/(2 pi) - 2 C_2 alpha / pi^2 + 3 C_3 alpha^2 / pi^3`` (C_2 = -0.328478965,
C_3 = 1.181241456, the universal QED coefficients). Rb: +3.4(1.6)e-13; Cs: -10.1(2.6)e-13 (printed by
``python -m likelihoods.g2_electron``). Data: ``likelihoods/data/g_minus_2.toml`` [electron].
"""

import math

from jaxtmm import delta_a_e, delta_a_e_dark_photon
from likelihoods._data import read_toml
from likelihoods._limit import Measurement, measurement
from likelihoods.registry import Options, register

DATA_FILE = "g_minus_2.toml"
ALPHAS = ("Rb", "Cs")
_C2, _C3 = -0.328478965, 1.181241456


def shift(alpha_e: str = "Rb") -> tuple[float, float]:
    """``(a_e(exp) - a_e(SM), sigma)`` with the SM prediction at the alpha of ``alpha_e`` (Rb or Cs)."""
    if alpha_e not in ALPHAS:
        raise ValueError(f"the alpha behind (g-2)_e must be one of {', '.join(ALPHAS)}, got {alpha_e!r}")
    d = read_toml(DATA_FILE)["electron"]
    A_ae, A_x = float(d["alpha_inv_from_ae"]), float(d[alpha_e]["alpha_inv"])
    a = 1.0 / A_ae
    slope = 1.0 / (2.0 * math.pi) + 2.0 * _C2 * a / math.pi**2 + 3.0 * _C3 * a**2 / math.pi**3
    d_alpha = (A_x - A_ae) / (A_x * A_ae)  # alpha_ae - alpha_X
    sig_alpha = math.hypot(float(d["alpha_inv_from_ae_sigma"]), float(d[alpha_e]["alpha_inv_sigma"])) / A_ae**2
    return slope * d_alpha, slope * sig_alpha


def likelihood(alpha_e: str = "Rb", convention: str = "corrected") -> Measurement:
    d = read_toml(DATA_FILE)["electron"]
    s, sigma = shift(alpha_e)
    return measurement("(g-2)_e", f"Delta a_e (alpha from {alpha_e})", "",
                       lambda p: delta_a_e(p, convention) + delta_a_e_dark_photon(p), s, sigma, float(d["cl"]),
                       f"{d['citation']}; alpha: {d[alpha_e]['source']}", d["arxiv"], f"{DATA_FILE} [electron.{alpha_e}]")  # fmt: skip


@register("(g-2)_e", group="lepton g-2", data_file=DATA_FILE, scales="Delta a_e (E loop + A' loop)",
          sets=("complete",), rank=100)  # fmt: skip
def build(options: Options) -> Measurement:
    return likelihood(options.alpha_e, options.convention)


if __name__ == "__main__":
    for x in ALPHAS:
        print(x, "a_e(exp) - a_e(SM) = %.3g +- %.2g" % shift(x))
