r"""The generic one-sided limit: one published upper limit at a confidence level, as a log-likelihood.

An experiment that saw no signal publishes ``quantity < limit`` at confidence level CL. The signal it
would see scales as a power of a model quantity, so the *signal ratio*

.. math:: r = \left(\frac{\mathrm{value}(p)}{\mathrm{limit}(p)}\right)^{k}

is the expected signal in units of the signal at the limit (physics-spec section 5). A statistical model
turns ``r`` into a test statistic ``q(r) = -2 ln [L(r) / L(0)]`` whose CL threshold sits exactly at
``r = 1``; the log-likelihood is ``ln L = -q / 2`` (up to a constant).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import jax.numpy as jnp

from jaxtmm import invisible_open
from likelihoods.registry import INVISIBLE


@dataclass(frozen=True)
class HalfNormal:
    r"""A Gaussian in the signal, truncated at zero: ``q(r) = z_CL^2 r^2`` with ``z_CL = Phi^{-1}(CL)``.

    The one-sided CL limit of a measurement ``s_hat = 0 +- sigma`` is ``s = z_CL sigma``; with
    ``r = s / (z_CL sigma)``, ``q = (s / sigma)^2 = z_CL^2 r^2``. Suits background-dominated fits.
    """

    cl: float
    name: str = "half-normal"

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf(self.cl)

    @property
    def threshold(self) -> float:
        """``q`` at the CL limit: ``z_CL^2`` (1.6424 at 90%)."""
        return self.z**2

    def q(self, r):
        return self.threshold * r**2


@dataclass(frozen=True)
class ZeroObservedPoisson:
    r"""Zero events observed, negligible background: ``L = exp(-s)``, ``q(r) = 2 s_CL r``.

    The CL upper limit on the expected count is ``s_CL = ln(1 / (1 - CL))`` (2.303 at 90%), and
    ``r = s / s_CL``.
    """

    cl: float
    name: str = "zero-observed Poisson"

    @property
    def s_up(self) -> float:
        return math.log(1.0 / (1.0 - self.cl))

    @property
    def threshold(self) -> float:
        """``q`` at the CL limit: ``2 ln(1 / (1 - CL))`` (4.605 at 90%)."""
        return 2.0 * self.s_up

    def q(self, r):
        return self.threshold * r


@dataclass(frozen=True)
class Gaussian:
    r"""A Gaussian measurement of a shift: ``q(r) = z^2 r^2 = ((Delta - d) / sigma)^2`` with ``z = Phi^{-1}((1 + CL)/2)``.

    ``r = |Delta - d| / (z sigma)`` (:class:`Measurement`): the two-sided CL interval ``d +- z sigma`` ends at
    ``r = 1``; ``ln L = -q / 2`` is the Gaussian log-likelihood up to a constant (0 at ``Delta = d``).
    """

    cl: float
    name: str = "Gaussian"

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf(0.5 * (1.0 + self.cl))

    @property
    def threshold(self) -> float:
        """``q`` at the edge of the CL interval: ``z^2`` (3.84 at 95%)."""
        return self.z**2

    def q(self, r):
        return self.threshold * r**2


def source_text(citation: str, arxiv: str) -> str:
    """``citation, arXiv:number``, or the citation alone for a result without an arXiv number."""
    return f"{citation}, arXiv:{arxiv}" if arxiv else citation


@dataclass(frozen=True)
class OneSidedLimit:
    """One experiment's upper limit as a differentiable log-likelihood of a :class:`jaxtmm.Point`.

    ``value(p)`` and ``limit(p)`` are pure JAX functions (the limit may depend on the point, e.g. on the
    dark-photon mass); ``constrains(p)`` says whether the limit applies at all (outside a curve's mass range
    it does not, and the signal ratio is 0 there). Limits that assume invisible A' decays
    (``requires_invisible``) either apply regardless (``invisible="apply"``, the seed paper's choice),
    drop out where ``A' -> dark states`` is kinematically closed (``"drop"``), or see the point's own
    BR(invisible) through ``value`` (``"physics"``).
    """

    name: str
    quantity: str
    unit: str
    power: float
    stat: HalfNormal | ZeroObservedPoisson
    value: Callable
    limit: Callable
    citation: str
    arxiv: str
    data_file: str
    constrains: Callable = lambda p: jnp.asarray(True)
    requires_invisible: bool = False
    invisible: str = "apply"
    mass_range: tuple | None = None  # (m_min, m_max) of m_A' in GeV where it can constrain; None: any mass

    def __post_init__(self):
        if self.invisible not in INVISIBLE:
            raise ValueError(f"invisible must be one of {INVISIBLE}, got {self.invisible!r}")

    @property
    def cl(self) -> float:
        return self.stat.cl

    @property
    def source(self) -> str:
        """The citation with its arXiv number, as reports print it."""
        return source_text(self.citation, self.arxiv)

    @property
    def threshold(self) -> float:
        return self.stat.threshold

    def applies(self, p):
        """Whether this limit constrains the point (valid range, and the invisible condition if dropped)."""
        ok = self.constrains(p)
        if self.requires_invisible and self.invisible == "drop":
            ok = ok & invisible_open(p)
        return ok

    def signal_ratio(self, p):
        """Expected signal over the signal at the limit, ``(value / limit)^power``; 0 where it does not apply."""
        r = (jnp.abs(self.value(p)) / self.limit(p)) ** self.power
        return jnp.where(self.applies(p), r, 0.0)

    def test_statistic(self, p):
        """``q = -2 ln [L(p) / L(no signal)]``; equals :attr:`threshold` at the published limit."""
        return self.stat.q(self.signal_ratio(p))

    def log_likelihood(self, p):
        """``ln L(p) = -q / 2`` (0 for no signal)."""
        return -0.5 * self.test_statistic(p)

    __call__ = log_likelihood

    def allowed(self, p):
        """Inside the CL region: ``r <= 1``."""
        return self.signal_ratio(p) <= 1.0


@dataclass(frozen=True)
class Measurement(OneSidedLimit):
    """A measured shift ``d +- sigma`` (measurement minus Standard Model) that the model's ``value(p)`` must match:
    signal ratio ``|value - d| / (z sigma)`` with the :class:`Gaussian` statistic, so ``r <= 1`` is the two-sided
    CL interval. ``limit(p)`` is the interval's upper edge ``d + z sigma``, the one a positive shift meets."""

    shift: float = 0.0
    sigma: float = 1.0

    def signal_ratio(self, p):
        r = jnp.abs(self.value(p) - self.shift) / (self.stat.z * self.sigma)
        return jnp.where(self.applies(p), r, 0.0)


@dataclass(frozen=True)
class AgainstSM(Measurement):
    r"""A measured shift ``d +- sigma`` judged *relative to the Standard Model*: the test statistic is the likelihood
    ratio of the point to the Standard Model at the same inputs,

    .. math:: q = \frac{(\Delta - d)^2 - d^2}{\sigma^2} = \chi^2(\text{point}) - \chi^2(\text{SM}),

    so the Standard Model (``Delta = 0``) has ``q = 0`` and is never excluded, a point that improves on it has
    ``q < 0`` (``ln L = -q/2 > 0``), and a point is excluded only where ``q`` exceeds the CL threshold ``z^2`` (3.84 at
    95%: one degree of freedom). Signal ratio ``r = sqrt(max(q, 0) / z^2)``: ``r <= 1`` is allowed. No constraint of
    this kind can require new physics, however far the measurement sits from the Standard Model."""

    def _q(self, p):
        v = self.value(p)
        return ((v - self.shift) ** 2 - self.shift**2) / self.sigma**2

    def signal_ratio(self, p):
        q = jnp.maximum(self._q(p), 0.0)
        pos = q > 0.0
        r = jnp.sqrt(jnp.where(pos, q, 1.0) / self.stat.threshold)
        return jnp.where(self.applies(p) & pos, r, 0.0)

    def test_statistic(self, p):
        """``q = chi^2(point) - chi^2(SM)``: negative where the point fits better than the Standard Model."""
        return jnp.where(self.applies(p), self._q(p), 0.0)

    def allowed(self, p):
        return self.test_statistic(p) <= self.stat.threshold


def against_sm(
    name: str,
    quantity: str,
    unit: str,
    value: Callable,
    shift: float,
    sigma: float,
    cl: float,
    citation: str,
    arxiv: str,
    data_file: str,
) -> AgainstSM:
    """An :class:`AgainstSM` comparison of ``value(p)`` with the shift ``shift +- sigma`` at ``cl``. ``limit(p)`` is the
    largest positive ``value`` still allowed, ``d + sqrt(d^2 + z^2 sigma^2)``."""
    stat = Gaussian(cl, name="Gaussian, against the SM")
    edge = shift + math.sqrt(shift**2 + stat.threshold * sigma**2)
    return AgainstSM(
        name=name,
        quantity=quantity,
        unit=unit,
        power=1.0,
        stat=stat,
        value=value,
        limit=lambda p: edge,
        citation=citation,
        arxiv=arxiv,
        data_file=data_file,
        shift=shift,
        sigma=sigma,
    )


def less_constraining_sign(change: Callable, shift: float) -> Callable:
    """``value(p)`` of an :class:`AgainstSM` whose new-physics contribution has a sign the derivations leave open: of
    ``change(p, +1)`` and ``change(p, -1)`` the one with the smaller ``chi^2(point) - chi^2(SM)`` against ``shift``."""

    def value(p):
        dk = jnp.stack([change(p, sign) for sign in (1.0, -1.0)])
        q = (dk - shift) ** 2 - shift * shift
        return jnp.where(q[0] <= q[1], dk[0], dk[1])

    return value


def measurement(
    name: str,
    quantity: str,
    unit: str,
    value: Callable,
    shift: float,
    sigma: float,
    cl: float,
    citation: str,
    arxiv: str,
    data_file: str,
) -> Measurement:
    """A :class:`Measurement` of ``value(p)`` against the shift ``shift +- sigma``, its interval at ``cl``."""
    stat = Gaussian(cl)
    edge = shift + stat.z * sigma
    return Measurement(
        name=name,
        quantity=quantity,
        unit=unit,
        power=1.0,
        stat=stat,
        value=value,
        limit=lambda p: edge,
        citation=citation,
        arxiv=arxiv,
        data_file=data_file,
        shift=shift,
        sigma=sigma,
    )


def half_normal_limit(
    name: str,
    quantity: str,
    unit: str,
    value: Callable,
    limit,
    table: dict,
    data_file: str,
    power: float = 1.0,
    citation: str | None = None,
) -> OneSidedLimit:
    """A published upper limit on ``value(p)`` with the :class:`HalfNormal` statistic, its CL, citation and arXiv number
    read from the experiment's data-file ``table`` (``citation`` overrides the table's, for a limit built from several
    sources); ``limit`` is a number or a function of the point."""
    limit_fn = limit if callable(limit) else (lambda p: limit)
    return OneSidedLimit(
        name=name,
        quantity=quantity,
        unit=unit,
        power=power,
        stat=HalfNormal(float(table["cl"])),
        value=value,
        limit=limit_fn,
        citation=table["citation"] if citation is None else citation,
        arxiv=table["arxiv"],
        data_file=data_file,
    )
