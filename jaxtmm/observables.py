r"""Observables of a model point (physics-spec section 4), all pure and differentiable.

Moments are in GeV^-1 unless a name says ``mu_B``; :func:`to_mu_B` converts
(``mu / mu_B = mu[GeV^-1] * 2 m_e / e``).
"""

import jax.numpy as jnp

from jaxtmm.constants import ALPHA_EM, G_F_GEV2, GEV_INV_TO_MU_B, M_E_GEV, M_MU_GEV
from jaxtmm.dark_photon_g2 import delta_a_dark_photon
from jaxtmm.loops import F2_tilde, F_n, check_convention, delta_J, loop_function
from jaxtmm.model import Point
from jaxtmm.numass import m_nu_loop_matrix, m_nu_loop_values, mass_determinant, mass_kernel, sum_m_nu_loop
from jaxtmm.pmns import pmns_matrix
from jaxtmm.precision import require_x64
from jaxtmm.quadrature import safe_sqrt
from jaxtmm.spectrum import signed_masses

PI = jnp.pi


def to_mu_B(mu_gev_inv):
    """A magnetic moment in GeV^-1 expressed in Bohr magnetons."""
    return mu_gev_inv * GEV_INV_TO_MU_B


def lam(p: Point):
    r"""Mass-basis couplings of Eq. (2.8): ``lambda[i, a] = sum_alpha y[alpha, a] conj(U[alpha, i])``, shape (3, 2)."""
    U = pmns_matrix(p.pmns)[:2, :]  # rows e, mu
    return jnp.sum(jnp.conj(U)[:, :, None] * p.y[:, None, :], axis=0)  # not einsum: a dot is slower under vmap


def loop_sum(p: Point, convention: str = "corrected"):
    r"""``sum_n M_n Delta J_n`` (Eq. 2.20, 2.21) with the signed masses ``eta_n M_n``, in GeV^-1."""
    loop_function(convention)  # validate the name before tracing
    M = signed_masses(p)
    dJ = delta_J(jnp.abs(M), p.m_H1, p.m_H2, p.m_A1, p.m_A2, convention=convention)
    return jnp.sum(M * dJ, axis=0)


def omega(p: Point):
    r"""``Omega_ij = lc[i,1] lc[j,2] - lc[i,2] lc[j,1]`` with ``lc = conj(lambda)``, the coupling of nu_i to S_a^*
    (3 x 3, complex, antisymmetric)."""
    L = jnp.conj(lam(p))
    K = L[:, None, 0] * L[None, :, 1]
    return K - K.T


def moment_amplitude(p: Point):
    r"""The transition-moment amplitude ``A_ij`` (3 x 3, complex, GeV^-1; ``docs/derivation.md`` section 4):

    .. math:: A_{ij} = \frac{i\, g_D Q_S}{128\pi^2}\,\sin 2(\theta_I - \theta_R)\;\Omega_{ij}\sum_n M_n \Delta J_n

    with ``Delta J`` from ``J_z``. ``Re A`` is the magnetic transition moment, ``Im A`` the electric one;
    neutrino-electron scattering sees ``|A_ij|^2 = |mu_ij|^2 + |d_ij|^2``.
    """
    require_x64()
    pref = p.g_D * p.Q_S / (128.0 * PI**2) * jnp.sin(2.0 * (p.theta_I - p.theta_R)) * loop_sum(p, "corrected")
    return 1j * pref * omega(p)


def _paper_mu_ij(p: Point):
    r"""Eq. (2.20) as printed: ``g_D Q_S / (64 pi^2) sin 2(th_I - th_R) Im(Omega_ij) sum M Delta J`` with ``J``."""
    require_x64()
    pref = p.g_D * p.Q_S / (64.0 * PI**2) * jnp.sin(2.0 * (p.theta_I - p.theta_R))
    return pref * jnp.imag(omega(p)) * loop_sum(p, "paper")


def _modulus(z):
    """|z| of a complex array with a finite (zero) gradient at z = 0."""
    return safe_sqrt(jnp.real(z) ** 2 + jnp.imag(z) ** 2)


