r"""One-loop functions of the seed paper, in JAX, with fixed Gauss-Legendre quadrature.

Scalar-radiated loop (Eq. 2.19 and physics-spec section 3)
----------------------------------------------------------
.. math::

    J(M, m_1, m_2)   &= \int_0^1 dx \int_0^{1-x} dy \; \frac{x + y}{x m_2^2 + y m_1^2 + (1-x-y) M^2}, \\
    J_z(M, m_1, m_2) &= \int_0^1 dx \int_0^{1-x} dy \; \frac{1 - x - y}{x m_2^2 + y m_1^2 + (1-x-y) M^2}.

``J`` is the integral as printed in the paper; ``J_z`` carries the numerator that the derivation in
``docs/derivation.md`` finds for the scalar-radiated amplitude of Eq. 2.17 (the Feynman parameter of
the fermion line).

How they are computed
~~~~~~~~~~~~~~~~~~~~~
Write ``x = s t``, ``y = s (1 - t)`` (Jacobian ``s``). The denominator becomes
``s A(t) + (1 - s) M^2`` with ``A(t) = t m_2^2 + (1 - t) m_1^2``, and the ``s`` integral is elementary:

.. math::

    \int_0^1 \frac{s^2\,ds}{sA + (1-s)B} = \frac{h_2(B/A)}{A},\qquad
    \int_0^1 \frac{s(1-s)\,ds}{sA + (1-s)B} = \frac{h_z(B/A)}{A},

with ``h_2(r) = [(1-r^2)/2 - 2r(1-r) - r^2 ln r] / (1-r)^3`` and
``h_z(r) = (1 - r^2 + 2 r ln r) / (2 (1-r)^3)``; near ``r = 1``, where these lose digits, their Taylor
series in ``c = 1 - r`` are used. The remaining ``t`` integral runs over ``A`` from ``m_1^2`` to
``m_2^2``, which may span ten decades; in the variable ``u = ln A`` the integrand ``h(B e^{-u})`` is
analytic in a strip of half-width pi around the real axis whatever the masses, so a fixed
Gauss-Legendre rule in ``u`` converges geometrically: with 32 nodes the relative error against mpmath is
~1e-15 typically and 2.8e-13 at worst (scalar masses 1e-3 and 1e2 GeV with M between them); 48 nodes
give 3e-14 there. The Jacobian collects into ``1 / L(m_1^2, m_2^2)``, the reciprocal logarithmic mean, written as
``(d/2) / sinh(d/2) / (m_1 m_2)`` with ``d = ln(m_2^2 / m_1^2)`` so that degenerate masses are neither
0/0 in value nor in gradient.

Everything here broadcasts over array arguments and works under ``jit``, ``vmap`` and ``grad``.
"""

from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np

from jaxtmm.precision import require_x64
from jaxtmm.quadrature import exprel, gauss_legendre_01, horner, u_over_sinh

#: Default number of Gauss-Legendre nodes in ln(m^2): relative error <= 3e-13 for masses in [1e-3, 1e2] GeV.
N_NODES = 32

# |1 - r| below which the Taylor series replace the closed forms of h_1, h_2, h_z.
_C_SERIES = 0.15  # closed forms lose ~3 eps / c^3 <= 1e-13 outside
_N_SERIES = 20  # terms: 0.15**20 * 2/(21*22*23) ~ 1e-20
_k = np.arange(_N_SERIES, dtype=np.float64)
# h_1(r) = int s/(r + (1-r)s) ds       = sum_k c^k / ((k+1)(k+2))
_H1_SERIES = 1.0 / ((_k + 1) * (_k + 2))
# h_2(r) = int s^2/(r + (1-r)s) ds     = sum_k c^k * 2 / ((k+1)(k+2)(k+3))
_H2_SERIES = 2.0 / ((_k + 1) * (_k + 2) * (_k + 3))
# h_z(r) = int s(1-s)/(r + (1-r)s) ds  = sum_k c^k / ((k+2)(k+3))
_HZ_SERIES = 1.0 / ((_k + 2) * (_k + 3))


