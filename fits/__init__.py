"""Fits and figures: NumPyro NUTS posteriors and the optax maximisation of mu_eff per dark-photon mass
(the fits issue, #4, not implemented yet), and the figures (:mod:`fits.plots`: the paper's Fig. 6 now).
"""
