"""What is being fitted: a configuration (:mod:`~fits.problem.config`: fixed and free parameters, options, the
sampler it names), priors (:mod:`~fits.problem.priors`), the map between a sampler's coordinates and a model point
(:mod:`~fits.problem.space`), derived quantities (:mod:`~fits.problem.quantities`); :func:`~fits.problem.config.build_likelihoods` builds the
constraints a configuration enables. Imports nothing else of ``fits`` but the names of the samplers
(:data:`fits.sample.SAMPLERS`)."""
