"""The maximiser's seam (fits.optimise.solver): a pure augmented-Lagrangian round, any optax solver, overrides as a pytree,
against a problem solved by hand."""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from fits.optimise.maximise import Settings, Stage
from fits.optimise.solver import Problem, batched_round, settings_record, solver_name

# maximise F = -(z0 - 2)^2 - (z1 + 1)^2 subject to c = z0 + z1 - a <= 0, z0 <= zmax (the projection): the overrides
# {"a": ..., "box": {"zmax": ...}} are a nested pytree. By hand (KKT: 2 (z - (2, -1)) + lam (1, 1) = 0 on z0 + z1 = a):
#   a = 0.5, no box:  z = (1.75, -1.25), lam = 0.5
#   a = 3,   no box:  the constraint is slack, z = (2, -1), lam = 0
#   a = 0.5, z0 <= 1.5: z0 on its bound, z1 = -1 (its own optimum), c = 0 with lam = 0
PROBLEM = Problem(
    F=lambda z, ov: -((z[0] - 2.0) ** 2) - (z[1] + 1.0) ** 2,
    c=lambda z, ov: jnp.stack([z[0] + z[1] - ov["a"]]),
    project=lambda z: z.at[0].min(1.5),
)
FREE = PROBLEM._replace(project=lambda z: z)
SOLVERS = [
    optax.adam,
    lambda lr: optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(lr)),
    lambda lr: optax.lbfgs(),
]  # L-BFGS's line search asks for the value and the function too


def solve(problem, solver, a):
    step = jax.jit(partial(batched_round, problem, solver), static_argnums=6)
    n = len(a)
    z, ov, mask, lam = jnp.zeros((n, 2)), {"a": jnp.asarray(a)}, jnp.ones((n, 1)), jnp.zeros((n, 1))
    rho, lr = 1.0, 0.1
    for _ in range(40):
        z, lam = step(z, ov, mask, lam, rho, lr, 200)
        rho, lr = min(2 * rho, 1e3), 0.75 * lr
    return np.asarray(z), np.asarray(lam)[:, 0]


@pytest.mark.parametrize("solver", SOLVERS, ids=["adam", "clipped sgd", "lbfgs"])
def test_round_reaches_the_kkt_point(solver):
    z, lam = solve(FREE, solver, [0.5, 3.0])
    np.testing.assert_allclose(z, [[1.75, -1.25], [2.0, -1.0]], atol=2e-6)
    np.testing.assert_allclose(lam, [0.5, 0.0], atol=2e-6)
    z, lam = solve(PROBLEM, solver, [0.5])
    np.testing.assert_allclose(z, [[1.5, -1.0]], atol=2e-6)
    assert z[0, 0] <= 1.5 and abs(lam[0]) < 2e-6


def test_masked_constraint_is_ignored_and_names_are_readable():
    step = jax.jit(partial(batched_round, FREE, optax.adam), static_argnums=6)
    z, lam = jnp.zeros((1, 2)), jnp.zeros((1, 1))
    for k in range(20):
        z, lam = step(z, {"a": jnp.array([0.5])}, jnp.zeros((1, 1)), lam, 10.0, 0.1 * 0.7**k, 200)
    np.testing.assert_allclose(np.asarray(z), [[2.0, -1.0]], atol=1e-6)  # the unconstrained optimum
    assert float(lam[0, 0]) == 0.0
    assert solver_name(optax.adam) == "optax.adam"
    rec = settings_record(Settings(polish=Stage(rounds=2, inner=5, lr=1.0, solver=optax.lbfgs)))
    assert (
        rec["solver"] == "optax.adam" and rec["polish"]["solver"] == "optax.lbfgs" and rec["explore"]["solver"] is None
    )
