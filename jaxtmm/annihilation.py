r"""The model's annihilation channels and the relic abundance of its lightest Z2-odd state (``docs/derivation.md``
section 16; the freeze-out itself is :mod:`jaxtmm.relic`).

The dark states N1, N2 (Majorana, g = 2) and H1, H2, A1, A2 (real scalars, g = 1) are odd under the model's Z2; the
lightest is stable. Its ``<sigma v>`` (relative velocity v in the centre-of-mass frame, ``<v^2> = 6/x``,
``<v^4> = 60/x^2``), every formula from one derivation checked against explicit spinors and polarisation sums
(stop 21; section 16 lists the checks):

* N_n N_n -> A'A' (t/u-channel N_other through the axial ``g_D`` coupling): ``a + b v^2``;
* N_n N_n -> nu nubar (t/u-channel scalars; helicity-suppressed: ``b`` only) and -> nu nu, nubar nubar (lepton-number
  violating: the H and A propagators with opposite signs; ``a + b v^2``);
* H H -> A'A' (seagull and t/u-channel A_l; ``a``), H H -> nu nu, nubar nubar (t/u-channel N; ``a``) and -> nu nubar
  (``v^4``); an A_k candidate with H <-> A, O_R <-> O_I, C -> C^T;
* coannihilation (Griest and Seckel, Phys. Rev. D 43 (1991) 3191) within the candidate's family: N1 N2 -> A'* -> SM
  and H_k A_l -> A'* -> SM through the kinetic mixing, ``sigma(s) = 12 pi s^2 Gamma_in Gamma_SM / (lambda [(s - m^2)^2
  + m^2 Gamma^2])`` with the widths at mass ``sqrt s`` (``jaxtmm.darkphoton``), averaged over a non-relativistic
  Maxwell distribution of the relative velocity, the Standard Model width scaled from ``sqrt s = m1 + m2`` as ``sqrt s``
  (a narrow resonance is resolved only approximately).

Not included (``relic_flags`` reports them): coannihilation between the fermion and the scalar families, and
self-annihilation channels beyond those above (through the A' into SM pairs a diagonal coupling is absent at tree
level). A candidate that is E (charged) is a stable charged relic: :func:`omega_h2_model` returns ``1e6 (m_lightest / M_E)^2`` for
it (excluded, with a finite gradient).
"""

import jax.numpy as jnp
import numpy as np
from scipy.special import roots_genlaguerre

from jaxtmm.darkphoton import sm_widths
from jaxtmm.model import Point
from jaxtmm.relic import omega_h2_from_sigma_v_fn
from jaxtmm.spectrum import (
    DARK,
    axial_pair_shape,
    dark_masses,
    kallen,
    rotated_yukawas,
    scalar_masses,
    scalar_overlap,
    signed_masses,
)

PI = jnp.pi
#: The Z2-odd neutral states, their internal degrees of freedom.
G_DOF = np.array([2.0, 2.0, 1.0, 1.0, 1.0, 1.0])
COANNIHILATION_WINDOW = 0.1  # partners within 10% of the candidate's mass count (Griest and Seckel)
X_FREEZE = 20.0  # where g_eff of the coannihilating set is taken for the equilibrium yield
# Where <sigma_eff v>(x) is tabulated for the solver (about 4 points an e-fold), the nodes of the pair averages, and the
# solver's steps: against 97 points, 48 nodes and 1200 steps, Omega h^2 moves by at most 0.4% (median 0.1%) at 64 random
# points (masses over three decades, g_D over three, Yukawas over 3.5), at a fifth of the cost.
_LN_X_GRID = np.linspace(0.0, np.log(1e5), 49)
_LAG_U, _LAG_W = (np.asarray(a) for a in roots_genlaguerre(16, 0.5))  # int_0^inf sqrt(u) e^-u f(u) du
N_STEPS = 800


def _couplings(p: Point):
    """``c[alpha, phi]`` (2 x 4 complex) of nu_alpha N_n phi, phi = H1, H2, A1, A2: ``(y O_R)/2``, ``i (y O_I)/2``."""
    yR, yI = rotated_yukawas(p)
    return jnp.concatenate([yR / 2.0, 1j * yI / 2.0], axis=1)


