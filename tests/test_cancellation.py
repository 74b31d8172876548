"""The neutrino-mass cancellation as a coordinate (issue #24 item 1; ``jaxtmm.with_cancellation``,
``ParamSpace(tuning=True)``, ``docs/derivation.md`` section 17): the angle solved from ``c`` reproduces ``c``, the map
is differentiable, and it covers every point whose X can cancel at a tuned angle (what it leaves out is checked too).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxtmm
from fits.problem.config import preset_config
from fits.problem.space import FLOOR, TUNING, ParamSpace
from jaxtmm.numass import _x_terms

EPS = np.finfo(float).eps
N = 400  # prior draws per parity combination
PARITIES = ((1.0, 1.0), (1.0, -1.0))


@pytest.fixture(scope="module")
def space():
    return ParamSpace.from_config(preset_config("global"), exclude=("m_Ap",))


@pytest.fixture(scope="module")
def draws(space):
    return space.sample_prior_z(jax.random.PRNGKey(24), N)


def _point(space, z, eta):
    return space.point_z(z, m_Ap=0.1, eta1=eta[0], eta2=eta[1])


def _solve(space, z, eta, c):
    p = _point(space, z, eta)
    q, ok = jaxtmm.with_cancellation(p, c)
    A, B, Aa, Ba = _x_terms(p)
    d = q.theta_I - q.theta_R
    # the rounding of theta_I = theta_R + Delta, carried to c = sqrt(|X| / X_abs): |dX/dDelta| ulp / (2 c^2 X_abs)
    Xabs = jnp.cos(d) ** 2 * Aa + jnp.sin(d) ** 2 * Ba
    cond = jnp.abs(jnp.sin(2 * d) * (B - A)) * 4 * EPS * jnp.maximum(jnp.abs(q.theta_I), 1.0) / (2 * c**2 * Xabs)
    return jaxtmm.mass_cancellation(p), jaxtmm.mass_cancellation(q), ok, cond, q.theta_I, p.theta_I


@pytest.mark.parametrize("c", [0.5, 1e-2, 1e-4])
@pytest.mark.parametrize("eta", PARITIES)
def test_the_solved_angle_reproduces_the_cancellation(space, draws, c, eta):
    """At every prior draw where the tuned angle exists, c recomputed from the point equals the coordinate to
    1e-10 where theta_I's rounding allows (the condition number times the float64 ulp, computed per point, is added:
    a tuned X is that sensitive to the angle, ~1e-8 at c = 1e-4); a third of the draws or more are solvable at every
    c."""
    _, c1, ok, cond, _, _ = (np.asarray(a) for a in jax.vmap(lambda z: _solve(space, z, eta, c))(draws))
    assert ok.mean() > 0.25
    err = np.abs(c1[ok] / c - 1)
    assert np.all(err <= 1e-10 + cond[ok]), (err.max(), cond[ok][np.argmax(err)])
    if c >= 1e-2:  # for nearly all, 1e-10 outright; at 1e-4 the angle's rounding alone is ~1e-8 (cond)
        assert np.mean(err <= 1e-10) > 0.9


@pytest.mark.parametrize("eta", PARITIES)
def test_the_map_reproduces_every_point_it_can_reach_and_says_which_it_cannot(space, draws, eta):
    """Coverage. Each prior draw P with the coordinate t = ln c(P) / ln floor (floor 1e-3) maps back onto itself
    (theta_I to 1e-9 modulo pi) whenever the angle equation has a solution. Where it has none, c does not depend on
    the angle's u = cos^2 Delta through the target (no u on a 2001-point grid brings X / X_abs across s c^2, s the
    sign of X at P): those points (X's CP-even and CP-odd terms of one sign, or c independent of the angle) are the
    ones the coordinate leaves out, and the floor constraint keeps them honest instead."""
    floor = 1e-3

    def back(z):
        p = _point(space, z, eta)
        c = jaxtmm.mass_cancellation(p)
        q, ok = jaxtmm.with_cancellation(p, c)
        slope = jax.grad(lambda t: jnp.log(jaxtmm.mass_cancellation(p._replace(theta_I=t))))(p.theta_I)
        return c, ok, q.theta_I, p.theta_I, jnp.stack(_x_terms(p)), p.theta_I - p.theta_R, slope

    c, ok, th_q, th_p, terms, d0, slope = (np.asarray(a) for a in jax.vmap(back)(draws))
    reach = ok & (c >= floor)
    assert reach.mean() > 0.25
    diff = np.abs(np.angle(np.exp(2j * (th_q - th_p))) / 2)[reach]  # modulo pi
    # to 1e-9, or to the rounding of c (1e-13 relative) over d ln c / d theta_I where c barely depends on the angle
    assert np.all(diff <= 1e-9 + 1e-13 / np.abs(slope[reach])), np.max(diff * np.abs(slope[reach]))
    assert np.mean(diff <= 1e-9) > 0.95
    u = np.linspace(0.0, 1.0, 2001)
    for i in np.flatnonzero(~ok):
        A, B, Aa, Ba = terms[i]
        X0 = np.cos(d0[i]) ** 2 * A + np.sin(d0[i]) ** 2 * B
        s = -1.0 if X0 < 0 else 1.0
        g = u * (A - s * c[i] ** 2 * Aa) + (1 - u) * (B - s * c[i] ** 2 * Ba)
        scale = np.abs(u * Aa + (1 - u) * Ba).max()
        assert np.all(g >= -1e-12 * scale) or np.all(g <= 1e-12 * scale), i


def test_gradients_through_the_map_agree_with_finite_differences(space, draws):
    """d mu_eff / dz of the tuned point against central differences (relative step 1e-6) to 1e-6, at 6 solvable draws; c's
    own gradient through the map is ln(floor) along t and zero (below 1e-7 of that) along every other coordinate."""
    tuned = ParamSpace.from_config(preset_config("global"), exclude=("m_Ap",), tuning=True)
    assert tuned.names[-1] == TUNING and tuned.dim == space.dim + 1
    floor = 1e-4
    ov = dict(m_Ap=0.1, eta1=1.0, eta2=-1.0, **{FLOOR: floor})
    mu = lambda w: jnp.log(jaxtmm.mu_eff(tuned.point_z(w, **ov), "12"))
    lnc = lambda w: jnp.log(jaxtmm.mass_cancellation(tuned.point_z(w, **ov)))
    checked = 0
    for z in np.asarray(draws):
        w = jnp.asarray(np.append(z, 0.5))
        p = _point(space, jnp.asarray(z), (1.0, -1.0))
        if not bool(jaxtmm.with_cancellation(p, floor**0.5)[1]):
            continue
        g = np.asarray(jax.grad(mu)(w))
        h = 1e-6 * np.maximum(np.abs(np.asarray(w)), 1e-10)  # relative steps: a coupling may be 1e-8
        fd = np.array(
            [(float(mu(w.at[k].add(h[k]))) - float(mu(w.at[k].add(-h[k])))) / (2 * h[k]) for k in range(len(w))]
        )
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max())
        gc = np.asarray(jax.grad(lnc)(w))
        assert gc[-1] == pytest.approx(np.log(floor), rel=1e-8)
        assert np.all(np.abs(gc[:-1]) <= 1e-7 * abs(np.log(floor)))
        checked += 1
        if checked == 6:
            break
    assert checked == 6


def test_the_map_is_the_identity_where_there_is_nothing_to_solve():
    """Degenerate pairs m_Hk = m_Ak: X = -sin^2 Delta (h1 - h2)^2, c does not depend on the angle, the map keeps
    theta_I (solved False) and its gradient is finite."""
    p = jaxtmm.Point(
        y=jnp.eye(2, dtype=jnp.complex128) * 0.1,
        theta_R=0.3,
        theta_I=1.1,
        m_H1=0.3,
        m_A1=0.3,
        m_H2=0.4,
        m_A2=0.4,
        M1=0.1,
        M2=0.1,
        M_E=2000.0,
        eta1=1.0,
        eta2=-1.0,
        g_D=0.5,
        m_Ap=0.1,
        eps=1e-4,
        Q_S=1.0,
    )
    q, ok = jaxtmm.with_cancellation(p, 1e-3)
    assert not bool(ok) and float(q.theta_I) == 1.1
    g = jax.grad(lambda m: jaxtmm.with_cancellation(p._replace(M2=m), 1e-3)[0].theta_I)(0.1)
    assert np.isfinite(float(g))
