"""BBN and N_eff (likelihoods.bbn): the thermalisation criterion against a hand evaluation, the edges at the published
masses, the neutrinophilic A' no longer exempt, and light dark states the point thermalises."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

import likelihoods as L
from jaxtmm import load_preset
from likelihoods import bbn

P = L.with_couplings(load_preset("paper"))  # no Yukawas: the A' talks to the plasma through eps alone
(LK,) = L.build(["BBN"])


def _pt(**kw):
    return P._replace(**{k: jnp.float64(v) for k, v in kw.items()})


def test_the_thermal_edge_in_eps_against_a_hand_evaluation():
    """Gamma(A' -> e e) = alpha eps^2 m / 3 (1 + 2r) sqrt(1 - 4r) against H = sqrt(4 pi^3 10.75 / 45) m^2 / M_Pl: the edge
    at 8.5 MeV is 1.3e-9, the cited analysis's 'O(1e-9)'."""
    m, me, alpha = 0.0085, 0.51099895e-3, 1 / 137.035999084
    r = (me / m) ** 2
    H = math.sqrt(4 * math.pi**3 * 10.75 / 45) * m * m / 1.220890e19
    eps_edge = math.sqrt(H / (alpha * m / 3 * (1 + 2 * r) * math.sqrt(1 - 4 * r)))
    assert 1e-9 < eps_edge < 2e-9
    assert bool(bbn.thermal_states(_pt(m_Ap=m, eps=eps_edge * 1.001))[0])
    assert not bool(bbn.thermal_states(_pt(m_Ap=m, eps=eps_edge * 0.999))[0])


def test_a_thermal_MeV_dark_photon_is_excluded_and_the_edges_sit_at_the_published_masses():
    assert float(LK.signal_ratio(_pt(m_Ap=0.002, eps=1e-5))) > 1.0  # the issue's 2 MeV thermal A'
    assert not bool(LK.allowed(_pt(m_Ap=0.002, eps=1e-5)))
    assert float(LK.signal_ratio(_pt(m_Ap=0.002, eps=1e-12))) == 0.0  # never in equilibrium
    assert float(LK.signal_ratio(_pt(m_Ap=0.0085, eps=1e-5))) == pytest.approx(1.0, rel=1e-12)  # Ibe et al.'s edge
    assert bool(LK.allowed(_pt(m_Ap=0.02, eps=1e-5)))


def test_the_neutrinophilic_case_is_bounded_and_light_dark_states_count():
    """A' at 5 MeV decaying to N1 N2 (2 MeV each, BR(invisible) ~ 1): the old module exempted it; now the A' is judged at
    3.7 MeV (allowed) and the N's it thermalises at 3.7 MeV (excluded). At 20 MeV with 12 MeV N's, all allowed."""
    q = _pt(m_Ap=0.005, eps=1e-5, M1=0.002, M2=0.002)
    th = dict(zip(("A'",) + bbn.DARK, np.asarray(bbn.thermal_states(q))))
    assert th["A'"] and th["N1"] and th["N2"] and not th["H1"]
    assert float(bbn.bound_over_mass(q, "corrected", 0.0085, 0.0037)) == pytest.approx(0.0037 / 0.002, rel=1e-12)
    assert not bool(LK.allowed(q))
    ok = _pt(m_Ap=0.03, eps=1e-5, M1=0.012, M2=0.012)
    assert bool(bbn.thermal_states(ok)[1]) and bool(LK.allowed(ok))


def test_a_yukawa_thermalises_a_light_scalar_through_its_neutrino_decays():
    """H1 at 2 MeV decaying to nu N1 (N1 at 1 MeV) with |y| = 0.1 is fast: both thermal, excluded; |y| = 1e-12 is not."""
    base = _pt(m_Ap=0.5, eps=1e-12, m_H1=0.002, M1=0.001, M2=0.3, m_A1=0.3, m_A2=0.4, m_H2=0.4, g_D=0.0)
    fast = base._replace(y=jnp.full((2, 2), 0.1 + 0j))
    slow = base._replace(y=jnp.full((2, 2), 1e-12 + 0j))
    assert bool(bbn.thermal_states(fast)[3]) and bool(bbn.thermal_states(fast)[1]) and not bool(LK.allowed(fast))
    assert not np.any(np.asarray(bbn.thermal_states(slow))) and bool(LK.allowed(slow))