def fermion_ab(p: Point, n: int):
    """``(a, b)`` of ``sigma v = a + b v^2`` (GeV^-2) of N_n N_n -> A'A' + nu nubar + nu nu + nubar nubar."""
    Ms = signed_masses(p)
    M, Mo = jnp.abs(Ms[n]), jnp.sign(Ms[n]) * Ms[1 - n]  # the other N's mass with the relative sign
    m, g4 = jnp.asarray(p.m_Ap, dtype=jnp.float64), p.g_D**4
    # A'A'
    open_ = m < M
    d = M * M - m * m
    ds = jnp.where(open_, d, 1.0)
    den = M * M + Mo * Mo - m * m
    a_vv = jnp.where(open_, g4 * ds**1.5 / (4.0 * PI * M * den**2), 0.0)
    P = (
        8 * M**10
        + 16 * M**9 * Mo
        + 28 * M**8 * Mo**2
        - 24 * M**8 * m**2
        + 32 * M**7 * Mo**3
        - 52 * M**7 * Mo * m**2
        + 16 * M**6 * Mo**4
        - 44 * M**6 * Mo**2 * m**2
        + 21 * M**6 * m**4
        + 16 * M**5 * Mo**5
        - 24 * M**5 * Mo**3 * m**2
        + 30 * M**5 * Mo * m**4
        + 12 * M**4 * Mo**6
        - 16 * M**4 * Mo**4 * m**2
        - 21 * M**4 * Mo**2 * m**4
        + 15 * M**4 * m**6
        - 20 * M**3 * Mo**5 * m**2
        - 24 * M**3 * Mo**3 * m**4
        + 32 * M**3 * Mo * m**6
        - 12 * M**2 * Mo**6 * m**2
        + 31 * M**2 * Mo**4 * m**4
        + 62 * M**2 * Mo**2 * m**6
        - 37 * M**2 * m**8
        + 10 * M * Mo**5 * m**4
        + 16 * M * Mo**3 * m**6
        - 26 * M * Mo * m**8
        + 9 * Mo**6 * m**4
        - Mo**4 * m**6
        - 25 * Mo**2 * m**8
        + 17 * m**10
    )
    b_vv = jnp.where(open_, g4 * jnp.sqrt(ds) * P / (96.0 * PI * M * m**4 * den**4), 0.0)
    # nu pairs through the scalars
    c = _couplings(p)
    ms2 = scalar_masses(p) ** 2
    Y = jnp.conj(c).T @ c  # (phi, phi')
    wa, wb = M * M + ms2[:, None], M * M + ms2[None, :]
    b_lnc = jnp.sum(jnp.abs(Y) ** 2 * M * M * (M**4 + ms2[:, None] * ms2[None, :]) / (48.0 * PI * wa**2 * wb**2))
    Lam = (c / (M * M + ms2)) @ c.T  # sum_phi c_a phi c_b phi / (M^2 + m_phi^2)
    a_lnv = 2.0 * M * M / (32.0 * PI) * jnp.sum(jnp.abs(Lam) ** 2)  # nu nu and nubar nubar
    ma2, mb2 = ms2[:, None], ms2[None, :]
    poly = M**8 + 3 * M**6 * (ma2 + mb2) + 6 * M**4 * ma2 * mb2 - M**2 * ma2 * mb2 * (ma2 + mb2) - 3 * ma2**2 * mb2**2
    b_lnv = -2.0 * jnp.sum(jnp.real(Y.T**2) * M * M * poly / (192.0 * PI * wa**3 * wb**3))
    return a_vv + a_lnv, b_vv + b_lnc + b_lnv


def scalar_ab(p: Point, k: int, cp_even: bool):
    """``(a, c4)`` of ``sigma v = a + c4 v^4`` (GeV^-2) of phi phi -> A'A' + nu nu + nubar nubar + nu nubar, phi = H_k
    (``cp_even``) or A_k."""
    Ms = signed_masses(p)
    mS = scalar_masses(p)
    C = scalar_overlap(p)
    mh = mS[k] if cp_even else mS[2 + k]
    partners = mS[2:] if cp_even else mS[:2]
    Ck = C[k, :] if cp_even else C[:, k]
    m, g4 = jnp.asarray(p.m_Ap, dtype=jnp.float64), p.g_D**4 * p.Q_S**4
    t0 = m * m - mh * mh
    D0 = jnp.sum(Ck**2 / (t0 - partners**2))
    open_ = m < mh
    ds = jnp.where(open_, mh * mh - m * m, 1.0)
    br = (
        16 * D0**2 * mh**4 * ds**2
        + 8 * D0 * mh**2 * (2 * mh**4 - 3 * mh**2 * m**2 + m**4)
        + 4 * mh**4
        - 4 * mh**2 * m**2
        + 3 * m**4
    )
    a_vv = jnp.where(open_, jnp.maximum(g4 * jnp.sqrt(ds) * br / (16.0 * PI * mh**3 * m**4), 0.0), 0.0)
    yO = rotated_yukawas(p)[0 if cp_even else 1]
    ysum = jnp.sum(jnp.abs(yO[:, k] / 2.0) ** 2)
    a_lnv = 2.0 * ysum**2 / (4.0 * PI) * jnp.sum(Ms / (mh * mh + Ms * Ms)) ** 2
    c4 = ysum**2 * mh**6 / (60.0 * PI) * jnp.sum(1.0 / (mh * mh + Ms * Ms) ** 2) ** 2
    return a_vv + a_lnv, c4


