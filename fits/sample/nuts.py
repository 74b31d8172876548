"""NUTS (NumPyro's kernel, driven by :mod:`fits.sample.posterior`) as a :class:`fits.sample.base.Sampler`: its
settings and what a fit records and prints of it. The model, the driver and its checkpoints live in
:mod:`fits.sample.posterior`, imported when a run starts."""

from dataclasses import dataclass

import numpy as np

from fits.sample.base import TARGETS, Draws, Target, check, seed_setting, setting


@dataclass(frozen=True)
class FitSettings:
    """NUTS's settings (``jaxtmm fit --sampler nuts``); each is checked when made."""

    chains: int = setting(
        4,
        "chains (default 4; in parallel when there are enough devices)",
        valid=lambda v: 1 <= v <= 256,
        must="be 1 to 256",
        metavar="C",
    )
    warmup: int = setting(
        500, "warm-up iterations per chain (default 500)", valid=lambda v: v >= 0, must="be non-negative", metavar="W"
    )
    samples: int = setting(
        500, "draws per chain (default 500)", valid=lambda v: v >= 1, must="be at least 1", metavar="S"
    )
    seed: int = seed_setting()
    chunk: int = setting(
        250,
        "iterations per chain between checkpoints (default 250); one also ends the warm-up",
        valid=lambda v: v >= 1,
        must="be at least 1",
        metavar="N",
    )
    target_accept: float = setting(
        0.9,
        "NUTS's target acceptance probability, in (0, 1) (default 0.9; higher: smaller steps, fewer divergences)",
        valid=lambda v: 0.0 < v < 1.0,
        must="be in (0, 1)",
        metavar="A",
    )
    max_tree_depth: int = setting(
        8,
        "NUTS's largest tree depth, 1 to 15 (default 8)",
        valid=lambda v: 1 <= v <= 15,
        must="be 1 to 15",
        metavar="D",
    )
    init_candidates: int = setting(
        64,
        "each chain starts at the best of this many uniform draws in [-2, 2]^d (u)",
        valid=lambda v: v >= 1,
        must="be at least 1",
        cli=False,
    )
    dense_mass: bool = setting(False, "adapt a dense mass matrix (default: diagonal)")

    def __post_init__(self):
        check(self)
        if self.warmup + self.samples > 10_000_000:
            raise ValueError("--warmup + --samples must be at most 1e7 per chain")


class NUTS:
    """The No-U-Turn sampler (Hoffman and Gelman 2014, arXiv:1111.4246; NumPyro's implementation), chains judged by
    R-hat, ESS and the divergent fraction."""

    name = "nuts"
    title = "NUTS (--sampler nuts)"
    Settings = FitSettings
    figures = ()

    def run(self, config, settings, out, *, resume, progress, stop_after):
        from fits.sample.posterior import sample

        res = sample(config, settings, out, resume=resume, progress=progress, stop_after_checkpoints=stop_after)
        if not res["complete"]:
            return None
        a = res["arrays"]
        return Draws(
            a,
            res["space"],
            res["enabled"],
            res["chain_method"],
            res["elapsed_s"],
            a["extra:diverging"].astype(bool),
            {},
        )

    def summary_columns(self, draws, post, names):
        return {}

    def targets(self, draws, settings, free):
        return {
            "divergent_fraction": Target(
                float(draws.diverging.sum()) / draws.diverging.size, TARGETS["divergent_fraction"]
            )
        }

    def record(self, draws, settings, free):
        steps = draws.arrays["extra:num_steps"]
        return {
            "divergences": int(draws.diverging.sum()),
            "tree_depth_saturated_fraction": float(np.mean(steps >= 2**settings.max_tree_depth - 1)),
            "mean_leapfrog_steps": float(np.mean(steps)),
        }

    def plots(self, draws):
        return {}

    def headline(self, rec, settings):
        return (
            f"{rec['draws']} draws ({settings.chains} chains, {rec['chain_method']}), {rec['divergences']} divergences, "
            f"max R-hat {rec['max_r_hat']:.4f}, min ESS bulk {rec['min_ess_bulk']:.0f} / tail {rec['min_ess_tail']:.0f}, "
            f"{rec['wall_time_s']:.1f} s ({rec['min_ess_bulk_per_s']:.3g} ESS/s)"
        )

    def advice(self, rec):
        return (
            f"{100 * rec['tree_depth_saturated_fraction']:.0f}% of transitions at the maximum tree depth: run longer, "
            "or try --sampler nested (docs/fits.md, the global fit)"
        )
