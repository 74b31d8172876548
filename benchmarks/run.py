"""One table of jaxtmm's throughput, each figure measured in the same run as its baseline.

    python benchmarks/run.py [--quick] [--markdown] [--only GROUP,GROUP]

Rows:
* J_z evaluations/s and full mu_ij points/s: jaxtmm (jit, batched) vs a plain NumPy implementation of the
  same quadrature (vectorised over the batch) vs scipy dblquad at its default tolerance;
* log-density + gradient evaluations/s of the `posterior` configuration: one vmapped jitted call on a
  batch vs a Python loop of jitted single-point calls;
* the complete set's 27 dark-photon searches (`A' searches`): ln L + gradient in (m_A', eps, g_D) for 1e5 points,
  jaxtmm (jit, vmap, chunks) vs the same formulas in NumPy with central differences;
* NUTS on the `posterior` configuration (4 chains x 500 + 500): smallest ESS_bulk per second of wall time;
* the same posterior by NUTS, emcee (for NUTS's wall time) and dynesty: ESS per second, side by side;
* `jaxtmm fit --quiet` against `jaxtmm fit` (progress bar), each a fresh process, 20 checkpoints: wall time
  and peak memory (numpyro's MCMC without a progress bar used to compile once per chunk);
* `jaxtmm scan` (paper preset, 100 masses x 3 g_D x 2 experiments): wall time with compilation, and the
  steady state (the same maximiser run again);
* log density + gradient of the `global` preset (masses free, the loops live) against the `posterior` preset's;
* a 1-D profile likelihood against iminuit's MIGRAD on the same -2 ln L: wall times, largest difference;
* `jaxtmm scan --preset global` (12 masses x 4 CP parities): wall time;
* the global posterior (`--only global_samplers`): NUTS, emcee and dynesty as above, and `jaxtmm fit --sampler nested`
  (4 runs x 500 live points, judged like chains: min ESS_bulk/s, R-hat);
* mu_ij points/s with 1, 2 and 4 (forced host) devices, each in a fresh process;
* `--only relic`: Omega h^2 solves/s of jaxtmm.relic against SciPy Radau on the same equation, and the A' nu nu form
  factor W(0) against scipy dblquad.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from scipy import integrate

jax.config.update("jax_enable_x64", True)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jaxtmm import load_preset, mu_ij, pmns_matrix  # noqa: E402
from jaxtmm.batch import evaluate_batch, replicate  # noqa: E402
from jaxtmm.loops import J_z  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of  # noqa: E402

# ----------------------------------------------------------------------------- plain NumPy baseline
_X, _W = np.polynomial.legendre.leggauss(32)
_XI, _WT = 0.5 * (_X + 1), 0.5 * _W


def np_hz(w):
    r = np.exp(w)
    c = -np.expm1(w)
    small = np.abs(c) < 0.15
    cs = np.where(small, 0.5, c)
    closed = (cs * (1 + r) + 2 * r * w) / (2 * cs**3)
    k = np.arange(20)
    series = np.polyval((1.0 / ((k + 2) * (k + 3)))[::-1], c)
    return np.where(small, series, closed)


def np_J_z(M, m1, m2):
    """The same scheme as jaxtmm.loops.J_z (inner integral closed, 32-node GL in ln m^2), in NumPy."""
    l1, l2 = 2 * np.log(m1), 2 * np.log(m2)
    d, mid = l2 - l1, 0.5 * (l1 + l2)
    lA = mid[..., None] + (_XI - 0.5) * d[..., None]
    w = 2 * np.log(M)[..., None] - lA
    half = 0.5 * d
    with np.errstate(invalid="ignore", divide="ignore"):
        fac = np.where(np.abs(half) < 1e-4, 1 - half**2 / 6, half / np.sinh(half))
    return np.exp(-mid) * fac * (np_hz(w) @ _WT)


def np_mu12(y, U, thR, thI, gD, masses):
    """|A_12| (GeV^-1), the corrected convention's transition moment (``jaxtmm.observables.moment_amplitude``,
    ``docs/derivation.md`` section 4), for a batch of points with both CP parities +1, plain NumPy."""
    mH1, mH2, mA1, mA2, M1, M2 = masses
    lam = np.einsum("ai,nab->nib", np.conj(U[:2]), y)
    L = np.conj(lam)
    omega = L[:, 0, 0] * L[:, 1, 1] - L[:, 0, 1] * L[:, 1, 0]
    tot = 0.0
    for M in (M1, M2):
        tot = tot + M * (np_J_z(M, mH1, mA1) + np_J_z(M, mH2, mA2) - np_J_z(M, mH1, mA2) - np_J_z(M, mH2, mA1))
    return gD / (128 * np.pi**2) * np.abs(np.sin(2 * (thI - thR)) * omega * tot)


def dblquad_Jz(M, m1, m2):
    f = lambda y, x: (1 - x - y) / (x * m2**2 + y * m1**2 + (1 - x - y) * M**2)
    return integrate.dblquad(f, 0, 1, 0, lambda x: 1 - x)[0]


# ----------------------------------------------------------------------------- rows
def loops_rows(n):
    rng = np.random.default_rng(0)
    M, m1, m2 = 10 ** rng.uniform(-3, 2, (3, n))
    f = jax.jit(J_z)
    Mj, m1j, m2j = (jnp.asarray(a) for a in (M, m1, m2))
    f(Mj, m1j, m2j).block_until_ready()
    t_jax = best_of(lambda: f(Mj, m1j, m2j).block_until_ready())
    t_np = best_of(lambda: np_J_z(M, m1, m2))
    k = 12
    t0 = time.perf_counter()
    for i in range(k):
        dblquad_Jz(M[i], m1[i], m2[i])
    t_dq = (time.perf_counter() - t0) / k
    diff = float(np.max(np.abs(np_J_z(M, m1, m2) / np.asarray(f(Mj, m1j, m2j)) - 1)))
    assert diff < 1e-12, diff  # the NumPy baseline computes the same numbers
    return [("J_z evaluations/s", n / t_jax, {"NumPy, same quadrature": n / t_np, "scipy dblquad": 1 / t_dq})], t_dq


def mu_rows(n, t_dq):
    rng = np.random.default_rng(1)
    p = load_preset("paper")
    batch = replicate(p, n)
    y = np.asarray(p.y)[None] * np.exp(1j * rng.uniform(0, 6.3, (n, 2, 2)))
    batch = batch._replace(y=jnp.asarray(y))
    f = jax.jit(jax.vmap(lambda q: mu_ij(q)[0, 1]))
    f(batch).block_until_ready()
    t_jax = best_of(lambda: f(batch).block_until_ready())
    U = np.asarray(pmns_matrix(p.pmns))
    masses = [np.full(n, float(v)) for v in (p.m_H1, p.m_H2, p.m_A1, p.m_A2, p.M1, p.M2)]
    t_np = best_of(lambda: np_mu12(y, U, float(p.theta_R), float(p.theta_I), float(p.g_D), masses))
    diff = float(
        np.max(
            np.abs(np_mu12(y, U, float(p.theta_R), float(p.theta_I), float(p.g_D), masses) - np.asarray(f(batch)))
            / np.max(np.abs(np.asarray(f(batch))))
        )
    )
    assert diff < 1e-12, diff
    return [
        (
            "mu_ij points/s (8 loop integrals each)",
            n / t_jax,
            {"NumPy, same quadrature": n / t_np, "scipy dblquad": 1 / (8 * t_dq)},
        )
    ]


def logdensity_rows(n):
    from numpyro.infer.util import initialize_model

    from fits.problem.config import preset_config
    from fits.sample.posterior import build_model

    model, space, _ = build_model(preset_config("posterior"))
    info = initialize_model(jax.random.PRNGKey(0), model)
    pot = info.potential_fn
    u = jax.random.normal(jax.random.PRNGKey(1), (n, space.dim)) * 0.5
    vg = jax.jit(jax.vmap(jax.value_and_grad(lambda x: pot({"u": x}))))
    vg(u)[0].block_until_ready()
    t_batch = best_of(lambda: vg(u)[0].block_until_ready())
    one = jax.jit(jax.value_and_grad(lambda x: pot({"u": x})))
    one(u[0])[0].block_until_ready()
    k = min(n, 2000)
    t0 = time.perf_counter()
    for i in range(k):
        one(u[i])[0].block_until_ready()
    t_loop = (time.perf_counter() - t0) / k
    return [("log-density + gradient evaluations/s", n / t_batch, {"Python loop of jitted calls": 1 / t_loop})]


def global_logdensity_rows(n):
    """Log density + gradient of the `global` preset (every mass free: the loop integrals live, not folded by XLA),
    as the fit evaluates it (the four CP-parity combinations summed) and with the parities fixed to +1, against
    the `posterior` preset's (masses fixed) in the same run."""
    from dataclasses import replace

    from numpyro.infer.util import initialize_model

    from fits.problem.config import preset_config
    from fits.sample.posterior import build_model

    out, dims = {}, {}
    g = preset_config("global")
    fixed_parities = replace(
        g, fixed={**g.fixed, "eta1": 1.0, "eta2": 1.0}, free={k: v for k, v in g.free.items() if v.kind != "sign"}
    )
    for name, cfg in (("summed", g), ("fixed", fixed_parities), ("posterior", preset_config("posterior"))):
        model, space, _ = build_model(cfg)
        pot = initialize_model(jax.random.PRNGKey(0), model).potential_fn
        u = jax.random.normal(jax.random.PRNGKey(1), (n, space.u_dim)) * 0.5
        vg = jax.jit(jax.vmap(jax.value_and_grad(lambda x: pot({"u": x}))))
        vg(u)[0].block_until_ready()
        out[name], dims[name] = n / best_of(lambda: vg(u)[0].block_until_ready()), space.u_dim
    return [
        (
            f"global (masses free, {dims['summed']} dims, 4 parities summed): log-density + gradient/s",
            out["summed"],
            {
                "parities fixed to +1": out["fixed"],
                f"posterior preset (masses fixed, {dims['posterior']} dims)": out["posterior"],
            },
        )
    ]


