r"""The PMNS matrix in the PDG parametrisation (physics-spec section 2).

.. math:: U = V(\theta_{12}, \theta_{13}, \theta_{23}, \delta_{CP})\,
              \mathrm{diag}(1, e^{i\alpha_{21}/2}, e^{i\alpha_{31}/2})

Angles in radians; :data:`NUFIT60_NO` is the NuFIT 6.0 normal-ordering best fit (Majorana phases 0).
"""

import math
from typing import NamedTuple

import jax.numpy as jnp

from jaxtmm.constants import NUFIT60_NO_DEG
from jaxtmm.precision import require_x64


class PMNS(NamedTuple):
    """Mixing angles and phases of the PMNS matrix, radians (a pytree)."""

    theta12: float
    theta13: float
    theta23: float
    delta_CP: float
    alpha21: float = 0.0
    alpha31: float = 0.0

    @classmethod
    def from_degrees(cls, **deg) -> "PMNS":
        """Build from degrees; missing entries take the NuFIT 6.0 default."""
        unknown = set(deg) - set(cls._fields)
        if unknown:
            raise ValueError(f"unknown PMNS parameter(s): {', '.join(sorted(unknown))}")
        full = {**NUFIT60_NO_DEG, **deg}
        return cls(**{k: math.radians(full[k]) for k in cls._fields})


NUFIT60_NO = PMNS.from_degrees()


def pmns_matrix(p: PMNS):
    """The 3x3 complex PMNS matrix U[alpha, i], rows alpha = (e, mu, tau), columns i = 1..3."""
    require_x64()
    s12, c12 = jnp.sin(p.theta12), jnp.cos(p.theta12)
    s13, c13 = jnp.sin(p.theta13), jnp.cos(p.theta13)
    s23, c23 = jnp.sin(p.theta23), jnp.cos(p.theta23)
    e_md = jnp.exp(-1j * jnp.asarray(p.delta_CP, dtype=jnp.float64))
    e_pd = jnp.conj(e_md)
    V = jnp.array(
        [
            [c12 * c13, s12 * c13, s13 * e_md],
            [-s12 * c23 - c12 * s23 * s13 * e_pd, c12 * c23 - s12 * s23 * s13 * e_pd, s23 * c13],
            [s12 * s23 - c12 * c23 * s13 * e_pd, -c12 * s23 - s12 * c23 * s13 * e_pd, c23 * c13],
        ],
        dtype=jnp.complex128,
    )
    majorana = jnp.exp(0.5j * jnp.array([0.0, p.alpha21, p.alpha31], dtype=jnp.complex128))
    return V * majorana[None, :]
