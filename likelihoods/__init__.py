"""Experimental constraints as differentiable log-likelihoods of a :class:`jaxtmm.Point`.

Each experiment is one module with its data file in ``likelihoods/data/`` and its citation, registered in
:mod:`likelihoods.registry` (the one list every other part of jaxtmm reads), built on one generic
:class:`OneSidedLimit` with an explicit statistical model (:class:`HalfNormal` or :class:`ZeroObservedPoisson`):

* :mod:`likelihoods.meg_ii` -- BR(mu -> e gamma), 2023 (3.1e-13, default) or 2025 (1.5e-13);
* :mod:`likelihoods.na64` and :mod:`likelihoods.babar` -- epsilon vs m_A' for invisible dark photons;
* :mod:`likelihoods.borexino` -- mu_eff with the massive-mediator recast :func:`recast_limit` (Eq. 3.10, 3.11).

Each module's ``likelihood(...)`` builds it; :func:`build` builds a constraint set (``paper``, ``complete``)
or a list of names. Every likelihood is a pure JAX function of the point (``jit``, ``vmap``, ``grad``).
No attribute of this package shadows one of its modules.
"""

from likelihoods import babar, borexino, meg_ii, na64, registry
from likelihoods._limit import HalfNormal, OneSidedLimit, ZeroObservedPoisson
from likelihoods.borexino import recast_limit
from likelihoods.registry import Options, build, constraint_set
from likelihoods.summary import default_likelihoods, report, total_log_likelihood

__all__ = [
    "HalfNormal", "OneSidedLimit", "Options", "ZeroObservedPoisson", "babar", "borexino", "build", "constraint_set",
    "default_likelihoods", "meg_ii", "na64", "recast_limit", "registry", "report", "total_log_likelihood",
]  # fmt: skip
