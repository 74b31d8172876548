"""The main job: the largest allowed mu_eff at every dark-photon mass (the seed paper's Fig. 7).

For each g_D and each m_A' of a log-spaced grid, and for each accelerator experiment (NA64, BaBar), the
maximiser (:mod:`fits.optimise.maximise`) finds the largest mu_eff over every free parameter of the configuration
with MEG II, that experiment (and Borexino if the configuration enables it) inside their 90% CL regions.

Where the configuration leaves g_D free (the ``global`` presets) the scan is the *profile*: one problem per
m_A' with every enabled constraint on at once (experiment ``"all"``), g_D among the profiled parameters. Free CP
parities (``sign`` prior) are solved in every combination and the best feasible one kept. Each row also reports
the optimum's masses and parities, the loop neutrino-mass sum, how much the mass cancels between its
contributions (``jaxtmm.mass_cancellation``) and the tuning factor the neutrino-mass likelihood allowed.
Results: ``scan.csv``, ``scan.json`` (rows + provenance), ``fig7.png``, ``fig6.png``.
"""

import csv
import io
import itertools
import math
import time
from dataclasses import replace
from pathlib import Path
from typing import TypedDict

import jax
import jax.numpy as jnp
import numpy as np

import likelihoods as L
from fits.io import dumps, save_figure, write_text
from fits.jobs.provenance import provenance
from fits.optimise.maximise import TUNING_COLUMN, Maximiser, Settings
from fits.optimise.parity import solve_over_parities
from fits.parallel import Layout
from fits.problem.config import Y_FLAT, Config, build_likelihoods
from fits.problem.quantities import quantity
from fits.problem.space import FLOOR, TUNING, ParamSpace
from jaxtmm import invisible_open, mass_cancellation
from jaxtmm.model import MASS_KEYS, Y_KEYS
from likelihoods import LimitCurve
from likelihoods.searches import SET_NAME

#: The accelerator experiments of the paper's Fig. 7, from the registry: the paper set's invisible dark-photon searches
#: (NA64, BaBar), one problem each per (g_D, m_A').
EXPERIMENTS = tuple(n for n in L.constraint_set("paper") if L.registry.REGISTRY[n].group == "dark photon, invisible")
ALL = "all"  # the experiment of a profile row: every enabled constraint at once
#: The optimum's masses (GeV) and CP parities, reported in every row.
POINT_KEYS = ("m_H1", "m_H2", "m_A1", "m_A2", "M1", "M2", "M_E", "eta1", "eta2")


