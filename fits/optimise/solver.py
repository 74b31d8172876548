r"""The maximiser's one seam: a pure, jittable augmented-Lagrangian round with the inner solver passed in.

For one problem (vmap it for a batch; :class:`fits.optimise.maximise.Maximiser` does):

    minimise   L(z; lam, rho) = -F(z, ov) + sum_k mask_k [max(0, lam_k + rho c_k(z, ov))^2 - lam_k^2] / (2 rho)

by ``inner`` steps of ``solver(lr)`` (any ``optax.GradientTransformation`` factory of the learning rate: ``optax.adam``,
``optax.sgd``, ``lambda lr: optax.chain(optax.clip(1.0), optax.adam(lr))``, or one that needs the value and the
function too, as ``optax.lbfgs`` and its line search do: every solver is given ``value``, ``grad`` and
``value_fn``), each step followed by ``project`` (the prior's support), then update the multipliers, ``lam_k <- mask_k max(0, lam_k + rho c_k)`` (Nocedal & Wright,
*Numerical Optimization*, 2nd ed., Sec. 17.4, for inequality constraints).

``ov``, the problem's overrides (``m_Ap``, ``g_D``, CP parities, targets), is any pytree: ``F``, ``c`` and
``project`` are pure functions of ``(z, ov)`` and ``z``. Nothing here holds state; the functions and the solver are
static arguments of the jitted round.
"""

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax


class Problem(NamedTuple):
    """The pure functions of one maximisation: objective ``F(z, ov)`` (maximised), constraints ``c(z, ov)`` (each
    ``<= 0`` when satisfied, shape (k,)) and the exact projection ``project(z)`` onto the support."""

    F: Callable
    c: Callable
    project: Callable


def lagrangian(problem: Problem, z, ov, mask, lam, rho):
    """The augmented Lagrangian of the inequality constraints the ``mask`` enables (Powell-Hestenes-Rockafellar)."""
    c = problem.c(z, ov)
    psi = (jnp.maximum(0.0, lam + rho * c) ** 2 - lam**2) / (2.0 * rho)
    return -problem.F(z, ov) + jnp.sum(mask * psi)


def al_round(problem: Problem, solver: Callable, z, ov, mask, lam, rho, lr, inner: int):
    """One round for one problem: ``inner`` projected steps of ``solver(lr)`` on the augmented Lagrangian, then the
    multiplier update. Pure: returns ``(z, lam)``."""
    opt = optax.with_extra_args_support(solver(lr))
    fn = partial(lagrangian, problem, ov=ov, mask=mask, lam=lam, rho=rho)
    vg = jax.value_and_grad(fn)

    def step(carry, _):
        z, state = carry
        value, grad = vg(z)
        upd, state = opt.update(grad, state, z, value=value, grad=grad, value_fn=fn)
        return (problem.project(optax.apply_updates(z, upd)), state), None

    # a loop with a traced trip count: one compiled round serves every stage's number of inner steps
    z, _ = jax.lax.fori_loop(0, inner, lambda _, carry: step(carry, None)[0], (z, opt.init(z)))
    return z, mask * jnp.maximum(0.0, lam + rho * problem.c(z, ov))


def batched_round(problem: Problem, solver: Callable, z, ov, mask, lam, rho, lr, inner: int):
    """:func:`al_round` for a batch: ``z``, every leaf of ``ov``, ``mask`` and ``lam`` with a leading problem axis;
    ``rho``, ``lr`` and ``inner`` shared. Jit it with ``problem`` and ``solver`` static (the maximiser does, once per
    instance: the compiled rounds go with it); ``inner`` may be traced (the steps are a ``fori_loop``)."""
    return jax.vmap(al_round, in_axes=(None, None, 0, 0, 0, 0, None, None, None))(
        problem, solver, z, ov, mask, lam, rho, lr, inner
    )


def solver_name(solver: Callable) -> str:
    """``optax.adam`` and the like, for provenance records."""
    mod = getattr(solver, "__module__", "") or ""
    name = getattr(solver, "__qualname__", None) or repr(solver)
    return f"{'optax' if mod.startswith('optax') else mod}.{name}".lstrip(".")


def settings_record(settings) -> dict:
    """A dataclass of settings (``fits.optimise.maximise.Settings``) as JSON-ready data, each solver (the settings' and any
    stage's own) by name."""
    from dataclasses import asdict, fields

    out = asdict(settings)
    for f in fields(settings):
        v = getattr(settings, f.name)
        if f.name == "solver":
            out[f.name] = solver_name(v)
        elif getattr(v, "solver", None) is not None:
            out[f.name]["solver"] = solver_name(v.solver)
    return out