def mu_ij(p: Point, convention: str = "corrected"):
    r"""The dark transition moments every likelihood uses, a (3, 3) matrix in GeV^-1.

    ``corrected``: the modulus ``|A_ij|`` (:func:`moment_amplitude`), symmetric and non-negative.
    ``paper``: Eq. (2.20) as printed, antisymmetric,

    .. math::
        \mu_{ij} = \frac{g_D Q_S}{64\pi^2}\,\sin 2(\theta_I - \theta_R)\;
        \mathrm{Im}\!\left(\lambda^*_{j2}\lambda^*_{i1} - \lambda^*_{i2}\lambda^*_{j1}\right)
        \sum_{\alpha=1,2} M_\alpha \Delta J_\alpha
    """
    if check_convention(convention) == "paper":
        return _paper_mu_ij(p)
    return _modulus(moment_amplitude(p))


def mu_ij_parts(p: Point, convention: str = "corrected"):
    """``(magnetic, electric)`` transition moments, each (3, 3) in GeV^-1: ``Re A`` and ``Im A`` (corrected), or
    Eq. (2.20) and zero (paper, which keeps only a magnetic part)."""
    if check_convention(convention) == "paper":
        m = _paper_mu_ij(p)
        return m, jnp.zeros_like(m)
    A = moment_amplitude(p)
    return jnp.real(A), jnp.imag(A)


def _mu_sq(p: Point, convention: str):
    if convention == "paper":
        return _paper_mu_ij(p) ** 2
    A = moment_amplitude(p)
    return jnp.real(A) ** 2 + jnp.imag(A) ** 2


def mu_eff_solar(p: Point, convention: str = "corrected"):
    r"""Effective moment for solar neutrinos, an incoherent mixture of mass states (physics-spec 4), GeV^-1.

    .. math:: \mu_\mathrm{eff}^2 = \epsilon^2 \sum_i |U_{ei}|^2 \sum_j |\mu_{ij}|^2
    """
    check_convention(convention)
    P = jnp.abs(pmns_matrix(p.pmns)[0, :]) ** 2
    s = jnp.sum(P * jnp.sum(_mu_sq(p, convention), axis=1))
    return jnp.abs(p.eps) * safe_sqrt(s)  # sqrt is not differentiable at 0 (mu = 0 for degenerate scalars)


def mu_eff_pair(p: Point, i: int, j: int, convention: str = "corrected"):
    r"""The paper's single-pair effective moment ``|eps * mu_ij|`` (Sec. 3.2); i, j in 1..3; GeV^-1."""
    if not (1 <= i <= 3 and 1 <= j <= 3):
        raise ValueError(f"mass-state indices run over 1..3, got ({i}, {j})")
    return jnp.abs(p.eps * mu_ij(p, convention)[i - 1, j - 1])


FLAVOURS = ("e", "mu", "tau")


def mu_eff_flavour(p: Point, flavour: str, convention: str = "corrected"):
    r"""Effective moment of a beam born as one flavour that meets the detector before it oscillates (reactor
    anti-nu_e, accelerator nu_mu and nu_e), GeV^-1: the flavour state scatters coherently into every mass state j,

    .. math:: \mu_\alpha^2 = \epsilon^2 \sum_j \Big|\sum_i U^*_{\alpha i} A_{ji}\Big|^2

    (Grimus and Stockinger, PRD 57 (1998) 1762; ``docs/derivation.md`` section 11). An antineutrino has
    ``U -> U^*`` and ``A -> A^*``: the same modulus. ``A`` is :func:`moment_amplitude` (corrected) or Eq. (2.20)
    (paper). Summed over the three flavours it is ``eps^2 sum_ij |A_ij|^2`` (unitarity).
    """
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, got {flavour!r}")
    A = _paper_mu_ij(p) if check_convention(convention) == "paper" else moment_amplitude(p)
    amp = A @ jnp.conj(pmns_matrix(p.pmns)[FLAVOURS.index(flavour), :])  # sum_i A_ji U*_alpha i, for each j
    return jnp.abs(p.eps) * safe_sqrt(jnp.sum(jnp.real(amp) ** 2 + jnp.imag(amp) ** 2))


MOMENTS = ("solar", "12", "13", "23")


def check_moment(moment: str) -> str:
    """Validate the name of an effective moment (one of :data:`MOMENTS`)."""
    if moment not in MOMENTS:
        raise ValueError(f"moment must be one of {', '.join(MOMENTS)}, got {moment!r}")
    return moment