class ScanRow(TypedDict):
    """One row of a scan (``scan.json``'s ``rows``; ``scan.csv`` has the scalar ones), field by field. An infeasible
    row has None in the three ``*_max`` fields and says why in ``reason``."""

    gD: float  # the dark coupling g_D (the optimum's, where the configuration profiles it)
    m_Ap_GeV: float  # the dark-photon mass, GeV
    experiment: str  # the Fig. 7 experiment whose curve bounds eps (a profile: every constraint at once)
    experiment_applies: bool  # whether m_A' is inside that experiment's curve
    eps_max: float | None  # eps at the optimum
    mu_max_muB: float | None  # the moment mu_eff / eps at the optimum, mu_B
    mu_eff_max_muB: float | None  # the largest allowed mu_eff (= eps x the moment), mu_B
    invisible_open: bool  # whether A' -> dark states is open at the optimum
    borexino_limit_muB: float  # Borexino's recast limit on mu_eff at this m_A', mu_B
    BR_mu_e_gamma: float  # at the optimum
    feasible: bool  # the optimum satisfies every constraint in force (to Settings.feas_tol)
    reason: str  # why an infeasible row is infeasible ("" when feasible)
    constraint_residual: float  # the largest constraint violation, ln r (0: feasible)
    kkt_residual: float | None  # the KKT residual of the optimum (fits.optimise.kkt; ~1e-10 at a converged optimum);
    # None for a row not optimised (no couplings satisfy a constraint of it: see reason)
    multipliers: dict  # constraint -> its Lagrange multiplier, the binding ones
    binding: list  # the binding constraints and active prior bounds, as text
    feasible_starts: int  # pass-1 starts that ended feasible
    runs: int  # independent runs of the maximiser (seeds seed, seed + 1, ...; 0: not optimised)
    runs_feasible: int  # how many of them found a feasible point
    runs_agreeing: int  # how many reached the reported mu_eff to 1% (objective within ln 1.01)
    run_spread: float | None  # max / min - 1 of the runs' feasible optima (None: fewer than two feasible)
    converged: bool | None  # feasible, KKT residual <= 1e-3 and two runs within 1%; None: one run, not judged
    y: list  # the Yukawa matrix at the optimum, [[[re, im], ...], ...] (rows e, mu; columns N1, N2)
    theta_R: float  # the scalar mixing angles at the optimum, rad
    theta_I: float
    m_H1: float  # the masses (GeV) and CP parities at the optimum: the POINT_KEYS
    m_H2: float
    m_A1: float
    m_A2: float
    M1: float
    M2: float
    M_E: float
    eta1: float
    eta2: float
    sum_m_nu_eV: float  # the sum of the one-loop neutrino masses, eV
    nu_mass_cancellation: float  # how far the loop mass cancels, jaxtmm.numass.mass_cancellation
    tuning_allowed: float  # the configuration's tuning factor (how far the loop mass may exceed the bound)
    cancellation_floor: float | None  # the row's floor on nu_mass_cancellation (a global profile's; None: no floor)


DEFAULT_GD = (0.5, 0.05, 0.005)
M_RANGE = (1e-3, 8.0)


def mass_grid(n: int) -> np.ndarray:
    if n < 2:
        raise ValueError(f"the mass grid needs at least 2 masses, got {n}")
    return np.logspace(math.log10(M_RANGE[0]), math.log10(M_RANGE[1]), n)


def experiment_curves() -> dict:
    """The 90% CL curve eps_90(m_A') of each accelerator experiment of the scan, by name."""
    return {n: LimitCurve.load(L.registry.REGISTRY[n].data_file) for n in EXPERIMENTS}


def is_profile(config: Config) -> bool:
    """Whether a scan of ``config`` is the profile over g_D too (g_D free), every constraint on in each problem."""
    return "g_D" in config.free


#: The cancellation floors of a global profile (issue #24): no cancellation, then c down to 1e-2, 1e-4 and 1e-6.
DEFAULT_FLOORS = (1.0, 1e-2, 1e-4, 1e-6)


def tunable(config: Config) -> bool:
    """Whether a scan of ``config`` is a profile with both scalar angles free, so that the neutrino-mass cancellation
    is one of the maximiser's coordinates and each row holds it above a floor (``fits.problem.space.TUNING``)."""
    return is_profile(config) and {"theta_R", "theta_I"} <= set(config.free)


def check_floors(config: Config, floors) -> tuple:
    """The cancellation floors of a scan of ``config``, validated and in decreasing order: each in (0, 1], no
    repeats; ``None``: :data:`DEFAULT_FLOORS` where the configuration is :func:`tunable`, else none."""
    if floors is None:
        return DEFAULT_FLOORS if tunable(config) else ()
    floors = tuple(float(f) for f in floors)
    if floors and not tunable(config):
        raise ValueError(
            "cancellation floors need a profile with theta_R and theta_I free (g_D free too: the global presets)"
        )
    bad = [f for f in floors if not (math.isfinite(f) and 0.0 < f <= 1.0)]
    if bad:
        raise ValueError(f"a cancellation floor is a number in (0, 1] (1: no cancellation), got {bad[0]:g}")
    if len(set(floors)) != len(floors):
        raise ValueError("the cancellation floors repeat a value")
    return tuple(sorted(floors, reverse=True))


