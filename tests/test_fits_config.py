"""Configurations: the shipped preset, and errors that name the key."""

import pytest

from fits.problem.config import ConfigError, parse_config, preset_config
from fits.problem.space import ParamSpace

PAPER = preset_config("paper")


def test_paper_preset():
    c = PAPER
    assert (c.fixed["m_H1"], c.fixed["m_A1"], c.fixed["m_H2"], c.fixed["m_A2"]) == (0.3, 0.3, 0.4, 0.4)
    assert (c.fixed["M1"], c.fixed["M2"], c.fixed["M_E"]) == (0.1, 0.1, 2000.0)
    assert set(c.free) == {"y_e1", "y_e2", "y_mu1", "y_mu2", "theta_R", "theta_I", "eps"}
    assert all(
        c.free[k].kind == "disc" and c.free[k].max == pytest.approx(3.5449077018110318, rel=1e-15)
        for k in ("y_e1", "y_e2", "y_mu1", "y_mu2")
    )
    space = ParamSpace.from_config(c, exclude=("m_Ap", "g_D"))
    assert space.dim == 11 and space.labels[:2] == ["y_e1.re", "y_e1.im"]


def _raw(**changes):
    raw = {k: (dict(v) if isinstance(v, dict) else v) for k, v in PAPER.raw.items()}
    for path, value in changes.items():
        sect, _, key = path.partition("__")
        if value is None:
            raw[sect].pop(key)
        else:
            raw[sect][key] = value
    return raw


@pytest.mark.parametrize(
    "changes,message",
    [
        (dict(fixed__m_X=1.0), "unknown parameter(s) in [fixed]: m_X"),
        (dict(fixed__M_E=None), "neither fixed nor free: M_E"),
        (dict(fixed__eps=1e-5), "both fixed and free: eps"),
        (dict(fixed__M1=-0.1), "'fixed.M1' is a mass and must be positive"),
        (dict(fixed__g_D="big"), "'fixed.g_D' must be a number"),
        (dict(free__theta_R={"prior": "gaussian", "low": 0, "high": 1}), "'free.theta_R.prior' must be one of"),
        (dict(free__theta_R={"prior": "uniform", "low": 1.0, "high": 0.0}), "'free.theta_R': low must be below high"),
        (
            dict(free__eps={"prior": "loguniform", "low": 0.0, "high": 1.0}),
            "'free.eps': a loguniform prior needs low > 0",
        ),
        (
            dict(free__y_e1={"prior": "uniform", "low": 0.0, "high": 1.0}),
            "'free.y_e1': Yukawa couplings take the 'disc'",
        ),
        (dict(free__y_e2={"prior": "disc"}), "'free.y_e2' needs 'max'"),
        (
            dict(free__y_e2={"prior": "logdisc", "min": 0.5, "max": 0.1}),
            "'free.y_e2': a logdisc prior needs 0 < min < max",
        ),
        (
            dict(free__theta_R={"prior": "circular", "low": 0.0, "high": 3.0}),
            "'free.theta_R': a circular prior spans one period",
        ),
        (
            dict(free__eps={"prior": "circular", "low": 0.0, "high": 3.141592653589793}),
            "'free.eps': a circular prior spans",
        ),
        (
            dict(free__eps={"prior": "loguniform", "low": 1e-8, "high": 1e-2, "mean": 3}),
            "unknown key(s) for a loguniform prior in 'free.eps': mean",
        ),
        (dict(options__convention="exact"), "option 'convention' must be one of corrected, paper"),
        (dict(options__loop="paper"), "option 'loop' was replaced by 'convention'"),
        (dict(options__tuning=0.0), "tuning factor must be a finite number > 0"),
        (dict(fixed__eta1=0.5), "CP parity and must be +1 or -1"),
        (dict(options__likelihoods=["MEG II", "LEP"]), "option 'likelihoods': unknown constraint(s) 'LEP'"),
        (dict(options__colour="red"), "unknown option(s): colour"),
        (dict(options__ordered=[["M1", "M_E"]]), "option 'ordered': ['M1', 'M_E'] is not a symmetric pair"),
        (dict(options__ordered=[["M1", "M2"]]), "option 'ordered' ['M1', 'M2']: M1 and M2 must be free with the same"),
        (dict(options__ordered="M1 < M2"), "option 'ordered' must be a list of pairs of names"),
    ],
)
def test_bad_configuration_names_the_key(changes, message):
    with pytest.raises(ConfigError) as exc:
        parse_config(_raw(**changes))
    assert message in str(exc.value)