def profile_rows(quick):
    """A 1-D profile likelihood (eps, `posterior` preset) by the maximiser against MIGRAD (iminuit) on the same
    -2 ln L: wall times and the largest difference of the maxima."""
    from iminuit import Minuit

    from fits.jobs.profile import make_axis, run_profile
    from fits.problem.config import build_likelihoods, preset_config
    from fits.problem.space import ParamSpace

    cfg = preset_config("posterior")
    n = 3 if quick else 9
    t0 = time.perf_counter()
    res = run_profile(cfg, [make_axis(cfg, "eps", 1e-6, 5e-4, n)], progress=False)
    wall = time.perf_counter() - t0
    space = ParamSpace.from_config(cfg, exclude=("eps",), polar=True)
    lks = [build_likelihoods(cfg)[k] for k in cfg.likelihoods]
    m2lnL = lambda w, e: -2.0 * sum(lk.log_likelihood(space.point_z(w, eps=e)) for lk in lks)
    f, g = jax.jit(m2lnL), jax.jit(jax.grad(m2lnL))
    limits = []
    for k in space.names:
        p = cfg.free[k]
        limits += [(0.0, p.max), (None, None)] if p.kind == "disc" else [p.z_box]
    t0 = time.perf_counter()
    diff = 0.0
    for r in res["rows"]:
        best = np.inf
        for w0 in np.asarray(space.sample_prior_z(jax.random.PRNGKey(0), 6)):
            m = Minuit(
                lambda w: float(f(jnp.asarray(w), r["eps"])), w0, grad=lambda w: np.asarray(g(jnp.asarray(w), r["eps"]))
            )
            m.limits, m.errordef = limits, Minuit.LEAST_SQUARES
            m.migrad()
            best = min(best, m.fval)
        diff = max(diff, abs(-best / 2 - r["lnL"]))
    t_minuit = time.perf_counter() - t0
    return [
        (
            f"profile of eps, {n} points (posterior preset): wall s",
            wall,
            {
                "iminuit MIGRAD, 6 starts/point, JAX gradient: wall s": t_minuit,
                "max |ln L - ln L_MIGRAD|": f"{diff:.1e}",
            },
        )
    ]


