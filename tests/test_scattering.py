"""likelihoods.scattering and jaxtmm.mu_eff_flavour: neutrino-electron scattering beyond Borexino.

References: mpmath with the recoil integral in closed form (tests/make_reference_scattering.py) for the flux average;
the seed paper's Borexino recast (likelihoods.borexino, itself checked against mpmath) for a single line; the
threshold recast's closed form; the flavour moment's closed form in the flavour-basis Yukawas (derivation.md 11).
"""

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxtmm import PMNS, load_preset, loop_sum, mu_eff_flavour, mu_eff_solar
from likelihoods import borexino as B
from likelihoods import registry
from likelihoods import scattering as S

P = load_preset("paper")
M_E = 0.51099895e-3
M_MU = 0.1056583755
REF = json.loads((Path(__file__).parent / "data" / "scattering_reference.json").read_text())


def test_flux_average_matches_mpmath():
    """A continuous spectrum (mu+ decay-at-rest anti-nu_mu) over two windows, one cut by the endpoints on both edges:
    R(m)/R(0) from Gauss-Legendre lines in E and nodes in ln T against mpmath's closed-form recoil integral."""
    worst = 0.0
    for T_min, T_max in {(c["T_min"], c["T_max"]) for c in REF["cases"]}:
        lines = S.spectrum_lines(lambda E: E**2 * (3 - 4 * E / M_MU), 0.0, M_MU / 2, T_min, T_max)
        tab = S.window_table(lines, T_min, T_max)
        cases = [c for c in REF["cases"] if (c["T_min"], c["T_max"]) == (T_min, T_max)]
        got = np.asarray(S.suppression(np.array([c["m_Ap"] for c in cases]), tab))
        want = np.array([float(c["suppression"]) for c in cases])
        worst = max(worst, float(np.max(np.abs(got / want - 1))))
    assert worst < 1e-13, worst  # measured 2.2e-15


def test_single_line_is_the_papers_borexino_recast():
    """The 7Be line through window_table gives likelihoods.borexino.recast_limit (Eq. 3.10) to rounding."""
    m = np.logspace(-6, 1, 71)
    tab = S.window_table([(B.E_NU_DEFAULT, 1.0)], B.T_MIN_DEFAULT)
    got = B.MU_BOREXINO / np.sqrt(np.asarray(S.suppression(m, tab)))
    np.testing.assert_allclose(got, np.asarray(B.recast_limit(m)), rtol=1e-14)


def test_threshold_recast_closed_form_and_bound():
    """Threshold recast = mu_0 (1 + m^2 / (2 m_e T_min)) exactly; it is the weakest limit any flux implies (every
    window recast lies below it), and it tends to mu_0 for a light A'."""
    m = np.logspace(-7, 1, 81)
    for name in S.EXPERIMENTS:
        d = S.experiment(name)
        mu0, T = d["mu_90_muB"], d["T_min_GeV"]
        np.testing.assert_allclose(np.asarray(S.recast_limit(m, name)), mu0 * (1 + m**2 / (2 * M_E * T)), rtol=1e-14)
    rng = np.random.default_rng(11)
    for _ in range(20):
        T_min = 10 ** rng.uniform(-6, -2)
        T_max = T_min * 10 ** rng.uniform(0.1, 2)
        lines = [(min(10 ** rng.uniform(-3, 0), 1.0) + S.min_energy(T_min), rng.uniform(0.1, 1)) for _ in range(3)]
        window = np.asarray(S.suppression(m, S.window_table(lines, T_min, T_max)))
        thresh = np.asarray(S.suppression(m, S.threshold_table(T_min)))
        assert np.all(window >= thresh * (1 - 1e-13)) and np.all(window <= 1 + 1e-13)


def test_window_entry_of_the_data_file(monkeypatch):
    """A data-file entry with recast = "window" and flux lines is Eq. 3.10 over its window (here Borexino's own)."""
    entry = {
        "mu_90_muB": 2.8e-11,
        "cl": 0.9,
        "citation": "test",
        "arxiv": "",
        "flux": "7Be",
        "beam": "e",
        "T_min_GeV": B.T_MIN_DEFAULT,
        "recast": "window",
        "lines": [[B.E_NU_DEFAULT, 1.0]],
    }
    monkeypatch.setitem(S._D, "Test", entry)
    m = np.logspace(-5, 0, 11)
    np.testing.assert_allclose(np.asarray(S.recast_limit(m, "Test")), np.asarray(B.recast_limit(m)), rtol=1e-14)
    monkeypatch.setitem(S._D, "Test", {**entry, "recast": "guess"})
    with pytest.raises(ValueError, match="recast of Test must be one of"):
        S.recast_limit(1e-3, "Test")


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="no flux line reaches"):
        S.window_table([(100e-6, 1.0)], 1e-3)  # a 100 keV line cannot give 1 MeV recoils
    with pytest.raises(ValueError, match=r"T_min = .* must be below"):
        S.window_table([(1e-3, 1.0)], 2e-4, 1e-4)
    with pytest.raises(ValueError, match="positive number"):
        S.threshold_table(-1.0)
    with pytest.raises(ValueError, match="energy must be positive"):
        S.window_table([(float("nan"), 1.0)], 1e-5)
    with pytest.raises(ValueError, match="unknown scattering experiment"):
        S.recast_limit(1e-3, "XENONnT")
    with pytest.raises(ValueError, match="finite and >= 0"):
        S.recast_limit(np.array([1e-3, -1e-3]), "GEMMA")


