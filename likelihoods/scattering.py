r"""Neutrino-electron scattering beyond Borexino, recast to a massive dark photon (seed paper Eq. 3.10-3.11,
averaged over the flux; ``docs/derivation.md`` section 11).

A moment limit ``mu_0`` set for a massless photon keeps the magnetic event rate fixed. With a massive A' every
recoil ``T`` is suppressed by ``F(T, m)^2``, ``F = 2 m_e T / (2 m_e T + m^2)``, so

.. math::
    \mu_\mathrm{lim}(m)^2 = \mu_0^2\,\frac{R(0)}{R(m)},\qquad
    R(m) = \int dE\,\phi(E) \int_{T_\min}^{\min(T_\max, T_\mathrm{end}(E))}
           \Big(\frac{1}{T} - \frac{1}{E}\Big) F(T, m)^2\,dT .

Every experiment reduces to a table of nodes ``u = ln T`` and weights ``w`` (:class:`RecastTable`), built once in
NumPy; ``R(m) = sum_k w_k F(T_k, m)^2`` is then one dot product in JAX, differentiable in ``m``.

* :func:`window_table`: flux lines ``(E, weight)`` (a continuous spectrum is a set of quadrature lines,
  :func:`spectrum_lines`), each with Gauss-Legendre nodes in ``ln T`` up to its own kinematic endpoint.
* :func:`threshold_table`: one node at ``T_min``. Since ``F^2`` rises with ``T`` and every weight above is
  positive, ``R(m)/R(0) >= F(T_min, m)^2`` for any flux, detector efficiency and upper edge: the threshold recast
  ``mu_0 / F(T_min, m)`` is the weakest limit the published one can imply. The reactor experiments use it, since
  their fluxes and efficiencies are not available here.

The beam fixes the moment (:func:`jaxtmm.mu_eff_flavour`): reactor anti-nu_e arrive as the flavour state.

The vector form factor of the A' nu nu vertex (:mod:`jaxtmm.vertex`) changes the weak cross section, which these
analyses subtract as the Standard Model's; at a keV threshold both terms are independent of the neutrino energy to
``O(T/E)``, so no flux is needed to compare them. A reactor experiment's excess is the magnetic rate plus the change
``|Delta dsigma_W(T_min)|`` (:func:`jaxtmm.nue.reactor_excess_at_threshold`, the sign that changes it less), read as the
moment that gives the same rate at threshold:

.. math:: \mu_\mathrm{equiv}^2 = \mu_\alpha^2 + \frac{m_e^2\,T_\min\,|\Delta d\sigma_W(T_\min)|}{\pi\alpha^2\,F(T_\min, m)^2}
          \quad(\mu\ \mathrm{in}\ \mu_B;\ d\sigma_\mu/dT = \pi\alpha^2\mu^2/(m_e^2 T)\ \mathrm{at}\ T \ll E).

Counting the flat change at the threshold, where the ``1/T`` signal is largest against it, counts it least. Data:
``likelihoods/data/scattering.toml`` (limits, thresholds, provenance). Statistical model: half-normal in
``(mu_eff / mu_lim)^2``, as for Borexino.
"""

import itertools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxtmm import mu_eff_flavour, to_mu_B
from jaxtmm.constants import ALPHA_EM, M_E_GEV
from jaxtmm.nue import reactor_excess_at_threshold
from jaxtmm.precision import require_x64
from jaxtmm.quadrature import gauss_legendre_01, safe_sqrt
from likelihoods._data import read_toml
from likelihoods._limit import OneSidedLimit, half_normal_limit
from likelihoods.borexino import endpoint
from likelihoods.registry import Options, register

DATA_FILE = "scattering.toml"
_D = read_toml(DATA_FILE)
EXPERIMENTS = tuple(_D)
RECASTS = ("threshold", "window")


class RecastTable(NamedTuple):
    """Nodes ``u = ln(T / GeV)`` and weights of ``R(m) = sum w F(e^u, m)^2`` (NumPy arrays)."""

    u: np.ndarray
    w: np.ndarray


