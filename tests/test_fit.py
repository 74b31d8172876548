"""NUTS posteriors: exact moments within Monte-Carlo error, resume == uninterrupted, the fit command."""

import json
import math
import shutil

import numpy as np
import pytest

from fits import _arviz
from fits.config import parse_config, preset_config
from fits.posterior import FitSettings, sample
from jaxtmm.cli import main

Y_MAX = 0.5
RAW = {
    "options": {"likelihoods": [], "moment": "12"},
    "fixed": {"m_H1": 0.3, "m_A1": 0.3, "m_H2": 0.4, "m_A2": 0.4, "M1": 0.1, "M2": 0.1, "M_E": 2000.0, "g_D": 0.5,
              "m_Ap": 0.05, "y_e2": [0.05, 0.0], "y_mu1": [0.05, 0.0], "y_mu2": [0.0, 0.05], "theta_I": 0.5},
    "free": {"y_e1": {"prior": "disc", "max": Y_MAX}, "theta_R": {"prior": "uniform", "low": 0.0, "high": 2.0},
             "eps": {"prior": "loguniform", "low": 1e-6, "high": 1e-2}},
}  # fmt: skip


def _mean_and_mcse(x):
    s = _arviz.summary(_arviz.make({"q": x}, {}, {}), ["q"])
    return float(np.mean(x)), float(s.loc["q", "mcse_mean"])


def test_prior_only_posterior_has_the_exact_prior_moments(tmp_path):
    """No likelihood: the posterior is the prior. E[theta_R] = 1, E[|y|^2] = y_max^2 / 2 (uniform in the disc),
    E[ln eps] = (ln 1e-6 + ln 1e-2) / 2; each within 4 MCSE with a fixed seed."""
    cfg = parse_config(RAW)
    res = sample(cfg, FitSettings(chains=2, warmup=300, samples=600, seed=3, chunk=600), tmp_path, progress=False)
    a = res["arrays"]
    checks = {
        "theta_R": (a["site:theta_R"], 1.0),
        "|y|^2": (a["site:y_e1_re"] ** 2 + a["site:y_e1_im"] ** 2, Y_MAX**2 / 2),
        "ln eps": (np.log(a["site:eps"]), 0.5 * (math.log(1e-6) + math.log(1e-2))),
        "arg y": (np.cos(np.arctan2(a["site:y_e1_im"], a["site:y_e1_re"])), 0.0),
    }
    for name, (x, exact) in checks.items():
        mean, mcse = _mean_and_mcse(x)
        assert abs(mean - exact) <= 4 * mcse, (name, mean, exact, mcse)
        assert mcse < 0.05 * (np.std(x) + 1e-300) * 4  # the test has resolving power
    assert int(a["extra:diverging"].sum()) == 0


def test_resume_reproduces_the_uninterrupted_run(tmp_path):
    cfg = preset_config("posterior")
    s = FitSettings(chains=2, warmup=60, samples=40, seed=1, chunk=20)
    full = sample(cfg, s, tmp_path / "a", progress=False)["arrays"]
    part = sample(cfg, s, tmp_path / "b", progress=False, stop_after_chunks=1)
    assert not part["complete"] and part["done"] == 20
    resumed = sample(cfg, s, tmp_path / "b", resume=True, progress=False)["arrays"]
    assert set(full) == set(resumed)
    for k in full:
        np.testing.assert_array_equal(full[k], resumed[k])
    # and the chunked run equals a single uninterrupted chunk
    single = sample(cfg, FitSettings(chains=2, warmup=60, samples=40, seed=1, chunk=40), tmp_path / "c", progress=False)
    for k in full:
        np.testing.assert_array_equal(full[k], single["arrays"][k])


def test_fit_command_outputs(tmp_path, capsys):
    out = tmp_path / "fit"
    args = ["fit", "--preset", "posterior", "--chains", "2", "--warmup", "50", "--samples", "40", "--chunk", "20",
            "--out", str(out), "--quiet"]  # fmt: skip
    assert main(args) == 0
    for name in ("posterior.nc", "summary.csv", "trace.png", "rank.png", "pair.png", "fit.json", "checkpoint.pkl"):
        assert (out / name).stat().st_size > 0
    idata = _arviz.from_netcdf(out / "posterior.nc")
    post, ll, ss = (_arviz.group(idata, g) for g in ("posterior", "log_likelihood", "sample_stats"))
    assert post["eps"].shape == (2, 40) and "mu_eff_muB" in post and "BR_mu_e_gamma" in post
    assert set(ll.data_vars) == {"MEG_II", "NA64", "BaBar", "Borexino"}
    assert {"energy", "diverging", "tree_depth", "acceptance_rate", "lp"} <= set(ss.data_vars)
    rec = json.loads((out / "fit.json").read_text())
    assert rec["draws"] == 80 and rec["chain_method"] == "sequential" and "min_ess_bulk_per_s" in rec
    summary = (out / "summary.csv").read_text().splitlines()
    assert summary[0] == "parameter,r_hat,ess_bulk,ess_tail,mcse_mean,mcse_sd" and len(summary) == 1 + 11 + 5
    # an existing run is protected; --resume of a finished run has nothing left to do and rewrites the outputs
    assert main(args) == 2 and "use --resume" in capsys.readouterr().err
    assert main(args + ["--resume"]) == 0


@pytest.mark.parametrize(
    "args,message",
    [
        (["--chains", "0"], "--chains must be at least 1"),
        (["--warmup", "-1"], "--warmup must be non-negative"),
        (["--resume"], "nothing to resume"),
    ],
)
def test_fit_bad_arguments(tmp_path, capsys, args, message):
    assert main(["fit", "--preset", "posterior", "--out", str(tmp_path / "f"), "--quiet", *args]) == 2
    assert message in capsys.readouterr().err
