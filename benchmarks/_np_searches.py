"""The NumPy baseline of the `A' searches` benchmark row: the same recast signal ratios as likelihoods.searches,
vectorised over points with NumPy (np.interp per search, Newton for the beam dumps' t0), and the gradient by central
differences, as a user without JAX would write it. The point's widths come in as arrays (g1, Gamma_dark)."""

import numpy as np

from likelihoods import darkphoton as D
from likelihoods import searches as S


def _interp(x, xp, fp):
    """Linear in (log m, log value); NaN outside the curve and next to a NaN node."""
    out = np.interp(np.log(x), np.log(xp), np.log(np.where(np.isfinite(fp), fp, 1.0)))
    k = np.clip(np.searchsorted(xp, x, side="right"), 1, len(xp) - 1)
    bad = ~(np.isfinite(fp[k - 1]) & np.isfinite(fp[k])) | (x < xp[0]) | (x > xp[-1])
    return np.where(bad, np.nan, np.exp(out))


def _log1mexp(t):
    t = np.maximum(t, 1e-300)
    return np.where(t < 0.693, np.log(-np.expm1(-np.minimum(t, 0.693))), np.log1p(-np.exp(-np.maximum(t, 0.693))))


def _t_over_expm1(t):
    ts = np.where(t < 1e-8, 1.0, t)
    return np.where(t < 1e-8, 1.0 - 0.5 * t, ts / np.expm1(ts))


class NumpySearches:
    """ln L of the searches of ``names`` at arrays (m, eps, g1, dark)."""

    def __init__(self, names=S.IN_COMPLETE):
        self.lims = [D.load(n) for n in names]
        self.names = names
        self.u_nodes = [S._equal_yield_nodes(lim) if lim.kind == "beam_dump" else None for lim in self.lims]

    def log_likelihood(self, m, eps, g1, dark):
        total = np.zeros_like(m)
        le = np.log(np.maximum(np.abs(eps), 1e-300))
        G = eps**2 * g1 + dark
        Gs = np.where(G > 0, G, 1.0)
        g1s = np.where(g1 > 0, g1, 1.0)
        ln_vis = np.log(np.maximum(eps**2 * g1s / Gs, 1e-300))
        for lim, u_nodes, name in zip(self.lims, self.u_nodes, self.names):
            l_lo = np.log(_interp(m, lim.mass, lim.lower))
            if lim.kind == "invisible":
                lnr = 2 * (le - l_lo) + np.log(np.maximum(np.where(G > 0, dark / Gs, 0.0), 1e-300))
            elif lim.kind == "prompt":
                lnr = 2 * (le - l_lo) + ln_vis
                cut = D.LIFETIME_CUTS.get(name)
                if cut:
                    t1 = cut(m) / D.HBAR_GEV_S
                    lnr = lnr + _log1mexp(t1 * Gs) - _log1mexp(t1 * np.exp(2 * l_lo) * g1s)
                l_lo = np.where(g1 > 0, l_lo, np.nan)
            else:
                l_hi = np.log(_interp(m, lim.mass, lim.upper))
                u = np.interp(np.log(m), np.log(lim.mass), np.where(np.isfinite(u_nodes), u_nodes, 0.0))
                b = lim.length_ratio
                e2lo, e2hi = np.exp(2 * l_lo), np.exp(2 * l_hi)
                for _ in range(S._NEWTON):
                    x = np.exp(u)
                    f = 2 * (l_lo - l_hi) - x * (e2lo - e2hi) + _log1mexp(b * x * e2lo) - _log1mexp(b * x * e2hi)
                    df = x * (e2hi - e2lo) + _t_over_expm1(b * x * e2lo) - _t_over_expm1(b * x * e2hi)
                    u = u - np.clip(f / df, -2, 2)
                x = np.exp(u)
                a1, a0 = x * Gs / g1s, x * e2lo
                lnr = 2 * (le - l_lo) + ln_vis - (a1 - a0) + _log1mexp(b * a1) - _log1mexp(b * a0)
                l_lo = np.where((g1 > 0) & np.isfinite(l_hi), l_lo, np.nan)
            ok = np.isfinite(l_lo)
            r = np.where(ok, np.exp(np.minimum(np.where(ok, lnr, 0.0), S._LN_R_MAX)), 0.0)
            st = S.STAT[lim.kind]
            total -= 0.5 * st.threshold * (r if lim.kind == "beam_dump" else r**2)
        return total
