"""What every command shares: exit statuses, the one-line error, the point and configuration loaders."""

import sys

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
SEED_MAX = 2**32 - 1


def fail(msg: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"jaxtmm: error: {' '.join(str(msg).split())}", file=sys.stderr)
    return code


def num(v: float) -> float:
    """-0.0 printed as 0."""
    return float(v) + 0.0


def check_seed(seed: int) -> None:
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"--seed must be an integer from 0 to 2^32-1, got {seed}")


def load_point(args):
    """The point named on the command line, or raise PointFileError."""
    from jaxtmm.pointfile import load_point, load_preset

    if args.preset is not None:
        return load_preset(args.preset), f"preset {args.preset}"
    return load_point(args.point), args.point


def load_config(args):
    from fits.problem.config import load_config, preset_config

    if args.config is not None:
        return load_config(args.config)
    return preset_config(args.preset or "paper")


def with_options(config, args):
    """The configuration with the options given on the command line (those not given keep the file's)."""
    from jaxtmm_cli.parser import model_options

    given = {n: getattr(args, n, None) for n in model_options()}
    given["likelihoods"] = args.constraints
    return config.replace_options(**{k: v for k, v in given.items() if v is not None})
