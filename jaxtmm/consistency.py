r"""What the seed paper leaves out: the one-loop neutrino mass, Z -> N1 N2, the oblique T parameter, and the
dark photon's own (g-2) loop (``docs/derivation.md`` sections 5-8; ``physics-beyond-the-paper`` 3-4).

Every function is pure, differentiable and in float64. Masses ``M1``, ``M2`` of the heavy neutral states are
*signed* (:func:`signed_masses`): ``M_n = eta_n |M_n|`` with the CP parities ``eta_n = +-1`` of the point.
``M1 = -M2`` is a Dirac N (lepton number conserved): the neutrino mass and the transition moment vanish.
"""

import jax.numpy as jnp

from jaxtmm._constants import ALPHA_EM, M_Z_GEV, S2W_MSBAR
from jaxtmm._quadrature import exprel, gauss_legendre_01, safe_sqrt, u_over_sinh
from jaxtmm._x64 import require_x64
from jaxtmm.model import Point

PI = jnp.pi


def signed_masses(p: Point):
    """``(M1, M2)`` with their CP parities: ``eta1 |M1|``, ``eta2 |M2|``, stacked (shape (2, ...))."""
    return jnp.stack([p.eta1 * jnp.abs(p.M1), p.eta2 * jnp.abs(p.M2)])


def rotation(theta):
    """``O(theta) = [[cos, sin], [-sin, cos]]``, rows a (S_a), columns k (H_k or A_k), as in Eq. (2.9)."""
    c, s = jnp.cos(theta), jnp.sin(theta)
    return jnp.array([[c, s], [-s, c]])


def rotated_yukawas(p: Point):
    """``(y O_R, y O_I)``: the Yukawas of each lepton flavour alpha to the mass-state scalars H_k and A_k (Eq. 2.9)."""
    return p.y @ rotation(p.theta_R).astype(p.y.dtype), p.y @ rotation(p.theta_I).astype(p.y.dtype)


def scalar_overlap(p: Point):
    """``C = O_R^T O_I``: the ``A' H_k A_l`` coupling is ``g_D Q_S C_kl`` (Eq. 2.16)."""
    return rotation(p.theta_R).T @ rotation(p.theta_I)


def scalar_masses(p: Point):
    """``(m_H1, m_H2, m_A1, m_A2)`` (GeV), stacked."""
    return jnp.stack([jnp.asarray(m, dtype=jnp.float64) for m in (p.m_H1, p.m_H2, p.m_A1, p.m_A2)])


#: The Z2-odd neutral states, in the order of :func:`dark_masses`.
DARK = ("N1", "N2", "H1", "H2", "A1", "A2")


def dark_masses(p: Point):
    """Physical masses (GeV) of :data:`DARK`, stacked."""
    return jnp.abs(jnp.concatenate([signed_masses(p), scalar_masses(p)]))


# ---------------------------------------------------------------------------------------------
# The one-loop Majorana neutrino mass (docs/derivation.md section 5)
# ---------------------------------------------------------------------------------------------


def mass_log(M, m):
    r"""``F(M, m) = m^2 / (m^2 - M^2) ln(m^2 / M^2)``, finite at ``m = M`` (value 1); dimensionless.

    The finite part of ``B_0(0; M, m)`` that survives the sum over CP-even and CP-odd scalars.
    """
    w = 2.0 * (jnp.log(m) - jnp.log(jnp.abs(M)))
    return 1.0 / exprel(-w)


def mass_kernel(p: Point):
    r"""``K`` (2 x 2, GeV) of the loop mass ``m = lc K lc^T``:

    .. math:: K = \sum_n \frac{M_n}{64\pi^2}\left[O_R F^H_n O_R^T - O_I F^A_n O_I^T\right],\qquad
              F^X_n = \mathrm{diag}_k\, F(M_n, m_{X_k})

    with signed ``M_n``. The divergent parts cancel because ``O_R O_R^T = O_I O_I^T = 1``.
    """
    require_x64()
    Ms = signed_masses(p)
    mH = jnp.stack([jnp.asarray(p.m_H1), jnp.asarray(p.m_H2)])
    mA = jnp.stack([jnp.asarray(p.m_A1), jnp.asarray(p.m_A2)])
    h = jnp.sum(Ms[:, None] * mass_log(Ms[:, None], mH[None, :]), axis=0)  # sum_n M_n F(M_n, m_Hk)
    a = jnp.sum(Ms[:, None] * mass_log(Ms[:, None], mA[None, :]), axis=0)
    OR, OI = rotation(p.theta_R), rotation(p.theta_I)
    return ((OR * h) @ OR.T - (OI * a) @ OI.T) / (64.0 * PI**2)


