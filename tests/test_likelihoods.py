"""Likelihoods: the CL boundary sits exactly at each published limit, monotone in the signal, data handled
as published (interpolated in log-log, never extrapolated), the Borexino recast against mpmath."""

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import likelihoods as L
from jaxtmm import invisible_open, load_preset, mu_eff_pair, mu_eff_solar, to_mu_B
from likelihoods._data import LimitCurve
from likelihoods.borexino import endpoint

DATA = Path(__file__).parent / "data"
P = load_preset("paper")


def test_statistical_model_thresholds_against_scipy():
    hn, po = L.HalfNormal(0.9), L.ZeroObservedPoisson(0.9)
    assert hn.threshold == pytest.approx(stats.norm.ppf(0.9) ** 2, rel=1e-14)
    assert hn.z == pytest.approx(1.2815515655446004, rel=1e-14)
    # zero observed: P(0 | s_up) = 1 - CL
    assert stats.poisson.pmf(0, po.s_up) == pytest.approx(0.1, rel=1e-14)
    assert po.threshold == pytest.approx(2 * math.log(10), rel=1e-15)
    # a half-normal's threshold is a chi2(1) quantile at 2 CL - 1 (one-sided limit)
    assert hn.threshold == pytest.approx(stats.chi2.ppf(0.8, 1), rel=1e-12)


def _at_limit_meg(year):
    br90 = {"2023": 3.1e-13, "2025": 1.5e-13}[year]
    lk = L.meg_ii.likelihood(year)
    scale = (br90 / float(lk.value(P))) ** 0.25  # BR ~ |y|^4
    return lk, P._replace(y=P.y * scale)


@pytest.mark.parametrize("year", ["2023", "2025"])
def test_meg_boundary_at_published_limit(year):
    lk, p = _at_limit_meg(year)
    assert float(lk.value(p)) == pytest.approx({"2023": 3.1e-13, "2025": 1.5e-13}[year], rel=1e-14)
    assert abs(float(lk.test_statistic(p)) - lk.threshold) <= 1e-12 * lk.threshold


@pytest.mark.parametrize(
    "make,file", [(L.na64.likelihood, "na64_invisible_2023.csv"), (L.babar.likelihood, "babar_invisible_2017.csv")]
)
def test_epsilon_boundary_at_every_tabulated_point(make, file):
    lk = make()
    curve = LimitCurve.load(file)
    pts = jax.vmap(lambda m, e: P._replace(m_Ap=m, eps=e))(jnp.asarray(curve.mass), jnp.asarray(curve.eps))
    q = jax.vmap(lk.test_statistic)(pts)
    assert np.max(np.abs(np.asarray(q) - lk.threshold)) <= 1e-12 * lk.threshold
    # between tabulated masses: straight line in (log m, log eps), computed here independently
    k = len(curve.mass) // 2
    m = curve.mass[k] ** 0.7 * curve.mass[k + 1] ** 0.3  # strictly inside the interval
    t = (math.log(m) - math.log(curve.mass[k])) / (math.log(curve.mass[k + 1]) - math.log(curve.mass[k]))
    eps = math.exp((1 - t) * math.log(curve.eps[k]) + t * math.log(curve.eps[k + 1]))
    assert abs(float(lk.test_statistic(P._replace(m_Ap=m, eps=eps))) - lk.threshold) <= 1e-12 * lk.threshold


@pytest.mark.parametrize("moment", ["solar", "12", "23"])
def test_borexino_boundary_at_recast_limit(moment):
    lk = L.borexino.likelihood(moment=moment)
    for m in (1e-5, 0.02, 3.0):
        p = P._replace(m_Ap=m, eps=1.0)
        eps = float(L.recast_limit(m)) / float(lk.value(p))
        q = float(lk.test_statistic(p._replace(eps=eps)))
        assert abs(q - lk.threshold) <= 1e-12 * lk.threshold


def test_monotone_in_the_signal():
    scales = jnp.logspace(-2, 1, 60)
    for lk in L.default_likelihoods():
        if lk.name == "MEG II":
            pts = jax.vmap(lambda s: P._replace(y=P.y * s))(scales)
        else:
            pts = jax.vmap(lambda s: P._replace(eps=P.eps * s, m_Ap=0.05))(scales)
        r = np.asarray(jax.vmap(lk.signal_ratio)(pts))
        q = np.asarray(jax.vmap(lk.test_statistic)(pts))
        logL = np.asarray(jax.vmap(lk.log_likelihood)(pts))
        assert np.all(np.diff(r) > 0) and np.all(np.diff(q) > 0) and np.all(np.diff(logL) < 0), lk.name
        assert np.all(np.asarray(jax.vmap(lk.allowed)(pts)) == (r <= 1))


