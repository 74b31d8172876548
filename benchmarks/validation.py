"""The numbers of docs/validation.md from scan outputs: `python benchmarks/validation.py DIR [DIR ...]`, each DIR
written by `jaxtmm scan` (for example `jaxtmm scan --preset paper --convention paper --out DIR`).
`python benchmarks/validation.py --convergence DIR` compares every row of a `paper`-preset scan with the closed-form
optimum (fits/jobs/reference.py). `python benchmarks/validation.py --nu-cap DIR` prints the cap the neutrino-mass bound puts on the moment at the
paper's benchmark masses (docs/derivation.md section 5) and the loop masses at DIR's optimum (g_D = 0.5).
`python benchmarks/validation.py --profile DIR` lists the feasible rows of a `jaxtmm scan --preset global` profile
with the moment/mass identity at each optimum (docs/derivation.md section 5).
`python benchmarks/validation.py --reference N DIR [DIR ...]` compares `jaxtmm fit` posteriors of a configuration whose
posterior holds much of its prior (the `posterior` preset) with the exact one by importance sampling of N prior draws.
`python benchmarks/validation.py --samplers DIR_A DIR_B` compares two `jaxtmm fit` posteriors of one configuration
(NUTS and nested sampling, say) marginal by marginal."""

import json
import sys
from pathlib import Path

import numpy as np


def summary(d: Path) -> str:
    data = json.loads((d / "scan.json").read_text())
    rows, opts = data["rows"], data["provenance"]["configuration"]["effective_options"]
    head = f"{d.name}: convention {opts['convention']}, constraints {', '.join(opts['likelihoods'])}"
    out = [head]
    for e in ("NA64", "BaBar"):
        sel = [r for r in rows if r["gD"] == 0.5 and r["experiment"] == e and r["experiment_applies"]]
        feas = [r for r in sel if r["feasible"]]
        if not feas:
            reasons = sorted({r["reason"].split(" (r = ")[0] for r in sel})
            out.append(f"  {e}: 0/{len(sel)} feasible; {'; '.join(reasons)}")
            continue
        m = np.array([r["m_Ap_GeV"] for r in feas])
        mu = np.array([r["mu_eff_max_muB"] for r in feas]) / 0.5
        at = {t: float(np.interp(np.log(t), np.log(m), np.log(mu))) for t in (0.01, 0.1)}
        ratio = min(r["borexino_limit_muB"] / r["mu_eff_max_muB"] for r in feas)
        below = [r["m_Ap_GeV"] for r in feas if r["borexino_limit_muB"] < r["mu_eff_max_muB"]]
        k = int(np.argmin(abs(np.log(m / 0.01))))
        out.append(
            f"  {e}, g_D = 0.5: {len(feas)}/{len(sel)} feasible; mu_eff^max/g_D at 10 MeV {np.exp(at[0.01]):.3g}, "
            f"100 MeV {np.exp(at[0.1]):.3g} mu_B; min Borexino/mu_eff {ratio:.3g}"
            + (f" (exceeded below {max(below) * 1e3:.2g} MeV)" if below else "")
            + f"; binds near 10 MeV: {', '.join(feas[k]['binding'])}; BR there {feas[k]['BR_mu_e_gamma']:.2g}"
        )
    for g in sorted({r["gD"] for r in rows}, reverse=True)[1:]:
        sel = [r for r in rows if r["gD"] == g and r["experiment"] == "NA64" and r["feasible"] and r["mu_eff_max_muB"]]
        if sel:
            out.append(
                f"  NA64, g_D = {g:g}: min Borexino/mu_eff {min(r['borexino_limit_muB'] / r['mu_eff_max_muB'] for r in sel):.3g}"
            )
    out.append(f"  wall time {data['provenance']['wall_time_s']:.1f} s")
    return "\n".join(out)


