"""The ``jaxtmm`` command line: a thin layer over the Python API.

    jaxtmm evaluate (POINT.toml | --preset paper) [--json] [--convention corrected|paper]
    jaxtmm constraints (POINT.toml | --preset paper) [--json] [--convention ...] [--meg 2023|2025]
                       [--moment solar|12|13|23] [--T-min GeV] [--E-nu GeV] [--T-max GeV] [--invisible auto|apply|drop|physics]
                       [--constraints SET|LIST] [--nu-bound planck2018|desi2025] [--tuning T] [--alpha-e Rb|Cs]
    jaxtmm plot borexino --out FILE.png [--force] [--T-min GeV] [--E-nu GeV] [--T-max GeV]
    jaxtmm plot scattering --out FILE.png [--force]
    jaxtmm plot searches [POINT.toml | --preset paper] --out FILE.png [--force] [--convention ...]
    jaxtmm scan [--preset paper | --config FILE] [--gD 0.5,0.05,0.005 | --no-references] [--moment solar|12|13|23]
                [--convention corrected|paper] [--constraints SET|LIST] [--meg 2023|2025] [--masses N] [--out DIR]
                [--force] [--starts K] [--seed S] [--nu-bound ...] [--tuning T] [--alpha-e Rb|Cs]
    jaxtmm profile [--preset NAME | --config FILE] --x NAME:LOW:HIGH[:N] [--y NAME:LOW:HIGH[:N]] --out DIR [--force]
                   [--constraints SET|LIST] [--convention ...] [--starts K] [--seed S] [--quiet]
    jaxtmm fit (--config FILE | --preset NAME) [--chains C --warmup W --samples S --seed K --chunk N]
               --out DIR [--resume | --force] [--pair LIST] [--quiet] [--convention ...] [--constraints SET|LIST]

Bad input ends with one line ``jaxtmm: error: ...`` on stderr and exit status 2, never a traceback; every
output location is checked before any work; an interrupted command exits 130 (``fit`` can then ``--resume``).
"""

import argparse
import json
import math
import sys

