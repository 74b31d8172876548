"""The convention switch and the corrected physics (docs/derivation.md sections 4-8), each against an independent
evaluation: explicit sums over diagrams, mpmath on the Feynman-parameter integrals, explicit Dirac traces."""

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import pytest
from _dirac import vector_width  # tests/_dirac.py (pytest puts tests/ on the path)

from jaxtmm import observables as ob
from jaxtmm import parse_point
from jaxtmm.constants import M_Z_GEV, S2W_MSBAR
from jaxtmm.dark_photon_g2 import dark_photon_g2_integral
from jaxtmm.electroweak import T_oblique, delta_N_nu, theta_minus, theta_plus
from jaxtmm.loops import F_n
from jaxtmm.model import Point
from jaxtmm.numass import mass_kernel, mass_log
from jaxtmm.pmns import PMNS, pmns_matrix

DATA = Path(__file__).parent / "data"
mp.mp.dps = 30


def point(rng, **over):
    y = rng.normal(size=(2, 2)) * 0.05 + 1j * rng.normal(size=(2, 2)) * 0.05
    base = dict(
        y=jnp.asarray(y),
        theta_R=0.3,
        theta_I=1.1,
        m_H1=0.3,
        m_H2=0.45,
        m_A1=0.35,
        m_A2=0.5,
        M1=0.1,
        M2=0.17,
        M_E=2000.0,
        m_Ap=0.02,
        g_D=0.5,
        eps=1e-5,
        Q_S=1.0,
        pmns=PMNS.from_degrees(alpha21=40.0, alpha31=-70.0),
    )
    base.update(over)
    return Point(**base)


# ----------------------------------------------------------------------------- paper convention: unchanged numbers
def test_paper_convention_reproduces_the_loop_paper_outputs():
    """tests/make_reference_paper_convention.py recorded `--loop paper` at commit 7319288."""
    cases = json.loads((DATA / "paper_convention_reference.json").read_text())
    from jaxtmm import evaluate, load_preset

    for c in cases:
        p = load_preset("paper") if c["point"] is None else parse_point(c["point"])
        got = evaluate(p, "paper")
        for k, ref in c["values"].items():
            ref = np.asarray(ref)
            np.testing.assert_allclose(np.asarray(got[k]), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max(), err_msg=k)


# ----------------------------------------------------------------------------- the moment (section 4)
def _J_z_mpmath(M, m1, m2):
    f = lambda x, y: (1 - x - y) / (x * m2**2 + y * m1**2 + (1 - x - y) * M**2)
    return mp.quad(lambda x: mp.quad(lambda y: f(x, y), [0, 1 - x]), [0, 1])


