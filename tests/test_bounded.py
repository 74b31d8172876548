"""fits.optimise.bounded: L-BFGS on MINUIT's sine transform reaches known optima inside a box and on its bounds."""

import jax
import jax.numpy as jnp
import numpy as np

from fits.optimise import bounded

jax.config.update("jax_enable_x64", True)


def rosenbrock(w, a):
    """Minus Rosenbrock's function, scaled by ``a``: a thin curved valley, maximum 0 at (1, 1), Hessian condition
    number ~2500 there."""
    x, y = w[0], w[1]
    return -a * ((1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2)


def bound_and_phase(w, a):
    """Maximum on the upper bound of w0 (the unconstrained one, at 3, is outside [0, 2]); w1 unbounded, periodic."""
    return -a * ((w[0] - 3.0) ** 2 - jnp.cos(w[1] - 0.7))


def test_transform_round_trip_and_inside_the_box():
    lo, hi = jnp.array([0.0, np.nan, -2.0]), jnp.array([1.0, np.nan, 5.0])
    w = jnp.array([0.3, 17.0, 4.9])
    np.testing.assert_allclose(bounded.from_u(bounded.to_u(w, lo, hi), lo, hi), w, rtol=1e-14)
    u = jnp.linspace(-40.0, 40.0, 101)
    for i in (0, 2):
        x = jax.vmap(lambda t: bounded.from_u(jnp.full(3, t), lo, hi)[i])(u)
        assert float(x.min()) >= float(lo[i]) and float(x.max()) <= float(hi[i])


def test_thin_curved_valley_from_five_seeds():
    """Five random starts in [-2, 2]^2 each reach Rosenbrock's maximum at (1, 1) to 1e-6."""
    lo, hi = jnp.array([-2.0, -2.0]), jnp.array([2.0, 2.0])
    w0 = jnp.asarray(np.random.default_rng(24).uniform(-2, 2, (5, 2)))
    w, F, k = bounded.maximise(rosenbrock, 1000, 1e-12, w0, jnp.ones(5), lo, hi)
    np.testing.assert_allclose(np.asarray(w), 1.0, atol=1e-6)
    assert np.all(np.asarray(F) > -1e-12) and np.all(np.asarray(k) < 1000)


def test_optimum_on_a_bound_is_reached_exactly():
    lo, hi = jnp.array([0.0, np.nan]), jnp.array([2.0, np.nan])
    w0 = jnp.array([[0.1, 0.0], [1.0, 3.0], [1.9, -2.0]])
    w, F, _ = bounded.maximise(bound_and_phase, 500, 1e-12, w0, jnp.full(3, 2.0), lo, hi)
    w = np.asarray(w)
    np.testing.assert_allclose(w[:, 0], 2.0, rtol=0, atol=1e-12)  # on the bound
    np.testing.assert_allclose(np.cos(w[:, 1] - 0.7), 1.0, atol=1e-12)  # the phase's maximum, modulo 2 pi
    np.testing.assert_allclose(np.asarray(F), -2.0 * (1.0 - 1.0), atol=1e-10)