def scan_problems(config: Config, gD, n_masses: int, floors=()):
    """The scan's problems, (g_D, m_A', experiment) ordered by mass within each (g_D, experiment), with the
    constraints they may enable, their masks and the overrides: (masses, problems, names, masks, overrides).
    A profile (:func:`is_profile`) has one problem ``(None, m_A', "all")`` per mass and ignores ``gD``; with
    cancellation ``floors`` (:func:`check_floors`), one per mass and floor (floor-major), the floor in the override
    :data:`fits.problem.space.FLOOR` and its constraint the last name (``TUNING_COLUMN``)."""
    masses = mass_grid(n_masses)
    if is_profile(config):
        names = tuple(config.likelihoods)
        problems = [(None, float(m), ALL) for m in masses]
        ov = {"m_Ap": np.asarray(masses)}
        if floors:
            problems = problems * len(floors)
            ov = {"m_Ap": np.tile(masses, len(floors)), FLOOR: np.repeat(np.asarray(floors, float), len(masses))}
            names += (TUNING_COLUMN,)
        return masses, problems, names, np.ones((len(problems), len(names))), ov
    base = [n for n in config.likelihoods if n not in EXPERIMENTS]
    names = tuple(base) + EXPERIMENTS
    problems = [(g, m, e) for g in gD for e in EXPERIMENTS for m in masses]
    masks = np.array([[1.0 if (n in base or n == e) else 0.0 for n in names] for _, _, e in problems])
    overrides = {"m_Ap": np.array([p[1] for p in problems]), "g_D": np.array([p[0] for p in problems])}
    return masses, problems, names, masks, overrides


def unsatisfiable(config: Config, names=None) -> dict:
    """The constraints (of ``names``, default the configuration's) that no choice of couplings can satisfy, name ->
    signal ratio (``likelihoods.unsatisfiable_at``: violated, and unchanged with other y, eps, g_D and m_A'), when no
    mass is free."""
    if any(k in MASS_KEYS for k in config.free):
        return {}
    lks = build_likelihoods(config)
    return L.unsatisfiable_at(_null_point(config), [lks[n] for n in (config.likelihoods if names is None else names)])


def _null_point(config: Config):
    """The configuration's point with every coupling (g_D included) zero and the other free parameters mid-prior
    (the masses are fixed where :func:`unsatisfiable` applies), m_A' the configuration's or 1 GeV."""
    values = {
        k: 0.0
        if k in Y_FLAT or k == "eps"
        else 1.0
        if pr.kind == "sign"
        else math.sqrt(pr.low * pr.high)
        if pr.kind == "loguniform"
        else 0.5 * (pr.low + pr.high)
        for k, pr in config.free.items()
    }
    return ParamSpace.from_config(config).point(values, m_Ap=config.fixed.get("m_Ap", 1.0), g_D=0.0)


def doomed(masks, names, blocking: dict) -> np.ndarray:
    """Which problems (rows of ``masks`` over the constraints ``names``) hold a constraint of ``blocking``
    (:func:`unsatisfiable`): no couplings satisfy them, so they are not optimised."""
    cols = [j for j, n in enumerate(names) if n in blocking]
    return np.asarray(masks)[:, cols].any(axis=1) if cols else np.zeros(len(masks), dtype=bool)


#: How the reason of a row that was not optimised (:func:`doomed`) ends.
NOT_OPTIMISED = "; not optimised"


