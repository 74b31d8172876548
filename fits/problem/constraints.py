"""The constraints of a configuration: every likelihood its options describe, by name (``likelihoods.registry``)."""

import likelihoods as L
from fits.problem.config import Config


def build_likelihoods(config: Config) -> dict:
    """Every likelihood the options describe, by name (enabled or not)."""
    lks = L.default_likelihoods(**config.likelihood_options, constraints="complete")
    return {lk.name: lk for lk in lks}
