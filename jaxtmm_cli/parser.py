"""The argument parser of every command (argparse), its errors on one line."""

import argparse

NESTED_PROPOSALS = (
    "auto",
    "unif",
    "rwalk",
    "slice",
    "rslice",
)  # fits.sample.nested.SAMPLE_METHODS, without importing it


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line (``jaxtmm: error: ...``), exit status 2."""

    def error(self, message):
        cmd = self.prog.split()[1] + " " if len(self.prog.split()) > 1 else ""
        raise UsageError(f"{message} (see 'jaxtmm {cmd}--help')")


class UsageError(Exception):
    pass


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jaxtmm")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _point_args(p: argparse.ArgumentParser) -> None:
    from jaxtmm.pointfile import PRESETS

    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("point", nargs="?", metavar="POINT.toml", help="point file (see docs/conventions.md)")
    src.add_argument("--preset", choices=PRESETS, metavar="NAME", help=f"a shipped point: {', '.join(PRESETS)}")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    _convention_arg(p, "corrected")


def _convention_arg(p: argparse.ArgumentParser, default: str | None) -> None:
    from fits.problem.config import OPTIONS

    p.add_argument(
        "--convention",
        choices=OPTIONS["convention"],
        default=default,
        help="corrected (the derivation from the paper's Lagrangian, docs/derivation.md) or paper (the printed "
        "Eqs. 2.19-2.20, 3.2-3.6, 3.9)" + (" (default: corrected)" if default else " (default: the configuration's)"),
    )
    p.add_argument("--loop", default=None, help=argparse.SUPPRESS)  # renamed: answered with the new name


def _model_options_args(p: argparse.ArgumentParser, defaults: bool) -> None:
    """The options of the likelihoods the paper leaves out (neutrino mass, (g-2)_e)."""
    from fits.problem.config import DEFAULT_OPTIONS, OPTIONS

    d = (lambda k: DEFAULT_OPTIONS[k]) if defaults else (lambda k: None)
    tail = "" if defaults else "; default: the configuration's"
    p.add_argument(
        "--nu-bound",
        choices=OPTIONS["nu_mass_bound"],
        default=d("nu_mass_bound"),
        help=f"cosmological bound on the sum of neutrino masses: planck2018 (0.12 eV) or desi2025 (0.0642 eV){tail}",
    )
    p.add_argument(
        "--tuning",
        type=float,
        default=d("tuning"),
        metavar="T",
        help=f"how far the loop neutrino mass may exceed that bound, > 0 (1: no cancellation){tail}",
    )
    p.add_argument(
        "--alpha-e",
        choices=OPTIONS["alpha_e"],
        default=d("alpha_e"),
        help=f"the alpha behind the (g-2)_e prediction: combined (Rb and Cs averaged with the PDG scale factor), Rb (2020) or Cs (2018){tail}",
    )


def _window_args(p: argparse.ArgumentParser) -> None:
    from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT

    p.add_argument(
        "--T-min", type=float, default=T_MIN_DEFAULT, metavar="GeV", help="Borexino recoil threshold (default 50 keV)"
    )
    p.add_argument(
        "--E-nu", type=float, default=E_NU_DEFAULT, metavar="GeV", help="neutrino energy (default 862 keV, 7Be)"
    )
    p.add_argument(
        "--T-max",
        type=float,
        default=None,
        metavar="GeV",
        help="upper end of the recoil window (default: kinematic endpoint)",
    )


def _constraints_arg(p: argparse.ArgumentParser, default: str | None, what: str) -> None:
    from likelihoods.registry import SET_NAMES, names

    p.add_argument(
        "--constraints",
        default=default,
        metavar="SET|LIST",
        help=f"{what}: a set ({', '.join(SET_NAMES)}) or comma-separated names from {', '.join(names())}",
    )


def _config_args(p: argparse.ArgumentParser) -> None:
    """--preset NAME | --config FILE (default: the paper preset)."""
    from fits.problem.config import PRESETS

    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--preset",
        choices=PRESETS,
        metavar="NAME",
        help=f"a shipped configuration: {', '.join(PRESETS)} (default: paper)",
    )
    g.add_argument("--config", metavar="FILE", help="a configuration file (TOML, see docs/fits.md)")


def build_parser() -> argparse.ArgumentParser:
    from fits.problem.config import OPTIONS, SAMPLERS
    from fits.problem.config import PRESETS as CONFIG_PRESETS

    ap = _Parser(
        prog="jaxtmm",
        description="Dark transition magnetic moments of Majorana neutrinos: physics, constraints, fits.",
    )
    ap.add_argument("--version", action="version", version=f"jaxtmm {_version()}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ev = sub.add_parser(
        "evaluate",
        help="every observable of one model point",
        description="Evaluate the transition moments (modulus, magnetic and electric parts), BR(mu -> e gamma), (g-2), "
        "the one-loop neutrino mass, Delta N_nu, the oblique T and the dark photon's widths, branching ratios and "
        "lifetime of one model point.",
    )
    _point_args(ev)
    co = sub.add_parser(
        "constraints",
        help="every experimental constraint on one model point",
        description="Every constraint of a set (default complete: MEG II, NA64, BaBar, Borexino recast for a massive "
        "A', the neutrino mass, the Z width, T, LEP, (g-2)) on one model point: log-likelihood, signal over the signal "
        "at the limit, pass or fail at each one's CL (90% or 95%), and which constraints no choice of couplings can satisfy.",
    )
    _point_args(co)
    co.add_argument(
        "--meg",
        choices=OPTIONS["meg_year"],
        default="auto",
        help="MEG II limit: 3.1e-13 (2023) or 1.5e-13 (2025); auto (default): 2023 for the paper's set alone, else 2025",
    )
    co.add_argument(
        "--moment", choices=OPTIONS["moment"], default="solar", help="mu_eff seen by Borexino (default: solar mixture)"
    )
    co.add_argument(
        "--invisible",
        choices=OPTIONS["invisible"],
        default="auto",
        help="BR(A' -> invisible) the invisible-mode limits assume: 1 (apply, the paper), 1 where A' -> dark "
        "states is open (drop), the point's own (physics); auto (default): apply for the paper's "
        "experiments alone, physics with any other",
    )
    _window_args(co)
    _constraints_arg(co, "complete", "the constraints to report (default: complete, every one jaxtmm has)")
    _model_options_args(co, defaults=True)
    pl = sub.add_parser("plot", help="figures", description="Draw a figure to a PNG file.")
    pl.add_argument(
        "figure",
        choices=("borexino", "scattering", "searches"),
        help="borexino: the paper's Fig. 6 (recast limit vs m_A'); scattering: Fig. 6 extended to every "
        "neutrino-electron scattering limit; searches: the excluded (m_A', eps) plane of every "
        "dark-photon search, without and with the point's dark decays",
    )
    pl.add_argument(
        "point", nargs="?", metavar="POINT.toml", help="the model point of 'searches' (default: --preset paper)"
    )
    pl.add_argument("--preset", choices=("paper",), default=None, help="'searches' at the seed paper's benchmark point")
    pl.add_argument(
        "--convention",
        choices=OPTIONS["convention"],
        default="corrected",
        help="'searches': the convention of the A' -> nu nu width through the moment",
    )
    pl.add_argument("--out", required=True, metavar="FILE.png", help="output file")
    pl.add_argument("--force", action="store_true", help="overwrite FILE.png if it exists")
    _window_args(pl)
    sc = sub.add_parser(
        "scan",
        help="the largest allowed mu_eff at every dark-photon mass (Fig. 7)",
        description="Maximise mu_eff over every free parameter of a configuration, with MEG II and NA64 (or BaBar) "
        "inside their 90% CL regions, for each g_D and each m_A' of a log grid over 1 MeV - 8 GeV. Where the "
        "configuration leaves g_D free (--preset global, global-paper) it is the profile instead: one problem per "
        "m_A' with every constraint on, g_D and the free CP parities profiled too, compared with the seed paper's "
        "curve and the benchmark masses. Writes scan.csv, scan.json (rows + provenance), fig7.png and fig6.png.",
    )
    _config_args(sc)
    sc.add_argument(
        "--gD",
        default=None,
        metavar="LIST",
        help="comma-separated dark couplings (default 0.5,0.05,0.005; not with a configuration that frees g_D)",
    )
    sc.add_argument(
        "--no-references",
        action="store_true",
        help="a profile without its reference curves (the seed paper's, the benchmark masses')",
    )
    sc.add_argument(
        "--moment",
        choices=OPTIONS["moment"],
        default=None,
        help="mu_eff to maximise (default: the configuration's; paper: 12)",
    )
    _convention_arg(sc, None)
    sc.add_argument(
        "--meg", choices=OPTIONS["meg_year"], default=None, help="MEG II limit year (default: the configuration's)"
    )
    _constraints_arg(sc, None, "the constraints of the scan (default: the configuration's)")
    _model_options_args(sc, defaults=False)
    sc.add_argument("--masses", type=int, default=100, metavar="N", help="log-spaced dark-photon masses (default 100)")
    sc.add_argument("--out", default="results/scan", metavar="DIR", help="output directory (default results/scan)")
    sc.add_argument("--force", action="store_true", help="overwrite an existing output directory")
    sc.add_argument(
        "--starts",
        type=int,
        default=None,
        metavar="K",
        help="random starts per problem (default: the maximiser's, fits.optimise.maximise.Settings)",
    )
    sc.add_argument(
        "--seed", type=int, default=0, metavar="S", help="random seed of the starts, 0 to 2^32-1 (default 0)"
    )
    sc.add_argument(
        "--starts-from",
        default=None,
        metavar="DIR",
        help="also start from the feasible optima of an earlier scan (DIR/scan.json; rows matched by g_D, "
        "m_A' and experiment): under the same constraints each row is then at least the earlier one, so runs "
        "with other seeds combine",
    )
    sc.add_argument("--quiet", action="store_true", help="no progress bars")
    sc.add_argument(
        "--distributed",
        action="store_true",
        help="run as one process of a multi-host job (jax.distributed): each process solves its share, "
        "process 0 writes the results; SLURM/MPI are detected, or give the three options below",
    )
    sc.add_argument("--coordinator", metavar="HOST:PORT", help="address of process 0's coordinator service")
    sc.add_argument("--num-processes", type=int, metavar="N", help="number of processes in the job")
    sc.add_argument("--process-id", type=int, metavar="I", help="this process's index, 0..N-1")
    pr = sub.add_parser(
        "profile",
        help="profile likelihood (-2 Delta ln L) of one or two quantities",
        description="The profile likelihood of a free parameter or a derived quantity (mu_eff, sum_m_nu), or of two "
        "on a grid, every other free parameter maximised by the scan's maximiser (objective ln L). Writes "
        "profile.csv, profile.json (rows, the maximum, provenance) and profile.png.",
    )
    _config_args(pr)
    pr.add_argument(
        "--x",
        required=True,
        metavar="NAME:LOW:HIGH[:N]",
        help="the profiled quantity, its range and points (default 20; log-spaced for a log-uniform "
        "parameter and a derived quantity)",
    )
    pr.add_argument("--y", default=None, metavar="NAME:LOW:HIGH[:N]", help="a second quantity: a 2-D profile")
    pr.add_argument(
        "--out", default="results/profile", metavar="DIR", help="output directory (default results/profile)"
    )
    pr.add_argument("--force", action="store_true", help="overwrite an existing output directory")
    _constraints_arg(pr, None, "the likelihoods (default: the configuration's)")
    _convention_arg(pr, None)
    _model_options_args(pr, defaults=False)
    pr.add_argument("--starts", type=int, default=None, metavar="K", help="random starts per point (default 4)")
    pr.add_argument(
        "--seed", type=int, default=0, metavar="S", help="random seed of the starts, 0 to 2^32-1 (default 0)"
    )
    pr.add_argument("--quiet", action="store_true", help="no progress bars")
    ft = sub.add_parser(
        "fit",
        help="posterior of a configuration (NUTS, or nested sampling)",
        description="Sample the posterior of a configuration with NumPyro NUTS (default) or with independent "
        "nested-sampling runs (dynesty; --sampler nested: the route that converges on the global presets); write "
        "posterior.nc (ArviZ), summary.csv (R-hat, ESS, MCSE), trace/rank/pair plots and fit.json.",
    )
    fcfg = ft.add_mutually_exclusive_group(required=True)
    fcfg.add_argument(
        "--preset",
        choices=CONFIG_PRESETS,
        metavar="NAME",
        help=f"a shipped configuration: {', '.join(CONFIG_PRESETS)} ('posterior' is the one tuned for NUTS)",
    )
    fcfg.add_argument("--config", metavar="FILE", help="a configuration file (TOML)")
    ft.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default=None,
        help="nuts or nested: independent dynesty runs, judged like chains (docs/fits.md); default: the "
        "configuration's own 'sampler' (nested for the global presets, where NUTS cannot mix), else nuts",
    )
    ft.add_argument("--seed", type=int, default=0, metavar="K", help="random seed, 0 to 2^32-1 (default 0)")
    nuts = ft.add_argument_group("NUTS (--sampler nuts)")
    nuts.add_argument(
        "--chains",
        type=int,
        default=None,
        metavar="C",
        help="chains (default 4; in parallel when there are enough devices)",
    )
    nuts.add_argument(
        "--warmup", type=int, default=None, metavar="W", help="warm-up iterations per chain (default 500)"
    )
    nuts.add_argument("--samples", type=int, default=None, metavar="S", help="draws per chain (default 500)")
    nuts.add_argument(
        "--chunk",
        type=int,
        default=None,
        metavar="N",
        help="iterations per chain between checkpoints (default 250); one also ends the warm-up",
    )
    nuts.add_argument(
        "--target-accept",
        type=float,
        default=None,
        metavar="A",
        help="NUTS's target acceptance probability, in (0, 1) (default 0.9; higher: smaller steps, fewer divergences)",
    )
    nuts.add_argument(
        "--max-tree-depth", type=int, default=None, metavar="D", help="NUTS's largest tree depth, 1 to 15 (default 8)"
    )
    nuts.add_argument(
        "--dense-mass", action="store_true", default=None, help="adapt a dense mass matrix (default: diagonal)"
    )
    nest = ft.add_argument_group("nested sampling (--sampler nested)")
    nest.add_argument(
        "--runs",
        type=int,
        default=None,
        metavar="R",
        help="independent runs, ArviZ's chains; each is a checkpoint (default 4)",
    )
    nest.add_argument("--nlive", type=int, default=None, metavar="N", help="live points per run (default 2000)")
    nest.add_argument(
        "--dlogz",
        type=float,
        default=None,
        metavar="X",
        help="stop a run when the evidence left in its live points is below X in ln Z (default 0.1)",
    )
    nest.add_argument(
        "--draws",
        type=int,
        default=None,
        metavar="N",
        help="equal-weight draws per run (default: the smallest run's Kish effective sample size)",
    )
    nest.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="W",
        help="processes running the runs at once (default: one per CPU core, at most one per run; the "
        "draws are the same whatever W)",
    )
    nest.add_argument(
        "--proposal",
        choices=NESTED_PROPOSALS,
        default=None,
        help="dynesty's proposal (default auto, dynesty's choice: rwalk in 10 to 20 dimensions, as the global preset's 20, "
        "rslice above)",
    )
    nest.add_argument(
        "--queue",
        type=int,
        default=None,
        metavar="Q",
        help="random walks proposed together, each step's likelihoods one vmapped call (rwalk only; "
        "default 32; 1: dynesty's one point at a time)",
    )
    nest.add_argument(
        "--walks",
        type=int,
        default=None,
        metavar="N",
        help="steps of each random walk (makes the proposal rwalk; default: dynesty's, 20 + the dimension)",
    )
    ft.add_argument("--out", required=True, metavar="DIR", help="output directory")
    _constraints_arg(ft, None, "the likelihoods of the fit (default: the configuration's)")
    _convention_arg(ft, None)
    _model_options_args(ft, defaults=False)
    ft.add_argument("--resume", action="store_true", help="continue an interrupted run in DIR from its checkpoint")
    ft.add_argument("--force", action="store_true", help="overwrite an existing output directory (not with --resume)")
    ft.add_argument("--quiet", action="store_true", help="no progress bar")
    ft.add_argument(
        "--pair",
        metavar="LIST",
        help="comma-separated variables of the pair plot (default: |y| of each free coupling, the other free "
        "parameters, mu_eff_muB); any free parameter, abs_<coupling> or derived quantity",
    )
    return ap
