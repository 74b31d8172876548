"""The ``jaxtmm`` command line: a thin layer over the Python API, above it (``jaxtmm`` <- ``likelihoods`` <- ``fits``
<- ``jaxtmm_cli``: the library never imports this package). ``python -m jaxtmm_cli`` is the same command.

    jaxtmm evaluate (POINT.toml | --preset paper) [--json] [--convention corrected|paper]
    jaxtmm constraints (POINT.toml | --preset paper) [--json] [OPTIONS] [--T-min GeV] [--E-nu GeV] [--T-max GeV]
                       [--constraints SET|LIST]
    jaxtmm plot borexino --out FILE.png [--force] [--T-min GeV] [--E-nu GeV] [--T-max GeV]
    jaxtmm plot scattering --out FILE.png [--force]
    jaxtmm plot searches [POINT.toml | --preset paper] --out FILE.png [--force] [--convention ...]
    jaxtmm scan [--preset paper | --config FILE] [--gD 0.5,0.05,0.005 | --no-references] [--masses N] [--out DIR]
                [--force] [--starts K] [--seed S] [--starts-from DIR] [--quiet] [OPTIONS] [--constraints SET|LIST]
    jaxtmm profile [--preset NAME | --config FILE] --x NAME:LOW:HIGH[:N] [--y NAME:LOW:HIGH[:N]] --out DIR [--force]
                   [--starts K] [--seed S] [--quiet] [OPTIONS] [--constraints SET|LIST]
    jaxtmm fit (--config FILE | --preset NAME) --out DIR [--resume | --force] [--seed K] [--pair LIST] [--quiet]
               [OPTIONS] [--constraints SET|LIST] [--sampler nuts|nested] [the chosen sampler's flags]

OPTIONS, on constraints, scan, profile and fit, are generated from likelihoods.registry.Options: --convention
corrected|paper, --meg auto|2023|2025, --moment solar|12|13|23, --invisible auto|apply|drop|physics, --nu-bound
planck2018|desi2025, --tuning T, --alpha-e combined|Rb|Cs (scan, profile and fit: default the configuration's). The
flags of each sampler (NUTS: --chains --warmup --samples --chunk --target-accept --max-tree-depth --dense-mass;
nested: --runs --nlive --dlogz --proposal --draws --queue --walks --workers) are generated from its settings
(fits.sample); a flag of the other sampler is refused.

Bad input ends with one line ``jaxtmm: error: ...`` on stderr and exit status 2, never a traceback; every
output location is checked before any work; an interrupted command exits 130 (``fit`` can then ``--resume``).
"""

from jaxtmm_cli._common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, fail
from jaxtmm_cli.parser import UsageError, build_parser

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_INTERRUPTED", "main"]


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return fail(str(exc))
    import jax

    jax.config.update("jax_enable_x64", True)  # an application may set global state; the library never does
    from jaxtmm.pointfile import PointFileError

    if getattr(args, "loop", None) is not None:
        from fits.problem.config import RENAMED

        return fail(RENAMED["loop"].replace("option 'loop'", "--loop").replace("'convention'", "--convention"))
    try:
        return getattr(_commands(), args.command)(args)
    except (PointFileError, ValueError) as exc:  # bad input named by the code that found it
        return fail(str(exc))
    except KeyboardInterrupt:
        hint = " (continue with --resume)" if args.command == "fit" else ""
        return fail(f"interrupted{hint}", EXIT_INTERRUPTED)
    except OSError as exc:  # the disk, not the input: a write that failed after the checks
        return fail(f"{exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}", EXIT_FAILED)


def _commands():
    """The command handlers by name (imported when a command runs: --help stays fast)."""
    from types import SimpleNamespace

    from jaxtmm_cli.fit import fit
    from jaxtmm_cli.point import constraints, evaluate, plot
    from jaxtmm_cli.scan import profile, scan

    return SimpleNamespace(evaluate=evaluate, constraints=constraints, plot=plot, scan=scan, profile=profile, fit=fit)