def mass_differences(p: Point):
    r"""``D[n, k, l] = M_n [F(M_n, m_Hk) - F(M_n, m_Al)]`` (GeV), signed ``M_n``: the N_n contribution to each
    CP-even minus CP-odd difference ``h_k - a_l = sum_n D[n, k, l]`` of ``docs/derivation.md`` section 5."""
    Ms = signed_masses(p)
    mH = jnp.stack([jnp.asarray(p.m_H1), jnp.asarray(p.m_H2)])
    mA = jnp.stack([jnp.asarray(p.m_A1), jnp.asarray(p.m_A2)])
    FH = mass_log(Ms[:, None], mH[None, :])  # (n, k)
    FA = mass_log(Ms[:, None], mA[None, :])  # (n, l)
    return Ms[:, None, None] * (FH[:, :, None] - FA[:, None, :])


def _x_of(D, delta):
    """``X = cos^2 Delta D_11 D_22 + sin^2 Delta D_12 D_21`` of the 2 x 2 sums ``D[k, l]``."""
    return jnp.cos(delta) ** 2 * D[0, 0] * D[1, 1] + jnp.sin(delta) ** 2 * D[0, 1] * D[1, 0]


def mass_determinant(p: Point):
    r"""``X = cos^2 Delta (h_1 - a_1)(h_2 - a_2) + sin^2 Delta (h_1 - a_2)(h_2 - a_1)``, ``Delta = theta_I - theta_R``
    (GeV^2): ``det K = X / (64 pi^2)^2`` (``docs/derivation.md`` section 5), so the product of the two loop masses
    is ``|det lc'|^2 |X| / (64 pi^2)^2``."""
    return _x_of(jnp.sum(mass_differences(p), axis=0), p.theta_I - p.theta_R)


def mass_cancellation(p: Point):
    r"""How far the neutrino mass cancels between its contributions, in ``[0, 1]`` (1: no cancellation):

    .. math:: c = \sqrt{|X| / X_{abs}},\qquad X_{abs} = \cos^2\Delta\, |D|_{11} |D|_{22} + \sin^2\Delta\, |D|_{12} |D|_{21},
              \quad |D|_{kl} = \sum_n |M_n [F(M_n, m_{H_k}) - F(M_n, m_{A_l})]|

    (:func:`mass_determinant`, :func:`mass_differences`). For degenerate pairs ``m_Hk = m_Ak`` it is the
    ``|sum_n M_n Delta F_n| / sum_n |M_n Delta F_n|`` of N1 against N2; in general it also measures the cancellation
    between the CP-even and CP-odd terms of X. ``1/c`` is the factor by which the product of the loop masses,
    ``|det K|``, sits below its size without cancellation, at fixed couplings (the moment does not change).
    """
    D = mass_differences(p)
    delta = p.theta_I - p.theta_R
    X = _x_of(jnp.sum(D, axis=0), delta)
    Xabs = _x_of(jnp.sum(jnp.abs(D), axis=0), delta)
    ok = Xabs > 0
    return jnp.where(ok, safe_sqrt(jnp.abs(X) / jnp.where(ok, Xabs, 1.0)), 1.0)


def m_nu_loop_matrix(lc, K):
    """The loop-induced Majorana mass matrix ``lc K lc^T`` (3 x 3, complex, GeV) from the couplings ``lc[i, a]``
    of nu_i to S_a^* and the kernel :func:`mass_kernel`."""
    return lc @ K.astype(lc.dtype) @ lc.T


def _invariants(lc, K):
    """``(s1^2 + s2^2, s1 s2)`` of ``lc K lc^T``: ``||m||_F^2`` and ``|det K| det(lc^dagger lc)`` (thin QR of lc)."""
    F = jnp.sum(jnp.abs(m_nu_loop_matrix(lc, K)) ** 2)
    G = jnp.conj(lc).T @ lc
    return F, jnp.abs(jnp.linalg.det(K)) * jnp.real(G[0, 0] * G[1, 1] - jnp.abs(G[0, 1]) ** 2)


def m_nu_loop_values(lc, K):
    r"""The singular values of ``lc K lc^T`` in descending order (GeV): two masses and an exact zero (rank 2).

    Without an SVD (whose gradient is undefined at the zero), from :func:`_invariants`:
    ``s1,2 = (sqrt(F + 2P) +- sqrt(F - 2P)) / 2``.
    """
    F, P = _invariants(lc, K)
    total, diff = safe_sqrt(F + 2.0 * P), safe_sqrt(F - 2.0 * P)
    return jnp.stack([(total + diff) / 2.0, (total - diff) / 2.0, jnp.zeros_like(total)])


