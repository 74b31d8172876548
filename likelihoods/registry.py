"""The one registry of experiments (design: pyhf's modifier registry).

Each experiment's module registers itself where it is defined::

    @register("MEG II", group="charged-lepton flavour", data_file=DATA_FILE, scales="BR(mu -> e gamma)", rank=10)
    def build(options: Options) -> OneSidedLimit: ...

and nothing else names it: the configurations' allowed names, the constraint sets, the command line's choices
and the docs' table (``python -m likelihoods.registry``) all read :data:`REGISTRY`. Every public module of
the ``likelihoods`` package is imported on first use, so adding an experiment is one module plus its data
file.
"""

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from jaxtmm.loops import CONVENTIONS
from jaxtmm.observables import MOMENTS

#: How the invisible-mode limits treat the point's dark photon: the seed paper's BR(invisible) = 1 everywhere (``apply``),
#: the same but dropped where A' -> dark states is closed (``drop``), or scaled by the point's own BR(invisible)
#: (``physics``; :func:`jaxtmm.darkphoton.invisible_fraction`).
INVISIBLE = ("apply", "drop", "physics")


def positive_number(x) -> float:
    """A finite number > 0 (the tuning factor: 1 allows no cancellation)."""
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x) or x <= 0:
        raise ValueError(f"the tuning factor must be a finite number > 0, got {x!r}")
    return float(x)


def option(default, help: str, *, choices=None, parse=None, flag=None, metavar=None, section=None):
    """An option's one declaration: its default, the command line's ``help`` (without the default), the values
    allowed (``choices``, or what ``parse`` accepts: it returns the value, or raises ValueError with the reason), the
    command line's ``flag`` (default ``--name``) and ``metavar``, and the configuration table it is written in
    (``section``: ``borexino`` is ``[options.borexino]``; default ``[options]``). :class:`fits.problem.config.Config`
    and the command line (``jaxtmm_cli.parser``) read these; nothing else repeats them."""
    meta = dict(help=help, choices=choices, parse=parse, flag=flag, metavar=metavar, section=section)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Options:
    """Everything a likelihood may depend on besides the point, each option declared once (:func:`option`).
    ``auto`` values are resolved by :func:`resolved` from the constraints in force."""

    convention: str = option(
        "corrected",
        "corrected (the derivation from the paper's Lagrangian, docs/derivation.md) or paper (the printed "
        "Eqs. 2.19-2.20, 3.2-3.6, 3.9)",
        choices=CONVENTIONS,
    )
    meg_year: str = option(
        "auto",
        "MEG II limit: 3.1e-13 (2023) or 1.5e-13 (the 2025 MEG + MEG II combination); auto: 2023 for the paper's "
        "set alone, else 2025",
        choices=("auto", "2023", "2025"),
        flag="--meg",
    )
    moment: str = option(
        "solar",
        "the mu_eff maximised and seen by Borexino: the solar mixture, or |mu_12|, |mu_13|, |mu_23|",
        choices=MOMENTS,
    )
    T_min: float | None = option(None, "Borexino recoil threshold", metavar="GeV", section="borexino")
    E_nu: float | None = option(None, "neutrino energy", metavar="GeV", section="borexino")
    T_max: float | None = option(None, "upper end of the recoil window", metavar="GeV", section="borexino")
    invisible: str = option(
        "auto",
        "BR(A' -> invisible) the invisible-mode limits assume: 1 (apply, the paper), 1 where A' -> dark states is "
        "open (drop), the point's own (physics); auto: apply for the paper's experiments alone, physics with any "
        "other",
        choices=("auto",) + INVISIBLE,
    )
    nu_mass_bound: str = option(
        "planck2018",
        "cosmological bound on the sum of neutrino masses: planck2018 (0.12 eV) or desi2025 (0.0642 eV)",
        choices=("planck2018", "desi2025"),
        flag="--nu-bound",
    )
    tuning: float = option(
        1.0,
        "how far the loop neutrino mass may exceed that bound, > 0 (1: no cancellation)",
        parse=positive_number,
        metavar="T",
    )
    alpha_e: str = option(
        "combined",
        "the alpha behind the (g-2)_e prediction: combined (Rb and Cs averaged with the PDG scale factor), Rb "
        "(2020) or Cs (2018)",
        choices=("combined", "Rb", "Cs"),
    )


#: Each option's declaration, by name.
OPTION_FIELDS = {f.name: f for f in fields(Options)}


def choices(name: str) -> tuple:
    """The values option ``name`` allows, ``auto`` (resolved from the constraints in force) left out."""
    return tuple(c for c in OPTION_FIELDS[name].metadata["choices"] if c != "auto")


def check_option(name: str, value):
    """``value`` checked against option ``name``'s declaration (ValueError naming the option and what it allows)."""
    meta = OPTION_FIELDS[name].metadata
    if meta["choices"] is not None:
        if str(value) not in meta["choices"]:
            raise ValueError(f"option '{name}' must be one of {', '.join(meta['choices'])}, got {value!r}")
        return str(value)
    if meta["parse"] is not None:
        try:
            return meta["parse"](value)
        except ValueError as exc:
            raise ValueError(f"option '{name}': {exc}") from None
    return value


@dataclass(frozen=True)
class Entry:
    name: str
    group: str
    build: Callable
    data_file: str
    scales: str  # the model quantity the limit constrains
    sets: tuple = field(default=("paper", "complete"))
    rank: int = 100  # position in tables and reports
    masses_only: bool = False  # the signal depends on the dark states' masses alone (not on y, eps, g_D, m_A')


