"""`jaxtmm fit`: a posterior, by NUTS or by nested sampling."""

import math
import sys

from jaxtmm_cli._common import check_seed, fail, load_config, with_options

NUTS_ONLY = ("chains", "warmup", "samples", "chunk", "target_accept", "max_tree_depth", "dense_mass")
NESTED_ONLY = ("runs", "nlive", "dlogz", "draws", "proposal", "queue", "walks", "workers")


def _nuts_settings(args):
    from fits.sample.posterior import FitSettings

    d = FitSettings()
    v = {k: d.__dict__[k] if getattr(args, k) is None else getattr(args, k) for k in NUTS_ONLY}
    for name in ("chains", "samples", "chunk"):
        if v[name] < 1:
            raise ValueError(f"--{name} must be at least 1, got {v[name]}")
    if v["warmup"] < 0:
        raise ValueError(f"--warmup must be non-negative, got {v['warmup']}")
    if not 0.0 < v["target_accept"] < 1.0:
        raise ValueError(f"--target-accept must be in (0, 1), got {v['target_accept']}")
    if not 1 <= v["max_tree_depth"] <= 15:
        raise ValueError(f"--max-tree-depth must be 1 to 15, got {v['max_tree_depth']}")
    if v["chains"] > 256:
        raise ValueError(f"--chains must be at most 256, got {v['chains']}")
    if v["warmup"] + v["samples"] > 10_000_000:
        raise ValueError("--warmup + --samples must be at most 1e7 per chain")
    v["chunk"] = min(v["chunk"], v["warmup"] + v["samples"])
    return FitSettings(seed=args.seed, **v)


def _nested_settings(args):
    from fits.sample.nested import NestedSettings

    d = NestedSettings()
    v = {
        k: getattr(d, "sample" if k == "proposal" else k) if getattr(args, k) is None else getattr(args, k)
        for k in NESTED_ONLY
        if k != "workers"
    }
    if not 1 <= v["runs"] <= 64:
        raise ValueError(f"--runs must be 1 to 64, got {v['runs']}")
    if not 10 <= v["nlive"] <= 100_000:
        raise ValueError(f"--nlive must be 10 to 100000, got {v['nlive']}")
    if not (math.isfinite(v["dlogz"]) and v["dlogz"] > 0):
        raise ValueError(f"--dlogz must be a positive number, got {v['dlogz']}")
    if not 0 <= v["draws"] <= 10_000_000:
        raise ValueError(f"--draws must be 1 to 1e7 (or 0: the smallest run's Kish ESS), got {v['draws']}")
    if not 1 <= v["queue"] <= min(1024, v["nlive"]):
        raise ValueError(f"--queue must be 1 to the number of live points (at most 1024), got {v['queue']}")
    if not 0 <= v["walks"] <= 10_000:
        raise ValueError(f"--walks must be 1 to 10000 (or 0: dynesty's default), got {v['walks']}")
    if v["walks"] and v["proposal"] not in ("auto", "rwalk"):
        raise ValueError(
            f"--walks sets the random walk's steps: it needs --proposal rwalk (or auto), not {v['proposal']}"
        )
    return NestedSettings(
        runs=v["runs"],
        nlive=v["nlive"],
        dlogz=v["dlogz"],
        seed=args.seed,
        sample=v["proposal"],
        draws=v["draws"],
        queue=v["queue"],
        walks=v["walks"],
    )


