r"""Maximisation inside a box, with no other constraint: L-BFGS on MINUIT's sine transform, batched.

Where nothing but the prior's box is imposed (a profile likelihood of a parameter: every likelihood is in the
objective, none is a constraint), the augmented-Lagrangian passes of :mod:`fits.optimise.maximise` are more than the
problem needs. Each bounded coordinate ``w in [lo, hi]`` is written as

    w = lo + (hi - lo) (sin u + 1) / 2,        u = arcsin(2 (w - lo) / (hi - lo) - 1),

MINUIT's transform for a parameter with two limits (F. James, *MINUIT Reference Manual*, CERN D506, section 1.2.1):
``u`` is unbounded, and an optimum on a bound (``|y| = max``) sits at ``u = +-pi/2`` where the gradient in ``u``
vanishes, at a finite point, so a quasi-Newton method converges to it. Unbounded coordinates (a phase, a circular
angle) are used as they are. The problem in ``u`` is smooth and unconstrained; :func:`maximise` runs L-BFGS (Nocedal
& Wright, *Numerical Optimization*, 2nd ed., algorithm 7.5, with a backtracking Armijo line search) inside a
``lax.while_loop`` until the gradient's norm falls below ``gtol``, no step decreases the objective, or ``max_iter``
steps, one start per row of a batch (vmap: every start of every problem in one compiled program). Written here rather
than taken from ``optax.lbfgs``: its zoom line search traces the objective six times, and with this model's
likelihoods tracing and compiling that program took longer than the whole profile.
"""

from collections.abc import Callable
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

#: The sufficient-decrease constant of the line search (Nocedal & Wright's c_1).
ARMIJO = 1e-4


def box_arrays(bounds: list) -> tuple[np.ndarray, np.ndarray]:
    """``(lo, hi)`` arrays from ``[(low, high) or (None, None), ...]``, NaN where a coordinate is unbounded."""
    lo = np.array([np.nan if b[0] is None else b[0] for b in bounds], dtype=float)
    hi = np.array([np.nan if b[1] is None else b[1] for b in bounds], dtype=float)
    return lo, hi


def to_u(w, lo, hi):
    """The unbounded coordinates of ``w`` (``w`` clipped into its box first)."""
    bounded = ~jnp.isnan(lo)
    lo_, hi_ = jnp.where(bounded, lo, 0.0), jnp.where(bounded, hi, 1.0)
    s = jnp.clip(2.0 * (w - lo_) / (hi_ - lo_) - 1.0, -1.0, 1.0)
    return jnp.where(bounded, jnp.arcsin(s), w)


def from_u(u, lo, hi):
    """The inverse of :func:`to_u`: ``w`` in its box for any ``u``."""
    bounded = ~jnp.isnan(lo)
    lo_, hi_ = jnp.where(bounded, lo, 0.0), jnp.where(bounded, hi, 1.0)
    return jnp.where(bounded, lo_ + (hi_ - lo_) * 0.5 * (jnp.sin(u) + 1.0), u)


def _direction(g, S, Y, rho, count):
    """``-H g`` by L-BFGS's two-loop recursion (Nocedal & Wright, algorithm 7.4) over the ``count`` newest pairs of
    the ring buffers ``S``, ``Y`` (row ``(count - 1) % m`` the newest), ``H_0 = gamma I``."""
    m = S.shape[0]
    newest = (count - 1) % m

    def back(j, carry):
        q, alpha = carry
        i = (newest - j) % m
        on = j < jnp.minimum(count, m)
        a = jnp.where(on, rho[i] * jnp.dot(S[i], q), 0.0)
        return q - a * Y[i], alpha.at[i].set(a)

    q, alpha = jax.lax.fori_loop(0, m, back, (g, jnp.zeros(m)))
    yy = jnp.dot(Y[newest], Y[newest])
    gamma = jnp.where((count > 0) & (yy > 0), jnp.dot(S[newest], Y[newest]) / jnp.where(yy > 0, yy, 1.0), 1.0)
    r = gamma * q

    def forward(j, r):
        i = (newest - (m - 1 - j)) % m
        on = (m - 1 - j) < jnp.minimum(count, m)
        b = rho[i] * jnp.dot(Y[i], r)
        return r + jnp.where(on, alpha[i] - b, 0.0) * S[i]

    r = jax.lax.fori_loop(0, m, forward, r)
    return -r