def _split(w):
    """From w = ln r: (r, c = 1 - r, mask of the series region, c made safe for the closed form)."""
    r = jnp.exp(w)
    c = -jnp.expm1(w)
    small = jnp.abs(c) < _C_SERIES
    c_safe = jnp.where(small, 0.5, c)
    return r, c, small, c_safe


def _h1(w):
    r, c, small, cs = _split(w)
    closed = (cs + r * w) / cs**2
    return jnp.where(small, horner(_H1_SERIES, c), closed)


def _h2(w):
    r, c, small, cs = _split(w)
    closed = (0.5 * cs * (1.0 + r) - 2.0 * r * cs - r * r * w) / cs**3
    return jnp.where(small, horner(_H2_SERIES, c), closed)


def _hz(w):
    r, c, small, cs = _split(w)
    closed = (cs * (1.0 + r) + 2.0 * r * w) / (2.0 * cs**3)
    return jnp.where(small, horner(_HZ_SERIES, c), closed)


def _log_nodes(m1, m2, n):
    """ln(A_k) at the Gauss-Legendre nodes between ln m1^2 and ln m2^2, and the Jacobian 1/L(m1^2, m2^2).

    The nodes are placed symmetrically about the midpoint, so swapping m1 and m2 gives the same set.
    """
    xi, wts = gauss_legendre_01(n)
    l1 = 2.0 * jnp.log(m1)
    l2 = 2.0 * jnp.log(m2)
    d = l2 - l1
    mid = 0.5 * (l1 + l2)
    lA = mid[..., None] + (xi - 0.5) * d[..., None]
    inv_lmean = jnp.exp(-mid) * u_over_sinh(0.5 * d)
    return lA, d, wts, inv_lmean


def _scalar_loop(h, M, m_phi1, m_phi2, n):
    require_x64()
    M, m1, m2 = jnp.broadcast_arrays(*(jnp.asarray(a, dtype=jnp.float64) for a in (M, m_phi1, m_phi2)))
    lA, _, wts, inv_lmean = _log_nodes(m1, m2, n)
    w = 2.0 * jnp.log(M)[..., None] - lA  # ln(B / A_k), B = M^2
    return inv_lmean * (h(w) @ wts)


def J(M, m_phi1, m_phi2, n: int = N_NODES):
    r"""The loop function of Eq. (2.19) as printed, numerator ``x + y``; in GeV^-2.

    .. math:: J(M, m_1, m_2) = \int_0^1 dx \int_0^{1-x} dy\, \frac{x+y}{x m_2^2 + y m_1^2 + (1-x-y) M^2}

    Symmetric in the two scalar masses; ``J(M, M, M) = 1 / (3 M^2)``.

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> round(float(J(1.0, 1.0, 1.0) * 3), 12)
    1.0
    """
    return _scalar_loop(_h2, M, m_phi1, m_phi2, n)


def J_z(M, m_phi1, m_phi2, n: int = N_NODES):
    r"""The scalar-radiated loop function with the derived numerator ``1 - x - y``; in GeV^-2.

    .. math:: J_z(M, m_1, m_2) = \int_0^1 dx \int_0^{1-x} dy\, \frac{1-x-y}{x m_2^2 + y m_1^2 + (1-x-y) M^2}

    ``J_z(M, M, M) = 1 / (6 M^2)``. See ``docs/derivation.md`` for why this is the numerator of Eq. 2.17.

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> round(float(J_z(2.0, 2.0, 2.0) * 24), 12)
    1.0
    """
    return _scalar_loop(_hz, M, m_phi1, m_phi2, n)


#: The two conventions of every observable (``docs/derivation.md``): ``corrected`` is what the derivation from
#: the paper's Lagrangian gives (default), ``paper`` the printed equations exactly.
CONVENTIONS = ("corrected", "paper")
LOOPS = {"corrected": J_z, "paper": J}


