"""Fits: NumPyro NUTS posteriors, optax maximisation of mu_eff per dark-photon mass, figures.

Not implemented yet: this package is the place for the work of the fits issue (#4).
"""
