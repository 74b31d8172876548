"""NUTS posteriors: exact moments within Monte-Carlo error, resume == uninterrupted, the fit command."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from fits import _arviz
from fits.problem.config import parse_config, preset_config
from fits.sample.nuts import NUTS, FitSettings
from fits.sample.posterior import inference_data, sample
from jaxtmm_cli import main

Y_MAX = 0.5
RAW = {
    "options": {"likelihoods": [], "moment": "12"},
    "fixed": {
        "m_H1": 0.3,
        "m_A1": 0.3,
        "m_H2": 0.4,
        "m_A2": 0.4,
        "M1": 0.1,
        "M2": 0.1,
        "M_E": 2000.0,
        "g_D": 0.5,
        "m_Ap": 0.05,
        "y_e2": [0.05, 0.0],
        "y_mu1": [0.05, 0.0],
        "y_mu2": [0.0, 0.05],
        "theta_I": 0.5,
    },
    "free": {
        "y_e1": {"prior": "disc", "max": Y_MAX},
        "theta_R": {"prior": "uniform", "low": 0.0, "high": 2.0},
        "eps": {"prior": "loguniform", "low": 1e-6, "high": 1e-2},
    },
}


def _mean_and_mcse(x):
    s = _arviz.summary(_arviz.make({"q": x}, {}, {}), ["q"])
    return float(np.mean(x)), float(s.loc["q", "mcse_mean"])


def test_prior_only_posterior_has_the_exact_prior_moments(tmp_path):
    """No likelihood: the posterior is the prior. E[theta_R] = 1, E[|y|^2] = y_max^2 / 2 (uniform in the disc),
    E[ln eps] = (ln 1e-6 + ln 1e-2) / 2, E[ln |y_e2|] = (ln 1e-4 + ln y_max) / 2 and E[(ln |y_e2| - mean)^2] =
    (ln y_max - ln 1e-4)^2 / 12 (logdisc), E[cos arg y] = 0 for both; each within 4 MCSE with a fixed seed. The free
    parity eta2 is summed over: with no likelihood each value has conditional probability 1/2 exactly, and the
    drawn values are +1 with a frequency within 4 binomial standard errors of 1/2."""
    raw = {
        **RAW,
        "fixed": {k: v for k, v in RAW["fixed"].items() if k != "y_e2"},
        "free": {**RAW["free"], "y_e2": {"prior": "logdisc", "min": 1e-4, "max": Y_MAX}, "eta2": {"prior": "sign"}},
    }
    cfg = parse_config(raw)
    s = FitSettings(chains=2, warmup=300, samples=600, seed=3, chunk=600)
    res = NUTS().run(cfg, s, tmp_path, resume=False, progress=False, stop_after=None)
    a = res.arrays
    lo, hi = math.log(1e-4), math.log(Y_MAX)
    ln_y2 = np.log(np.hypot(a["site:y_e2_re"], a["site:y_e2_im"]))
    checks = {
        "theta_R": (a["site:theta_R"], 1.0),
        "|y|^2": (a["site:y_e1_re"] ** 2 + a["site:y_e1_im"] ** 2, Y_MAX**2 / 2),
        "ln eps": (np.log(a["site:eps"]), 0.5 * (math.log(1e-6) + math.log(1e-2))),
        "arg y": (np.cos(np.arctan2(a["site:y_e1_im"], a["site:y_e1_re"])), 0.0),
        "ln |y_e2|": (ln_y2, 0.5 * (lo + hi)),
        "var ln |y_e2|": ((ln_y2 - 0.5 * (lo + hi)) ** 2, (hi - lo) ** 2 / 12),
        "arg y_e2": (np.cos(np.arctan2(a["site:y_e2_im"], a["site:y_e2_re"])), 0.0),
    }
    for name, (x, exact) in checks.items():
        mean, mcse = _mean_and_mcse(x)
        assert abs(mean - exact) <= 4 * mcse, (name, mean, exact, mcse)
        assert mcse < 0.05 * (np.std(x) + 1e-300) * 4  # the test has resolving power
    assert int(a["extra:diverging"].sum()) == 0
    assert np.all(a["site:parity_prob"] == 0.5)
    eta2 = np.asarray(_arviz.group(inference_data(res, cfg, s.seed), "posterior")["eta2"])
    assert set(np.unique(eta2)) == {-1.0, 1.0} and abs(np.mean(eta2 > 0) - 0.5) <= 4 * math.sqrt(0.25 / eta2.size)


def test_resume_reproduces_the_uninterrupted_run(tmp_path):
    cfg = preset_config("posterior")
    s = FitSettings(chains=2, warmup=20, samples=40, seed=1, chunk=10)
    full = sample(cfg, s, tmp_path / "a", progress=False)["arrays"]
    # checkpoints at iterations 10, 20 (= the end of the warm-up), 30, ...: stop after the third
    part = sample(cfg, s, tmp_path / "b", progress=False, stop_after_checkpoints=3)
    assert not part["complete"] and part["done"] == 10 and part["steps"] == 30
    resumed = sample(cfg, s, tmp_path / "b", resume=True, progress=False)["arrays"]
    assert set(full) == set(resumed)
    for k in full:
        np.testing.assert_array_equal(full[k], resumed[k])
    # a run with another checkpoint interval, and one with a progress bar, give the same draws
    for chunk, progress in ((100, False), (7, True)):
        other = sample(
            cfg,
            FitSettings(chains=2, warmup=20, samples=40, seed=1, chunk=chunk),
            tmp_path / f"c{chunk}",
            progress=progress,
        )
        for k in full:
            np.testing.assert_array_equal(full[k], other["arrays"][k])


def test_interrupted_during_warmup_resumes_from_the_end_of_warmup(tmp_path):
    """With a checkpoint interval longer than the warm-up, the first checkpoint is the end of the warm-up."""
    cfg = preset_config("posterior")
    s = FitSettings(chains=2, warmup=20, samples=40, seed=2, chunk=1000)
    part = sample(cfg, s, tmp_path / "b", progress=False, stop_after_checkpoints=1)
    assert not part["complete"] and part["steps"] == 20 and part["done"] == 0
    resumed = sample(cfg, s, tmp_path / "b", resume=True, progress=False)["arrays"]
    full = sample(cfg, s, tmp_path / "a", progress=False)["arrays"]
    for k in full:
        np.testing.assert_array_equal(full[k], resumed[k])


def _count_compilations(fn):
    import jax.monitoring

    n = [0]

    def compiled(event, duration, **kw):
        n[0] += event == "/jax/core/compile/backend_compile_duration"

    def read_back(event, **kw):  # a program the session's persistent cache (tests/conftest.py) already holds
        n[0] += event == "/jax/compilation_cache/cache_hits"

    jax.monitoring.register_event_duration_secs_listener(compiled)
    jax.monitoring.register_event_listener(read_back)
    try:
        fn()
    finally:
        jax.monitoring.unregister_event_duration_listener(compiled)
        jax.monitoring.unregister_event_listener(read_back)
    return n[0]


def test_one_progress_bar_for_the_whole_fit(tmp_path, monkeypatch):
    import tqdm.auto

    made = []
    real = tqdm.auto.tqdm

    def counting(*a, **kw):
        made.append(kw.get("total"))
        return real(*a, **kw)

    monkeypatch.setattr(tqdm.auto, "tqdm", counting)
    sample(
        preset_config("posterior"),
        FitSettings(chains=2, warmup=20, samples=40, seed=0, chunk=10),
        tmp_path,
        progress=True,
    )
    assert made == [60]


def test_checkpoint_is_plain_arrays(tmp_path):
    sample(preset_config("posterior"), FitSettings(chains=2, warmup=20, samples=10, chunk=10), tmp_path, progress=False)
    with np.load(tmp_path / "checkpoint.npz", allow_pickle=False) as f:  # no object arrays: nothing can run code
        assert all(f[k].dtype != object for k in f.files)
        header = json.loads(str(f["header"][()]))
    assert header["collected"] == 10 and header["steps"] == 30
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left no temporary file


FIT = ["fit", "--preset", "posterior", "--chains", "2", "--warmup", "20", "--samples", "20", "--chunk", "10", "--quiet"]


def test_fit_command_outputs(tmp_path, capsys):
    out = tmp_path / "fit"
    args = FIT + ["--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    for name in ("posterior.nc", "summary.csv", "trace.png", "rank.png", "pair.png", "fit.json", "checkpoint.npz"):
        assert (out / name).stat().st_size > 0
    idata = _arviz.from_netcdf(out / "posterior.nc")
    post, ll, ss = (_arviz.group(idata, g) for g in ("posterior", "log_likelihood", "sample_stats"))
    assert post["eps"].shape == (2, 20) and "mu_eff_muB" in post and "BR_mu_e_gamma" in post
    assert set(ll.data_vars) == {"MEG_II", "NA64", "BaBar", "Borexino"}
    assert {"energy", "diverging", "tree_depth", "acceptance_rate", "lp"} <= set(ss.data_vars)
    rec = json.loads((out / "fit.json").read_text())
    assert rec["draws"] == 40 and rec["chain_method"] == "sequential" and "min_ess_bulk_per_s" in rec
    summary = pd.read_csv(out / "summary.csv", index_col=0)
    assert list(summary.columns) == [
        "mean",
        "sd",
        "median",
        "eti_5%",
        "eti_95%",
        "r_hat",
        "ess_bulk",
        "ess_tail",
        "mcse_mean",
        "mcse_sd",
    ]
    assert len(summary) == 11 + 5
    # the statistics are those of the draws (all chains pooled)
    eps = np.asarray(post["eps"]).ravel()
    assert summary.loc["eps", "mean"] == pytest.approx(eps.mean(), rel=1e-9)
    assert summary.loc["eps", "eti_95%"] == pytest.approx(np.quantile(eps, 0.95), rel=1e-9)
    # one line per derived quantity, with an interval or an upper limit
    for label in ("mu_eff", "mu_12", "BR(mu -> e gamma)", "Delta a_mu", "Delta a_e"):
        assert any(
            line.strip().startswith(label) and ("90% interval" in line or "90% upper limit" in line)
            for line in printed.splitlines()
        ), label
    # an existing run is protected; --resume of a finished run has nothing left to do and rewrites the outputs
    assert main(args) == 2 and "use --resume" in capsys.readouterr().err
    assert main(args + ["--resume"]) == 0


def _one_line_error(capsys, *fragments):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("jaxtmm: error:") and "Traceback" not in err, err
    for f in fragments:
        assert f in err, (f, err)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"\x80\x04\x95 a pickle"])
def test_corrupt_checkpoint_is_one_line_naming_the_file(tmp_path, capsys, content):
    out = tmp_path / "fit"
    out.mkdir()
    (out / "checkpoint.npz").write_bytes(content)
    assert main(FIT + ["--out", str(out), "--resume"]) == 2
    _one_line_error(capsys, "checkpoint.npz", "unreadable or corrupt")


def test_resume_names_every_differing_setting(tmp_path, capsys):
    out = tmp_path / "fit"
    part = [
        "fit",
        "--preset",
        "posterior",
        "--chains",
        "2",
        "--warmup",
        "20",
        "--samples",
        "20",
        "--chunk",
        "10",
        "--quiet",
        "--out",
        str(out),
    ]
    cfg = preset_config("posterior")
    sample(
        cfg,
        FitSettings(chains=2, warmup=20, samples=20, seed=0, chunk=10),
        out,
        progress=False,
        stop_after_checkpoints=1,
    )
    assert main(part + ["--resume", "--seed", "3", "--samples", "30"]) == 2
    _one_line_error(capsys, "samples: checkpoint 20, now 30", "seed: checkpoint 0, now 3")
    assert main(["fit", "--preset", "paper", *part[3:], "--resume"]) == 2
    _one_line_error(capsys, "configuration ")
    assert (
        main(part + ["--resume", "--convention", "paper", "--constraints", "MEG II"]) == 2
    )  # command-line options too
    _one_line_error(capsys, "option convention: checkpoint 'corrected', now 'paper'", "option likelihoods")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--chains", "0"], "--chains must be 1 to 256, got 0"),
        (["--warmup", "-1"], "--warmup must be non-negative"),
        (["--resume"], "nothing to resume"),
        (["--resume", "--force"], "give one of them"),
        (["--seed", "-1"], "--seed must be an integer from 0 to 2^32-1"),
        (["--pair", "eps,nope"], "--pair: unknown variable(s) nope"),
        (["--constraints", "bogus"], "unknown constraint(s) 'bogus'"),
        (["--preset", "nope"], "argument --preset: invalid choice: 'nope'"),
    ],
)
def test_fit_bad_arguments(tmp_path, capsys, args, message):
    assert main(["fit", "--preset", "posterior", "--out", str(tmp_path / "f"), "--quiet", *args]) == 2
    _one_line_error(capsys, message)


@pytest.mark.parametrize("where", ["/proc/jaxtmm-test/out", "FILE/sub"])
def test_unwritable_out_fails_before_any_work(tmp_path, capsys, monkeypatch, where):
    import fits.jobs.fit

    (tmp_path / "FILE").write_text("x")
    monkeypatch.setattr(fits.jobs.fit, "run_fit", lambda *a, **k: pytest.fail("computed before checking --out"))
    out = where.replace("FILE", str(tmp_path / "FILE"))
    assert main(FIT + ["--out", out]) == 2
    _one_line_error(capsys, "cannot create --out")


def test_plots_log_axes_and_pair_variables():
    from fits.jobs.fit import default_pair, log_scaled, pair_choices
    from fits.plots import pair_plot, trace_plot

    cfg = preset_config("posterior")
    rng = np.random.default_rng(0)
    draws = {
        "theta_R": rng.uniform(0, 3, (2, 50)),
        "eps": 10 ** rng.uniform(-7, -3, (2, 50)),
        "mu_eff_muB": 10 ** rng.uniform(-14, -10, (2, 50)),
    }
    logs = log_scaled(cfg, draws)
    assert logs == {"eps", "mu_eff_muB"}  # log-uniform prior; positive and spanning decades
    fig = trace_plot(draws, logs)
    scales = [ax.get_yscale() for ax in fig.axes[0::2]]
    assert scales == ["linear", "log", "log"]
    pair = pair_plot(draws, log=logs)
    k = len(draws)
    assert len(pair.axes) == k * k and pair.axes[k * (k - 1) + 1].get_xscale() == "log"
    assert default_pair(cfg) == [
        "abs_y_e1",
        "abs_y_e2",
        "abs_y_mu1",
        "abs_y_mu2",
        "theta_R",
        "theta_I",
        "eps",
        "mu_eff_muB",
    ]
    assert {"mu_eff_muB", "abs_y_e1", "y_e1_re", "BR_mu_e_gamma"} <= set(pair_choices(cfg))


def test_fit_pair_option(tmp_path, capsys):
    out = tmp_path / "fit"
    assert main(FIT + ["--out", str(out), "--pair", "eps,mu_eff_muB,abs_y_mu2"]) == 0
    rec = json.loads((out / "fit.json").read_text())
    assert rec["pair_variables"] == ["eps", "mu_eff_muB", "abs_y_mu2"]


def test_one_compilation_per_fit_whatever_the_chunks_or_the_progress_bar(tmp_path):
    """The compiled NUTS block is reused across checkpoints: 2 chunks, 6 chunks with a progress bar, and a resume
    all compile the same number of times, to within one (numpyro's MCMC without a progress bar compiled once per chunk).
    The compiled pieces are cached per configuration; the cache is cleared before each fit here (the last test
    of this file: the others share the compiled posterior-preset fit)."""
    from fits.sample.posterior import clear_cache

    cfg = parse_config(RAW)  # no likelihoods: the quickest model to compile

    def fit(name, chunk, progress=False, **kw):
        s = FitSettings(
            chains=2, warmup=20, samples=40, seed=0, chunk=chunk, init_candidates=1
        )  # the block, not the start

        def run():
            clear_cache()
            sample(cfg, s, tmp_path / name, progress=progress, **kw)

        return run

    _count_compilations(fit("warm", 60))  # eager helpers compile once per process
    two = _count_compilations(fit("two", 30))
    six_bar = _count_compilations(fit("six", 10, progress=True))
    _count_compilations(fit("res", 10, stop_after_checkpoints=2))
    resumed = _count_compilations(fit("res", 10, resume=True))
    # A block compiled per checkpoint would give 4 compilations more for six chunks than for two; one eager helper
    # can differ by one between the counts (JAX's in-memory caches hold it or not, as garbage collection went: a
    # clean-clone CI run once counted 3 and 4), so the counts must agree to one.
    assert max(two, six_bar, resumed) - min(two, six_bar, resumed) <= 1, (two, six_bar, resumed)
    assert (
        2 <= min(two, six_bar, resumed) and max(two, six_bar, resumed) <= 4
    )  # the initialisation and the block, and at most a couple of eager helpers
    # and a second fit of the same configuration compiles nothing
    assert (
        _count_compilations(
            lambda: sample(
                cfg,
                FitSettings(chains=2, warmup=20, samples=40, seed=5, chunk=7, init_candidates=1),
                tmp_path / "again",
                progress=False,
            )
        )
        == 0
    )
