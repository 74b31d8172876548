r"""Tree-level total widths of the dark states E, N1, N2, H1, H2, A1, A2 (``docs/derivation.md`` section 13).

The seed paper's benchmark breaks SU(2) by hand (``M_E - M_N`` of 2 TeV with no Higgs coupling of the doublet), so the
longitudinal W does not decouple: ``Gamma(E -> N W)`` grows like ``g^2 M_E^3 / (32 pi m_W^2)`` and exceeds ``M_E``
there. A point whose states are wider than their masses is not perturbative, and no one-loop number computed at it
means anything; :func:`width_over_mass` is what ``likelihoods.perturbativity`` bounds.

Couplings (the model of ``jaxtmm.model``; two-component checks in ``tests/test_widths.py``):

* W: ``(g / sqrt 2) W^+ Nbar gamma^mu E + h.c.`` with ``N = (N2 + gamma_5 N1) / sqrt 2``, i.e. ``(g/2) N2bar gamma^mu E``
  and ``(g/2) N1bar gamma^mu gamma_5 E``; ``g^2 = 4 sqrt 2 G_F m_W^2``;
* A' and Z: the axial ``g_D N2bar gamma^mu gamma_5 N1`` and ``(g / 2 c_W) N2bar gamma^mu gamma_5 N1``; the scalar current
  ``g_D Q_S C_kl A'^mu (A_l d_mu H_k - H_k d_mu A_l)``, ``C = O_R^T O_I``;
* Yukawas: ``-y_{alpha a}(nubar_alpha P_R N + lbar_alpha P_R E) S_a + h.c.``, ``S_a = sum_k (O_R[a,k] H_k + i O_I[a,k] A_k) /
  sqrt 2``: ``E -> l_alpha H_k`` with ``(y O_R)_{alpha k} / sqrt 2``, ``N_n -> nu_alpha H_k`` with ``(y O_R)_{alpha k} / 2``
  (to nu and to nubar: N_n is Majorana), and for A_k ``O_I`` in place of ``O_R``. Leptons are massless.

Two-body widths of a fermion ``m1 -> m2 V`` through ``gamma^mu (g_L P_L + g_R P_R)`` (signed masses):

.. math:: \sum|M|^2 = (|g_L|^2 + |g_R|^2)\left[m_1^2 + m_2^2 - 2 m_V^2 + \frac{(m_1^2 - m_2^2)^2}{m_V^2}\right]
          - 12\,\mathrm{Re}(g_L g_R^*)\, m_1 m_2,\qquad \Gamma = \frac{|p|}{16\pi m_1^2}\sum|M|^2,

of a fermion ``m1 -> m2 phi`` through one chirality ``c P_R``: ``sum |M|^2 = |c|^2 (m1^2 + m2^2 - m_phi^2)``; of a scalar
``m_phi -> m1 m2`` likewise ``|c|^2 (m_phi^2 - m1^2 - m2^2)`` with ``Gamma = |p| sum|M|^2 / (8 pi m_phi^2)``; of a scalar to
a scalar and a vector through ``g (p + p')^mu``: ``Gamma = g^2 lambda^{3/2}(m^2, m'^2, m_V^2) / (16 pi m^3 m_V^2)``.
Every width is zero below its threshold, with a finite gradient there. Only two-body decays are counted: a state
whose two-body channels are closed is given width 0 (the lightest Z2-odd state is stable).
"""

import jax.numpy as jnp

from jaxtmm.constants import G_F_GEV2, M_W_GEV, M_Z_GEV, S2W_MSBAR
from jaxtmm.model import Point
from jaxtmm.precision import require_x64
from jaxtmm.quadrature import safe_sqrt
from jaxtmm.spectrum import dark_masses, kallen, rotated_yukawas, scalar_masses, scalar_overlap, signed_masses

PI = jnp.pi
#: The states whose widths are computed, in the order of :func:`total_widths` and :func:`width_over_mass`.
STATES = ("E", "N1", "N2", "H1", "H2", "A1", "A2")
#: ``g^2`` of SU(2) from G_F and m_W at tree level: ``4 sqrt 2 G_F m_W^2``.
G2_WEAK = 4.0 * 2.0**0.5 * G_F_GEV2 * M_W_GEV**2
#: The Z's axial N1-N2 coupling ``g / (2 c_W)``, squared.
G2_Z_AXIAL = G2_WEAK / (4.0 * (1.0 - S2W_MSBAR))


def _momentum(M, m1, m2):
    """``|p|`` of a two-body decay of mass ``M`` (> 0) to ``|m1|``, ``|m2|``, and whether it is open."""
    lam = kallen(M, m1, m2)
    open_ = (jnp.abs(m1) + jnp.abs(m2) < M) & (lam > 0.0)
    return jnp.where(open_, safe_sqrt(lam) / (2.0 * M), 0.0), open_


def fermion_to_fermion_vector(m1, m2, mV, gL2_plus_gR2, re_gL_gR):
    """``Gamma(m1 -> m2 V)`` (GeV) through ``gamma^mu (g_L P_L + g_R P_R)``, signed fermion masses, given
    ``|g_L|^2 + |g_R|^2`` and ``Re(g_L g_R^*)``."""
    M = jnp.abs(m1)
    pabs, open_ = _momentum(M, m2, mV)
    m1s, m2s = M * M, m2 * m2
    msq = gL2_plus_gR2 * (m1s + m2s - 2.0 * mV**2 + (m1s - m2s) ** 2 / mV**2) - 12.0 * re_gL_gR * m1 * m2
    return jnp.where(open_, pabs * msq / (16.0 * PI * m1s), 0.0)