def check_convention(convention: str) -> str:
    """Validate a convention name (one of :data:`CONVENTIONS`)."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}, got {convention!r}")
    return convention


def loop_function(convention: str):
    """The scalar loop function of a convention: ``"corrected"`` (J_z, default) or ``"paper"`` (J)."""
    return LOOPS[check_convention(convention)]


def delta_J(M, m_H1, m_H2, m_A1, m_A2, convention: str = "corrected", n: int = N_NODES):
    r"""The mass-splitting combination of Eq. (2.21), in GeV^-2.

    .. math:: \Delta J = J(M, m_{H_1}, m_{A_1}) + J(M, m_{H_2}, m_{A_2})
                        - J(M, m_{H_1}, m_{A_2}) - J(M, m_{H_2}, m_{A_1})

    built from ``J_z`` (``convention="corrected"``) or ``J`` (``"paper"``). It vanishes for a degenerate
    scalar spectrum (the GIM-like cancellation), and keeps ~1e-9 relative accuracy down to splittings
    of 1e-3 of the mass, since each term is accurate to ~1e-15.
    """
    f = loop_function(convention)
    return f(M, m_H1, m_A1, n) + f(M, m_H2, m_A2, n) - f(M, m_H1, m_A2, n) - f(M, m_H2, m_A1, n)


# ---------------------------------------------------------------------------------------------
# mu -> e gamma loop function, Eq. (3.3)
# ---------------------------------------------------------------------------------------------

_D_SERIES = 0.5  # |x - 1| below which the series is used (closed form error ~5e-14 there)
_N_F2 = 56  # 0.5**56 / 59**2 ~ 4e-21
# F2(x) = sum_k (1 - x)^k / ((k+3)(k+4)): expand the numerator in d = x - 1 with ln(1 + d); the
# coefficient of d^n (n >= 4) is 6 (-1)^n / (n (n-1)), and the denominator is 6 d^4.
_F2_SERIES = np.array([float(Fraction(1, (k + 3) * (k + 4))) for k in range(_N_F2)])


@jax.custom_jvp
def _xlogx(x):
    """x ln x for x >= 0, with value 0 at x = 0 and the true derivative ln x + 1 (-inf at 0)."""
    return jnp.where(x > 0.0, x * jnp.log(jnp.where(x > 0.0, x, 1.0)), 0.0)


@_xlogx.defjvp
def _xlogx_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    return _xlogx(x), (jnp.log(x) + 1.0) * dx


def F2_tilde(x):
    r"""The dipole loop function of Eq. (3.3), for ``x = m_Phi^2 / M_E^2 >= 0``.

    .. math:: \tilde F_2(x) = \frac{2 + 3x - 6x^2 + x^3 + 6x\ln x}{6(1-x)^4}
              = \int_0^1 \frac{u^2 (1-u)\,du}{1 - u + x u}

    ``F2(0) = 1/3``, ``F2(1) = 1/12``. For ``|x - 1| < 0.5`` the Taylor series
    ``sum_k (1-x)^k / ((k+3)(k+4))`` replaces the closed form, which loses digits there. Values and
    gradients are finite at ``x = 1``; at ``x = 0`` the value is exact and the derivative is the true
    ``-inf`` (``F2'(x) ~ ln x``), which a gradient with respect to a mass ``m ~ sqrt(x)`` never meets
    at a positive mass.

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> float(F2_tilde(1.0)) * 12
    1.0
    """

    def closed(x):
        return (2.0 + 3.0 * x - 6.0 * x**2 + x**3 + 6.0 * _xlogx(x)) / (6.0 * (1.0 - x) ** 4)

    return _closed_or_series(x, closed, _F2_SERIES)


def _closed_or_series(x, closed, series):
    """``closed(x)`` away from ``x = 1`` and the series ``sum_k series[k] (1-x)^k`` for ``|x - 1| < 0.5``, where the
    closed form loses digits; the closed form is evaluated at a safe point there, so gradients stay finite."""
    require_x64()
    x = jnp.asarray(x, dtype=jnp.float64)
    d = x - 1.0
    near1 = jnp.abs(d) < _D_SERIES
    return jnp.where(near1, horner(series, -d), closed(jnp.where(near1, 2.0, x)))


_FN_SERIES = np.array([float(Fraction(2, (k + 2) * (k + 3) * (k + 4))) for k in range(_N_F2)])


def F_n(x):
    r"""The dipole loop function of a charged fermion E radiating the photon, with a neutral scalar in the
    loop, for ``x = m_Phi^2 / M_E^2 >= 0`` (``docs/derivation.md`` section 6; Leveille, Nucl. Phys. B137
    (1978) 63):

    .. math:: F_n(x) = \frac{1 - 6x + 3x^2 + 2x^3 - 6x^2\ln x}{6(1-x)^4}
              = \int_0^1 \frac{z (1-z)^2\,dz}{1 - z + z x}

    ``F_n(0) = 1/6``, ``F_n(1) = 1/12``. Eq. (3.3) of the seed paper is the function of the other topology
    (photon on the scalar line), :func:`F2_tilde`. Near ``x = 1`` the series
    ``sum_k (1-x)^k 2 / ((k+2)(k+3)(k+4))`` replaces the closed form.

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> round(float(F_n(0.0)) * 6, 12), round(float(F_n(1.0)) * 12, 12)
    (1.0, 1.0)
    """

    def closed(x):
        return (1.0 - 6.0 * x + 3.0 * x**2 + 2.0 * x**3 - 6.0 * x * _xlogx(x)) / (6.0 * (1.0 - x) ** 4)

    return _closed_or_series(x, closed, _FN_SERIES)


# ---------------------------------------------------------------------------------------------
# Fermion-radiated topology, Eq. (2.13)-(2.15)
# ---------------------------------------------------------------------------------------------


def fermion_radiated_integrand(x, y, M1, M2, m_phi):
    r"""The integrand of Eq. (2.13) for the transition N1 -> N2 with scalar Phi:

    .. math:: \frac{M_2 (1 + x - y) - M_1 (1 - x + y)}{x M_2^2 + y M_1^2 + (1 - x - y) m_\Phi^2}

    (Eq. 2.14, the reverse transition, is this with ``M1 <-> M2``.)
    """
    num = M2 * (1.0 + x - y) - M1 * (1.0 - x + y)
    return num / (x * M2**2 + y * M1**2 + (1.0 - x - y) * m_phi**2)


def fermion_radiated_integral(M1, M2, m_phi, n: int = N_NODES):
    r"""The double integral of Eq. (2.13) over the triangle, in GeV^-1:

    .. math:: I_{12} = \int_0^1 dx \int_0^{1-x} dy\,
              \frac{M_2 (1 + x - y) - M_1 (1 - x + y)}{x M_2^2 + y M_1^2 + (1 - x - y) m_\Phi^2}

    so that ``mu_L,12 = C / (16 pi^2) * I_12``. Computed like ``J``: with ``x = s t``, ``y = s(1-t)``
    the numerator is ``(M2 - M1) + s (2t - 1)(M1 + M2)``, the ``s`` integral is elementary and the
    ``t`` integral runs in ``ln A``, ``A = t M2^2 + (1 - t) M1^2``, on Gauss-Legendre nodes. Eq. (2.15)
    says ``I_12 + I_21 = 0`` exactly; :func:`fermion_radiated_integral` ``(M2, M1, m)`` is ``I_21``.
    """
    require_x64()
    M1, M2, mp = jnp.broadcast_arrays(*(jnp.asarray(a, dtype=jnp.float64) for a in (M1, M2, m_phi)))
    xi, _ = gauss_legendre_01(n)
    lA, d, wts, inv_lmean = _log_nodes(M1, M2, n)
    w = 2.0 * jnp.log(mp)[..., None] - lA
    # 2t - 1 at A = sqrt(A1 A2) e^v, v = (xi - 1/2) d:  (e^v - cosh(d/2)) / sinh(d/2), written without 0/0
    v = (xi - 0.5) * d[..., None]
    half = 0.5 * d[..., None]
    two_t_minus_1 = (2.0 * xi - 1.0) * exprel(v) * u_over_sinh(half) - jnp.tanh(0.5 * half)
    a = (M2 - M1)[..., None]
    b = two_t_minus_1 * (M1 + M2)[..., None]
    return inv_lmean * ((a * _h1(w) + b * _h2(w)) @ wts)