def _pref(p):
    return p.g_D * p.Q_S / (128 * math.pi**2) * math.sin(2 * (p.theta_I - p.theta_R)) * complex(loop_sum(p))


def test_flavour_moment_closed_form():
    """Corrected convention: sum_i U*_ai lambda-rotation undoes the PMNS, so mu_e = mu_mu = |eps pref det y| and
    mu_tau = 0 for any mixing (derivation.md 11); the three flavours sum to eps^2 sum_ij |A_ij|^2."""
    rng = np.random.default_rng(5)
    for _k in range(6):
        y = (rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))) * 10 ** rng.uniform(-3, 0)
        pm = PMNS(*(rng.uniform(0, 2 * np.pi, 6)))
        p = P._replace(y=jnp.asarray(y), pmns=pm, eps=10 ** rng.uniform(-6, -2))
        det = abs(y[0, 0] * y[1, 1] - y[0, 1] * y[1, 0])
        want = p.eps * abs(_pref(p)) * det
        got = [float(mu_eff_flavour(p, f)) for f in ("e", "mu", "tau")]
        np.testing.assert_allclose(got[:2], [want, want], rtol=1e-12)
        assert got[2] < 1e-12 * want
    from jaxtmm import moment_amplitude

    A = np.asarray(moment_amplitude(P))
    for conv in ("corrected", "paper"):
        tot = sum(float(mu_eff_flavour(P, f, conv)) ** 2 for f in ("e", "mu", "tau"))
        from jaxtmm.observables import _paper_mu_ij

        M = A if conv == "corrected" else np.asarray(_paper_mu_ij(P))
        np.testing.assert_allclose(tot, P.eps**2 * np.sum(np.abs(M) ** 2), rtol=1e-12)
    with pytest.raises(ValueError, match="flavour must be one of"):
        mu_eff_flavour(P, "x")


def test_flavour_and_solar_moments_differ_and_agree_without_mixing():
    """With no mixing (U = 1) nu_e is the mass state 1: the flavour moment is the solar one. With NuFIT mixing the
    coherent flavour sum and the incoherent solar mixture differ at the benchmark."""
    p0 = P._replace(pmns=PMNS(0.0, 0.0, 0.0, 0.0))
    np.testing.assert_allclose(float(mu_eff_flavour(p0, "e")), float(mu_eff_solar(p0)), rtol=1e-13)
    assert abs(float(mu_eff_flavour(P, "e")) / float(mu_eff_solar(P)) - 1) > 1e-3


def test_likelihoods_registered_and_differentiable():
    """GEMMA and TEXONO are in the complete set (not the paper's); ln L and its gradient are finite at the benchmark,
    at eps = 0 and at degenerate scalars (mu = 0); r = (mu_equiv / mu_lim)^2 (mu_equiv by hand: tests/test_nue.py)."""
    assert {"GEMMA", "TEXONO"} <= set(registry.constraint_set("complete"))
    assert not {"GEMMA", "TEXONO"} & set(registry.constraint_set("paper"))
    for lk in registry.build("GEMMA,TEXONO"):
        r = float(lk.signal_ratio(P))
        want = (float(S.mu_equivalent(P, lk.name)) / float(S.recast_limit(P.m_Ap, lk.name))) ** 2
        assert r == pytest.approx(want, rel=1e-13)
        assert float(S.mu_equivalent(P._replace(g_D=jnp.float64(0.0)), lk.name)) == 0.0  # moment and F vanish with g_D
        for q in (P, P._replace(eps=0.0), P._replace(m_A2=P.m_A1, m_H2=P.m_H1)):
            g = jax.grad(lambda p: lk.log_likelihood(p), allow_int=True)(q)
            leaves = [x for x in jax.tree_util.tree_leaves(g) if jnp.issubdtype(jnp.asarray(x).dtype, jnp.inexact)]
            assert all(bool(jnp.all(jnp.isfinite(x))) for x in leaves)