def searches_rows(n):
    """The complete set's dark-photon searches (27, recast to the point's widths): ln L and its gradient in
    (m_A', eps, g_D) for n points at the benchmark's other parameters. jaxtmm: one jitted vmapped value_and_grad in
    chunks of 4096 (jaxtmm.batch); NumPy: the same formulas vectorised over the points, the widths from the same
    closed forms, the gradient by central differences (6 more evaluations)."""
    from _np_searches import NumpySearches

    from jaxtmm import darkphoton as dp
    from jaxtmm.batch import value_and_grad_batch
    from likelihoods import searches as S

    P = load_preset("paper")
    lk = S.search_set()
    rng = np.random.default_rng(0)
    m = np.exp(rng.uniform(np.log(1e-3), np.log(10.0), n))
    eps = np.exp(rng.uniform(np.log(1e-9), np.log(1e-2), n))
    gD = rng.uniform(0.01, 1.0, n)

    def lnL(v):
        return lk.log_likelihood(P._replace(m_Ap=v[0], eps=v[1], g_D=v[2]))

    f = lambda x: value_and_grad_batch(lnL, x, batch_size=4096)
    x = jnp.stack([jnp.asarray(m), jnp.asarray(eps), jnp.asarray(gD)], axis=-1)
    jax.block_until_ready(f(x))
    t_jax = best_of(lambda: jax.block_until_ready(f(x)))
    # NumPy: widths at g_D = 1 from the same closed forms, then g_D^2 (every dark width scales so at fixed masses)
    w = jax.jit(
        jax.vmap(lambda mm: jnp.stack([jnp.sum(dp.sm_widths(mm, 1.0)), dp.dark_width(P._replace(m_Ap=mm, g_D=1.0))]))
    )
    k = min(n, 20000)
    g1, dark1 = (np.asarray(c) for c in w(jnp.asarray(m[:k])).T)
    base = NumpySearches()

    def numpy_vg():
        h = 1e-6
        val = base.log_likelihood(m[:k], eps[:k], g1, gD[:k] ** 2 * dark1)
        d_eps = (
            base.log_likelihood(m[:k], eps[:k] * (1 + h), g1, gD[:k] ** 2 * dark1)
            - base.log_likelihood(m[:k], eps[:k] * (1 - h), g1, gD[:k] ** 2 * dark1)
        ) / (2 * h * eps[:k])
        d_g = (
            base.log_likelihood(m[:k], eps[:k], g1, (gD[:k] + h) ** 2 * dark1)
            - base.log_likelihood(m[:k], eps[:k], g1, (gD[:k] - h) ** 2 * dark1)
        ) / (2 * h)
        g1p, d1p = (np.asarray(c) for c in w(jnp.asarray(m[:k] * (1 + h))).T)  # the widths move with m too
        g1m, d1m = (np.asarray(c) for c in w(jnp.asarray(m[:k] * (1 - h))).T)
        d_m = (
            base.log_likelihood(m[:k] * (1 + h), eps[:k], g1p, gD[:k] ** 2 * d1p)
            - base.log_likelihood(m[:k] * (1 - h), eps[:k], g1m, gD[:k] ** 2 * d1m)
        ) / (2 * h * m[:k])
        return val, d_eps, d_g, d_m

    t_np = best_of(numpy_vg, repeats=2) / k * n
    val_jax = np.asarray(f(x)[0][:k])
    agree = np.nanmax(
        np.abs(val_jax - base.log_likelihood(m[:k], eps[:k], g1, gD[:k] ** 2 * dark1))
        / np.maximum(1.0, np.abs(val_jax))
    )
    return [
        (
            f"A' searches ln L + gradient, points/s ({n} points)",
            n / t_jax,
            {"NumPy, central differences": n / t_np, "max rel. difference of ln L": f"{agree:.1e}"},
        )
    ]


