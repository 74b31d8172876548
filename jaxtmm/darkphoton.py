r"""The dark photon's decay widths, branching ratios and lifetime at a model point.

Standard Model final states (the dark photon couples to the electromagnetic current with strength ``eps e``,
Eq. 2.6), as DarkCast defines a *standard dark photon* (arXiv:1801.04847, section 2), so that published limits
recast consistently:

* leptons: ``Gamma(A' -> l l) = alpha eps^2 m / 3 (1 + 2 r) sqrt(1 - 4 r)``, ``r = m_l^2 / m^2``;
* hadrons: ``Gamma = alpha eps^2 m / 3 * R(m)`` with ``R = sum_F w_F R_mu^F(m)`` from DarkCast's vector-meson-
  dominance fits (``jaxtmm/vmd/``; weight 1 for each rho, omega, phi term and -2 for the omega-phi interference,
  the squared U(3) traces of a dark photon), interpolated linearly and held at the edge value outside each fit
  (DarkCast's convention, so above 2 GeV R stays at its 2 GeV value); plus ``c cbar`` and ``b bbar`` above
  ``2 m_q`` with DarkCast's constituent masses 1.5 and 4.8 GeV (colour 3, charges 2/3 and -1/3).

Dark final states, all invisible:

* ``N1 N2`` through the axial coupling ``g_D Q_N N1bar gamma^mu gamma_5 N2`` (Eq. 2.10, ``|Q_N| = 1``, Table 1):
  the width of :func:`jaxtmm.electroweak.delta_N_nu` with ``(g/2c_W) -> g_D``, i.e.
  ``g_D^2 m / (12 pi) lambda^{1/2} [1 - (x1+x2)/2 - (x1-x2)^2/2 - 3 M1 M2 / m^2]`` (signed masses);
* ``H_k A_l`` through ``g_D Q_S C_kl A'^mu (A_l d_mu H_k - H_k d_mu A_l)``, ``C = O_R^T O_I`` (Eq. 2.16):
  ``(g_D Q_S C_kl)^2 m / (48 pi) lambda^{3/2}(1, x_Hk, x_Al)``, the width of a complex scalar pair when
  ``theta_R = theta_I``;
* ``nu_i nu_j`` (i < j) through the dark transition moment itself (Eq. 2.5):
  ``|mu_ij|^2 m^3 / (24 pi)`` (``docs/derivation.md`` section 9), and ``nu nu`` through the one-loop vector form factor
  ``F`` of :mod:`jaxtmm.vertex`: ``Tr(F F^dagger) m / (24 pi)`` (section 15), which exceeds the dipole's by ``~1/m^2``.
"""

from functools import cache
from importlib import resources

import jax.numpy as jnp
import numpy as np

from jaxtmm.constants import ALPHA_EM, M_E_GEV, M_MU_GEV
from jaxtmm.model import Point
from jaxtmm.observables import mu_ij
from jaxtmm.spectrum import axial_pair_shape, kallen, scalar_overlap, signed_masses
from jaxtmm.vertex import width_nu_nu_vector