def min_energy(T: float) -> float:
    """The smallest neutrino energy that can give an electron the recoil ``T`` (GeV): the inverse of
    :func:`likelihoods.borexino.endpoint`, ``(T + sqrt(T^2 + 2 m_e T)) / 2``."""
    return 0.5 * (T + math.sqrt(T * T + 2.0 * M_E_GEV * T))


def _check_window(T_min: float, T_max: float | None) -> None:
    for name, v in (("T_min", T_min),) + ((("T_max", T_max),) if T_max is not None else ()):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"recoil window: {name} must be a positive number of GeV, got {v!r}")
    if T_max is not None and not T_min < T_max:
        raise ValueError(f"recoil window: T_min = {T_min:g} GeV must be below T_max = {T_max:g} GeV")


def window_table(lines, T_min: float, T_max: float | None = None, n: int = 32) -> RecastTable:
    """The table of Eq. (3.10) for neutrino lines ``[(E, weight), ...]`` (GeV, relative flux) over the recoil window
    ``[T_min, T_max]`` (``T_max = None``: each line's endpoint). Lines that cannot reach ``T_min`` contribute nothing.

    In ``u = ln T`` the integrand ``(1 - T/E) F^2`` is analytic within a distance pi of the real axis (F is a
    sigmoid of ``u``), so ``n = 32`` Gauss-Legendre nodes per line are exact to rounding for windows of a few decades.
    """
    _check_window(T_min, T_max)
    xi, gw = (np.asarray(a) for a in gauss_legendre_01(n))
    us, ws = [], []
    for E, weight in lines:
        if not (math.isfinite(E) and E > 0 and math.isfinite(weight) and weight >= 0):
            raise ValueError(f"flux line ({E!r}, {weight!r}): the energy must be positive and the weight non-negative")
        top = endpoint(E) if T_max is None else min(T_max, endpoint(E))
        if top <= T_min or weight == 0:
            continue
        L = math.log(top / T_min)
        u = math.log(T_min) + xi * L
        us.append(u)
        ws.append(weight * L * gw * (1.0 - np.exp(u) / E))
    if not us:
        raise ValueError(f"no flux line reaches the recoil threshold T_min = {T_min:g} GeV")
    return RecastTable(np.concatenate(us), np.concatenate(ws))


def spectrum_lines(density, E_lo: float, E_hi: float, T_min: float, T_max: float | None = None, n: int = 48):
    """Gauss-Legendre lines ``(E, density(E) dE)`` of a continuous spectrum on ``[E_lo, E_hi]`` for
    :func:`window_table`, split where the integrand of ``E`` has kinks: below ``min_energy(T_min)`` a neutrino cannot
    reach the window, and above ``min_energy(T_max)`` its endpoint no longer cuts it."""
    _check_window(T_min, T_max)
    cuts = [min_energy(T_min)] + ([min_energy(T_max)] if T_max is not None else [])
    edges = sorted({E_lo, E_hi, *(c for c in cuts if E_lo < c < E_hi)})
    xi, gw = (np.asarray(a) for a in gauss_legendre_01(n))
    out = []
    for a, b in itertools.pairwise(edges):
        if b <= cuts[0]:
            continue
        E = a + (b - a) * xi
        out += [(float(e), float(density(e) * (b - a) * g)) for e, g in zip(E, gw)]
    return out


def threshold_table(T_min: float) -> RecastTable:
    """The conservative recast ``R(m)/R(0) = F(T_min, m)^2`` (the module's docstring)."""
    _check_window(T_min, None)
    return RecastTable(np.array([math.log(T_min)]), np.array([1.0]))


def suppression(m_Ap, table: RecastTable):
    """``R(m) / R(0)`` in (0, 1], broadcasting over ``m_Ap`` (GeV); ``F`` as a sigmoid of ``ln T`` for any m."""
    require_x64()
    m = jnp.asarray(m_Ap, dtype=jnp.float64)
    F = jax.nn.sigmoid(jnp.asarray(table.u) + math.log(2.0 * M_E_GEV) - 2.0 * jnp.log(m)[..., None])
    w = jnp.asarray(table.w)
    return (F**2 @ w) / jnp.sum(w)


