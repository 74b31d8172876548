r"""The model's spectrum and mixing: the signed Majorana masses, the scalar rotations (Eq. 2.9 of the seed paper),
the couplings in the mass basis, and the two-body kinematics (Kallen function, an axial vector's decay to
two Majorana states) that the widths, the relic and the electroweak observables share.

Masses ``M1``, ``M2`` of the heavy neutral states are *signed* (:func:`signed_masses`): ``M_n = eta_n |M_n|`` with the
CP parities ``eta_n = +-1`` of the point. ``M1 = -M2`` is a Dirac N (lepton number conserved).
"""

import jax.numpy as jnp

from jaxtmm.model import Point
from jaxtmm.quadrature import safe_sqrt


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
