r"""Neutrino-electron elastic scattering with the A' exchange of the vector form factor (``docs/derivation.md``
section 15): the Standard Model's weak couplings and the dark vector coupling ``F`` (:mod:`jaxtmm.vertex`) seen by the
electron through the kinetic mixing, as matrices in the mass basis.

A neutrino of mass state i scatters into j with the chiral couplings (massless neutrinos; ``s_W^2`` MS-bar)

.. math:: g_L^{ji} = (-\tfrac12 + s_W^2)\,\delta_{ji} + U^*_{ej} U_{ei} + \tfrac12\delta g^{ji},\qquad
          g_R^{ji} = s_W^2\,\delta_{ji} + \tfrac12\delta g^{ji},\qquad
          \delta g^{ji} = \sigma\,\frac{\epsilon e\, F^{m}_{ji}}{\sqrt2\, G_F\,(m_{A'}^2 + 2 m_e T)},

(the charged current after the Fierz rearrangement is the ``U U`` term; the A' exchange is a pure vector on the electron
side, ``delta g_V = delta g``, with ``F^m = U^dagger F^{fl} U`` in the mass basis and ``t = -2 m_e T``), and the final
states are summed incoherently:

.. math:: \frac{d\sigma_i}{dT} = \frac{2 G_F^2 m_e}{\pi}\sum_j\Big[|g_L^{ji}|^2 + |g_R^{ji}|^2\big(1 - \tfrac{T}{E}\big)^2
          - \mathrm{Re}(g_L^{ji} g_R^{ji*})\,\frac{m_e T}{E^2}\Big].

The overall sign ``sigma = +-1`` of the A' exchange relative to the Z's depends on sign conventions for ``g_D`` and eps
that the two derivations of F did not fix: both are computed and the likelihood takes the one less constrained. Solar
neutrinos arrive as an incoherent mixture of mass states with the vacuum-averaged probabilities ``|U_ei|^2`` (as
:func:`jaxtmm.mu_eff_solar`); at F = 0 this is ``sigma_mu + P_ee (sigma_e - sigma_mu)`` with ``P_ee = sum |U_ei|^4``.

Reactor anti-nu_e (:func:`dsigma_dT_reactor`) meet the detector as the flavour state, before they oscillate: the
amplitude into each final flavour alpha is coherent, ``g^{alpha e}`` in the flavour basis (the charged current only in
``alpha = e``, ``delta g`` with ``F^{fl}_{alpha e}``), and an antineutrino swaps the roles of ``g_L`` and ``g_R``:

.. math:: \frac{d\bar\sigma}{dT} = \frac{2 G_F^2 m_e}{\pi}\sum_\alpha\Big[|g_R^{\alpha e}|^2
          + |g_L^{\alpha e}|^2\big(1 - \tfrac{T}{E}\big)^2 - \mathrm{Re}(g_L^{\alpha e} g_R^{\alpha e*})\,\frac{m_e T}{E^2}\Big]

(the antiparticle's current couples through ``-F^T = -F^*``, and the Z's and W's currents flip sign with it: the moduli,
and the interference with the weak amplitude, are those of the neutrino's couplings).
"""

import jax.numpy as jnp

from jaxtmm.constants import E_CHARGE, G_F_GEV2, M_E_GEV, S2W_MSBAR
from jaxtmm.model import Point
from jaxtmm.pmns import pmns_matrix
from jaxtmm.quadrature import gauss_legendre_01
from jaxtmm.vertex import vector_coupling

PI = jnp.pi


def vector_coupling_mass_basis(p: Point):
    """``F^m = U^dagger F^{fl} U`` (3 x 3, the tau row and column of ``F^{fl}`` zero)."""
    U = pmns_matrix(p.pmns)
    Ffl = jnp.zeros((3, 3), dtype=jnp.complex128).at[:2, :2].set(vector_coupling(p))
    return jnp.conj(U).T @ Ffl @ U


def couplings(p: Point, T, sign: float = 1.0):
    """``(g_L, g_R)`` (3 x 3 complex, index ``[j, i]``, broadcast over T's shape in front) at recoil ``T`` (GeV)."""
    U = pmns_matrix(p.pmns)
    T = jnp.asarray(T, dtype=jnp.float64)[..., None, None]
    cc = jnp.conj(U[0, :])[:, None] * U[0, :][None, :]  # U*_ej U_ei
    dg = (
        sign
        * p.eps
        * E_CHARGE
        * vector_coupling_mass_basis(p)
        / (2.0**0.5 * G_F_GEV2 * (jnp.asarray(p.m_Ap, dtype=jnp.float64) ** 2 + 2.0 * M_E_GEV * T))
    )
    eye = jnp.eye(3)
    gL = (-0.5 + S2W_MSBAR) * eye + cc + 0.5 * dg
    gR = S2W_MSBAR * eye + 0.5 * dg
    return gL, gR