def fermion_to_fermion_scalar(m1, m2, mS, c2):
    """``Gamma(m1 -> m2 phi)`` (GeV) through one chirality with ``|c|^2``."""
    M = jnp.abs(m1)
    pabs, open_ = _momentum(M, m2, mS)
    return jnp.where(open_, pabs * c2 * (M * M + m2 * m2 - mS * mS) / (16.0 * PI * M * M), 0.0)


def scalar_to_fermions(mS, m1, m2, c2):
    """``Gamma(phi -> f1 f2)`` (GeV) through one chirality with ``|c|^2`` (one final state, not its conjugate)."""
    pabs, open_ = _momentum(mS, m1, m2)
    return jnp.where(open_, pabs * c2 * (mS * mS - m1 * m1 - m2 * m2) / (8.0 * PI * mS * mS), 0.0)


def scalar_to_scalar_vector(mS, m2, mV, g2):
    """``Gamma(phi -> phi' V)`` (GeV) through ``g (p + p')^mu``: ``g^2 lambda^{3/2} / (16 pi m^3 m_V^2)``."""
    lam = kallen(mS, m2, mV)
    open_ = (m2 + mV < mS) & (lam > 0.0)
    ls = jnp.where(open_, lam, 1.0)
    return jnp.where(open_, g2 * ls * jnp.sqrt(ls) / (16.0 * PI * mS**3 * mV**2), 0.0)


def _scalars(p: Point):
    """Masses ``(H1, H2, A1, A2)`` and the Yukawa moduli squared ``|(y O)_{alpha k}|^2`` summed over alpha, per scalar."""
    yR, yI = rotated_yukawas(p)
    y2 = jnp.concatenate([jnp.sum(jnp.abs(yR) ** 2, axis=0), jnp.sum(jnp.abs(yI) ** 2, axis=0)])
    return scalar_masses(p), y2


def partial_widths(p: Point) -> dict:
    """Every two-body width (GeV), keyed ``"<state> -> <final>"``, each summed over lepton flavours and over a
    final state and its conjugate where both exist."""
    require_x64()
    Ms = signed_masses(p)
    ME, mAp = jnp.asarray(p.M_E, dtype=jnp.float64), jnp.asarray(p.m_Ap, dtype=jnp.float64)
    mS, y2 = _scalars(p)
    names = ("H1", "H2", "A1", "A2")
    g2 = G2_WEAK / 4.0  # (g/2)^2: each N_n's W coupling
    out = {}
    # E -> N_n W: N2 vector (g_L = g_R = g/2), N1 axial (g_L = -g/2, g_R = g/2)
    for n, sgn in ((0, 1.0), (1, -1.0)):
        out[f"E -> N{n + 1} W"] = fermion_to_fermion_vector(ME, Ms[n], M_W_GEV, 2.0 * g2, -sgn * g2)
        # N_n -> E W (both charges: N_n is Majorana)
        out[f"N{n + 1} -> E W"] = 2.0 * fermion_to_fermion_vector(Ms[n], ME, M_W_GEV, 2.0 * g2, -sgn * g2)
    for k, s in enumerate(names):
        out[f"E -> l {s}"] = fermion_to_fermion_scalar(ME, 0.0, mS[k], y2[k] / 2.0)
        for n in range(2):
            out[f"N{n + 1} -> nu {s}"] = 2.0 * fermion_to_fermion_scalar(Ms[n], 0.0, mS[k], y2[k] / 4.0)
            out[f"{s} -> nu N{n + 1}"] = 2.0 * scalar_to_fermions(mS[k], 0.0, Ms[n], y2[k] / 4.0)
        out[f"{s} -> l E"] = 2.0 * scalar_to_fermions(mS[k], 0.0, ME, y2[k] / 2.0)
    # N_a -> N_b + A' or Z through the axial coupling (g_L = -g_a, g_R = g_a), the heavier decaying
    for a, b in ((1, 0), (0, 1)):
        heavier = jnp.abs(Ms[a]) > jnp.abs(Ms[b])
        for V, mV, ga2 in (("A'", mAp, p.g_D**2), ("Z", M_Z_GEV, G2_Z_AXIAL)):
            w = fermion_to_fermion_vector(Ms[a], Ms[b], mV, 2.0 * ga2, -ga2)
            out[f"N{a + 1} -> N{b + 1} {V}"] = jnp.where(heavier, w, 0.0)
    # H_k <-> A_l A' through the scalar current, coefficient g_D Q_S C_kl
    C = scalar_overlap(p)
    for k in range(2):
        for l in range(2):
            g2kl = (p.g_D * p.Q_S * C[k, l]) ** 2
            out[f"H{k + 1} -> A{l + 1} A'"] = scalar_to_scalar_vector(mS[k], mS[2 + l], mAp, g2kl)
            out[f"A{l + 1} -> H{k + 1} A'"] = scalar_to_scalar_vector(mS[2 + l], mS[k], mAp, g2kl)
    return out


def total_widths(p: Point):
    """Total two-body widths (GeV) of :data:`STATES`, stacked."""
    parts = partial_widths(p)
    return jnp.stack([sum(v for k, v in parts.items() if k.split(" -> ")[0] == s) for s in STATES])


def masses(p: Point):
    """Physical masses (GeV) of :data:`STATES`, stacked."""
    return jnp.concatenate([jnp.abs(jnp.asarray(p.M_E, dtype=jnp.float64))[None], dark_masses(p)])


def width_over_mass(p: Point):
    """``Gamma / M`` of each state of :data:`STATES`, stacked (0 for a stable one)."""
    return total_widths(p) / masses(p)
