r"""Electroweak precision of the vector-like doublet: Z -> N1 N2 in the invisible width (``docs/derivation.md``
section 7) and the oblique T parameter (section 8).
"""

import jax.numpy as jnp

from jaxtmm.constants import M_Z_GEV, S2W_MSBAR
from jaxtmm.model import Point
from jaxtmm.precision import require_x64
from jaxtmm.quadrature import u_over_sinh
from jaxtmm.spectrum import axial_pair_shape, signed_masses

PI = jnp.pi


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
