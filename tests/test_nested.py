"""Nested sampling (fits.sample.dynesty_runs): the evidence and a posterior moment against quadrature, the resampling, resume,
the prior transform of ordered pairs, and `jaxtmm fit --sampler nested`."""

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from test_fit import RAW

from fits import _arviz
from fits.problem.config import parse_config, preset_config
from fits.problem.space import ParamSpace
from fits.sample.dynesty_runs import (
    equal_weight,
    ess_between_runs,
    evidence_error,
    kish_ess,
    read_run,
    sample,
)
from fits.sample.nested import NestedSettings
from fits.sample.posterior import CheckpointError, log_likelihood_z
from jaxtmm_cli import main

Y_MAX = 1.0
# MEG II alone, y_e1 free in the disc |y| <= 1: the likelihood cuts the disc down to |y|^2 ~ 0.06 (ln Z ~ -2.4)
MEG_ONLY = {
    "options": {"likelihoods": ["MEG II"], "moment": "12"},
    "fixed": {**RAW["fixed"], "theta_R": 1.0, "eps": 1e-4},
    "free": {"y_e1": {"prior": "disc", "max": Y_MAX}},
}


def quadrature(cfg, n: int):
    """ln Z and E[|y_e1|^2] by a product rule on the disc: Gauss-Legendre in |y| (n nodes), the trapezoid rule
    in arg y (2n nodes: exact for a periodic integrand's low harmonics)."""
    f, _ = log_likelihood_z(cfg)
    x, w = np.polynomial.legendre.leggauss(n)
    r, wr = 0.5 * Y_MAX * (x + 1), 0.5 * Y_MAX * w
    phi = 2 * np.pi * np.arange(2 * n) / (2 * n)
    R, P = np.meshgrid(r, phi, indexing="ij")
    z = np.stack([R * np.cos(P), R * np.sin(P)], -1).reshape(-1, 2)
    L = np.exp(np.asarray(jax.jit(jax.vmap(f))(jnp.asarray(z)))).reshape(R.shape)
    W = (wr * r)[:, None] * (np.pi / n) / (np.pi * Y_MAX**2)  # the uniform prior's density 1 / (pi Y_MAX^2)
    Z = float(np.sum(W * L))
    return math.log(Z), float(np.sum(W * L * R**2) / Z)


@pytest.mark.parametrize("proposal", ["auto", "rwalk"])  # auto: dynesty's uniform sampling in 2 dimensions;
def test_evidence_and_posterior_mean_agree_with_quadrature(tmp_path, proposal):  # rwalk: the batched walks (queue 32)
    cfg = parse_config(MEG_ONLY)
    lz_ref, m_ref = quadrature(cfg, 200)
    lz_100, m_100 = quadrature(cfg, 100)
    assert abs(lz_ref - lz_100) < 1e-12 and abs(m_ref - m_100) < 1e-12  # the rule has converged
    # dlogz = 0.5: a run stops with up to 40% of Z still in its live points, which must then be added (without them
    # ln Z is low by up to 0.5 and the posterior misses its highest-likelihood points)
    s = NestedSettings(runs=4, nlive=200, dlogz=0.5, seed=5, sample=proposal)
    res = sample(cfg, s, tmp_path, progress=False, workers=1)
    for run in res["runs"]:
        assert abs(run["log_evidence"] - lz_ref) <= 4 * run["log_evidence_error"], (run, lz_ref)
        assert 0.02 < run["log_evidence_error"] < 0.2  # sqrt(H / nlive), H ~ 2.4 here: the test can fail
        assert run["nan_likelihood_calls"] == 0 and run["stopped_by"] == "dlogz"
    a = res["arrays"]
    y2 = a["site:y_e1_re"] ** 2 + a["site:y_e1_im"] ** 2  # (runs, draws)
    # the MCSE from the smaller of ArviZ's ESS and the ESS between the runs
    ess = min(float(_arviz.summary(_arviz.make({"q": y2}, {}, {}), ["q"]).loc["q", "ess_bulk"]), ess_between_runs(y2))
    mcse = y2.std() / math.sqrt(ess)
    assert abs(y2.mean() - m_ref) <= 4 * mcse, (y2.mean(), m_ref, mcse)
    assert mcse < 0.05 * m_ref
    # every site NUTS records, at the draws: the constraint's log-likelihood is the one integrated
    f, _ = log_likelihood_z(cfg)
    z = np.stack([a["site:y_e1_re"], a["site:y_e1_im"]], -1).reshape(-1, 2)
    np.testing.assert_allclose(
        a["site:loglik_MEG_II"].ravel(), np.asarray(jax.vmap(f)(jnp.asarray(z))), rtol=1e-12, atol=1e-12
    )