def nuts_rows(quick):
    import tempfile

    from fits.jobs.fit import run_fit
    from fits.problem.config import preset_config
    from fits.sample.nuts import FitSettings

    s = FitSettings(chains=4, warmup=500, samples=500) if not quick else FitSettings(chains=2, warmup=150, samples=150)
    rec = run_fit(preset_config("posterior"), s, Path(tempfile.mkdtemp()) / "fit", progress=False)
    label = f"NUTS ESS_bulk/s ({s.chains}x{s.samples} draws, min over parameters)"
    return [(label, rec["min_ess_bulk_per_s"], {"wall s": rec["wall_time_s"], "min ESS_bulk": rec["min_ess_bulk"]})]


def sampler_rows(quick, preset="posterior"):
    """NUTS against emcee (affine-invariant ensemble, gradient-free) and dynesty (nested sampling) on the same
    posterior, a preset's (free CP parities summed over, as the fit does): smallest ESS_bulk per second for NUTS and
    emcee (emcee run for NUTS's wall time, 4 x dim walkers started like the chains at the best of 64 uniform draws
    each, the second half kept, each walker a chain), Kish ESS of the importance weights per second for dynesty
    (run to dlogz = 0.5, or stopped at NUTS's wall time, whichever comes first)."""
    import tempfile

    import dynesty
    import emcee
    from numpyro.infer.util import initialize_model

    from fits import _arviz
    from fits.jobs.fit import run_fit
    from fits.problem.config import preset_config
    from fits.sample.nuts import FitSettings
    from fits.sample.posterior import build_model, log_likelihood_z, param_names

    cfg = preset_config(preset)
    if preset == "posterior":
        s = (
            FitSettings(chains=4, warmup=500, samples=500)
            if not quick
            else FitSettings(chains=2, warmup=150, samples=150)
        )
    else:
        s = (
            FitSettings(chains=2, warmup=200, samples=200)
            if not quick
            else FitSettings(chains=2, warmup=60, samples=60)
        )
    rec = run_fit(cfg, s, Path(tempfile.mkdtemp()) / "fit", progress=False)
    budget = rec["wall_time_s"]
    model, space, _ = build_model(cfg)
    pot = initialize_model(jax.random.PRNGKey(0), model).potential_fn
    lp = jax.jit(jax.vmap(lambda u: -pot({"u": u})))
    names = param_names(space)

    def natural(u):  # (..., u_dim) in the sampler's coordinates -> the fit's parameters
        vals, flat = space.values_u(jnp.asarray(u)), []
        for n in space.names:
            v = np.asarray(vals[n])
            flat += [v.real, v.imag] if np.iscomplexobj(v) else [v]
        return dict(zip(names, flat))

    dim = space.u_dim
    nw = 4 * dim
    cand = np.random.default_rng(0).uniform(-2.0, 2.0, size=(64 * nw, dim))
    lp_cand = np.nan_to_num(np.asarray(lp(jnp.asarray(cand))), nan=-np.inf)
    p0 = cand[np.argsort(-lp_cand)[:nw]]
    lp(jnp.asarray(p0)).block_until_ready()
    sampler = emcee.EnsembleSampler(nw, dim, lambda U: np.asarray(lp(jnp.asarray(U))), vectorize=True)
    t0, state = time.perf_counter(), p0
    while time.perf_counter() - t0 < budget:
        state = sampler.run_mcmc(state, 100, progress=False)
    t_emcee = time.perf_counter() - t0
    chain = sampler.get_chain()
    keep = np.swapaxes(chain[chain.shape[0] // 2 :], 0, 1)  # (walker, draw, dim)
    post = natural(keep)
    data = _arviz.make(post, {}, {})
    emcee_summary = _arviz.summary(data, names)
    ess_emcee, rhat_emcee = float(emcee_summary["ess_bulk"].min()), float(emcee_summary["r_hat"].max())
    # dynesty: the same prior from the unit cube (ParamSpace.z_from_unit), the same summed likelihood, in z
    f, zspace = log_likelihood_z(cfg)
    loglike = jax.jit(f)
    transform = jax.jit(lambda U: zspace.z_from_unit(U[None])[0])
    z0 = transform(jnp.full(zspace.dim, 0.5))
    loglike(z0).block_until_ready()
    t0 = time.perf_counter()
    ns = dynesty.NestedSampler(
        lambda z: float(loglike(jnp.asarray(z))),
        lambda U: np.asarray(transform(jnp.asarray(U))),
        zspace.dim,
        nlive=100 if quick else 250,
        rstate=np.random.default_rng(0),
    )
    stopped = False
    for _ in ns.sample(dlogz=0.5):  # stopped at NUTS's wall time (dynesty's own overhead included), if not done
        if time.perf_counter() - t0 > budget:
            stopped = True
            break
    for _ in ns.add_live_points():  # a generator: the final live points are added only as it is iterated
        pass
    t_dyn = time.perf_counter() - t0
    res = ns.results
    w = res.importance_weights()
    ess_dyn = float(w.sum() ** 2 / (w**2).sum())
    done = f"stopped at the budget, {int(np.sum(res.ncall))} calls" if stopped else "dlogz 0.5"
    rows = []
    if preset == "global":  # the route that converges there: `jaxtmm fit --sampler nested`, judged like chains
        from fits.sample.dynesty_runs import sample as nested_sample
        from fits.sample.nested import NestedSettings

        ns_s = NestedSettings(runs=4, nlive=100 if quick else 500, dlogz=0.5 if quick else 0.1)
        nrec = run_fit(cfg, ns_s, Path(tempfile.mkdtemp()) / "nested", progress=False)
        rows.append(
            (
                f"jaxtmm fit --sampler nested min ESS between runs/s ({ns_s.runs} runs x {ns_s.nlive} live points, "
                f"queue {ns_s.queue}), {preset} preset",
                nrec["min_ess_runs"] / nrec["wall_time_s"],
                {
                    "wall s": f"{nrec['wall_time_s']:.0f}",
                    "R-hat max": f"{nrec['max_r_hat']:.4f}",
                    "min ESS between runs": f"{nrec['min_ess_runs']:.0f}",
                    "min ESS_bulk (ArviZ)": f"{nrec['min_ess_bulk']:.0f}",
                    "ln Z": f"{nrec['log_evidence']['mean']:.3f} +- {nrec['log_evidence']['standard_error']:.3f}",
                },
            )
        )
        # the batched random walks against dynesty's one point at a time: one run each, the same settings otherwise
        calls = {}
        for q in (32, 1):
            one = NestedSettings(runs=1, nlive=100 if quick else 300, seed=3, queue=q)
            r = nested_sample(cfg, one, Path(tempfile.mkdtemp()), progress=False, workers=1)["runs"][0]
            calls[q] = r["likelihood_calls"] / r["wall_time_s"]
        rows.append(
            (
                f"nested sampling likelihood calls/s, queue of 32 random walks (one run, {one.nlive} live points), "
                f"{preset} preset",
                calls[32],
                {"dynesty one point at a time": calls[1]},
            )
        )
    return rows + [
        (
            f"NUTS min ESS_bulk/s ({s.chains}x{s.samples}), {preset} preset",
            rec["min_ess_bulk_per_s"],
            {
                f"emcee ({nw} walkers, {t_emcee:.0f} s, second half)": ess_emcee / t_emcee,
                f"dynesty ({done}, {t_dyn:.0f} s, Kish ESS)": ess_dyn / t_dyn,
                "NUTS wall s": budget,
                "R-hat max (NUTS)": f"{rec['max_r_hat']:.3f}",
                "R-hat max (emcee)": f"{rhat_emcee:.3f}",
                "divergent (NUTS)": f"{rec['divergent_fraction']:.3f}",
            },
        )
    ]


def _timed_command(args) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (GB) of one command in a fresh process."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "assert r.returncode == 0, r.stderr.decode()[-2000:]; "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6)"
    )
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=1800)
    if r.returncode:
        raise RuntimeError(r.stderr[-2000:])
    wall, gb = (float(x) for x in r.stdout.split())
    return wall, gb