def _resonant(p: Point, s, gamma_in, m1, m2, gamma_ap, g_sm_threshold=None):
    """``12 pi s^2 Gamma_in Gamma_SM / (lambda [(s - m^2)^2 + m^2 Gamma^2])`` (GeV^-2), ``Gamma_in`` at ``sqrt s`` and
    ``Gamma_SM(sqrt s) = Gamma_SM(m1 + m2) sqrt(s) / (m1 + m2)`` (the thermal spread of ``sqrt s`` is a few per cent at
    freeze-out, over which the SM width of a vector goes as its mass but for thresholds); ``gamma_ap`` the A' width,
    ``g_sm_threshold`` ``Gamma_SM(m1 + m2)`` where the caller has it (one vectorised call for every pair keeps the
    compiled program small)."""
    m = jnp.asarray(p.m_Ap, dtype=jnp.float64)
    ds = s - (m1 + m2) ** 2
    lam = ds * (ds + 4.0 * m1 * m2)  # lambda(s, m1^2, m2^2) from ds, which the thermal average gives exactly
    ok = lam > 0.0
    lam = jnp.where(ok, lam, 1.0)
    g_thr = jnp.sum(sm_widths(m1 + m2, p.eps)) if g_sm_threshold is None else g_sm_threshold
    g_sm = g_thr * jnp.sqrt(s) / (m1 + m2)
    return jnp.where(ok, 12.0 * PI * s * s * gamma_in * g_sm / (lam * ((s - m * m) ** 2 + (m * gamma_ap) ** 2)), 0.0)


def _thermal_pair(sigma, m1, m2, x):
    """``<sigma v>`` of a pair of masses ``m1``, ``m2`` at ``x = m1 / T`` over a non-relativistic Maxwell distribution of
    their relative velocity (Gauss-Laguerre in ``u = mu v^2 / 2 T``)."""
    mu = m1 * m2 / (m1 + m2)
    T = m1 / x
    u = jnp.asarray(_LAG_U)
    v2 = 2.0 * T[..., None] * u / mu
    s = (m1 + m2) ** 2 + (m1 + m2) * mu * v2
    return (2.0 / jnp.sqrt(PI)) * jnp.sum(jnp.asarray(_LAG_W) * sigma(s) * jnp.sqrt(v2), axis=-1)


def _ap_width(p: Point):
    from jaxtmm.darkphoton import widths  # the A' total width (darkphoton imports jaxtmm.observables)

    return jnp.sum(widths(p))


def sigma_N1N2(p: Point, s, gamma_ap=None, g_sm_threshold=None):
    """``sigma(N1 N2 -> A'* -> SM)`` (GeV^-2) at ``s`` (GeV^2)."""
    M1, M2 = signed_masses(p)
    rs = jnp.sqrt(s)
    g_in = p.g_D**2 * rs / (12.0 * PI) * axial_pair_shape(M1, M2, rs)  # Gamma(A'(sqrt s) -> N1 N2)
    gam = _ap_width(p) if gamma_ap is None else gamma_ap
    return _resonant(p, s, g_in, jnp.abs(M1), jnp.abs(M2), gam, g_sm_threshold)


def sigma_HA(p: Point, s, k: int, l: int, gamma_ap=None, g_sm_threshold=None):
    """``sigma(H_k A_l -> A'* -> SM)`` (GeV^-2) at ``s``."""
    mS = scalar_masses(p)
    C = scalar_overlap(p)
    rs = jnp.sqrt(s)
    lam = kallen(rs, mS[k], mS[2 + l])
    g_in = (p.g_D * p.Q_S * C[k, l]) ** 2 * rs / (48.0 * PI) * jnp.maximum(lam, 0.0) ** 1.5 / s**3
    gam = _ap_width(p) if gamma_ap is None else gamma_ap
    return _resonant(p, s, g_in, mS[k], mS[2 + l], gam, g_sm_threshold)


def masses(p: Point):
    """Physical masses (GeV) of :data:`DARK`."""
    return dark_masses(p)


