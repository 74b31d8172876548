"""Posterior sampling: the NumPyro model of a configuration and NUTS (:mod:`~fits.sample.posterior`), independent
dynesty runs judged as chains (:mod:`~fits.sample.nested`). Imports ``fits.problem``, never ``fits.optimise`` or
``fits.jobs``."""