def _blocked_row(null, g, m, mask, names, blocking, derived) -> dict:
    """A row no couplings can make feasible (:func:`doomed`): not optimised; its point is ``null``
    (:func:`_null_point`) at this row's g_D and m_A'."""
    p = null._replace(g_D=jnp.float64(0.0 if g is None else g), m_Ap=jnp.float64(m))
    br, sum_m_nu_eV, cancellation = (float(v) for v in derived(p))
    hit = [n for n, on in zip(names, mask) if on and n in blocking]
    return {
        "gD": float(p.g_D),
        "eps_max": None,
        "mu_max_muB": None,
        "mu_eff_max_muB": None,
        "invisible_open": bool(invisible_open(p)),
        "BR_mu_e_gamma": br,
        "feasible": False,
        "reason": "infeasible: "
        + "; ".join(f"{n} (r = {blocking[n]:.4g}) whatever the couplings (fixed by the masses)" for n in hit)
        + NOT_OPTIMISED,
        "constraint_residual": max(math.log(blocking[n]) for n in hit),
        "kkt_residual": None,
        "multipliers": {},
        "binding": [],
        "feasible_starts": 0,
        **_not_run(),
        "y": [[[0.0, 0.0] for _ in range(2)] for _ in range(2)],
        "theta_R": float(p.theta_R),
        "theta_I": float(p.theta_I),
        **{k: float(getattr(p, k)) for k in POINT_KEYS},
        "sum_m_nu_eV": sum_m_nu_eV,
        "nu_mass_cancellation": cancellation,
    }


#: Two runs agree when their optima are within 1% (issue #24); an optimum converged when, besides, its KKT residual
#: is at most KKT_TOL.
AGREE = math.log(1.01)
KKT_TOL = 1e-3


def _not_run() -> dict:
    return {"runs": 0, "runs_feasible": 0, "runs_agreeing": 0, "run_spread": None, "converged": None}


def binding_constraints(row: dict) -> frozenset:
    """The constraints (not the prior bounds) a feasible row names as binding, each with its search where the
    ``A' searches`` set binds."""
    return frozenset(b.split(" (r = ")[0] for b in row["binding"] if " (r = " in b)


def unexplained_jumps(rows: list, factor: float = 100.0) -> list:
    """Neighbouring masses of one curve (same experiment, g_D and cancellation floor; a profile's g_D is profiled) that
    are both feasible and whose mu_eff differ by more than ``factor`` although the same constraints bind: ``(m1, m2,
    ratio, floor)`` each. A profile is continuous in m_A' except where what binds changes (issue #24): such a jump
    is the optimiser's, not the model's."""
    curves = {}
    for r in rows:
        g = None if r["experiment"] == ALL else r["gD"]
        curves.setdefault((r["experiment"], g, r.get("cancellation_floor")), []).append(r)
    out = []
    for (_, _, floor), curve in curves.items():
        curve = sorted(curve, key=lambda r: r["m_Ap_GeV"])
        for a, b in itertools.pairwise(curve):
            if not (a["feasible"] and b["feasible"] and a["mu_eff_max_muB"] and b["mu_eff_max_muB"]):
                continue
            ratio = max(a["mu_eff_max_muB"], b["mu_eff_max_muB"]) / min(a["mu_eff_max_muB"], b["mu_eff_max_muB"])
            if ratio > factor and binding_constraints(a) == binding_constraints(b):
                out.append((a["m_Ap_GeV"], b["m_Ap_GeV"], ratio, floor))
    return out


def run_statistics(runs_F, feasible: bool, kkt: float) -> dict:
    """A row's convergence from its runs' objectives ``runs_F`` (ln mu_eff or ln L; NaN: that run infeasible)."""
    F = np.asarray(runs_F, dtype=float)
    ok = F[np.isfinite(F)]
    agreeing = int(np.sum(ok >= ok.max() - AGREE)) if ok.size else 0
    return {
        "runs": int(F.size),
        "runs_feasible": int(ok.size),
        "runs_agreeing": agreeing,
        "run_spread": float(np.expm1(ok.max() - ok.min())) if ok.size >= 2 else None,
        "converged": None if F.size < 2 else bool(feasible and kkt <= KKT_TOL and agreeing >= 2),
    }


def _reason(res, i, names, mask, tol) -> str:
    """Why row i is infeasible: the constraints violated at its best candidate, with their signal ratios."""
    violated = [j for j in range(len(names)) if mask[j] and res.c[i, j] > tol]
    if not violated:
        return "no start reached the constraints (see constraint_residual)"
    parts = []
    for j in violated:
        n = names[j]
        parts.append(f"{n} (r = {res.r[i, j]:.4g})")
    return "infeasible: " + "; ".join(parts)