PI = jnp.pi
M_TAU_GEV = 1.77686  # tau mass [GeV] (PDG 2024)
HBAR_GEV_S = 6.582119569e-25  # reduced Planck constant [GeV s] (CODATA 2018)
C_M_PER_S = 299792458.0  # speed of light [m/s]
#: Heavy quarks as DarkCast's standard dark photon has them: (constituent mass GeV, charge), colour 3.
HEAVY_QUARKS = {"c_c": (1.5, 2.0 / 3.0), "b_b": (4.8, -1.0 / 3.0)}
#: The vector-meson-dominance tables and their weights for a dark photon (squared U(3) traces, DarkCast pars.py).
VMD_FILES = {
    "rf.pi+_pi-.rho0.dat": 1.0,
    "rf.pi+_pi-_pi+_pi-.rho0.dat": 1.0,
    "rf.pi+_pi-_pi0_pi0.rho0.dat": 1.0,
    "rf.pi+_pi-_pi0.omega.dat": 1.0,
    "rf.pi+_pi-_pi0.phi.dat": 1.0,
    "rf.pi+_pi-_pi0.omega_phi.dat": -2.0,
    "rf.pi0_gamma.omega.dat": 1.0,
    "rf.K_K.phi.dat": 1.0,
    "rf.K_K_pi.phi.dat": 1.0,
    "rf.other.rho0.dat": 1.0,
    "rf.other.omega.dat": 1.0,
    "rf.other.phi.dat": 1.0,
}
HADRONIC_STATES = frozenset(name.split(".")[1] for name in VMD_FILES)
#: The decay channels, in the order of :func:`widths`.
CHANNELS = ("e_e", "mu_mu", "tau_tau", "hadrons", "c_c", "b_b", "N1_N2", "scalars", "nu_nu")
VISIBLE = CHANNELS[:6]
INVISIBLE = CHANNELS[6:]


@cache
def vmd_tables() -> tuple:
    """``((weight, masses, R_mu^F), ...)`` read from ``jaxtmm/vmd/`` (NumPy arrays)."""
    out = []
    for name, w in VMD_FILES.items():
        text = resources.files("jaxtmm.vmd").joinpath(name).read_text(encoding="utf-8")
        m, r = np.loadtxt(text.splitlines(), comments="#", unpack=True)
        out.append((w, m, r))
    return tuple(out)


def R_hadrons(m, final_state: str | None = None):
    """``Gamma(A' -> hadrons) / (alpha eps^2 m / 3)`` from the light quarks: the weighted sum of the VMD tables at
    mass m, or of those of one exclusive final state (``"pi+_pi-"``, ``"K_K"``, ... as in the file names)."""
    m = jnp.asarray(m, dtype=jnp.float64)
    tables = [t for name, t in zip(VMD_FILES, vmd_tables()) if final_state in (None, name.split(".")[1])]
    if not tables:
        raise ValueError(f"no hadronic final state {final_state!r} (known: {', '.join(sorted(HADRONIC_STATES))})")
    return sum(w * jnp.interp(m, jnp.asarray(ms), jnp.asarray(rs)) for w, ms, rs in tables)


def _pair(m, mf, colour_charge2=1.0):
    """``colour Q^2 (1 + 2r) sqrt(1 - 4r)``, zero below threshold (gradient-safe)."""
    r = (mf / m) ** 2
    open_ = r < 0.25
    rs = jnp.where(open_, r, 0.0)
    return jnp.where(open_, colour_charge2 * (1.0 + 2.0 * rs) * jnp.sqrt(1.0 - 4.0 * rs), 0.0)


def sm_widths(m_Ap, eps):
    """Partial widths (GeV) to ``e_e, mu_mu, tau_tau, hadrons, c_c, b_b`` of a standard dark photon, stacked."""
    m = jnp.asarray(m_Ap, dtype=jnp.float64)
    unit = ALPHA_EM * eps**2 * m / 3.0
    parts = [_pair(m, M_E_GEV), _pair(m, M_MU_GEV), _pair(m, M_TAU_GEV), R_hadrons(m)]
    parts += [_pair(m, mq, 3.0 * q * q) for mq, q in HEAVY_QUARKS.values()]
    return unit * jnp.stack(parts)


def width_N1N2(p: Point):
    """``Gamma(A' -> N1 N2)`` (GeV), axial coupling ``g_D`` with signed masses; zero below threshold."""
    m = jnp.asarray(p.m_Ap, dtype=jnp.float64)
    M1, M2 = signed_masses(p)
    return p.g_D**2 * m / (12.0 * PI) * axial_pair_shape(M1, M2, m)


