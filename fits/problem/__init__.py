"""What is being fitted: a configuration (:mod:`~fits.problem.config`: fixed and free parameters, options, the
sampler it names), priors (:mod:`~fits.problem.priors`), the map between a sampler's coordinates and a model point
(:mod:`~fits.problem.space`), derived quantities (:mod:`~fits.problem.quantities`) and the constraints the
configuration enables (:mod:`~fits.problem.constraints`). Imports nothing else of ``fits``."""
