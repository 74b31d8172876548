r"""The free parameters of a configuration as flat vectors, in two coordinate systems.

* ``u`` (the sampler's): unconstrained and smooth; :meth:`ParamSpace.log_prior_u` is the prior density in ``u``
  including the Jacobians.
* ``z`` (the optimiser's): the natural coordinates (``x``, ``ln x``, ``(re y, im y)``) with the prior's support
  imposed by an exact projection (:meth:`ParamSpace.project_z`), so that optima on the boundary
  (``|y| = sqrt(4 pi)``) are reached. With ``polar=True`` a complex coupling is the pair ``(|y|, arg y)`` instead:
  its support is then a box (the phase is free), and on the boundary a step along the circle is a step in one
  coordinate. Per-coordinate steps (Adam) in ``(re y, im y)`` are mostly radial there and projected away,
  which stalls them a few 1e-5 short of an optimum on the circle; the maximiser polishes in polar coordinates
  for that reason (:meth:`ParamSpace.to_polar`, :meth:`ParamSpace.from_polar` convert).

Each prior kind's maps are its own class (:mod:`fits.problem.priors`); this module lays them side by side. A ``logdisc``
coupling has three sampler coordinates and two optimiser ones, so the two vectors have their own slices.
Both map to a :class:`jaxtmm.Point`; parameters the configuration fixes, and any passed as overrides
(the scan's ``m_Ap`` and ``g_D``, the CP parities), fill in the rest.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from fits.problem.priors import Uniform, logit
from jaxtmm.model import REAL_KEYS, Y_FLAT, Y_KEYS, Point
from jaxtmm.numass import with_cancellation
from jaxtmm.pmns import PMNS

#: The optimiser's coordinate of the neutrino-mass cancellation (``ParamSpace(tuning=True)``): ``t`` in [0, 1],
#: ``c = floor ** t`` with the problem's override ``cancellation_floor``.
TUNING = "tuning"
TUNING_PRIOR = Uniform(0.0, 1.0)
FLOOR = "cancellation_floor"


@dataclass(frozen=True, eq=False)
class ParamSpace:
    config: object  # the fits.problem.config.Config whose free parameters these are
    names: tuple  # free parameter names, in order
    slices: tuple  # (start, stop) of each in the optimiser's flat vector z
    polar: bool = False  # z of a complex coupling: (re y, im y), or (|y|, arg y) if True
    u_slices: tuple = ()  # (start, stop) of each in the sampler's flat vector u
    tuning: bool = False  # whether the last coordinate is TUNING (the optimiser's; see from_config)

    @classmethod
    def from_config(cls, config, exclude=(), polar: bool = False, tuning: bool = False) -> "ParamSpace":
        """The free parameters of ``config`` (a :class:`fits.problem.config.Config`), less those in ``exclude`` (which
        must then be overridden).

        ``tuning``: the neutrino-mass cancellation ``c`` (``jaxtmm.mass_cancellation``) becomes a coordinate of the
        optimiser: a last coordinate ``t`` in [0, 1] (:data:`TUNING`) sets ``c = floor ** t``, ``floor`` the override
        :data:`FLOOR`, and the point's ``theta_I`` is solved from it (``jaxtmm.with_cancellation``, on the branch of
        the ``theta_I`` coordinate, which keeps it where there is no solution). Needs ``theta_R`` and ``theta_I`` free;
        the sampler's coordinates ``u`` do not have it."""
        if tuning and not {"theta_R", "theta_I"} <= set(config.free) - set(exclude):
            raise ValueError("the cancellation coordinate (tuning) needs theta_R and theta_I free")
        names, slices, u_slices, k, j = [], [], [], 0, 0
        for name, prior in config.free.items():
            if name in exclude or prior.kind == "sign":  # a free parity is discrete: set by the overrides
                continue
            names.append(name)
            slices.append((k, k + prior.z_dims))
            u_slices.append((j, j + prior.u_dims))
            k += prior.z_dims
            j += prior.u_dims
        if tuning:
            names.append(TUNING)
            slices.append((k, k + 1))
        return cls(config, tuple(names), tuple(slices), polar, tuple(u_slices), tuning)

    @property
    def priors(self) -> tuple:
        return tuple(TUNING_PRIOR if n == TUNING else self.config.free[n] for n in self.names)

    @property
    def dim(self) -> int:
        """Optimiser coordinates."""
        return self.slices[-1][1] if self.slices else 0

    @property
    def u_dim(self) -> int:
        """Sampler coordinates."""
        return self.u_slices[-1][1] if self.u_slices else 0

    @property
    def labels(self) -> list[str]:
        """One label per optimiser coordinate (``y_e1.re``, ``y_e1.im`` for a complex coupling)."""
        return [lbl for n, p in zip(self.names, self.priors) for lbl in p.labels(n)]

    # ------------------------------------------------------------------ values -> point
    def point(self, values: dict, **overrides) -> Point:
        """A Point from the free values (name -> real or complex), the fixed ones and the overrides."""
        fixed = self.config.fixed
        unset = [k for k in self.config.signs if k not in overrides]
        if unset:
            raise ValueError(
                f"the free CP parit{'ies' if len(unset) > 1 else 'y'} {', '.join(unset)} need a value (+1 or "
                "-1) as an override: a sign prior is enumerated, not sampled"
            )
        get = lambda k: overrides.get(k, values.get(k, fixed.get(k)))
        y = jnp.stack([jnp.stack([jnp.asarray(get(k), dtype=jnp.complex128) for k in row]) for row in Y_KEYS])
        y = y * get("y_scale")
        reals = {k: jnp.asarray(get(k), dtype=jnp.float64) for k in REAL_KEYS}
        pmns = PMNS(*(jnp.float64(v) for v in self.config.pmns))
        p = Point(y=y, pmns=pmns, **reals)
        if self.tuning:  # theta_I from the cancellation c = floor ** t
            floor = jnp.asarray(overrides[FLOOR], dtype=jnp.float64)
            p = with_cancellation(p, floor ** jnp.asarray(values[TUNING], dtype=jnp.float64))[0]
        return p

    # ------------------------------------------------------------------ sampler coordinates u
    def values_u(self, u) -> dict:
        out = {n: p.values_u(u[..., a:b]) for n, p, (a, b) in zip(self.names, self.priors, self.u_slices)}
        for (
            lo_name,
            hi_name,
        ) in self.config.ordered:  # the half a <= b of a symmetric pair (fits.problem.config.SYMMETRIC_PAIRS)
            p = self.config.free[lo_name]
            s = jax.nn.sigmoid(u[..., self.u_slices[self.names.index(lo_name)][0]])
            t = jax.nn.sigmoid(u[..., self.u_slices[self.names.index(hi_name)][0]])
            # (s, t) uniform on the square -> (sqrt(s) t, sqrt(s)) uniform on the triangle a <= b (Jacobian 2: a constant)
            lo, hi = p.z_box
            out[lo_name] = p.from_z(lo + (hi - lo) * jnp.sqrt(s) * t)
            out[hi_name] = p.from_z(lo + (hi - lo) * jnp.sqrt(s))
        return out

    def log_prior_u(self, u):
        """Log prior density in u (up to a constant), Jacobians included."""
        lp = 0.0
        for p, (a, b) in zip(self.priors, self.u_slices):
            lp = lp + p.log_prior_u(u[..., a:b])
        return lp

    def point_u(self, u, **overrides) -> Point:
        return self.point(self.values_u(u), **overrides)

    # ------------------------------------------------------------------ optimiser coordinates z
    def values_z(self, z) -> dict:
        return {n: p.values_z(z[..., a:b], self.polar) for n, p, (a, b) in zip(self.names, self.priors, self.slices)}

    def z_from_values(self, values: dict) -> np.ndarray:
        """The (Cartesian) optimiser coordinates of the free values ``values`` (name -> real or complex): ``x``,
        ``ln x`` (log-uniform) or ``(re y, im y)``; not projected onto the support. A missing value is a KeyError."""
        assert not self.polar
        return np.array([x for name, p in zip(self.names, self.priors) for x in p.z_of_value(values[name])])

    def point_z(self, z, **overrides) -> Point:
        return self.point(self.values_z(z), **overrides)

    def project_z(self, z):
        """The exact Euclidean projection of z onto the prior's support (box, disc |y| <= max or annulus)."""
        parts = [p.project_z(z[..., a:b], self.polar) for p, (a, b) in zip(self.priors, self.slices)]
        return jnp.concatenate(parts, axis=-1)

    def _active_bounds(self, row, rtol):
        """(label, outward unit normal in these coordinates) of each bound that one point ``row`` sits on:
        a disc's circle (normal ``(re y, im y)/|y|``, or ``e_|y|`` in polar coordinates) or a box's end."""
        for name, p, (a, b) in zip(self.names, self.priors, self.slices):
            for label, local in p.active_bounds(name, row[a:b], rtol, self.polar):
                if name == TUNING:  # t = 0: c = 1; t = 1: c = the floor
                    label = "cancellation at its floor (t = 1)" if local[0] > 0 else "cancellation 1 (t = 0)"
                n = np.zeros(self.dim)
                n[a:b] = local
                yield label, n

    def z_bounds_active(self, z, rtol=1e-9) -> list[list[str]]:
        """For each z in a batch (last axis = coordinates): the free parameters sitting on their bound."""
        return [[label for label, _ in self._active_bounds(row, rtol)] for row in np.atleast_2d(np.asarray(z))]

    def bound_normals(self, z, rtol=1e-9) -> np.ndarray:
        """The outward unit normals of the bounds that one point ``z`` sits on, shape (j, dim)."""
        normals = [n for _, n in self._active_bounds(np.asarray(z, float), rtol)]
        return np.array(normals).reshape(-1, self.dim)

    # ------------------------------------------------------------------ prior draws
    def z_from_unit(self, U, ordered: bool = False):
        """The prior's inverse CDF: z of points ``U`` of the unit cube, shape (n, dim) (a nested sampler's prior
        transform; uniform ``U`` gives prior draws). With ``ordered``, each pair of the configuration's option
        ``ordered`` is drawn uniformly on its half a <= b, by the sampler's map (:meth:`values_u`): the same
        posterior as NUTS's, not its mirror image."""
        parts = [p.sample_z(U[:, a:b], self.polar) for p, (a, b) in zip(self.priors, self.slices)]
        for lo_name, hi_name in self.config.ordered if ordered else ():
            i, j = self.names.index(lo_name), self.names.index(hi_name)
            lo, hi = self.priors[i].z_box
            s, t = U[:, self.slices[i][0]], U[:, self.slices[j][0]]
            parts[i], parts[j] = (lo + (hi - lo) * jnp.sqrt(s) * t)[:, None], (lo + (hi - lo) * jnp.sqrt(s))[:, None]
        return jnp.concatenate(parts, axis=-1)

    def sample_prior_z(self, key, n: int):
        """n independent prior draws in z coordinates, shape (n, dim)."""
        return self.z_from_unit(
            jax.random.uniform(key, (n, self.dim), dtype=jnp.float64, minval=1e-12, maxval=1 - 1e-12)
        )

    def to_polar(self, z):
        """z of this (Cartesian) space in the coordinates of its polar twin (:attr:`polar`)."""
        assert not self.polar
        return jnp.concatenate([p.to_polar(z[..., a:b]) for p, (a, b) in zip(self.priors, self.slices)], axis=-1)

    def from_polar(self, w):
        """The inverse of :meth:`to_polar`."""
        assert not self.polar
        return jnp.concatenate([p.from_polar(w[..., a:b]) for p, (a, b) in zip(self.priors, self.slices)], axis=-1)

    def polar_bounds(self) -> list:
        """``(low, high)`` of every coordinate of the polar twin (``None``: unbounded; a circular angle is wrapped
        by :meth:`project_z`): its support is a box."""
        return [b for p in self.priors for b in p.polar_bounds()]

    def u_from_z(self, z):
        """The sampler coordinates of an interior point given in (Cartesian) optimiser coordinates (an ordered pair
        given in the wrong order is taken in the right one: the point's symmetric twin)."""
        assert not self.polar
        parts = [p.u_from_z(z[..., a:b]) for p, (a, b) in zip(self.priors, self.slices)]
        for lo_name, hi_name in self.config.ordered:
            i, j = self.names.index(lo_name), self.names.index(hi_name)
            lo, hi = self.priors[i].z_box
            x, y = (z[..., self.slices[i][0]] - lo) / (hi - lo), (z[..., self.slices[j][0]] - lo) / (hi - lo)
            a, b = jnp.minimum(x, y), jnp.maximum(x, y)
            s, t = b**2, a / b
            parts[i], parts[j] = logit(s[..., None]), logit(t[..., None])
        return jnp.concatenate(parts, axis=-1)


__all__ = ["FLOOR", "TUNING", "Y_FLAT", "ParamSpace"]
