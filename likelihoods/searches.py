r"""Every dark-photon search of ``likelihoods/data/darkphoton/`` as a differentiable likelihood of a model point:
DarkCast's recast (arXiv:1801.04847, section 2; :mod:`likelihoods.darkphoton`) written in JAX.

Production scales as ``eps^2``; the point's own widths (:mod:`jaxtmm.darkphoton`) set the branching ratios and the
lifetime. With ``g1(m)`` the Standard Model width at eps = 1 and
``Gamma = eps^2 g1 + Gamma_dark`` (``Gamma_dark``: ``N1 N2``, the scalar pairs and ``nu nu``, independent of eps),
the *signal ratio* ``r`` (expected signal over the signal at the published limit) is

* **prompt** (final states F, largest accepted proper lifetime ``t1``, infinite for most):
  ``r = (eps / eps_pub)^2 (eps^2 g1 / Gamma) A(Gamma) / A(eps_pub^2 g1)``, ``A(G) = 1 - exp(-t1 G / hbar)``;
  half-normal at 90% CL (bump hunts over a background);
* **beam dump** (``t1 = k t0``, ``k = 1 + L_decay / L_shield``):
  ``ln r = ln Y(eps) - ln Y_std(eps_lo)``, ``Y = eps^2 BR(F) [exp(-t0 Gamma/hbar) - exp(-t1 Gamma/hbar)]``, with
  ``t0`` fixed at each mass by equal standard yields at the published edges ``eps_lo`` and ``eps_hi``
  (:func:`likelihoods.darkphoton.equal_yield_x`); ``r = 1`` on both recast edges, ``r > 1`` between them;
  zero-observed Poisson at 90% CL (the dumps saw no event);
* **invisible** (NA62, LEP): ``r = eps^2 BR(invisible) / eps_pub^2``, half-normal;
* **g-2** (``AMMe``, ``AMMmu``): ``r = (eps / eps_pub)^2``: the loop does not care how the A' decays. Not in
  :data:`IN_COMPLETE`: the ``complete`` set has ``(g-2)_mu`` and ``(g-2)_e`` with the dark photon's loop inside
  (:mod:`likelihoods.g2_muon`), and these limits would count it twice.

Each search is registered by its file stem in no set (``--constraints E137_Andreas2012mt,...`` picks any); the
``complete`` set has them through one entry, ``A' searches`` (:class:`SearchSet`): the sum of their log-likelihoods
with the point's widths computed once (27 separate likelihoods would recompute the moment 27 times; tracing and
compiling them takes minutes).

Each limit applies where its published curve is defined at ``m_A'`` (interpolated linearly in (log m, log eps),
never across a "no limit" point) and, for prompt and beam-dump searches, above 2 m_e. ``r = 1`` is exactly the
edge of :func:`likelihoods.darkphoton.recast` with ``invisible_width = Gamma_dark`` (tests/test_searches.py).
"""

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from jaxtmm import darkphoton as dp
from jaxtmm.model import Point
from likelihoods import darkphoton as D
from likelihoods._limit import HalfNormal, OneSidedLimit, ZeroObservedPoisson
from likelihoods.registry import Options, register

_LN_R_MAX = 700.0  # r is capped at e^700: deep inside a beam-dump band, without overflow
_NEWTON = 8  # Newton steps for t0 from the interpolated node value (quadratic convergence; 3 suffice)
STAT = {
    "prompt": HalfNormal(0.90),
    "beam_dump": ZeroObservedPoisson(0.90),
    "invisible": HalfNormal(0.90),
    "g-2": HalfNormal(0.90),
}


def _stack(rows, fill):
    """Rows of unequal length -> one (S, N) array, padded with ``fill``."""
    n = max(len(r) for r in rows)
    return np.array([np.concatenate([r, np.full(n - len(r), fill)]) for r in rows])


def _finite(v):
    """(v with 0 where it is NaN, where it is finite)."""
    ok = np.isfinite(v)
    return np.where(ok, v, 0.0), ok


