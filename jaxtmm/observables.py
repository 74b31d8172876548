r"""Observables of a model point (physics-spec section 4), all pure and differentiable.

Moments are in GeV^-1 unless a name says ``mu_B``; :func:`to_mu_B` converts
(``mu / mu_B = mu[GeV^-1] * 2 m_e / e``).
"""

from functools import partial

import jax
import jax.numpy as jnp

from jaxtmm._constants import ALPHA_EM, G_F_GEV2, GEV_INV_TO_MU_B, M_E_GEV, M_MU_GEV
from jaxtmm._x64 import require_x64
from jaxtmm.loops import F2_tilde, delta_J, loop_function
from jaxtmm.model import Point
from jaxtmm.pmns import pmns_matrix

PI = jnp.pi


def to_mu_B(mu_gev_inv):
    """A magnetic moment in GeV^-1 expressed in Bohr magnetons."""
    return mu_gev_inv * GEV_INV_TO_MU_B


def lam(p: Point):
    r"""Mass-basis couplings of Eq. (2.8): ``lambda[i, a] = sum_alpha y[alpha, a] conj(U[alpha, i])``, shape (3, 2)."""
    U = pmns_matrix(p.pmns)[:2, :]  # rows e, mu
    return jnp.sum(jnp.conj(U)[:, :, None] * p.y[:, None, :], axis=0)  # not einsum: a dot is slower under vmap


def loop_sum(p: Point, loop: str = "derived"):
    r"""``sum_alpha M_alpha Delta J_alpha`` (Eq. 2.20, 2.21), in GeV^-1."""
    loop_function(loop)  # validate the name before tracing
    M = jnp.stack([jnp.asarray(p.M1), jnp.asarray(p.M2)])
    dJ = delta_J(M, p.m_H1, p.m_H2, p.m_A1, p.m_A2, loop=loop)
    return jnp.sum(M * dJ, axis=0)


def mu_ij(p: Point, loop: str = "derived"):
    r"""The dark transition moments of Eq. (2.20), a (3, 3) antisymmetric matrix in GeV^-1.

    .. math::
        \mu_{ij} = \frac{g_D Q_S}{64\pi^2}\,\sin 2(\theta_I - \theta_R)\;
        \mathrm{Im}\!\left(\lambda^*_{j2}\lambda^*_{i1} - \lambda^*_{i2}\lambda^*_{j1}\right)
        \sum_{\alpha=1,2} M_\alpha \Delta J_\alpha

    ``loop="derived"`` (default) builds Delta J from J_z, ``loop="paper"`` from J as printed.
    """
    require_x64()
    L = jnp.conj(lam(p))
    K = jnp.imag(L[:, None, 0] * L[None, :, 1])  # K[i, j] = Im(conj(l_i1) conj(l_j2))
    flavour = K - K.T  # Im(l*_j2 l*_i1 - l*_i2 l*_j1), antisymmetric by construction
    pref = p.g_D * p.Q_S / (64.0 * PI**2) * jnp.sin(2.0 * (p.theta_I - p.theta_R))
    return pref * flavour * loop_sum(p, loop)


def mu_eff_solar(p: Point, loop: str = "derived"):
    r"""Effective moment for solar neutrinos, an incoherent mixture of mass states (physics-spec 4), GeV^-1.

    .. math:: \mu_\mathrm{eff}^2 = \epsilon^2 \sum_i |U_{ei}|^2 \sum_j |\mu_{ij}|^2
    """
    P = jnp.abs(pmns_matrix(p.pmns)[0, :]) ** 2
    m = mu_ij(p, loop)
    s = jnp.sum(P * jnp.sum(m**2, axis=1))
    # sqrt is not differentiable at 0 (mu = 0 for degenerate scalars): guard it
    safe = jnp.where(s > 0.0, s, 1.0)
    return jnp.abs(p.eps) * jnp.where(s > 0.0, jnp.sqrt(safe), 0.0)


def mu_eff_pair(p: Point, i: int, j: int, loop: str = "derived"):
    r"""The paper's single-pair effective moment ``|eps * mu_ij|`` (Sec. 3.2); i, j in 1..3; GeV^-1."""
    if not (1 <= i <= 3 and 1 <= j <= 3):
        raise ValueError(f"mass-state indices run over 1..3, got ({i}, {j})")
    return jnp.abs(p.eps * mu_ij(p, loop)[i - 1, j - 1])


MOMENTS = ("solar", "12", "13", "23")


def check_moment(moment: str) -> str:
    """Validate the name of an effective moment (one of :data:`MOMENTS`)."""
    if moment not in MOMENTS:
        raise ValueError(f"moment must be one of {', '.join(MOMENTS)}, got {moment!r}")
    return moment


def mu_eff(p: Point, moment: str = "solar", loop: str = "derived"):
    """The effective moment by name, GeV^-1: ``"solar"`` (:func:`mu_eff_solar`) or a pair ``"ij"``
    (:func:`mu_eff_pair`)."""
    if check_moment(moment) == "solar":
        return mu_eff_solar(p, loop)
    return mu_eff_pair(p, int(moment[0]), int(moment[1]), loop)