def test_moment_amplitude_equals_the_explicit_sum_over_scalar_paths():
    """Sum over the 8 ordered paths Phi1 -> Phi2 (H_k -> A_l and A_l -> H_k), N1 and N2, with per-path amplitude
    g_D Q_S / (16 pi^2) * (1/2)_N * c_i,Phi1 c_j,Phi2 V_Phi1Phi2 M_n J_z: c = lc O_R / sqrt 2 (H), i lc O_I / sqrt 2
    (A), V_{H_k A_l} = -V_{A_l H_k} = (O_R^T O_I)_kl. Equal to i g_D Q_S/(128 pi^2) sin 2(th_I - th_R) Omega sum M dJ."""
    rng = np.random.default_rng(1)
    p = point(rng, M2=-0.17)  # a negative CP parity carried by the sign: the sum uses signed masses
    p = p._replace(M2=0.17, eta2=-1.0)
    U = np.asarray(pmns_matrix(p.pmns))
    lc = np.conj(np.conj(U[:2, :]).T @ np.asarray(p.y))  # lc[i, a] = conj(lambda[i, a])
    O = lambda t: np.array([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])
    OR, OI = O(float(p.theta_R)), O(float(p.theta_I))
    cH, cA = lc @ OR / math.sqrt(2), 1j * lc @ OI / math.sqrt(2)
    R = OR.T @ OI
    mH, mA = (float(p.m_H1), float(p.m_H2)), (float(p.m_A1), float(p.m_A2))
    A = np.zeros((3, 3), complex)
    for M in (float(p.M1), -float(p.M2)):
        Jz = {(k, l): float(_J_z_mpmath(abs(M), mH[k], mA[l])) for k in range(2) for l in range(2)}
        for i in range(3):
            for j in range(3):
                s = 0
                for k in range(2):
                    for l in range(2):
                        s += cH[i, k] * cA[j, l] * R[k, l] * Jz[k, l]  # H_k -> A_l
                        s += cA[i, l] * cH[j, k] * (-R[k, l]) * Jz[k, l]  # A_l -> H_k
                A[i, j] += float(p.g_D) / (16 * math.pi**2) * 0.5 * M * s
    got = np.asarray(ob.moment_amplitude(p))
    sign = np.sign(np.real(np.vdot(A, got)))  # an overall phase convention of the fields
    np.testing.assert_allclose(got, sign * A, rtol=1e-10, atol=1e-10 * np.abs(A).max())
    np.testing.assert_allclose(np.asarray(ob.mu_ij(p)), np.abs(A), rtol=1e-10, atol=1e-10 * np.abs(A).max())


def test_corrected_moment_is_half_the_printed_modulus_with_real_couplings_electric():
    rng = np.random.default_rng(2)
    p = point(rng, y=jnp.asarray(rng.normal(size=(2, 2)) * 0.05 + 0j), pmns=PMNS.from_degrees(delta_CP=0.0))
    mag, ele = (np.asarray(v) for v in ob.mu_ij_parts(p))
    assert np.abs(mag).max() < 1e-14 * np.abs(ele).max()  # real couplings: a purely electric moment (Eq. 2.20 says 0)
    paper_mag = np.asarray(ob.mu_ij(p, "paper"))
    assert np.abs(paper_mag).max() < 1e-14 * np.abs(ele).max()
    # with complex couplings, magnetic = -(1/2) x Eq. 2.20 evaluated with J_z
    q = point(rng)
    half = np.asarray(ob._paper_mu_ij(q)) * float(ob.loop_sum(q) / ob.loop_sum(q, "paper")) / 2
    np.testing.assert_allclose(np.asarray(ob.mu_ij_parts(q)[0]), -half, rtol=1e-12, atol=1e-25)


# ----------------------------------------------------------------------------- neutrino mass (section 5)
def _K_mpmath(p, uv=0):
    """K from the Feynman-parameter integrals int_0^1 ln(x M^2 + (1-x) m^2) dx (uv: a common divergent constant)."""
    OR = np.array([[math.cos(p.theta_R), math.sin(p.theta_R)], [-math.sin(p.theta_R), math.cos(p.theta_R)]])
    OI = np.array([[math.cos(p.theta_I), math.sin(p.theta_I)], [-math.sin(p.theta_I), math.cos(p.theta_I)]])
    B = lambda M, m: float(mp.quad(lambda x: mp.log(x * M**2 + (1 - x) * m**2), [0, 1])) + uv
    K = np.zeros((2, 2))
    for M in (float(p.eta1 * p.M1), float(p.eta2 * p.M2)):
        h = np.diag([B(M, float(p.m_H1)), B(M, float(p.m_H2))])
        a = np.diag([B(M, float(p.m_A1)), B(M, float(p.m_A2))])
        K += M / (64 * math.pi**2) * (OR @ h @ OR.T - OI @ a @ OI.T)
    return K


def test_neutrino_mass_kernel_against_mpmath_and_its_divergence_cancels():
    rng = np.random.default_rng(3)
    for eta2 in (1.0, -1.0):
        p = point(rng, eta2=eta2, M1=0.1, M2=3.0, m_H2=10.0, m_A1=0.3001)
        ref = _K_mpmath(p)
        np.testing.assert_allclose(np.asarray(mass_kernel(p)), ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())
        np.testing.assert_allclose(_K_mpmath(p, uv=1e4), ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())


