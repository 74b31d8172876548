r"""The one-loop Majorana neutrino mass the couplings of the transition moment generate (``docs/derivation.md``
section 5; ``physics-beyond-the-paper`` 3): its kernel, the cancellation between the N's and the scalars, and the
masses, every function pure, differentiable and in float64.
"""

import jax.numpy as jnp

from jaxtmm.model import Point
from jaxtmm.precision import require_x64
from jaxtmm.quadrature import exprel, safe_sqrt
from jaxtmm.spectrum import rotation, signed_masses

PI = jnp.pi


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
    A, B, Aa, Ba = _x_terms(p)
    cos2, sin2 = jnp.cos(p.theta_I - p.theta_R) ** 2, jnp.sin(p.theta_I - p.theta_R) ** 2
    X, Xabs = cos2 * A + sin2 * B, cos2 * Aa + sin2 * Ba
    ok = Xabs > 0
    return jnp.where(ok, safe_sqrt(jnp.abs(X) / jnp.where(ok, Xabs, 1.0)), 1.0)


def _x_terms(p: Point):
    """``(A, B, A_abs, B_abs)``: X's CP-even and CP-odd factors, ``X = cos^2 Delta A + sin^2 Delta B``, and the same
    with every N's contribution taken by its modulus (:func:`mass_cancellation`'s ``X_abs``); none depends on the
    angles."""
    D = mass_differences(p)
    S, Sa = jnp.sum(D, axis=0), jnp.sum(jnp.abs(D), axis=0)
    return S[0, 0] * S[1, 1], S[0, 1] * S[1, 0], Sa[0, 0] * Sa[1, 1], Sa[0, 1] * Sa[1, 0]


def with_cancellation(p: Point, c):
    r"""The point ``p`` with ``theta_I`` moved so that :func:`mass_cancellation` is ``c`` (``docs/derivation.md``
    section 17): the CP-even and CP-odd terms of X cancelling at a tuned angle. Returns ``(point, solved)``.

    X and ``X_abs`` are linear in ``u = cos^2 Delta``, ``Delta = theta_I - theta_R``:
    ``X = u A + (1 - u) B``, ``X_abs = u A_abs + (1 - u) B_abs``, so ``X = s c^2 X_abs`` is solved in closed form,

    .. math:: u = \frac{b}{b - a},\qquad a = A - s c^2 A_{abs},\quad b = B - s c^2 B_{abs},

    a solution when ``a b < 0``: ``tan^2 Delta = -a / b``. The branch is ``p``'s own: ``s`` the sign of X at ``p`` and the sign of
    ``sin 2 Delta`` (the moment's, which is odd in Delta) that of ``p``; for that branch the solution is unique
    (``X / X_abs`` is a Moebius function of u, monotone). Where there is none (the two terms of X share a sign at
    this c, or c does not depend on the angle, as for degenerate pairs ``m_Hk = m_Ak``), ``p`` is returned
    unchanged and ``solved`` is False. Differentiable in every parameter and in c (closed form; no root finder).
    """
    A, B, Aa, Ba = _x_terms(p)
    delta0 = p.theta_I - p.theta_R
    X0 = jnp.cos(delta0) ** 2 * A + jnp.sin(delta0) ** 2 * B
    s = jnp.where(X0 < 0.0, -1.0, 1.0)
    sigma = jnp.where(jnp.sin(2.0 * delta0) < 0.0, -1.0, 1.0)
    c2 = jnp.asarray(c, dtype=jnp.float64) ** 2
    a, b = A - s * c2 * Aa, B - s * c2 * Ba
    den = b - a
    solved = (a * b < 0.0) & (jnp.abs(den) > 1e-12 * (Aa + Ba)) & (Aa + Ba > 0.0)
    # tan^2 Delta = -a / b, from the moduli (not 1 - u, which loses sin^2 Delta where it is tiny)
    delta = sigma * jnp.arctan2(safe_sqrt(jnp.abs(a)), safe_sqrt(jnp.abs(b)))
    theta_I = jnp.where(solved, p.theta_R + delta, p.theta_I)
    return p._replace(theta_I=theta_I), solved


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