import numpy as np

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
SEED_MAX = 2**32 - 1


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line (``jaxtmm: error: ...``), exit status 2."""

    def error(self, message):
        cmd = self.prog.split()[1] + " " if len(self.prog.split()) > 1 else ""
        raise _UsageError(f"{message} (see 'jaxtmm {cmd}--help')")


class _UsageError(Exception):
    pass


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jaxtmm")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _point_args(p: argparse.ArgumentParser) -> None:
    from fits.config import OPTIONS
    from jaxtmm.pointfile import PRESETS

    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("point", nargs="?", metavar="POINT.toml", help="point file (see docs/conventions.md)")
    src.add_argument("--preset", choices=PRESETS, metavar="NAME", help=f"a shipped point: {', '.join(PRESETS)}")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    _convention_arg(p, "corrected")


def _convention_arg(p: argparse.ArgumentParser, default: str | None) -> None:
    from fits.config import OPTIONS

    p.add_argument("--convention", choices=OPTIONS["convention"], default=default,
                   help="corrected (the derivation from the paper's Lagrangian, docs/derivation.md) or paper (the printed "
                        "Eqs. 2.19-2.20, 3.2-3.6, 3.9)" + (" (default: corrected)" if default else " (default: the configuration's)"))  # fmt: skip
    p.add_argument("--loop", default=None, help=argparse.SUPPRESS)  # renamed: answered with the new name


def _model_options_args(p: argparse.ArgumentParser, defaults: bool) -> None:
    """The options of the likelihoods the paper leaves out (neutrino mass, (g-2)_e)."""
    from fits.config import DEFAULT_OPTIONS, OPTIONS

    d = (lambda k: DEFAULT_OPTIONS[k]) if defaults else (lambda k: None)  # noqa: E731
    tail = "" if defaults else "; default: the configuration's"
    p.add_argument("--nu-bound", choices=OPTIONS["nu_mass_bound"], default=d("nu_mass_bound"),
                   help=f"cosmological bound on the sum of neutrino masses: planck2018 (0.12 eV) or desi2025 (0.0642 eV){tail}")  # fmt: skip
    p.add_argument("--tuning", type=float, default=d("tuning"), metavar="T",
                   help=f"how far the loop neutrino mass may exceed that bound, > 0 (1: no cancellation){tail}")
    p.add_argument("--alpha-e", choices=OPTIONS["alpha_e"], default=d("alpha_e"),
                   help=f"the alpha behind the (g-2)_e prediction: Rb (2020) or Cs (2018){tail}")


def _window_args(p: argparse.ArgumentParser) -> None:
    from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT

    p.add_argument("--T-min", type=float, default=T_MIN_DEFAULT, metavar="GeV", help="Borexino recoil threshold (default 50 keV)")
    p.add_argument("--E-nu", type=float, default=E_NU_DEFAULT, metavar="GeV", help="neutrino energy (default 862 keV, 7Be)")
    p.add_argument("--T-max", type=float, default=None, metavar="GeV", help="upper end of the recoil window (default: kinematic endpoint)")


def _constraints_arg(p: argparse.ArgumentParser, default: str | None, what: str) -> None:
    from likelihoods.registry import SET_NAMES, names

    p.add_argument("--constraints", default=default, metavar="SET|LIST",
                   help=f"{what}: a set ({', '.join(SET_NAMES)}) or comma-separated names from "
                        f"{', '.join(names())}")  # fmt: skip


def _config_args(p: argparse.ArgumentParser) -> None:
    """--preset NAME | --config FILE (default: the paper preset)."""
    from fits.config import PRESETS

    g = p.add_mutually_exclusive_group()
    g.add_argument("--preset", choices=PRESETS, metavar="NAME",
                   help=f"a shipped configuration: {', '.join(PRESETS)} (default: paper)")  # fmt: skip
    g.add_argument("--config", metavar="FILE", help="a configuration file (TOML, see docs/fits.md)")


def _parser() -> argparse.ArgumentParser:
    from fits.config import OPTIONS
    from fits.config import PRESETS as CONFIG_PRESETS

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
    co.add_argument("--meg", choices=OPTIONS["meg_year"], default="2023", help="MEG II limit: 3.1e-13 (2023, default) or 1.5e-13 (2025)")
    co.add_argument("--moment", choices=OPTIONS["moment"], default="solar", help="mu_eff seen by Borexino (default: solar mixture)")
    co.add_argument("--invisible", choices=OPTIONS["invisible"], default="auto",
                    help="BR(A' -> invisible) the invisible-mode limits assume: 1 (apply, the paper), 1 where A' -> dark "
                         "states is open (drop), the point's own (physics); auto (default): apply for the paper's "
                         "experiments alone, physics with any other")  # fmt: skip
    _window_args(co)
    _constraints_arg(co, "complete", "the constraints to report (default: complete, every one jaxtmm has)")
    _model_options_args(co, defaults=True)
    pl = sub.add_parser("plot", help="figures", description="Draw a figure to a PNG file.")
    pl.add_argument("figure", choices=("borexino", "scattering", "searches"),
                    help="borexino: the paper's Fig. 6 (recast limit vs m_A'); scattering: Fig. 6 extended to every "
                         "neutrino-electron scattering limit; searches: the excluded (m_A', eps) plane of every "
                         "dark-photon search, without and with the point's dark decays")  # fmt: skip
    pl.add_argument("point", nargs="?", metavar="POINT.toml", help="the model point of 'searches' (default: --preset paper)")
    pl.add_argument("--preset", choices=("paper",), default=None, help="'searches' at the seed paper's benchmark point")
    pl.add_argument("--convention", choices=OPTIONS["convention"], default="corrected",
                    help="'searches': the convention of the A' -> nu nu width through the moment")  # fmt: skip
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
    sc.add_argument("--gD", default=None, metavar="LIST",
                    help="comma-separated dark couplings (default 0.5,0.05,0.005; not with a configuration that frees g_D)")
    sc.add_argument("--no-references", action="store_true",
                    help="a profile without its reference curves (the seed paper's, the benchmark masses')")
    sc.add_argument("--moment", choices=OPTIONS["moment"], default=None, help="mu_eff to maximise (default: the configuration's; paper: 12)")
    _convention_arg(sc, None)
    sc.add_argument("--meg", choices=OPTIONS["meg_year"], default=None, help="MEG II limit year (default: the configuration's)")
    _constraints_arg(sc, None, "the constraints of the scan (default: the configuration's)")
    _model_options_args(sc, defaults=False)
    sc.add_argument("--masses", type=int, default=100, metavar="N", help="log-spaced dark-photon masses (default 100)")
    sc.add_argument("--out", default="results/scan", metavar="DIR", help="output directory (default results/scan)")
    sc.add_argument("--force", action="store_true", help="overwrite an existing output directory")
    sc.add_argument("--starts", type=int, default=None, metavar="K",
                    help="random starts per problem (default: the maximiser's, fits.maximise.Settings)")
    sc.add_argument("--seed", type=int, default=0, metavar="S", help="random seed of the starts, 0 to 2^32-1 (default 0)")
    sc.add_argument("--quiet", action="store_true", help="no progress bars")
    sc.add_argument("--distributed", action="store_true",
                    help="run as one process of a multi-host job (jax.distributed): each process solves its share, "
                         "process 0 writes the results; SLURM/MPI are detected, or give the three options below")  # fmt: skip
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
    pr.add_argument("--x", required=True, metavar="NAME:LOW:HIGH[:N]",
                    help="the profiled quantity, its range and points (default 20; log-spaced for a log-uniform "
                         "parameter and a derived quantity)")  # fmt: skip
    pr.add_argument("--y", default=None, metavar="NAME:LOW:HIGH[:N]", help="a second quantity: a 2-D profile")
    pr.add_argument("--out", default="results/profile", metavar="DIR", help="output directory (default results/profile)")
    pr.add_argument("--force", action="store_true", help="overwrite an existing output directory")
    _constraints_arg(pr, None, "the likelihoods (default: the configuration's)")
    _convention_arg(pr, None)
    _model_options_args(pr, defaults=False)
    pr.add_argument("--starts", type=int, default=None, metavar="K", help="random starts per point (default 4)")
    pr.add_argument("--seed", type=int, default=0, metavar="S", help="random seed of the starts, 0 to 2^32-1 (default 0)")
    pr.add_argument("--quiet", action="store_true", help="no progress bars")
    ft = sub.add_parser(
        "fit",
        help="NUTS posterior of a configuration",
        description="Sample the posterior of a configuration with NumPyro NUTS; write posterior.nc (ArviZ), "
        "summary.csv (R-hat, ESS, MCSE), trace/rank/pair plots and fit.json.",
    )
    fcfg = ft.add_mutually_exclusive_group(required=True)
    fcfg.add_argument("--preset", choices=CONFIG_PRESETS, metavar="NAME",
                      help=f"a shipped configuration: {', '.join(CONFIG_PRESETS)} ('posterior' is the one tuned for NUTS)")  # fmt: skip
    fcfg.add_argument("--config", metavar="FILE", help="a configuration file (TOML)")
    ft.add_argument("--chains", type=int, default=4, metavar="C", help="chains (default 4; in parallel when there are enough devices)")
    ft.add_argument("--warmup", type=int, default=500, metavar="W", help="warm-up iterations per chain (default 500)")
    ft.add_argument("--samples", type=int, default=500, metavar="S", help="draws per chain (default 500)")
    ft.add_argument("--seed", type=int, default=0, metavar="K", help="random seed, 0 to 2^32-1 (default 0)")
    ft.add_argument("--chunk", type=int, default=250, metavar="N",
                    help="iterations per chain between checkpoints (default 250); one also ends the warm-up")  # fmt: skip
    ft.add_argument("--target-accept", type=float, default=0.9, metavar="A",
                    help="NUTS's target acceptance probability, in (0, 1) (default 0.9; higher: smaller steps, fewer divergences)")  # fmt: skip
    ft.add_argument("--max-tree-depth", type=int, default=8, metavar="D", help="NUTS's largest tree depth, 1 to 15 (default 8)")
    ft.add_argument("--dense-mass", action="store_true", help="adapt a dense mass matrix (default: diagonal)")
    ft.add_argument("--out", required=True, metavar="DIR", help="output directory")
    _constraints_arg(ft, None, "the likelihoods of the fit (default: the configuration's)")
    _convention_arg(ft, None)
    _model_options_args(ft, defaults=False)
    ft.add_argument("--resume", action="store_true", help="continue an interrupted run in DIR from its checkpoint")
    ft.add_argument("--force", action="store_true", help="overwrite an existing output directory (not with --resume)")
    ft.add_argument("--quiet", action="store_true", help="no progress bar")
    ft.add_argument("--pair", metavar="LIST",
                    help="comma-separated variables of the pair plot (default: |y| of each free coupling, the other free "
                         "parameters, mu_eff_muB); any free parameter, abs_<coupling> or derived quantity")  # fmt: skip
    return ap


def _fail(msg: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"jaxtmm: error: {' '.join(str(msg).split())}", file=sys.stderr)
    return code


def _num(v: float) -> float:
    """-0.0 printed as 0."""
    return float(v) + 0.0


def _non_finite(result: dict) -> list[str]:
    return [k for k, v in result.items() if not np.all(np.isfinite(np.asarray(v)))]


def _as_json(result: dict, convention: str, source: str) -> dict:
    out = {k: None if v is None else (np.asarray(v) + 0.0).tolist() for k, v in result.items()}
    out["convention"] = convention
    out["point"] = source
    return out


def _matrix(title: str, m) -> list[str]:
    return ["", title] + ["   " + "  ".join(f"{_num(v): .6e}" for v in row) for row in np.asarray(m)]


def _table(result: dict, convention: str, source: str) -> str:
    from jaxtmm.darkphoton import CHANNELS

    lines = [f"point: {source}    convention: {convention}"]
    what = "modulus |A_ij| = sqrt(mu^2 + d^2), symmetric" if convention == "corrected" else "Eq. 2.20 as printed, antisymmetric"
    lines += _matrix(f"dark transition moments mu_ij [mu_B]  ({what}; i = row, j = column, mass states 1..3)",
                     result["mu_ij_muB"])  # fmt: skip
    if convention == "corrected":
        lines += _matrix("  magnetic part Re A_ij [mu_B]", result["mu_ij_magnetic_muB"])
        lines += _matrix("  electric part Im A_ij [mu_B]", result["mu_ij_electric_muB"])
    m = np.asarray(result["m_nu_loop_eV"])
    rows = [
        ("mu_eff (solar mixture)", result["mu_eff_solar_muB"], "mu_B"),
        ("mu_eff (nu_e beam: reactor)", result["mu_eff_e_muB"], "mu_B"),
        ("mu_eff (nu_mu beam: accelerator)", result["mu_eff_mu_muB"], "mu_B"),
        ("sum_n M_n Delta J_n", result["loop_sum_GeV_inv"], "GeV^-1"),
        ("BR(mu -> e gamma)", result["BR_mu_e_gamma"], ""),
        ("Delta a_mu (E loop)", result["delta_a_mu"], ""),
        ("Delta a_mu (A' loop)", result["delta_a_mu_dark_photon"], ""),
        ("Delta a_e (E loop)", result["delta_a_e"], ""),
        ("Delta a_e (A' loop)", result["delta_a_e_dark_photon"], ""),
        ("one-loop m_nu (3 values)", f"{_num(m[0]):.6e}, {_num(m[1]):.6e}, {_num(m[2]):.1f}", "eV"),
        ("sum m_nu (one loop)", result["sum_m_nu_loop_eV"], "eV"),
        ("Delta N_nu (Z -> N1 N2)", result["delta_N_nu"], ""),
        ("oblique T (finite part)", result["T_oblique"], ""),
        ("A' total width", result["Ap_width_total_GeV"], "GeV"),
        ("A' c tau", "stable (no open channel, or beyond 1e308)" if result["Ap_ctau_m"] is None else result["Ap_ctau_m"], "m"),
        ("A' BR(invisible)", result["Ap_BR_invisible"], ""),
    ]
    brs = [(c, result[f"Ap_BR_{c}"]) for c in CHANNELS]
    lines.append("")
    lines += [f"{name:<26} {v if isinstance(v, str) else f'{_num(v): .6e}'} {unit}".rstrip() for name, v, unit in rows]
    lines.append("A' branching ratios        " + ", ".join(f"{c} {_num(b):.4g}" for c, b in brs))
    return "\n".join(lines)


def _load(args):
    """The point named on the command line, or raise PointFileError."""
    from jaxtmm.pointfile import load_point, load_preset

    if args.preset is not None:
        return load_preset(args.preset), f"preset {args.preset}"
    return load_point(args.point), args.point


def _evaluate(args) -> int:
    from jaxtmm.observables import evaluate

    point, source = _load(args)
    result = dict(evaluate(point, args.convention))
    if not np.isfinite(float(result["Ap_ctau_m"])):
        result["Ap_ctau_m"] = None  # no open channel (eps = 0 and no dark decay), or c tau beyond the float range
    bad = _non_finite({k: v for k, v in result.items() if v is not None})
    if bad:  # the readers keep inputs where the physics is finite; never print a NaN or inf
        return _fail(f"{', '.join(bad)} not finite at {source}: the point is outside where jaxtmm computes reliably")
    if args.json:
        print(json.dumps(_as_json(result, args.convention, source), indent=2, allow_nan=False))
    else:
        print(_table(result, args.convention, source))
    return 0


def _g(v, unit="") -> str:
    return f"{_num(v):.4g}{unit}"


def _constraints_table(rows: list[dict], head: str, invisible: str) -> str:
    cols = ("group", "experiment", "quantity", "value", "limit", "signal/limit", "ln L", "q / threshold", "result",
            "A'->invisible")  # fmt: skip
    body = []
    for k, r in enumerate(rows):
        unit = f" {r['unit']}" if r["unit"] else ""
        on = r["constrains"]
        body.append((
            r["group"] if k == 0 or rows[k - 1]["group"] != r["group"] else "",
            ("  " + r["experiment"]) if r.get("part_of") else r["experiment"], r["quantity"],
            _g(r["value"], unit),
            _g(r["limit"], unit) if on and r["limit"] is not None else "-",
            _g(r["signal_ratio"]) if on else "-",
            _g(r["log_likelihood"]) if on else "-",
            f"{_g(r['test_statistic'])} / {_g(r['threshold'])}" if on and r["threshold"] is not None else
            _g(r["test_statistic"]) if on else "-",
            ("allowed" if r["allowed"] else "EXCLUDED") + f" at {100 * r['cl']:.0f}% CL" if on else "no constraint",
            "-" if r["invisible_open"] is None else ("open" if r["invisible_open"] else
                                                     {"drop": "CLOSED (limit dropped)", "apply": "CLOSED (limit assumed anyway)",
                                                      "physics": "CLOSED (scaled by the point's BR)"}[invisible]),
        ))  # fmt: skip
    w = [max(len(c), *(len(b[i]) for b in body)) for i, c in enumerate(cols)]
    fmt = lambda row: "  ".join(c.ljust(w[i]) for i, c in enumerate(row)).rstrip()  # noqa: E731
    lines = [head, "", fmt(cols), fmt(["-" * n for n in w])] + [fmt(b) for b in body]
    lines += ["", "sources:"] + [f"  {r['experiment']}: {r['citation']} [{r['statistical_model']}; data {r['data_file']}]" for r in rows]
    return "\n".join(lines)


def _constraints(args) -> int:
    from likelihoods import default_likelihoods, report, unsatisfiable_at
    from likelihoods.borexino import check_window
    from likelihoods.neutrino_mass import check_tuning
    from likelihoods.registry import invisible_mode

    point, source = _load(args)
    T_min, E_nu, T_max = check_window(args.T_min, args.E_nu, args.T_max)
    more = {"nu_mass_bound": args.nu_bound, "tuning": check_tuning(args.tuning), "alpha_e": args.alpha_e}
    invisible = invisible_mode(args.invisible, args.constraints)
    lks = default_likelihoods(args.convention, args.meg, args.moment, T_min, E_nu, T_max, invisible,
                              args.constraints, **more)  # fmt: skip
    rows = report(point, lks)
    blocking = unsatisfiable_at(point, lks)
    bad = sorted({r["experiment"] for r in rows for k in ("value", "signal_ratio", "log_likelihood")
                  if r[k] is not None and not math.isfinite(r[k])})  # fmt: skip
    if bad:
        return _fail(f"the constraint(s) {', '.join(bad)} are not finite at {source}")
    options = {"convention": args.convention, "meg": args.meg, "moment": args.moment, "T_min_GeV": T_min, "E_nu_GeV": E_nu,
               "T_max_GeV": T_max, "T_max_is_endpoint": args.T_max is None, "invisible": invisible,
               "constraints": args.constraints, **more}  # fmt: skip
    if args.json:
        print(json.dumps({"point": source, "options": options, "constraints": rows,
                          "unsatisfiable_whatever_the_couplings": blocking}, indent=2, allow_nan=False))  # fmt: skip
    else:
        shown = {**options, "T_max_GeV": f"{T_max:.6g}" + (" (kinematic endpoint)" if args.T_max is None else "")}
        del shown["T_max_is_endpoint"]
        head = f"point: {source}    " + "    ".join(f"{k}: {v}" for k, v in shown.items())
        print(_constraints_table(rows, head, invisible))
        if blocking:
            print("\nno choice of couplings satisfies: " + ", ".join(f"{n} (r = {r:.4g}, fixed by the masses)"
                                                                   for n, r in blocking.items()))  # fmt: skip
    return 0


def _plot(args) -> int:
    from fits._io import prepare_file, save_figure
    from fits.plots import fig6_borexino
    from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT, check_window

    window = check_window(args.T_min, args.E_nu, args.T_max)
    if args.figure in ("borexino", "scattering") and (args.point or args.preset):
        return _fail(f"'plot {args.figure}' takes no point: the recast limits do not depend on the model")
    if args.figure == "scattering" and (args.T_min, args.E_nu, args.T_max) != (T_MIN_DEFAULT, E_NU_DEFAULT, None):
        return _fail("'plot scattering' draws each experiment's own window: --T-min, --E-nu and --T-max are for "
                     "'plot borexino'")  # fmt: skip
    out = prepare_file(args.out, force=args.force, option="--out", hint="; use --force to overwrite it")
    if args.figure == "searches":
        from fits.plots import searches_plane

        if args.point is not None and args.preset is not None:
            return _fail("give a point file or --preset, not both")
        if args.point is None and args.preset is None:
            args.preset = "paper"
        point, source = _load(args)
        save_figure(searches_plane(point, args.convention, title=f"dark-photon searches at {source}"), out, dpi=150)
    elif args.figure == "scattering":
        from fits.plots import fig6_scattering

        save_figure(fig6_scattering(), out, dpi=150)
    else:
        save_figure(fig6_borexino(*window), out, dpi=150)
    print(f"wrote {out}")
    return 0


def _load_config(args):
    from fits.config import load_config, preset_config

    if args.config is not None:
        return load_config(args.config)
    return preset_config(args.preset or "paper")


def _with_options(config, args, **more):
    """The configuration with the options given on the command line (those not given keep the file's)."""
    given = {"convention": args.convention, "likelihoods": args.constraints, "nu_mass_bound": args.nu_bound,
             "tuning": args.tuning, "alpha_e": args.alpha_e, **more}  # fmt: skip
    return config.replace_options(**{k: v for k, v in given.items() if v is not None})


def _check_seed(seed: int) -> None:
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"--seed must be an integer from 0 to 2^32-1, got {seed}")


