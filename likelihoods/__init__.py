"""Experimental constraints as differentiable log-likelihoods of a :class:`jaxtmm.Point`.

Each experiment is a small module built on one generic :class:`OneSidedLimit` with an explicit
statistical model (:class:`HalfNormal` or :class:`ZeroObservedPoisson`), its data file in
``likelihoods/data/`` and its citation:

* :func:`meg_ii` — BR(mu -> e gamma), 2023 (3.1e-13, default) or 2025 (1.5e-13);
* :func:`na64` and :func:`babar` — epsilon vs m_A' for invisible dark photons;
* :func:`borexino` — mu_eff with the massive-mediator recast :func:`recast_limit` (Eq. 3.10, 3.11).

Every likelihood is a pure JAX function of the point (``jit``, ``vmap``, ``grad``).
"""

from likelihoods._limit import HalfNormal, OneSidedLimit, ZeroObservedPoisson
from likelihoods.babar import babar
from likelihoods.borexino import borexino, recast_limit
from likelihoods.meg_ii import meg_ii
from likelihoods.na64 import na64
from likelihoods.summary import default_likelihoods, report, total_log_likelihood

__all__ = [
    "HalfNormal", "OneSidedLimit", "ZeroObservedPoisson", "babar", "borexino", "default_likelihoods",
    "meg_ii", "na64", "recast_limit", "report", "total_log_likelihood",
]  # fmt: skip