def test_resume_runs_only_the_missing_runs_and_gives_the_same_draws(tmp_path):
    """Run 0, an interruption, then run 1 on resuming: the draws of two runs in two processes at once, exactly."""
    cfg = parse_config(MEG_ONLY)
    s = NestedSettings(runs=2, nlive=50, dlogz=0.5, seed=1)
    full = sample(cfg, s, tmp_path / "a", progress=False, workers=2)
    part = sample(cfg, s, tmp_path / "b", progress=False, stop_after_runs=1, workers=1)
    assert not part["complete"] and (tmp_path / "b" / "nested_run_0.npz").exists()
    assert not (tmp_path / "b" / "nested_run_1.npz").exists()
    resumed = sample(cfg, s, tmp_path / "b", resume=True, progress=True, workers=1)
    for k in full["arrays"]:
        np.testing.assert_array_equal(full["arrays"][k], resumed["arrays"][k])
    header, _ = read_run(tmp_path / "b" / "nested_run_0.npz")
    assert header["run"] == full["runs"][0] | {"wall_time_s": header["run"]["wall_time_s"]}
    with pytest.raises(CheckpointError, match="nlive: checkpoint 50, now 60"):
        sample(cfg, NestedSettings(runs=2, nlive=60, dlogz=0.5, seed=1), tmp_path / "b", resume=True, progress=False)
    (tmp_path / "b" / "nested_run_1.npz").write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match=r"nested_run_1\.npz' is unreadable or corrupt"):
        sample(cfg, s, tmp_path / "b", resume=True, progress=False)


def test_a_constant_likelihood_is_refused_with_the_reason(tmp_path):
    cfg = parse_config(RAW)  # no likelihood at all: the posterior is the prior
    with pytest.raises(ValueError, match="no likelihood varies"):
        sample(cfg, NestedSettings(runs=1, nlive=20, queue=8), tmp_path, progress=False)


def test_equal_weight_draws_each_point_floor_or_ceil_of_n_w_times():
    rng = np.random.default_rng(0)
    w = rng.random(50) ** 4
    logwt = np.log(w / w.sum())
    n = 1000
    counts = np.bincount(equal_weight(logwt, n, np.random.default_rng(1)), minlength=50)
    expect = n * w / w.sum()
    assert counts.sum() == n and np.all((counts >= np.floor(expect)) & (counts <= np.ceil(expect)))
    assert kish_ess(np.zeros(7)) == pytest.approx(7.0, rel=1e-15)
    assert kish_ess(np.array([0.0, -800.0, -900.0])) == pytest.approx(1.0, rel=1e-15)
    # H = sum p ln(L / Z) for two points of equal weight, ln L - ln Z = +-1 about a mean 0.5: H = 0.5
    assert evidence_error(np.log([0.5, 0.5]), np.array([1.5, -0.5]), 0.0, 8) == pytest.approx(0.25, rel=1e-15)


def test_ess_between_runs_counts_independent_runs_and_sees_runs_that_disagree():
    """Runs of iid draws: the figure is the number of draws, R n, up to the chi-square scatter of R - 1 degrees of
    freedom (400 runs: 0.75 - 1 of R n beyond 3.5 sigma). Runs shifted by offsets of variance tau^2, as a run that
    weighs a mode wrongly is: R / (tau^2 + 1/n) (the analytic value; the within-run means' scatter adds +-11% at
    1 sigma here, the tolerance is 3 sigma). The shuffled draws hide the offsets from ArviZ's ESS."""
    rng = np.random.default_rng(3)
    R, n = 400, 50
    iid = ess_between_runs(rng.standard_normal((R, n)))
    assert 0.75 * R * n <= iid <= R * n
    R, n, tau = 8, 4000, 0.1
    d = rng.standard_normal(R)
    d = tau * (d - d.mean()) / d.std(ddof=1)  # sample variance exactly tau^2
    x = rng.standard_normal((R, n)) + d[:, None]
    exact = R / (tau**2 + 1 / n)
    assert ess_between_runs(x) == pytest.approx(exact, rel=0.33)
    arviz_ess = _arviz.summary(_arviz.make({"x": x}, {}, {}), ["x"]).loc["x", "ess_bulk"]
    assert arviz_ess > 10 * exact
    assert math.isnan(ess_between_runs(np.ones((4, 10)))) and math.isnan(ess_between_runs(np.zeros((1, 10))))


