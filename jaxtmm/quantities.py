"""The one registry of derived quantities, after flavio's ``Observable``: name -> a function of a point, its unit,
its label and the options it depends on (the convention of the loop functions, and for mu_eff which moment).

``jaxtmm evaluate`` (:func:`jaxtmm.report.evaluate`), the quantities a posterior records at every draw
(:mod:`fits.sample.posterior`), the targets of a profile (``jaxtmm profile --x NAME``), the pair plot's choices and
every label and unit in the outputs read it; nothing matches quantities by position. A new quantity is one
:func:`register` below.
"""

from collections.abc import Callable
from dataclasses import dataclass

from jaxtmm.model import Point
from jaxtmm.observables import BR_mu_e_gamma, delta_a_e, delta_a_mu, mu_eff, mu_ij, sum_m_nu, to_mu_B

#: The options a quantity may depend on, with the values used where a caller gives none.
OPTIONS = {"convention": "corrected", "moment": "solar"}


@dataclass(frozen=True)
class Quantity:
    """A derived quantity: ``fn(p, convention, moment)``, its ``unit`` (``mu_B``, ``eV`` or ``""``), a ``label`` for
    text and plots, the options it ``depends_on``, whether it is ``positive`` (log axes, a profile range above 0)
    and whether a posterior records it at every draw (``posterior``)."""

    name: str
    fn: Callable
    unit: str
    label: str
    description: str
    depends_on: tuple = ()
    positive: bool = True
    posterior: bool = True

    @property
    def column(self) -> str:
        """Its name in tables and files: the name with its unit (``mu_eff_muB``, ``sum_m_nu_eV``)."""
        return f"{self.name}_{self.unit.replace('_', '')}" if self.unit else self.name

    def __call__(self, p: Point, convention: str = OPTIONS["convention"], moment: str = OPTIONS["moment"]):
        return self.fn(p, convention, moment)


QUANTITIES: dict[str, Quantity] = {}


def register(name: str, unit: str, label: str, description: str, **kw):
    """Decorator: register ``fn(p, convention, moment)`` as quantity ``name`` (keywords: the :class:`Quantity`
    fields ``depends_on``, ``positive``, ``posterior``)."""

    def deco(fn):
        if name in QUANTITIES:
            raise ValueError(f"derived quantity {name!r} is registered twice")
        QUANTITIES[name] = Quantity(name, fn, unit, label, description, **kw)
        return fn

    return deco


def get(name: str) -> Quantity:
    """The quantity registered as ``name`` (by name or by column), or ValueError naming the choices."""
    for q in QUANTITIES.values():
        if name in (q.name, q.column):
            return q
    raise ValueError(f"unknown derived quantity '{name}' (available: {', '.join(QUANTITIES)})")


def posterior_quantities() -> tuple[Quantity, ...]:
    """The quantities a posterior records at every draw, in registration order."""
    return tuple(q for q in QUANTITIES.values() if q.posterior)


@register(
    "mu_eff",
    "mu_B",
    "mu_eff",
    "the effective moment the 'moment' option names (solar mixture, or |mu_12|, |mu_13|, |mu_23|; Eq. 3.11)",
    depends_on=("convention", "moment"),
)
def _mu_eff(p, convention, moment):
    return to_mu_B(mu_eff(p, moment, convention))


@register(
    "mu_12", "mu_B", "mu_12", "the transition moment mu_12 of the mass basis (Eq. 2.20)", depends_on=("convention",)
)
def _mu_12(p, convention, moment):
    return to_mu_B(mu_ij(p, convention)[0, 1])


@register(
    "BR_mu_e_gamma",
    "",
    "BR(mu -> e gamma)",
    "the branching ratio of mu -> e gamma (Eq. 3.2-3.6)",
    depends_on=("convention",),
)
def _br(p, convention, moment):
    return BR_mu_e_gamma(p, convention)


@register(
    "delta_a_mu",
    "",
    "Delta a_mu",
    "the new-physics (g-2)_mu of the dark loop (Eq. 3.9)",
    depends_on=("convention",),
    positive=False,
)
def _da_mu(p, convention, moment):
    return delta_a_mu(p, convention)


@register(
    "delta_a_e",
    "",
    "Delta a_e",
    "the new-physics (g-2)_e of the dark loop (Eq. 3.9)",
    depends_on=("convention",),
    positive=False,
)
def _da_e(p, convention, moment):
    return delta_a_e(p, convention)


@register(
    "sum_m_nu",
    "eV",
    "sum m_nu",
    "the sum of the one-loop neutrino masses (docs/derivation.md section 5)",
    posterior=False,
)
def _sum_m_nu(p, convention, moment):
    return sum_m_nu(p) * 1e9
