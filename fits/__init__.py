"""Fits: configurations, the optax maximisation of mu_eff per dark-photon mass (the paper's Fig. 7), NumPyro
NUTS posteriors with ArviZ diagnostics, and figures.

* :func:`preset_config`, :func:`load_config`, :class:`ParamSpace` — what is fixed, free, and with which prior;
* :class:`Maximiser` (its schedule: :class:`Settings`, :class:`Stage`), :func:`run_scan` — the largest allowed
  mu_eff (``jaxtmm scan``);
* :func:`run_fit`, :class:`FitSettings` — posteriors (``jaxtmm fit``);
* :class:`Layout` — where batches run (local devices, processes).
"""

from fits.config import ConfigError, load_config, parse_config, preset_config
from fits.fit import run_fit
from fits.maximise import Maximiser, Settings, Stage
from fits.parallel import Layout
from fits.posterior import FitSettings
from fits.scan import run_scan, write_results
from fits.space import ParamSpace

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
