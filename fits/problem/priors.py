r"""The prior kinds of a free parameter, one class each, and the two coordinate systems each one lives in.

Every prior knows its own maps; :class:`fits.problem.space.ParamSpace` only lays them side by side in flat vectors.

* ``u`` (the sampler's): unconstrained and smooth, with :meth:`Prior.log_prior_u` the prior density in ``u``,
  Jacobian included.
* ``z`` (the optimiser's): the natural coordinates, with the prior's support imposed by an exact Euclidean
  projection (:meth:`Prior.project_z`) so that optima on a bound are reached. A complex coupling is
  ``(re y, im y)``, or ``(|y|, arg y)`` in the *polar* twin the maximiser polishes in.

=============  ==========================================  =====================================================
kind           prior                                       ``u`` (dims)
=============  ==========================================  =====================================================
uniform        ``x`` uniform on ``[low, high]``             ``x = low + (high - low) sigmoid(u)`` (1)
circular       an angle uniform over one period             the direction of ``w`` in R^2 under N(0, 1) (2)
loguniform     ``ln x`` uniform on ``[ln low, ln high]``    the same in ``ln x`` (1)
disc           complex ``y`` uniform in ``|y| <= max``      ``y = max tanh(|v|) v / |v|``, ``v`` in R^2 (2)
logdisc        ``ln |y|`` uniform on ``[ln min, ln max]``,  ``ln |y|`` as loguniform from ``t``; ``arg y`` the
               ``arg y`` uniform                            direction of ``w`` in R^2 under N(0, 1) (3)
sign           ``+1`` or ``-1`` (a CP parity)               none: enumerated or summed, never sampled (0)
=============  ==========================================  =====================================================

The ``disc`` map is smooth (it is ``v g(|v|^2)`` with ``g(s) = tanh(sqrt s)/sqrt s`` analytic) and its Jacobian
makes the uniform disc the density ``tanh(r) sech(r)^2 / r`` in ``v`` (``r = |v|``): light, exponential tails.
A ``logdisc`` coupling cannot be a smooth function of two coordinates (its modulus never reaches 0, so its
phase would be undefined where ``v = 0``): the phase is the direction of an auxiliary ``w`` whose length is a
nuisance with a chi density, Stan's construction of a unit vector. ``w = 0`` has probability zero, and its
neighbourhood a density that vanishes like ``|w|`` in the radius.
"""

import math
from dataclasses import dataclass
from typing import ClassVar

import jax
import jax.numpy as jnp
import numpy as np


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


def logit(t):
    """The inverse of the logistic sigmoid."""
    return jnp.log(t) - jnp.log1p(-t)


@dataclass(frozen=True)
class Prior:
    """A free parameter's prior. Subclasses set :attr:`kind`, :attr:`z_dims` and :attr:`u_dims` and the maps."""

    kind: ClassVar[str] = ""
    z_dims: ClassVar[int] = 1  # optimiser coordinates
    u_dims: ClassVar[int] = 1  # sampler coordinates

    @property
    def dims(self) -> int:
        """Continuous optimiser coordinates: 2 for a complex coupling, 0 for a sign, else 1."""
        return self.z_dims

    @property
    def is_complex(self) -> bool:
        return False

    def labels(self, name: str) -> list[str]:
        return [name]

    @property
    def largest(self) -> float:
        """The largest modulus the parameter can take."""
        raise NotImplementedError


# ----------------------------------------------------------------------------------------------- real
@dataclass(frozen=True)
class Uniform(Prior):
    """``x`` uniform on ``[low, high]``."""

    low: float = 0.0
    high: float = 1.0
    kind: ClassVar[str] = "uniform"

    @property
    def largest(self) -> float:
        return max(abs(self.low), abs(self.high))

    @property
    def z_box(self) -> tuple[float, float]:
        """The support in the optimiser's coordinate: ``(low, high)``, or ``(ln low, ln high)`` if log-uniform."""
        return self.low, self.high

    def from_z(self, z):
        return z

    def z_of_value(self, v) -> list:
        """The optimiser coordinates of the value ``v`` (the inverse of :meth:`values_z`), not projected."""
        return [float(v)]

    def values_u(self, u):
        lo, hi = self.z_box
        return self.from_z(lo + (hi - lo) * jax.nn.sigmoid(u[..., 0]))

    def log_prior_u(self, u):
        return jax.nn.log_sigmoid(u[..., 0]) + jax.nn.log_sigmoid(-u[..., 0])

    def values_z(self, z, polar=False):
        return self.from_z(z[..., 0])

    def project_z(self, z, polar=False):
        return jnp.clip(z, *self.z_box)

    def sample_z(self, U, polar=False):
        lo, hi = self.z_box
        return lo + (hi - lo) * U

    def active_bounds(self, name, row, rtol, polar=False):
        lo, hi = self.z_box
        span = hi - lo
        if row[0] <= lo + rtol * span:
            yield f"{name} = low ({self.low:g})", np.array([-1.0])
        elif row[0] >= hi - rtol * span:
            yield f"{name} = high ({self.high:g})", np.array([1.0])

    def to_polar(self, z):
        return z

    from_polar = to_polar

    def polar_bounds(self) -> list:
        """``(low, high)`` of each coordinate in the polar optimiser coordinates (``None``: unbounded)."""
        return [self.z_box]

    def u_from_z(self, z):
        lo, hi = self.z_box
        return logit((z - lo) / (hi - lo))