def test_ordered_prior_transform_is_uniform_on_the_half_triangle():
    """z_from_unit(ordered=True) of uniform points: (a, b) uniform on a <= b, E[a] = lo + w/3, E[b] = lo + 2w/3,
    within 4 standard errors; every draw ordered."""
    sp = ParamSpace.from_config(preset_config("global"))
    U = jax.random.uniform(jax.random.PRNGKey(0), (40000, sp.dim), dtype=jnp.float64)
    z = np.asarray(sp.z_from_unit(U, ordered=True))
    for lo_name, hi_name in sp.config.ordered:
        i, j = sp.slices[sp.names.index(lo_name)][0], sp.slices[sp.names.index(hi_name)][0]
        lo, hi = sp.priors[sp.names.index(lo_name)].z_box
        a, b = (z[:, i] - lo) / (hi - lo), (z[:, j] - lo) / (hi - lo)
        assert np.all(a <= b)
        for x, exact in ((a, 1 / 3), (b, 2 / 3)):
            assert abs(x.mean() - exact) <= 4 * x.std() / math.sqrt(len(x)), (lo_name, x.mean(), exact)
    # the unit-cube coordinates dynesty wraps around: both angles and each coupling's phase, and nothing else
    from fits.sample.dynesty_runs import _Problem

    sl = dict(zip(sp.names, sp.slices))
    want = sorted([sl["theta_R"][0], sl["theta_I"][0]] + [sl[y][0] + 1 for y in ("y_e1", "y_e2", "y_mu1", "y_mu2")])
    assert _Problem(sp.config).periodic == want
    angle = np.asarray(sp.z_from_unit(jnp.array([[0.0] * sp.dim, [1.0] * sp.dim]), ordered=True))
    for y in ("y_e1", "y_e2", "y_mu1", "y_mu2"):  # U = 0 and U = 1 of a phase are the same coupling
        a = sl[y][0]
        np.testing.assert_allclose(
            angle[0, a : a + 2] / np.hypot(*angle[0, a : a + 2]),
            angle[1, a : a + 2] / np.hypot(*angle[1, a : a + 2]),
            atol=1e-12,
        )


def test_fit_command_nested(tmp_path, capsys):
    cfg = tmp_path / "meg.toml"
    cfg.write_text(
        '[options]\nlikelihoods = ["MEG II"]\nmoment = "12"\n[fixed]\n'
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in MEG_ONLY["fixed"].items())
        + f'[free]\ny_e1 = {{ prior = "disc", max = {Y_MAX} }}\n'
    )
    out = tmp_path / "fit"
    rc = main(
        [
            "fit",
            "--config",
            str(cfg),
            "--sampler",
            "nested",
            "--runs",
            "2",
            "--nlive",
            "60",
            "--dlogz",
            "0.5",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert rc == 0
    rec = json.loads((out / "fit.json").read_text())
    assert rec["sampler"] == "nested" and rec["divergences"] is None and len(rec["runs"]) == 2
    assert rec["targets"]["divergent_fraction"]["met"] is None
    summ = np.genfromtxt(out / "summary.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert rec["targets"]["min_ess_runs"]["value"] == pytest.approx(float(summ["ess_runs"][:2].min()), rel=1e-9)
    assert rec["draws"] == 2 * rec["draws_per_run"] and rec["draws_per_run"] == int(
        min(r["kish_ess"] for r in rec["runs"])
    )
    ev = rec["log_evidence"]
    assert ev["mean"] == pytest.approx(np.mean([r["log_evidence"] for r in rec["runs"]]), rel=1e-15)
    for name in ("posterior.nc", "summary.csv", "nested.png", "rank.png"):
        assert (out / name).stat().st_size > 0
    assert "ln Z = " in capsys.readouterr().out
    # NUTS-only options are refused with the reason
    rc = main(["fit", "--config", str(cfg), "--sampler", "nested", "--warmup", "10", "--out", str(tmp_path / "x")])
    assert rc == 2 and "--warmup applies to --sampler nuts, not nested" in capsys.readouterr().err
    rc = main(["fit", "--config", str(cfg), "--nlive", "10", "--out", str(tmp_path / "x")])
    assert rc == 2 and "--nlive applies to --sampler nested, not nuts" in capsys.readouterr().err
    rc = main(["fit", "--config", str(cfg), "--sampler", "nested", "--dlogz", "-1", "--out", str(tmp_path / "x")])
    assert rc == 2 and "--dlogz must be a positive number" in capsys.readouterr().err
    rc = main(
        [
            "fit",
            "--config",
            str(cfg),
            "--sampler",
            "nested",
            "--nlive",
            "50",
            "--queue",
            "64",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert rc == 2 and "--queue must be 1 to the number of live points" in capsys.readouterr().err
