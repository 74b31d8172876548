"""jaxtmm: dark transition magnetic moments of Majorana neutrinos in JAX.

The physics layer: loop integrals (Eq. 2.13, 2.19, 2.21, 3.3 of the seed paper), the transition
moment (Eq. 2.20), BR(mu -> e gamma) (Eq. 3.2-3.6), (g-2) (Eq. 3.9) and effective moments, in two
conventions (``corrected``, the default, and ``paper``: :data:`CONVENTIONS`), and what the paper leaves out
(the one-loop neutrino mass, Z -> N1 N2, the oblique T, the dark photon's g-2 loop), as pure,
differentiable functions of a :class:`Point`. Everything runs in float64: enable it with
``jax.config.update("jax_enable_x64", True)`` before use (the library never changes it for you).
"""

from jaxtmm.constants import GEV_INV_TO_MU_B
from jaxtmm.electroweak import T_oblique, delta_N_nu
from jaxtmm.loops import (
    CONVENTIONS,
    F2_tilde,
    F_n,
    J,
    J_z,
    check_convention,
    delta_J,
    fermion_radiated_integral,
    fermion_radiated_integrand,
)
from jaxtmm.model import Point
from jaxtmm.numass import mass_cancellation, mass_determinant, mass_kernel, with_cancellation
from jaxtmm.observables import (
    A_R,
    BR_mu_e_gamma,
    BR_mu_e_gamma_decoupling,
    delta_a_e,
    delta_a_e_dark_photon,
    delta_a_mu,
    delta_a_mu_dark_photon,
    invisible_open,
    lam,
    loop_sum,
    m_nu_loop,
    moment_amplitude,
    moment_mass_ratio,
    mu_eff,
    mu_eff_flavour,
    mu_eff_pair,
    mu_eff_solar,
    mu_ij,
    mu_ij_parts,
    omega,
    rotated_yukawas,
    sum_m_nu,
    to_mu_B,
)
from jaxtmm.pmns import NUFIT60_NO, PMNS, pmns_matrix
from jaxtmm.pointfile import PointFileError, load_point, load_preset, parse_point
from jaxtmm.report import evaluate
from jaxtmm.spectrum import signed_masses

__version__ = "0.1.0"

__all__ = [
    "A_R",
    "CONVENTIONS",
    "GEV_INV_TO_MU_B",
    "NUFIT60_NO",
    "PMNS",
    "BR_mu_e_gamma",
    "BR_mu_e_gamma_decoupling",
    "F2_tilde",
    "F_n",
    "J",
    "J_z",
    "Point",
    "PointFileError",
    "T_oblique",
    "check_convention",
    "delta_J",
    "delta_N_nu",
    "delta_a_e",
    "delta_a_e_dark_photon",
    "delta_a_mu",
    "delta_a_mu_dark_photon",
    "evaluate",
    "fermion_radiated_integral",
    "fermion_radiated_integrand",
    "invisible_open",
    "lam",
    "load_point",
    "load_preset",
    "loop_sum",
    "m_nu_loop",
    "mass_cancellation",
    "mass_determinant",
    "mass_kernel",
    "moment_amplitude",
    "moment_mass_ratio",
    "mu_eff",
    "mu_eff_flavour",
    "mu_eff_pair",
    "mu_eff_solar",
    "mu_ij",
    "mu_ij_parts",
    "omega",
    "parse_point",
    "pmns_matrix",
    "rotated_yukawas",
    "signed_masses",
    "sum_m_nu",
    "to_mu_B",
    "with_cancellation",
]