def test_bad_borexino_window_in_configuration():
    raw = _raw()
    raw["options"]["borexino"] = {"T_min": 1e-3}
    with pytest.raises(ConfigError, match=r"options\.borexino: .*must be below T_max"):
        parse_config(raw)


def test_unknown_preset():
    with pytest.raises(ConfigError, match="unknown preset 'nope'"):
        preset_config("nope")


def test_polar_twin_describes_the_same_points():
    """The maximiser's polish coordinates: (|y|, arg y) per disc, a box support, same points as (re y, im y)."""
    import jax
    import numpy as np

    cart = ParamSpace.from_config(PAPER, exclude=("m_Ap", "g_D"))
    polar = ParamSpace.from_config(PAPER, exclude=("m_Ap", "g_D"), polar=True)
    z = cart.sample_prior_z(jax.random.PRNGKey(3), 200)
    w = cart.to_polar(z)
    np.testing.assert_allclose(cart.from_polar(w), z, rtol=0, atol=1e-14)
    pc, pp = cart.point_z(z, m_Ap=0.02, g_D=0.5), polar.point_z(w, m_Ap=0.02, g_D=0.5)
    np.testing.assert_allclose(pp.y, pc.y, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(pp.eps, pc.eps)
    # outside the support: the radius is clipped to [0, max], the phase is left alone, other boxes clipped
    far = w.at[:, 0].set(10.0).at[:, 2].set(-1.0).at[:, 1].set(7.0).at[:, 8].set(5.0)
    pw = polar.project_z(far)
    assert np.all(pw[:, 0] == PAPER.free["y_e1"].max) and np.all(pw[:, 2] == 0.0) and np.all(pw[:, 1] == 7.0)
    assert np.all(pw[:, 8] == pytest.approx(np.pi, rel=1e-15))
    assert polar.z_bounds_active(pw[:1])[0][:2] == ["|y_e1| = 3.54491", "theta_R = high (3.14159)"]
    # outside the circle, the Cartesian projection of the same points agrees with the polar one
    out = w.at[:, 0].set(10.0).at[:, 8].set(5.0)
    np.testing.assert_allclose(
        cart.project_z(cart.from_polar(out)), cart.from_polar(polar.project_z(out)), rtol=0, atol=1e-14
    )


def test_presets_name_their_default_sampler():
    """The global presets sample by nested sampling unless told otherwise (NUTS does not mix there); the others by
    NUTS; a configuration's own 'sampler' key is checked; `jaxtmm fit` refuses a NUTS flag on the implicit nested
    default in one line that says where the default came from."""
    from jaxtmm_cli import main

    assert [preset_config(n).sampler for n in ("paper", "posterior", "aligned", "global", "global-paper")] == [
        "nuts",
        "nuts",
        "nuts",
        "nested",
        "nested",
    ]
    raw = dict(preset_config("posterior").raw)
    raw.pop("sampler", None)
    assert parse_config(raw).sampler == "nuts"
    assert parse_config({**raw, "sampler": "nested"}).sampler == "nested"
    with pytest.raises(ConfigError, match="'sampler' must be one of nuts, nested, got 'hmc'"):
        parse_config({**raw, "sampler": "hmc"})
    assert main(["fit", "--preset", "global", "--chains", "2", "--out", "/nonexistent/x"]) == 2