def scalar_pair_widths(p: Point):
    """``Gamma(A' -> H_k A_l)`` (GeV), a 2 x 2 array (k, l), couplings ``g_D Q_S (O_R^T O_I)_kl``."""
    m = jnp.asarray(p.m_Ap, dtype=jnp.float64)
    C = scalar_overlap(p)
    rH = jnp.stack([jnp.asarray(p.m_H1), jnp.asarray(p.m_H2)]) / m
    rA = jnp.stack([jnp.asarray(p.m_A1), jnp.asarray(p.m_A2)]) / m
    lam = kallen(1.0, rH[:, None], rA[None, :])
    open_ = (rH[:, None] + rA[None, :] < 1.0) & (lam > 0.0)
    ls = jnp.where(open_, lam, 1.0)
    return jnp.where(open_, (p.g_D * p.Q_S * C) ** 2 * m / (48.0 * PI) * ls * jnp.sqrt(ls), 0.0)


def width_scalars(p: Point):
    """``sum_kl Gamma(A' -> H_k A_l)`` (GeV)."""
    return jnp.sum(scalar_pair_widths(p))


def width_nu_nu_dipole(p: Point, convention: str = "corrected"):
    """``sum_{i<j} Gamma(A' -> nu_i nu_j) = sum_{i<j} |mu_ij|^2 m^3 / (24 pi)`` (GeV) through the transition moment,
    massless neutrinos."""
    m = jnp.asarray(p.m_Ap, dtype=jnp.float64)
    mu2 = mu_ij(p, convention) ** 2
    return jnp.sum(jnp.triu(mu2, k=1)) * m**3 / (24.0 * PI)


def width_nu_nu(p: Point, convention: str = "corrected"):
    """``Gamma(A' -> nu nu)`` (GeV): the dipole (:func:`width_nu_nu_dipole`) plus the vector form factor
    (:func:`jaxtmm.vertex.width_nu_nu_vector`, ``Tr(F F^dagger) m / (24 pi)``; the two do not interfere). The vector part
    is the same in both conventions (the paper has none; ``docs/derivation.md`` section 15)."""
    return width_nu_nu_dipole(p, convention) + width_nu_nu_vector(p)


def dark_width(p: Point, convention: str = "corrected"):
    """The invisible width (GeV): ``N1 N2``, the scalar pairs and ``nu nu``; independent of eps."""
    return width_N1N2(p) + width_scalars(p) + width_nu_nu(p, convention)


def invisible_fraction(p: Point, convention: str = "corrected"):
    """``BR(A' -> invisible)`` at the point (0 where the A' has no width at all)."""
    dark = dark_width(p, convention)
    total = jnp.sum(sm_widths(p.m_Ap, p.eps)) + dark
    return jnp.where(total > 0.0, dark / jnp.where(total > 0.0, total, 1.0), 0.0)


def widths(p: Point, convention: str = "corrected"):
    """Every partial width (GeV) in the order of :data:`CHANNELS`, stacked."""
    dark = jnp.stack([width_N1N2(p), width_scalars(p), width_nu_nu(p, convention)])
    return jnp.concatenate([sm_widths(p.m_Ap, p.eps), dark])


def summary(p: Point, convention: str = "corrected") -> dict:
    """Total, visible and invisible widths (GeV), branching ratios by channel, BR(invisible) and c tau (m)."""
    w = widths(p, convention)
    total = jnp.sum(w)
    safe = jnp.where(total > 0.0, total, 1.0)
    br = jnp.where(total > 0.0, w / safe, 0.0)
    n_vis = len(VISIBLE)
    out = {
        "Ap_width_total_GeV": total,
        "Ap_width_visible_GeV": jnp.sum(w[:n_vis]),
        "Ap_width_invisible_GeV": jnp.sum(w[n_vis:]),
        "Ap_BR_invisible": jnp.sum(br[n_vis:]),
        "Ap_ctau_m": jnp.where(total > 0.0, HBAR_GEV_S * C_M_PER_S / safe, jnp.inf),
    }
    out.update({f"Ap_BR_{c}": br[k] for k, c in enumerate(CHANNELS)})
    return out
