"""`jaxtmm scan` and `jaxtmm profile`: the maximiser's commands."""

import math
import sys

import numpy as np

from jaxtmm_cli._common import SEED_MAX, check_seed, fail, load_config, with_options


def _gD(args, config, profile: bool) -> tuple:
    """The dark couplings of a scan from --gD, and every other scan flag checked (ValueError naming the flag)."""
    from fits.jobs.scan import DEFAULT_GD
    from jaxtmm.validate import perturbative

    if profile and args.gD is not None:
        raise ValueError(
            "--gD: this configuration frees g_D, and the scan profiles it; fix g_D in the configuration's "
            "[fixed] to scan a list of values"
        )
    if not profile and args.no_references:
        raise ValueError("--no-references applies to a profile only (a configuration with g_D free)")
    gD_text = args.gD if args.gD is not None else ",".join(f"{g:g}" for g in DEFAULT_GD)
    try:
        gD = tuple(float(g) for g in gD_text.split(","))
    except ValueError:
        raise ValueError(f"--gD must be a comma-separated list of numbers, got {gD_text!r}") from None
    if not all(math.isfinite(g) and g > 0 for g in gD):
        raise ValueError(f"--gD values must be positive, got {gD_text!r}")
    for g in gD:
        perturbative(f"--gD {g:g} times the largest |Q_S|", g * config.largest("Q_S"))
    if args.masses < 2:
        raise ValueError(f"--masses must be at least 2, got {args.masses}")
    if args.masses > 100_000:
        raise ValueError(f"--masses must be at most 100000, got {args.masses}")
    if args.starts is not None and not 1 <= args.starts <= 1024:
        raise ValueError(f"--starts must be from 1 to 1024, got {args.starts}")
    if args.runs is not None and not 1 <= args.runs <= 64:
        raise ValueError(f"--runs must be from 1 to 64, got {args.runs}")
    check_seed(args.seed)
    if args.runs is not None and args.seed + args.runs - 1 > SEED_MAX:
        raise ValueError(f"--seed {args.seed} with --runs {args.runs} passes the largest seed, {SEED_MAX}")
    return gD


def _floors(args, config) -> tuple:
    """The cancellation floors of --cancellation-floors (ValueError naming the flag)."""
    from fits.jobs.scan import check_floors

    if args.cancellation_floors is None:
        return check_floors(config, None)
    try:
        floors = [float(f) for f in args.cancellation_floors.split(",")]
    except ValueError:
        raise ValueError(
            f"--cancellation-floors must be a comma-separated list of numbers, got {args.cancellation_floors!r}"
        ) from None
    try:
        return check_floors(config, floors)
    except ValueError as exc:
        raise ValueError(f"--cancellation-floors: {exc}") from None


def _starts_from(args, config, gD, floors):
    """The earlier scan's rows of --starts-from (None without it), checked to match problems of this scan."""
    if args.starts_from is None:
        return None
    from fits.jobs.scan import known_points, scan_problems
    from fits.problem.space import FLOOR

    try:
        earlier = _earlier_rows(args.starts_from)
        _, problems, _, _, ov = scan_problems(config, gD, args.masses, floors)
        known = known_points(config, problems, earlier, [float(f) for f in ov[FLOOR]] if floors else None)
    except ValueError as exc:
        raise ValueError(f"--starts-from {args.starts_from}: {exc}") from None
    if not any(k is not None for k in known):
        raise ValueError(
            f"--starts-from {args.starts_from}: no feasible row matches a problem of this scan (the same "
            "g_D, m_A' grid and experiments; --masses must be the earlier scan's)"
        )
    return earlier


def _layout_and_out(args):
    """(layout, output directory): the multi-host layout of --distributed (None: this process alone) and the
    directory process 0 writes, checked before any work (ValueError: every process refuses alike)."""
    from fits.io import prepare_dir

    layout = None
    if args.distributed:
        from fits.parallel import Layout, initialize_distributed

        initialize_distributed(args.coordinator, args.num_processes, args.process_id)
        layout = Layout.current()
    elif any(v is not None for v in (args.coordinator, args.num_processes, args.process_id)):
        raise ValueError("--coordinator, --num-processes and --process-id need --distributed")
    problem, out = None, None
    if layout is None or layout.is_writer:
        try:
            out = prepare_dir(args.out, force=args.force, option="--out", hint="use --force to overwrite")
        except ValueError as exc:
            problem = str(exc)
    if layout is not None and layout.process_count > 1:  # process 0 writes: its verdict holds for all
        bad0 = bool(layout.gather({"bad": np.array([problem is not None])}, layout.process_count, 1)["bad"][0])
        problem = (problem or "process 0 refuses to write its output directory") if bad0 else None
    if problem:
        raise ValueError(problem)
    return layout, out


