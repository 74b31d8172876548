r"""First-order optimality of a reported optimum, independent of how the optimiser got there.

At a local maximum of ``F`` subject to ``c_k <= 0`` and the prior's support (boxes and discs), the KKT
conditions ask for multipliers ``lam_k >= 0`` (one per binding constraint) and ``nu_j >= 0`` (one per
bound the point sits on, with outward normal ``n_j``) such that

    grad F = sum_k lam_k grad c_k + sum_j nu_j n_j.

:func:`kkt_residual` finds the multipliers by non-negative least squares (:func:`nnls`, Lawson and Hanson,
*Solving Least Squares Problems*, 1974, ch. 23) and returns the norm of what is left: zero at a KKT point,
whatever multiplier estimate the optimiser carried. (The optimiser's running augmented-Lagrangian estimate is
no such measure: each pass restarts it, and a polished optimum can carry an estimate near zero.)
"""

import numpy as np


def nnls(A, b, tol: float = 1e-12) -> np.ndarray:
    """``argmin_x |A x - b|`` subject to ``x >= 0`` (Lawson-Hanson active set)."""
    A, b = np.asarray(A, float), np.asarray(b, float)
    n = A.shape[1]
    x = np.zeros(n)
    passive = np.zeros(n, bool)
    scale = tol * max(1.0, np.abs(A).max(initial=0.0) * np.abs(b).max(initial=0.0))
    for _ in range(3 * n + 10):
        w = A.T @ (b - A @ x)
        if passive.all() or w[~passive].max(initial=-np.inf) <= scale:
            break
        passive[np.argmax(np.where(passive, -np.inf, w))] = True
        while True:
            s = np.zeros(n)
            s[passive] = np.linalg.lstsq(A[:, passive], b, rcond=None)[0]
            if (s[passive] > 0).all():
                break
            neg = passive & (s <= 0)
            alpha = np.min(x[neg] / (x[neg] - s[neg]))
            x = x + alpha * (s - x)
            passive &= x > tol
        x = s
    return x


def kkt_residual(grad_F, grad_c, bound_normals) -> tuple[float, np.ndarray, np.ndarray]:
    """``(|grad F - sum lam grad c - sum nu n|, lam, nu)`` with the least-squares non-negative multipliers.

    ``grad_c``: (k, d), the gradients of the binding constraints; ``bound_normals``: (j, d), the outward
    normals of the active bounds."""
    g = np.asarray(grad_F, float)
    cols = [np.atleast_2d(np.asarray(a, float)).reshape(-1, g.size) for a in (grad_c, bound_normals)]
    A = np.concatenate(cols, axis=0).T
    if A.shape[1] == 0:
        return float(np.linalg.norm(g)), np.zeros(0), np.zeros(0)
    x = nnls(A, g)
    k = cols[0].shape[0]
    return float(np.linalg.norm(g - A @ x)), x[:k], x[k:]