def _index_tables(lx: np.ndarray, n: np.ndarray) -> dict:
    """The union of every curve's masses ``U`` and, per curve and per interval ``[U[i-1], U[i])``, how many of its
    nodes lie at or below ``U[i-1]`` (``le``) and strictly below it (``lt``): one binary search in ``U`` then
    gives every curve's ``searchsorted`` (right and left) at once."""
    U = np.unique(lx[np.isfinite(lx)])
    prev = np.concatenate([[-np.inf], U])  # U[i-1] for i = 0 .. len(U)
    le = np.array([np.searchsorted(row[:k], prev, side="right") for row, k in zip(lx, n)])
    lt = np.array([np.searchsorted(row[:k], prev, side="left") for row, k in zip(lx, n)])
    return {"U": jnp.asarray(U), "prev": jnp.asarray(prev), "le": jnp.asarray(le), "lt": jnp.asarray(lt)}


def _interp(lm, lx, lf, ok, n, idx):
    """(log value, valid) of every search at log mass ``lm``: linear between nodes, a node's own value at a node,
    as :func:`likelihoods.darkphoton._interp` (its NaN is invalid here; the value is 0 where invalid). ``lx`` (S, N)
    padded with +inf, ``n`` (S,), ``idx`` from :func:`_index_tables`."""
    i = jnp.searchsorted(idx["U"], lm, side="right")
    on_node = idx["prev"][i] == lm
    k = jnp.clip(idx["le"][:, i], 1, n - 1)[:, None]
    j = jnp.clip(jnp.where(on_node, idx["lt"][:, i], idx["le"][:, i]), 0, n - 1)[:, None]
    at = lambda a, q: jnp.take_along_axis(a, q, axis=1)[:, 0]
    x0, x1, xj = at(lx, k - 1), at(lx, k), at(lx, j)
    exact = xj == lm
    t = (lm - x0) / jnp.where(exact, 1.0, x1 - x0)
    val = jnp.where(exact, at(lf, j), (1.0 - t) * at(lf, k - 1) + t * at(lf, k))
    inside = (lm >= lx[:, 0]) & (lm <= at(lx, (n - 1)[:, None]))
    valid = jnp.where(exact, at(ok, j), at(ok, k - 1) & at(ok, k)) & inside
    return jnp.where(valid, val, 0.0), valid  # 0 where invalid: an extrapolated log limit may overflow exp()


def _log1mexp(t):
    """``ln(1 - exp(-t))`` for t > 0 (t <= 0 is clamped to the smallest positive number)."""
    t = jnp.maximum(t, 1e-300)
    small = t < 0.693
    return jnp.where(
        small, jnp.log(-jnp.expm1(-jnp.where(small, t, 1.0))), jnp.log1p(-jnp.exp(-jnp.where(small, 1.0, t)))
    )


def _t_over_expm1(t):
    """``t / (e^t - 1)``, 1 at t = 0."""
    small = t < 1e-8
    ts = jnp.where(small, 1.0, t)
    return jnp.where(small, 1.0 - 0.5 * t, ts / jnp.expm1(ts))


def _equal_yield_u(u0, l_lo, l_hi, k):
    """``u = ln x`` where the standard yields at ``ln eps_lo`` and ``ln eps_hi`` are equal, by Newton from ``u0``;
    the last step's derivative is the implicit function's, so gradients in the edges are exact."""
    b = k - 1.0
    e2lo, e2hi = jnp.exp(2.0 * l_lo), jnp.exp(2.0 * l_hi)

    def f(u):
        x = jnp.exp(u)
        return 2.0 * (l_lo - l_hi) - x * (e2lo - e2hi) + _log1mexp(b * x * e2lo) - _log1mexp(b * x * e2hi)

    def df(u):
        x = jnp.exp(u)
        return x * (e2hi - e2lo) + _t_over_expm1(b * x * e2lo) - _t_over_expm1(b * x * e2hi)

    u = jax.lax.fori_loop(0, _NEWTON, lambda _, u: u - jnp.clip(f(u) / df(u), -2.0, 2.0), jax.lax.stop_gradient(u0))
    u = jax.lax.stop_gradient(u)
    return u - f(u) / jax.lax.stop_gradient(df(u))


KINDS = ("prompt", "beam_dump", "invisible", "g-2")


@dataclass(frozen=True)
class IndependentSearches:
    """The statistic of a set of searches: each member's own (:data:`STAT`), ``q = sum_k q_k``; no single threshold."""

    cl: float = 0.90
    name: str = "independent searches, each its own model (q = sum)"
    threshold: None = None