def mu_eff(p: Point, moment: str = "solar", convention: str = "corrected"):
    """The effective moment by name, GeV^-1: ``"solar"`` (:func:`mu_eff_solar`) or a pair ``"ij"``
    (:func:`mu_eff_pair`)."""
    if check_moment(moment) == "solar":
        return mu_eff_solar(p, convention)
    return mu_eff_pair(p, int(moment[0]), int(moment[1]), convention)


def rotated_yukawas(p: Point):
    r"""``yt[alpha, Phi]`` for Phi = (H1, H2, A1, A2) (physics-spec 4, cf. Eq. 2.9), shape (2, 4).

    ``yt[., H1] = y[., 1] cos th_R - y[., 2] sin th_R``, ``yt[., H2] = y[., 1] sin th_R + y[., 2] cos th_R``,
    and the same with theta_I, times i, for A1, A2. The couplings of the charged leptons to E and the
    physical scalars are ``yt / sqrt 2`` (``S_a = (H_a + i A_a) / sqrt 2``; ``docs/derivation.md`` section 6).
    """
    y1, y2 = p.y[:, 0], p.y[:, 1]
    cR, sR = jnp.cos(p.theta_R), jnp.sin(p.theta_R)
    cI, sI = jnp.cos(p.theta_I), jnp.sin(p.theta_I)
    return jnp.stack(
        [y1 * cR - y2 * sR, y1 * sR + y2 * cR, 1j * (y1 * cI - y2 * sI), 1j * (y1 * sI + y2 * cI)], axis=-1
    )


def _x_phi(p: Point):
    m_phi = jnp.stack([jnp.asarray(p.m_H1), jnp.asarray(p.m_H2), jnp.asarray(p.m_A1), jnp.asarray(p.m_A2)])
    return (m_phi / p.M_E) ** 2


def A_R(p: Point, convention: str = "corrected"):
    r"""Right-handed dipole coefficient of mu -> e gamma, GeV^-2.

    ``corrected`` (``docs/derivation.md`` section 6): ``A_R = Q_E sum_Phi c_e c_mu^* F_n(x_Phi) / (32 pi^2 M_E^2)``
    with ``c = yt / sqrt 2`` and ``Q_E = -1``. ``paper``, Eq. (3.2):

    .. math:: A_R = \frac{1}{32\pi^2 M_E^2} \sum_{\Phi} \tilde y_{e\Phi} \tilde y^*_{\mu\Phi}\,\tilde F_2(m_\Phi^2/M_E^2)
    """
    require_x64()
    yt = rotated_yukawas(p)
    if check_convention(convention) == "paper":
        return jnp.sum(yt[0] * jnp.conj(yt[1]) * F2_tilde(_x_phi(p))) / (32.0 * PI**2 * p.M_E**2)
    return -jnp.sum(yt[0] * jnp.conj(yt[1]) / 2.0 * F_n(_x_phi(p))) / (32.0 * PI**2 * p.M_E**2)


def BR_mu_e_gamma(p: Point, convention: str = "corrected"):
    r"""``BR(mu -> e gamma)``: ``48 pi^3 alpha |A_R|^2 / G_F^2`` (corrected) or ``24 pi^3 alpha |A_R|^2 / G_F^2``
    (paper, Eq. 3.6), from the full sums of :func:`A_R`."""
    factor = 24.0 if check_convention(convention) == "paper" else 48.0
    return factor * PI**3 * ALPHA_EM / G_F_GEV2**2 * jnp.abs(A_R(p, convention)) ** 2


def BR_mu_e_gamma_decoupling(y, M_E, convention: str = "corrected"):
    r"""The heavy-E limit: ``alpha / (768 pi G_F^2 M_E^4) |sum_a y[e,a] conj(y[mu,a])|^2`` (corrected), 8 times
    that (paper, Eq. 3.6: ``alpha / (96 pi ...)``)."""
    S = jnp.sum(y[0] * jnp.conj(y[1]))
    denom = 96.0 if check_convention(convention) == "paper" else 768.0
    return ALPHA_EM / (denom * PI * G_F_GEV2**2 * M_E**4) * jnp.abs(S) ** 2