def _scan(args) -> int:
    from fits._io import prepare_dir
    from fits.maximise import Settings
    from fits.scan import run_scan, write_results
    from jaxtmm._validate import perturbative

    from fits.scan import DEFAULT_GD, is_profile

    config = _load_config(args)
    config = _with_options(config, args, moment=args.moment, meg_year=args.meg)
    profile = is_profile(config)
    if profile and args.gD is not None:
        return _fail("--gD: this configuration frees g_D, and the scan profiles it; fix g_D in the configuration's "
                     "[fixed] to scan a list of values")  # fmt: skip
    if not profile and args.no_references:
        return _fail("--no-references applies to a profile only (a configuration with g_D free)")
    gD_text = args.gD if args.gD is not None else ",".join(f"{g:g}" for g in DEFAULT_GD)
    try:
        gD = tuple(float(g) for g in gD_text.split(","))
    except ValueError:
        return _fail(f"--gD must be a comma-separated list of numbers, got {gD_text!r}")
    if not all(math.isfinite(g) and g > 0 for g in gD):
        return _fail(f"--gD values must be positive, got {gD_text!r}")
    for g in gD:
        perturbative(f"--gD {g:g} times the largest |Q_S|", g * config.largest("Q_S"))
    if args.masses < 2:
        return _fail(f"--masses must be at least 2, got {args.masses}")
    if args.masses > 100_000:
        return _fail(f"--masses must be at most 100000, got {args.masses}")
    if args.starts is not None and not 1 <= args.starts <= 1024:
        return _fail(f"--starts must be from 1 to 1024, got {args.starts}")
    _check_seed(args.seed)
    layout = None
    if args.distributed:
        from fits.parallel import Layout, initialize_distributed

        initialize_distributed(args.coordinator, args.num_processes, args.process_id)
        layout = Layout.current()
    elif any(v is not None for v in (args.coordinator, args.num_processes, args.process_id)):
        return _fail("--coordinator, --num-processes and --process-id need --distributed")
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
        return _fail(problem)
    settings = Settings(seed=args.seed, **({} if args.starts is None else {"starts": args.starts}))
    result = run_scan(config, gD, args.masses, settings, progress=not args.quiet, layout=layout,
                      references=profile and not args.no_references)  # fmt: skip
    if layout is not None and not layout.is_writer:
        return 0
    files = write_results(result, out, config)
    rows = result["rows"]
    bad = [r for r in rows if r["experiment_applies"] and not r["feasible"]]
    shape = (f"{args.masses} masses, every constraint at once, g_D and {len(config.parity_combinations())} CP-parity "
             "combination(s) profiled" if profile else f"{len(gD)} g_D x {args.masses} masses x 2 experiments")
    print(f"jaxtmm scan: {len(rows)} rows ({shape}), "
          f"convention {config.convention}, constraints {', '.join(config.likelihoods)}, moment {config.moment}, "
          f"MEG II {config.meg_year}; "
          f"{result['provenance']['wall_time_s']:.1f} s")  # fmt: skip
    if bad:
        reasons = sorted({r["reason"].split(" (r = ")[0] for r in bad})
        print(f"warning: {len(bad)} row(s) infeasible (no numbers reported; see the 'reason' column): "
              f"{'; '.join(reasons[:4])}", file=sys.stderr)  # fmt: skip
    for f in files:
        print(f"wrote {f}")
    return 0