@pytest.mark.parametrize("make,lo,hi", [(L.na64.likelihood, 1.055e-3, 1.409), (L.babar.likelihood, 1e-3, 8.0)])
def test_no_constraint_outside_the_curve(make, lo, hi):
    lk = make()
    for m in (lo * 0.999, hi * 1.001, 50.0):
        p = P._replace(m_Ap=m, eps=1.0)
        assert float(lk.signal_ratio(p)) == 0.0 and float(lk.log_likelihood(p)) == 0.0 and not bool(lk.applies(p))
    for m in (lo, hi):
        assert bool(lk.applies(P._replace(m_Ap=m)))


def test_data_files_keep_their_headers():
    for file, valid in (
        ("na64_invisible_2023.csv", "1.055e-3 to 1.409 GeV"),
        ("babar_invisible_2017.csv", "1.0e-3 to 8.0 GeV"),
    ):
        c = LimitCurve.load(file)
        text = " ".join(c.header)
        assert "90% CL" in text and "arXiv:" in text and valid in text
        lo, hi = (float(v) for v in valid.replace(" GeV", "").split(" to "))
        assert (c.m_min, c.m_max) == (lo, hi)


def test_recast_against_mpmath():
    ref = json.loads((DATA / "borexino_reference.json").read_text())
    worst = 0.0
    for c in ref["cases"]:
        got = float(L.recast_limit(c["m_Ap"], c["T_min"], c["E_nu"], c["T_max"]))
        worst = max(worst, abs(got / float(c["mu_lim_muB"]) - 1))
    assert worst <= 1e-12  # the requirement is 1e-8
    assert min(c["m_Ap"] for c in ref["cases"]) <= 1e-6 and max(c["m_Ap"] for c in ref["cases"]) >= 10.0


def test_recast_limits():
    """F -> 1 for m^2 << 2 m_e T (the massless limit); mu_lim ~ m^2 for m^2 >> 2 m_e T_max."""
    assert float(L.recast_limit(1e-7)) == pytest.approx(2.8e-11, rel=1e-6)
    assert float(L.recast_limit(10.0) / L.recast_limit(1.0)) == pytest.approx(100.0, rel=1e-6)
    assert endpoint(862e-6) == pytest.approx(665e-6, rel=2e-3)
    assert np.all(np.isfinite(jax.vmap(jax.grad(L.recast_limit))(jnp.logspace(-6, 1, 30))))


@pytest.mark.parametrize(
    "kw,msg",
    [
        (dict(T_min=-1e-5), "T_min must be a positive"),
        (dict(T_max=1e-3), "above the endpoint"),
        (dict(T_min=6e-4, T_max=5e-4), "must be below T_max"),
        (dict(E_nu=float("nan")), "E_nu must be a positive"),
    ],
)
def test_recast_window_errors(kw, msg):
    with pytest.raises(ValueError, match=msg):
        L.recast_limit(0.01, **kw)


def test_option_errors():
    with pytest.raises(ValueError, match="2023, 2025"):
        L.meg_ii.likelihood("2019")
    with pytest.raises(ValueError, match="moment must be"):
        L.borexino.likelihood(moment="11")
    with pytest.raises(ValueError, match="invisible"):
        L.na64.likelihood("sometimes")


def test_moment_choices_use_the_right_observable():
    p = P._replace(m_Ap=0.05)
    assert float(L.borexino.likelihood(moment="solar").value(p)) == pytest.approx(
        float(to_mu_B(mu_eff_solar(p))), rel=1e-14
    )
    assert float(L.borexino.likelihood(moment="13", convention="paper").value(p)) == pytest.approx(
        float(to_mu_B(mu_eff_pair(p, 1, 3, "paper"))), rel=1e-14
    )


def test_invisible_condition_and_drop_option():
    # paper benchmark: M1 + M2 = 0.2 GeV, lightest scalar pair 0.6 GeV
    assert not bool(invisible_open(P._replace(m_Ap=0.15)))
    assert bool(invisible_open(P._replace(m_Ap=0.25)))
    assert bool(invisible_open(P._replace(m_Ap=0.25, M2=0.2))) is False
    assert bool(invisible_open(P._replace(m_Ap=0.65, M1=0.5, M2=0.5)))  # via H1 + A1 = 0.6
    p = P._replace(m_Ap=0.1, eps=1e-3)
    assert float(L.na64.likelihood("apply").signal_ratio(p)) > 1  # the paper's reading: applied anyway
    assert float(L.na64.likelihood("drop").signal_ratio(p)) == 0.0
    assert float(L.na64.likelihood("drop").signal_ratio(p._replace(m_Ap=0.25))) > 1