def _delta_a(p: Point, m_lepton, row: int, convention: str):
    require_x64()
    if check_convention(convention) == "paper":
        return m_lepton**2 / (24.0 * PI**2 * p.M_E**2) * jnp.sum(jnp.abs(p.y[row]) ** 2)
    c2 = jnp.abs(rotated_yukawas(p)[row]) ** 2 / 2.0
    return m_lepton**2 / (16.0 * PI**2 * p.M_E**2) * jnp.sum(c2 * F_n(_x_phi(p)))


def delta_a_mu(p: Point, convention: str = "corrected"):
    r"""The E-scalar loop's ``Delta a_mu``: ``m_mu^2 / (16 pi^2 M_E^2) sum_Phi |c_mu Phi|^2 F_n(x_Phi)`` (corrected;
    ``m_mu^2 / (96 pi^2 M_E^2) sum_a |y_mu a|^2`` for heavy E) or Eq. (3.9), ``m_mu^2 / (24 pi^2 M_E^2) sum_a
    |y_mu a|^2`` (paper). The dark photon's own loop is :func:`delta_a_mu_dark_photon`."""
    return _delta_a(p, M_MU_GEV, 1, convention)


def delta_a_e(p: Point, convention: str = "corrected"):
    """``Delta a_e`` of the E-scalar loop: :func:`delta_a_mu` with the electron's mass and couplings."""
    return _delta_a(p, M_E_GEV, 0, convention)


def delta_a_mu_dark_photon(p: Point):
    """The dark photon's one-loop ``Delta a_mu`` through the kinetic mixing (both conventions)."""
    return delta_a_dark_photon(M_MU_GEV, p.m_Ap, p.eps)


def delta_a_e_dark_photon(p: Point):
    """The dark photon's one-loop ``Delta a_e`` through the kinetic mixing (both conventions)."""
    return delta_a_dark_photon(M_E_GEV, p.m_Ap, p.eps)


def m_nu_loop(p: Point):
    """The loop-induced neutrino masses (singular values, descending; GeV) and the matrix ``lc K lc^T`` in the
    mass basis of the PMNS matrix (``docs/derivation.md`` section 5)."""
    lc, K = jnp.conj(lam(p)), mass_kernel(p)
    return m_nu_loop_values(lc, K), m_nu_loop_matrix(lc, K)


def sum_m_nu(p: Point):
    """The sum of the loop-induced neutrino masses, GeV (smooth; what the neutrino-mass likelihood uses)."""
    return sum_m_nu_loop(jnp.conj(lam(p)), mass_kernel(p))


def moment_mass_ratio(p: Point):
    r"""The Yukawa-independent ratio of the moment to the loop masses (``docs/derivation.md`` section 5), GeV^-2:

    .. math:: rac{|\mu_{ab}|}{\sqrt{m_a m_b}} = rac{g_D |Q_S|\, |\sin\Delta\cos\Delta|\, |\sum_n M_n \Delta J_n|}{\sqrt{|X|}}

    in the neutrino mass basis (``|mu_ab| = ||A||_F / sqrt 2``, the two non-zero masses ``m_a m_b``), with
    ``Delta = theta_I - theta_R`` and X of :func:`jaxtmm.numass.mass_determinant`; ``J_z`` (corrected
    convention). Infinite where X = 0 (the mass cancels, the moment does not)."""
    d = p.theta_I - p.theta_R
    num = p.g_D * jnp.abs(p.Q_S) * jnp.abs(jnp.sin(d) * jnp.cos(d)) * jnp.abs(loop_sum(p, "corrected"))
    return num / jnp.sqrt(jnp.abs(mass_determinant(p)))


def invisible_open(p: Point):
    r"""Whether the dark photon can decay to dark states (physics-spec section 5).

    The A' couples N1 to N2 only (Eq. 2.10, axial and off-diagonal) and the scalars in H_k A_l pairs
    (Eq. 2.16), so ``A' -> invisible`` is open when ``m_A' > M1 + M2`` or ``m_A' > m_Hk + m_Al`` for some
    pair (k, l). Below these thresholds the NA64 and BaBar invisible-mode limits do not describe the model.
    """
    pairs = jnp.stack([p.m_H1 + p.m_A1, p.m_H1 + p.m_A2, p.m_H2 + p.m_A1, p.m_H2 + p.m_A2])
    return (p.m_Ap > p.M1 + p.M2) | jnp.any(p.m_Ap > pairs, axis=0)