def _axis_spec(config, text: str, option: str, n_default: int):
    from fits.profile import make_axis

    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise ValueError(f"{option} must be NAME:LOW:HIGH or NAME:LOW:HIGH:N, got {text!r}")
    try:
        low, high = float(parts[1]), float(parts[2])
        n = int(parts[3]) if len(parts) == 4 else n_default
    except ValueError:
        raise ValueError(f"{option}: LOW and HIGH must be numbers and N an integer, got {text!r}") from None
    return make_axis(config, parts[0], low, high, n)


def _profile(args) -> int:
    from fits._io import prepare_dir
    from fits.maximise import Settings
    from fits.profile import run_profile, write_profile

    config = _with_options(_load_config(args), args)
    axes = [_axis_spec(config, args.x, "--x", 20 if args.y is None else 12)]
    if args.y is not None:
        axes.append(_axis_spec(config, args.y, "--y", 12))
        if axes[1].name == axes[0].name:
            return _fail("--x and --y must name different quantities")
    if args.starts is not None and not 1 <= args.starts <= 1024:
        return _fail(f"--starts must be from 1 to 1024, got {args.starts}")
    _check_seed(args.seed)
    out = prepare_dir(args.out, force=args.force, option="--out", hint="use --force to overwrite")
    settings = Settings(seed=args.seed, **({} if args.starts is None else {"starts": args.starts}))
    result = run_profile(config, axes, settings, progress=not args.quiet)
    files = write_profile(result, out, config)
    m = result["maximum"]
    lost = sum(not r["reached"] for r in result["rows"])
    print(f"jaxtmm profile: {len(result['rows'])} points of {' x '.join(a.name for a in axes)}, max ln L = "
          f"{m['lnL']:.6g}; {result['provenance']['wall_time_s']:.1f} s")  # fmt: skip
    if lost:
        print(f"warning: {lost} point(s) not reached within the priors (no -2 Delta ln L; see the 'reached' column)",
              file=sys.stderr)  # fmt: skip
    for f in files:
        print(f"wrote {f}")
    return 0