@dataclass(frozen=True)
class LogUniform(Uniform):
    """``ln x`` uniform on ``[ln low, ln high]``; the optimiser's coordinate is ``ln x``."""

    kind: ClassVar[str] = "loguniform"

    @property
    def z_box(self) -> tuple[float, float]:
        return math.log(self.low), math.log(self.high)

    def from_z(self, z):
        return jnp.exp(z)

    def z_of_value(self, v) -> list:
        return [math.log(v)]


@dataclass(frozen=True)
class Circular(Uniform):
    """An angle uniform over one period ``[low, high)`` of a model that is periodic in it (the scalar mixing angles:
    every observable is unchanged by ``theta -> theta + pi``, ``docs/fits.md``). The sampler sees the circle as
    the direction of ``w`` in R^2 under N(0, 1), so the two ends of the interval are one place rather than two
    walls; the optimiser's coordinate is the angle itself, wrapped into the period (no bound to sit on)."""

    kind: ClassVar[str] = "circular"
    u_dims: ClassVar[int] = 2

    @property
    def period(self) -> float:
        return self.high - self.low

    def values_u(self, u):
        w1, w2 = u[..., 0], u[..., 1]
        zero = (w1 == 0) & (w2 == 0)
        phi = jnp.arctan2(jnp.where(zero, 0.0, w2), jnp.where(zero, 1.0, w1))  # (-pi, pi]
        return self.low + self.period * (phi + jnp.pi) / (2 * jnp.pi)

    def log_prior_u(self, u):
        return -0.5 * (u[..., 0] ** 2 + u[..., 1] ** 2)

    def project_z(self, z, polar=False):
        return self.low + jnp.mod(z - self.low, self.period)

    def active_bounds(self, name, row, rtol, polar=False):
        return iter(())

    def polar_bounds(self) -> list:
        return [(None, None)]  # wrapped into the period by project_z afterwards

    def u_from_z(self, z):
        phi = 2 * jnp.pi * (z - self.low) / self.period - jnp.pi
        return jnp.concatenate([jnp.cos(phi), jnp.sin(phi)], axis=-1)


# ---------------------------------------------------------------------------------------------- complex
@dataclass(frozen=True)
class Disc(Prior):
    """A complex coupling uniform in the disc ``|y| <= max``."""

    max: float = 1.0
    kind: ClassVar[str] = "disc"
    z_dims: ClassVar[int] = 2
    u_dims: ClassVar[int] = 2
    min: ClassVar[float] = 0.0  # the inner radius of the support

    @property
    def is_complex(self) -> bool:
        return True

    @property
    def largest(self) -> float:
        return self.max

    def labels(self, name):
        return [f"{name}.re", f"{name}.im"]

    def values_u(self, u):
        v = jax.lax.complex(u[..., 0], u[..., 1])
        return self.max * v * _tanhc(u[..., 0] ** 2 + u[..., 1] ** 2)

    def log_prior_u(self, u):
        sq = u[..., 0] ** 2 + u[..., 1] ** 2
        return jnp.log(_tanhc(sq)) - 2.0 * _log_cosh_sqrt(sq)

    def values_z(self, z, polar=False):
        if polar:
            r, phi = z[..., 0], z[..., 1]
            return jax.lax.complex(r * jnp.cos(phi), r * jnp.sin(phi))
        return jax.lax.complex(z[..., 0], z[..., 1])

    def _radius(self, r):
        """The modulus the projection keeps: ``min(r, max)`` (``clip(r, min, max)`` for an annulus)."""
        return jnp.minimum(r, self.max)

    def project_z(self, z, polar=False):
        if polar:
            return jnp.concatenate([jnp.clip(z[..., :1], self.min, self.max), z[..., 1:]], axis=-1)
        r = jnp.sqrt(jnp.sum(z**2, axis=-1, keepdims=True))
        east = jnp.concatenate([jnp.ones_like(r), jnp.zeros_like(r)], axis=-1)
        if self.min > 0:  # the origin has no direction: an annulus moves it to (min, 0)
            z = jnp.where(r > 0, z, self.min * east)
        r = jnp.where(r > 0, r, self.min if self.min > 0 else 1.0)
        return z * (self._radius(r) / r)

    def _sample_radius(self, U):
        return self.max * jnp.sqrt(U)

    def sample_z(self, U, polar=False):
        rho, phi = self._sample_radius(U[:, 0]), 2 * jnp.pi * U[:, 1]
        return jnp.stack([rho, phi] if polar else [rho * jnp.cos(phi), rho * jnp.sin(phi)], axis=-1)

    def active_bounds(self, name, row, rtol, polar=False):
        r = row[0] if polar else np.hypot(row[0], row[1])
        out = np.array([1.0, 0.0]) if polar else row[:2] / max(r, 1e-300)
        if r >= self.max * (1 - rtol):
            yield f"|{name}| = {self.max:.6g}", out
        elif self.min > 0 and r <= self.min * (1 + rtol):
            yield f"|{name}| = {self.min:.6g} (low)", -out

    def to_polar(self, z):
        return jnp.concatenate([jnp.hypot(z[..., :1], z[..., 1:]), jnp.arctan2(z[..., 1:], z[..., :1])], axis=-1)

    def from_polar(self, w):
        return jnp.concatenate([w[..., :1] * jnp.cos(w[..., 1:]), w[..., :1] * jnp.sin(w[..., 1:])], axis=-1)

    def polar_bounds(self) -> list:
        return [(self.min, self.max), (None, None)]

    def z_of_value(self, v) -> list:
        v = complex(v)
        return [v.real, v.imag]

    def u_from_z(self, z):
        w = z / self.max
        rho = jnp.sqrt(jnp.sum(w**2, axis=-1, keepdims=True))
        return w * jnp.where(rho > 1e-8, jnp.arctanh(rho) / jnp.where(rho > 1e-8, rho, 1.0), 1.0)


