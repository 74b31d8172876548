"""Posterior sampling. One interface (:class:`fits.sample.base.Sampler`), one module per sampler: NUTS
(:mod:`~fits.sample.nuts`, driving the NumPyro model of :mod:`~fits.sample.posterior`) and independent nested-sampling
runs judged as chains (:mod:`~fits.sample.nested`, driving dynesty in :mod:`~fits.sample.dynesty_runs`).
Imports ``fits.problem``, never ``fits.optimise`` or ``fits.jobs``."""

import importlib
from functools import cache

#: The registry ``jaxtmm fit``, :func:`fits.jobs.fit.run_fit` and the configurations' ``sampler`` key read: name ->
#: ``"module:Class"``, loaded on first use like an entry point (the names are known without importing a sampler).
#: A new sampler is one module (its settings and a :class:`fits.sample.base.Sampler`) and one entry here.
SAMPLERS = {"nuts": "fits.sample.nuts:NUTS", "nested": "fits.sample.nested:Nested"}


@cache
def sampler(name: str):
    """The sampler registered as ``name`` (ValueError naming the choices for any other)."""
    if name not in SAMPLERS:
        raise ValueError(f"unknown sampler {name!r} (samplers: {', '.join(SAMPLERS)})")
    module, cls = SAMPLERS[name].split(":")
    return getattr(importlib.import_module(module), cls)()


def samplers() -> dict:
    """Every registered sampler, by name."""
    return {n: sampler(n) for n in SAMPLERS}


def sampler_for(settings):
    """The sampler whose settings class ``settings`` is (TypeError for anything else)."""
    for s in samplers().values():
        if isinstance(settings, s.Settings):
            return s
    raise TypeError(f"not the settings of a sampler ({', '.join(SAMPLERS)}): {type(settings).__name__}")
