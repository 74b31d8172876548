"""Profile likelihoods (`fits.jobs.profile`, `jaxtmm profile`): against MINUIT (iminuit's MIGRAD, the field's standard
minimiser) on the same -2 ln L, and the refusals of what cannot be profiled."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from iminuit import Minuit

from fits.jobs.profile import make_axis, run_profile
from fits.optimise.maximise import Settings, Stage
from fits.problem.config import build_likelihoods, preset_config
from fits.problem.space import ParamSpace

# one inner length for every stage: one compiled step per coordinate system (the default schedule compiles three)
QUICK = Settings(
    starts=4,
    explore=Stage(rounds=10, inner=150, lr=0.1),
    share=Stage(rounds=6, inner=150, lr=0.05),
    polish=Stage(rounds=6, inner=150, lr=1e-3),
)
CFG = preset_config("posterior")


def minuit_profile(config, name, value, starts: int = 6, seed: int = 0) -> float:
    """max ln L at ``name = value`` by MIGRAD with JAX's gradient, in polar coordinates (the Yukawa discs become
    boxes, MINUIT's limits), the best of ``starts`` prior draws."""
    space = ParamSpace.from_config(config, exclude=(name,), polar=True)
    lks = [build_likelihoods(config)[n] for n in config.likelihoods]
    f = jax.jit(lambda w: -2.0 * sum(lk.log_likelihood(space.point_z(w, **{name: value})) for lk in lks))
    g = jax.jit(jax.grad(lambda w: -2.0 * sum(lk.log_likelihood(space.point_z(w, **{name: value})) for lk in lks)))
    limits = []
    for n in space.names:
        p = config.free[n]
        limits += [(0.0, p.max), (None, None)] if p.kind == "disc" else [p.z_box]
    best = math.inf
    for w0 in np.asarray(space.sample_prior_z(jax.random.PRNGKey(seed), starts)):
        m = Minuit(lambda w: float(f(jnp.asarray(w))), w0, grad=lambda w: np.asarray(g(jnp.asarray(w))))
        m.limits = limits
        m.errordef = Minuit.LEAST_SQUARES
        m.migrad()
        best = min(best, m.fval)
    return -best / 2.0


@pytest.fixture(scope="module")
def eps_profile():
    return run_profile(CFG, [make_axis(CFG, "eps", 1e-5, 3e-4, 3)], QUICK, progress=False)


def test_profile_matches_minuit(eps_profile):
    """At each eps the maximiser's ln L equals MIGRAD's best to 1e-7 (absolute; -2 Delta ln L spans 0 - 45 here)."""
    for r in eps_profile["rows"]:
        assert r["reached"] and r["kkt_residual"] < 1e-6
        assert r["lnL"] == pytest.approx(minuit_profile(CFG, "eps", r["eps"]), abs=1e-7)
    q = [r["minus_2_delta_lnL"] for r in eps_profile["rows"]]
    assert q == sorted(q) and q[-1] > 40 and eps_profile["maximum"]["lnL"] >= max(r["lnL"] for r in eps_profile["rows"])


def test_axes_refuse_what_cannot_be_profiled():
    with pytest.raises(ValueError, match="cannot profile 'm_H1': choose a free parameter"):
        make_axis(CFG, "m_H1", 0.1, 1.0, 5)
    with pytest.raises(ValueError, match=r"leaves its prior \[1e-07, 0.001\]"):
        make_axis(CFG, "eps", 1e-8, 1e-4, 5)
    with pytest.raises(ValueError, match="'mu_eff' is positive"):
        make_axis(CFG, "mu_eff", 0.0, 1e-10, 5)
    with pytest.raises(ValueError, match="from 2 to 10000 points"):
        make_axis(CFG, "eps", 1e-6, 1e-4, 1)
    with pytest.raises(ValueError, match="one or two different quantities"):
        run_profile(CFG, [make_axis(CFG, "eps", 1e-6, 1e-4, 2)] * 2)