def fit(args) -> int:
    from fits.io import prepare_dir
    from fits.jobs.fit import DERIVED_LABELS, NESTED_OUTPUTS, OUTPUTS, pair_choices, run_fit
    from fits.jobs.scan import unsatisfiable
    from fits.sample.posterior import CheckpointError

    config = with_options(load_config(args), args)
    implicit = args.sampler is None
    if implicit:
        args.sampler = config.sampler
    other = NUTS_ONLY if args.sampler == "nested" else NESTED_ONLY
    wrong = [f"--{k.replace('_', '-')}" for k in other if getattr(args, k) is not None]
    if wrong:
        other_sampler = "nuts" if args.sampler == "nested" else "nested"
        why = f" (this configuration's default sampler; give --sampler {other_sampler})" if implicit else ""
        return fail(
            f"{', '.join(wrong)} appl{'y' if len(wrong) > 1 else 'ies'} to --sampler {other_sampler}, "
            f"not {args.sampler}{why}"
        )
    settings = _nested_settings(args) if args.sampler == "nested" else _nuts_settings(args)
    if args.workers is not None and not 1 <= args.workers <= 256:
        return fail(f"--workers must be 1 to 256, got {args.workers}")
    check_seed(args.seed)
    if args.resume and args.force:
        return fail("--resume continues the run in --out and --force starts it again: give one of them")
    pair = None
    if args.pair is not None:
        pair = [v.strip() for v in args.pair.split(",") if v.strip()]
        choices = pair_choices(config)
        unknown = [v for v in pair if v not in choices]
        if unknown or not pair:
            return fail(
                f"--pair: unknown variable(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(choices)}"
            )
    out = prepare_dir(
        args.out,
        force=args.force,
        resume=args.resume,
        option="--out",
        hint="use --resume to continue it or --force to overwrite",
    )
    blocking = unsatisfiable(config)
    if blocking:
        print(
            "warning: no choice of couplings satisfies "
            + ", ".join(f"{n} (r = {r:.4g})" for n, r in blocking.items())
            + " at this configuration's fixed masses: the posterior sits outside their CL regions",
            file=sys.stderr,
        )
    try:
        rec = run_fit(
            config, settings, out, resume=args.resume, progress=not args.quiet, pair=pair, workers=args.workers or 0
        )
    except CheckpointError as exc:
        return fail(f"{exc}; --force starts the fit again")
    if args.sampler == "nested":
        ev = rec["log_evidence"]
        print(
            f"jaxtmm fit: {rec['draws']} draws ({rec['chain_method']}, {rec['draws_per_run']} each), ln Z = "
            f"{ev['mean']:.3f} +- {ev['standard_error']:.3f}, max R-hat {rec['max_r_hat']:.4f}, min ESS bulk "
            f"{rec['min_ess_bulk']:.0f} / tail {rec['min_ess_tail']:.0f} / between runs {rec['min_ess_runs']:.0f} "
            f"({rec['worst_ess_runs']}), {rec['wall_time_s']:.1f} s"
        )
    else:
        print(
            f"jaxtmm fit: {rec['draws']} draws ({settings.chains} chains, {rec['chain_method']}), "
            f"{rec['divergences']} divergences, max R-hat {rec['max_r_hat']:.4f}, min ESS bulk {rec['min_ess_bulk']:.0f} "
            f"/ tail {rec['min_ess_tail']:.0f}, {rec['wall_time_s']:.1f} s ({rec['min_ess_bulk_per_s']:.3g} ESS/s)"
        )
    for name in DERIVED_LABELS:
        print(f"  {rec['derived'][name]}")
    for name, p in rec["parity_probabilities"].items():
        print(
            f"  P({name[7:]}) = {p['mean']:.3f} +- {p['mcse']:.3f} (CP parities, {', '.join(config.signs)}: p = +1, m = -1)"
        )
    missed = [
        f"{k} {t['value']:.4g} (target {'>=' if k.startswith('min') else '<='} {t['target']:g})"
        for k, t in rec["targets"].items()
        if t["met"] is False
    ]
    nans = sum(r["nan_likelihood_calls"] for r in rec.get("runs", []))
    if nans:
        print(
            f"warning: the likelihood was NaN at {nans} point(s) the nested sampler proposed; they count as excluded "
            "(ln L = -1e300). fit.json has the count per run",
            file=sys.stderr,
        )
    if missed and args.sampler == "nested":
        print(
            f"warning: convergence targets not met: {'; '.join(missed)}; worst R-hat {rec['worst_r_hat']}, worst ESS "
            f"{rec['worst_ess_bulk']}, between runs {rec['worst_ess_runs']}: more live points (--nlive) or runs (--runs); "
            "see docs/fits.md",
            file=sys.stderr,
        )
    elif missed:
        print(
            f"warning: convergence targets not met: {'; '.join(missed)}; worst R-hat {rec['worst_r_hat']}, worst ESS "
            f"{rec['worst_ess_bulk']}, {100 * rec['tree_depth_saturated_fraction']:.0f}% of transitions at the maximum "
            "tree depth: run longer, or try --sampler nested (docs/fits.md, the global fit)",
            file=sys.stderr,
        )
    for name in NESTED_OUTPUTS if args.sampler == "nested" else OUTPUTS:
        print(f"wrote {out / name}")
    return 0