@dataclass(frozen=True)
class SearchSet(OneSidedLimit):
    """Searches recast to the point, vectorised over the searches (the module's docstring gives ``r`` for each kind),
    the point's widths computed once. ``ln L = sum_k ln L_k`` (independent experiments); the signal ratio is
    ``max_k r_k``: allowed where every search allows the point, each at its own CL. A set of one search is that
    search's likelihood (``value`` eps, ``limit`` its published curve, a standard dark photon's)."""

    members: tuple = ()  # file stems
    arrays: dict = None  # the stacked tables and per-search constants (search_set)
    cuts: tuple = ()  # per search: t1(m) in s, or None
    convention: str = "corrected"

    def log_ratios(self, p: Point):
        """``(ln r_k, valid_k)`` for every member (``ln r`` very negative where there is no signal)."""
        a = self.arrays
        m = jnp.asarray(p.m_Ap, dtype=jnp.float64)
        lm = jnp.log(m)
        l_lo, valid = _interp(lm, a["lx"], a["lo"], a["ok_lo"], a["n"], a["idx"])
        l_hi, valid_hi = _interp(lm, a["lx"], a["hi"], a["ok_hi"], a["n"], a["idx"])
        u0, _ = _interp(lm, a["lx"], a["u"], a["ok_hi"], a["n"], a["idx"])
        eps = jnp.abs(jnp.asarray(p.eps, dtype=jnp.float64))
        le = jnp.log(jnp.maximum(eps, 1e-300))
        g1, dark = point_widths(p, self.convention)
        G = eps**2 * g1 + dark
        Gs = jnp.where(G > 0.0, G, 1.0)
        g1s = jnp.where(g1 > 0.0, g1, 1.0)
        ln_vis = jnp.log(jnp.maximum(eps**2 * g1s / Gs, 1e-300))  # ln [BR_new(F) / BR_std(F)]
        ln_inv = jnp.log(jnp.maximum(jnp.where(G > 0.0, dark / Gs, 0.0), 1e-300))
        # prompt with a lifetime cut: A(Gamma) / A(eps_pub^2 g1), A(G) = 1 - exp(-t1 G / hbar)
        t1 = jnp.stack([jnp.asarray(c(m) if c else 1.0, dtype=jnp.float64) for c in self.cuts]) / dp.HBAR_GEV_S
        cut = jnp.where(a["has_cut"], _log1mexp(t1 * Gs) - _log1mexp(t1 * jnp.exp(2.0 * l_lo) * g1s), 0.0)
        # beam dump: t0 from equal standard yields at the edges (x = t0 g1 / hbar), then ln Y - ln Y_std(eps_lo)
        kind = a["kind"]
        bd = kind == 1
        # every row's numbers finite, used or not (a NaN in an unused branch of a where poisons the gradient)
        use = bd & valid & valid_hi
        l_lo_b = jnp.where(use, l_lo, -10.0)
        u = _equal_yield_u(jnp.where(use, u0, 20.0), l_lo_b, jnp.where(use, l_hi, -9.0), a["k"])
        u = jnp.where(use & jnp.isfinite(u), u, 20.0)
        x = jnp.exp(u)
        b = a["k"] - 1.0
        a1, a0 = x * Gs / g1s, x * jnp.exp(2.0 * l_lo_b)
        dump = -(a1 - a0) + _log1mexp(b * a1) - _log1mexp(b * a0)
        extra = jnp.where(kind == 0, ln_vis + cut, jnp.where(bd, ln_vis + dump, jnp.where(kind == 2, ln_inv, 0.0)))
        ok = valid & jnp.where(kind <= 1, g1 > 0.0, True) & jnp.where(bd, valid_hi, True)
        return 2.0 * (le - l_lo) + extra, ok

    def _ratios_applying(self, p: Point):
        """Every member's signal ratio (0 where it does not apply) and where it applies."""
        lnr, valid = self.log_ratios(p)
        ok = valid & self.applies(p)
        return jnp.where(ok, jnp.exp(jnp.minimum(jnp.where(ok, lnr, 0.0), _LN_R_MAX)), 0.0), ok

    def _q(self, r):
        """Every member's test statistic from its signal ratio (each its own statistical model)."""
        a = self.arrays
        return jnp.where(a["poisson"], a["thr"] * r, a["thr"] * r**2)

    def ratios(self, p: Point):
        """Every member's signal ratio, in the order of :attr:`members` (0 where it does not apply)."""
        return self._ratios_applying(p)[0]

    def signal_ratio(self, p: Point):
        return jnp.max(self.ratios(p))

    def test_statistic(self, p: Point):
        return jnp.sum(self._q(self.ratios(p)))

    def member(self, name: str) -> "SearchSet":
        """The likelihood of one member alone."""
        return likelihood(name, self.convention)

    def member_parts(self, p: Point) -> dict:
        """Per member at the concrete point ``p``, in one compiled evaluation: ``ratio``, ``q``, ``published`` (the
        standard dark photon's limit on eps at m_A') and ``constrains`` (NumPy arrays, in the order of members)."""

        def parts(p):
            r, ok = self._ratios_applying(p)
            a = self.arrays
            l_lo, _ = _interp(
                jnp.log(jnp.asarray(p.m_Ap, dtype=jnp.float64)), a["lx"], a["lo"], a["ok_lo"], a["n"], a["idx"]
            )
            return {"ratio": r, "q": self._q(r), "published": jnp.exp(l_lo), "constrains": ok}

        return {k: np.asarray(v) for k, v in jax.jit(parts)(p).items()}