REGISTRY: dict[str, Entry] = {}
#: The constraint sets: ``paper`` is the seed paper's four; ``complete`` is every registered experiment but those
#: registered in no set. An experiment registered with ``sets=("complete",)`` is not one the paper uses; one with
#: ``sets=()`` is available by name only (the dark-photon g-2 limits, which the g-2 likelihoods supersede).
SET_NAMES = ("paper", "complete")
_discovered = False


def register(
    name: str,
    *,
    group: str,
    data_file: str,
    scales: str,
    sets=("paper", "complete"),
    rank: int = 100,
    masses_only: bool = False,
):
    """Decorator: register ``build(options) -> likelihood`` under ``name`` (``rank`` orders the reports;
    ``masses_only``: its signal depends on the dark states' masses alone, so that ``likelihoods.unsatisfiable_at``
    looks at it)."""

    def deco(build):
        same = lambda f: (f.__code__.co_filename, f.__qualname__)
        if name in REGISTRY and same(REGISTRY[name].build) != same(build):
            raise ValueError(f"experiment {name!r} is registered twice")
        REGISTRY[name] = Entry(name, group, build, data_file, scales, tuple(sets), rank, masses_only)
        return build

    return deco


def _discover() -> None:
    """Import every public module of this package once (each registers its experiments); by path, so that the
    registry does not import the package that imports it."""
    global _discovered
    if not _discovered:
        for mod in pkgutil.iter_modules([str(Path(__file__).parent)]):
            if not mod.name.startswith("_") and mod.name not in ("registry", "summary", "data"):
                importlib.import_module(f"likelihoods.{mod.name}")
        _discovered = True


def names() -> tuple[str, ...]:
    """Every registered experiment, by rank (then name)."""
    _discover()
    return tuple(sorted(REGISTRY, key=lambda n: (REGISTRY[n].rank, n)))


def constraint_set(name: str) -> tuple[str, ...]:
    """The experiments of a constraint set (``paper`` or ``complete``)."""
    if name not in SET_NAMES:
        raise ValueError(f"unknown constraint set {name!r} (sets: {', '.join(SET_NAMES)})")
    return tuple(n for n in names() if name in REGISTRY[n].sets)


def resolve(spec) -> tuple[str, ...]:
    """A set name, a comma-separated string or a list of experiment and set names -> the experiment names, checked.
    An empty list is allowed (no likelihood: the posterior is the prior); an empty string is not."""
    given_as_text = isinstance(spec, str)
    if given_as_text:
        if spec in SET_NAMES:
            return constraint_set(spec)
        spec = [s.strip() for s in spec.split(",") if s.strip()]
    spec = [x for s in spec for x in (constraint_set(s) if s in SET_NAMES else (s,))]  # "complete,BBN": a set and more
    known = names()
    unknown = [s for s in spec if s not in known]
    if unknown or (given_as_text and not spec):
        raise ValueError(
            f"unknown constraint(s) {', '.join(map(repr, unknown)) or '(none given)'}: choose a set "
            f"({', '.join(SET_NAMES)}) or names from {', '.join(known)}"
        )
    return tuple(dict.fromkeys(spec))


def invisible_mode(mode: str, spec) -> str:
    """The invisible-mode option in force: ``auto`` is the seed paper's ``apply`` (BR(invisible) = 1) for the paper's
    experiments alone and ``physics`` (the point's own BR) as soon as any other constraint is on."""
    if mode != "auto":
        return mode
    paper = set(constraint_set("paper"))
    return "apply" if set(resolve(spec)) <= paper else "physics"


def meg_year(year: str, spec) -> str:
    """The MEG II result in force: ``auto`` is the seed paper's 2023 limit (3.1e-13) for the paper's experiments alone
    and the 2025 MEG + MEG II combination (1.5e-13) as soon as any other constraint is on."""
    if str(year) != "auto":
        return str(year)
    return "2023" if set(resolve(spec)) <= set(constraint_set("paper")) else "2025"


def resolved(options: Options, spec) -> Options:
    """``options`` with ``invisible`` and ``meg_year`` = auto resolved for the constraints ``spec``."""
    return replace(
        options, invisible=invisible_mode(options.invisible, spec), meg_year=meg_year(options.meg_year, spec)
    )


def build(spec="paper", options: Options = Options()) -> tuple:
    """The likelihoods of a set or list of names, built with ``options`` (``auto`` values resolved)."""
    options = resolved(options, spec)
    return tuple(REGISTRY[n].build(options) for n in resolve(spec))


def _mass_range(lk) -> str:
    r = getattr(lk, "mass_range", None)
    return "any" if r is None else f"{r[0]:.4g} - {r[1]:.4g}"


def markdown_table() -> str:
    """The docs' table of constraints, from the registry: every entry, with the default options."""
    rows = [
        "| constraint | group | scales | statistical model | m_A' range (GeV) | source | data file | sets |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in names():
        e = REGISTRY[n]
        (lk,) = build([n])
        rows.append(
            f"| {n} | {e.group} | {e.scales} | {lk.stat.name} | {_mass_range(lk)} | {lk.source} | "
            f"`{e.data_file}` | {', '.join(e.sets) or 'by name only'} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":  # run as a script, this module is not the one the experiments register in
    from likelihoods import registry

    print(registry.markdown_table())
