"""The free CP parities: every problem solved for each combination of the parities (``sign`` prior), the best kept."""

import numpy as np

from fits.optimise.maximise import Maximiser, Optima, Settings
from fits.problem.config import Config


def _with_parities(config: Config, masks, ov: dict):
    """Each problem repeated for every combination of the free CP parities (``Config.parity_combinations``),
    combination-major: the maximiser's pass 2 shares optima between neighbours in this order, which are then
    neighbouring masses with the same parities. Returns the masks, the overrides, and the index of each copy
    ``(n problems, c combinations)``."""
    combos = config.parity_combinations()
    c, n = len(combos), len(masks)
    out = {k: np.tile(np.asarray(v), c) for k, v in ov.items()}
    for k in config.signs:
        out[k] = np.repeat([cb[k] for cb in combos], n)
    return np.tile(np.asarray(masks), (c, 1)), out, np.arange(n * c).reshape(c, n).T


def solve_over_parities(
    config: Config,
    settings: Settings,
    overrides: dict,
    masks,
    layout=None,
    progress=False,
    desc: str = "maximise",
    known=None,
    runs: int = 1,
    **maximiser_kw,
):
    """Solve each problem (``overrides``: name -> array; ``masks``: one row each) for every combination of the free CP
    parities and keep each problem's best (:meth:`Maximiser.best`): ``(results, overrides, maximiser)``, the
    overrides including the chosen parities. ``known``: a list with, for each problem, None or a known point
    ``(values, parities)`` (free values by name, the CP parities it has), a start and a candidate of the copy with its
    parities (:meth:`Maximiser.run`). ``runs``: independent runs (seeds ``settings.seed + r``, one compiled
    maximiser), the best of them kept and each run's objective in ``results.runs_F``. ``maximiser_kw`` go to
    :class:`Maximiser`."""
    if not (isinstance(runs, int) and 1 <= runs <= 64):
        raise ValueError(f"runs must be 1 to 64, got {runs!r}")
    masks_x, ov_x, copies = _with_parities(config, masks, overrides)
    M = Maximiser(config, settings, override_names=tuple(ov_x), layout=layout, **maximiser_kw)
    starts = None
    if known is not None and any(k is not None for k in known):
        starts = np.full((copies.size, 1, M.space.dim), np.nan)
        for i, k in enumerate(known):
            for j, combo in enumerate(config.parity_combinations()):
                if k is not None and all(k[1].get(name) == v for name, v in combo.items()):
                    starts[copies[i, j], 0] = M.space.z_from_values(k[0])
    per_run, picks = [], []
    for r in range(runs):
        label = f" (run {r + 1} of {runs})" if runs > 1 else ""
        res = M.run(
            ov_x,
            masks_x,
            progress=progress,
            desc=f"{desc}{label}: {copies.size} problems x {settings.starts} starts",
            starts=starts,
            seed=settings.seed + r,
        )
        pick = M.best(res, copies)
        per_run.append(res.take(pick))
        picks.append(pick)
    n = len(copies)
    both = Optima.concat(per_run)
    win = M.best(both, np.arange(runs * n).reshape(runs, n).T)  # the best run of each problem
    runs_F = np.stack([np.where(o.feasible, o.F, np.nan) for o in per_run], axis=1)
    rows = np.concatenate(picks)[win]
    return both.take(win)._replace(runs_F=runs_F), {k: np.asarray(v)[rows] for k, v in ov_x.items()}, M