def nu_cap(d: Path) -> str:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    import jaxtmm
    from jaxtmm.numass import mass_log

    p = jaxtmm.load_preset("paper")  # m_Hk = m_Ak: the ratio's supremum over the angles is g_D |sum M dJ| / |sum M dF|
    Ms = (float(p.M1), float(p.M2))
    dF = sum(M * (float(mass_log(M, p.m_H1)) - float(mass_log(M, p.m_H2))) for M in Ms)
    ratio = 0.5 * abs(float(jaxtmm.loop_sum(p))) / abs(dF)
    out = [f"g_D |sum M dJ| / |sum M dF| at g_D = 0.5: {ratio:.3g} GeV^-2"]
    for bound in (0.12, 0.0642):
        out.append(
            f"  sum m_nu < {bound} eV caps |mu_ij| at {float(jaxtmm.to_mu_B(ratio * bound / 2 * 1e-9)):.3g} mu_B"
        )
    rows = json.loads((d / "scan.json").read_text())["rows"]
    best = max((r for r in rows if r["gD"] == 0.5 and r["feasible"] and r["mu_max_muB"]), key=lambda r: r["mu_max_muB"])
    y = jnp.array([[complex(*v) for v in row] for row in best["y"]])
    q = p._replace(y=y, theta_R=best["theta_R"], theta_I=best["theta_I"], g_D=0.5, m_Ap=best["m_Ap_GeV"])
    out.append(
        f"  optimum of {d.name}: mu_max {best['mu_max_muB']:.3g} mu_B at {best['m_Ap_GeV'] * 1e3:.2g} MeV "
        f"({best['experiment']}), sum m_nu there {float(jaxtmm.sum_m_nu(q)) * 1e9:.3g} eV"
    )
    return "\n".join(out)


def convergence(d: Path) -> str:
    import jax

    jax.config.update("jax_enable_x64", True)
    from fits.jobs.reference import paper_mu12_max
    from fits.problem.config import preset_config
    from likelihoods._data import LimitCurve

    data = json.loads((d / "scan.json").read_text())
    cfg = preset_config("paper").replace_options(
        convention=data["provenance"]["configuration"]["effective_options"]["convention"]
    )
    curves = {"NA64": LimitCurve.load("na64_invisible_2023.csv"), "BaBar": LimitCurve.load("babar_invisible_2017.csv")}
    rows = [r for r in data["rows"] if r["experiment_applies"] and r["feasible"]]
    ratio = np.array(
        [
            r["mu_eff_max_muB"] / paper_mu12_max(cfg, float(curves[r["experiment"]].eps_90(r["m_Ap_GeV"])), r["gD"])
            for r in rows
        ]
    )
    return (
        f"{d.name} ({cfg.convention}): {int((ratio < 1 - 1e-6).sum())} of {len(rows)} rows short of the closed form by "
        f"more than 1e-6; ratio in [{ratio.min():.6g}, {ratio.max():.10g}]; max KKT residual "
        f"{max(r['kkt_residual'] for r in rows):.3g}"
    )


def _runs_text(r: dict) -> str:
    """A row's runs: how many agree, the spread, converged or a lower bound."""
    if r.get("converged") is None:
        return "one run (convergence not judged)"
    spread = "-" if r["run_spread"] is None else f"{r['run_spread']:.2g}"
    verdict = "converged" if r["converged"] else "NOT converged (a lower bound)"
    return f"{r['runs_agreeing']} of {r['runs']} runs within 1% (spread {spread}), {verdict}"