def dsigma_dT_solar(p: Point, E, T, sign: float = 1.0):
    """``sum_i |U_ei|^2 dsigma_i/dT`` (GeV^-3) of a solar neutrino of energy E at recoil T (arrays broadcast)."""
    gL, gR = couplings(p, T, sign)
    P = jnp.abs(pmns_matrix(p.pmns)[0, :]) ** 2
    T = jnp.asarray(T, dtype=jnp.float64)
    y = (1.0 - T / E)[..., None, None]
    z = (M_E_GEV * T / E**2)[..., None, None]
    per = jnp.abs(gL) ** 2 + jnp.abs(gR) ** 2 * y**2 - jnp.real(gL * jnp.conj(gR)) * z  # [.., j, i]
    return 2.0 * G_F_GEV2**2 * M_E_GEV / PI * jnp.sum(jnp.sum(per, axis=-2) * P, axis=-1)


def rate_ratio(p: Point, E: float, T_min: float, T_max: float, sign: float = 1.0, n: int = 48):
    """``int dsigma(F) / int dsigma(F = 0)`` over ``[T_min, T_max]`` (GeV) at neutrino energy E (Gauss-Legendre in ln T)."""
    x, w = gauss_legendre_01(n)
    u = jnp.log(T_min) + (jnp.log(T_max) - jnp.log(T_min)) * jnp.asarray(x)
    T = jnp.exp(u)
    wt = jnp.asarray(w) * T
    with_f = jnp.sum(wt * dsigma_dT_solar(p, E, T, sign))
    without = jnp.sum(
        wt * dsigma_dT_solar(p._replace(g_D=jnp.zeros_like(jnp.asarray(p.g_D, dtype=jnp.float64))), E, T, sign)
    )
    return with_f / without


def couplings_flavour(p: Point, T, sign: float = 1.0):
    """``(g_L, g_R)`` of a beam born as nu_e, in the flavour basis (3-vectors over the final flavour alpha, broadcast
    over T's shape in front): ``g_L = (1/2 + s_W^2) delta_{alpha e} + delta g_{alpha e} / 2``, ``g_R = s_W^2 delta_{alpha e}
    + delta g_{alpha e} / 2``, ``delta g`` as in the module's docstring with ``F^{fl}`` (its tau entry zero)."""
    T = jnp.asarray(T, dtype=jnp.float64)[..., None]
    Ffl = jnp.zeros(3, dtype=jnp.complex128).at[:2].set(vector_coupling(p)[:, 0])  # F^{fl}_{alpha e}
    dg = (
        sign
        * p.eps
        * E_CHARGE
        * Ffl
        / (2.0**0.5 * G_F_GEV2 * (jnp.asarray(p.m_Ap, dtype=jnp.float64) ** 2 + 2.0 * M_E_GEV * T))
    )
    e = jnp.array([1.0, 0.0, 0.0])
    return (0.5 + S2W_MSBAR) * e + 0.5 * dg, S2W_MSBAR * e + 0.5 * dg


def dsigma_dT_reactor(p: Point, E, T, sign: float = 1.0):
    """``dsigma/dT`` (GeV^-3) of a reactor anti-nu_e of energy E at recoil T (GeV; arrays broadcast), weak and A' exchange
    of the vector form factor (the dipole's magnetic term is separate and does not interfere)."""
    gL, gR = couplings_flavour(p, T, sign)
    T = jnp.asarray(T, dtype=jnp.float64)
    y = (1.0 - T / E)[..., None]
    z = (M_E_GEV * T / E**2)[..., None]
    per = jnp.abs(gR) ** 2 + jnp.abs(gL) ** 2 * y**2 - jnp.real(gL * jnp.conj(gR)) * z
    return 2.0 * G_F_GEV2**2 * M_E_GEV / PI * jnp.sum(per, axis=-1)


def reactor_excess_at_threshold(p: Point, T):
    """The change of the weak anti-nu_e cross section at recoil ``T << E`` that the vector form factor makes,
    ``|dsigma(F) - dsigma(F = 0)|`` at ``E -> infinity`` (GeV^-3; exact to ``O(T/E)``, 1e-3 at keV recoils from MeV
    reactor neutrinos, so no flux is needed), of the sign ``sigma`` that changes it less."""
    big = jnp.float64(1e30)
    zero = dsigma_dT_reactor(p._replace(g_D=jnp.zeros_like(jnp.asarray(p.g_D, dtype=jnp.float64))), big, T)
    return jnp.minimum(*(jnp.abs(dsigma_dT_reactor(p, big, T, sg) - zero) for sg in (1.0, -1.0)))
