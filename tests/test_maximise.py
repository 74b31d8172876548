"""The mu_eff maximiser: an analytic optimum, and never below the best of 1e5 random feasible points."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from fits.jobs.reference import paper_mu12_max
from fits.optimise.maximise import Maximiser, Settings
from fits.problem.config import preset_config
from likelihoods._data import LimitCurve

CONFIG = preset_config("paper")
MASSES = np.array([0.004, 0.05, 0.6])
NA64 = LimitCurve.load("na64_invisible_2023.csv")


@pytest.fixture(scope="module")
def solved():
    M = Maximiser(CONFIG, Settings())
    n = len(MASSES)
    masks = np.array([[1.0, 1.0, 0.0]] * n)  # MEG II + NA64 (BaBar off)
    out = M.run({"m_Ap": MASSES, "g_D": np.full(n, 0.05)}, masks)
    return M, out


def analytic_optimum(m_Ap, g_D):
    """The closed form of fits.jobs.reference (its derivation is there)."""
    return float(paper_mu12_max(CONFIG, NA64.eps_90(m_Ap), g_D))


def test_optimum_equals_analytic(solved):
    _M, out = solved
    for i, m in enumerate(MASSES):
        ref = analytic_optimum(m, 0.05)
        assert out.feasible[i]
        # feasibility tolerance is 1e-6 on ln r, so eps may exceed eps_90 by up to 5e-7 relative
        assert out.mu_eff_muB[i] == pytest.approx(ref, rel=1e-6)
        assert out.residual[i] <= 1e-6
        assert any(b.startswith("NA64") for b in out.binding[i])
        assert sum(b.startswith("|y_") for b in out.binding[i]) == 4  # perturbativity binds, MEG II does not
        assert out.r[i, 0] < 1e-2  # BR far below the MEG II limit at the optimum (1.7e-3 of it)


def test_never_below_best_of_1e5_random_feasible_points(solved):
    M, out = solved
    n_pts = 100_000
    for i, m in enumerate(MASSES):
        F, c = M.dual_fn({"m_Ap": m, "g_D": 0.05})
        z = M.space.sample_prior_z(jax.random.PRNGKey(100 + i), n_pts)
        cz = jax.jit(jax.vmap(c))(z)
        # make each random point feasible by scaling y (BR ~ |y|^4) and eps (NA64 ~ eps^2) down to the boundary
        y_scale = jnp.minimum(1.0, jnp.exp(-cz[:, 0] / 4.0))
        eps_shift = jnp.minimum(0.0, -cz[:, 1] / 2.0)  # z of eps is ln eps
        zf = z.at[:, :8].multiply(y_scale[:, None]).at[:, 10].add(eps_shift)
        cf = jax.jit(jax.vmap(c))(zf)
        assert float(jnp.max(cf[:, :2])) <= 1e-12  # all feasible
        best = float(jnp.max(jax.jit(jax.vmap(F))(zf)))
        assert np.exp(best) <= out.mu_eff_muB[i]
        assert np.exp(best) > 1e-3 * out.mu_eff_muB[i]  # the comparison is not vacuous


def test_reports_diagnostics(solved):
    """At each optimum the KKT residual (least-squares multipliers) is small, and the NA64 multiplier is the
    analytic 1/2: ln mu_eff grows as ln eps and ln r_NA64 as 2 ln eps, so grad F = lam grad c needs lam = 1/2."""
    _M, out = solved
    assert np.all(out.kkt < 1e-3) and np.all(np.isfinite(out.kkt))
    np.testing.assert_allclose(out.multipliers[:, 1], 0.5, rtol=1e-6)
    assert np.all(out.multipliers[:, [0, 2]] == 0.0)  # MEG II does not bind; BaBar is off
    assert out.c.shape == (len(MASSES), 3) and out.z.shape == (len(MASSES), 11)


def test_eps_ladder_crosses_the_searches_bands():
    """At 20 MeV the searches allow two eps intervals below eps = 1e-2 (under the beam dumps' band, and between
    NA64's visible band and NA48/2's limit). From a start trapped at eps = 2e-8 the ladder lands on the largest
    allowed of its log-spaced values: feasible, within one step (24%) under NA48/2's edge as the independent NumPy
    recast (likelihoods.darkphoton.recast) puts it, and the next value up excluded."""
    from jaxtmm import darkphoton as dp
    from likelihoods import darkphoton as D

    M = Maximiser(CONFIG, Settings(), likelihood_names=("A' searches",))
    a = M.space.slices[M.space.names.index("eps")][0]
    zb = np.array(M.space.sample_prior_z(jax.random.PRNGKey(3), 2))
    zb[:, a] = np.log(2e-8)
    ov = {"m_Ap": jnp.array([0.02, 0.02]), "g_D": jnp.array([0.5, 0.05])}  # the overrides: a pytree, one row each
    z = M._eps_ladder(zb, ov, jnp.ones((2, 1)))[:, 0]
    eps = np.exp(z[:, a])
    step = np.exp((np.log(1e-2) - np.log(1e-8)) / (Settings().ladder - 1))
    for i in range(2):
        p = M.point(jnp.asarray(z[i]), {k: v[i] for k, v in ov.items()})
        edge = D.recast("NA48_Batley2015lha", 0.02, invisible_width=float(dp.dark_width(p)))[0]
        assert edge / step < eps[i] <= edge
        _F, c = M.dual_fn({"m_Ap": 0.02, "g_D": float(ov["g_D"][i])})
        assert float(c(jnp.asarray(z[i]))[0]) <= 0.0
        assert float(c(jnp.asarray(z[i]).at[a].add(np.log(step)))[0]) > 0.0


def test_y_push_reaches_the_bound_with_the_phases():
    """The pushed starts: every coupling at its bound with its phase kept; from orthogonal Yukawa rows at half the
    bound (MEG II's BR = 0) the best feasible push is all four, and ln mu_eff grows by exactly ln 4 (mu_12 ~ |det y|
    in the corrected convention, derivation.md section 11)."""
    M = Maximiser(CONFIG, Settings())
    R = float(CONFIG.free["y_e1"].max)
    y = 0.5 * R * np.array([[1.0, 1j], [1j, 1.0]])  # rows (e, mu): sum_a y_ea y*_mua = 0
    z = np.zeros(M.space.dim)
    for name, (a, b) in zip(M.space.names, M.space.slices):
        if name.startswith("y_"):
            alpha, col = name[2:-1], int(name[-1]) - 1
            v = y[0 if alpha == "e" else 1, col]
            z[a:b] = (v.real, v.imag)
        elif name == "eps":
            z[a] = np.log(1e-6)
        else:
            z[a] = 0.3 if name == "theta_R" else 1.2
    ov = {"m_Ap": jnp.array([0.05]), "g_D": jnp.array([0.05])}
    masks = jnp.ones((1, len(M.lk_names)))
    best, every = M._y_push(z[None], ov, masks)
    for name, (a, b) in zip(M.space.names, M.space.slices):
        if name.startswith("y_"):
            w = complex(*every[0, a:b])
            v = complex(*z[a:b])
            assert abs(w) == pytest.approx(R, rel=1e-11) and np.angle(w) == pytest.approx(np.angle(v), abs=1e-12)
    np.testing.assert_allclose(best[0], every[0], rtol=0, atol=0)
    F, c = M.dual_fn({"m_Ap": 0.05, "g_D": 0.05})
    assert float(jnp.max(c(jnp.asarray(best[0])))) <= 0.0
    assert float(F(jnp.asarray(best[0])) - F(jnp.asarray(z))) == pytest.approx(np.log(4.0), rel=1e-9)
