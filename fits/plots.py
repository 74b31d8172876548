"""Figures. Built on ``matplotlib.figure.Figure`` (no pyplot state, no GUI backend needed)."""

import numpy as np
from matplotlib.figure import Figure

from likelihoods.borexino import E_NU_DEFAULT, MU_BOREXINO, T_MIN_DEFAULT, check_window, recast_limit


def fig6_borexino(T_min=T_MIN_DEFAULT, E_nu=E_NU_DEFAULT, T_max=None, m_range=(1e-6, 10.0), n_masses=400) -> Figure:
    """The seed paper's Fig. 6: the Borexino limit on mu_eff recast for a massive A' (Eq. 3.10), with the
    massless-photon baseline, against m_A' on log axes."""
    T_min, E_nu, T_max = check_window(T_min, E_nu, T_max)
    m = np.logspace(np.log10(m_range[0]), np.log10(m_range[1]), n_masses)
    mu = np.asarray(recast_limit(m, T_min, E_nu, T_max))
    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = fig.add_subplot()
    ax.fill_between(m, mu, mu.max() * 10, color="tab:purple", alpha=0.12, lw=0)
    ax.loglog(
        m,
        mu,
        color="tab:purple",
        lw=2,
        label=f"Borexino recast, massive $A'$ (Eq. 3.10): $E_\\nu$ = {E_nu * 1e6:.0f} keV, "
        f"$T$ in [{T_min * 1e6:.0f}, {T_max * 1e6:.0f}] keV",
    )
    ax.axhline(
        MU_BOREXINO,
        color="gray",
        ls="--",
        lw=1.5,
        label=f"massless photon: {MU_BOREXINO:.1e} $\\mu_B$ (Borexino, PRD 96, 091103 (2017))",
    )
    ax.set_xlim(m[0], m[-1])
    ax.set_ylim(MU_BOREXINO / 3, mu.max() * 3)
    ax.set_xlabel("dark photon mass $m_{A'}$ [GeV]")
    ax.set_ylabel(r"$\mu_\mathrm{eff}$ upper limit, 90% CL [$\mu_B$]")
    ax.set_title("Fig. 6: Borexino limit on the effective dark magnetic moment")
    ax.text(0.03, 0.55, "excluded", transform=ax.transAxes, color="tab:purple")
    ax.legend(loc="upper left", fontsize=7.5)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def fig6_scattering(m_range=(1e-6, 10.0), n_masses=400) -> Figure:
    """The seed paper's Fig. 6, extended: every neutrino-electron scattering limit recast for a massive A' against m_A'
    (solid; Borexino by Eq. 3.10 over its window, the reactor experiments by the threshold bound, likelihoods.scattering)
    with its massless-photon value (dashed). Each limit is on its own beam's moment (legend)."""
    from likelihoods import scattering

    m = np.logspace(np.log10(m_range[0]), np.log10(m_range[1]), n_masses)
    T_min, E_nu, T_max = check_window(T_MIN_DEFAULT, E_NU_DEFAULT, None)
    curves = [
        (
            f"Borexino (solar mass states): Eq. 3.10 over [{T_min * 1e6:.0f}, {T_max * 1e6:.0f}] keV, "
            f"{E_nu * 1e6:.0f} keV line",
            MU_BOREXINO,
            np.asarray(recast_limit(m)),
        )
    ]
    for name in scattering.EXPERIMENTS:
        d = scattering.experiment(name)
        curves.append(
            (
                f"{name} ({d['flux']}): threshold {d['T_min_GeV'] * 1e6:g} keV",
                d["mu_90_muB"],
                np.asarray(scattering.recast_limit(m, name)),
            )
        )
    fig = Figure(figsize=(6.8, 4.8), layout="constrained")
    ax = fig.add_subplot()
    for (label, mu0, mu), color in zip(curves, ("tab:purple", "tab:green", "tab:orange", "tab:blue", "tab:red")):
        ax.loglog(m, mu, color=color, lw=2, label=label)
        ax.axhline(mu0, color=color, ls="--", lw=1)
    lowest = np.min([c[2] for c in curves], axis=0)
    ax.fill_between(m, lowest, lowest.max() * 10, color="gray", alpha=0.1, lw=0)
    ax.set_xlim(m[0], m[-1])
    ax.set_ylim(min(c[1] for c in curves) / 3, lowest.max() * 3)
    ax.set_xlabel("dark photon mass $m_{A'}$ [GeV]")
    ax.set_ylabel(r"$\mu_\mathrm{eff}$ upper limit, 90% CL [$\mu_B$]")
    ax.set_title(
        "Fig. 6 extended: neutrino-electron scattering limits for a massive $A'$ (dashed: massless photon)", fontsize=9
    )
    ax.text(
        0.03, 0.55, "excluded by the strongest\n(where the beams' moments agree)", transform=ax.transAxes, color="gray"
    )
    ax.legend(loc="upper left", fontsize=7)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def fig7(result: dict, config) -> Figure:
    """The seed paper's Fig. 7: the largest allowed mu_eff vs m_A' (NA64 + MEG II for each g_D, BaBar + MEG II at
    the largest g_D) against the Borexino recast, with the masses where A' -> dark states is closed marked.
    The legend sits below the axes, every shaded region has an entry, and the y-range follows the curves."""
    rows = result["rows"]
    gDs = sorted({r["gD"] for r in rows}, reverse=True)
    fig = Figure(figsize=(7.2, 7.6), layout="constrained")
    ax, strip = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [4, 1.3]})
    blues = ["#08306b", "#2171b5", "#6baed6", "#9ecae1", "#c6dbef"]
    curves = []

    def curve(g, experiment):
        sel = [
            r
            for r in rows
            if r["gD"] == g
            and r["experiment"] == experiment
            and r["experiment_applies"]
            and r["feasible"]
            and r["mu_eff_max_muB"] is not None
        ]
        return np.array([r["m_Ap_GeV"] for r in sel]), np.array([r["mu_eff_max_muB"] for r in sel])

    for k, g in enumerate(gDs):
        m, mu = curve(g, "NA64")
        if len(m):
            ax.loglog(m, mu, color=blues[k % len(blues)], lw=2, label=f"NA64 + MEG II, $g_D$ = {g:g}")
            curves.append(mu)
    m, mu = curve(gDs[0], "BaBar")
    if len(m):
        ax.loglog(m, mu, color="tab:red", lw=2, label=f"BaBar + MEG II, $g_D$ = {gDs[0]:g}")
        curves.append(mu)
    bx = sorted({(r["m_Ap_GeV"], r["borexino_limit_muB"]) for r in rows})
    mb, lb = np.array([b[0] for b in bx]), np.array([b[1] for b in bx])
    ax.loglog(mb, lb, color="tab:purple", lw=2, label="Borexino recast (Eq. 3.10), 90% CL")
    scan = np.concatenate(curves) if curves else lb
    ymin = min(scan.min(), lb.min()) / 5
    ymax = scan.max() * 50
    ax.fill_between(
        mb, lb, max(ymax, lb.max()) * 10, color="tab:purple", alpha=0.12, lw=0, label="excluded by Borexino (recast)"
    )
    closed = sorted({r["m_Ap_GeV"] for r in rows if not r["invisible_open"]})
    mode = config.likelihood_options.invisible
    if closed:
        ax.axvspan(
            mb[0],
            closed[-1],
            color="0.5",
            alpha=0.18,
            lw=0,
            label="$A' \\to$ dark states closed: "
            + {
                "apply": "invisible limits not valid (applied anyway)",
                "drop": "invisible limits dropped",
                "physics": "invisible limits scaled by BR(invisible), visible searches apply",
            }[mode],
        )
    ax.set_xlim(mb[0], mb[-1])
    ax.set_ylim(ymin, ymax)
    _mu_ylabel(ax, config)
    ax.set_title(
        f"Fig. 7: joint exclusion ({config.name or 'custom'} configuration, convention = {config.convention}, "
        f"MEG II {config.likelihood_options.meg_year})",
        fontsize=9,
    )
    fig.legend(loc="outside lower center", ncols=2, fontsize=7.5, frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    if not curves:
        ax.text(
            0.5,
            0.5,
            "no feasible point at any mass:\nthe responsible constraints are below",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="tab:red",
        )
    _binding_strip(strip, rows, gDs[0])
    return fig


def _mu_ylabel(ax, config) -> None:
    moment = "solar mixture" if config.moment == "solar" else f"$|\\epsilon\\,\\mu_{{{config.moment}}}|$"
    ax.set_ylabel(f"largest allowed $\\mu_\\mathrm{{eff}}$ [$\\mu_B$] ({moment})")


def _constraint_names(text: str) -> list[str]:
    """Constraint names from a row's ``binding`` entries or ``reason`` ("infeasible: A (r = ..); B (r = ..)")."""
    text = text.removeprefix("infeasible: ")
    return [part.split(" (r = ")[0].strip() for part in text.split("; ") if " (r = " in part]


def _binding_strip(ax, rows: list[dict], g, select=None, title: str | None = None, groups=None) -> None:
    """Which constraint binds at each mass (dots), or makes the row infeasible (crosses), at coupling g (or for the
    rows ``select`` accepts). ``groups``: ``(key, colour, offset)`` per curve, ``key`` a row's cancellation floor:
    each curve's marks in its colour, shifted by ``offset`` within the constraint's line."""
    marks = []  # (mass, name, infeasible, group key)
    for r in rows:
        if not r["experiment_applies"] or not (select(r) if select else r["gD"] == g):
            continue
        if r["feasible"]:
            names = [n for b in r["binding"] for n in _constraint_names(b)]
        else:
            names = _constraint_names(r["reason"]) or ["(no start feasible)"]
        marks += [(r["m_Ap_GeV"], n, not r["feasible"], r.get("cancellation_floor")) for n in names]
    order = list(dict.fromkeys(n for _, n, _, _ in sorted(marks, key=lambda t: t[1])))
    for key, colour, dy in groups or [(None, None, 0.0)]:
        for infeasible, style in (
            (False, dict(marker="o", color=colour or "tab:blue")),
            (True, dict(marker="x", color=colour or "tab:red")),
        ):
            sel = [
                (m, order.index(n) + dy) for m, n, bad, k in marks if bad == infeasible and (groups is None or k == key)
            ]
            if sel:
                ax.scatter([m for m, _ in sel], [k for _, k in sel], s=10, lw=1, **style)
    ax.set_yticks(range(len(order)), order, fontsize=7)
    ax.set_ylim(-0.7, max(len(order), 1) - 0.3)
    ax.set_xscale("log")
    ax.set_xlabel("dark photon mass $m_{A'}$ [GeV]")
    ax.set_title(
        title
        or f"$g_D$ = {g:g}: constraints binding at the optimum (dots) or violated where no point is feasible (crosses)",
        fontsize=8,
    )
    ax.grid(True, axis="x", which="major", alpha=0.3)


def _floor_label(f) -> str:
    """A curve's name by its cancellation floor (None: a profile without floors)."""
    if f is None:
        return ""
    return "no cancellation ($c$ = 1)" if f >= 1.0 else f"$c \\geq$ {f:g}"


def _floor_groups(rows: list[dict]) -> list:
    """``(floor, colour, offset)`` of each curve of a profile, the least tuned first (dark) to the most (light)."""
    floors = sorted({r.get("cancellation_floor") for r in rows}, key=lambda f: -(f if f is not None else 2.0))
    shades = ["#08306b", "#2171b5", "#4eb3d3", "#7bccc4", "#a8ddb5", "#ccebc5"]
    colours = [shades[i % len(shades)] for i in range(len(floors))]
    offsets = np.linspace(-0.25, 0.25, len(floors)) if len(floors) > 1 else [0.0]
    return list(zip(floors, colours, offsets))


def _profile_curves(ax, rows: list[dict], groups, m_all, config) -> list:
    """The profile's curve for each floor (a gap where nothing is feasible), unconverged points circled; returns
    the values drawn."""
    ys = []
    for f, colour, _ in groups:
        ok = [r for r in rows if r.get("cancellation_floor") == f and r["feasible"] and r["mu_eff_max_muB"] is not None]
        if not ok:
            if f is not None:
                ax.plot([], [], "o-", color=colour, lw=2, ms=3, label=f"{_floor_label(f)}: no feasible point")
            continue
        # every mass of the grid, NaN where nothing is feasible: the line breaks there instead of implying values
        found = {r["m_Ap_GeV"]: r["mu_eff_max_muB"] for r in ok}
        mu = np.array([found.get(m, np.nan) for m in m_all])
        name = f"global profile ({config.name or 'custom'})" + (f", {_floor_label(f)}" if f is not None else "")
        ax.loglog(m_all, mu, "o-", color=colour, lw=2, ms=3, label=name)
        ys.append(mu[np.isfinite(mu)])
    loose = [r for r in rows if r["feasible"] and r["mu_eff_max_muB"] is not None and r.get("converged") is False]
    if loose:  # runs disagree, or the KKT residual is large
        ax.scatter(
            [r["m_Ap_GeV"] for r in loose],
            [r["mu_eff_max_muB"] for r in loose],
            s=60,
            facecolors="none",
            edgecolors="tab:orange",
            lw=1.5,
            zorder=4,
            label="not converged (runs disagree by > 1% or KKT > 1e-3): a lower bound",
        )
    return ys


def fig7_profile(result: dict, config) -> Figure:
    """Fig. 7 of a global scan: the profile of the largest allowed mu_eff over every other parameter, one curve per
    cancellation floor, against the seed paper's curve and the benchmark-mass curve (``result["reference"]``, when
    present) and the Borexino recast; below, which constraint binds where (per curve), and how far the neutrino
    mass cancels at each optimum."""
    rows = [r for r in result["rows"] if r["experiment_applies"]]
    fig = Figure(figsize=(7.4, 9.0), layout="constrained")
    ax, strip, canc = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [4, 1.6, 1.1]})
    ok = [r for r in rows if r["feasible"] and r["mu_eff_max_muB"] is not None]
    m_all = np.array(sorted({r["m_Ap_GeV"] for r in rows}))
    groups = _floor_groups(rows)
    ys = _profile_curves(ax, rows, groups, m_all, config)
    for name, style in (("paper", dict(color="tab:red", ls="--")), ("benchmark", dict(color="tab:green", ls="-."))):
        ref = (result.get("reference") or {}).get(name)
        if ref and ref["mu_eff_muB"]:
            ax.loglog(ref["m_Ap_GeV"], ref["mu_eff_muB"], lw=1.8, label=ref["label"], **style)
            ys.append(np.asarray(ref["mu_eff_muB"]))
        elif ref:
            ax.plot([], [], lw=1.8, label=ref["label"] + ": no feasible point", **style)
    bx = sorted({(r["m_Ap_GeV"], r["borexino_limit_muB"]) for r in rows})
    mb, lb = np.array([b[0] for b in bx]), np.array([b[1] for b in bx])
    ax.loglog(mb, lb, color="tab:purple", lw=1.5, label="Borexino recast (Eq. 3.10), 90% CL")
    allv = np.concatenate(ys + [lb])
    lo, hi = allv[allv > 0].min() / 5, allv.max() * 20
    for f, colour, _ in groups:
        bad = [r["m_Ap_GeV"] for r in rows if not r["feasible"] and r.get("cancellation_floor") == f]
        if bad:
            ax.scatter(
                bad,
                np.full(len(bad), lo * 1.6),
                marker="x",
                color="tab:red" if f is None else colour,
                s=20,
                zorder=3,
                label="no feasible point found"
                + (f" ({_floor_label(f)})" if f is not None else "")
                + " (reason in scan.csv)",
            )
    ax.set_xlim(m_all[0], m_all[-1])
    ax.set_ylim(lo, hi)
    _mu_ylabel(ax, config)
    ax.set_title(
        f"Fig. 7, global: every other parameter profiled (convention = {config.convention}; constraints: "
        f"{len(config.likelihoods)})",
        fontsize=9,
    )
    ax.grid(True, which="major", alpha=0.3)
    fig.legend(loc="outside lower center", ncols=1, fontsize=7.5, frameon=False)
    _binding_strip(
        strip,
        rows,
        None,
        select=lambda r: True,
        title="constraints binding at the optimum (dots) or violated where nothing is feasible (crosses)"
        + (", one colour per curve" if len(groups) > 1 else ""),
        groups=groups if len(groups) > 1 else None,
    )
    strip.set_xlabel("")
    c = np.array([r["nu_mass_cancellation"] for r in ok]) if ok else np.array([])
    for f, colour, _ in groups:
        sel = [r for r in ok if r.get("cancellation_floor") == f]
        if sel:
            canc.loglog(
                [r["m_Ap_GeV"] for r in sel],
                [max(r["nu_mass_cancellation"], 1e-16) for r in sel],
                "o",
                color="tab:orange" if f is None else colour,
                ms=3,
            )
        if f is not None and f < 1.0:
            canc.axhline(f, color=colour, lw=0.8, ls=":")
    canc.set_ylim(max(min(c.min() if len(c) else 1.0, 1.0) / 3, 1e-16), 1.5)
    canc.set_ylabel("mass\ncancellation", fontsize=8)
    canc.set_title(
        "$\\sqrt{|X| / X_{abs}}$ at the optimum (1: none; dotted: the floors; docs/derivation.md section 12)",
        fontsize=8,
    )
    canc.set_xlabel("dark photon mass $m_{A'}$ [GeV]")
    canc.grid(True, which="major", alpha=0.3)
    return fig