def test_mass_log_against_mpmath():
    for M, m in [(0.1, 0.3), (0.3, 0.1), (1.0, 1.0), (1.0, 1.0 + 1e-9), (1e-6, 1e3), (1e3, 1e-6)]:
        M_, m_ = mp.mpf(M), mp.mpf(m)
        ref = 1.0 if M == m else m_**2 / (m_**2 - M_**2) * mp.log(m_**2 / M_**2)
        assert float(mass_log(M, m)) == pytest.approx(float(ref), rel=1e-10)


def test_mass_values_are_the_singular_values_and_the_ratio_identity():
    """Singular values against numpy's SVD; then |mu_ab| / sqrt(m_a m_b) in the mass basis of m is independent of
    the Yukawas and equals g_D |Q_S| |sin cos(th_I - th_R)| |sum M dJ| / sqrt|X| (docs/derivation.md section 5)."""
    rng = np.random.default_rng(4)
    ratios = []
    base = point(rng)
    for _ in range(5):
        y = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
        p = base._replace(y=jnp.asarray(y * 10 ** rng.uniform(-3, 0)))
        vals, m = (np.asarray(v) for v in ob.m_nu_loop(p))
        s = np.linalg.svd(m, compute_uv=False)
        np.testing.assert_allclose(vals[:2], s[:2], rtol=1e-10)
        assert vals[2] == 0 and s[2] < 1e-12 * s[0]
        assert float(ob.sum_m_nu(p)) == pytest.approx(s.sum(), rel=1e-10)
        A = np.asarray(ob.moment_amplitude(p))
        ratios.append(np.linalg.norm(A) / math.sqrt(2) / math.sqrt(s[0] * s[1]))  # |A'_12| = ||A||_F / sqrt 2
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    d = float(base.theta_I - base.theta_R)
    F = lambda M, m: float(mass_log(M, m))
    Ms = (float(base.M1), float(base.M2))
    h = [sum(M * F(M, m) for M in Ms) for m in (float(base.m_H1), float(base.m_H2))]
    a = [sum(M * F(M, m) for M in Ms) for m in (float(base.m_A1), float(base.m_A2))]
    X = math.cos(d) ** 2 * (h[0] - a[0]) * (h[1] - a[1]) + math.sin(d) ** 2 * (h[0] - a[1]) * (h[1] - a[0])
    expect = float(base.g_D) * abs(math.sin(d) * math.cos(d)) * abs(float(ob.loop_sum(base))) / math.sqrt(abs(X))
    assert ratios[0] == pytest.approx(expect, rel=1e-9)


def test_degenerate_pairs_give_the_documented_ratio():
    """At m_Hk = m_Ak the ratio is g_D |cos(th_I - th_R)| |sum M dJ| / |sum M dF| with dF = F(M, m_1) - F(M, m_2)."""
    rng = np.random.default_rng(5)
    p = point(rng, m_A1=0.3, m_A2=0.45)
    _, m = ob.m_nu_loop(p)
    s = np.linalg.svd(np.asarray(m), compute_uv=False)
    ratio = np.linalg.norm(np.asarray(ob.moment_amplitude(p))) / math.sqrt(2 * s[0] * s[1])
    dF = sum(M * (float(mass_log(M, 0.3)) - float(mass_log(M, 0.45))) for M in (float(p.M1), float(p.M2)))
    expect = float(p.g_D) * abs(math.cos(float(p.theta_I - p.theta_R))) * abs(float(ob.loop_sum(p))) / abs(dF)
    assert ratio == pytest.approx(expect, rel=1e-9)