def sum_m_nu_loop(lc, K):
    """``m_1 + m_2 + m_3 = sqrt(s1^2 + s2^2 + 2 s1 s2)`` of the loop mass matrix (GeV), smooth wherever the couplings
    are non-zero."""
    F, P = _invariants(lc, K)
    return safe_sqrt(F + 2.0 * P)


# ---------------------------------------------------------------------------------------------
# Z -> N1 N2 (docs/derivation.md section 7)
# ---------------------------------------------------------------------------------------------


def kallen(M, m1, m2):
    """The Kallen function of masses, ``lambda(M^2, m1^2, m2^2) = (M - m1 - m2)(M + m1 + m2)(M - m1 + m2)(M + m1 - m2)``
    with ``|m1|``, ``|m2|`` (GeV^4 for masses in GeV): the product of the differences, which keeps its precision at
    threshold where the expanded ``a^2 + b^2 + c^2 - 2(ab + bc + ca)`` cancels to rounding."""
    a, b = jnp.abs(m1), jnp.abs(m2)
    return (M - a - b) * (M + a + b) * (M - a + b) * (M + a - b)


def axial_pair_shape(M1, M2, m):
    r"""``lambda^{1/2}(1, x1, x2) [1 - (x1+x2)/2 - (x1-x2)^2/2 - 3 M1 M2/m^2]``, ``x_n = M_n^2/m^2``: a vector of mass m
    decaying through an axial coupling to two Majorana states of signed masses M1, M2, in units of ``a^2 m/(12 pi)``
    (``a`` the coupling); zero at and above threshold ``|M1| + |M2| >= m``, with a finite gradient there."""
    x1, x2 = (M1 / m) ** 2, (M2 / m) ** 2
    lam = kallen(1.0, M1 / m, M2 / m)
    open_ = (jnp.abs(M1) + jnp.abs(M2) < m) & (lam > 0.0)
    shape = 1.0 - (x1 + x2) / 2.0 - (x1 - x2) ** 2 / 2.0 - 3.0 * M1 * M2 / m**2
    return jnp.where(open_, safe_sqrt(jnp.where(open_, lam, 1.0)) * shape, 0.0)


def delta_N_nu(p: Point):
    r"""Extra neutrino species in the Z's invisible width, ``Gamma(Z -> N1 N2) / Gamma(Z -> nu nubar)``:

    .. math:: \Delta N_\nu = 2\,\lambda^{1/2}(1, x_1, x_2)\left[1 - \frac{x_1 + x_2}{2}
              - \frac{(x_1 - x_2)^2}{2} - \frac{3 M_1 M_2}{m_Z^2}\right],\quad x_n = M_n^2 / m_Z^2

    from the axial coupling ``(g / 2 c_W) N2bar gamma^mu gamma_5 N1`` (the doublet's vector current in the
    Majorana basis), with signed masses; 0 above threshold ``|M1| + |M2| >= m_Z``. 2 for massless N,
    ``2 beta^3`` for equal masses of equal sign (P-wave), the Dirac width for ``M1 = -M2``. The scalars are
    SM singlets and E is heavy: no other Z decay to dark states exists at tree level.
    """
    require_x64()
    M1, M2 = signed_masses(p)
    return 2.0 * axial_pair_shape(M1, M2, M_Z_GEV)


# ---------------------------------------------------------------------------------------------
# Oblique T (docs/derivation.md section 8)
# ---------------------------------------------------------------------------------------------


def _x_coth_x_minus_1(x):
    small = jnp.abs(x) < 1e-2
    xs = jnp.where(small, 1.0, x)
    return jnp.where(small, x**2 / 3.0 - x**4 / 45.0 + 2.0 * x**6 / 945.0, xs / jnp.tanh(xs) - 1.0)


def theta_plus(m1, m2):
    r"""Lavoura-Silva ``theta_+(y1, y2) = y1 + y2 - 2 y1 y2 / (y1 - y2) ln(y1 / y2)``, ``y = m^2 / m_Z^2``."""
    y1, y2 = (m1 / M_Z_GEV) ** 2, (m2 / M_Z_GEV) ** 2
    w = 2.0 * (jnp.log(jnp.abs(m1)) - jnp.log(jnp.abs(m2)))
    return y1 + y2 - 2.0 * jnp.abs(m1 * m2) / M_Z_GEV**2 * u_over_sinh(w / 2.0)


