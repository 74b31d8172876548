r"""Nested sampling of a configuration's posterior: independent dynesty runs, judged like NUTS chains.

Nested sampling (Skilling 2006, Bayesian Anal. 1, 833; dynesty: Speagle 2020, arXiv:1904.02180) draws from the
prior under a rising likelihood threshold and never integrates Hamilton's equations, so the walls that make NUTS's
steps small on the `global` preset (the loop neutrino mass, T, the beam dumps: ``docs/fits.md``) cost it nothing.

* Prior: :meth:`fits.problem.space.ParamSpace.z_from_unit` with ``ordered=True`` (the half ``a <= b`` of each pair of the
  option ``ordered``, as NUTS samples it).
* Likelihood: :func:`fits.sample.posterior.log_likelihood_z`, the enabled constraints summed over the free CP parities
  (``logsumexp - ln n_c``), the posterior's own.
* Each of ``runs`` runs (seeds ``[seed, k]``) stops when the evidence left in its live points is below ``dlogz``
  (``delta ln Z``). Its dead and final live points carry importance weights ``w_i = L_i dX_i / Z``; its Kish effective
  sample size is ``(sum w)^2 / sum w^2``.
* Each run is resampled (systematically) to the same number of equal-weight draws, by default the smallest run's
  Kish ESS, and shuffled. The runs are then ArviZ's chains: R-hat compares independent runs (a run that missed a
  mode, or stopped with evidence left, shows), and ESS_bulk counts the draws, which no run over-weights.
* Every site NUTS records (the parameters, the derived quantities, each constraint's log-likelihood,
  ``parity_prob``) is computed at the draws by the same function (:func:`fits.sample.posterior.site_function`).

Each finished run is written to ``nested_run_K.npz`` (NumPy arrays and a JSON header, read with
``allow_pickle=False``); ``resume=True`` runs only the missing ones, after checking the settings are the same.
"""

import json
import os
import time
import zipfile
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from fits.io import atomic_write
from fits.problem.config import Config
from fits.problem.space import ParamSpace
from fits.sample.base import recorded
from fits.sample.posterior import CheckpointError, log_likelihood_z, setting_differences, site_function
from jaxtmm.batch import map_batch

FORMAT = 1
LOWEST = -1e300  # dynesty's floor for a zero likelihood
CHUNK = 1024  # draws per compiled call of the site function


def _run_file(out: Path, k: int) -> Path:
    return Path(out) / f"nested_run_{k}.npz"


def _header(config: Config, settings, run: dict) -> dict:
    return {
        "format": FORMAT,
        "configuration": config.raw,
        "options": config.effective_options,
        "settings": recorded(settings),
        "run": run,
    }


def write_run(path: Path, header: dict, arrays: dict) -> None:
    with atomic_write(path) as fh:
        np.savez(fh, header=np.array(json.dumps(header, default=str)), **arrays)


def read_run(path: Path) -> tuple[dict, dict]:
    """(header, arrays) of a finished run's file, or CheckpointError naming the file."""
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            header = json.loads(str(f["header"][()]))
            arrays = {k: f[k] for k in ("z", "logwt", "logl", "logvol")}
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}, expected {FORMAT}")
        for key in ("configuration", "options", "settings", "run"):
            header[key]
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise CheckpointError(f"nested-sampling run '{path}' is unreadable or corrupt ({why})") from None
    return header, arrays


def _weights(logwt) -> np.ndarray:
    """Importance weights from their logarithms, normalised to sum 1 (scaled by the largest first: no overflow)."""
    w = np.exp(np.asarray(logwt) - np.max(logwt))
    return w / w.sum()


def kish_ess(logwt) -> float:
    """``(sum w)^2 / sum w^2`` of importance weights given as logarithms."""
    return float(1.0 / (_weights(logwt) ** 2).sum())