@pytest.mark.parametrize("case", ["dirac", "aligned"])
def test_mass_and_moment_vanish_together(case):
    rng = np.random.default_rng(6)
    if case == "dirac":  # M1 = -M2: lepton number conserved
        p = point(rng, M1=0.2, M2=0.2, eta2=-1.0)
    else:  # m_H = m_A and theta_R = theta_I: no CP-even/odd misalignment
        p = point(rng, m_A1=0.3, m_A2=0.45, theta_I=0.3)
    q = point(rng)
    assert float(ob.sum_m_nu(p)) < 1e-12 * float(ob.sum_m_nu(q))
    assert np.abs(np.asarray(ob.moment_amplitude(p))).max() < 1e-12 * np.abs(np.asarray(ob.moment_amplitude(q))).max()


def test_mass_gradients_are_finite_including_zero_couplings_and_degenerate_masses():
    rng = np.random.default_rng(7)
    for p in (point(rng), point(rng, y=jnp.zeros((2, 2), complex)), point(rng, M1=0.3, m_H1=0.3, m_A1=0.3, M2=0.3)):
        g = jax.grad(lambda m, p=p: ob.sum_m_nu(p._replace(M1=m)))(p.M1)
        gy = jax.grad(lambda y, p=p: ob.sum_m_nu(p._replace(y=y)), holomorphic=False)(p.y.real + 0.0 * p.y)
        assert np.isfinite(float(g)) and np.all(np.isfinite(np.asarray(gy)))


# ----------------------------------------------------------------------------- mu -> e gamma and g-2 (section 6)
def test_F_n_against_mpmath():
    for x in [0.0, 1e-8, 1e-3, 0.3, 0.5, 0.9, 1.0, 1.0 + 1e-7, 1.49, 1.51, 4.0, 1e3, 1e8]:
        ref = mp.quad(lambda z: z * (1 - z) ** 2 / (1 - z + z * x), [0, 1])
        assert float(F_n(x)) == pytest.approx(float(ref), rel=1e-12), x
    g = jax.grad(F_n)(1.0)
    assert np.isfinite(float(g))


def test_corrected_mu_e_gamma_and_g2_against_decoupling_and_the_printed_ones():
    rng = np.random.default_rng(8)
    p = point(rng, M_E=1e6)
    S_ratio = float(ob.BR_mu_e_gamma(p)) / float(ob.BR_mu_e_gamma_decoupling(p.y, p.M_E))
    assert S_ratio == pytest.approx(1.0, rel=1e-8)  # F_n(x) -> 1/6 + O(x ln x), x ~ 1e-13
    assert float(ob.BR_mu_e_gamma_decoupling(p.y, 1e3, "paper")) == pytest.approx(
        8 * float(ob.BR_mu_e_gamma_decoupling(p.y, 1e3)), rel=1e-14
    )
    assert float(ob.delta_a_mu(p, "paper")) == pytest.approx(4 * float(ob.delta_a_mu(p)), rel=1e-8)


def test_dark_photon_g2_integral_against_mpmath():
    for r in [0.0, 1e-12, 1e-6, 1e-2, 0.5, 1.0, 3.99, 4.0, 4.01, 10.0, 1e3, 1e8, 1e16]:
        ref = mp.quad(lambda z: 2 * z * (1 - z) ** 2 / ((1 - z) ** 2 + r * z), [0, mp.mpf(1) / (1 + mp.sqrt(r)), 1])
        assert float(dark_photon_g2_integral(r)) == pytest.approx(float(ref), rel=1e-10), r
    assert float(dark_photon_g2_integral(1e16)) == pytest.approx(2 / 3e16, rel=1e-6)