def point_widths(p: Point, convention: str = "corrected"):
    """``(g1, Gamma_dark)``: the Standard Model width at eps = 1 and the dark width of the point (GeV), all that every
    search needs (the final states' own widths cancel: ``BR_new(F) / BR_std(F) = eps^2 g1 / Gamma`` for any F)."""
    m = jnp.asarray(p.m_Ap, dtype=jnp.float64)
    return jnp.sum(dp.sm_widths(m, 1.0)), dp.dark_width(p, convention)


def _equal_yield_nodes(lim: D.Limit) -> np.ndarray:
    """``ln x`` at every node with both edges (NaN elsewhere), by :func:`likelihoods.darkphoton.equal_yield_x`."""
    out = np.full(lim.mass.shape, np.nan)
    for i, (lo, hi) in enumerate(zip(lim.lower, lim.upper)):
        if np.isfinite(lo) and np.isfinite(hi) and hi > lo:
            out[i] = math.log(D.equal_yield_x(lo, hi, 1.0 + lim.length_ratio))
    return out


def _check(name: str) -> D.Limit:
    lim = D.load(name)
    if name in D.PAPER_INVISIBLE:
        raise ValueError(f"{name} is the paper's invisible limit: likelihoods.na64 / likelihoods.babar")
    return lim