def ess_between_runs(x) -> float:
    """The effective sample size that the scatter between independent runs implies, for draws ``x`` (runs, n).

    ArviZ's ESS (Vehtari et al. 2021, arXiv:1903.08008) reads a run's shuffled equal-weight draws as an uncorrelated
    chain and counts them; what one run gets wrong as a whole (a mode's share of the live points, the volumes'
    noise, the random walks' memory) enters it only through the between-chain term, which Geyer's truncation of the
    autocorrelation sum drops. Here that term is all there is. The pooled draws are rank-normalised
    (``z = Phi^-1((rank - 3/8) / (N + 1/4))``); ``W`` is the mean within-run variance of ``z`` and ``s_B^2`` the
    variance of the runs' means (``R - 1`` degrees of freedom, so with 4 runs the figure is good to a factor of
    about 2). A run's mean behaves like that of ``W / s_B^2`` independent draws, and the ESS is ``R W / s_B^2``, at
    most the number of draws. The smaller of the figures for ``x`` and for its folded ``|x - median|`` (the tails;
    the folded R-hat's device) is returned."""
    from scipy.special import ndtri
    from scipy.stats import rankdata

    x = np.asarray(x, dtype=float)
    R, n = x.shape

    def one(y):
        z = ndtri((rankdata(y, axis=None) - 0.375) / (y.size + 0.25)).reshape(R, n)
        s_B2 = z.mean(axis=1).var(ddof=1)
        return float(R * n) if s_B2 == 0 else min(float(R * n), R * float(z.var(axis=1, ddof=1).mean()) / s_B2)

    if R < 2 or n < 2 or np.ptp(x) == 0:
        return float("nan")
    return min(one(x), one(np.abs(x - np.median(x))))


def evidence_error(logwt, logl, logz: float, nlive: int) -> float:
    """Skilling's estimate of a run's ln Z error, ``sqrt(H / nlive)``, with the information
    ``H = sum_i p_i (ln L_i - ln Z)`` summed once at the end (``logwt`` normalised: ``sum exp(logwt) = 1``). dynesty's
    own running estimate loses every digit where ln L reaches -1e22 (the loop neutrino mass far outside its bound:
    its update subtracts numbers of that size) and comes out in the tens there."""
    p = np.exp(np.asarray(logwt))
    H = float(np.sum(np.where(p > 0, p * (np.asarray(logl) - logz), 0.0)))
    return float(np.sqrt(max(H, 0.0) / nlive))


