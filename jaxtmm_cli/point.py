"""`jaxtmm evaluate`, `jaxtmm constraints` and `jaxtmm plot`: one model point, or a figure."""

import json
import math

import numpy as np

from jaxtmm_cli._common import fail, load_point, num


def _non_finite(result: dict) -> list[str]:
    return [k for k, v in result.items() if not np.all(np.isfinite(np.asarray(v)))]


def _as_json(result: dict, convention: str, source: str) -> dict:
    out = {k: None if v is None else (np.asarray(v) + 0.0).tolist() for k, v in result.items()}
    out["convention"] = convention
    out["point"] = source
    return out


def _matrix(title: str, m) -> list[str]:
    return ["", title] + ["   " + "  ".join(f"{num(v): .6e}" for v in row) for row in np.asarray(m)]


def _table(result: dict, convention: str, source: str) -> str:
    from jaxtmm.darkphoton import CHANNELS

    lines = [f"point: {source}    convention: {convention}"]
    what = (
        "modulus |A_ij| = sqrt(mu^2 + d^2), symmetric"
        if convention == "corrected"
        else "Eq. 2.20 as printed, antisymmetric"
    )
    lines += _matrix(
        "A' nu nu vector form factor |F_ab| (flavour basis e, mu; dimensionless; docs/derivation.md section 15)",
        result["F_vector_flavour_abs"],
    )
    lines += _matrix(
        f"dark transition moments mu_ij [mu_B]  ({what}; i = row, j = column, mass states 1..3)", result["mu_ij_muB"]
    )
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
        ("one-loop m_nu (3 values)", f"{num(m[0]):.6e}, {num(m[1]):.6e}, {num(m[2]):.1f}", "eV"),
        ("sum m_nu (one loop)", result["sum_m_nu_loop_eV"], "eV"),
        ("Delta N_nu (Z -> N1 N2)", result["delta_N_nu"], ""),
        ("oblique T (finite part)", result["T_oblique"], ""),
        ("A' total width", result["Ap_width_total_GeV"], "GeV"),
        ("  of which nu nu (vector F)", result["Ap_width_nu_nu_vector_GeV"], "GeV"),
        (
            "A' c tau",
            "stable (no open channel, or beyond 1e308)" if result["Ap_ctau_m"] is None else result["Ap_ctau_m"],
            "m",
        ),
        ("A' BR(invisible)", result["Ap_BR_invisible"], ""),
    ]
    brs = [(c, result[f"Ap_BR_{c}"]) for c in CHANNELS]
    lines.append("")
    lines += [f"{name:<26} {v if isinstance(v, str) else f'{num(v): .6e}'} {unit}".rstrip() for name, v, unit in rows]
    lines.append("A' branching ratios        " + ", ".join(f"{c} {num(b):.4g}" for c, b in brs))
    from jaxtmm.widths import STATES

    lines.append(
        "width / mass (two-body)    " + ", ".join(f"{s} {num(result[f'width_over_mass_{s}']):.3g}" for s in STATES)
    )
    return "\n".join(lines)


def evaluate(args) -> int:
    from jaxtmm.report import evaluate

    point, source = load_point(args)
    from jaxtmm.annihilation import relic_summary

    result = dict(evaluate(point, args.convention))
    relic = relic_summary(point)
    if not np.isfinite(float(result["Ap_ctau_m"])):
        result["Ap_ctau_m"] = None  # no open channel (eps = 0 and no dark decay), or c tau beyond the float range
    bad = _non_finite({k: v for k, v in result.items() if v is not None})
    if bad:  # the readers keep inputs where the physics is finite; never print a NaN or inf
        return fail(f"{', '.join(bad)} not finite at {source}: the point is outside where jaxtmm computes reliably")
    if relic["candidate"] == "E":
        relic["omega_h2"] = None  # the lightest Z2-odd state is E: a stable charged relic
    if args.json:
        print(json.dumps({**_as_json(result, args.convention, source), "relic": relic}, indent=2, allow_nan=False))
    else:
        print(_table(result, args.convention, source))
        print(_relic_line(relic))
    return 0


def _relic_line(r: dict) -> str:
    """The relic abundance in one line: Omega h^2 of the candidate, its dominant channel, and what is left out."""
    if r["omega_h2"] is None:
        return "relic abundance            E is the lightest Z2-odd state: a stable charged relic (excluded)"
    share = r["channel_shares_x20"].get(r["dominant_channel"], 0.0)
    tail = (
        f"; coannihilation with {', '.join(r['cross_family_partners_not_included'])} not included"
        if r["cross_family_partners_not_included"]
        else ""
    )
    return (
        f"relic abundance            Omega h^2 = {r['omega_h2']:.4g} ({r['candidate']}, {r['mass_GeV']:.4g} GeV; "
        f"leading: {r['dominant_channel']}, {100 * share:.0f}% of <sigma v> at x = 20; Planck: 0.120){tail}"
    )


def _g(v, unit="") -> str:
    return f"{num(v):.4g}{unit}"


