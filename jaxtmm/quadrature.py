"""Gauss-Legendre rules on [0, 1] and the small gradient-safe helpers the loop integrals share."""

from functools import cache

import jax.numpy as jnp
import numpy as np


@cache
def gauss_legendre_01(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the n-point Gauss-Legendre rule mapped to [0, 1] (float64)."""
    if n < 1:
        raise ValueError(f"a Gauss-Legendre rule needs n >= 1 nodes, got {n}")
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def horner(coeffs: np.ndarray, c):
    """sum_k coeffs[k] c^k, evaluated by Horner's rule (coeffs as a NumPy constant)."""
    acc = jnp.full_like(c, coeffs[-1])
    for a in coeffs[-2::-1]:
        acc = acc * c + a
    return acc


def u_over_sinh(u):
    """u / sinh(u), with the removable point u = 0 safe for value and gradient (double where)."""
    small = jnp.abs(u) < 1e-4
    us = jnp.where(small, 1.0, u)
    series = 1.0 - u * u / 6.0 + 7.0 * u**4 / 360.0
    return jnp.where(small, series, us / jnp.sinh(us))


def exprel(v):
    """expm1(v) / v, safe at v = 0 for value and gradient."""
    small = jnp.abs(v) < 1e-5
    vs = jnp.where(small, 1.0, v)
    series = 1.0 + v / 2.0 + v * v / 6.0
    return jnp.where(small, series, jnp.expm1(vs) / vs)


def safe_sqrt(x):
    """sqrt(x) for x > 0 and 0 otherwise, with a finite (zero) gradient at and below 0."""
    pos = x > 0.0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, x, 1.0)), 0.0)
