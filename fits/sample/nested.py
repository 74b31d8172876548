"""Nested sampling (independent dynesty runs, :mod:`fits.sample.dynesty_runs`) as a
:class:`fits.sample.base.Sampler`: its settings and what a fit records and prints of it. The runs, their files and
their evidence live in :mod:`fits.sample.dynesty_runs`, imported when a run starts."""

import math
from dataclasses import dataclass

import numpy as np

from fits.sample.base import TARGETS, Draws, Target, check, seed_setting, setting

#: dynesty's proposals (``auto``: dynesty's choice, rwalk in 10 to 20 dimensions, rslice above).
SAMPLE_METHODS = ("auto", "unif", "rwalk", "slice", "rslice")


@dataclass(frozen=True)
class NestedSettings:
    """The settings of ``jaxtmm fit --sampler nested``; each is checked when made."""

    runs: int = setting(
        4,
        "independent runs, ArviZ's chains; each is a checkpoint (default 4)",
        valid=lambda v: 1 <= v <= 64,
        must="be 1 to 64",
        metavar="R",
    )
    nlive: int = setting(
        2000,  # the global preset meets the targets with 2000 in 8 minutes: docs/fits.md
        "live points per run (default 2000)",
        valid=lambda v: 10 <= v <= 100_000,
        must="be 10 to 100000",
        metavar="N",
    )
    dlogz: float = setting(
        0.1,
        "stop a run when the evidence left in its live points is below X in ln Z (default 0.1)",
        valid=lambda v: v > 0,
        must="be a positive number",
        metavar="X",
    )
    seed: int = seed_setting()
    sample: str = setting(
        "auto",
        "dynesty's proposal (default auto, dynesty's choice: rwalk in 10 to 20 dimensions, as the global preset's 20, "
        "rslice above)",
        choices=SAMPLE_METHODS,
        flag="--proposal",
    )
    draws: int = setting(
        0,
        "equal-weight draws per run (default: the smallest run's Kish effective sample size)",
        valid=lambda v: 0 <= v <= 10_000_000,
        must="be 1 to 1e7 (or 0: the smallest run's Kish ESS)",
        metavar="N",
    )
    maxcall: int = setting(
        0, "likelihood calls per run at most; 0: no limit", valid=lambda v: v >= 0, must="be non-negative", cli=False
    )
    queue: int = setting(
        32,
        "random walks proposed together, each step's likelihoods one vmapped call (rwalk only; default 32; 1: "
        "dynesty's one point at a time)",
        valid=lambda v: 1 <= v <= 1024,
        must="be 1 to the number of live points (at most 1024)",
        metavar="Q",
    )
    walks: int = setting(
        0,
        "steps of each random walk (makes the proposal rwalk; default: dynesty's, 20 + the dimension)",
        valid=lambda v: 0 <= v <= 10_000,
        must="be 1 to 10000 (or 0: dynesty's default)",
        metavar="N",
    )
    workers: int = setting(
        0,
        "processes running the runs at once (default: one per CPU core, at most one per run; the draws are the same "
        "whatever W)",
        valid=lambda v: 0 <= v <= 256,
        must="be 1 to 256",
        metavar="W",
        cli=None,
    )

    def __post_init__(self):
        check(self)
        if self.queue > self.nlive:
            raise ValueError(f"--queue must be 1 to the number of live points (at most 1024), got {self.queue}")
        if self.walks and self.sample not in ("auto", "rwalk"):
            raise ValueError(
                f"--walks sets the random walk's steps: it needs --proposal rwalk (or auto), not {self.sample}"
            )


class Nested:
    """Independent nested-sampling runs (Skilling 2006; dynesty, Speagle 2020, arXiv:1904.02180) judged like chains:
    R-hat and ESS over the runs' equal-weight draws, the ESS their scatter implies, and ln Z with its error."""

    name = "nested"
    title = "nested sampling (--sampler nested)"
    Settings = NestedSettings
    figures = ("nested.png",)

    def run(self, config, settings, out, *, resume, progress, stop_after):
        from fits.sample.dynesty_runs import sample

        res = sample(
            config,
            settings,
            out,
            resume=resume,
            progress=progress,
            stop_after_runs=stop_after,
            workers=settings.workers,
        )
        if not res["complete"]:
            return None
        a = res["arrays"]
        shape = next(iter(a.values())).shape[:2]
        info = {k: res[k] for k in ("runs", "runs_arrays", "draws_per_run")}
        return Draws(
            a, res["space"], res["enabled"], res["chain_method"], res["elapsed_s"], np.zeros(shape, bool), info
        )

    def summary_columns(self, draws, post, names):
        """``ess_runs``: what ArviZ's ESS does not see in shuffled draws, the scatter between the runs."""
        from fits.sample.dynesty_runs import ess_between_runs

        return {"ess_runs": [ess_between_runs(np.asarray(post[n])) for n in names]}

    def targets(self, draws, settings, free):
        dof = settings.runs - 1
        return {
            "divergent_fraction": Target(
                None, TARGETS["divergent_fraction"], "not applicable: nested sampling integrates no trajectories"
            ),
            "min_ess_runs": Target(
                float(free["ess_runs"].min()),
                TARGETS["min_ess_bulk"],
                "the ESS the scatter between the runs implies (fits.sample.dynesty_runs.ess_between_runs): "
                f"{dof} degrees of freedom, good to a factor of about {1 + math.sqrt(2 / max(dof, 1)):.1f}",
            ),
        }

    def record(self, draws, settings, free):
        from fits.sample.dynesty_runs import evidence

        return {
            "divergences": None,
            "min_ess_runs": float(free["ess_runs"].min()),
            "worst_ess_runs": str(free["ess_runs"].idxmin()),
            "draws_per_run": draws.info["draws_per_run"],
            "log_evidence": evidence(draws.info["runs"]),
            "runs": draws.info["runs"],
        }

    def plots(self, draws):
        from fits.plots import nested_plot

        return {"nested.png": nested_plot(draws.info["runs_arrays"])}

    def headline(self, rec, settings):
        ev = rec["log_evidence"]
        return (
            f"{rec['draws']} draws ({rec['chain_method']}, {rec['draws_per_run']} each), ln Z = {ev['mean']:.3f} +- "
            f"{ev['standard_error']:.3f}, max R-hat {rec['max_r_hat']:.4f}, min ESS bulk {rec['min_ess_bulk']:.0f} / "
            f"tail {rec['min_ess_tail']:.0f} / between runs {rec['min_ess_runs']:.0f} ({rec['worst_ess_runs']}), "
            f"{rec['wall_time_s']:.1f} s"
        )

    def advice(self, rec):
        return f"between runs {rec['worst_ess_runs']}: more live points (--nlive) or runs (--runs); see docs/fits.md"