def rotated_yukawas(p: Point):
    r"""``yt[alpha, Phi]`` for Phi = (H1, H2, A1, A2) (physics-spec 4, cf. Eq. 2.9), shape (2, 4).

    ``yt[., H1] = y[., 1] cos th_R - y[., 2] sin th_R``, ``yt[., H2] = y[., 1] sin th_R + y[., 2] cos th_R``,
    and the same with theta_I, times i, for A1, A2.
    """
    y1, y2 = p.y[:, 0], p.y[:, 1]
    cR, sR = jnp.cos(p.theta_R), jnp.sin(p.theta_R)
    cI, sI = jnp.cos(p.theta_I), jnp.sin(p.theta_I)
    return jnp.stack(
        [y1 * cR - y2 * sR, y1 * sR + y2 * cR, 1j * (y1 * cI - y2 * sI), 1j * (y1 * sI + y2 * cI)], axis=-1
    )


def A_R(p: Point):
    r"""Right-handed dipole coefficient of Eq. (3.2), GeV^-2.

    .. math:: A_R = \frac{1}{32\pi^2 M_E^2} \sum_{\Phi} \tilde y_{e\Phi} \tilde y^*_{\mu\Phi}\,\tilde F_2(m_\Phi^2/M_E^2)
    """
    require_x64()
    yt = rotated_yukawas(p)
    m_phi = jnp.stack([jnp.asarray(p.m_H1), jnp.asarray(p.m_H2), jnp.asarray(p.m_A1), jnp.asarray(p.m_A2)])
    F = F2_tilde((m_phi / p.M_E) ** 2)
    return jnp.sum(yt[0] * jnp.conj(yt[1]) * F) / (32.0 * PI**2 * p.M_E**2)


def BR_mu_e_gamma(p: Point):
    r"""``BR(mu -> e gamma) = 24 pi^3 alpha / G_F^2 |A_R|^2`` (Eq. 3.6), from the full sum of Eq. (3.2)."""
    return 24.0 * PI**3 * ALPHA_EM / G_F_GEV2**2 * jnp.abs(A_R(p)) ** 2


def BR_mu_e_gamma_decoupling(y, M_E):
    r"""The heavy-E limit of Eq. (3.6): ``alpha / (96 pi G_F^2 M_E^4) |sum_a y[e,a] conj(y[mu,a])|^2``."""
    S = jnp.sum(y[0] * jnp.conj(y[1]))
    return ALPHA_EM / (96.0 * PI * G_F_GEV2**2 * M_E**4) * jnp.abs(S) ** 2


def _delta_a(m_lepton, y_row, M_E):
    require_x64()
    return m_lepton**2 / (24.0 * PI**2 * M_E**2) * jnp.sum(jnp.abs(y_row) ** 2)


def delta_a_mu(p: Point):
    r"""``Delta a_mu = m_mu^2 / (24 pi^2 M_E^2) sum_a |y[mu, a]|^2`` (Eq. 3.9)."""
    return _delta_a(M_MU_GEV, p.y[1], p.M_E)


def delta_a_e(p: Point):
    r"""``Delta a_e``: Eq. (3.9) with the electron mass and couplings."""
    return _delta_a(M_E_GEV, p.y[0], p.M_E)


def evaluate(p: Point, loop: str = "derived") -> dict:
    """Every observable of a point, as a dict of JAX arrays (moments in GeV^-1 and in mu_B)."""
    loop_function(loop)
    return _evaluate_jit(p, loop)


@partial(jax.jit, static_argnames="loop")
def _evaluate_jit(p: Point, loop: str) -> dict:
    mu = mu_ij(p, loop)
    return {
        "mu_ij_GeV": mu,
        "mu_ij_muB": to_mu_B(mu),
        "mu_eff_solar_muB": to_mu_B(mu_eff_solar(p, loop)),
        "BR_mu_e_gamma": BR_mu_e_gamma(p),
        "delta_a_mu": delta_a_mu(p),
        "delta_a_e": delta_a_e(p),
        "loop_sum_GeV_inv": loop_sum(p, loop),
    }


def invisible_open(p: Point):
    r"""Whether the dark photon can decay to dark states (physics-spec section 5).

    The A' couples N1 to N2 only (Eq. 2.10, axial and off-diagonal) and the scalars in H_k A_l pairs
    (Eq. 2.16), so ``A' -> invisible`` is open when ``m_A' > M1 + M2`` or ``m_A' > m_Hk + m_Al`` for some
    pair (k, l). Below these thresholds the NA64 and BaBar invisible-mode limits do not describe the model.
    """
    pairs = jnp.stack([p.m_H1 + p.m_A1, p.m_H1 + p.m_A2, p.m_H2 + p.m_A1, p.m_H2 + p.m_A2])
    return (p.m_Ap > p.M1 + p.M2) | jnp.any(p.m_Ap > pairs, axis=0)