def test_gradients_finite_everywhere_allowed():
    lks = L.default_likelihoods()

    def total(yr, yi, q):
        return L.total_log_likelihood(q._replace(y=yr + 1j * yi), lks)

    points = [
        P,
        P._replace(eps=0.0),  # no mixing: mu_eff = 0
        P._replace(m_H2=0.3, m_A2=0.3),  # degenerate scalars: mu = 0
        P._replace(m_Ap=20.0),  # outside NA64 and BaBar
        P._replace(m_Ap=0.001055),  # NA64's first point
        P._replace(M1=0.3, M2=0.3, m_H1=0.3, m_A1=0.3),
    ]
    for q in points:
        args = (jnp.real(q.y), jnp.imag(q.y), q._replace(y=jnp.zeros((2, 2))))
        g = jax.jit(jax.grad(total, argnums=(0, 1, 2)))(*args)
        for leaf in jax.tree_util.tree_leaves(g):
            assert np.all(np.isfinite(np.asarray(leaf)))
    assert float(L.total_log_likelihood(P, lks)) == pytest.approx(sum(float(lk(P)) for lk in lks), rel=1e-15)


def test_report_rows():
    rows = L.report(P, L.default_likelihoods())
    assert [r["experiment"] for r in rows] == ["MEG II", "NA64", "BaBar", "Borexino"]
    for r in rows:
        assert r["allowed"] == (r["signal_ratio"] <= 1) and r["cl"] == 0.9 and "arXiv:" in r["citation"]
    assert rows[1]["invisible_open"] is False and rows[0]["invisible_open"] is None


def test_registry_is_the_one_list():
    """Config options, the CLI's choices, the sets and the docs' table all come from the registry and the
    library's constants; no attribute of a package shadows one of its modules."""
    import importlib
    import pkgutil
    from pathlib import Path

    import fits
    import jaxtmm
    from fits.problem.config import OPTIONS, parse_config
    from jaxtmm.observables import MOMENTS
    from likelihoods import registry

    assert registry.names()[:4] == ("MEG II", "NA64", "BaBar", "Borexino") == registry.constraint_set("paper")
    assert registry.constraint_set("complete") == tuple(n for n in registry.names() if registry.REGISTRY[n].sets)
    assert OPTIONS["convention"] is jaxtmm.CONVENTIONS and OPTIONS["moment"] is MOMENTS
    for name, choices in OPTIONS.items():  # each declared once, in likelihoods.registry.Options
        assert choices is registry.OPTION_FIELDS[name].metadata["choices"]
    assert L.g2_electron.ALPHAS == OPTIONS["alpha_e"] and L.neutrino_mass.BOUNDS == OPTIONS["nu_mass_bound"]
    assert OPTIONS["meg_year"] == ("auto",) + L.meg_ii.YEARS
    assert OPTIONS["invisible"] == ("auto",) + registry.INVISIBLE
    for pkg in (jaxtmm, L, fits):
        for mod in pkgutil.iter_modules(pkg.__path__):
            attr = getattr(pkg, mod.name, None)
            if attr is not None:
                assert attr is importlib.import_module(f"{pkg.__name__}.{mod.name}"), (pkg.__name__, mod.name)
    doc = (Path(__file__).parents[1] / "docs" / "likelihoods.md").read_text()
    assert registry.markdown_table() in doc  # regenerate with `python -m likelihoods.registry`
    raw = {
        "options": {"likelihoods": "complete"},
        "fixed": dict(
            {
                "m_H1": 0.3,
                "m_A1": 0.3,
                "m_H2": 0.4,
                "m_A2": 0.4,
                "M1": 0.1,
                "M2": 0.1,
                "M_E": 2000.0,
                "g_D": 0.5,
                "m_Ap": 0.05,
                "y_e1": [0.1, 0.0],
                "y_e2": [0.1, 0.0],
                "y_mu1": [0.1, 0.0],
                "y_mu2": [0.1, 0.0],
                "theta_R": 0.0,
                "theta_I": 0.5,
                "eps": 1e-5,
            }.items()
        ),
    }
    assert parse_config(raw).likelihoods == registry.constraint_set("complete")
    with pytest.raises(ValueError, match="unknown constraint"):
        parse_config({**raw, "options": {"likelihoods": ["MEG II", "LEP"]}})


def test_an_experiment_registers_where_it_is_defined():
    from likelihoods import registry

    @registry.register("Test limit", group="test", data_file="meg_ii.toml", scales="BR", sets=("complete",), rank=99)
    def build(options):
        return L.meg_ii.likelihood("2025")

    try:
        assert "Test limit" in registry.constraint_set("complete") and "Test limit" not in registry.constraint_set(
            "paper"
        )
        (lk,) = registry.build(["Test limit"])
        assert lk.name == "MEG II" and "Test limit" in registry.markdown_table()
    finally:
        del registry.REGISTRY["Test limit"]
