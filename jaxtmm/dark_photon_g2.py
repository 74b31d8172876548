r"""The dark photon's own one-loop contribution to the leptons' (g-2) (``physics-beyond-the-paper`` 4)."""

import jax.numpy as jnp

from jaxtmm.constants import ALPHA_EM
from jaxtmm.precision import require_x64
from jaxtmm.quadrature import gauss_legendre_01

PI = jnp.pi

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