@dataclass(frozen=True)
class LogDisc(Disc):
    """A complex coupling with ``ln |y|`` uniform on ``[ln min, ln max]`` and ``arg y`` uniform: scale-invariant
    in the modulus, for couplings whose allowed size spans decades (the annulus ``min <= |y| <= max``)."""

    min: float = 1e-8
    max: float = 1.0
    kind: ClassVar[str] = "logdisc"
    u_dims: ClassVar[int] = 3

    @property
    def _modulus(self) -> LogUniform:
        """The prior of ``|y|``: the coordinate ``t`` maps it exactly as a log-uniform parameter."""
        return LogUniform(low=self.min, high=self.max)

    def values_u(self, u):
        r = self._modulus.values_u(u[..., :1])
        w1, w2 = u[..., 1], u[..., 2]
        n2 = w1**2 + w2**2
        inv = jnp.where(n2 > 0, jax.lax.rsqrt(jnp.where(n2 > 0, n2, 1.0)), 0.0)
        return jax.lax.complex(r * w1 * inv, r * w2 * inv)

    def log_prior_u(self, u):
        return self._modulus.log_prior_u(u[..., :1]) - 0.5 * (u[..., 1] ** 2 + u[..., 2] ** 2)

    def _radius(self, r):
        return jnp.clip(r, self.min, self.max)

    def _sample_radius(self, U):
        return jnp.exp(self._modulus.sample_z(U))

    def u_from_z(self, z):
        r = jnp.sqrt(jnp.sum(z**2, axis=-1, keepdims=True))
        return jnp.concatenate([self._modulus.u_from_z(jnp.log(r)), z / r], axis=-1)


@dataclass(frozen=True)
class Sign(Prior):
    """A CP parity, ``+1`` or ``-1``: no continuous coordinate. The maximiser solves every combination of the free
    signs; a posterior sums over them (:mod:`fits.sample.posterior`)."""

    kind: ClassVar[str] = "sign"
    z_dims: ClassVar[int] = 0
    u_dims: ClassVar[int] = 0
    low: ClassVar[float] = -1.0
    high: ClassVar[float] = 1.0

    @property
    def largest(self) -> float:
        return 1.0


#: Each kind, its class and the keys its table takes.
KINDS = {cls.kind: cls for cls in (Uniform, LogUniform, Circular, Disc, LogDisc, Sign)}
KEYS = {
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "circular": ("low", "high"),
    "disc": ("max",),
    "logdisc": ("min", "max"),
    "sign": (),
}
#: The parameters a ``circular`` prior may take, and their period (every observable is periodic in them).
PERIODS = {"theta_R": math.pi, "theta_I": math.pi}
COMPLEX_KINDS = tuple(k for k, c in KINDS.items() if issubclass(c, Disc))


def make(kind: str, **args) -> Prior:
    """The prior of ``kind`` with its parameters (validated by :mod:`fits.problem.config`)."""
    return KINDS[kind](**args)
