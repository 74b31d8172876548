r"""The free parameters of a configuration as flat vectors, in two coordinate systems.

* ``u`` (the sampler's): unconstrained and smooth. Uniform and log-uniform priors map through a logistic
  function, ``x = low + (high - low) sigmoid(u)`` (or the same in ``ln x``); a Yukawa coupling with the
  disc prior ``|y| <= max`` maps from ``v`` in R^2 as ``y = max tanh(|v|) v / |v|`` (smooth: it is
  ``v g(|v|^2)`` with ``g(s) = tanh(sqrt s)/sqrt s`` analytic), whose Jacobian makes the uniform-in-disc
  prior the density ``tanh(r) sech(r)^2 / r`` in ``v`` (``r = |v|``): light, exponential tails for NUTS.
  :meth:`ParamSpace.log_prior_u` is the prior density in ``u`` including these Jacobians.
* ``z`` (the optimiser's): the natural coordinates, ``x`` for uniform, ``ln x`` for log-uniform and
  ``(re y, im y)`` for a disc, with the prior's support imposed by an exact projection
  (:meth:`ParamSpace.project_z`), so that optima on the boundary (``|y| = sqrt(4 pi)``) are reached.
  With ``polar=True`` a disc is the pair ``(|y|, arg y)`` instead: its support is then a box (the phase
  is free), and on the boundary a step along the circle is a step in one coordinate. Per-coordinate
  steps (Adam) in ``(re y, im y)`` are mostly radial there and projected away, which stalls them a few
  1e-5 short of an optimum on the circle; the maximiser polishes in polar coordinates for that reason
  (:meth:`ParamSpace.to_polar`, :meth:`ParamSpace.from_polar` convert).

Both map to a :class:`jaxtmm.Point`; parameters the configuration fixes, and any passed as overrides
(the scan's ``m_Ap`` and ``g_D``), fill in the rest.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from fits.config import Y_FLAT, Config
from jaxtmm.model import REAL_KEYS, Y_KEYS, Point
from jaxtmm.pmns import PMNS


def _tanhc(s):
    """tanh(sqrt(s)) / sqrt(s) for s >= 0, analytic at s = 0 (value and gradient)."""
    small = s < 1e-4
    ss = jnp.where(small, 1.0, s)
    r = jnp.sqrt(ss)
    return jnp.where(small, 1.0 - s / 3.0 + 2.0 * s * s / 15.0, jnp.tanh(r) / r)


def _log_cosh_sqrt(s):
    """ln cosh(sqrt(s)) for s >= 0, analytic at s = 0 and without overflow for large s."""
    small = s < 1e-4
    r = jnp.sqrt(jnp.where(small, 1.0, s))
    big = r + jnp.log1p(jnp.exp(-2.0 * r)) - jnp.log(2.0)
    return jnp.where(small, s / 2.0 - s * s / 12.0, big)


@dataclass(frozen=True, eq=False)
class ParamSpace:
    config: Config
    names: tuple  # free parameter names, in order
    slices: tuple  # (start, stop) of each in the flat vector
    polar: bool = False  # z of a disc: (re y, im y), or (|y|, arg y) if True

    @classmethod
    def from_config(cls, config: Config, exclude=(), polar: bool = False) -> "ParamSpace":
        """The free parameters of ``config``, less those in ``exclude`` (which must then be overridden)."""
        names, slices, k = [], [], 0
        for name, prior in config.free.items():
            if name in exclude or prior.kind == "sign":  # a free parity is discrete: set by the overrides
                continue
            names.append(name)
            slices.append((k, k + prior.dims))
            k += prior.dims
        return cls(config, tuple(names), tuple(slices), polar)

    @property
    def dim(self) -> int:
        return self.slices[-1][1] if self.slices else 0

    @property
    def labels(self) -> list[str]:
        """One label per coordinate (``y_e1.re``, ``y_e1.im`` for a disc)."""
        out = []
        for n in self.names:
            out += [f"{n}.re", f"{n}.im"] if self.config.free[n].kind == "disc" else [n]
        return out

    # ------------------------------------------------------------------ values -> point
    def point(self, values: dict, **overrides) -> Point:
        """A Point from the free values (name -> real or complex), the fixed ones and the overrides."""
        fixed = self.config.fixed
        unset = [k for k in self.config.signs if k not in overrides]
        if unset:
            raise ValueError(f"the free CP parit{'ies' if len(unset) > 1 else 'y'} {', '.join(unset)} need a value (+1 or "
                             "-1) as an override: a sign prior is enumerated, not sampled")  # fmt: skip
        get = lambda k: overrides.get(k, values.get(k, fixed.get(k)))  # noqa: E731
        y = jnp.stack([jnp.stack([jnp.asarray(get(k), dtype=jnp.complex128) for k in row]) for row in Y_KEYS])
        y = y * get("y_scale")
        reals = {k: jnp.asarray(get(k), dtype=jnp.float64) for k in REAL_KEYS}
        pmns = PMNS(*(jnp.float64(v) for v in self.config.pmns))
        return Point(y=y, pmns=pmns, **reals)

    # ------------------------------------------------------------------ sampler coordinates u
    def values_u(self, u) -> dict:
        out = {}
        for name, (a, b) in zip(self.names, self.slices):
            p = self.config.free[name]
            if p.kind == "disc":
                v = jax.lax.complex(u[..., a], u[..., a + 1])
                out[name] = p.max * v * _tanhc(u[..., a] ** 2 + u[..., a + 1] ** 2)
            else:
                lo, hi = p.z_box
                x = lo + (hi - lo) * jax.nn.sigmoid(u[..., a])
                out[name] = x if p.kind == "uniform" else jnp.exp(x)
        return out

    def log_prior_u(self, u):
        """Log prior density in u (up to a constant), Jacobians included."""
        lp = 0.0
        for name, (a, b) in zip(self.names, self.slices):
            if self.config.free[name].kind == "disc":
                sq = u[..., a] ** 2 + u[..., a + 1] ** 2
                lp = lp + jnp.log(_tanhc(sq)) - 2.0 * _log_cosh_sqrt(sq)
            else:
                lp = lp + jax.nn.log_sigmoid(u[..., a]) + jax.nn.log_sigmoid(-u[..., a])
        return lp

    def point_u(self, u, **overrides) -> Point:
        return self.point(self.values_u(u), **overrides)

    # ------------------------------------------------------------------ optimiser coordinates z
    def values_z(self, z) -> dict:
        out = {}
        for name, (a, b) in zip(self.names, self.slices):
            kind = self.config.free[name].kind
            if kind == "disc" and self.polar:
                r, phi = z[..., a], z[..., a + 1]
                out[name] = jax.lax.complex(r * jnp.cos(phi), r * jnp.sin(phi))
            elif kind == "disc":
                out[name] = jax.lax.complex(z[..., a], z[..., a + 1])
            elif kind == "uniform":
                out[name] = z[..., a]
            else:
                out[name] = jnp.exp(z[..., a])
        return out

    def point_z(self, z, **overrides) -> Point:
        return self.point(self.values_z(z), **overrides)

    def project_z(self, z):
        """The exact Euclidean projection of z onto the prior's support (box, or disc |y| <= max)."""
        parts = []
        for name, (a, b) in zip(self.names, self.slices):
            p = self.config.free[name]
            if p.kind == "disc" and self.polar:
                parts += [jnp.clip(z[..., a:a + 1], 0.0, p.max), z[..., a + 1:b]]
            elif p.kind == "disc":
                w = z[..., a:b]
                r = jnp.sqrt(jnp.sum(w**2, axis=-1, keepdims=True))
                parts.append(w * jnp.minimum(1.0, p.max / jnp.maximum(r, 1e-300)))
            else:
                parts.append(jnp.clip(z[..., a:b], *p.z_box))
        return jnp.concatenate(parts, axis=-1)

    def _active_bounds(self, row, rtol):
        """(label, outward unit normal in these coordinates) of each bound that one point ``row`` sits on:
        a disc's circle (normal ``(re y, im y)/|y|``, or ``e_|y|`` in polar coordinates) or a box's end."""
        for name, (a, b) in zip(self.names, self.slices):
            p = self.config.free[name]
            n = np.zeros(self.dim)
            if p.kind == "disc":
                r = row[a] if self.polar else np.hypot(row[a], row[a + 1])
                if r >= p.max * (1 - rtol):
                    if self.polar:
                        n[a] = 1.0
                    else:
                        n[a:b] = row[a:b] / r
                    yield f"|{name}| = {p.max:.6g}", n
            else:
                lo, hi = p.z_box
                span = hi - lo
                if row[a] <= lo + rtol * span:
                    n[a] = -1.0
                    yield f"{name} = low ({p.low:g})", n
                elif row[a] >= hi - rtol * span:
                    n[a] = 1.0
                    yield f"{name} = high ({p.high:g})", n

    def z_bounds_active(self, z, rtol=1e-9) -> list[list[str]]:
        """For each z in a batch (last axis = coordinates): the free parameters sitting on their bound."""
        return [[label for label, _ in self._active_bounds(row, rtol)] for row in np.atleast_2d(np.asarray(z))]

    def bound_normals(self, z, rtol=1e-9) -> np.ndarray:
        """The outward unit normals of the bounds that one point ``z`` sits on, shape (j, dim)."""
        normals = [n for _, n in self._active_bounds(np.asarray(z, float), rtol)]
        return np.array(normals).reshape(-1, self.dim)

    # ------------------------------------------------------------------ prior draws
    def _uniforms(self, key, n):
        return jax.random.uniform(key, (n, self.dim), dtype=jnp.float64, minval=1e-12, maxval=1 - 1e-12)

    def sample_prior_z(self, key, n: int):
        """n independent prior draws in z coordinates, shape (n, dim)."""
        U = self._uniforms(key, n)
        parts = []
        for name, (a, b) in zip(self.names, self.slices):
            p = self.config.free[name]
            if p.kind == "disc":
                rho, phi = p.max * jnp.sqrt(U[:, a]), 2 * jnp.pi * U[:, a + 1]
                parts += [rho, phi] if self.polar else [rho * jnp.cos(phi), rho * jnp.sin(phi)]
            else:
                lo, hi = p.z_box
                parts.append(lo + (hi - lo) * U[:, a])
        return jnp.stack(parts, axis=-1)

    def _convert(self, z, to_polar: bool):
        parts = []
        for name, (a, b) in zip(self.names, self.slices):
            if self.config.free[name].kind == "disc":
                x, y = z[..., a:a + 1], z[..., a + 1:b]
                parts += [jnp.hypot(x, y), jnp.arctan2(y, x)] if to_polar else [x * jnp.cos(y), x * jnp.sin(y)]
            else:
                parts.append(z[..., a:b])
        return jnp.concatenate(parts, axis=-1)

    def to_polar(self, z):
        """z of this (Cartesian) space in the coordinates of its polar twin (:attr:`polar`)."""
        assert not self.polar
        return self._convert(z, True)

    def from_polar(self, w):
        """The inverse of :meth:`to_polar`."""
        assert not self.polar
        return self._convert(w, False)

    def u_from_z(self, z):
        """The sampler coordinates of an interior point given in (Cartesian) optimiser coordinates."""
        assert not self.polar
        parts = []
        for name, (a, b) in zip(self.names, self.slices):
            p = self.config.free[name]
            if p.kind == "disc":
                w = z[..., a:b] / p.max
                rho = jnp.sqrt(jnp.sum(w**2, axis=-1, keepdims=True))
                parts.append(w * jnp.where(rho > 1e-8, jnp.arctanh(rho) / jnp.where(rho > 1e-8, rho, 1.0), 1.0))
            else:
                lo, hi = p.z_box
                t = (z[..., a:b] - lo) / (hi - lo)
                parts.append(jnp.log(t) - jnp.log1p(-t))
        return jnp.concatenate(parts, axis=-1)


__all__ = ["ParamSpace", "Y_FLAT"]