def search_members(M: Maximiser, z, overrides: dict) -> list:
    """For each optimum ``z``: the dark-photon search with the largest signal ratio in the ``A' searches`` set (None
    where the set is off or nothing constrains), so that reports name the search that binds, not the set."""
    lks = dict(zip(M.lk_names, M.likelihoods))
    if SET_NAME not in lks:
        return [None] * len(z)
    lk = lks[SET_NAME]
    ov = {k: jnp.asarray(overrides[k], dtype=jnp.float64) for k in M.override_names}
    r = np.asarray(jax.jit(jax.vmap(lambda z, o: lk.ratios(M.point(z, o))))(jnp.asarray(z), ov))
    return [lk.members[int(np.argmax(row))] if row.max() > 0 else None for row in r]


def _name_member(text: str, member) -> str:
    return text.replace(f"{SET_NAME} (r = ", f"{SET_NAME}: {member} (r = ") if member else text


#: The seed paper's benchmark masses (GeV) and parities, as in the ``paper`` preset (physics-spec section 2).
BENCHMARK_MASSES = {
    "m_H1": 0.3,
    "m_A1": 0.3,
    "m_H2": 0.4,
    "m_A2": 0.4,
    "M1": 0.1,
    "M2": 0.1,
    "M_E": 2000.0,
    "eta1": 1.0,
    "eta2": 1.0,
}


def at_benchmark_masses(config: Config) -> Config:
    """``config`` with the masses and parities fixed at the seed paper's benchmark, everything else as it is."""
    free = {k: v for k, v in config.free.items() if k not in BENCHMARK_MASSES}
    return replace(
        config,
        fixed={**config.fixed, **BENCHMARK_MASSES},
        free=free,
        name=f"{config.name or 'custom'} at the benchmark masses",
    )


def reference_curves(config: Config, n_masses: int, settings: Settings, progress=False, layout=None) -> dict:
    """The two curves a profile is compared with, on its mass grid, as ``{name: {"label", "m_Ap_GeV", "mu_eff_muB"}}``
    (feasible masses only): the seed paper's (its printed equations at its benchmark, g_D = 0.5, MEG II with NA64 or
    BaBar, the better of the two) and the benchmark masses under this configuration's constraints (g_D and the
    couplings profiled)."""
    from fits.problem.config import preset_config

    paper = preset_config("paper").replace_options(convention="paper", likelihoods=["MEG II", "NA64", "BaBar"])
    out = {}
    for name, cfg, label in (
        ("paper", paper, "seed paper: printed equations, benchmark masses, $g_D$ = 0.5, MEG II + NA64 or BaBar"),
        ("benchmark", at_benchmark_masses(config), "benchmark masses, these constraints, $g_D$ profiled"),
    ):
        rows = run_scan(cfg, (0.5,), n_masses, settings, progress=progress, layout=layout, references=False, runs=1)[
            "rows"
        ]
        best = {}
        for r in rows:
            if r["feasible"] and r["mu_eff_max_muB"] is not None:
                best[r["m_Ap_GeV"]] = max(best.get(r["m_Ap_GeV"], 0.0), r["mu_eff_max_muB"])
        ms = sorted(best)
        out[name] = {"label": label, "m_Ap_GeV": ms, "mu_eff_muB": [best[m] for m in ms]}
    return out


#: Where a scan row keeps each free parameter's value (the rest under their own names; the couplings in "y").
ROW_KEYS = {"g_D": "gD", "eps": "eps_max", "m_Ap": "m_Ap_GeV"}


