r"""The maximiser's last pass: a sequential-quadratic-programming polish of each optimum, one problem at a time.

The projected Adam passes of :mod:`fits.optimise.maximise` come close to a constrained optimum but can stop short of it where
a constraint is steep (a neutrino mass cancelled between N1 and N2, the oblique T near a cancellation: gradients
of ``ln r`` in the hundreds) and the penalty's steps are small. SLSQP (D. Kraft, *A software package for sequential
quadratic programming*, DFVLR-FB 88-28, 1988; ``scipy.optimize.minimize(method="SLSQP")``) takes each step from a
quadratic model of the Lagrangian (a BFGS Hessian) under the linearised constraints and bounds, and converges to
a KKT point superlinearly once it is near one. It is the polish, not the search: it runs from the Adam passes'
best candidates and its result replaces them only where it is better (:meth:`fits.optimise.maximise.Maximiser.best`).

The problem is solved in the polar optimiser coordinates (:class:`fits.problem.space.ParamSpace`, ``polar=True``), where
the prior's support is a box (``|y|`` between its bounds, phases and circular angles free), so that it is
SLSQP's ``bounds``. Gradients and constraint Jacobians are JAX's (one compiled function each, shared by every
problem). The objective is scaled so that its gradient at the start has norm :data:`SCALE`: SLSQP's first step is
the gradient itself (its Hessian starts at the identity), and an unscaled one leaves the region where the
constraints' linearisation means anything.
"""

import jax
import jax.numpy as jnp
import numpy as np

from fits.optimise.solver import Problem

SCALE = 0.1  # the norm of the scaled objective's gradient at the start
_BIG = 1e30


class SQP:
    """SLSQP on the problems of one :class:`fits.optimise.solver.Problem` (``F`` maximised, ``c <= 0``), ``bounds`` a box."""

    def __init__(self, problem: Problem, bounds: list, maxiter: int = 200, ftol: float = 1e-12):
        self.problem, self.bounds, self.maxiter, self.ftol = problem, bounds, maxiter, ftol
        self._vg = jax.jit(jax.value_and_grad(problem.F))
        self._c = jax.jit(problem.c)
        self._J = jax.jit(jax.jacfwd(problem.c))

    def solve(
        self, w0, ov: dict, mask, radius: float = 1.0, rounds: int = 24, tol: float = 1e-9
    ) -> tuple[np.ndarray, dict]:
        """Polish one start ``w0`` of the problem with overrides ``ov`` (name -> scalar) and constraint ``mask``
        (0/1 per constraint: those with 0 are left out). Returns the best point found and a report (``rounds``,
        ``nit``, ``accepted``).

        A trust region around SLSQP: each of at most ``rounds`` calls runs inside the box ``|w - w_k| <= radius``
        (intersected with the support) from the current point ``w_k``; its result is accepted if it is better
        (feasible to ``tol`` with a larger objective, or less infeasible from an infeasible point) and the radius
        then doubles, else it is kept and the radius quartered. Near a cancelled neutrino mass the feasible set
        is a thin curved valley whose constraints change by e^4 over a step of 0.1; an unbounded SLSQP step leaves
        it for regions where other constraints switch on (NA64's invisible search as a decay channel opens),
        a bounded one follows it."""
        from scipy.optimize import minimize

        on = np.flatnonzero(np.asarray(mask) > 0)
        ov = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in ov.items()}
        w = np.asarray(w0, dtype=float)

        last = {}  # the latest point's value and gradient: SciPy asks for fun(w) and jac(w) separately

        def vg(w):
            key = np.asarray(w, dtype=float).tobytes()
            if key not in last:
                v, g = self._vg(jnp.asarray(w), ov)
                v, g = float(v), np.asarray(g)
                last.clear()
                last[key] = (v, g) if np.isfinite(v) and np.isfinite(g).all() else (-_BIG, np.zeros_like(g))
            return last[key]

        def cons(w):  # SLSQP wants fun(w) >= 0
            c = np.asarray(self._c(jnp.asarray(w), ov))[on]
            return np.where(np.isfinite(c), -c, -_BIG)

        def jac(w):
            J = np.asarray(self._J(jnp.asarray(w), ov))[on]
            return np.where(np.isfinite(J), -J, 0.0)

        def merit(w):  # (violation beyond tol, -F): smaller is better, lexicographically
            viol = max(float(-cons(w).min(initial=0.0)), 0.0)
            return (viol if viol > tol else 0.0, -vg(w)[0])

        best = merit(w)
        nit = accepted = k = 0
        for k in range(rounds):  # noqa: B007 (k is the count of rounds returned)
            sc = SCALE / max(float(np.linalg.norm(vg(w)[1])), 1e-300)
            box = [
                (
                    max(lo, x - radius) if lo is not None else x - radius,
                    min(hi, x + radius) if hi is not None else x + radius,
                )
                for x, (lo, hi) in zip(w, self.bounds)
            ]
            try:
                res = minimize(
                    lambda v: -sc * vg(v)[0],
                    w,
                    jac=lambda v: -sc * vg(v)[1],
                    method="SLSQP",
                    bounds=box,
                    constraints=[{"type": "ineq", "fun": cons, "jac": jac}] if len(on) else [],
                    options={"maxiter": self.maxiter, "ftol": self.ftol},
                )
            except (ValueError, ArithmeticError):  # SciPy's own failures count as a rejected step
                res = None
            nit += int(res.nit) if res is not None else 0
            trial = res.x if res is not None and np.isfinite(res.x).all() else w
            m = merit(trial)
            if m < best:
                w, best, accepted, radius = trial, m, accepted + 1, 2.0 * radius
                if res.status == 0 and np.abs(trial - res.x).max() == 0 and _inside(trial, box, self.bounds):
                    break  # converged strictly inside the trust region: a KKT point of the problem itself
            else:
                radius /= 4.0
            if radius < 1e-8:
                break
        return w, {"rounds": k + 1, "nit": nit, "accepted": accepted}


def _inside(w, box, bounds) -> bool:
    """Whether ``w`` is off every trust-region face of ``box`` that is not also a face of the support ``bounds``."""
    for x, (lo, hi), (plo, phi) in zip(w, box, bounds):
        if (x <= lo + 1e-12 and (plo is None or lo > plo)) or (x >= hi - 1e-12 and (phi is None or hi < phi)):
            return False
    return True
