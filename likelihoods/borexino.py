r"""Borexino: the effective neutrino magnetic moment, recast for a massive dark photon (Eq. 3.10, 3.11).

Borexino's 90% CL limit ``mu_Borexino = 2.8e-11 mu_B`` assumes a massless photon. Keeping the event rate
in the recoil window ``[T_min, T_max]`` fixed (Eq. 3.10),

.. math::

    \mu_\mathrm{lim}(m_{A'}) = \mu_\mathrm{Borexino} \sqrt{I(0) / I(m_{A'})},\qquad
    I(m) = \int_{T_\min}^{T_\max} \left(\frac{1}{T} - \frac{1}{E_\nu}\right) F(T, m)^2\, dT,\qquad
    F = \frac{2 m_e T}{2 m_e T + m^2}.

``I(0) = ln(T_max / T_min) - (T_max - T_min) / E_nu``. ``I(m)`` is a Gauss-Legendre sum in ``u = ln T``,
where ``F = sigmoid(u + ln(2 m_e) - 2 ln m)`` is evaluated without loss for any m (its pole at
``T = -m^2 / (2 m_e)`` lies a distance pi off the real u axis, so 32 nodes are exact to rounding).
Defaults from the seed paper: the 7Be line ``E_nu = 862 keV``, ``T_min = 50 keV``; ``T_max`` the kinematic
endpoint ``2 E_nu^2 / (m_e + 2 E_nu)`` (~665 keV; the paper does not say). Data:
``likelihoods/data/borexino_2017.toml``.

Signal ratio ``(mu_eff / mu_lim(m_A'))^2`` (the scattering rate ~ mu_eff^2), with mu_eff the solar
mass-state mixture (default) or one pair ``|eps mu_ij|``. Statistical model: half-normal.
"""

import math

import jax
import jax.numpy as jnp

from jaxtmm import mu_eff, to_mu_B
from jaxtmm.constants import M_E_GEV
from jaxtmm.observables import check_moment
from jaxtmm.precision import require_x64
from jaxtmm.quadrature import gauss_legendre_01
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.registry import Options, register

DATA_FILE = "borexino_2017.toml"
_D = read_toml(DATA_FILE)
MU_BOREXINO = float(_D["mu_90_muB"])
E_NU_DEFAULT = float(_D["E_nu_GeV"])
T_MIN_DEFAULT = float(_D["T_min_GeV"])
E_NU_MAX = 1.0  # GeV: solar neutrinos end near 20 MeV; the window check refuses anything above this


def endpoint(E_nu: float) -> float:
    """Maximal electron recoil energy for a neutrino of energy E_nu on an electron at rest, GeV."""
    return E_nu / (1.0 + M_E_GEV / (2.0 * E_nu))  # = 2 E^2 / (m_e + 2 E), without overflow


def check_window(T_min: float, E_nu: float, T_max: float | None) -> tuple[float, float, float]:
    """Validate a recoil window (GeV); T_max defaults to the kinematic endpoint."""
    for name, v in (("T_min", T_min), ("E_nu", E_nu)) + ((("T_max", T_max),) if T_max is not None else ()):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"Borexino window: {name} must be a positive number of GeV, got {v!r}")
    if E_nu > E_NU_MAX:
        raise ValueError(
            f"Borexino window: E_nu = {E_nu:g} GeV is above {E_NU_MAX:g} GeV (the recast is for solar neutrinos)"
        )
    T_end = endpoint(E_nu)
    T_max = T_end if T_max is None else float(T_max)
    if T_max > T_end * (1 + 1e-12):
        raise ValueError(
            f"Borexino window: T_max = {T_max:g} GeV is above the endpoint {T_end:g} GeV for E_nu = {E_nu:g} GeV"
        )
    if not T_min < T_max:
        raise ValueError(f"Borexino window: T_min = {T_min:g} GeV must be below T_max = {T_max:g} GeV")
    return float(T_min), float(E_nu), T_max


def rate_integral(m_Ap, T_min=T_MIN_DEFAULT, E_nu=E_NU_DEFAULT, T_max=None, n: int = 32):
    """``I(m)`` of Eq. (3.10) in GeV^0 (dimensionless), broadcasting over m_Ap."""
    require_x64()
    T_min, E_nu, T_max = check_window(T_min, E_nu, T_max)
    xi, w = gauss_legendre_01(n)
    L = math.log(T_max / T_min)
    u = math.log(T_min) + xi * L
    m = jnp.asarray(m_Ap, dtype=jnp.float64)
    F = jax.nn.sigmoid(u + math.log(2.0 * M_E_GEV) - 2.0 * jnp.log(m)[..., None])
    return L * ((1.0 - jnp.exp(u) / E_nu) * F**2) @ w


def rate_integral_massless(T_min=T_MIN_DEFAULT, E_nu=E_NU_DEFAULT, T_max=None) -> float:
    """``I(0) = ln(T_max / T_min) - (T_max - T_min) / E_nu``."""
    T_min, E_nu, T_max = check_window(T_min, E_nu, T_max)
    return math.log(T_max / T_min) - (T_max - T_min) / E_nu


def recast_limit(m_Ap, T_min=T_MIN_DEFAULT, E_nu=E_NU_DEFAULT, T_max=None, mu_0=MU_BOREXINO, n: int = 32):
    """The recast 90% CL limit on mu_eff in mu_B at dark-photon mass m_Ap (GeV), Eq. (3.10)-(3.11).

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> round(float(recast_limit(1e-6)) / 2.8e-11, 4)   # light A': the massless limit, up to m^2 / (2 m_e T)
    1.0
    """
    I0 = rate_integral_massless(T_min, E_nu, T_max)
    return mu_0 * jnp.sqrt(I0 / rate_integral(m_Ap, T_min, E_nu, T_max, n))


def likelihood(
    convention: str = "corrected", moment: str = "solar", T_min=T_MIN_DEFAULT, E_nu=E_NU_DEFAULT, T_max=None
):
    """The Borexino likelihood with the massive-mediator recast; ``moment`` = solar | 12 | 13 | 23."""
    check_window(T_min, E_nu, T_max)
    check_moment(moment)
    return half_normal_limit(
        "Borexino",
        f"mu_eff ({moment})",
        "mu_B",
        lambda p: to_mu_B(mu_eff(p, moment, convention)),
        lambda p: recast_limit(p.m_Ap, T_min, E_nu, T_max),
        _D,
        DATA_FILE,
        power=2.0,
    )


@register(
    "Borexino",
    group="neutrino-electron scattering",
    data_file=DATA_FILE,
    scales="mu_eff^2, recast to a massive A' (Eq. 3.10)",
    rank=40,
)
def build(options: Options) -> OneSidedLimit:
    o = options
    return likelihood(
        o.convention,
        o.moment,
        T_MIN_DEFAULT if o.T_min is None else o.T_min,
        E_NU_DEFAULT if o.E_nu is None else o.E_nu,
        o.T_max,
    )
