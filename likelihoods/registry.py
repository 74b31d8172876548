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
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Options:
    """Everything a likelihood may depend on besides the point (``None``: the experiment's default)."""

    convention: str = "corrected"
    meg_year: str = "auto"  # auto | 2023 | 2025 (likelihoods.registry.meg_year: auto is 2023 for the paper's set alone)
    moment: str = "solar"
    T_min: float | None = None
    E_nu: float | None = None
    T_max: float | None = None
    invisible: str = "auto"  # auto | apply | drop | physics (likelihoods._limit.WHEN_CLOSED; auto: invisible_mode)
    nu_mass_bound: str = "planck2018"  # likelihoods.neutrino_mass.BOUNDS
    tuning: float = 1.0  # how far the loop neutrino mass may exceed the bound (cancelled by a tree-level mass)
    alpha_e: str = "combined"  # the alpha behind the (g-2)_e prediction: combined (Rb + Cs, PDG scale factor) | Rb | Cs


@dataclass(frozen=True)
class Entry:
    name: str
    group: str
    build: Callable
    data_file: str
    scales: str  # the model quantity the limit constrains
    sets: tuple = field(default=("paper", "complete"))
    rank: int = 100  # position in tables and reports


REGISTRY: dict[str, Entry] = {}
#: The constraint sets: ``paper`` is the seed paper's four; ``complete`` is every registered experiment but those
#: registered in no set. An experiment registered with ``sets=("complete",)`` is not one the paper uses; one with
#: ``sets=()`` is available by name only (the dark-photon g-2 limits, which the g-2 likelihoods supersede).
SET_NAMES = ("paper", "complete")
_discovered = False


def register(name: str, *, group: str, data_file: str, scales: str, sets=("paper", "complete"), rank: int = 100):
    """Decorator: register ``build(options) -> likelihood`` under ``name`` (``rank`` orders the reports)."""

    def deco(build):
        same = lambda f: (f.__code__.co_filename, f.__qualname__)
        if name in REGISTRY and same(REGISTRY[name].build) != same(build):
            raise ValueError(f"experiment {name!r} is registered twice")
        REGISTRY[name] = Entry(name, group, build, data_file, scales, tuple(sets), rank)
        return build

    return deco


def _discover() -> None:
    global _discovered
    if not _discovered:
        import likelihoods

        for mod in pkgutil.iter_modules(likelihoods.__path__):
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


def build(spec="paper", options: Options = Options()) -> tuple:
    """The likelihoods of a set or list of names, built with ``options`` (``invisible`` and ``meg_year`` = auto
    resolved)."""
    options = replace(
        options, invisible=invisible_mode(options.invisible, spec), meg_year=meg_year(options.meg_year, spec)
    )
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