def profile(d: Path) -> str:
    """Each feasible row: mu_eff, what binds, the KKT residual, the neutrino-mass cancellation and sum m_nu, and the
    identity ``|mu_ab| / sqrt(m_a m_b) = ||A||_F / sqrt(2 s1 s2)`` (the moment amplitude against the singular values
    of the loop mass matrix) against ``jaxtmm.moment_mass_ratio`` (the formula)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    import jaxtmm
    from jaxtmm.model import Point

    data = json.loads((d / "scan.json").read_text())
    keys = ("m_H1", "m_A1", "m_H2", "m_A2", "M1", "M2", "M_E", "eta1", "eta2")
    judged = [r for r in data["rows"] if r.get("converged") is not None]
    out = [
        f"{d.name}: {sum(r['feasible'] for r in data['rows'])} of {len(data['rows'])} rows feasible, "
        f"{data['provenance']['wall_time_s']:.0f} s; {data['provenance'].get('runs', 1)} run(s): "
        + (
            f"{sum(r['converged'] for r in judged)} of {len(judged)} rows converged (two runs within 1%, KKT <= 1e-3)"
            if judged
            else "convergence not judged (one run)"
        )
    ]
    from fits.jobs.scan import unexplained_jumps

    jumps = unexplained_jumps(data["rows"])
    out.append(
        f"  jumps above 100x between neighbouring masses with the same binding constraints: {len(jumps)}"
        + "".join(f"; {a * 1e3:.3g} -> {b * 1e3:.3g} MeV x{q:.3g} (floor {f})" for a, b, q, f in jumps)
    )
    for r in data["rows"]:
        if not r["feasible"]:
            continue
        y = jnp.asarray(np.array([[complex(*v) for v in row] for row in r["y"]]))
        p = Point(
            y=y,
            theta_R=r["theta_R"],
            theta_I=r["theta_I"],
            m_Ap=r["m_Ap_GeV"],
            g_D=r["gD"],
            eps=r["eps_max"],
            Q_S=1.0,
            **{k: r[k] for k in keys if k in r},
        )
        s = np.linalg.svd(np.asarray(jaxtmm.m_nu_loop(p)[1]), compute_uv=False)
        svd = float(np.linalg.norm(np.asarray(jaxtmm.moment_amplitude(p))) / np.sqrt(2 * s[0] * s[1]))
        # conditioning: the largest relative change of mu_eff and sum m_nu over 8 copies of the point with every
        # parameter moved by a relative 1e-13 (roundoff-sized): small where the numbers are not roundoff
        rng = np.random.default_rng(0)
        mu0, m0 = _mu_sum(p, keys, rng, 0.0)
        moved = [_mu_sum(p, keys, rng, 1e-13) for _ in range(8)]
        dmu = max(abs(a / mu0 - 1) for a, _ in moved)
        dm = max(abs(b / m0 - 1) for _, b in moved)
        floor = r.get("cancellation_floor")
        out.append(
            f"  {r['m_Ap_GeV'] * 1e3:.3g} MeV{'' if floor is None else f', c >= {floor:g}'}: "
            f"mu_eff {r['mu_eff_max_muB']:.3g} mu_B, binding {'; '.join(r['binding'])}; "
            f"KKT {r['kkt_residual']:.3g}; {_runs_text(r)}; cancellation {r['nu_mass_cancellation']:.2g}, sum m_nu {r['sum_m_nu_eV']:.3g} eV; "
            f"g_D {r['gD']:.4g}, M_E {r['M_E']:.4g} GeV; loop masses s2/s1 = {s[1] / s[0]:.2g}; identity "
            f"|SVD / formula - 1| = {abs(svd / float(jaxtmm.moment_mass_ratio(p)) - 1):.2g}; moved by 1e-13: "
            f"mu_eff {dmu:.1g}, sum m_nu {dm:.1g}"
        )
    return "\n".join(out)


def _mu_sum(p, keys, rng, rel):
    """mu_eff_12 (mu_B, the row's moment) and sum m_nu (GeV) at the point ``p`` with its real parameters and couplings
    each multiplied by ``1 + rel N(0, 1)``."""
    import jax.numpy as jnp

    import jaxtmm

    f = lambda: 1 + rel * rng.standard_normal()
    y = np.asarray(p.y) * (1 + rel * rng.standard_normal(np.shape(p.y)))
    q = p._replace(
        y=jnp.asarray(y),
        theta_R=p.theta_R * f(),
        theta_I=p.theta_I * f(),
        g_D=p.g_D * f(),
        eps=p.eps * f(),
        **{k: getattr(p, k) * f() for k in keys if not k.startswith("eta")},
    )
    return float(jaxtmm.to_mu_B(jaxtmm.mu_eff(q, "12"))), float(jaxtmm.sum_m_nu(q))


def _ks(a, b, wb=None) -> float:
    """The two-sample Kolmogorov-Smirnov distance between draws ``a`` and draws ``b``, the latter with weights ``wb``
    (default equal): the largest gap between the two step CDFs, both evaluated at every draw."""
    a = np.sort(np.ravel(a))
    b = np.ravel(b)
    order = np.argsort(b)
    b = b[order]
    cb = np.cumsum(np.ones(b.size) if wb is None else np.ravel(wb)[order])
    cb = np.concatenate([[0.0], cb / cb[-1]])
    grid = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, grid, "right") / a.size - cb[np.searchsorted(b, grid, "right")])))


def reference(n: int, dirs: list[Path]) -> str:
    """The posterior by importance sampling: N independent prior draws weighted by the likelihood (exact up to
    Monte-Carlo error; its ESS is ``(sum w)^2 / sum w^2``), against each fit's draws: ln Z, and for each scalar
    site the Kolmogorov-Smirnov distance between the fit's draws and the weighted reference, with the 5% and 50%
    quantiles of both. The configuration is the first fit's (its fit.json)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fits import _arviz
    from fits.problem.config import parse_config
    from fits.sample.posterior import log_likelihood_z, site_function
    from jaxtmm.batch import map_batch

    rec = json.loads((dirs[0] / "fit.json").read_text())
    cfg = parse_config(rec["configuration"]["file"])
    f, space = log_likelihood_z(cfg)
    fn, sp, _ = site_function(cfg)
    z = space.sample_prior_z(jax.random.PRNGKey(2026), n)
    ref = {
        k: np.asarray(v)
        for k, v in map_batch(lambda zz: {"lnL": f(zz), **fn(sp.u_from_z(zz))}, z, batch_size=8192).items()
    }
    from scipy.special import logsumexp

    w = np.exp(ref["lnL"] - ref["lnL"].max())
    w /= w.sum()
    lnZ = float(logsumexp(ref["lnL"]) - np.log(n))  # the mean of L, without underflow
    out = [f"reference: {n} prior draws, ln Z = {lnZ:.4f}, importance ESS {1 / np.sum(w**2):.0f}"]
    for d in dirs:
        fit = json.loads((d / "fit.json").read_text())
        post = _arviz.group(_arviz.from_netcdf(d / "posterior.nc"), "posterior")
        ev = fit.get("log_evidence")
        out.append(
            f"{d.name} ({fit['sampler']})" + (f": ln Z = {ev['mean']:.4f} +- {ev['standard_error']:.4f}" if ev else "")
        )
        for name in post.data_vars:
            if name not in ref or ref[name].ndim != 1 or post[name].ndim != 2:
                continue
            x = np.sort(np.asarray(post[name], float).ravel())
            o = np.argsort(ref[name])
            c = np.cumsum(w[o])
            D = _ks(x, ref[name], w)
            q = [
                f"{np.quantile(x, p):.3g} ({ref[name][o][min(np.searchsorted(c, p), c.size - 1)]:.3g})"
                for p in (0.05, 0.5)
            ]
            out.append(f"  {name:16s} D {D:.4f}  5%: {q[0]}  50%: {q[1]}  (reference in parentheses)")
    return "\n".join(out)


def samplers(a: Path, b: Path) -> str:
    """Each scalar site the two posteriors share: the two-sample Kolmogorov-Smirnov distance D between their draws,
        against its 1% critical value with each side's sample size replaced by its smallest ESS (bulk, tail, and for nested
    sampling between runs, from summary.csv),
        ``1.63 sqrt(1/n_A + 1/n_B)``, and the medians with their 90% intervals. ``D / D_1%`` above 1 on many sites means
        the samplers disagree; on one of twenty, chance (the sites are correlated, so not independent trials)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import pandas as pd

    from fits import _arviz

    post = [_arviz.group(_arviz.from_netcdf(d / "posterior.nc"), "posterior") for d in (a, b)]
    tables = [pd.read_csv(d / "summary.csv", index_col=0) for d in (a, b)]
    ess = [t[[c for c in ("ess_bulk", "ess_tail", "ess_runs") if c in t]].min(axis=1) for t in tables]
    out = [
        f"{a.name} against {b.name}: KS distance D, D over its 1% critical value with ESS as sample size; medians [5%, 95%]"
    ]
    worst = 0.0
    for name in post[0].data_vars:
        if name not in post[1].data_vars or post[0][name].ndim != 2 or not all(name in e.index for e in ess):
            continue
        x = [np.asarray(p[name], float) for p in post]
        if any(np.ptp(v) == 0 for v in x):
            continue
        n = [float(e[name]) for e in ess]
        fa, fb = (np.sort(v.ravel()) for v in x)
        D = _ks(fa, fb)
        r = D / (1.63 * np.sqrt(1 / n[0] + 1 / n[1]))
        worst = max(worst, r)
        q = [np.quantile(v, [0.05, 0.5, 0.95]) for v in (fa, fb)]
        out.append(
            f"  {name:16s} D {D:.4f}  D/D_1% {r:5.2f}  ESS {n[0]:7.0f} {n[1]:7.0f}  "
            + "  ".join(f"{m:.4g} [{lo:.3g}, {hi:.3g}]" for lo, m, hi in q)
        )
    out.append(f"  largest D/D_1%: {worst:.2f}")
    return "\n".join(out)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--nu-cap"]:
        print(nu_cap(Path(sys.argv[2])))
    elif sys.argv[1:2] == ["--profile"]:
        for arg in sys.argv[2:]:
            print(profile(Path(arg)))
    elif sys.argv[1:2] == ["--reference"]:
        print(reference(int(sys.argv[2]), [Path(a) for a in sys.argv[3:]]))
    elif sys.argv[1:2] == ["--samplers"]:
        print(samplers(Path(sys.argv[2]), Path(sys.argv[3])))
    elif sys.argv[1:2] == ["--convergence"]:
        for arg in sys.argv[2:]:
            print(convergence(Path(arg)))
    else:
        for arg in sys.argv[1:]:
            print(summary(Path(arg)))
