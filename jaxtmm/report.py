"""Every observable of one model point in one dict (``jaxtmm evaluate``, :mod:`jaxtmm.batch`): the moments, the
lepton observables, the loop neutrino mass, electroweak precision, the dark photon's decays and the widths of the dark
states. Above :mod:`jaxtmm.observables` and :mod:`jaxtmm.darkphoton`, which it gathers."""

from functools import partial

import jax
import jax.numpy as jnp

from jaxtmm.darkphoton import summary
from jaxtmm.electroweak import T_oblique, delta_N_nu
from jaxtmm.loops import check_convention
from jaxtmm.model import Point
from jaxtmm.observables import (
    delta_a_e_dark_photon,
    delta_a_mu_dark_photon,
    loop_sum,
    m_nu_loop,
    mu_eff_flavour,
    mu_ij,
    mu_ij_parts,
    to_mu_B,
)
from jaxtmm.quantities import QUANTITIES
from jaxtmm.vertex import vector_coupling, width_nu_nu_vector
from jaxtmm.widths import STATES, width_over_mass


def evaluate(p: Point, convention: str = "corrected") -> dict:
    """Every observable of a point, as a dict of JAX arrays (moments in GeV^-1 and in mu_B, masses in eV)."""
    check_convention(convention)
    return evaluate_jit(p, convention)


@partial(jax.jit, static_argnames="convention")
def evaluate_jit(p: Point, convention: str) -> dict:
    """:func:`evaluate` compiled, its convention checked by the caller (what :mod:`jaxtmm.batch` maps)."""
    mu = mu_ij(p, convention)
    mag, ele = mu_ij_parts(p, convention)
    masses, matrix = m_nu_loop(p)
    da_mu_ap, da_e_ap = delta_a_mu_dark_photon(p), delta_a_e_dark_photon(p)
    derived = {q.column: q(p, convention) for q in QUANTITIES.values()}  # mu_eff: the solar mixture
    da_mu, da_e = derived["delta_a_mu"], derived["delta_a_e"]
    return {
        **derived,
        "mu_ij_GeV": mu,
        "mu_ij_muB": to_mu_B(mu),
        "mu_ij_magnetic_muB": to_mu_B(mag),
        "mu_ij_electric_muB": to_mu_B(ele),
        "mu_eff_solar_muB": derived["mu_eff_muB"],  # mu_eff's default moment is the solar mixture
        "mu_eff_e_muB": to_mu_B(mu_eff_flavour(p, "e", convention)),
        "mu_eff_mu_muB": to_mu_B(mu_eff_flavour(p, "mu", convention)),
        "delta_a_mu_dark_photon": da_mu_ap,
        "delta_a_mu_total": da_mu + da_mu_ap,
        "delta_a_e_dark_photon": da_e_ap,
        "delta_a_e_total": da_e + da_e_ap,
        "m_nu_loop_eV": masses * 1e9,
        "sum_m_nu_loop_eV": derived["sum_m_nu_eV"],
        "m_nu_loop_matrix_eV_re": jnp.real(matrix) * 1e9,
        "m_nu_loop_matrix_eV_im": jnp.imag(matrix) * 1e9,
        "delta_N_nu": delta_N_nu(p),
        "T_oblique": T_oblique(p),
        "loop_sum_GeV_inv": loop_sum(p, convention),
        **summary(p, convention),
        **{f"width_over_mass_{s}": r for s, r in zip(STATES, width_over_mass(p))},
        "F_vector_flavour_abs": jnp.abs(vector_coupling(p)),
        "Ap_width_nu_nu_vector_GeV": width_nu_nu_vector(p),
    }