# ----------------------------------------------------------------------------- Z width (section 7)
@pytest.mark.parametrize("M1,M2", [(1.0, 1.0), (10.0, -10.0), (5.0, 30.0), (-40.0, 20.0), (0.1, 0.1), (45.0, 45.0)])
def test_delta_N_nu_against_explicit_dirac_traces(M1, M2):
    nu = vector_width(M_Z_GEV, 0.0, 0.0, lambda m, g, g5, q: g[m] @ (np.eye(4) - g5) / 2)  # nu-bar gamma^mu P_L nu
    NN = vector_width(M_Z_GEV, M1, M2, lambda m, g, g5, q: g[m] @ g5)  # N2-bar gamma^mu gamma_5 N1
    p = Point(
        y=jnp.zeros((2, 2), complex),
        theta_R=0.0,
        theta_I=0.0,
        m_H1=1.0,
        m_H2=1.0,
        m_A1=1.0,
        m_A2=1.0,
        M1=abs(M1),
        M2=abs(M2),
        M_E=2000.0,
        m_Ap=1.0,
        g_D=0.1,
        eps=0.0,
        eta1=math.copysign(1, M1),
        eta2=math.copysign(1, M2),
    )
    assert float(delta_N_nu(p)) == pytest.approx(NN / nu, rel=1e-10)


def test_delta_N_nu_closes_at_threshold():
    p = Point(
        y=jnp.zeros((2, 2), complex),
        theta_R=0.0,
        theta_I=0.0,
        m_H1=1.0,
        m_H2=1.0,
        m_A1=1.0,
        m_A2=1.0,
        M1=50.0,
        M2=45.0,
        M_E=2000.0,
        m_Ap=1.0,
        g_D=0.1,
        eps=0.0,
    )
    assert float(delta_N_nu(p)) == 0.0
    assert np.isfinite(float(jax.grad(lambda m: delta_N_nu(p._replace(M1=m)))(50.0)))


# ----------------------------------------------------------------------------- oblique T (section 8)
def test_theta_functions_against_mpmath():
    for m1, m2 in [(0.1, 2000.0), (80.0, 100.0), (100.0, 100.0 * (1 + 1e-9)), (3.0, -7.0)]:
        y1, y2 = mp.mpf(m1) ** 2 / M_Z_GEV**2, mp.mpf(m2) ** 2 / M_Z_GEV**2
        if abs(m1) == abs(m2) or abs(abs(m1) - abs(m2)) < 1e-6:
            tp, tm = 0, 0
        else:
            L = mp.log(y1 / y2)
            tp = y1 + y2 - 2 * y1 * y2 / (y1 - y2) * L
            tm = 2 * (mp.mpf(m1) * m2 / M_Z_GEV**2) * ((y1 + y2) / (y1 - y2) * L - 2)
        assert float(theta_plus(m1, m2)) == pytest.approx(float(tp), rel=1e-10, abs=1e-12)
        assert float(theta_minus(m1, m2)) == pytest.approx(float(tm), rel=1e-10, abs=1e-12)


def _doublet(M1, M2, ME, eta1=1.0, eta2=1.0):
    return Point(
        y=jnp.zeros((2, 2), complex),
        theta_R=0.0,
        theta_I=0.0,
        m_H1=1.0,
        m_H2=1.0,
        m_A1=1.0,
        m_A2=1.0,
        M1=M1,
        M2=M2,
        M_E=ME,
        m_Ap=1.0,
        g_D=0.1,
        eps=0.0,
        eta1=eta1,
        eta2=eta2,
    )


def test_T_dirac_limit_is_the_vector_like_doublet_and_vanishes_for_su2_symmetric_masses():
    mN, mE = 300.0, 500.0
    ref = (2 * theta_plus(mN, mE) + 2 * theta_minus(mN, mE)) / (16 * math.pi * S2W_MSBAR * (1 - S2W_MSBAR))
    assert float(T_oblique(_doublet(mN, mN, mE, eta1=-1.0))) == pytest.approx(float(ref), rel=1e-12)
    assert abs(float(T_oblique(_doublet(mN, mN, mN, eta1=-1.0)))) < 1e-12
    assert float(T_oblique(_doublet(0.1, 0.1, 2000.0))) > 100  # the paper's benchmark: T of order 1e2
