r"""Profile likelihoods: ``-2 Delta ln L`` of one or two quantities, every other free parameter maximised.

For each value ``x`` of a grid (a free parameter of the configuration, or a derived quantity of
:mod:`jaxtmm.quantities` such as ``mu_eff`` or ``sum_m_nu``),

    ln L_p(x) = max over the other parameters of  sum_k ln L_k(point),     -2 Delta ln L(x) = 2 [ln L_hat - ln L_p(x)],

with the same maximiser as the scan (:class:`fits.optimise.maximise.Maximiser`, objective ``"lnL"``): a parameter is held by
an override, a derived quantity by the two constraints ``+-ln(q / x) <= 0``. ``ln L_hat`` is the larger of an
unconstrained maximisation and the best grid value. Free CP parities (``sign`` prior) are solved in each
combination and the best kept. Results: ``profile.csv``, ``profile.json`` (rows, the maximum and provenance) and
``profile.png``.
"""

import csv
import io
import math
import time
from dataclasses import dataclass
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from fits.io import dumps, save_figure, write_text
from fits.jobs.provenance import provenance
from fits.optimise.maximise import Maximiser, Settings
from fits.optimise.parity import solve_over_parities
from fits.parallel import Layout
from fits.problem.config import Config
from jaxtmm.quantities import QUANTITIES

#: -2 Delta ln L of the usual intervals for one parameter (68.3%, 90%, 95.4%) and two (68.3%, 95.4%).
LEVELS_1D = (1.0, 2.706, 4.0)
LEVELS_2D = (2.30, 6.18)


@dataclass(frozen=True)
class Axis:
    """One profiled quantity and its grid: a free (uniform or log-uniform) parameter or a derived quantity."""

    name: str
    values: tuple
    derived: bool
    unit: str
    log: bool

    @property
    def key(self) -> str:
        """The maximiser's override that holds it: the parameter, or ``target:NAME``."""
        return f"target:{self.name}" if self.derived else self.name


def make_axis(config: Config, name: str, low: float, high: float, n: int, log: bool | None = None) -> Axis:
    """An :class:`Axis` of ``n`` values over ``[low, high]`` (log-spaced for a log-uniform parameter and for positive
    derived quantities, unless ``log`` says otherwise); a ``ValueError`` naming the problem otherwise."""
    if not (isinstance(n, int) and 2 <= n <= 10_000):
        raise ValueError(f"a profile needs from 2 to 10000 points per axis, got {n}")
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"the range of '{name}' must be two finite numbers, low < high, got {low:g}, {high:g}")
    if name in QUANTITIES:
        q = QUANTITIES[name]
        derived, unit, default_log = True, q.unit, q.positive
        if q.positive and low <= 0:
            raise ValueError(f"'{name}' is positive: its range must start above 0, got {low:g}")
    elif name in config.free and config.free[name].kind in ("uniform", "loguniform", "circular"):
        pr = config.free[name]
        derived, unit, default_log = False, "", pr.kind == "loguniform"
        if low < pr.low * (1 - 1e-12) or high > pr.high * (1 + 1e-12):
            raise ValueError(f"the range of '{name}' [{low:g}, {high:g}] leaves its prior [{pr.low:g}, {pr.high:g}]")
    else:
        free = [k for k, p in config.free.items() if p.kind in ("uniform", "loguniform", "circular")]
        raise ValueError(
            f"cannot profile '{name}': choose a free parameter ({', '.join(free)}) or a derived "
            f"quantity ({', '.join(QUANTITIES)})"
        )
    log = default_log if log is None else log
    if log and low <= 0:
        raise ValueError(f"a log-spaced range of '{name}' must start above 0, got {low:g}")
    vals = np.geomspace(low, high, n) if log else np.linspace(low, high, n)
    return Axis(name, tuple(float(v) for v in vals), derived, unit, log)


def _solve(config, settings, layout, axes, grid: dict, progress, desc):
    """Maximise ln L for each row of ``grid`` (override name -> array; none: one problem), the parities enumerated."""
    n = len(next(iter(grid.values()))) if grid else 1
    targets = tuple(a.name for a in axes if a.derived)
    k = len(config.likelihoods)  # their ratios are reported, not imposed: the mask holds only the targets
    masks = np.concatenate([np.zeros((n, k)), np.ones((n, 2 * len(targets)))], axis=1)
    return solve_over_parities(config, settings, grid, masks, layout, progress, desc, objective="lnL", targets=targets)


