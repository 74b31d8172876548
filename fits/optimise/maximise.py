r"""The largest allowed mu_eff: maximise over every free parameter subject to every enabled likelihood
lying inside its 90% CL region (physics-spec section 6).

Problem, for each (g_D, m_A', set of enabled likelihoods)::

    maximise   F(z) = ln mu_eff(z)
    subject to c_k(z) = ln r_k(z) <= 0     (r_k: signal over the signal at limit k; r_k = 1 is its CL boundary)
               z in the prior's support   (boxes, and |y| <= y_max for each Yukawa coupling)

Method: an augmented Lagrangian for the inequalities,

    L(z; lam, rho) = -F(z) + sum_k [max(0, lam_k + rho c_k)^2 - lam_k^2] / (2 rho),

minimised in an inner loop of projected Adam steps (optax; the support is imposed by exact projection, so
optima on its boundary are reached), then ``lam_k <- max(0, lam_k + rho c_k)`` and ``rho <- 2 rho``.
Everything is vmapped over problems and starts, in three passes (:class:`Settings`, one :class:`Stage` each),
and a fourth, on the host, where those stop short:

1. random starts from the prior;
2. restarts from the pass-1 optima of other problems (the neighbours in the batch order, the best of the
   batch -- a feasible point of one problem is a start for all -- and a few random ones): problems of a scan
   share their best basins; and from the eps ladder (:meth:`Maximiser._eps_ladder`):
   the pass-1 winner copied to ``ladder`` log-spaced values of eps over its prior range, of which the largest
   feasible ones restart (the allowed eps can be several disjoint intervals between the dark-photon searches'
   bands, and a local step does not cross an excluded band);
3. a polish, with small steps, of each problem's two best candidates and of its winner with the Yukawa
   couplings pushed radially to their bound (the best feasible subset, and all of them), in coordinates where
   the Yukawa discs are boxes (``|y|``, ``arg y``), since per-coordinate steps stall on the circle ``|y| = max``;
4. where the winner is infeasible or its KKT residual exceeds ``sqp_kkt``, SLSQP (:mod:`fits.optimise.sqp`) from the
   winner and the best nearly feasible candidate, in the same coordinates: it converges where the Adam steps
   stall at steep constraints (a cancelled neutrino mass), one problem at a time on the host.

The best feasible candidate of all passes wins. Reported at each optimum: the constraint residual
``max_k max(0, c_k)``, the KKT residual with least-squares multipliers (:mod:`fits.optimise.kkt`; zero at a KKT
point, whichever pass produced the optimum), the multipliers, and which constraints and bounds bind.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from fits.optimise import bounded, population
from fits.optimise.kkt import kkt_residual
from fits.optimise.solver import Problem, batched_round
from fits.parallel import Layout
from fits.problem.config import Config, build_likelihoods
from fits.problem.quantities import quantity
from fits.problem.space import FLOOR, ParamSpace
from jaxtmm import mass_cancellation

OBJECTIVES = ("mu_eff", "lnL")
_C_OFF = -50.0  # c_k where a limit does not apply (r = 0): far inside, no force
#: The constraint a problem with a cancellation floor adds (``Maximiser(tuning=True)``): c >= floor.
TUNING_COLUMN = "nu_mass_cancellation >= floor"


@dataclass(frozen=True)
class Stage:
    """One pass of the schedule: ``rounds`` augmented-Lagrangian rounds of ``inner`` projected steps of the inner
    solver (``solver``, default the settings' one), the learning rate starting at ``lr`` and multiplied by ``decay``
    after each round."""

    rounds: int
    inner: int
    lr: float
    decay: float = 0.7
    solver: Callable | None = (
        None  # a factory lr -> optax.GradientTransformation (fits.optimise.solver); None: Settings.solver
    )


@dataclass(frozen=True)
class Settings:
    """The maximiser's schedule. With these defaults every one of the default scan's 537 problems reaches its
    closed-form optimum (fits.jobs.reference): ratio - 1 in [-2.1e-10, 4.2e-7] (corrected convention) and
    [1.5e-9, 3.4e-7] (paper), KKT residual <= 1e-4, in ~57 s on 2 CPU cores (docs/fits.md)."""

    # pass 1: `starts` random starts per problem; the penalty starts at rho0 and grows by rho_growth a round
    starts: int = 4
    explore: Stage = Stage(rounds=12, inner=250, lr=0.1)
    rho0: float = 16.0
    rho_growth: float = 2.0
    rho_max: float = 1e4
    feas_tol: float = 1e-6  # on c_k = ln r_k
    seed: int = 0
    # pass 2 (penalty rho_max): each problem restarts from its own optimum and from the optima of other
    # problems of the batch (the neighbours i-1, i+1 -- the scan orders problems by mass --, the batch's best
    # winner and `share_random` random ones)
    share: Stage = Stage(rounds=8, inner=150, lr=0.05)
    share_random: int = 3
    ladder: int = 64  # eps values tried at each pass-1 winner (0: none), log-spaced for a log-uniform prior:
    # 64 over the presets' 1e-8..1e-2 are 24% apart
    # pass 3 (penalty rho_max): the winner and the best nearly feasible candidate (within `near_tol`) of each
    # problem, in polar coordinates for the Yukawa discs (see fits.problem.space), with small steps; 0 rounds skips it
    polish: Stage = Stage(rounds=8, inner=200, lr=1e-3)
    near_tol: float = 1e-2
    # pass 3 also polishes the winner with its Yukawa couplings pushed to their bound (Maximiser._y_push)
    y_push: bool = True
    # the inner solver of every round: a factory lr -> optax.GradientTransformation (fits.optimise.solver)
    solver: Callable = optax.adam
    # pass 4 (fits.optimise.sqp): for each problem whose winner is infeasible or has a KKT residual above `sqp_kkt`, up to
    # `sqp_rounds` trust-region calls of SLSQP of at most `sqp` iterations each, from `sqp_radius`; sqp = 0 skips it
    sqp: int = 100
    sqp_rounds: int = 24
    sqp_radius: float = 1.0
    sqp_kkt: float = 1e-3
    # a problem with no constraint in force (every mask entry 0: a profile of a parameter) skips passes 1-4: L-BFGS on
    # the box's sine transform (fits.optimise.bounded), `starts` random starts and then the neighbours' and the
    # batch's best optima, at most `box_iter` steps each, until the gradient's norm is below `box_gtol`
    box_iter: int = 1000
    box_gtol: float = 1e-9
    # pass 0 (fits.optimise.population): differential evolution over the whole box, `population` members per problem
    # for `generations` generations, whose best `starts` members are pass 1's starts instead of prior draws. None: on
    # (64 members) where the cancellation is a coordinate (a global profile, Maximiser(tuning=True)), else off; 0: off
    population: int | None = None
    generations: int = 150
    # after pass 3: continuation along the batch (a scan's mass grid), Maximiser._sweep; None: 3 sweeps at most where
    # the cancellation is a coordinate, else none
    sweeps: int | None = None
    # every batched evaluation runs in chunks of `chunk` rows (a smaller batch: padded to a power of two), so that each
    # compiled program (a round of one coordinate system, the diagnostics) is compiled once per run, not per shape
    chunk: int = 256


class Optima(NamedTuple):
    """What :meth:`Maximiser.run` finds: each problem's best candidate, one row per problem (``n``), ``k``
    constraints (:attr:`Maximiser.lk_names`: each enabled likelihood, then each target's two sides)."""

    z: np.ndarray  # (n, dim): the optimum in the optimiser's (Cartesian) coordinates, fits.problem.space
    F: np.ndarray  # (n,): the objective there, ln mu_eff (ln of mu_B) or ln L
    c: np.ndarray  # (n, k): each constraint's value, ln r (<= 0 inside its CL region)
    r: np.ndarray  # (n, k): each constraint's signal ratio r (for a target: value / target)
    residual: np.ndarray  # (n,): the largest violation max(c, 0) of the constraints in force (0: feasible)
    mu_eff_muB: np.ndarray  # (n,): mu_eff at the optimum, mu_B
    eps: np.ndarray  # (n,): the kinetic mixing at the optimum
    feasible: np.ndarray  # (n,) bool: residual <= Settings.feas_tol
    n_feasible_starts: np.ndarray  # (n,) int: pass-1 starts that ended feasible
    kkt: np.ndarray  # (n,): the KKT residual (fits.optimise.kkt.kkt_residual), ~1e-10 at a converged optimum
    multipliers: np.ndarray  # (n, k): the Lagrange multipliers of the binding constraints (0 elsewhere)
    binding: list  # n lists of text: the binding constraints ("NA64 (r = 1.000000)") and active prior bounds
    # (n, R): the objective each of R independent runs reached (fits.optimise.parity.solve_over_parities), NaN where
    # that run found no feasible point; None from a single Maximiser.run
    runs_F: np.ndarray | None = None

    def take(self, rows) -> "Optima":
        """The results of the problems ``rows`` (indices), in that order."""
        return Optima(
            *(v if v is None else [v[i] for i in rows] if isinstance(v, list) else np.asarray(v)[rows] for v in self)
        )

    @staticmethod
    def concat(parts: list) -> "Optima":
        """The rows of several results, one after the other (``runs_F`` dropped)."""
        fields = [
            [row for p in parts for row in p[j]]
            if isinstance(parts[0][j], list)
            else np.concatenate([p[j] for p in parts])
            for j in range(len(Optima._fields) - 1)
        ]
        return Optima(*fields)


class Maximiser:
    """Maximise mu_eff for a batch of problems: ``overrides`` (m_Ap, g_D arrays) and likelihood masks."""

    def __init__(
        self,
        config: Config,
        settings: Settings = Settings(),
        override_names=("m_Ap", "g_D"),
        layout: Layout | None = None,
        likelihood_names=None,
        objective: str = "mu_eff",
        targets=(),
        tuning: bool = False,
        _polar: bool = False,
    ):
        """``likelihood_names``: the likelihoods a problem may enable (the columns of the masks given to
        :meth:`run`); default: those the configuration enables. Others are not evaluated at all.

        ``objective``: ``"mu_eff"`` (ln mu_eff, the scan's) or ``"lnL"`` (the sum of the log-likelihoods the
        configuration enables, for profile likelihoods). ``targets``: derived quantities (``fits.problem.quantities``) held
        at a value each problem gives as the override ``"target:NAME"``, through the two constraints
        ``+-ln(q / target) <= 0`` (mask columns after the likelihoods').

        ``tuning``: the neutrino-mass cancellation is a coordinate (``ParamSpace(tuning=True)``) and each problem
        holds it above its override ``cancellation_floor`` through one more constraint, ``ln(floor / c) <= 0`` (the
        last mask column, :data:`TUNING_COLUMN`), which binds where the coordinate cannot reach it."""
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
        self.config = config
        self.settings = settings
        self.layout = layout or Layout.current()
        self.space = ParamSpace.from_config(config, exclude=override_names, polar=_polar, tuning=tuning)
        self.override_names = tuple(override_names)
        self._twin = None
        self._args = (
            config,
            settings,
            override_names,
            self.layout,
            likelihood_names,
            objective,
            tuple(targets),
            tuning,
        )
        lks = build_likelihoods(config)
        names = tuple(likelihood_names) if likelihood_names is not None else tuple(config.likelihoods)
        unknown = [n for n in names if n not in lks]
        if unknown:
            raise ValueError(f"unknown likelihood(s): {', '.join(unknown)}")
        self.likelihoods = tuple(lks[n] for n in names)
        self._mu = quantity("mu_eff", config)
        self.objective = objective
        self._lnL_lks = tuple(lks[n] for n in config.likelihoods)
        self.targets = tuple(targets)
        self._q = tuple(quantity(t, config) for t in self.targets)
        self.lk_names = names + tuple(f"{t} {op} target" for t in self.targets for op in ("<=", ">="))
        self.tuning = tuning
        if tuning:
            self.lk_names += (TUNING_COLUMN,)
        self.problem = Problem(self._F, self._c, self.space.project_z)
        self._sqp = None  # pass 4's fits.optimise.sqp.SQP, compiled on first use
        self._de = None  # pass 0's compiled differential evolution (init, evolve)
        self._steps = {}  # inner solver -> its compiled round (fits.optimise.solver.batched_round)
        self._diag = partial(in_chunks, jax.jit(jax.vmap(self._diagnostics)), settings.chunk)
        self._grads = jax.jit(jax.vmap(self._gradients))
        self._gradF = jax.jit(jax.vmap(jax.grad(self._F)))

    # ------------------------------------------------------------------ pieces
    def point(self, z, ov: dict):
        """The point of optimiser coordinates ``z`` with the problem's overrides ``ov`` (name -> value: a pytree)."""
        return self.space.point_z(z, **ov)

    def _F(self, z, ov):
        p = self.point(z, ov)
        if self.objective == "lnL":
            return sum(lk.log_likelihood(p) for lk in self._lnL_lks)
        return jnp.log(self._mu(p) + 1e-300)

    def _c(self, z, ov):
        p = self.point(z, ov)
        out = []
        for lk in self.likelihoods:
            r = lk.signal_ratio(p)
            out.append(jnp.where(r > 0, jnp.log(jnp.where(r > 0, r, 1.0)), _C_OFF))
        for t, q in zip(self.targets, self._q):
            v = jnp.log(q(p) + 1e-300) - jnp.log(ov[f"target:{t}"])
            out += [v, -v]
        if self.tuning:
            out.append(jnp.log(ov[FLOOR]) - jnp.log(mass_cancellation(p) + 1e-300))
        return jnp.stack(out)

    def _diagnostics(self, z, ov, mask):
        p = self.point(z, ov)
        c = self._c(z, ov)
        rs = jnp.concatenate(
            [jnp.stack([lk.signal_ratio(p) for lk in self.likelihoods]), jnp.exp(c[len(self.likelihoods) :])]
        )
        return {
            "F": self._F(z, ov),
            "c": c,
            "r": rs,
            "residual": jnp.max(jnp.where(mask > 0, jnp.maximum(c, 0.0), 0.0)),
            "mu_eff_muB": self._mu(p),
            "eps": p.eps,
        }

    def _gradients(self, z, ov):
        return jax.grad(self._F)(z, ov), jax.jacobian(self._c)(z, ov)

    def kkt(self, z, ov, masks, c, tol: float = 1e-4):
        """KKT residual (:func:`fits.optimise.kkt.kkt_residual`) and multipliers of each optimum ``z`` (Cartesian
        coordinates) whose constraint values ``c`` the diagnostics already hold; the constraints with
        ``c_k > -tol`` count as binding."""
        ov = jax.tree_util.tree_map(jnp.asarray, ov)
        if np.any(np.asarray(masks) > 0):
            gF, Jc = (np.asarray(a) for a in self._grads(jnp.asarray(z), ov))
        else:  # no constraint in force: the objective's gradient alone (the constraints' Jacobian compiles for long)
            gF = np.asarray(self._gradF(jnp.asarray(z), ov))
            Jc = np.zeros((len(z), len(self.lk_names), self.space.dim))
        binding = (np.asarray(masks) > 0) & (np.asarray(c) > -tol)
        res, lams = np.empty(len(z)), np.zeros((len(z), len(self.lk_names)))
        for i, on in enumerate(binding):
            res[i], lams[i, on], _ = kkt_residual(gF[i], Jc[i][on], self.space.bound_normals(z[i]))
        return res, lams

    # ------------------------------------------------------------------ driver
    def run(self, overrides: dict, masks, progress: bool = False, desc: str = "maximise", starts=None, seed=None):
        """Solve every problem. ``overrides``: name -> array (n,); ``masks``: (n, len(lk_names)) of 0/1.

        ``starts``: optional known points, ``(n, e, dim)`` in the (Cartesian) optimiser coordinates, NaN where a problem
        has none (an earlier run's optima: ``jaxtmm scan --starts-from``). Each is a pass-2 start *and* a candidate
        itself, so the result is never worse than the best of them.

        ``seed``: of the random starts, default the settings' (independent runs of one compiled maximiser).

        Returns each problem's best candidate, an :class:`Optima`.
        """
        s = self.settings if seed is None else replace(self.settings, seed=int(seed))
        masks = jnp.asarray(masks, dtype=jnp.float64)
        ov = {k: jnp.asarray(overrides[k], dtype=jnp.float64) for k in self.override_names}
        n = masks.shape[0]
        if not bool(jnp.any(masks > 0)):
            return self._run_box(ov, masks, starts, s.seed)
        z0 = self._first_starts(ov, masks, s, progress, desc)
        z, d = self._solve_shared(z0, ov, masks, s.starts, s.explore, s.rho0, progress, desc + " (pass 1)")
        best = self.best(d, np.arange(n * s.starts).reshape(n, s.starts))
        # pass 2: restart from shared optima (identical on every process: same data, same seed)
        zb = z[best]
        starts2 = zb[self._shared(d, best, s)]
        if s.ladder and "eps" in self.space.names:
            starts2 = np.concatenate([starts2, self._eps_ladder(zb, ov, masks)], axis=1)
        known = None
        if starts is not None:
            known = np.asarray(starts, dtype=float).reshape(n, -1, self.space.dim)
            known = np.where(np.isnan(known).any(axis=2, keepdims=True), np.asarray(zb)[:, None, :], known)
            known = np.asarray(self.space.project_z(jnp.asarray(known)))
            starts2 = np.concatenate([starts2, known], axis=1)
        k = starts2.shape[1]
        z2, d2 = self._solve_shared(
            jnp.asarray(starts2.reshape(n * k, -1)), ov, masks, k, s.share, s.rho_max, progress, desc + " (pass 2)"
        )
        # candidates: each problem's pass-1 winner and its pass-2 results
        zc = np.concatenate([z[best], z2])
        dc = {key: np.concatenate([d[key][best], d2[key]]) for key in d}
        order = np.concatenate([np.arange(n)[:, None], n + np.arange(n * k).reshape(n, k)], axis=1)
        if known is not None:  # the known points themselves are candidates
            e = known.shape[1]
            dk = jax.tree_util.tree_map(
                np.asarray,
                self._diag(jnp.asarray(known.reshape(n * e, -1)), _repeat(ov, e), jnp.repeat(masks, e, axis=0)),
            )
            m = len(zc)
            zc = np.concatenate([zc, known.reshape(n * e, -1)])
            dc = {key: np.concatenate([dc[key], dk[key]]) for key in dc}
            order = np.concatenate([order, m + np.arange(n * e).reshape(n, e)], axis=1)
        win = self.best(dc, order)
        if s.polish.rounds:
            # pass 3, in polar coordinates: polish the winner and the best nearly feasible candidate (pass 2
            # ends a little outside the constraints near the optimum, within its steps' reach)
            picks = [zc[win], zc[self.best(dc, order, tol=s.near_tol)]]
            if s.y_push and self._discs():
                picks += list(self._y_push(zc[win], ov, masks))
            c3 = len(picks)
            cand = np.stack(picks, axis=1).reshape(n * c3, -1)
            w3, d3 = self.twin._solve_shared(
                self.space.to_polar(jnp.asarray(cand)), ov, masks, c3, s.polish, s.rho_max, progress, desc + " (pass 3)"
            )
            m = len(zc)
            zc = np.concatenate([zc, np.asarray(self.space.from_polar(jnp.asarray(w3)))])
            dc = {key: np.concatenate([dc[key], d3[key]]) for key in dc}
            order = np.concatenate([order, m + np.arange(c3 * n).reshape(n, c3)], axis=1)
            win = self.best(dc, order)
        zc, dc, order, win = self._sweep(zc, dc, order, win, ov, masks, s, progress, desc)
        kkt = None  # the winners' KKT residuals and multipliers, when pass 4 has them and changes no winner
        if s.sqp:
            kkt = self.kkt(zc[win], ov, masks, dc["c"][win])
            zc, dc, order = self._sqp_pass(zc, dc, order, win, kkt[0], ov, masks, progress, desc + " (pass 4: SLSQP)")
            new = self.best(dc, order)
            if not np.array_equal(new, win):
                kkt, win = None, new
        return self._optima(zc[win], {key: v[win] for key, v in dc.items()}, d, kkt, ov, masks)

    def _sweep(self, zc, dc, order, win, ov, masks, s: Settings, progress, desc):
        """Continuation along the batch (a scan's mass grid): each problem restarts (pass 2's stage) from the current
        winners of its neighbours ``i - 1`` and ``i + 1``, and again while any problem improves (by more than 1%, or
        from infeasible to feasible), at most ``sweeps`` times (None: 3 where the cancellation is a coordinate, else
        0). Returns the candidates, their order and the winners, as :meth:`run` keeps them."""
        sweeps = s.sweeps if s.sweeps is not None else (3 if self.tuning else 0)
        n = len(win)
        for k in range(sweeps):
            nb = _neighbours(n, 0)[:, :2]
            z0 = jnp.asarray(zc[win][nb].reshape(2 * n, -1))
            label = f"{desc} (continuation {k + 1} of at most {sweeps})"
            z2, d2 = self._solve_shared(z0, ov, masks, 2, s.share, s.rho_max, progress, label)
            m = len(zc)
            zc = np.concatenate([zc, z2])
            dc = {key: np.concatenate([dc[key], d2[key]]) for key in dc}
            order = np.concatenate([order, m + np.arange(2 * n).reshape(n, 2)], axis=1)
            new = self.best(dc, order)
            ok_old, ok_new = dc["residual"][win] <= s.feas_tol, dc["residual"][new] <= s.feas_tol
            gained = (ok_new & ~ok_old) | (ok_new & (dc["F"][new] > dc["F"][win] + math.log(1.01)))
            win = new
            if not gained.any():
                break
        return zc, dc, order, win

    def _shared(self, d, best, s: Settings) -> np.ndarray:
        """Pass 2's starts of each problem, as indices into the pass-1 winners ``best``: its own, its neighbours'
        (``i - 1``, ``i + 1``), the batch's best and ``s.share_random`` random ones."""
        n = len(best)
        rng = np.random.default_rng(s.seed)
        top = np.flatnonzero(best == self.best(d, best[None, :])[0])[0]  # the batch's best winner
        return np.concatenate(
            [np.arange(n)[:, None], _neighbours(n, top), rng.integers(0, n, (n, s.share_random))], axis=1
        )

    def _run_box(self, ov, masks, starts=None, seed: int = 0) -> Optima:
        """:meth:`run` where no constraint is in force: :func:`fits.optimise.bounded.maximise` from ``starts`` random
        starts per problem (and the known ``starts``), then from the winners of the problem's neighbours in the batch
        (``i - 1``, ``i + 1``: a profile's grid order, so a continuation) and of the whole batch."""
        s = self.settings
        n = masks.shape[0]
        z0 = np.asarray(self.space.sample_prior_z(jax.random.PRNGKey(seed), n * s.starts)).reshape(n, s.starts, -1)
        if starts is not None:
            known = np.asarray(starts, dtype=float).reshape(n, -1, self.space.dim)
            known = np.where(np.isnan(known).any(axis=2, keepdims=True), z0[:, :1], known)
            z0 = np.concatenate([z0, np.asarray(self.space.project_z(jnp.asarray(known)))], axis=1)
        w1, F1 = self._box(
            np.asarray(self.space.to_polar(jnp.asarray(z0.reshape(n * z0.shape[1], -1)))), ov, z0.shape[1]
        )
        w1, F1 = w1.reshape(n, z0.shape[1], -1), F1.reshape(n, z0.shape[1])
        wb = w1[np.arange(n), np.argmax(F1, axis=1)]
        idx = _neighbours(n, int(np.argmax(F1.max(axis=1))))
        k = z0.shape[1]  # as many as pass 1 (its own winner the rest): one compiled program for both
        idx = np.concatenate([idx, np.repeat(np.arange(n)[:, None], max(k - 3, 0), axis=1)], axis=1)[:, : max(k, 3)]
        w2, F2 = self._box(wb[idx].reshape(-1, w1.shape[2]), ov, idx.shape[1])
        w = np.concatenate([w1, w2.reshape(n, idx.shape[1], -1)], axis=1)
        F = np.concatenate([F1, F2.reshape(n, idx.shape[1])], axis=1)
        # back to Cartesian coordinates, a circular angle wrapped into its period (unbounded in the L-BFGS steps)
        z = np.asarray(self.space.project_z(self.space.from_polar(jnp.asarray(w[np.arange(n), np.argmax(F, axis=1)]))))
        d = jax.tree_util.tree_map(np.asarray, self._diag(jnp.asarray(z), ov, masks))
        first = {"residual": np.zeros(n * s.starts)}  # nothing to satisfy: every start is feasible
        return self._optima(z, d, first, None, ov, masks)

    def _box(self, w, ov, k: int):
        """:func:`fits.optimise.bounded.maximise` of the objective (in polar coordinates) from each row of ``w``,
        ``k`` rows per problem, this process's share, then gathered: ``(w, F)``, a NaN objective as -inf."""
        s = self.settings
        rows = len(w)
        lo, hi = (jnp.asarray(a) for a in bounded.box_arrays(self.space.polar_bounds()))
        a, b, per = self.layout.share(rows)
        ov_k = jax.tree_util.tree_map(lambda x: x[a:b], _repeat(ov, k))
        (wl, ovl), n_rows = self.layout.shard(jnp.asarray(w[a:b]), ov_k)
        wl, Fl, _ = bounded.maximise(self.twin._F, s.box_iter, s.box_gtol, wl, ovl, lo, hi)
        wl, Fl = self.layout.unpad((wl, Fl), n_rows)
        g = self.layout.gather({"w": np.asarray(wl), "F": np.asarray(Fl)}, rows, per)
        return g["w"], np.nan_to_num(g["F"], nan=-np.inf)

    def _optima(self, z, d: dict, first: dict, kkt, ov, masks) -> Optima:
        """The winners' :class:`Optima`: their diagnostics ``d``, feasibility, pass 1's feasible starts (``first``),
        KKT residuals and multipliers (computed here unless pass 4 has them) and the binding constraints."""
        s = self.settings
        n = len(z)
        residual = np.asarray(d["residual"])
        kkt = kkt if kkt is not None else self.kkt(z, ov, masks, d["c"])
        names = np.array(self.lk_names)
        m = np.asarray(masks) > 0
        binding = [
            [f"{names[j]} (r = {d['r'][i, j]:.6f})" for j in range(len(names)) if m[i, j] and d["c"][i, j] > -1e-4]
            + self.space.z_bounds_active(z[i])[0]
            for i in range(n)
        ]
        return Optima(
            z=z,
            F=d["F"],
            c=d["c"],
            r=d["r"],
            residual=residual,
            mu_eff_muB=d["mu_eff_muB"],
            eps=d["eps"],
            feasible=residual <= s.feas_tol,
            n_feasible_starts=(first["residual"] <= s.feas_tol).reshape(n, s.starts).sum(axis=1),
            kkt=kkt[0],
            multipliers=kkt[1],
            binding=binding,
        )

    @property
    def twin(self) -> "Maximiser":
        """This maximiser in polar coordinates (passes 3 and 4)."""
        if self._twin is None:
            self._twin = Maximiser(*self._args, _polar=True)
        return self._twin

    def _sqp_pass(self, zc, dc, order, win, kkt, ov, masks, progress, desc):
        """Pass 4: SLSQP (:class:`fits.optimise.sqp.SQP`) from the winner and the best nearly feasible candidate of every
        problem whose winner is infeasible or not a KKT point (its residual ``kkt`` above ``sqp_kkt``), each process
        polishing its share of them. Returns the candidates and ``order`` with the results appended."""
        from fits.optimise.sqp import SQP

        s = self.settings
        ov_np = {k: np.asarray(v) for k, v in ov.items()}
        todo = (dc["residual"][win] > s.feas_tol) | ~(kkt <= s.sqp_kkt)
        near = self.best(dc, order, tol=s.near_tol)
        jobs = [(i, j) for i in np.flatnonzero(todo) for j in dict.fromkeys((win[i], near[i]))]
        if not jobs:
            return zc, dc, order
        if self._sqp is None:
            self._sqp = SQP(self.twin.problem, self.twin.space.polar_bounds(), s.sqp)
        a, b, per = self.layout.share(len(jobs))
        it = jobs[a:b]
        if progress and self.layout.is_writer:
            from tqdm.auto import tqdm

            it = tqdm(it, desc=desc, unit="start", leave=False)
        w0 = np.asarray(self.space.to_polar(jnp.asarray(zc[[j for _, j in jobs[a:b]]]))).reshape(-1, self.space.dim)
        local = [
            self._sqp.solve(w, {k: v[i] for k, v in ov_np.items()}, np.asarray(masks[i]), s.sqp_radius, s.sqp_rounds)[0]
            for w, (i, _) in zip(w0, it)
        ]
        w = self.layout.gather({"w": np.array(local).reshape(-1, self.space.dim)}, len(jobs), per)["w"]
        rows = np.array([i for i, _ in jobs])
        z4 = np.asarray(self.space.from_polar(self.twin.space.project_z(jnp.asarray(w))))
        d4 = jax.tree_util.tree_map(
            np.asarray, self._diag(jnp.asarray(z4), _take_rows(ov, rows), jnp.asarray(masks)[rows])
        )
        m = len(zc)
        zc = np.concatenate([zc, z4])
        dc = {key: np.concatenate([dc[key], d4[key]]) for key in dc}
        extra = np.repeat(win[:, None], 2, axis=1)  # problems without a job keep their winner
        for q, (i, _) in enumerate(jobs):
            extra[i, int(extra[i, 0] != win[i])] = m + q
        return zc, dc, np.concatenate([order, extra], axis=1)

    def _eps_ladder(self, zb, ov, masks):
        """Two restarts per problem, ``(n, 2, dim)``: its pass-1 winner ``zb`` with eps moved to the largest of
        ``ladder`` log-spaced values over eps's prior range that is feasible with the winner's couplings, and to
        the largest that is feasible with the couplings scaled down a thousandfold (what eps alone allows: the
        limits on the moment, e.g. Borexino's, then bind the couplings, which the restart lowers); each the
        least infeasible where none is."""
        g = self.settings.ladder
        n = len(zb)
        a = self.space.slices[self.space.names.index("eps")][0]
        zl = np.repeat(np.asarray(zb), g, axis=0)
        zl[:, a] = np.tile(np.linspace(*self.config.free["eps"].z_box, g), n)
        small = zl.copy()
        for y0, _ in self._discs():
            small[:, y0 : y0 + 2] *= 1e-3
        return np.stack([zl[self._best_copy(z, ov, masks, g)] for z in (zl, small)], axis=1)

    def _y_push(self, z, ov, masks):
        """Two pass-3 starts per winner ``z`` (Cartesian): the best feasible of the ``2^k`` copies with a subset of
        its k Yukawa couplings pushed radially to their bound, phases kept (the winner itself where none is
        feasible), and the copy with all k pushed, feasible or not (the polish then turns the phases back inside
        the constraints). The Adam passes can stop with couplings well inside their discs while mu_eff still
        grows with them (in the corrected convention mu_12 ~ |det y|, derivation.md section 11): 46 of the default
        scan's 537 rows did, short of the closed form by up to 57%; with these starts none does."""
        discs = self._discs()
        g = 2 ** len(discs)
        zp = np.repeat(np.asarray(z), g, axis=0)
        for j in range(g):
            for bit, (a, R) in enumerate(discs):
                if j >> bit & 1:
                    w = zp[j::g, a : a + 2]
                    r = np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-300)
                    zp[j::g, a : a + 2] = w * (R * (1 - 1e-12) / r)
        return zp[self._best_copy(zp, ov, masks, g)], zp[g - 1 :: g]

    def _discs(self) -> list:
        """``(start, max)`` of each free Yukawa disc in the Cartesian optimiser coordinates ``(re y, im y)``."""
        return [(a, pr.max) for pr, (a, _) in zip(self.space.priors, self.space.slices) if pr.is_complex]

    def _best_copy(self, z, ov, masks, g: int):
        """Indices into ``z`` (``g`` consecutive copies per problem) of each problem's best copy, by :meth:`_best`."""
        d = jax.tree_util.tree_map(np.asarray, self._diag(jnp.asarray(z), _repeat(ov, g), jnp.repeat(masks, g, axis=0)))
        return self.best(d, np.arange(len(z)).reshape(-1, g))

    def best(self, d, order, tol=None):
        """For each row of ``order`` (candidate indices into ``d``: a dict or :class:`Optima` with ``residual`` and
        ``F``), the index of the best: the largest objective among those within ``tol`` (default ``feas_tol``) of
        feasible, else the least infeasible."""
        d = d._asdict() if isinstance(d, Optima) else d
        tol = self.settings.feas_tol if tol is None else tol
        res = np.asarray(d["residual"])[order]
        F = np.nan_to_num(np.asarray(d["F"])[order], nan=-np.inf)
        ok = res <= tol
        j = np.where(ok.any(axis=1), np.argmax(np.where(ok, F, -np.inf), axis=1), np.argmin(res, axis=1))
        return order[np.arange(len(order)), j]

    def _first_starts(self, ov, masks, s: Settings, progress, desc):
        """Pass 1's starts, ``(n * starts, dim)`` problem-major: prior draws, or the best members of pass 0's
        population (:mod:`fits.optimise.population`, in the polar coordinates where the support is a box)."""
        n = masks.shape[0]
        P = s.population if s.population is not None else (64 if self.tuning else 0)
        key = jax.random.PRNGKey(s.seed)
        if P < 4:  # differential evolution needs the member and three others
            return self.space.sample_prior_z(key, n * s.starts)
        if self._de is None:
            tw = self.twin

            def score(w, args):
                ov_i, mask_i = args
                return tw._F(w, ov_i), jnp.max(mask_i * jnp.maximum(tw._c(w, ov_i), 0.0))

            project = tw.space.project_z
            self._de = (
                jax.jit(partial(population.init, score)),
                jax.jit(partial(population.evolve, score, project), static_argnums=3),
            )
        init, evolve = self._de
        k0, k1, k2 = jax.random.split(key, 3)
        w0 = self.space.to_polar(self.space.sample_prior_z(k0, n * P)).reshape(n, P, -1)
        state = init(self.twin.space.project_z(w0), (ov, masks))
        blocks = range(0, s.generations, 10)
        if progress and self.layout.is_writer:
            from tqdm.auto import tqdm

            blocks = tqdm(blocks, desc=f"{desc} (pass 0: {P} members)", unit="10 generations", leave=False)
        for b, kb in zip(blocks, jax.random.split(k1, len(blocks))):
            state = evolve(state, kb, (ov, masks), min(10, s.generations - b), s.feas_tol)
        top = np.asarray(population.ranked(state, s.feas_tol))[:, : s.starts]
        w = np.take_along_axis(np.asarray(state.x), top[..., None], axis=1)
        if top.shape[1] < s.starts:  # fewer members than starts: the rest from the prior
            extra = np.asarray(self.space.to_polar(self.space.sample_prior_z(k2, n * (s.starts - top.shape[1]))))
            w = np.concatenate([w, extra.reshape(n, -1, w.shape[-1])], axis=1)
        return self.space.project_z(self.space.from_polar(jnp.asarray(w.reshape(n * s.starts, -1))))

    def _solve_shared(self, z, ov, mask, k, stage: Stage, rho, progress, desc):
        """Solve this process's share of the problems (``ov``, ``mask``: one row each; ``z``: k starts each,
        problem-major) through one stage, then gather all."""
        n = mask.shape[0]
        a, b, per = self.layout.share(n)
        ov_ab = jax.tree_util.tree_map(lambda x: x[a:b], ov)
        zl, dl = self._solve(
            z[a * k : b * k],
            _repeat(ov_ab, k),
            jnp.repeat(mask[a:b], k, axis=0),
            stage,
            rho,
            progress and self.layout.is_writer,
            desc,
        )
        g = self.layout.gather({"z": zl, **dl}, n * k, per * k)
        z = g.pop("z")
        return z, g

    def _solve(self, z, ov, mask, stage: Stage, rho, progress, desc):
        """``stage`` from the rows ``z`` (each with its ``ov``, ``mask``), in chunks of a fixed size (one compiled round
        for every stage: the number of inner steps is an argument, not a shape)."""
        s = self.settings
        solver = stage.solver or s.solver
        if solver not in self._steps:
            self._steps[solver] = jax.jit(partial(batched_round, self.problem, solver))
        step = self._steps[solver]
        n = z.shape[0]
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=stage.rounds * -(-n // chunk_size(n, s.chunk)), desc=desc, unit="round", leave=False)

        def rounds(zc, ovc, mc):  # one chunk through the stage's rounds
            (zc, ovc, mc), n_rows = self.layout.shard(zc, ovc, mc)
            lam = jnp.zeros_like(mc)
            r, lr = rho, stage.lr
            for _ in range(stage.rounds):
                zc, lam = step(zc, ovc, mc, lam, jnp.float64(r), jnp.float64(lr), jnp.int32(stage.inner))
                r, lr = min(r * s.rho_growth, s.rho_max), lr * stage.decay
                if bar is not None:
                    bar.update()
            return self.layout.unpad((zc, self._diag(zc, ovc, mc)), n_rows)

        z, d = in_chunks(rounds, s.chunk, z, ov, mask)
        if bar is not None:
            bar.close()
        return z, d

    def dual_fn(self, overrides: dict):
        """F and c for the given fixed overrides, as functions of z (for tests and random search)."""
        ov = {k: jnp.asarray(overrides[k], dtype=jnp.float64) for k in self.override_names}
        return (lambda z: self._F(z, ov)), (lambda z: self._c(z, ov))


def chunk_size(n: int, chunk: int) -> int:
    """The rows of each chunk of a batch of ``n``: ``chunk``, or for a smaller batch the next power of two (at least 8)."""
    return chunk if n >= chunk else max(8, 1 << max(n - 1, 0).bit_length())


def _pad_rows(x, size: int):
    """``x`` (leading axis rows) padded to ``size`` rows by repeating its last row (a valid point, no NaN)."""
    x = jnp.asarray(x)
    if x.shape[0] == size:
        return x
    return jnp.concatenate([x, jnp.repeat(x[-1:], size - x.shape[0], axis=0)])


def in_chunks(fn, chunk: int, *args):
    """``fn(*args)`` of a vmapped function over the leading axis of every leaf of ``args``, in chunks of
    :func:`chunk_size` rows (the last padded): one compiled shape whatever the batch. Returns NumPy arrays."""
    n = jax.tree_util.tree_leaves(args)[0].shape[0]
    size = chunk_size(n, chunk)
    parts = []
    for a in range(0, n, size):
        m = min(size, n - a)
        out = fn(*jax.tree_util.tree_map(lambda x: _pad_rows(x[a : a + m], size), args))
        parts.append(jax.tree_util.tree_map(lambda y: np.asarray(y)[:m], out))
    return jax.tree_util.tree_map(lambda *ys: np.concatenate(ys), *parts)


def _neighbours(n: int, top: int) -> np.ndarray:
    """For each of ``n`` problems in batch order, the indices ``i - 1``, ``i + 1`` (clipped) and ``top``: (n, 3)."""
    i = np.arange(n)
    return np.stack([np.maximum(i - 1, 0), np.minimum(i + 1, n - 1), np.full(n, top)], axis=1)


def _take_rows(tree, rows):
    """Each leaf's rows ``rows``."""
    return jax.tree_util.tree_map(lambda x: jnp.asarray(x)[rows], tree)


def _repeat(tree, k: int):
    """Each leaf's rows repeated ``k`` times (problem-major), as ``jnp.repeat(x, k, axis=0)``."""
    return jax.tree_util.tree_map(lambda x: jnp.repeat(x, k, axis=0), tree)
