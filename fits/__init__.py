"""Fits: configurations, the optax maximisation of mu_eff per dark-photon mass (the paper's Fig. 7), NumPyro
NUTS posteriors with ArviZ diagnostics, and figures. Four subpackages by role, side by side:
``fits.problem`` (what is fitted), ``fits.optimise`` and ``fits.sample`` (which do not import each other), and
``fits.jobs`` (what a user runs, on top); ``fits.io``, ``fits.parallel`` and ``fits.plots`` serve them all.

* :func:`preset_config`, :func:`load_config`, :class:`ParamSpace` — what is fixed, free, and with which prior;
* :class:`Maximiser` (its schedule: :class:`Settings`, :class:`Stage`), :func:`run_scan` — the largest allowed
  mu_eff (``jaxtmm scan``);
* :func:`run_fit`, :class:`FitSettings` (NUTS), :class:`NestedSettings` — posteriors (``jaxtmm fit``);
* :class:`Layout` — where batches run (local devices, processes).
"""

import importlib

#: Where each public name lives; imported on first use (PEP 562), so that ``import fits.problem.config`` or the
#: command line's parser does not import JAX, NumPyro and ArviZ.
_WHERE = {
    "ConfigError": "fits.problem.config",
    "FitSettings": "fits.sample.nuts",
    "Layout": "fits.parallel",
    "Maximiser": "fits.optimise.maximise",
    "NestedSettings": "fits.sample.nested",
    "ParamSpace": "fits.problem.space",
    "Settings": "fits.optimise.maximise",
    "Stage": "fits.optimise.maximise",
    "load_config": "fits.problem.config",
    "parse_config": "fits.problem.config",
    "preset_config": "fits.problem.config",
    "run_fit": "fits.jobs.fit",
    "run_scan": "fits.jobs.scan",
    "write_results": "fits.jobs.scan",
}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'fits' has no attribute {name!r}")


def __dir__():
    return __all__