def _constraints_table(rows: list[dict], head: str, invisible: str) -> str:
    cols = (
        "group",
        "experiment",
        "quantity",
        "value",
        "limit",
        "signal/limit",
        "ln L",
        "q / threshold",
        "result",
        "A'->invisible",
    )
    body = []
    for k, r in enumerate(rows):
        unit = f" {r['unit']}" if r["unit"] else ""
        on = r["constrains"]
        body.append(
            (
                r["group"] if k == 0 or rows[k - 1]["group"] != r["group"] else "",
                ("  " + r["experiment"]) if r.get("part_of") else r["experiment"],
                r["quantity"],
                _g(r["value"], unit),
                _g(r["limit"], unit) if on and r["limit"] is not None else "-",
                _g(r["signal_ratio"]) if on else "-",
                _g(r["log_likelihood"]) if on else "-",
                f"{_g(r['test_statistic'])} / {_g(r['threshold'])}"
                if on and r["threshold"] is not None
                else _g(r["test_statistic"])
                if on
                else "-",
                ("allowed" if r["allowed"] else "EXCLUDED") + f" at {100 * r['cl']:.0f}% CL" if on else "no constraint",
                "-"
                if r["invisible_open"] is None
                else (
                    "open"
                    if r["invisible_open"]
                    else {
                        "drop": "CLOSED (limit dropped)",
                        "apply": "CLOSED (limit assumed anyway)",
                        "physics": "CLOSED (scaled by the point's BR)",
                    }[invisible]
                ),
            )
        )
    w = [max(len(c), *(len(b[i]) for b in body)) for i, c in enumerate(cols)]
    fmt = lambda row: "  ".join(c.ljust(w[i]) for i, c in enumerate(row)).rstrip()
    lines = [head, "", fmt(cols), fmt(["-" * n for n in w])] + [fmt(b) for b in body]
    lines += ["", "sources:"] + [
        f"  {r['experiment']}: {r['citation']} [{r['statistical_model']}; data {r['data_file']}]" for r in rows
    ]
    return "\n".join(lines)


def constraints(args) -> int:
    from jaxtmm_cli.parser import model_options
    from likelihoods import registry, report, unsatisfiable_at
    from likelihoods.borexino import check_window
    from likelihoods.registry import Options, check_option

    point, source = load_point(args)
    T_min, E_nu, T_max = check_window(args.T_min, args.E_nu, args.T_max)
    given = {n: check_option(n, getattr(args, n)) for n in model_options()}
    opts = registry.resolved(Options(**given, T_min=T_min, E_nu=E_nu, T_max=T_max), args.constraints)
    lks = registry.build(args.constraints, opts)
    rows = report(point, lks)
    blocking = unsatisfiable_at(point, lks)
    bad = sorted(
        {
            r["experiment"]
            for r in rows
            for k in ("value", "signal_ratio", "log_likelihood")
            if r[k] is not None and not math.isfinite(r[k])
        }
    )
    if bad:
        return fail(f"the constraint(s) {', '.join(bad)} are not finite at {source}")
    options = {
        "convention": opts.convention,
        "meg": opts.meg_year,
        "moment": opts.moment,
        "T_min_GeV": T_min,
        "E_nu_GeV": E_nu,
        "T_max_GeV": T_max,
        "T_max_is_endpoint": args.T_max is None,
        "invisible": opts.invisible,
        "constraints": args.constraints,
        "nu_mass_bound": opts.nu_mass_bound,
        "tuning": opts.tuning,
        "alpha_e": opts.alpha_e,
    }
    if args.json:
        print(
            json.dumps(
                {
                    "point": source,
                    "options": options,
                    "constraints": rows,
                    "unsatisfiable_whatever_the_couplings": blocking,
                },
                indent=2,
                allow_nan=False,
            )
        )
    else:
        shown = {**options, "T_max_GeV": f"{T_max:.6g}" + (" (kinematic endpoint)" if args.T_max is None else "")}
        del shown["T_max_is_endpoint"]
        head = f"point: {source}    " + "    ".join(f"{k}: {v}" for k, v in shown.items())
        print(_constraints_table(rows, head, opts.invisible))
        if blocking:
            print(
                "\nno choice of couplings satisfies: "
                + ", ".join(f"{n} (r = {r:.4g}, fixed by the masses)" for n, r in blocking.items())
            )
    return 0


def plot(args) -> int:
    from fits.io import prepare_file, save_figure
    from fits.plots import fig6_borexino
    from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT, check_window

    window = check_window(args.T_min, args.E_nu, args.T_max)
    if args.figure in ("borexino", "scattering") and (args.point or args.preset):
        return fail(f"'plot {args.figure}' takes no point: the recast limits do not depend on the model")
    if args.figure == "scattering" and (args.T_min, args.E_nu, args.T_max) != (T_MIN_DEFAULT, E_NU_DEFAULT, None):
        return fail(
            "'plot scattering' draws each experiment's own window: --T-min, --E-nu and --T-max are for 'plot borexino'"
        )
    out = prepare_file(args.out, force=args.force, option="--out", hint="; use --force to overwrite it")
    if args.figure == "searches":
        from fits.plots import searches_plane

        if args.point is not None and args.preset is not None:
            return fail("give a point file or --preset, not both")
        if args.point is None and args.preset is None:
            args.preset = "paper"
        point, source = load_point(args)
        save_figure(searches_plane(point, args.convention, title=f"dark-photon searches at {source}"), out, dpi=150)
    elif args.figure == "scattering":
        from fits.plots import fig6_scattering

        save_figure(fig6_scattering(), out, dpi=150)
    else:
        save_figure(fig6_borexino(*window), out, dpi=150)
    print(f"wrote {out}")
    return 0
