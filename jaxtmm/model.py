"""One model point of the dark-TMM model as a pytree (physics-spec section 2).

A :class:`Point` is a ``NamedTuple``: ``jit``, ``vmap`` and ``grad`` see through it, and a batch of
points is a ``Point`` whose leaves carry a leading axis.
"""

from typing import NamedTuple

import jax.numpy as jnp

from jaxtmm.pmns import NUFIT60_NO, PMNS

#: Row labels (alpha) and column labels (a) of the Yukawa matrix y[alpha, a] of Eq. (2.3).
Y_KEYS = (("y_e1", "y_e2"), ("y_mu1", "y_mu2"))
#: The same, row by row.
Y_FLAT = tuple(k for row in Y_KEYS for k in row)
#: Real parameters of a point besides y and the PMNS table, in file order.
REAL_KEYS = (
    "theta_R",
    "theta_I",
    "m_H1",
    "m_H2",
    "m_A1",
    "m_A2",
    "M1",
    "M2",
    "M_E",
    "m_Ap",
    "g_D",
    "eps",
    "Q_S",
    "eta1",
    "eta2",
)
#: The CP parities of N1 and N2 (signed Majorana masses ``eta_n M_n``): +1 or -1, both +1 by default.
PARITY_KEYS = ("eta1", "eta2")
#: Those that are masses (GeV) and must be positive.
MASS_KEYS = ("m_H1", "m_H2", "m_A1", "m_A2", "M1", "M2", "M_E", "m_Ap")


class Point(NamedTuple):
    """A model point. Masses in GeV, angles in radians.

    Attributes
    ----------
    y : complex (2, 2)
        Yukawa matrix ``y[alpha, a]``, rows alpha = (e, mu), columns a = (S1, S2) (Eq. 2.3).
    theta_R, theta_I :
        Mixing angles of the CP-even and CP-odd scalar components (Sec. 2.2).
    m_H1, m_H2, m_A1, m_A2 :
        Physical scalar masses.
    M1, M2 :
        Majorana heavy-neutral masses.
    M_E :
        Heavy charged lepton mass (Sec. 3.1).
    m_Ap, eps :
        Dark photon mass and kinetic mixing (Eq. 2.6).
    g_D, Q_S :
        Dark gauge coupling and scalar dark charge (Eq. 2.16).
    eta1, eta2 :
        CP parities of N1 and N2 (+1 or -1): the signed Majorana masses are ``eta_n M_n``. ``M1 = -M2`` is
        a Dirac N, for which the transition moment and the neutrino mass vanish.
    pmns :
        PMNS angles and phases (:class:`jaxtmm.pmns.PMNS`).
    """

    y: jnp.ndarray
    theta_R: float
    theta_I: float
    m_H1: float
    m_H2: float
    m_A1: float
    m_A2: float
    M1: float
    M2: float
    M_E: float
    m_Ap: float
    g_D: float
    eps: float
    Q_S: float = 1.0
    eta1: float = 1.0
    eta2: float = 1.0
    pmns: PMNS = NUFIT60_NO

    @classmethod
    def from_flat(cls, values: dict, pmns: PMNS = NUFIT60_NO) -> "Point":
        """Build a point from the flat keys of a point file (``y_e1 = (re, im)`` etc.); no validation here."""
        y = jnp.array(
            [[complex(*values[k]) for k in row] for row in Y_KEYS],
            dtype=jnp.complex128,
        )
        reals = {k: jnp.float64(values[k]) for k in REAL_KEYS if k in values}
        return cls(y=y, pmns=PMNS(*(jnp.float64(v) for v in pmns)), **reals)