def known_points(config: Config, problems: list, rows: list, floors=None) -> list:
    """For each scan problem ``(g_D, m_A', experiment)``, the optimum of the matching feasible row of an earlier scan
    (``rows``: its ``scan.json`` rows; the same g_D, m_A' and experiment) as ``(values, parities)``, or None.
    With the problems' cancellation ``floors``, a row matches the same floor (or has none) and its values hold the
    coordinate :data:`fits.problem.space.TUNING` that reproduces its cancellation (the floor's, where it sits below).
    Raises ValueError when a matching row lacks a free parameter of ``config``."""

    def number(r, key):
        v = r.get(key)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None

    usable = [r for r in rows if r.get("feasible") is True and number(r, "mu_eff_max_muB") is not None]
    out = []
    floors = [None] * len(problems) if floors is None else floors
    for (g, m, e), floor in zip(problems, floors):
        match = [
            r
            for r in usable
            if r.get("experiment") == e
            and math.isclose(number(r, "m_Ap_GeV") or -1.0, m, rel_tol=1e-9)
            and (g is None or math.isclose(number(r, "gD") or -1.0, g, rel_tol=1e-9))
            and (floor is None or number(r, "cancellation_floor") in (None, floor))
        ]
        if not match:
            out.append(None)
            continue
        r = max(match, key=lambda r: number(r, "mu_eff_max_muB"))
        values = {}
        for name in config.free:
            if name in config.signs:
                continue
            if name in Y_FLAT:  # "y" holds the matrix as Y_KEYS lays it out, each entry [re, im]
                try:
                    v = complex(*dict(zip(Y_FLAT, (e for row in r["y"] for e in row)))[name])
                except (KeyError, TypeError, ValueError):
                    v = None
            else:
                v = number(r, ROW_KEYS.get(name, name))
            if v is None:
                raise ValueError(f"the earlier scan's rows do not give {name}, which this configuration frees")
            values[name] = v
        if floor is not None:  # c = floor ** t
            c = number(r, "nu_mass_cancellation") or 1.0
            values[TUNING] = min(max(math.log(c) / math.log(floor), 0.0), 1.0) if floor < 1.0 and c > 0 else 0.0
        out.append((values, {k: number(r, k) for k in config.signs}))
    return out


def _optimum(res, i, p, derived, lk_names, member, applies: bool) -> dict:
    """Row ``i``'s optimum: its moment and eps, feasibility and convergence, the binding constraints, the point."""
    br, sum_m_nu_eV, cancellation = (float(v) for v in derived(p))
    y = np.asarray(p.y)
    return {
        "eps_max": float(res.eps[i]) if applies else None,
        "mu_max_muB": float(res.mu_eff_muB[i] / res.eps[i]) if applies else None,
        "mu_eff_max_muB": float(res.mu_eff_muB[i]) if applies else None,
        "invisible_open": bool(invisible_open(p)),
        "BR_mu_e_gamma": br,
        "feasible": bool(res.feasible[i]),
        "constraint_residual": float(res.residual[i]),
        "kkt_residual": float(res.kkt[i]),
        "multipliers": {nm: float(v) for nm, v in zip(lk_names, res.multipliers[i]) if v > 0},
        "binding": [_name_member(b, member) for b in res.binding[i]] if applies else [],
        "feasible_starts": int(res.n_feasible_starts[i]),
        **run_statistics(res.runs_F[i], bool(res.feasible[i]), float(res.kkt[i])),
        "y": [[[float(v.real), float(v.imag)] for v in row_] for row_ in y],
        "theta_R": float(p.theta_R),
        "theta_I": float(p.theta_I),
        **{k: float(getattr(p, k)) for k in POINT_KEYS},
        "sum_m_nu_eV": sum_m_nu_eV,
        "nu_mass_cancellation": cancellation,
    }


