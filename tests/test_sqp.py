"""The maximiser's pass 4 (fits.optimise.sqp): SLSQP inside a trust region, against problems solved by hand."""

import jax.numpy as jnp
import numpy as np
import pytest

from fits.optimise.solver import Problem
from fits.optimise.sqp import SQP

# maximise F = -(z0 - 2)^2 - (z1 + 1)^2 subject to c = z0 + z1 - a <= 0 and z0 <= 1.5 (a bound). By hand (KKT):
#   a = 0.5, no bound:    z = (1.75, -1.25)
#   a = 0.5, z0 <= 1.5:  z = (1.5, -1.0): z0 on its bound, the constraint active with multiplier 0
#   constraint masked:    z = (2, -1) (no bound), (1.5, -1) (bound)
QUAD = Problem(
    F=lambda z, ov: -((z[0] - 2.0) ** 2) - (z[1] + 1.0) ** 2,
    c=lambda z, ov: jnp.stack([z[0] + z[1] - ov["a"]]),
    project=lambda z: z,
)


@pytest.mark.parametrize(
    "bounds, mask, want",
    [
        ([(None, None), (None, None)], [1.0], [1.75, -1.25]),
        ([(None, 1.5), (None, None)], [1.0], [1.5, -1.0]),
        ([(None, None), (None, None)], [0.0], [2.0, -1.0]),
        ([(None, 1.5), (-5.0, 5.0)], [0.0], [1.5, -1.0]),
    ],
)
def test_sqp_reaches_the_kkt_point(bounds, mask, want):
    w, info = SQP(QUAD, bounds).solve(np.zeros(2), {"a": 0.5}, mask)
    np.testing.assert_allclose(w, want, atol=1e-9)
    assert info["accepted"] >= 1


# A thin curved valley, as a cancelled neutrino mass makes one: maximise F = z0 + z1 subject to
# |z1 - z0^2| <= 1e-3 (two constraints in the maximiser's signal-ratio form, r = +-(z1 - z0^2) / 1e-3, c = r - 1)
# and z0 <= 2. On the valley's upper edge F = z0 + z0^2 + 1e-3 grows for z0 > -1/2, so the optimum is
# z = (2, 4.001): KKT with multipliers 1e-3 (upper edge) and 5 (the bound), by hand.
VALLEY = Problem(
    F=lambda z, ov: z[0] + z[1],
    c=lambda z, ov: jnp.stack([(z[1] - z[0] ** 2) / 1e-3 - 1.0, -(z[1] - z[0] ** 2) / 1e-3 - 1.0]),
    project=lambda z: z,
)


@pytest.mark.parametrize("start", [(0.0, 0.0), (0.5, 3.0)], ids=["inside", "infeasible"])
def test_sqp_follows_a_thin_curved_valley(start):
    w, _info = SQP(VALLEY, [(-3.0, 2.0), (None, None)]).solve(np.array(start), {}, np.ones(2), rounds=60)
    np.testing.assert_allclose(w, [2.0, 4.001], atol=1e-9)
    c = np.asarray(VALLEY.c(jnp.asarray(w), {}))
    assert c.max() <= 1e-9
