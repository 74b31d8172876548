r"""A population search over the whole box before the local passes (issue #24 item 3): differential evolution,
``DE/rand/1/bin`` (Storn and Price, J. Global Optim. 11 (1997) 341), the method GAMBIT's Diver uses for profile
likelihoods (arXiv:1705.07959), with Deb's feasibility rules for the constraints (Comput. Methods Appl. Mech. Eng.
186 (2000) 311): a feasible point beats an infeasible one, two feasible points compare by the objective, two
infeasible ones by their violation.

Pure and jitted like a blackjax kernel: :func:`init` draws nothing itself (the caller gives the first population),
:func:`step` is one generation of every problem at once (``vmap`` over problems and members), and :func:`run` is
``lax.scan`` over generations. The objective is maximised; ``score(x) -> (objective, violation)`` with
``violation = max_k max(0, c_k)`` over the constraints in force.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp

#: The differential weight and the crossover rate (Storn and Price's robust defaults, as Diver's).
WEIGHT = 0.7
CROSSOVER = 0.9


class Population(NamedTuple):
    """Every problem's population: ``x`` (n, P, d) in a box, its objective ``f`` and violation ``v`` (n, P)."""

    x: jnp.ndarray
    f: jnp.ndarray
    v: jnp.ndarray


def better(f1, v1, f2, v2, tol: float):
    """Deb's rules: whether (f1, v1) beats or ties (f2, v2); a violation at most ``tol`` counts as feasible."""
    feas1, feas2 = v1 <= tol, v2 <= tol
    return jnp.where(feas1 & feas2, f1 >= f2, jnp.where(feas1 | feas2, feas1, v1 <= v2))


def init(score, x, args) -> Population:
    """The first population ``x`` (n, P, d) scored: ``score(x_row, args_problem) -> (f, v)``, ``args`` a pytree with
    a leading axis n (one problem each)."""
    f, v = jax.vmap(jax.vmap(score, in_axes=(0, None)))(x, args)
    return Population(x, f, v)


def step(score, project, state: Population, key, args, tol: float) -> Population:
    """One generation: for each member a mutant ``x_r1 + WEIGHT (x_r2 - x_r3)`` of three other members (drawn
    independently per problem), binomial crossover with rate CROSSOVER (one coordinate always from the mutant),
    ``project`` back into the box, and the trial replaces the member where it is :func:`better`."""
    n, P, d = state.x.shape
    k1, k2, k3 = jax.random.split(key, 3)
    # three distinct others per member i: drawn without replacement from P - 1 indices, those >= i shifted past i
    pick = lambda k: jax.random.choice(k, P - 1, (3,), replace=False)
    r = jax.vmap(pick)(jax.random.split(k1, n * P)).reshape(n, P, 3)
    r = r + (r >= jnp.arange(P)[None, :, None])
    take = lambda j: jnp.take_along_axis(state.x, r[..., j : j + 1], axis=1)
    mutant = take(0) + WEIGHT * (take(1) - take(2))
    cross = jax.random.uniform(k2, (n, P, d)) < CROSSOVER
    cross = cross | (jnp.arange(d)[None, None, :] == jax.random.randint(k3, (n, P, 1), 0, d))
    trial = project(jnp.where(cross, mutant, state.x))
    f, v = jax.vmap(jax.vmap(score, in_axes=(0, None)))(trial, args)
    keep = better(f, v, state.f, state.v, tol)
    return Population(
        jnp.where(keep[..., None], trial, state.x), jnp.where(keep, f, state.f), jnp.where(keep, v, state.v)
    )


def evolve(score, project, state: Population, key, args, generations: int, tol: float) -> Population:
    """``generations`` generations (``lax.scan`` over :func:`step`) from ``state``."""

    def body(s, k):
        return step(score, project, s, k, args, tol), None

    state, _ = jax.lax.scan(body, state, jax.random.split(key, generations))
    return state


def run(score, project, x0, key, args, generations: int, tol: float) -> Population:
    """``generations`` generations from the first population ``x0`` (n, P, d), projected into the box."""
    return evolve(score, project, init(score, project(x0), args), key, args, generations, tol)


def ranked(state: Population, tol: float):
    """Each problem's members from best to worst by Deb's rules, indices (n, P): feasible first by objective, then
    the infeasible by violation."""
    feas = state.v <= tol
    key = jnp.where(feas, -state.f, jnp.inf)
    return jnp.lexsort((state.v, key, ~feas), axis=-1)
