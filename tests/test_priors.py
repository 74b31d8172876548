"""Each prior kind's maps (fits.problem.priors): the logdisc annulus, its projection, bounds and coordinate round trips,
against closed forms."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from fits.problem.priors import Disc, LogDisc, LogUniform, Uniform, make

jax.config.update("jax_enable_x64", True)
ANNULUS = LogDisc(min=1e-4, max=2.0)


def test_logdisc_projection_is_the_nearest_point_of_the_annulus():
    """Inside: unchanged; outside: radially onto the nearer circle (the nearest point of an annulus); the origin,
    which has no direction, to (min, 0). In polar coordinates the modulus is clipped and the phase kept."""
    z = jnp.array([[0.3, -0.4], [3.0, 4.0], [1e-5, 0.0], [0.0, 0.0], [-6e-5, 8e-5]])
    want = np.array([[0.3, -0.4], [1.2, 1.6], [1e-4, 0.0], [1e-4, 0.0], [-6e-5, 8e-5]])
    np.testing.assert_allclose(ANNULUS.project_z(z), want, rtol=1e-15, atol=1e-20)
    np.testing.assert_allclose(
        ANNULUS.project_z(jnp.array([[5.0, 1.0], [1e-9, -2.0]]), polar=True), [[2.0, 1.0], [1e-4, -2.0]], rtol=1e-15
    )
    assert np.all(Disc(max=2.0).project_z(jnp.zeros((1, 2))) == 0.0)  # a disc keeps its centre


def test_logdisc_bounds_name_both_circles_with_outward_normals():
    ((outer, n_out),) = ANNULUS.active_bounds("y", np.array([1.2, -1.6]), 1e-9)
    ((inner, n_in),) = ANNULUS.active_bounds("y", np.array([0.0, 1e-4]), 1e-9)
    assert outer == "|y| = 2" and inner == "|y| = 0.0001 (low)"
    np.testing.assert_allclose(n_out, [0.6, -0.8], rtol=1e-15)
    np.testing.assert_allclose(n_in, [0.0, -1.0], atol=1e-15)
    assert list(ANNULUS.active_bounds("y", np.array([0.5, 0.5]), 1e-9)) == []


def test_logdisc_sampler_coordinates_round_trip_and_cover_the_annulus():
    """u_from_z inverts values_u; sigmoid(t) spans (0, 1) so ln|y| spans (ln min, ln max); the prior draws in z are
    log-uniform in the modulus: the mean of ln|y| over 20000 draws within 4 standard errors of the midpoint."""
    rng = np.random.default_rng(2)
    z = np.asarray(ANNULUS.sample_z(jnp.asarray(rng.uniform(size=(20000, 2)))))
    ln_r = np.log(np.hypot(z[:, 0], z[:, 1]))
    lo, hi = math.log(1e-4), math.log(2.0)
    assert ln_r.min() >= lo and ln_r.max() <= hi
    assert abs(ln_r.mean() - (lo + hi) / 2) <= 4 * (hi - lo) / math.sqrt(12 * ln_r.size)
    u = ANNULUS.u_from_z(jnp.asarray(z[:50]))
    y = np.asarray(ANNULUS.values_u(u))
    np.testing.assert_allclose(np.stack([y.real, y.imag], -1), z[:50], rtol=1e-11)
    for t, r in ((-40.0, 1e-4), (40.0, 2.0)):
        assert abs(complex(ANNULUS.values_u(jnp.array([t, 3.0, 4.0])))) == pytest.approx(r, rel=1e-12)
    assert complex(ANNULUS.values_u(jnp.array([0.0, 3.0, 4.0]))) == pytest.approx(
        math.sqrt(1e-4 * 2.0) * (0.6 + 0.8j), rel=1e-12
    )


def test_logdisc_prior_density_and_gradient_are_finite_at_the_phase_origin():
    g = jax.grad(lambda u: ANNULUS.log_prior_u(u) + jnp.abs(ANNULUS.values_u(u)))(jnp.zeros(3))
    assert np.all(np.isfinite(g))


def test_make_builds_each_kind_and_z_box():
    assert make("loguniform", low=1e-3, high=1e4).z_box == pytest.approx((math.log(1e-3), math.log(1e4)))
    assert make("uniform", low=-1.0, high=2.0).largest == 2.0 and isinstance(make("uniform", low=0, high=1), Uniform)
    assert isinstance(make("loguniform", low=1, high=2), LogUniform) and make("sign").largest == 1.0
    assert (ANNULUS.z_dims, ANNULUS.u_dims, Disc(max=1.0).u_dims, make("sign").z_dims) == (2, 3, 2, 0)


def test_circular_angle_wraps_and_covers_one_period():
    """The optimiser's angle wraps into [0, pi) with no bound; the sampler's w maps to the angle of its direction
    (w = (-1, 0) is the start of the period, (1, 0) its middle) and u_from_z inverts it."""
    c = make("circular", low=0.0, high=math.pi)
    np.testing.assert_allclose(
        c.project_z(jnp.array([[-0.5], [3.5], [1.0]])), [[math.pi - 0.5], [3.5 - math.pi], [1.0]], rtol=1e-14
    )
    assert list(c.active_bounds("theta_R", np.array([0.0]), 1e-9)) == []
    assert float(c.values_u(jnp.array([1.0, 0.0]))) == pytest.approx(math.pi / 2, rel=1e-15)
    assert float(c.values_u(jnp.array([-1.0, -1e-300]))) == pytest.approx(0.0, abs=1e-15)
    th = jnp.linspace(0.01, 3.1, 7)[:, None]
    np.testing.assert_allclose(c.values_u(c.u_from_z(th)), th[:, 0], rtol=1e-13)
    assert np.all(np.isfinite(jax.grad(lambda u: c.values_u(u) + c.log_prior_u(u))(jnp.zeros(2))))
