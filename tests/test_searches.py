"""likelihoods.searches: every dark-photon search as a differentiable likelihood. Its boundary r = 1 is the published
curve for a standard dark photon and the edge of the independent NumPy recast (likelihoods.darkphoton.recast, root
finding by bisection) for a point with dark decays; gradients finite everywhere; the registry and the invisible
option."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import likelihoods as L
from jaxtmm import darkphoton as dp
from jaxtmm import load_preset
from likelihoods import darkphoton as D
from likelihoods import registry
from likelihoods import searches as S

P = load_preset("paper")
M_E = 0.51099895e-3


def _batch(lk, fn=None):
    """``fn(lk, point)`` (default the signal ratio) vmapped over (m_A', eps, Yukawa scale, g_D, M1 = M2)."""
    fn = fn or (lambda lk, q: lk.signal_ratio(q))

    def one(m, e, ys, g, mN):
        return fn(lk, P._replace(m_Ap=m, eps=e, y=P.y * ys, g_D=g, M1=mN, M2=mN))

    return jax.jit(jax.vmap(one))


def _masses(lim, n, rng):
    """Nodes with a published limit (once-listed, above 2 m_e) and log-uniform masses between them."""
    uniq, counts = np.unique(lim.mass, return_counts=True)
    ok = np.isfinite(lim.lower) & np.isin(lim.mass, uniq[counts == 1]) & (lim.mass > 2 * M_E)
    nodes = lim.mass[ok][:: max(1, ok.sum() // n)][:n]
    between = np.exp(rng.uniform(np.log(max(lim.mass[0], 2.2 * M_E)), np.log(lim.mass[-1]), n))
    return np.concatenate([nodes, between])


ALL = S.search_set(names=S.SEARCHES)  # every search, g-2 included, in one compiled function
_RATIOS = _batch(ALL, lambda lk, q: lk.ratios(q))


def RATIOS(*cols):
    """Every search's signal ratio at the points given by columns."""
    return np.asarray(_RATIOS(*(jnp.asarray(c, dtype=float) for c in cols)))


DARK = _batch(None, lambda _, q: dp.dark_width(q))
#: (Yukawa scale, g_D, M1 = M2): a standard dark photon, the benchmark, large couplings, and light N (A' -> N1 N2 open)
COUPLINGS = ((1.0, 0.0, 0.1), (1.0, 0.5, 0.1), (30.0, 0.5, 0.1), (1.0, 0.05, 0.005))


def _edge_cases():
    """(search index, m, eps, Yukawa scale, g_D, M1) on every finite recast edge, for the couplings of
    :data:`COUPLINGS` at eight masses on nodes and eight between, for every search."""
    cases = []
    for j, name in enumerate(S.SEARCHES):
        ms = _masses(D.load(name), 8, np.random.default_rng(j))
        cases += [(j, m, 0.0, *c) for c in COUPLINGS for m in ms]
    cases = np.array(cases)
    width = np.asarray(DARK(*(jnp.asarray(cases[:, k]) for k in (1, 2, 3, 4, 5))))
    rows = []
    for (j, m, _, ys, g, mN), w in zip(cases, width):
        name = S.SEARCHES[int(j)]
        lo, hi = D.recast(name, m, invisible_width=w)
        rows += [(j, m, e, ys, g, mN) for e in (lo, hi) if np.isfinite(e)]
        if g == 0.0 and D.load(name).kind != "invisible" and m in D.load(name).mass:
            assert np.isfinite(lo), (name, m)  # a standard dark photon: every node with a limit has an edge
    return np.array(rows)


def test_every_search_boundary_is_the_recast_edge():
    """r = 1 on the independent NumPy recast's edges: for g_D = 0 these are the published curve (to 1e-9,
    tests/test_darkphoton_recast.py); with dark decays, the edges with ``invisible_width`` = the point's dark width."""
    c = _edge_cases()
    j = c[:, 0].astype(int)
    r = np.asarray(RATIOS(*(jnp.asarray(c[:, k]) for k in (1, 2, 3, 4, 5))))[np.arange(len(c)), j]
    bad = np.abs(r - 1.0) > 1e-8
    assert not bad.any(), [(S.SEARCHES[j[i]], *c[i, 1:], r[i]) for i in np.flatnonzero(bad)[:5]]
    assert set(j) == set(range(len(S.SEARCHES)))  # every search was tested
    assert len(c) > 1000


def test_band_interior_and_outside():
    """Inside a beam-dump band r > 1, outside r < 1; above a prompt limit r > 1; no constraint outside the curve or
    below 2 m_e."""

    def r(name, m, eps):  # masses fixed at the benchmark's, the standard dark photon (g_D = 0)
        f = jax.jit(jax.vmap(lambda m, e: S.likelihood(name).signal_ratio(P._replace(m_Ap=m, eps=e, g_D=0.0))))
        return np.asarray(f(jnp.asarray(m, dtype=float), jnp.asarray(eps, dtype=float)))

    lo, hi = D.recast("E137_Andreas2012mt", 0.02)
    v = r("E137_Andreas2012mt", [0.02] * 4, [lo / 2, np.sqrt(lo * hi), hi * 1.5, 1e-3])
    assert v[0] < 1 < v[1] and v[2] < 1 and v[3] < 1e-10
    lo, _ = D.recast("NA48_Batley2015lha", 0.05)
    v = r("NA48_Batley2015lha", [0.05, 0.05, 0.2, 1e-3], [lo / 2, 2 * lo, 1.0, 1.0])
    np.testing.assert_allclose(v[:2], [0.25, 4.0], rtol=1e-12)  # eps^2 scaling with no dark decay
    assert v[2] == 0.0 and v[3] == 0.0  # above the curve's mass range; below 2 m_e


@pytest.mark.parametrize("name", ["KLOE_Anastasi2015qla", "E137_Andreas2012mt", "NA62_CortinaGil2019nuo"])
def test_gradients_finite_and_equal_to_finite_differences(name):
    """d lnL / d(eps, m_A', g_D) at eps = 0 and across the band, against central differences in the interior."""
    lk = S.likelihood(name)
    lim = D.load(name)
    m = {"E137_Andreas2012mt": 0.0234}.get(name, float(np.sqrt(lim.mass[0] * lim.mass[-1])))
    mN = 0.01 if lim.kind == "invisible" else 0.1  # NA62: A' -> N1 N2 open above 20 MeV
    # Yukawas at 0.3 of the benchmark's: with A' -> nu nu through the vector form factor (jaxtmm.vertex), the benchmark's
    # own couplings make the A' invisible enough at 23 MeV that E137 sets no limit at all
    q = P._replace(y=P.y * 0.3, M1=mN, M2=mN)
    fn = jax.jit(lambda v: lk.log_likelihood(q._replace(eps=v[0], m_Ap=v[1], g_D=v[2])))
    grad = jax.jit(jax.grad(fn))
    w = float(DARK(*(jnp.array([v]) for v in (m, 0.0, 0.3, 0.5, mN)))[0])
    lo, _hi = D.recast(name, m, invisible_width=w)
    assert np.isfinite(lo)
    for e in (0.0, 1e-12, 1e-7, 1e-4, 1e-2, 0.3):
        assert np.all(np.isfinite(np.asarray(grad(jnp.array([e, m, 0.5])))))
    e = 0.8 * lo
    v = np.array([e, m, 0.5])
    g = np.asarray(grad(jnp.asarray(v)))
    for i, h in enumerate((e * 1e-6, m * 1e-7, 1e-6)):
        d = np.zeros(3)
        d[i] = h
        fd = (float(fn(jnp.asarray(v + d))) - float(fn(jnp.asarray(v - d)))) / (2 * h)
        assert g[i] == pytest.approx(fd, rel=1e-5, abs=1e-9 * abs(g[0] * e)), (name, i)


def test_registry_sets_and_the_invisible_option():
    complete = registry.constraint_set("complete")
    assert S.SET_NAME in complete and S.SET_NAME not in registry.constraint_set("paper")
    for n in S.SEARCHES:  # each by name in no set; the complete set has all but g-2 ((g-2)_l supersede them) as one
        assert n in registry.names() and n not in complete
        assert (n in S.IN_COMPLETE) == (D.load(n).kind != "g-2")
    (one,) = L.build([S.SET_NAME])
    assert one.members == S.IN_COMPLETE
    q = P._replace(m_Ap=0.02, eps=3e-6)  # inside the beam-dump bands: the sum of the members' test statistics
    parts = one.member_parts(q)
    assert float(one.test_statistic(q)) == pytest.approx(parts["q"].sum(), rel=1e-12)
    assert float(one.signal_ratio(q)) == pytest.approx(parts["ratio"].max(), rel=1e-13)
    e137 = one.members.index("E137_Andreas2012mt")  # one member alone gives the same as in the set
    assert float(one.member("E137_Andreas2012mt").signal_ratio(q)) == pytest.approx(parts["ratio"][e137], rel=1e-12)
    assert registry.invisible_mode("auto", "paper") == "apply"
    assert registry.invisible_mode("auto", ["MEG II", "NA64"]) == "apply"
    assert registry.invisible_mode("auto", "complete") == "physics"
    assert registry.invisible_mode("drop", "complete") == "drop"
    # physics: NA64's signal scales with the point's BR(invisible); apply: BR = 1
    q = P._replace(m_Ap=0.3, eps=1e-4)  # above M1 + M2 = 0.2 GeV: A' -> N1 N2 open
    (na64_apply,) = L.build(["NA64"], L.Options(invisible="apply"))
    (na64_phys,) = L.build(["NA64"], L.Options(invisible="physics"))
    br = float(dp.invisible_fraction(q))
    assert 0.99 < br < 1.0
    assert float(na64_phys.signal_ratio(q)) == pytest.approx(br * float(na64_apply.signal_ratio(q)), rel=1e-12)
    low = P._replace(m_Ap=0.02, eps=1e-4, y=P.y * 0.01)  # below threshold, tiny Yukawas: BR(nu nu) ~ 1e-9
    assert float(dp.invisible_fraction(low)) == pytest.approx(
        float(dp.width_nu_nu(low)) / float(jnp.sum(dp.sm_widths(0.02, 1e-4)) + dp.width_nu_nu(low)), rel=1e-12
    )
    assert float(na64_phys.signal_ratio(low)) == pytest.approx(
        float(dp.invisible_fraction(low)) * float(na64_apply.signal_ratio(low)), rel=1e-12
    )
    assert float(na64_phys.signal_ratio(low)) < 1e-8 * float(na64_apply.signal_ratio(low))
    g = jax.grad(lambda e: na64_phys.log_likelihood(low._replace(eps=e)))
    assert np.isfinite(float(g(0.0))) and np.isfinite(float(g(1e-4)))


def test_bbn_in_the_complete_set():
    """BBN is in the complete set (stop 21; before, by name only): r = 1 at 8.5 MeV for an A' decaying to e+e- (Ibe et al.
    2020), (m_min / m)^10 below; an A' that decays mostly to dark states is no longer exempt: the 1 MeV N's it makes
    are thermal and below 3.7 MeV (tests/test_bbn.py has the criterion itself)."""
    assert "BBN" in registry.constraint_set("complete")
    (bbn,) = L.build(["BBN"])
    q = P._replace(g_D=0.0, eps=1e-5)
    assert float(bbn.signal_ratio(q._replace(m_Ap=0.0085))) == pytest.approx(1.0, rel=1e-12)
    assert float(bbn.signal_ratio(q._replace(m_Ap=0.0085 / 2))) == pytest.approx(2.0**10, rel=1e-12)
    dark = P._replace(m_Ap=0.005, eps=1e-8, M1=0.001, M2=0.001, g_D=0.5)  # A' -> N1 N2 dominates
    assert float(dp.invisible_fraction(dark)) > 0.99 and float(bbn.signal_ratio(dark)) == pytest.approx(
        3.7**10, rel=1e-12
    )


def test_the_set_gradient_is_finite_everywhere():
    """d lnL / d(m_A', eps, g_D, theta_R) of the whole set at 64 points from 1 MeV to 10 GeV, eps = 0 included:
    the searches that do not apply must not poison it (every branch of every where is finite)."""
    rng = np.random.default_rng(7)
    m = np.exp(rng.uniform(np.log(1e-3), np.log(10.0), 64))
    eps = np.concatenate([[0.0] * 4, np.exp(rng.uniform(np.log(1e-10), np.log(1e-1), 60))])
    lk = S.search_set()
    g = jax.jit(
        jax.vmap(jax.grad(lambda v: lk.log_likelihood(P._replace(m_Ap=v[0], eps=v[1], g_D=v[2], theta_R=v[3]))))
    )
    x = jnp.stack([jnp.asarray(m), jnp.asarray(eps), jnp.full(64, 0.5), jnp.full(64, 0.3)], axis=-1)
    assert np.isfinite(np.asarray(g(x))).all()