def _checked(row: dict, applies: bool) -> dict:
    """An infeasible row reports why, never a number; an optimum that is not finite is infeasible."""
    y = np.asarray(row["y"])
    keys = ("eps_max", "mu_max_muB", "mu_eff_max_muB", "BR_mu_e_gamma", "theta_R", "theta_I")
    numbers = [row[k] for k in keys if row[k] is not None] + y.ravel().tolist()
    if applies and not all(math.isfinite(v) for v in numbers):
        row.update(feasible=False, reason="the optimum is not a finite number (overflow in the model)")
    if not row["feasible"]:
        row.update(dict.fromkeys(("eps_max", "mu_max_muB", "mu_eff_max_muB")))
    return row


def _rows(config: Config, settings: Settings, masses, problems, masks, names, blocking, skip, solved, floors) -> list:
    """The scan's rows: each problem's optimum (``solved``: the results, their overrides, the maximiser, the binding
    searches and problem -> result row), or, for the problems ``skip`` marks, why no couplings can help; ``floors``:
    each problem's cancellation floor (None: none)."""
    br, sum_m_nu = quantity("BR_mu_e_gamma", config), quantity("sum_m_nu", config)
    derived = jax.jit(lambda p: (br(p), sum_m_nu(p), mass_cancellation(p)))
    curves = experiment_curves()
    bx = dict(zip(masses.tolist(), np.asarray(L.recast_limit(masses, *config.borexino_window)).tolist()))
    profile = is_profile(config)
    null = _null_point(config) if skip.any() else None
    rows = []
    for i, (g, m, e) in enumerate(problems):
        applies = True if e == ALL else bool(curves[e].in_range(m))
        head = {"gD": g, "m_Ap_GeV": float(m), "experiment": e, "experiment_applies": applies}
        head["borexino_limit_muB"] = bx[float(m)]
        if skip[i]:
            row = {**head, **_blocked_row(null, g, m, masks[i], names, blocking, derived)}
        else:
            res, ov_t, M, members, at = solved
            j = at[i]
            p = M.space.point_z(jnp.asarray(res.z[j]), **{k: v[j] for k, v in ov_t.items()})
            why = "" if res.feasible[j] else _reason(res, j, names, masks[i], settings.feas_tol)
            row = {**head, "gD": float(p.g_D) if profile else g, "reason": _name_member(why, members[j])}
            row.update(_optimum(res, j, p, derived, names, members[j], applies))
        row["tuning_allowed"] = config.tuning
        row["cancellation_floor"] = floors[i]
        row = _checked(row, applies)
        rows.append(ScanRow(**{k: row[k] for k in ScanRow.__annotations__}))
    return rows


