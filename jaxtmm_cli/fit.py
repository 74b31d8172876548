"""`jaxtmm fit`: a posterior, by NUTS or by nested sampling."""

import sys

from jaxtmm_cli._common import check_seed, fail, load_config, with_options


def _settings(args, config):
    """The chosen sampler and its settings from the command line (the settings check themselves); a flag of another
    sampler is refused, naming the one it belongs to."""
    from fits.sample import sampler as registered
    from fits.sample import samplers
    from fits.sample.base import cli_fields, flag_of

    name = args.sampler or config.sampler
    sampler = registered(name)
    own = {f.name for f in cli_fields(sampler.Settings)}
    wrong, owner = [], ""
    for other in samplers().values():
        for f in cli_fields(other.Settings):
            if f.name not in own and getattr(args, f.name, None) is not None and flag_of(f) not in wrong:
                wrong.append(flag_of(f))
                owner = other.name
    if wrong:
        why = f" (this configuration's default sampler; give --sampler {owner})" if args.sampler is None else ""
        verb = "apply" if len(wrong) > 1 else "applies"
        raise ValueError(f"{', '.join(wrong)} {verb} to --sampler {owner}, not {name}{why}")
    given = {f.name: getattr(args, f.name) for f in cli_fields(sampler.Settings) if getattr(args, f.name) is not None}
    return sampler, sampler.Settings(**given, seed=args.seed)


def fit(args) -> int:
    from fits.io import prepare_dir
    from fits.jobs.fit import outputs, pair_choices, run_fit
    from fits.jobs.scan import unsatisfiable
    from fits.sample.posterior import DERIVED, CheckpointError

    config = with_options(load_config(args), args)
    check_seed(args.seed)
    sampler, settings = _settings(args, config)
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
        rec = run_fit(config, settings, out, resume=args.resume, progress=not args.quiet, pair=pair)
    except CheckpointError as exc:
        return fail(f"{exc}; --force starts the fit again")
    print(f"jaxtmm fit: {sampler.headline(rec, settings)}")
    for name in DERIVED:
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
    if missed:
        print(
            f"warning: convergence targets not met: {'; '.join(missed)}; worst R-hat {rec['worst_r_hat']}, worst ESS "
            f"{rec['worst_ess_bulk']}, {sampler.advice(rec)}",
            file=sys.stderr,
        )
    for name in outputs(sampler):
        print(f"wrote {out / name}")
    return 0
