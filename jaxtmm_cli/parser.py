"""The argument parser of every command (argparse), its errors on one line."""

import argparse


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


def model_options() -> tuple:
    """The options of the likelihoods the commands offer: every field of likelihoods.registry.Options written in a
    configuration's [options] table (the Borexino window, [options.borexino], has flags of its own)."""
    from likelihoods.registry import OPTION_FIELDS

    return tuple(n for n, f in OPTION_FIELDS.items() if f.metadata["section"] is None)


def _option_args(p: argparse.ArgumentParser, names, defaults: bool) -> None:
    """The flags of the options ``names``, generated from their declarations (likelihoods.registry.Options): with
    ``defaults`` the library's default, else None (the configuration's). ``--loop``, the old name of
    ``--convention``, is answered with the new one."""
    from likelihoods.registry import OPTION_FIELDS

    for n in names:
        f = OPTION_FIELDS[n]
        m = f.metadata
        tail = f" (default: {f.default})" if defaults else " (default: the configuration's)"
        kw = {"dest": n, "default": f.default if defaults else None, "help": m["help"] + tail}
        if m["choices"] is not None:
            kw["choices"] = m["choices"]
        else:
            kw.update(type=float, metavar=m["metavar"])
        p.add_argument(m["flag"] or "--" + n.replace("_", "-"), **kw)
    if "convention" in names:
        p.add_argument("--loop", default=None, help=argparse.SUPPRESS)


def _window_args(p: argparse.ArgumentParser) -> None:
    """Borexino's recoil window (likelihoods.registry.Options, [options.borexino]), with the experiment's defaults."""
    from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT
    from likelihoods.registry import OPTION_FIELDS

    shown = {"T_min": "50 keV", "E_nu": "862 keV, 7Be", "T_max": "the kinematic endpoint"}
    for n, default in (("T_min", T_MIN_DEFAULT), ("E_nu", E_NU_DEFAULT), ("T_max", None)):
        m = OPTION_FIELDS[n].metadata
        flag = "--" + n.replace("_", "-")
        p.add_argument(
            flag, dest=n, type=float, default=default, metavar=m["metavar"], help=f"{m['help']} (default {shown[n]})"
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


def _sampler_args(p: argparse.ArgumentParser) -> None:
    """One group of flags per sampler, generated from its settings (fits.sample.base.setting); a flag two samplers
    share is added once. Every default is None: what was not given keeps the settings' own default."""
    from fits.sample import samplers
    from fits.sample.base import cli_fields, flag_of

    seen = set()
    for sampler in samplers().values():
        group = p.add_argument_group(sampler.title)
        for f in cli_fields(sampler.Settings):
            if f.name in seen:
                continue
            seen.add(f.name)
            m, kw = f.metadata, {"dest": f.name, "default": None, "help": f.metadata["help"]}
            if isinstance(f.default, bool):
                group.add_argument(flag_of(f), action="store_true", **kw)
            else:
                group.add_argument(flag_of(f), type=type(f.default), choices=m["choices"], metavar=m["metavar"], **kw)


def _evaluate_parser(sub) -> None:
    ev = sub.add_parser(
        "evaluate",
        help="every observable of one model point",
        description="Evaluate the transition moments (modulus, magnetic and electric parts), BR(mu -> e gamma), (g-2), "
        "the one-loop neutrino mass, Delta N_nu, the oblique T and the dark photon's widths, branching ratios and "
        "lifetime of one model point.",
    )
    _point_args(ev)
    _option_args(ev, ["convention"], defaults=True)


def _constraints_parser(sub) -> None:
    co = sub.add_parser(
        "constraints",
        help="every experimental constraint on one model point",
        description="Every constraint of a set (default complete: MEG II, NA64, BaBar, Borexino recast for a massive "
        "A', the neutrino mass, the Z width, T, LEP, (g-2)) on one model point: log-likelihood, signal over the signal "
        "at the limit, pass or fail at each one's CL (90% or 95%), and which constraints no choice of couplings can satisfy.",
    )
    _point_args(co)
    _option_args(co, model_options(), defaults=True)
    _window_args(co)
    _constraints_arg(co, "complete", "the constraints to report (default: complete, every one jaxtmm has)")


def _plot_parser(sub) -> None:
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
    _option_args(pl, ["convention"], defaults=True)
    pl.add_argument("--out", required=True, metavar="FILE.png", help="output file")
    pl.add_argument("--force", action="store_true", help="overwrite FILE.png if it exists")
    _window_args(pl)


def _scan_parser(sub) -> None:
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
    _option_args(sc, model_options(), defaults=False)
    _constraints_arg(sc, None, "the constraints of the scan (default: the configuration's)")
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
        "--runs",
        type=int,
        default=None,
        metavar="R",
        help="independent runs of the maximiser, seeds S to S+R-1, the best kept; every row says how far they "
        "agree and whether it converged (default 2 for a profile, --preset global; 1 for Fig. 7)",
    )
    sc.add_argument(
        "--cancellation-floors",
        default=None,
        metavar="LIST",
        help="a global profile's floors on the neutrino-mass cancellation c (1: none; docs/derivation.md section "
        "12), comma-separated in (0, 1]: one curve per floor, each row with c >= its floor (default "
        "1,1e-2,1e-4,1e-6 where theta_R and theta_I are free)",
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


def _profile_parser(sub) -> None:
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
    _option_args(pr, model_options(), defaults=False)
    pr.add_argument("--starts", type=int, default=None, metavar="K", help="random starts per point (default 4)")
    pr.add_argument(
        "--seed", type=int, default=0, metavar="S", help="random seed of the starts, 0 to 2^32-1 (default 0)"
    )
    pr.add_argument("--quiet", action="store_true", help="no progress bars")


def _fit_parser(sub) -> None:
    from fits.problem.config import PRESETS as CONFIG_PRESETS
    from fits.sample import SAMPLERS

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
        choices=tuple(SAMPLERS),
        default=None,
        help="nuts or nested: independent dynesty runs, judged like chains (docs/fits.md); default: the "
        "configuration's own 'sampler' (nested for the global presets, where NUTS cannot mix), else nuts",
    )
    ft.add_argument("--seed", type=int, default=0, metavar="K", help="random seed, 0 to 2^32-1 (default 0)")
    _sampler_args(ft)
    ft.add_argument("--out", required=True, metavar="DIR", help="output directory")
    _constraints_arg(ft, None, "the likelihoods of the fit (default: the configuration's)")
    _option_args(ft, model_options(), defaults=False)
    ft.add_argument("--resume", action="store_true", help="continue an interrupted run in DIR from its checkpoint")
    ft.add_argument("--force", action="store_true", help="overwrite an existing output directory (not with --resume)")
    ft.add_argument("--quiet", action="store_true", help="no progress bar")
    ft.add_argument(
        "--pair",
        metavar="LIST",
        help="comma-separated variables of the pair plot (default: |y| of each free coupling, the other free "
        "parameters, mu_eff_muB); any free parameter, abs_<coupling> or derived quantity",
    )


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="jaxtmm",
        description="Dark transition magnetic moments of Majorana neutrinos: physics, constraints, fits.",
    )
    ap.add_argument("--version", action="version", version=f"jaxtmm {_version()}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _evaluate_parser(sub)
    _constraints_parser(sub)
    _plot_parser(sub)
    _scan_parser(sub)
    _profile_parser(sub)
    _fit_parser(sub)
    return ap