def run_profile(
    config: Config, axes: list[Axis], settings: Settings = Settings(), progress=True, layout: Layout | None = None
) -> dict:
    """The profile likelihood of one or two :class:`Axis` (their grids' product, the first axis slowest):
    ``{"rows": [...], "maximum": {...}, "axes": [...], "provenance": {...}}`` (nothing written)."""
    if not 1 <= len(axes) <= 2 or len({a.name for a in axes}) != len(axes):
        raise ValueError("a profile takes one or two different quantities")
    layout = layout or Layout.current()
    t0 = time.perf_counter()
    mesh = np.meshgrid(*[np.asarray(a.values) for a in axes], indexing="ij")
    grid = {a.key: m.ravel() for a, m in zip(axes, mesh)}
    res, ov, M = _solve(config, settings, layout, axes, grid, progress, "jaxtmm profile")
    top, top_ov, Mt = _solve(config, settings, layout, [], {}, progress, "jaxtmm profile: the maximum")
    lnL = np.asarray(res.F, float)
    ok = np.asarray(res.feasible, bool)
    lnL_hat = max(float(top.F[0]), float(np.max(np.where(ok, lnL, -np.inf), initial=-np.inf)))
    p_top = Mt.space.point_z(jnp.asarray(top.z[0]), **{k: v[0] for k, v in top_ov.items()})
    rows = []
    for i in range(mesh[0].size):
        p = M.space.point_z(jnp.asarray(res.z[i]), **{k: v[i] for k, v in ov.items()})
        row = {a.name: float(grid[a.key][i]) for a in axes}
        row.update(
            {
                "lnL": float(lnL[i]) if ok[i] else None,
                "minus_2_delta_lnL": float(2 * (lnL_hat - lnL[i])) if ok[i] else None,
                "reached": bool(ok[i]),
                "target_residual": float(res.residual[i]),
                "kkt_residual": float(res.kkt[i]),
                "mu_eff_muB": float(res.mu_eff_muB[i]),
                "eps": float(p.eps),
                "point": _point_record(M, res.z[i], p),
            }
        )
        rows.append(row)
    maximum = {
        "lnL": lnL_hat,
        "unconstrained_lnL": float(top.F[0]),
        "mu_eff_muB": float(top.mu_eff_muB[0]),
        "kkt_residual": float(top.kkt[0]),
        "point": _point_record(Mt, top.z[0], p_top),
    }
    prov = provenance(
        config,
        settings,
        {
            "axes": [
                {
                    "name": a.name,
                    "n": len(a.values),
                    "low": a.values[0],
                    "high": a.values[-1],
                    "log": a.log,
                    "unit": a.unit,
                    "derived": a.derived,
                }
                for a in axes
            ],
            "parity_combinations": config.parity_combinations(),
            "wall_time_s": time.perf_counter() - t0,
        },
    )
    return {"rows": rows, "maximum": maximum, "axes": [a.name for a in axes], "provenance": prov}


def _point_record(M: Maximiser, z, p) -> dict:
    """The free parameters of one optimum by name (complex couplings as [re, im]) and the held ones."""
    vals = M.space.values_z(jnp.asarray(z))
    out = {k: ([float(jnp.real(v)), float(jnp.imag(v))] if jnp.iscomplexobj(v) else float(v)) for k, v in vals.items()}
    out.update({k: float(getattr(p, k)) for k in M.config.signs})
    return out


CSV_BASE = ("lnL", "minus_2_delta_lnL", "reached", "target_residual", "kkt_residual", "mu_eff_muB", "eps")


def write_profile(result: dict, out: Path, config: Config) -> list[Path]:
    """profile.json, profile.csv and profile.png, each written atomically."""
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "profile.json", dumps(result, indent=1) + "\n")
    buf = io.StringIO()
    w = csv.writer(buf)
    cols = list(result["axes"]) + list(CSV_BASE)
    w.writerow(cols)
    for r in result["rows"]:
        w.writerow(["" if r[c] is None else r[c] for c in cols])
    write_text(out / "profile.csv", buf.getvalue())
    save_figure(profile_figure(result, config), out / "profile.png", dpi=150)
    return [out / n for n in ("profile.csv", "profile.json", "profile.png")]


def profile_figure(result: dict, config: Config):
    """-2 Delta ln L against one quantity, with the 68.3/90/95.4% levels, or its 2-D map with the 68.3/95.4% contours."""
    from matplotlib.figure import Figure

    axes, rows = result["axes"], result["rows"]
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.subplots()
    ax_info = {a["name"]: a for a in result["provenance"]["axes"]}
    label = lambda n: n + (f" [{ax_info[n]['unit']}]" if ax_info[n]["unit"] else "")
    q = np.array([np.nan if r["minus_2_delta_lnL"] is None else r["minus_2_delta_lnL"] for r in rows])
    if len(axes) == 1:
        x = np.array([r[axes[0]] for r in rows])
        ax.plot(x, q, "o-", color="#08306b", ms=3)
        for lv, ls in zip(LEVELS_1D, (":", "--", "-.")):
            ax.axhline(lv, color="0.4", ls=ls, lw=1, label=f"-2 Delta ln L = {lv:g}")
        ax.set_ylabel(r"$-2\,\Delta\ln L$ (profiled)")
        ax.set_xlabel(label(axes[0]))
        if ax_info[axes[0]]["log"]:
            ax.set_xscale("log")
        top = np.nanmax(q) if np.isfinite(q).any() else 10.0
        ax.set_ylim(-0.05 * max(top, 5.0), max(min(top, 50.0), 5.0) * 1.05)
        ax.legend(fontsize=8)
    else:
        nx, ny = len({r[axes[0]] for r in rows}), len({r[axes[1]] for r in rows})
        X = np.array([r[axes[0]] for r in rows]).reshape(nx, ny)
        Y = np.array([r[axes[1]] for r in rows]).reshape(nx, ny)
        Q = q.reshape(nx, ny)
        pc = ax.pcolormesh(X, Y, np.minimum(Q, 25.0), shading="nearest", cmap="viridis_r")
        fig.colorbar(pc, ax=ax, label=r"$-2\,\Delta\ln L$ (capped at 25)")
        if np.isfinite(Q).sum() > 3:
            cs = ax.contour(X, Y, Q, levels=LEVELS_2D, colors=["w", "w"], linestyles=["-", "--"])
            ax.clabel(cs, fmt={LEVELS_2D[0]: "68.3%", LEVELS_2D[1]: "95.4%"}, fontsize=7)
        for n, setter in ((axes[0], ax.set_xscale), (axes[1], ax.set_yscale)):
            if ax_info[n]["log"]:
                setter("log")
        ax.set_xlabel(label(axes[0]))
        ax.set_ylabel(label(axes[1]))
    ax.set_title(
        f"profile likelihood ({config.name or 'custom'} configuration; {len(config.likelihoods)} "
        "likelihoods; every other parameter maximised)",
        fontsize=8,
    )
    return fig