def fit_cli_rows(quick):
    """`jaxtmm fit` with and without --quiet, each in a fresh process (compilation included), many checkpoints."""
    import tempfile

    exe = str(Path(sys.executable).with_name("jaxtmm"))
    n, w, chunk = (1000, 500, 50) if not quick else (200, 100, 20)
    base = [exe, "fit", "--preset", "posterior", "--samples", str(n), "--warmup", str(w), "--chunk", str(chunk)]
    d = Path(tempfile.mkdtemp())
    quiet, quiet_gb = _timed_command(base + ["--out", str(d / "quiet"), "--quiet"])
    loud, loud_gb = _timed_command(base + ["--out", str(d / "bar")])
    label = f"jaxtmm fit --quiet wall s (4 chains x {w}+{n}, --chunk {chunk})"
    return [(label, quiet, {"with progress bar, s": loud, "--quiet peak GB": quiet_gb, "with bar peak GB": loud_gb})]


def scan_rows(quick):
    from fits.jobs.reference import paper_mu12_max
    from fits.jobs.scan import DEFAULT_GD, experiment_curves, run_scan, scan_problems
    from fits.optimise.maximise import Maximiser, Settings
    from fits.problem.config import preset_config

    cfg = preset_config("paper")
    nm = 100 if not quick else 20
    t0 = time.perf_counter()
    run_scan(cfg, n_masses=nm, progress=False)
    wall = time.perf_counter() - t0
    # steady state: the same problems through one maximiser, second call; and the optima against the closed form
    _, problems, names, masks, ov = scan_problems(cfg, DEFAULT_GD, nm)
    M = Maximiser(cfg, Settings(), likelihood_names=names)
    M.run(ov, masks)
    t0 = time.perf_counter()
    res = M.run(ov, masks)
    steady = time.perf_counter() - t0
    curves = experiment_curves()
    applies = np.array([bool(curves[e].in_range(m)) for _, m, e in problems])
    ref = np.array([float(paper_mu12_max(cfg, curves[e].eps_90(m), g)) for g, m, e in problems])
    q = res.mu_eff_muB[applies] / ref[applies]
    ok = int(np.sum(np.abs(q - 1) <= 1e-6))
    return [
        (
            f"jaxtmm scan wall s ({nm} masses x 3 g_D x 2 exp.)",
            wall,
            {
                "steady-state s": steady,
                "optima within 1e-6 of closed form": f"{ok}/{q.size}",
                "range of optimum/closed form - 1": f"[{q.min() - 1:.1e}, {q.max() - 1:.1e}]",
            },
        )
    ]