def _one(f: Callable, max_iter: int, gtol: float, w0, args, lo, hi, memory: int = 10):
    """Maximise ``f(w, args)`` from ``w0``: ``(w, f(w), iterations)``. L-BFGS with a backtracking (Armijo) line
    search on ``-f`` in the unbounded coordinates; a pair with ``s.y <= 0`` is not stored. The objective is traced
    twice (value and gradient, at the start and in the line search), which keeps the compiled program small."""
    fn = lambda u: -f(from_u(u, lo, hi), args)
    vg = jax.value_and_grad(fn)
    u0 = to_u(w0, lo, hi)
    v0, g0 = vg(u0)
    d = u0.shape[0]
    state0 = (u0, v0, g0, jnp.zeros((memory, d)), jnp.zeros((memory, d)), jnp.zeros(memory), 0, 0, False)

    def search(u, v, g, p):
        """Halve the step from 1 until the Armijo condition holds (at most 40 times): ``(t, f, grad, ok)``."""
        slope = jnp.dot(g, p)
        armijo = lambda t, vt: jnp.isfinite(vt) & (vt <= v + ARMIJO * t * slope)

        def more(c):
            t, vt, _, it = c
            return (it < 40) & ~armijo(t, vt)

        def halve(c):
            t, _, _, it = c
            t = jnp.where(it == 0, 1.0, 0.5 * t)
            vt, gt = vg(u + t * p)
            return t, vt, gt, it + 1

        t, vt, gt, _ = jax.lax.while_loop(more, halve, (1.0, jnp.inf, g, 0))
        return t, vt, gt, armijo(t, vt)

    def step(state):
        u, v, g, S, Y, rho, count, k, _ = state
        p = _direction(g, S, Y, rho, count)
        p = jnp.where(jnp.dot(g, p) < 0, p, -g)  # a descent direction, whatever the stored pairs
        p = jnp.where(count == 0, p / jnp.maximum(1.0, jnp.linalg.norm(p)), p)  # a first step of at most 1
        t, vt, gt, ok = search(u, v, g, p)
        s_, y_ = t * p, gt - g
        sy = jnp.dot(s_, y_)
        keep = ok & (sy > 1e-12 * jnp.linalg.norm(s_) * jnp.linalg.norm(y_))
        i = count % memory
        S = jnp.where(keep, S.at[i].set(s_), S)
        Y = jnp.where(keep, Y.at[i].set(y_), Y)
        rho = jnp.where(keep, rho.at[i].set(1.0 / jnp.where(keep, sy, 1.0)), rho)
        u, v, g = jnp.where(ok, u + s_, u), jnp.where(ok, vt, v), jnp.where(ok, gt, g)
        stuck = ~ok  # no decrease along a descent direction: at the optimum to rounding
        return u, v, g, S, Y, rho, count + keep, k + 1, stuck

    def more(state):
        _, _, g, _, _, _, _, k, stuck = state
        return (k < max_iter) & ~stuck & (jnp.linalg.norm(g) >= gtol)

    u, v, *_, k, _ = jax.lax.while_loop(more, step, state0)
    w = from_u(u, lo, hi)
    return w, -v, k


@partial(jax.jit, static_argnums=(0, 1, 2))
def maximise(f: Callable, max_iter: int, gtol: float, w0, args, lo, hi):
    """Maximise ``f(w, args)`` from each row of ``w0`` (``args``: a pytree with the same leading axis), ``w`` inside
    ``[lo, hi]`` (NaN: unbounded). Returns ``(w, f(w), iterations)``, one row each. ``f`` must be hashable (a
    bound method or a module-level function) and pure."""
    return jax.vmap(partial(_one, f, max_iter, gtol), in_axes=(0, 0, None, None))(w0, args, lo, hi)
