"""The LHC on E (likelihoods.lhc_heavy_lepton): the published bound in force follows E's branching ratios, computed
here from jaxtmm.widths' partial widths by hand; the issue's 150 GeV E is excluded."""

import jax.numpy as jnp
import pytest

import likelihoods as L
from jaxtmm import load_preset
from jaxtmm.widths import partial_widths
from likelihoods import lhc_heavy_lepton as H

P = load_preset("paper")
(LK,) = L.build(["LHC heavy lepton"])


def _pt(**kw):
    return P._replace(**{k: jnp.float64(v) for k, v in kw.items()})


def test_branching_ratios_from_the_partial_widths():
    q = _pt(M_E=300.0)
    w = {k: float(v) for k, v in partial_widths(q).items() if k.startswith("E -> ")}
    total = sum(w.values())
    bl, bw = (float(x) for x in H.branching(q))
    assert bl == pytest.approx(sum(v for k, v in w.items() if " l " in k) / total, rel=1e-12)
    assert bw == pytest.approx((w["E -> N1 W"] + w["E -> N2 W"]) / total, rel=1e-12)


def test_the_bound_follows_the_decays():
    # the benchmark's masses: E -> N W dominates (the chargino-like bound, 420 GeV)
    assert not bool(LK.allowed(_pt(M_E=150.0)))  # the case
    assert not bool(LK.allowed(_pt(M_E=400.0))) and bool(LK.allowed(_pt(M_E=450.0)))
    # N as heavy as E (an SU(2)-like doublet): E -> l S alone, the slepton-like bound, 700 GeV
    for ME, ok in ((150.0, False), (650.0, False), (750.0, True)):
        q = _pt(M_E=ME, M1=ME, M2=ME)
        assert float(H.branching(q)[0]) == pytest.approx(1.0, abs=1e-12)
        assert bool(LK.allowed(q)) is ok
    assert float(LK.signal_ratio(_pt(M_E=700.0, M1=700.0, M2=700.0))) == pytest.approx(1.0, rel=1e-12)
    # every dark state above 0.3 M_E: no LHC bound applies (LEP's still does)
    heavy = _pt(M_E=150.0, M1=150.0, M2=150.0, m_H1=60.0, m_H2=60.0, m_A1=60.0, m_A2=60.0)
    assert float(LK.signal_ratio(heavy)) == 0.0
