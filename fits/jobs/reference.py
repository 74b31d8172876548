r"""The closed-form optimum of the ``paper`` preset, against which the maximiser is validated.

With free complex Yukawas ``|y_alpha a| <= y_max``, free mixing angles and ``eps`` free below an
experiment's limit, the largest ``mu_eff`` of the pair (1, 2) is

.. math::
    \mu_{12}^{\max} = \epsilon_{90}(m_{A'})\,\frac{g_D Q_S}{c\,\pi^2}\,|\det V_{12}|\; 2 y_{\max}^2\;
                      \Big|\sum_\alpha M_\alpha \Delta J_\alpha\Big|

since ``mu_12 ~ Im(conj(l_12) ...) = -Im(conj(det V) det y)`` with ``V = U[(e, mu), (1, 2)]``, and
``max |det y| = 2 y_max^2`` is reached by orthogonal rows (``y_e . conj(y_mu) = 0``), where
BR(mu -> e gamma) vanishes in the decoupling limit so MEG II does not bind; ``sin 2(theta_I - theta_R) = 1``.
``c = 64`` (paper convention, ``Im Omega``) or ``128`` (corrected, ``|Omega_12| = |det V| |det y|``): the same
maximiser of ``|det y|`` serves both. Valid for the ``paper`` constraint set only.
"""

import math

import jax.numpy as jnp
import numpy as np

from fits.problem.config import Config
from fits.problem.space import ParamSpace
from jaxtmm import loop_sum, pmns_matrix, to_mu_B


def paper_mu12_max(config: Config, eps_90, g_D):
    """``mu_12^max`` in mu_B for the fixed masses of ``config`` (the ``paper`` preset's free structure), at
    kinetic-mixing limit(s) ``eps_90`` and coupling(s) ``g_D`` (broadcast)."""
    space = ParamSpace.from_config(config)
    p = space.point_z(jnp.zeros(space.dim))  # only its fixed masses and PMNS angles enter
    U = np.asarray(pmns_matrix(p.pmns))
    detV = abs(U[0, 0] * U[1, 1] - U[0, 1] * U[1, 0])
    y_max = config.free["y_e1"].max
    c = 64 if config.convention == "paper" else 128
    unit = config.fixed["Q_S"] / (c * math.pi**2) * detV * 2 * y_max**2 * abs(float(loop_sum(p, config.convention)))
    return np.asarray(eps_90) * np.asarray(g_D) * float(to_mu_B(unit))