def _fit(args) -> int:
    from fits._io import prepare_dir
    from fits.fit import DERIVED_LABELS, OUTPUTS, pair_choices, run_fit
    from fits.posterior import CheckpointError, FitSettings
    from fits.scan import unsatisfiable

    config = _with_options(_load_config(args), args)
    for name in ("chains", "samples", "chunk"):
        if getattr(args, name) < 1:
            return _fail(f"--{name} must be at least 1, got {getattr(args, name)}")
    if args.warmup < 0:
        return _fail(f"--warmup must be non-negative, got {args.warmup}")
    if not 0.0 < args.target_accept < 1.0:
        return _fail(f"--target-accept must be in (0, 1), got {args.target_accept}")
    if not 1 <= args.max_tree_depth <= 15:
        return _fail(f"--max-tree-depth must be 1 to 15, got {args.max_tree_depth}")
    if args.chains > 256:
        return _fail(f"--chains must be at most 256, got {args.chains}")
    if args.warmup + args.samples > 10_000_000:
        return _fail("--warmup + --samples must be at most 1e7 per chain")
    _check_seed(args.seed)
    if args.resume and args.force:
        return _fail("--resume continues the run in --out and --force starts it again: give one of them")
    pair = None
    if args.pair is not None:
        pair = [v.strip() for v in args.pair.split(",") if v.strip()]
        choices = pair_choices(config)
        unknown = [v for v in pair if v not in choices]
        if unknown or not pair:
            return _fail(f"--pair: unknown variable(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(choices)}")
    out = prepare_dir(args.out, force=args.force, resume=args.resume, option="--out",
                      hint="use --resume to continue it or --force to overwrite")  # fmt: skip
    blocking = unsatisfiable(config)
    if blocking:
        print("warning: no choice of couplings satisfies " + ", ".join(f"{n} (r = {r:.4g})" for n, r in blocking.items())
              + " at this configuration's fixed masses: the posterior sits outside their CL regions", file=sys.stderr)  # fmt: skip
    settings = FitSettings(args.chains, args.warmup, args.samples, args.seed, min(args.chunk, args.warmup + args.samples),
                           target_accept=args.target_accept, max_tree_depth=args.max_tree_depth, dense_mass=args.dense_mass)  # fmt: skip
    try:
        rec = run_fit(config, settings, out, resume=args.resume, progress=not args.quiet, pair=pair)
    except CheckpointError as exc:
        return _fail(f"{exc}; --force starts the fit again")
    print(f"jaxtmm fit: {rec['draws']} draws ({settings.chains} chains, {rec['chain_method']}), "
          f"{rec['divergences']} divergences, max R-hat {rec['max_r_hat']:.4f}, min ESS bulk {rec['min_ess_bulk']:.0f} "
          f"/ tail {rec['min_ess_tail']:.0f}, {rec['wall_time_s']:.1f} s ({rec['min_ess_bulk_per_s']:.3g} ESS/s)")  # fmt: skip
    for name in DERIVED_LABELS:
        print(f"  {rec['derived'][name]}")
    for name, p in rec["parity_probabilities"].items():
        print(f"  P({name[7:]}) = {p['mean']:.3f} +- {p['mcse']:.3f} (CP parities, {', '.join(config.signs)}: p = +1, m = -1)")
    missed = [f"{k} {t['value']:.4g} (target {'>=' if k.startswith('min') else '<='} {t['target']:g})"
              for k, t in rec["targets"].items() if not t["met"]]  # fmt: skip
    if missed:
        print(f"warning: convergence targets not met: {'; '.join(missed)}; worst R-hat {rec['worst_r_hat']}, worst ESS "
              f"{rec['worst_ess_bulk']}, {100 * rec['tree_depth_saturated_fraction']:.0f}% of transitions at the maximum "
              "tree depth: run longer, or see docs/fits.md on the global fit", file=sys.stderr)  # fmt: skip
    for name in OUTPUTS:
        print(f"wrote {out / name}")
    return 0


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        return _fail(str(exc))
    import jax

    jax.config.update("jax_enable_x64", True)  # an application may set global state; the library never does
    from jaxtmm.pointfile import PointFileError

    if getattr(args, "loop", None) is not None:
        from fits.config import RENAMED

        return _fail(RENAMED["loop"].replace("option 'loop'", "--loop").replace("'convention'", "--convention"))
    try:
        commands = {"evaluate": _evaluate, "constraints": _constraints, "plot": _plot, "scan": _scan, "profile": _profile, "fit": _fit}
        return commands[args.command](args)
    except (PointFileError, ValueError) as exc:  # bad input named by the code that found it
        return _fail(str(exc))
    except KeyboardInterrupt:
        hint = " (continue with --resume)" if args.command == "fit" else ""
        return _fail(f"interrupted{hint}", EXIT_INTERRUPTED)
    except OSError as exc:  # the disk, not the input: a write that failed after the checks
        return _fail(f"{exc.strerror or exc}{': ' + str(exc.filename) if exc.filename else ''}", EXIT_FAILED)


if __name__ == "__main__":
    sys.exit(main())