def search_set(convention: str = "corrected", names=None, set_name: str | None = None) -> SearchSet:
    """The searches ``names`` (default :data:`IN_COMPLETE`) as one likelihood; one name gives that search's own."""
    names = IN_COMPLETE if names is None else tuple(names)
    lims = [_check(n) for n in names]
    nan = lambda lim: np.full(lim.mass.shape, np.nan)
    lo = [_finite(np.log(lim.lower)) for lim in lims]
    hi = [_finite(np.log(lim.upper) if lim.upper is not None else nan(lim)) for lim in lims]
    u = [_finite(_equal_yield_nodes(lim) if lim.kind == "beam_dump" else nan(lim)) for lim in lims]
    stats = [STAT[lim.kind] for lim in lims]
    lx, n = _stack([np.log(lim.mass) for lim in lims], np.inf), np.array([len(lim.mass) for lim in lims])
    arrays = {
        "lx": jnp.asarray(lx),
        "n": jnp.asarray(n),
        "idx": _index_tables(lx, n),
        "lo": jnp.asarray(_stack([v for v, _ in lo], 0.0)),
        "ok_lo": jnp.asarray(_stack([o for _, o in lo], False)),
        "hi": jnp.asarray(_stack([v for v, _ in hi], 0.0)),
        "ok_hi": jnp.asarray(_stack([o for _, o in hi], False)),
        "u": jnp.asarray(_stack([v for v, _ in u], 0.0)),
        "kind": jnp.asarray([KINDS.index(lim.kind) for lim in lims]),
        "k": jnp.asarray([1.0 + lim.length_ratio if lim.kind == "beam_dump" else 2.0 for lim in lims]),
        "has_cut": jnp.asarray([n in D.LIFETIME_CUTS for n in names]),
        "poisson": jnp.asarray([isinstance(st, ZeroObservedPoisson) for st in stats]),
        "thr": jnp.asarray([st.threshold for st in stats]),
    }
    m_lo, m_hi = min(lim.mass[0] for lim in lims), max(lim.mass[-1] for lim in lims)
    common = dict(
        unit="",
        power=2.0,
        value=lambda p: p.eps,
        members=names,
        arrays=arrays,
        convention=convention,
        cuts=tuple(D.LIFETIME_CUTS.get(n) for n in names),
        constrains=lambda p: (p.m_Ap >= m_lo) & (p.m_Ap <= m_hi),
        mass_range=(float(m_lo), float(m_hi)),
    )
    if len(names) == 1:
        lim = lims[0]
        curve = (arrays["lx"], arrays["lo"], arrays["ok_lo"], arrays["n"], arrays["idx"])

        def published(p):
            return jnp.exp(_interp(jnp.log(jnp.asarray(p.m_Ap, dtype=jnp.float64)), *curve)[0][0])

        return SearchSet(
            name=names[0],
            quantity="epsilon (limit: published, standard A')",
            stat=stats[0],
            limit=published,
            data_file=f"darkphoton/{names[0]}.lmt",
            arxiv=lim.arxiv,
            citation=citation(names[0]),
            **common,
        )
    return SearchSet(
        name=set_name or SET_NAME,
        quantity="epsilon (largest signal ratio of the searches)",
        stat=IndependentSearches(),
        limit=lambda p: jnp.nan,
        data_file="darkphoton/*.lmt",
        citation=f"{len(names)} searches compiled by DarkCast (Ilten, Soreq, Williams, Xue)",
        arxiv="1801.04847",
        **common,
    )


def citation(name: str) -> str:
    """How a search is cited: its experiment and key, compiled by DarkCast (the arXiv number goes beside it)."""
    lim = D.load(name)
    key = name.split("_", 1)[1] + ("" if lim.arxiv else ", INSPIRE key; no arXiv number")
    return f"{lim.experiment} ({key}), compiled by DarkCast"


def likelihood(name: str, convention: str = "corrected") -> SearchSet:
    """The recast likelihood of the limit ``name`` (a file stem of :func:`likelihoods.darkphoton.names`)."""
    return search_set(convention, (name,))


def mass_range(name: str) -> tuple:
    """``(m_min, m_max)`` in GeV where the limit ``name`` has a curve."""
    return D.load(name).mass_range


SET_NAME = "A' searches"
#: The searches the complete set applies: every prompt, beam-dump and invisible limit of the data folder.
IN_COMPLETE = tuple(n for n in D.names() if n not in D.PAPER_INVISIBLE and D.load(n).kind != "g-2")


_GROUPS = {
    "prompt": "dark photon, visible (prompt)",
    "beam_dump": "dark photon, visible (beam dump)",
    "invisible": "dark photon, invisible",
    "g-2": "dark photon, g-2",
}
_SCALES = {
    "prompt": "eps^2 BR(F) (lifetime cut where published)",
    "beam_dump": "eps^2 BR(F) x decay in the volume",
    "invisible": "eps^2 BR(A' -> invisible)",
    "g-2": "eps^2",
}
_RANK = {"prompt": 50, "beam_dump": 60, "invisible": 70, "g-2": 80}


def _register(name: str) -> None:
    kind = D.load(name).kind
    register(
        name, group=_GROUPS[kind], data_file=f"darkphoton/{name}.lmt", scales=_SCALES[kind], sets=(), rank=_RANK[kind]
    )(lambda options, name=name: likelihood(name, options.convention))


SEARCHES = tuple(n for n in D.names() if n not in D.PAPER_INVISIBLE)
for _name in SEARCHES:
    _register(_name)


@register(
    SET_NAME,
    group="dark photon, visible and invisible",
    data_file="darkphoton/",
    sets=("complete",),
    rank=45,
    scales="each search's signal: eps^2 x BR and decay probability from the point's widths",
)
def build(options: Options) -> SearchSet:
    return search_set(options.convention)
