"""Fits: configurations, the optax maximisation of mu_eff per dark-photon mass (the paper's Fig. 7), NumPyro
NUTS posteriors with ArviZ diagnostics, and figures. Four subpackages by role, side by side:
``fits.problem`` (what is fitted), ``fits.optimise`` and ``fits.sample`` (which do not import each other), and
``fits.jobs`` (what a user runs, on top); ``fits.io``, ``fits.parallel`` and ``fits.plots`` serve them all.

* :func:`preset_config`, :func:`load_config`, :class:`ParamSpace` — what is fixed, free, and with which prior;
* :class:`Maximiser` (its schedule: :class:`Settings`, :class:`Stage`), :func:`run_scan` — the largest allowed
  mu_eff (``jaxtmm scan``);
* :func:`run_fit`, :class:`FitSettings` — posteriors (``jaxtmm fit``);
* :class:`Layout` — where batches run (local devices, processes).
"""

from fits.jobs.fit import run_fit
from fits.jobs.scan import run_scan, write_results
from fits.optimise.maximise import Maximiser, Settings, Stage
from fits.parallel import Layout
from fits.problem.config import ConfigError, load_config, parse_config, preset_config
from fits.problem.space import ParamSpace
from fits.sample.posterior import FitSettings

__all__ = [
    "ConfigError",
    "FitSettings",
    "Layout",
    "Maximiser",
    "ParamSpace",
    "Settings",
    "Stage",
    "load_config",
    "parse_config",
    "preset_config",
    "run_fit",
    "run_scan",
    "write_results",
]
