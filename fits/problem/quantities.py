"""A derived quantity of :mod:`jaxtmm.quantities` (the one registry) bound to a configuration's options."""

from jaxtmm.quantities import get


def quantity(name: str, config):
    """The function ``point -> value`` of derived quantity ``name`` (by name or column) under the configuration's
    convention and moment (ValueError naming the choices for an unknown name)."""
    q = get(name)
    return lambda p: q(p, config.convention, config.moment)