def channels(p: Point, x):
    """The contributions to ``<sigma_eff v>(x)`` (GeV^-2) by channel, a dict (Griest-Seckel weights included)."""
    ms = masses(p)
    i0 = jnp.argmin(ms)
    m0 = ms[i0]
    x = jnp.asarray(x, dtype=jnp.float64)
    delta = ms / m0 - 1.0
    fermion = jnp.arange(6) < 2
    family = fermion == fermion[i0]
    w = jnp.where(
        family & (delta <= COANNIHILATION_WINDOW), G_DOF * (1.0 + delta) ** 1.5 * jnp.exp(-x[..., None] * delta), 0.0
    )
    r = w / jnp.sum(w, axis=-1, keepdims=True)
    v2, v4 = 6.0 / x, 60.0 / x**2
    out = {}
    for n in range(2):
        a, b = fermion_ab(p, n)
        out[f"N{n + 1} N{n + 1} -> A'A', nu nu"] = r[..., n] ** 2 * (a + b * v2)
    for j, (cp_even, k) in enumerate(((True, 0), (True, 1), (False, 0), (False, 1))):
        a, c4 = scalar_ab(p, k, cp_even)
        out[f"{DARK[2 + j]} {DARK[2 + j]} -> A'A', nu nu"] = r[..., 2 + j] ** 2 * (a + c4 * v4)
    x_i = lambda i: x * ms[i] / m0
    gam = _ap_width(p)
    pairs = [(0, 1)] + [(2 + k, 4 + l) for k in range(2) for l in range(2)]
    g_thr = jnp.sum(sm_widths(jnp.stack([ms[i] + ms[j] for i, j in pairs]), p.eps), axis=0)  # Gamma_SM(m_i + m_j)
    out["N1 N2 -> A'* -> SM"] = (
        2.0 * r[..., 0] * r[..., 1] * _thermal_pair(lambda s: sigma_N1N2(p, s, gam, g_thr[0]), ms[0], ms[1], x_i(0))
    )
    for k in range(2):
        for l in range(2):
            pair = _thermal_pair(
                lambda s, k=k, l=l: sigma_HA(p, s, k, l, gam, g_thr[1 + 2 * k + l]), ms[2 + k], ms[4 + l], x_i(2 + k)
            )
            out[f"H{k + 1} A{l + 1} -> A'* -> SM"] = 2.0 * r[..., 2 + k] * r[..., 4 + l] * pair
    return out


def sigma_v_eff(p: Point, x):
    """``<sigma_eff v>(x)`` (GeV^-2) of the lightest dark state with its coannihilating family partners (Griest-Seckel)."""
    return sum(channels(p, x).values())


def omega_h2_model(p: Point, n_steps: int = N_STEPS):
    """``Omega h^2`` of the lightest Z2-odd state (``1e6 (m / M_E)^2`` where E, a stable charged relic, is the lightest)."""
    ms = masses(p)
    i0 = jnp.argmin(ms)
    m0 = ms[i0]
    delta = ms / m0 - 1.0
    fermion = jnp.arange(6) < 2
    family = (fermion == fermion[i0]) & (delta <= COANNIHILATION_WINDOW)
    g_eff = jnp.sum(jnp.where(family, G_DOF * (1.0 + delta) ** 1.5 * jnp.exp(-X_FREEZE * delta), 0.0))
    # <sigma_eff v> once on a grid in ln x, interpolated by the solver (held beyond the grid's ends)
    lx = jnp.asarray(_LN_X_GRID)
    table = sigma_v_eff(p, jnp.exp(lx))
    sv = lambda x: jnp.interp(jnp.log(x), lx, table)
    om = omega_h2_from_sigma_v_fn(m0, sv, g_eff, True, units="GeV-2", n_steps=n_steps)
    # E lightest: a stable charged relic, excluded whatever its abundance; a large finite value that grows smoothly as E
    # gets lighter keeps the fits' gradients finite
    charged = 1e6 * (m0 / p.M_E) ** 2
    return jnp.where(p.M_E < m0, charged, om)


def relic_flags(p: Point) -> dict:
    """What the computation leaves out at this point: a state of the other family within 10% of the candidate's mass
    (coannihilation not included), and which state is the candidate."""
    ms = np.asarray(masses(p))
    i0 = int(np.argmin(ms))
    other = [DARK[i] for i in range(6) if (i < 2) != (i0 < 2) and ms[i] / ms[i0] - 1.0 <= COANNIHILATION_WINDOW]
    if float(p.M_E) < ms[i0]:
        return {"candidate": "E", "mass_GeV": float(p.M_E), "cross_family_partners_not_included": []}
    return {"candidate": DARK[i0], "mass_GeV": float(ms[i0]), "cross_family_partners_not_included": other}


def relic_summary(p: Point) -> dict:
    """``Omega h^2``, the candidate, its mass, each channel's share of ``<sigma_eff v>`` at ``x = 20`` and the dominant
    channel, as plain Python numbers (for reports)."""
    import jax

    om = float(jax.jit(omega_h2_model)(p))
    ch = {k: float(v) for k, v in jax.jit(lambda q: channels(q, jnp.float64(X_FREEZE)))(p).items()}
    total = sum(ch.values())
    share = {k: (v / total if total > 0 else 0.0) for k, v in ch.items()}
    return {
        "omega_h2": om,
        **relic_flags(p),
        "sigma_v_eff_x20_GeV-2": total,
        "channel_shares_x20": share,
        "dominant_channel": max(share, key=share.get) if total > 0 else None,
    }
