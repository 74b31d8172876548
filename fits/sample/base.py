"""The one interface every posterior sampler implements, after numpyro's ``MCMCKernel`` and blackjax's
``SamplingAlgorithm``: settings that check themselves, ``run(...) -> Draws`` (resuming from the run's own
checkpoints), and what the job records and prints.

A sampler is one module of :mod:`fits.sample` holding

* its settings, a frozen dataclass whose fields are declared with :func:`setting` (default, help text, the rule a
  value must meet), checked by :func:`check` in ``__post_init__``: Python users get the command line's checks, and
  ``jaxtmm fit``'s flags are generated from the fields (:func:`cli_fields`);
* a class implementing :class:`Sampler`,

and one entry in :data:`fits.sample.SAMPLERS`. :func:`fits.jobs.fit.run_fit` and ``jaxtmm fit`` read nothing else:
neither tests a sampler's name. This module imports nothing heavy (the command line builds its parser from it).
"""

import math
from dataclasses import Field, asdict, field, fields
from typing import Any, NamedTuple, Protocol

import numpy as np

#: The convergence targets a fit is judged against (issue #12; Vehtari et al. 2021, arXiv:1903.08008, for R-hat
#: and the bulk ESS; the divergent fraction as Stan's users read it).
TARGETS = {"max_r_hat": 1.01, "min_ess_bulk": 400.0, "divergent_fraction": 0.005}


#: The largest seed a sampler takes (NumPy's and JAX's generators take 32-bit seeds).
SEED_MAX = 2**32 - 1


def setting(default, help: str, *, valid=None, must: str = "", choices=None, metavar=None, flag=None, cli=True):
    """A settings field: ``default``, the command line's ``help``, and the values allowed (``choices``, or those for
    which ``valid(value)`` holds, described by ``must``: "--nlive must {must}, got ..."). ``flag`` is the command
    line's name (default ``--field-name``); ``cli=False`` keeps a field to Python; ``cli=None`` gives it a flag but
    leaves it out of what the run records (how it runs, not what it computes: e.g. worker processes)."""
    meta = dict(help=help, valid=valid, must=must, choices=choices, metavar=metavar, flag=flag, cli=cli)
    return field(default=default, metadata=meta)


def seed_setting():
    """The ``seed`` field every sampler's settings have (Python only: ``jaxtmm fit --seed`` is common to all)."""
    return setting(0, "random seed", valid=lambda v: 0 <= v <= SEED_MAX, must="be 0 to 2^32-1", cli=False)


def flag_of(f: Field) -> str:
    """The command-line flag of a settings field."""
    return f.metadata.get("flag") or "--" + f.name.replace("_", "-")


def _kind_ok(value, default) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return isinstance(value, type(default))


def check(settings) -> None:
    """Raise ValueError, naming the command line's flag, for the first field outside what it allows."""
    for f in fields(settings):
        m, v = f.metadata, getattr(settings, f.name)
        if "help" not in m:
            continue
        name = flag_of(f)
        if not _kind_ok(v, f.default):
            kind = {bool: "True or False", int: "an integer", float: "a finite number"}.get(type(f.default), "text")
            raise ValueError(f"{name} must be {kind}, got {v!r}")
        if m["choices"] is not None and v not in m["choices"]:
            raise ValueError(f"{name} must be one of {', '.join(map(str, m['choices']))}, got {v!r}")
        if m["valid"] is not None and not m["valid"](v):
            raise ValueError(f"{name} must {m['must']}, got {v!r}")


def cli_fields(settings_cls) -> list[Field]:
    """The fields of a settings class the command line offers, in declaration order."""
    return [f for f in fields(settings_cls) if f.metadata.get("cli") is not False and "help" in f.metadata]


def recorded(settings) -> dict:
    """The settings a run records and a resume compares: every field but those that only say how it runs."""
    keep = {f.name for f in fields(settings) if f.metadata.get("cli", True) is not None}
    return {k: v for k, v in asdict(settings).items() if k in keep}


class Draws(NamedTuple):
    """A sampler's finished run, as the job reads it.

    * ``arrays``: ``"site:<name>"`` (every site the NumPyro model records: the parameters, the derived quantities,
      each constraint's log-likelihood, ``u``) and ``"extra:<statistic>"`` -> array (chains, draws, ...);
    * ``space``: the :class:`fits.problem.space.ParamSpace` sampled; ``enabled``: the likelihoods in force;
    * ``chain_method``: how the chains ran, in words; ``elapsed_s``: wall time, over every resumed part;
    * ``diverging``: (chains, draws) booleans, all False for a sampler that integrates no trajectories;
    * ``info``: what only this sampler has (nested sampling: its runs and their evidence).
    """

    arrays: dict
    space: Any
    enabled: tuple
    chain_method: str
    elapsed_s: float
    diverging: np.ndarray
    info: dict


class Target(NamedTuple):
    """One convergence figure a fit is judged by: its value, the target, and a note on how to read it."""

    value: float | None
    target: float
    note: str = ""

    def judged(self, key: str) -> dict:
        """fit.json's entry: the target, the value and whether it is met (``min_*``: at least, else at most; None
        when not applicable)."""
        v, t = self.value, self.target
        met = None if v is None else (v >= t if key.startswith("min") else v <= t)
        out = {"target": t, "value": v, "met": met}
        return {**out, "note": self.note} if self.note else out


class Sampler(Protocol):
    """What ``jaxtmm fit`` needs of a posterior sampler (an instance of the class is the registry's entry)."""

    name: str  # the --sampler choice
    title: str  # the command line's group heading and the record's description
    Settings: type  # frozen dataclass of setting() fields, checked in __post_init__
    figures: tuple  # the files beyond the common ones it writes (figures only this sampler has)

    def run(self, config, settings, out, *, resume: bool, progress: bool, stop_after: int | None) -> Draws | None:
        """Sample (or continue from the checkpoints in ``out``); None when stopped early on purpose."""

    def summary_columns(self, draws: Draws, post: dict, names: list) -> dict:
        """Extra columns of summary.csv: name -> one value per variable in ``names``."""

    def targets(self, draws: Draws, settings, free) -> dict:
        """The convergence figures beyond R-hat and the bulk ESS: key -> :class:`Target` (``free``: the summary's
        rows of the free parameters)."""

    def record(self, draws: Draws, settings, free) -> dict:
        """What fit.json records only for this sampler."""

    def plots(self, draws: Draws) -> dict:
        """File name (one of ``figures``) -> matplotlib figure."""

    def headline(self, record: dict, settings) -> str:
        """The one line ``jaxtmm fit`` prints when it is done."""

    def advice(self, record: dict) -> str:
        """What to try when a target is missed."""