def table(name: str) -> RecastTable:
    """The recast table of an experiment of the data file: ``threshold`` (:func:`threshold_table`) or ``window``
    (:func:`window_table` of its ``lines = [[E_GeV, weight], ...]`` over ``[T_min_GeV, T_max_GeV]``, T_max optional)."""
    d = experiment(name)
    if d["recast"] == "window":
        T_max = d.get("T_max_GeV")
        return window_table(
            [tuple(map(float, x)) for x in d["lines"]], float(d["T_min_GeV"]), None if T_max is None else float(T_max)
        )
    return threshold_table(float(d["T_min_GeV"]))


def recast_limit(m_Ap, name: str):
    """The recast 90% CL limit on the beam's effective moment, mu_B, at dark-photon mass(es) ``m_Ap`` >= 0 (GeV)."""
    try:
        m = np.asarray(m_Ap, dtype=float)
    except jax.errors.TracerArrayConversionError:  # traced: checked by the caller's own inputs
        m = None
    if m is not None and not np.all(np.isfinite(m) & (m >= 0)):
        raise ValueError(f"the dark-photon mass must be finite and >= 0 GeV, got {m_Ap!r}")
    return float(experiment(name)["mu_90_muB"]) / jnp.sqrt(suppression(m_Ap, table(name)))


def experiment(name: str) -> dict:
    """The data-file entry of a scattering experiment (limit, CL, citation, flux, beam, threshold, provenance)."""
    if name not in _D:
        raise ValueError(f"unknown scattering experiment {name!r} (known: {', '.join(EXPERIMENTS)})")
    d = _D[name]
    if d["recast"] not in RECASTS:
        raise ValueError(f"{DATA_FILE}: recast of {name} must be one of {', '.join(RECASTS)}, got {d['recast']!r}")
    return d


def mu_equivalent(p, name: str, convention: str = "corrected"):
    """The moment (mu_B) the experiment sees: the beam's effective moment, and for a reactor experiment with a threshold
    recast the vector form factor's change of the weak rate at threshold read as a moment (the module's docstring)."""
    d = experiment(name)
    mu = to_mu_B(mu_eff_flavour(p, d["beam"], convention))
    if not (d["flux"].startswith("reactor") and d["recast"] == "threshold"):
        return mu
    T = float(d["T_min_GeV"])
    F2 = suppression(p.m_Ap, threshold_table(T))
    extra = M_E_GEV**2 * T * reactor_excess_at_threshold(p, T) / (math.pi * ALPHA_EM**2 * F2)
    return safe_sqrt(mu**2 + extra)


def likelihood(name: str, convention: str = "corrected") -> OneSidedLimit:
    """The experiment's likelihood: ``(mu_equiv / mu_lim(m_A'))^2``, half-normal at its CL."""
    d = experiment(name)
    tab, mu0, flavour = table(name), float(d["mu_90_muB"]), d["beam"]
    quantity = f"mu_eff ({flavour} flavour)" + (" + vector form factor" if d["flux"].startswith("reactor") else "")
    return half_normal_limit(
        name,
        quantity,
        "mu_B",
        lambda p: mu_equivalent(p, name, convention),
        lambda p: mu0 / jnp.sqrt(suppression(p.m_Ap, tab)),
        d,
        DATA_FILE,
        power=2.0,
    )


def _register(name: str, rank: int):
    @register(
        name,
        group="neutrino-electron scattering",
        data_file=DATA_FILE,
        sets=("complete",),
        scales=f"mu_eff^2 ({_D[name]['beam']} flavour)"
        f"{' + the vector form factor (weak-rate change as a moment)' if _D[name]['flux'].startswith('reactor') else ''}"
        f", recast to a massive A' "
        f"({'at threshold' if _D[name]['recast'] == 'threshold' else 'over its window, Eq. 3.10'})",
        rank=rank,
    )
    def build(options: Options) -> OneSidedLimit:
        return likelihood(name, options.convention)

    return build


for _k, _name in enumerate(EXPERIMENTS):
    _register(_name, 41 + _k)
