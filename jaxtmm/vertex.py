r"""The A' nu nu vertex beyond the dipole: the one-loop vector (charge-radius) form factor at ``q^2 = 0``
(``docs/derivation.md`` section 15).

U(1)_D is broken by the Majorana masses (``M1 != -M2``) and by the scalar potential (``m_H != m_A``,
``theta_R != theta_I``), so the dark current is not conserved and the helicity-keeping, lepton-number-conserving
vertex ``F_ji ubar_j gamma^mu P_L u_i`` need not vanish at ``q^2 = 0``. Two independent derivations (docs) give

.. math:: F = \frac{g_D}{64\pi^2}\, \lambda W \lambda^\dagger,\qquad
          W_{ab} = 2\sum_k \big[O_R{}_{ak} O_R{}_{bk} J_F(m_{H_k}) + O_I{}_{ak} O_I{}_{bk} J_F(m_{A_k})\big]
                 + \sum_n \sum_{kl} C_{kl}\big[O_R{}_{ak} O_I{}_{bl} + O_I{}_{al} O_R{}_{bk}\big] J_S(M_n; m_{H_k}, m_{A_l}),

with ``C = O_R^T O_I``, ``J_F(m) = 1/2 + <ln Delta_F> + M1 M2 <1/Delta_F>`` (``Delta_F = x M1^2 + y M2^2 + z m^2``) from the
A' on the N line and ``J_S = -<ln Delta_S>`` (``Delta_S = x m_A^2 + y m_H^2 + z M_n^2``) from the A' on the scalar line;
``<f> = int_0^1 dx int_0^{1-x} dy f``. The divergences and the scale of the logarithms cancel between the two
(``Q_N + Q_S = 0``, the Yukawa's gauge invariance). ``lambda`` is the nu-N-S coupling; in the flavour basis
``lambda -> y`` (``lambda = U^dagger y``), so traces need only y. With U(1)_D restored (``M1 = -M2``, ``m_Hk = m_Ak``,
``theta_R = theta_I``) ``W = 0``. Q_S is taken as ``-Q_N`` (its magnitude 1): the point's ``Q_S`` is not used here.

The integrals use the scalar loop's machinery (:mod:`jaxtmm.loops`): ``x = s t``, ``y = s (1 - t)``, the ``s`` integral
in closed form, the ``t`` integral by Gauss-Legendre in ``ln A(t)``.
"""

import jax.numpy as jnp
import numpy as np

from jaxtmm.loops import N_NODES, _h1, _log_nodes, _split
from jaxtmm.model import Point
from jaxtmm.precision import require_x64
from jaxtmm.quadrature import horner
from jaxtmm.spectrum import rotation, signed_masses

PI = jnp.pi
_N_SERIES = 20
_j = np.arange(1, _N_SERIES + 1, dtype=np.float64)
# k(r) = int_0^1 s ln(r + (1 - r) s) ds = -sum_{j>=1} c^j / (j (j+1) (j+2)),  c = 1 - r
_K_SERIES = np.concatenate([[0.0], -1.0 / (_j * (_j + 1) * (_j + 2))])


def _k(w):
    """``int_0^1 s ln(r + (1-r) s) ds`` of ``w = ln r``: ``(-1/4 + r - 3 r^2/4 + r^2 w / 2) / (1 - r)^2``."""
    r, c, small, cs = _split(w)
    closed = (-0.25 + r - 0.75 * r * r + 0.5 * r * r * w) / cs**2
    return jnp.where(small, horner(_K_SERIES, c), closed)


def mean_log(M, m1, m2, n: int = N_NODES):
    """``<ln Delta> = int_simplex ln(x m2^2 + y m1^2 + (1-x-y) M^2)`` (masses in GeV, the log of GeV^2)."""
    require_x64()
    M, m1, m2 = jnp.broadcast_arrays(*(jnp.abs(jnp.asarray(a, dtype=jnp.float64)) for a in (M, m1, m2)))
    lA, _, wts, inv_lmean = _log_nodes(m1, m2, n)
    w = 2.0 * jnp.log(M)[..., None] - lA
    return inv_lmean * ((jnp.exp(lA) * (0.5 * lA + _k(w))) @ wts)


def mean_inverse(M, m1, m2, n: int = N_NODES):
    """``<1 / Delta>`` over the simplex (GeV^-2)."""
    require_x64()
    M, m1, m2 = jnp.broadcast_arrays(*(jnp.abs(jnp.asarray(a, dtype=jnp.float64)) for a in (M, m1, m2)))
    lA, _, wts, inv_lmean = _log_nodes(m1, m2, n)
    w = 2.0 * jnp.log(M)[..., None] - lA
    return inv_lmean * (_h1(w) @ wts)


def W_matrix(p: Point):
    """``W`` (2 x 2, real symmetric, dimensionless) of the vector form factor ``F = g_D / (64 pi^2) lambda W lambda^dagger``."""
    require_x64()
    M1, M2 = signed_masses(p)
    OR, OI = rotation(p.theta_R), rotation(p.theta_I)
    C = OR.T @ OI
    mH = jnp.stack([jnp.asarray(p.m_H1, dtype=jnp.float64), jnp.asarray(p.m_H2, dtype=jnp.float64)])
    mA = jnp.stack([jnp.asarray(p.m_A1, dtype=jnp.float64), jnp.asarray(p.m_A2, dtype=jnp.float64)])

    def JF(m):
        return 0.5 + mean_log(m, M1, M2) + M1 * M2 * mean_inverse(m, M1, M2)

    fermion = 2.0 * ((OR * JF(mH)) @ OR.T + (OI * JF(mA)) @ OI.T)
    JS = -(mean_log(M1, mH[:, None], mA[None, :]) + mean_log(M2, mH[:, None], mA[None, :]))  # (k, l), summed over n
    G = C * JS  # C_kl J_S,kl
    scalar = OR @ G @ OI.T
    return fermion + scalar + scalar.T


def vector_coupling(p: Point):
    """``F`` in the flavour basis (2 x 2 complex, e and mu; dimensionless): ``g_D / (64 pi^2) y W y^dagger``."""
    W = W_matrix(p).astype(p.y.dtype)
    return p.g_D / (64.0 * PI**2) * (p.y @ W @ jnp.conj(p.y).T)


def width_nu_nu_vector(p: Point):
    """``sum Gamma(A' -> nu nu)`` through the vector form factor (GeV), massless neutrinos: ``Tr(F F^dagger) m_A' / (24 pi)``
    (``|F_ii|^2 m / 24 pi`` for each flavour, ``|F_ij|^2 m / 12 pi`` for each pair i < j, both helicity assignments). The
    form factor is taken at ``q^2 = 0``: valid for ``m_A'`` below the loop's thresholds (``|M1| + |M2|`` and the scalar
    pairs), above which A' decays to dark states at tree level."""
    F = vector_coupling(p)
    return jnp.real(jnp.sum(F * jnp.conj(F))) * jnp.asarray(p.m_Ap, dtype=jnp.float64) / (24.0 * PI)