def equal_weight(logwt, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` equal-weight draws by systematic resampling (each point drawn ``floor`` or ``ceil`` of
    ``n w_i`` times), in random order."""
    c = np.cumsum(_weights(logwt))
    idx = np.minimum(np.searchsorted(c, (rng.random() + np.arange(n)) / n), len(c) - 1)
    return rng.permutation(idx)


class _Problem:
    """The compiled likelihood and prior transform, called by dynesty one point at a time, and a queue of random walks
    stepped together (:meth:`walks`)."""

    def __init__(self, config: Config):
        f, space = log_likelihood_z(config)
        self.space, self.dim = space, space.dim
        self._f = jax.jit(f)
        self._t = jax.jit(lambda U: space.z_from_unit(jnp.clip(U, 1e-12, 1 - 1e-12)[None], ordered=True)[0])
        # the unit-cube coordinates that are angles, which dynesty's proposals wrap around: a circular prior's
        # (theta_R, theta_I), and the phase of a disc or logdisc coupling (its second, ParamSpace.z_from_unit)
        self.periodic = [a for p, (a, _) in zip(space.priors, space.slices) if p.kind == "circular"]
        self.periodic += [a + 1 for p, (a, _) in zip(space.priors, space.slices) if p.kind in ("disc", "logdisc")]
        self.periodic = sorted(self.periodic) or None
        self.nan_calls = 0

        # a batch of unit-cube points -> (their parameters, their log-likelihoods): one compiled call a walk step
        self._batch = jax.jit(
            lambda U: (lambda z: (z, jax.vmap(f)(z)))(space.z_from_unit(jnp.clip(U, 1e-12, 1 - 1e-12), ordered=True))
        )

    def transform(self, U):
        return np.asarray(self._t(jnp.asarray(U)))

    def loglike(self, z) -> float:
        v = float(self._f(jnp.asarray(z)))
        if np.isnan(v):
            self.nan_calls += 1
        return v if np.isfinite(v) else LOWEST

    def _clean(self, logl: np.ndarray, counted: np.ndarray) -> np.ndarray:
        """Non-finite log-likelihoods as excluded (``LOWEST``); the NaNs among the ``counted`` points counted."""
        self.nan_calls += int(np.sum(np.isnan(logl) & counted))
        return np.where(np.isfinite(logl), logl, LOWEST)

    def walks(self, args: list) -> list:
        """dynesty's random walk (``dynesty.internal_samplers.generic_random_walk``: ``walks`` proposals uniform in
        the scaled bounding ellipsoid about the current point, each accepted when it is in the cube and above the
        threshold), for a queue of walks in lockstep: each step proposes one point per walk (as dynesty's
        ``propose_ball_point``, vectorised over the queue, from one random stream seeded by dynesty) and evaluates
        all of them in one vmapped call."""
        from dynesty.internal_samplers import SamplerReturn
        from dynesty.utils import LoglOutput, apply_reflect, get_random_generator

        kw = args[0].kwargs
        rng = get_random_generator(args[0].rseed)
        u = np.array([a.u for a in args], dtype=float)
        axes = np.stack([a.axes for a in args])  # (q, nc, nc): the clustered dimensions' ellipsoid axes
        scale = np.array([a.scale for a in args], dtype=float)[:, None]
        q, n = u.shape
        nc = axes.shape[1]
        periodic, reflective, bounded = kw.get("periodic"), kw.get("reflective"), kw.get("nonbounded")
        z, logl = np.zeros((q, n)), np.full(q, LOWEST)
        accept, reject = np.zeros(q, int), np.zeros(q, int)
        threshold = np.array([float(a.loglstar) for a in args])
        for _ in range(kw["walks"]):
            x = rng.standard_normal((q, nc))
            x *= (rng.random(q) ** (1.0 / nc) / np.linalg.norm(x, axis=1))[:, None]  # uniform in the unit ball
            prop = u.copy()
            prop[:, :nc] += scale * np.einsum("qij,qj->qi", axes, x)
            if nc < n:
                prop[:, nc:] = rng.random((q, n - nc))
            if periodic is not None:
                prop[:, periodic] = np.mod(prop[:, periodic], 1.0)
            if reflective is not None:
                prop[:, reflective] = apply_reflect(prop[:, reflective])
            if bounded is None:
                inside = np.all((prop > 0) & (prop < 1), axis=1)
            else:  # dynesty's unitcheck: the bounded coordinates in (0, 1), the others in (-0.5, 1.5)
                inside = np.all(np.where(bounded, (prop > 0) & (prop < 1), (prop > -0.5) & (prop < 1.5)), axis=1)
            zp, lp = (np.asarray(v) for v in self._batch(jnp.asarray(np.where(inside[:, None], prop, u))))
            lp = self._clean(lp, inside)
            up = inside & (lp > threshold)
            u[up], z[up], logl[up] = prop[up], zp[up], lp[up]
            accept += up
            reject += ~up
        stuck = accept == 0  # dynesty evaluates the starting point again
        if stuck.any():
            zp, lp = (np.asarray(v) for v in self._batch(jnp.asarray(u)))
            z[stuck], logl[stuck] = zp[stuck], self._clean(lp, stuck)[stuck]
        return [
            SamplerReturn(
                u=u[i],
                v=z[i],
                logl=LoglOutput(float(logl[i]), False),
                ncalls=kw["walks"],
                evaluation_history=[],
                tuning_info={"accept": int(accept[i]), "reject": int(reject[i]), "scale": a.scale},
                proposal_stats={"n_accept": int(accept[i]), "n_reject": int(reject[i])},
            )
            for i, a in enumerate(args)
        ]


class _Queue:
    """dynesty's ``pool`` for one process: its ``map`` runs a queue of random-walk proposals as one batch
    (:meth:`_Problem.walks`); anything else it maps one by one, as dynesty's own default does."""

    def __init__(self, problem: _Problem, size: int):
        self.problem, self.size = problem, size

    def map(self, fn, args):
        if getattr(fn, "__qualname__", "") == "RWalkSampler.sample":
            return self.problem.walks(list(args))
        return list(map(fn, args))


def _one_run(problem: _Problem, s, k: int, report=None) -> tuple[dict, dict]:
    """One run, seeded by ``[seed, k]``; ``report(iteration, ln Z, delta ln Z)`` every 50 iterations."""
    import dynesty

    problem.nan_calls = 0
    t0 = time.perf_counter()
    queue = (
        {}
        if s.queue <= 1
        else {
            "pool": _Queue(problem, s.queue),
            "queue_size": s.queue,
            "use_pool": {
                "propose_point": True,
                "prior_transform": False,
                "loglikelihood": False,
                "update_bound": False,
            },
        }
    )
    walks = {"sample": "rwalk", "walks": s.walks} if s.walks else {"sample": s.sample}  # dynesty's auto ignores walks
    ns = dynesty.NestedSampler(
        problem.loglike,
        problem.transform,
        problem.dim,
        nlive=s.nlive,
        periodic=problem.periodic,
        rstate=np.random.default_rng([s.seed, k]),
        **walks,
        **queue,
    )
    last = None
    for it, r in enumerate(ns.sample(dlogz=s.dlogz, maxcall=s.maxcall or None)):
        last = r
        if report is not None and it % 50 == 0:
            report(it, float(r.logz), float(r.delta_logz))
    res = ns.results
    if len(res.logl) == 0 or np.ptp(res.logl) == 0:
        raise ValueError(
            "no likelihood varies over the prior (dynesty stopped on a plateau of ln L = "
            f"{float(ns.live_logl[0]):.6g}): the posterior is the prior; sample it with --sampler nuts"
        )
    for _ in ns.add_live_points():  # a generator: the final live points are added only as it is iterated
        pass
    res = ns.results
    logwt = np.asarray(res.logwt) - float(res.logz[-1])
    run = {
        "log_evidence": float(res.logz[-1]),
        "log_evidence_error": evidence_error(logwt, res.logl, float(res.logz[-1]), s.nlive),
        "iterations": int(res.niter),
        "likelihood_calls": int(np.sum(res.ncall)),
        "efficiency_percent": float(res.eff),
        "delta_log_evidence_at_stop": float(last.delta_logz) if last is not None else float("nan"),
        "stopped_by": "maxcall" if s.maxcall and last is not None and last.delta_logz > s.dlogz else "dlogz",
        "kish_ess": kish_ess(logwt),
        "nan_likelihood_calls": problem.nan_calls,
        "wall_time_s": time.perf_counter() - t0,
    }
    return run, {
        "z": np.asarray(res.samples, dtype=np.float64),
        "logwt": logwt,
        "logl": np.asarray(res.logl),
        "logvol": np.asarray(res.logvol),
    }


def _worker(config: Config, s, out: str, k: int, x64: bool, queue) -> None:
    """Run ``k`` in a process of its own (spawned: a fresh JAX) and write its file; progress goes to ``queue``."""
    jax.config.update("jax_enable_x64", x64)  # the parent's setting, which a spawned process does not inherit
    report = None if queue is None else (lambda it, lz, dlz: queue.put((k, it, lz, dlz)))
    _run_and_write(_Problem(config), config, s, Path(out), k, report)


def _run_and_write(problem: _Problem, config: Config, s, out: Path, k: int, report) -> None:
    run, arrays = _one_run(problem, s, k, report)
    write_run(_run_file(out, k), _header(config, s, run), arrays)


class _Bars:
    """One progress bar per run, fed with (run, iteration, ln Z, delta ln Z)."""

    def __init__(self, s, todo: list[int], enabled: bool):
        self.s, self.bars = s, {}
        if enabled:
            from tqdm.auto import tqdm

            self.bars = {
                k: tqdm(unit="it", desc=f"nested run {k + 1}/{s.runs}", position=i, leave=True)
                for i, k in enumerate(todo)
            }

    def __call__(self, k, it, lz, dlz):
        if k in self.bars:
            self.bars[k].update(it - self.bars[k].n)
            self.bars[k].set_postfix_str(
                f"ln Z {lz:.3f}, delta ln Z {dlz:.3g} (stop at {self.s.dlogz:g})", refresh=False
            )

    def close(self):
        for b in self.bars.values():
            b.close()


def _run_all(config: Config, s, out: Path, todo: list[int], workers: int, progress: bool) -> None:
    """Run ``todo`` and write each run's file: in this process, or in ``workers`` spawned processes."""
    bars = _Bars(s, todo, progress)
    try:
        if workers <= 1:
            problem = _Problem(config)
            for k in todo:
                _run_and_write(problem, config, s, out, k, lambda it, lz, dlz, k=k: bars(k, it, lz, dlz))
            return
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        with ctx.Manager() as manager, ctx.Pool(workers) as pool:
            queue = manager.Queue() if progress else None
            x64 = bool(jax.config.jax_enable_x64)
            jobs = [pool.apply_async(_worker, (config, s, str(out), k, x64, queue)) for k in todo]
            while not all(j.ready() for j in jobs):
                time.sleep(0.2)
                while queue is not None and not queue.empty():
                    bars(*queue.get())
            for j in jobs:
                j.get()  # a worker's exception, raised here
    finally:
        bars.close()


def _sites(fn, space, z: np.ndarray) -> dict:
    """Every NUTS site (``fn``, :func:`fits.sample.posterior.site_function`) at the draws ``z`` (runs, n, dim), through the
    sampler's coordinates, CHUNK draws per compiled step (:func:`jaxtmm.batch.map_batch`)."""
    out = map_batch(lambda zz: fn(space.u_from_z(zz)), jnp.asarray(z.reshape(-1, z.shape[-1])), batch_size=CHUNK)
    return {f"site:{k}": np.asarray(v).reshape(z.shape[:2] + v.shape[1:]) for k, v in out.items()}


def sample(
    config: Config,
    settings,
    out: Path,
    resume: bool = False,
    progress: bool = True,
    stop_after_runs: int | None = None,
    workers: int = 0,
) -> dict:
    """Run (or finish) the nested-sampling runs and return their equal-weight draws as chains, in the layout of
    :func:`fits.sample.posterior.sample`. The runs go to ``workers`` processes at once (0: one per CPU core, at most one per
    run; 1: this process), which changes nothing in the draws: run ``k`` is seeded by ``[seed, k]`` wherever it runs.
    ``stop_after_runs`` simulates an interruption after that many new runs."""
    s = settings
    if not config.likelihoods:
        raise ValueError(
            "nested sampling needs a likelihood, and no likelihood varies here (none is enabled): the "
            "posterior is the prior; sample it with --sampler nuts"
        )
    if ParamSpace.from_config(config).dim == 0:
        raise ValueError("nested sampling needs a free continuous parameter, and the configuration has none")
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    runs, arrays, earlier = [None] * s.runs, [None] * s.runs, 0.0
    if resume:
        found = [k for k in range(s.runs) if _run_file(out, k).exists()]
        if not found:
            raise CheckpointError(f"nothing to resume: no nested_run_K.npz in '{out}'")
        for k in found:
            header, arr = read_run(_run_file(out, k))
            diffs = setting_differences(header, config, s)
            if diffs:
                raise CheckpointError(
                    "resuming needs the settings of the interrupted run; differing: " + "; ".join(diffs)
                )
            runs[k], arrays[k] = header["run"], arr
            earlier += header["run"]["wall_time_s"]
    todo = [k for k in range(s.runs) if runs[k] is None]
    stopped = stop_after_runs is not None and stop_after_runs < len(todo)
    todo = todo[:stop_after_runs] if stopped else todo
    _run_all(config, s, out, todo, min(workers or os.cpu_count() or 1, len(todo)), progress)
    for k in todo:
        header, arrays[k] = read_run(_run_file(out, k))
        runs[k] = header["run"]
    if stopped:
        return {"complete": False, "runs": runs}
    n = s.draws or max(1, int(min(r["kish_ess"] for r in runs)))
    rng = np.random.default_rng([s.seed, 7])
    z = np.stack([a["z"][equal_weight(a["logwt"], n, rng)] for a in arrays])  # (runs, n, dim)
    fn, space, enabled = site_function(config)
    result = {
        "arrays": _sites(fn, space, z),
        "complete": True,
        "space": space,
        "enabled": enabled,
        "runs_arrays": arrays,
        "runs": runs,
        "draws_per_run": n,
        "chain_method": f"nested sampling (dynesty), {s.runs} independent runs",
        "elapsed_s": earlier + time.perf_counter() - t0,
    }
    return result


def evidence(runs: list[dict]) -> dict:
    """ln Z of each run, their mean, its standard error from the runs' scatter, and dynesty's mean error
    estimate of one run (the two should agree: a scatter well above the estimate means runs that disagree)."""
    lz = np.array([r["log_evidence"] for r in runs])
    sd = float(lz.std(ddof=1)) if len(lz) > 1 else float("nan")
    return {
        "runs": lz.tolist(),
        "mean": float(lz.mean()),
        "standard_error": sd / np.sqrt(len(lz)),
        "scatter_between_runs": sd,
        "mean_reported_error": float(np.mean([r["log_evidence_error"] for r in runs])),
    }