def run_scan(
    config: Config,
    gD=DEFAULT_GD,
    n_masses: int = 100,
    settings: Settings = Settings(),
    progress=True,
    layout: Layout | None = None,
    references: bool | None = None,
    starts_from: list | None = None,
    runs: int | None = None,
    floors=None,
) -> dict:
    """Run the scan and return ``{"rows": [...], "provenance": {...}}`` (nothing written). With a multi-process
    ``layout`` every process solves its share and all end with the same rows. ``references`` (default: for a
    profile) adds the :func:`reference_curves` under ``"reference"``. ``starts_from``: the rows of an earlier scan
    (its ``scan.json``), whose feasible optima start and join the search (:func:`known_points`): each row of this
    scan is then at least as high as the earlier one's. ``runs``: independent runs of the maximiser (default 2 for a
    profile, 1 for the Fig. 7 scan), the best kept; every row reports how far they agree and whether it converged
    (:func:`run_statistics`). ``floors``: the cancellation floors of a global profile (:func:`check_floors`; default
    :data:`DEFAULT_FLOORS` where the configuration is :func:`tunable`), one row per mass and floor."""
    layout = layout or Layout.current()
    t0 = time.perf_counter()
    profile = is_profile(config)
    runs = (2 if profile else 1) if runs is None else runs
    floors = check_floors(config, floors)
    masses, problems, lk_names, masks, ov = scan_problems(config, gD, n_masses, floors)
    row_floors = [float(f) for f in ov[FLOOR]] if floors else [None] * len(problems)
    blocking = unsatisfiable(config, lk_names)
    skip = doomed(masks, lk_names, blocking)
    todo = np.flatnonzero(~skip)
    solved = None
    if todo.size:
        known = (
            known_points(config, [problems[i] for i in todo], starts_from, [row_floors[i] for i in todo])
            if starts_from is not None
            else None
        )
        res, ov_t, M = solve_over_parities(
            config,
            settings,
            {k: np.asarray(v)[todo] for k, v in ov.items()},
            masks[todo],
            layout,
            progress,
            "jaxtmm scan",
            known=known,
            runs=runs,
            likelihood_names=lk_names[:-1] if floors else lk_names,
            tuning=bool(floors),
        )
        solved = (res, ov_t, M, search_members(M, res.z, ov_t), {int(i): j for j, i in enumerate(todo)})
    rows = _rows(config, settings, masses, problems, masks, lk_names, blocking, skip, solved, row_floors)
    wall = time.perf_counter() - t0
    prov = provenance(
        config,
        settings,
        {
            "gD": "profiled" if profile else list(gD),
            "n_masses": n_masses,
            "mass_range_GeV": list(M_RANGE),
            "experiments": [ALL] if profile else list(EXPERIMENTS),
            "parity_combinations": config.parity_combinations(),
            "wall_time_s": wall,
            "processes": layout.process_count,
            "known_starts": 0 if not todo.size or known is None else sum(k is not None for k in known),
            "not_optimised": int(skip.sum()),
            "runs": runs,
            "cancellation_floors": list(floors),
            "devices_per_process": len(layout.devices),
        },
    )
    out = {"rows": rows, "provenance": prov}
    if profile if references is None else references:
        out["reference"] = reference_curves(config, n_masses, settings, progress, layout)
        prov["wall_time_s"] = time.perf_counter() - t0
    return out


CSV_COLUMNS = (
    "gD",
    "m_Ap_GeV",
    "experiment",
    "experiment_applies",
    "eps_max",
    "mu_max_muB",
    "mu_eff_max_muB",
    "invisible_open",
    "borexino_limit_muB",
    "BR_mu_e_gamma",
    "feasible",
    "reason",
    "constraint_residual",
    "kkt_residual",
    "multipliers",
    "binding",
    "feasible_starts",
    "runs",
    "runs_feasible",
    "runs_agreeing",
    "run_spread",
    "converged",
    "theta_R",
    "theta_I",
    *POINT_KEYS,
    "sum_m_nu_eV",
    "nu_mass_cancellation",
    "tuning_allowed",
    "cancellation_floor",
)
Y_COLUMNS = tuple(f"{k}_{part}" for row in Y_KEYS for k in row for part in ("re", "im"))


def _csv_row(r: dict) -> list:
    def cell(c):
        v = r[c]
        if c == "binding":
            return "; ".join(v)
        if c == "multipliers":
            return "; ".join(f"{k}={x:.6g}" for k, x in v.items())
        return "" if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

    return [cell(c) for c in CSV_COLUMNS] + [x for row in r["y"] for pair in row for x in pair]


def write_results(result: dict, out: Path, config: Config) -> list[Path]:
    """scan.json, scan.csv (with the Yukawa matrix, y_e1_re ... y_mu2_im), fig7.png and fig6.png, each
    written atomically; JSON without NaN or Infinity."""
    from fits.plots import fig6_borexino, fig7, fig7_profile

    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "scan.json", dumps(result, indent=1) + "\n")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS + Y_COLUMNS)
    for r in result["rows"]:
        w.writerow(_csv_row(r))
    write_text(out / "scan.csv", buf.getvalue())
    profile = any(r["experiment"] == ALL for r in result["rows"])
    save_figure((fig7_profile if profile else fig7)(result, config), out / "fig7.png", dpi=150)
    save_figure(fig6_borexino(*config.borexino_window), out / "fig6.png", dpi=150)
    return [out / n for n in ("scan.csv", "scan.json", "fig7.png", "fig6.png")]