def _ranks(x):
    """Ranks of all draws pooled over chains, shaped like x (chain, draw)."""
    flat = x.ravel()
    r = np.empty_like(flat, dtype=float)
    r[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    return r.reshape(x.shape)


def _bins(x, log: bool):
    """30 histogram bins, logarithmic for a variable on a log axis."""
    return np.geomspace(x.min(), x.max(), 31) if log and x.max() > x.min() else 30


def axis_label(name: str) -> str:
    """A variable's axis label: a derived quantity's label and unit from the registry (``mu_eff [mu_B]``), else the
    variable's name."""
    from jaxtmm.quantities import QUANTITIES

    for q in QUANTITIES.values():
        if name == q.column:
            return f"{q.label} [{q.unit}]" if q.unit else q.label
    return name


def trace_plot(draws: dict, log=frozenset()) -> Figure:
    """Per parameter: the draws of every chain against iteration, and their marginal histograms; the
    variables in ``log`` on log axes."""
    names = list(draws)
    fig = Figure(figsize=(9, 1.6 * len(names)), layout="constrained")
    axes = fig.subplots(len(names), 2, squeeze=False, gridspec_kw={"width_ratios": [3, 1]})
    for k, n in enumerate(names):
        x = np.asarray(draws[n])
        is_log = n in log and np.all(x > 0)
        bins = _bins(x, is_log)
        for c in range(x.shape[0]):
            axes[k, 0].plot(x[c], lw=0.5, alpha=0.8)
            axes[k, 1].hist(x[c], bins=bins, histtype="step", density=not is_log)
        if is_log:
            axes[k, 0].set_yscale("log")
            axes[k, 1].set_xscale("log")
        axes[k, 0].set_ylabel(axis_label(n), fontsize=8)
        axes[k, 1].set_yticks([])
        axes[k, 1].tick_params(labelsize=7)
    axes[-1, 0].set_xlabel("draw")
    fig.suptitle("trace: every chain (colour) per parameter")
    return fig


def rank_plot(draws: dict) -> Figure:
    """Rank histograms per chain (uniform when the chains mix: Vehtari et al. 2021)."""
    names = list(draws)
    ncol = 4
    nrow = -(-len(names) // ncol)
    fig = Figure(figsize=(3 * ncol, 2.2 * nrow), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
    for ax, n in zip(axes, names):
        r = _ranks(draws[n])
        bins = np.linspace(0, r.size, 21)
        for c in range(r.shape[0]):
            ax.hist(r[c], bins=bins, histtype="step")
        ax.axhline(r.shape[1] / 20, color="k", ls=":", lw=1)
        ax.set_title(n, fontsize=8)
        ax.set_yticks([])
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    fig.suptitle("rank plots: each chain's ranks among all draws (dotted: uniform)")
    return fig


def pair_plot(draws: dict, diverging=None, max_points: int = 2000, log=frozenset()) -> Figure:
    """Scatter matrix of the chosen variables (divergent transitions in red), those in ``log`` on log axes."""
    names = list(draws)
    k = len(names)
    size = min(1.9 * k + 1, 16)
    fig = Figure(figsize=(size, size), layout="constrained")
    axes = fig.subplots(k, k, squeeze=False, sharex="col")
    for i in range(2, k):  # a row's scatter panels share the row variable's axis
        for j in range(1, i):
            axes[i, j].sharey(axes[i, 0])
    flat = {n: np.asarray(draws[n]).ravel() for n in names}
    is_log = {n: n in log and np.all(flat[n] > 0) for n in names}
    idx = np.linspace(0, len(flat[names[0]]) - 1, min(max_points, len(flat[names[0]]))).astype(int)
    div = diverging.ravel()[idx] if diverging is not None else np.zeros(len(idx), bool)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(flat[a], bins=_bins(flat[a], is_log[a]), color="tab:blue")
                ax.set_yticks([])
                if is_log[a]:
                    ax.set_xscale("log")
            elif i > j:
                ax.plot(flat[b][idx], flat[a][idx], ".", ms=1.5, alpha=0.4, color="tab:blue")
                if div.any():
                    ax.plot(flat[b][idx][div], flat[a][idx][div], ".", ms=3, color="tab:red")
                if is_log[b]:
                    ax.set_xscale("log")
                if is_log[a]:
                    ax.set_yscale("log")
            else:
                ax.set_visible(False)
            ax.tick_params(labelsize=6)
            if j == 0 and i > 0:
                ax.set_ylabel(axis_label(a), fontsize=8)
            if i == k - 1:
                ax.set_xlabel(axis_label(b), fontsize=8)
                ax.tick_params(axis="x", labelrotation=45)
            else:
                ax.tick_params(labelbottom=False)
            if j > 0 and i != j:
                ax.tick_params(labelleft=False)
    fig.suptitle("pair plot (red: divergent transitions)")
    return fig


_KIND_COLOURS = {"prompt": "tab:blue", "beam_dump": "tab:orange", "invisible": "tab:green", "g-2": "tab:gray"}
_KIND_LABELS = {
    "prompt": "prompt (visible)",
    "beam_dump": "beam dump (visible, displaced)",
    "invisible": "invisible (x the point's BR)",
    "g-2": "g-2",
}


def nested_plot(runs: list[dict]) -> Figure:
    """Each nested-sampling run (:mod:`fits.sample.dynesty_runs`) against the prior volume it enclosed, ``-ln X``: the likelihood
    it climbed, and the importance weight of each point (the posterior's mass, which a finished run has passed)."""
    fig = Figure(figsize=(10, 3.8))
    ax_l, ax_w = fig.subplots(1, 2)
    for k, r in enumerate(runs):
        x = -np.asarray(r["logvol"])
        ax_l.plot(x, r["logl"], lw=1, label=f"run {k + 1}")
        ax_w.plot(x, np.exp(r["logwt"] - np.max(r["logwt"])), lw=1)
    ax_l.set(xlabel="-ln X (prior volume enclosed)", ylabel="ln L", title="likelihood climbed")
    top = max(np.max(r["logl"]) for r in runs)
    ax_l.set_ylim(top - 60, top + 5)
    ax_w.set(xlabel="-ln X", ylabel="importance weight / max", title="where the posterior mass lies")
    ax_l.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _sn1987a(ax) -> None:
    """The SN1987A cooling band (:mod:`likelihoods.sn1987a`), hatched, on its own grid of the curve's masses."""
    from likelihoods.sn1987a import band, edges

    m_lo, _, m_hi, _ = edges()
    ms = np.geomspace(max(m_hi[0], m_lo[0]), m_lo[-1], 200)
    lo, hi = (np.asarray(x) for x in band(ms))
    ax.fill_between(
        ms, lo, hi, facecolor="none", edgecolor="tab:purple", hatch="////", lw=0.8, label="SN1987A (Chang et al. 2017)"
    )


def searches_plane(point, convention: str = "corrected", m_range=(1e-3, 10.0), n_masses=300, title: str = "") -> Figure:
    """The excluded (m_A', eps) plane of every dark-photon search, recast by DarkCast's method
    (:func:`likelihoods.darkphoton.recast`): left, a standard dark photon (Standard Model decays only: the published
    curves); right, the dark photon of ``point`` (its masses, g_D and couplings), whose dark decays
    (:func:`jaxtmm.darkphoton.dark_width`) dilute the visible signals and open the invisible searches."""
    import jax
    import jax.numpy as jnp

    from jaxtmm.darkphoton import dark_width
    from likelihoods import darkphoton as D

    m = np.geomspace(m_range[0], m_range[1], n_masses)
    widths = np.asarray(jax.jit(jax.vmap(lambda mm: dark_width(point._replace(m_Ap=mm), convention)))(jnp.asarray(m)))
    fig = Figure(figsize=(12.0, 5.6), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    names = [n for n in D.names() if D.load(n).kind != "g-2"]
    for ax, dark in zip(axes, (False, True)):
        seen = set()
        for name in names:
            lim = D.load(name)
            if dark:
                edges = [D.recast(name, mm, invisible_width=float(w)) for mm, w in zip(m, widths)]
            elif lim.kind == "invisible":
                continue  # a standard dark photon never decays invisibly
            else:
                edges = np.transpose(D.recast(name, m))  # no dark width: one call for every mass
            lo = np.array([e[0] for e in edges])
            hi = np.array([min(e[1], 1.0) for e in edges])
            if not np.isfinite(lo).any():
                continue
            c = _KIND_COLOURS[lim.kind]
            label = None if lim.kind in seen else _KIND_LABELS[lim.kind]
            seen.add(lim.kind)
            ax.fill_between(
                m,
                np.where(np.isfinite(lo), lo, np.nan),
                np.where(np.isfinite(lo), hi, np.nan),
                color=c,
                alpha=0.25,
                lw=0,
                label=label,
            )
            ax.loglog(m, lo, color=c, lw=0.6)
            ax.loglog(m, np.where(hi < 1.0, hi, np.nan), color=c, lw=0.6)
        _sn1987a(ax)
        ax.set_xlim(m[0], m[-1])
        ax.set_ylim(1e-11, 1e-1)
        ax.set_xlabel("dark photon mass $m_{A'}$ [GeV]")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="lower right", fontsize=7.5)
    thr = float(point.M1 + point.M2)
    axes[1].axvline(thr, color="k", ls="--", lw=1)
    axes[1].text(thr / 1.05, 2e-11, "$M_1 + M_2$", fontsize=8, ha="right")
    axes[0].set_ylabel(r"kinetic mixing $\epsilon$ (excluded at 90% CL: shaded; SN1987A: luminosity criterion)")
    axes[0].set_title("standard dark photon (Standard Model decays only): the published limits", fontsize=9)
    axes[1].set_title(
        f"with the point's dark decays ($g_D$ = {float(point.g_D):g}, $M_{{1,2}}$ = {float(point.M1):g}, "
        f"{float(point.M2):g} GeV; convention {convention})",
        fontsize=9,
    )
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