def theta_minus(m1, m2):
    r"""Lavoura-Silva ``theta_-(y1, y2) = 2 sqrt(y1 y2) [(y1 + y2) / (y1 - y2) ln(y1 / y2) - 2]``, with the signed
    product ``m1 m2 / m_Z^2`` in place of ``sqrt(y1 y2)``."""
    w = 2.0 * (jnp.log(jnp.abs(m1)) - jnp.log(jnp.abs(m2)))
    return 4.0 * m1 * m2 / M_Z_GEV**2 * _x_coth_x_minus_1(w / 2.0)


def T_oblique(p: Point):
    r"""The oblique T of the vector-like doublet (N, E) with N split into the Majorana N1, N2 (finite form):

    .. math:: T = \frac{1}{16\pi s_W^2 c_W^2}\Big\{\sum_n \big[\theta_+(y_n, y_E) + s_n \theta_-(M_n, M_E)\big]
              - \big[\theta_+(y_1, y_2) - \theta_-(M_1, M_2)\big]\Big\},\quad s_1 = -1,\ s_2 = +1

    (Lavoura and Silva, Phys. Rev. D 47 (1993) 2046, with the W couplings of ``N = (N2 + gamma_5 N1)/sqrt 2``
    and the Z's axial N1-N2 coupling; ``docs/derivation.md`` section 8). The divergent parts cancel only
    for an SU(2)-symmetric spectrum (``M_E = m_D = (M2 - M1)/2`` and no Majorana mass ``(M1 + M2)/2``): the
    model as written is not UV-finite in T. This is the one-loop MS-bar T at the scale ``mu*`` where the logarithms
    ``ln(m_i^2 / mu^2)`` weighted by the divergence's coefficients vanish, ``ln mu*^2 = sum_i c_i ln m_i^2 / sum_i c_i``
    (``c_E = M_E (M_E - m_D)``, ``c_1 = M1 (M_E - M2) / 2``, ``c_2 = -M2 (M_E + M1) / 2``): ``mu* ~ M_E`` for a light N
    (the benchmark: 2000.00005 GeV, T = 107.65; at ``mu = m_Z`` T = -1222). An estimate, not a prediction
    (``docs/derivation.md`` section 8).
    """
    require_x64()
    M1, M2 = signed_masses(p)
    ME = jnp.asarray(p.M_E)
    charged = theta_plus(M1, ME) - theta_minus(M1, ME) + theta_plus(M2, ME) + theta_minus(M2, ME)
    neutral = theta_plus(M1, M2) - theta_minus(M1, M2)
    return (charged - neutral) / (16.0 * PI * S2W_MSBAR * (1.0 - S2W_MSBAR))


# ---------------------------------------------------------------------------------------------
# The dark photon's own (g-2) loop
# ---------------------------------------------------------------------------------------------

_N_AP = 256  # Gauss-Legendre nodes per half of [0, 1], in the logarithm of the distance to each end
_DELTA = 1e-20  # where the two halves stop short of the ends (the rest is below 1e-40 of the integral)


def dark_photon_g2_integral(r):
    r"""``I(r) = int_0^1 2 z (1-z)^2 / ((1-z)^2 + r z) dz`` for ``r = m_A'^2 / m_l^2`` (``I(0) = 1``,
    ``I ~ 2 / (3 r)`` for large r).

    Each half of [0, 1] is integrated in ``u = ln z`` (or ``ln(1 - z)``), where the integrand is analytic in a
    strip of half-width pi/2 whatever ``r``: 256 nodes give 1e-13 against mpmath for r in [1e-12, 1e16].
    """
    require_x64()
    r = jnp.asarray(r, dtype=jnp.float64)
    xi, wts = gauss_legendre_01(_N_AP)
    lo, hi = jnp.log(_DELTA), jnp.log(0.5)
    u = lo + (hi - lo) * xi
    t = jnp.exp(u)  # t in [delta, 1/2]
    rr = r[..., None]
    near0 = 2.0 * t * (1.0 - t) ** 2 / ((1.0 - t) ** 2 + rr * t) * t  # z = t, times dz/du = t
    near1 = 2.0 * (1.0 - t) * t**2 / (t**2 + rr * (1.0 - t)) * t  # z = 1 - t
    return (hi - lo) * ((near0 + near1) @ wts)


def delta_a_dark_photon(m_lepton, m_Ap, eps):
    r"""``Delta a_l = alpha eps^2 / (2 pi) I(m_A'^2 / m_l^2)`` (Pospelov, Phys. Rev. D 80 (2009) 095002)."""
    return ALPHA_EM * eps**2 / (2.0 * PI) * dark_photon_g2_integral((m_Ap / m_lepton) ** 2)