def global_scan_rows(quick):
    """`jaxtmm scan --preset global` (the profile over every parameter, 4 CP-parity combinations): wall time."""
    from fits.jobs.scan import run_scan
    from fits.problem.config import preset_config

    nm = 12 if not quick else 2
    t0 = time.perf_counter()
    res = run_scan(preset_config("global"), n_masses=nm, progress=False, references=False)
    wall = time.perf_counter() - t0
    ok = sum(r["feasible"] for r in res["rows"])
    return [(f"global scan wall s ({nm} masses x 4 parities, complete set)", wall, {"feasible rows": f"{ok}/{nm}"})]


def relic_rows(quick):
    """Omega h^2 of a constant s-wave candidate at many masses: jaxtmm.relic (jit, vmap) against SciPy's Radau on the
    same equation and table (tests/make_reference_relic.py, the independent reference), each in the same run; and the
    A' nu nu form factor's W matrix (jaxtmm.vertex, 12 simplex integrals a point) against scipy dblquad."""
    import importlib.util

    from jaxtmm import relic, vertex

    spec = importlib.util.spec_from_file_location("ref", ROOT / "tests" / "make_reference_relic.py")
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    n = 64 if quick else 1024
    ms = jnp.geomspace(0.01, 1000.0, n)
    f = jax.jit(jax.vmap(lambda m: relic.omega_h2(m, 2.2e-26)))
    f(ms).block_until_ready()
    t_jax = best_of(lambda: f(ms).block_until_ready())
    k = 3
    t0 = time.perf_counter()
    sc = [ref.omega(float(m), 2.2e-26) for m in np.asarray(ms)[:: n // k][:k]]
    t_sp = (time.perf_counter() - t0) / k
    diff = max(abs(s / float(o) - 1) for s, o in zip(sc, np.asarray(f(ms))[:: n // k][:k]))
    rows = [
        (f"Omega h^2 solves/s (scipy agrees to {diff:.1e})", n / t_jax, {"scipy Radau, one mass at a time": 1 / t_sp})
    ]
    p = load_preset("paper")
    pts = replicate(p, n)._replace(theta_I=jnp.linspace(0.1, 1.5, n))
    g = jax.jit(jax.vmap(vertex.W_matrix))
    g(pts).block_until_ready()
    t_w = best_of(lambda: g(pts).block_until_ready())
    lnD = lambda M, a, b: integrate.dblquad(
        lambda y, x: np.log(x * b**2 + y * a**2 + (1 - x - y) * M**2), 0, 1, 0, lambda x: 1 - x
    )[0]
    t0 = time.perf_counter()
    for _ in range(2):
        for _ in range(12):
            lnD(0.1, 0.3, 0.4)
    t_dq = (time.perf_counter() - t0) / 2
    rows.append(("A' nu nu form factor W(0) points/s", n / t_w, {"scipy dblquad, 12 integrals a point": 1 / t_dq}))
    return rows


def device_rows(n):
    out = {}
    for k in (1, 2, 4):
        env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={k}"}
        code = (
            f"import sys, json; sys.argv=['x']; sys.path.insert(0, {str(ROOT)!r}); import runpy; "
            f"m = runpy.run_path({__file__!r}); print(json.dumps(m['device_throughput']({n})))"
        )
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)
        out[k] = json.loads(r.stdout.strip().splitlines()[-1])["points_per_s"] if r.returncode == 0 else float("nan")
    return [
        (
            "mu_ij points/s on 1 host device (vs 2, 4 forced host devices)",
            out[1],
            {"2 devices": out[2], "4 devices": out[4]},
        )
    ]


def device_throughput(n):
    p = load_preset("paper")
    batch = replicate(p, n)._replace(m_H2=jnp.linspace(0.35, 0.9, n))
    evaluate_batch(batch, batch_size=n)["mu_ij_GeV"].block_until_ready()
    t = best_of(lambda: evaluate_batch(batch, batch_size=n)["mu_ij_GeV"].block_until_ready())
    return {"points_per_s": n / t, "devices": jax.local_device_count()}


GROUPS = (
    "loops",
    "mu",
    "logdensity",
    "searches",
    "nuts",
    "samplers",
    "fit_cli",
    "scan",
    "global_logdensity",
    "profile",
    "global_scan",
    "global_samplers",
    "devices",
    "relic",
)


def main():
    ap = argparse.ArgumentParser(description="jaxtmm benchmark table")
    ap.add_argument("--quick", action="store_true", help="smaller batches and runs (a smoke test)")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--only", default=None, metavar="LIST", help=f"comma-separated row groups: {', '.join(GROUPS)}")
    args = ap.parse_args()
    n = 2**14 if args.quick else 2**18
    only = GROUPS if args.only is None else args.only.split(",")
    unknown = [g for g in only if g not in GROUPS]
    if unknown:
        ap.error(f"unknown row group(s) {', '.join(unknown)} (available: {', '.join(GROUPS)})")
    rows, t_dq = loops_rows(n) if "loops" in only or "mu" in only else ([], None)
    rows = rows if "loops" in only else []
    calls = {
        "mu": lambda: mu_rows(n // 4, t_dq),
        "logdensity": lambda: logdensity_rows(n // 16),
        "searches": lambda: searches_rows(10_000 if args.quick else 100_000),
        "nuts": lambda: nuts_rows(args.quick),
        "samplers": lambda: sampler_rows(args.quick),
        "fit_cli": lambda: fit_cli_rows(args.quick),
        "scan": lambda: scan_rows(args.quick),
        "global_logdensity": lambda: global_logdensity_rows(n // 64),
        "profile": lambda: profile_rows(args.quick),
        "global_scan": lambda: global_scan_rows(args.quick),
        "global_samplers": lambda: sampler_rows(args.quick, "global"),
        "devices": lambda: device_rows(n // 4),
        "relic": lambda: relic_rows(args.quick),
    }
    dev = jax.devices()[0]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, jax {jax.__version__}, {dev.platform} ({dev.device_kind})"
    )
    fmt = lambda v: f"{float(v):.3g}" if isinstance(v, (float, np.floating)) else str(v)
    if args.markdown:
        print("| quantity | jaxtmm | baseline(s), same run | ratio |")
        print("|---|---|---|---|")

    def show(q, v, base):
        b = ", ".join(f"{k}: {fmt(x)}" for k, x in base.items())
        if "host device" in q:  # scaling: throughput with k devices over throughput with one
            ratio = ", ".join(f"{k}: {float(x) / v:.2f}x" for k, x in base.items())
        else:  # speed-up over each baseline
            ratio = ", ".join(
                f"{v / float(x):.3g}x"
                for k, x in base.items()
                if "/s" in q and "NUTS" not in q and not isinstance(x, str) and x
            )
        if args.markdown:
            print(f"| {q} | {fmt(float(v))} | {b} | {ratio or '-'} |", flush=True)
        else:
            print(f"{q:<55} {fmt(float(v)):>10}   {b}   {ratio}", flush=True)

    for row in rows:  # each group's rows as soon as they are measured: a run cut short keeps what it measured
        show(*row)
    for g in GROUPS[1:]:
        if g in only:
            for row in calls[g]():
                show(*row)


if __name__ == "__main__":
    main()