def scan(args) -> int:
    from fits.jobs.scan import NOT_OPTIMISED, is_profile, run_scan, write_results
    from fits.optimise.maximise import Settings

    config = with_options(load_config(args), args)
    profile = is_profile(config)
    gD = _gD(args, config, profile)
    floors = _floors(args, config)
    earlier = _starts_from(args, config, gD, floors)
    layout, out = _layout_and_out(args)
    settings = Settings(seed=args.seed, **({} if args.starts is None else {"starts": args.starts}))
    result = run_scan(
        config,
        gD,
        args.masses,
        settings,
        progress=not args.quiet,
        layout=layout,
        references=profile and not args.no_references,
        starts_from=earlier,
        runs=args.runs,
        floors=floors,
    )
    if layout is not None and not layout.is_writer:
        return 0
    files = write_results(result, out, config)
    rows = result["rows"]
    bad = [r for r in rows if r["experiment_applies"] and not r["feasible"]]
    shape = (
        f"{args.masses} masses{f' x {len(floors)} cancellation floors' if floors else ''}, every constraint at "
        f"once, g_D and {len(config.parity_combinations())} CP-parity combination(s) profiled"
        if profile
        else f"{len(gD)} g_D x {args.masses} masses x 2 experiments"
    )
    print(
        f"jaxtmm scan: {len(rows)} rows ({shape}), "
        f"convention {config.convention}, constraints {', '.join(config.likelihoods)}, moment {config.moment}, "
        f"MEG II {config.likelihood_options.meg_year}; "
        f"{result['provenance']['wall_time_s']:.1f} s"
    )
    doomed = [r for r in rows if r["reason"].endswith(NOT_OPTIMISED)]
    if doomed:
        print(
            f"warning: {len(doomed)} row(s) not optimised: no couplings satisfy "
            + ", ".join(
                p.removesuffix(" whatever the couplings (fixed by the masses)")
                for p in doomed[0]["reason"].removeprefix("infeasible: ").split("; ")[:-1]
            )
            + " at these masses (see the 'reason' column)",
            file=sys.stderr,
        )
    rest = [r for r in bad if not r["reason"].endswith(NOT_OPTIMISED)]
    if rest:
        names = sorted(
            {p.split(" (r = ")[0] for r in rest for p in r["reason"].removeprefix("infeasible: ").split("; ")}
        )
        print(
            f"warning: {len(rest)} row(s) infeasible (no numbers reported; see the 'reason' column): "
            f"{'; '.join(names[:4])}{'; ...' if len(names) > 4 else ''}",
            file=sys.stderr,
        )
    for f in files:
        print(f"wrote {f}")
    return 0


def _earlier_rows(folder: str) -> list:
    """The rows of an earlier scan's ``scan.json`` in ``folder`` (ValueError with the reason where there are none)."""
    import json
    from pathlib import Path

    f = Path(folder) / "scan.json"
    if not f.is_file():
        raise ValueError(f"no scan.json in {folder}")
    try:
        rows = json.loads(f.read_text())["rows"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{f} is not a scan result ({type(exc).__name__}: {exc})") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{f} is not a scan result (its rows are not a list of objects)")
    return rows


def _axis_spec(config, text: str, option: str, n_default: int):
    from fits.jobs.profile import make_axis

    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise ValueError(f"{option} must be NAME:LOW:HIGH or NAME:LOW:HIGH:N, got {text!r}")
    try:
        low, high = float(parts[1]), float(parts[2])
        n = int(parts[3]) if len(parts) == 4 else n_default
    except ValueError:
        raise ValueError(f"{option}: LOW and HIGH must be numbers and N an integer, got {text!r}") from None
    return make_axis(config, parts[0], low, high, n)


def profile(args) -> int:
    from fits.io import prepare_dir
    from fits.jobs.profile import run_profile, write_profile
    from fits.optimise.maximise import Settings

    config = with_options(load_config(args), args)
    axes = [_axis_spec(config, args.x, "--x", 20 if args.y is None else 12)]
    if args.y is not None:
        axes.append(_axis_spec(config, args.y, "--y", 12))
        if axes[1].name == axes[0].name:
            return fail("--x and --y must name different quantities")
    if args.starts is not None and not 1 <= args.starts <= 1024:
        return fail(f"--starts must be from 1 to 1024, got {args.starts}")
    check_seed(args.seed)
    out = prepare_dir(args.out, force=args.force, option="--out", hint="use --force to overwrite")
    settings = Settings(seed=args.seed, **({} if args.starts is None else {"starts": args.starts}))
    result = run_profile(config, axes, settings, progress=not args.quiet)
    files = write_profile(result, out, config)
    m = result["maximum"]
    lost = sum(not r["reached"] for r in result["rows"])
    print(
        f"jaxtmm profile: {len(result['rows'])} points of {' x '.join(a.name for a in axes)}, max ln L = "
        f"{m['lnL']:.6g}; {result['provenance']['wall_time_s']:.1f} s"
    )
    if lost:
        print(
            f"warning: {lost} point(s) not reached within the priors (no -2 Delta ln L; see the 'reached' column)",
            file=sys.stderr,
        )
    for f in files:
        print(f"wrote {f}")
    return 0
