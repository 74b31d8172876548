"""Property-based tests (hypothesis, derandomised): whatever point file, configuration or flags a user gives,
a command either succeeds with finite outputs or exits 2 with one line ``jaxtmm: error: ...``; never a
traceback, never a NaN or an infinity.

* point files: the paper preset with one to three entries replaced by anything from sensible to absurd
  (1e300, 0, negative, NaN, infinity, strings, unknown keys), through ``evaluate`` and ``constraints``
  with random flags, in-process (a traceback would fail the test);
* configurations: the shipped presets with one to three entries mutated; every configuration that parses
  gives finite mu_eff, BR(mu -> e gamma) and log-likelihoods at its prior's corners, at random prior draws
  and far out in the sampler's coordinates;
* flags of ``scan`` and ``fit``: random values (valid, out of range, not numbers) and output locations
  (new, existing, a file, a path through a file, /proc); the computation itself is replaced by a recorded
  small result (it is tested elsewhere), the writing of every output is real.
"""

import contextlib
import io
import json
import math
import tempfile
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fits.problem.config import ConfigError, build_likelihoods, parse_config
from fits.problem.quantities import quantity
from fits.problem.space import ParamSpace
from jaxtmm import BR_mu_e_gamma
from jaxtmm.pointfile import preset_text
from jaxtmm_cli import main

SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

ABSURD = [0.0, -1.0, 1e300, -1e300, 1e-300, math.nan, math.inf, -math.inf, 400.0, 3.6, "x", True, [1.0]]


def _toml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + " }"
    return repr(v)


def _run(args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _all_finite(obj) -> bool:
    if isinstance(obj, dict):
        return all(_all_finite(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_all_finite(v) for v in obj)
    return not isinstance(obj, float) or math.isfinite(obj)


def _strict_json(text):
    def refuse(c):
        raise AssertionError(f"non-standard JSON constant {c}")

    return json.loads(text, parse_constant=refuse)


def _assert_one_line_error(code, out, err):
    assert code == 2, (code, out, err)
    assert err.count("\n") == 1 and err.startswith("jaxtmm: error:") and "Traceback" not in err, err


# ----------------------------------------------------------------------------- point files
POINT = {
    ln.split("=")[0].strip(): ln.split("=", 1)[1].split("#")[0].strip()
    for ln in preset_text("paper").splitlines()
    if "=" in ln and not ln.startswith("#")
}
NUMBERS = st.one_of(st.floats(-12, 12).map(lambda e: 10.0**e), st.floats(-5, 5), st.sampled_from(ABSURD))
VALUES = st.one_of(NUMBERS, st.lists(NUMBERS, min_size=2, max_size=2))
MUTATION = st.tuples(
    st.sampled_from(sorted(POINT) + ["unknown_key", "pmns.theta12", "pmns.delta_CP", "pmns.bogus"]),
    st.one_of(VALUES, st.none()),
)
FLAGS = st.lists(
    st.sampled_from(
        [
            ["--convention", "paper"],
            ["--json"],
            ["--tuning", "0"],
            ["--alpha-e", "Cs"],
            ["--meg", "2025"],
            ["--moment", "12"],
            ["--moment", "23"],
            ["--invisible", "drop"],
            ["--T-min", "1e-4"],
            ["--T-max", "1e-3"],
            ["--E-nu", "1e300"],
            ["--T-min", "nan"],
            ["--meg", "1999"],
        ]
    ),
    max_size=3,
)


@SETTINGS
@given(
    mutations=st.lists(MUTATION, min_size=1, max_size=3),
    command=st.sampled_from(["evaluate", "constraints"]),
    flags=FLAGS,
)
def test_any_point_file_gives_finite_output_or_one_line_error(mutations, command, flags):
    entries, pmns = dict(POINT), {}
    for key, value in mutations:
        if key.startswith("pmns."):
            pmns[key[5:]] = _toml(value) if value is not None else None
        else:
            entries[key] = _toml(value) if value is not None else None  # None: the key is left out
    text = "".join(f"{k} = {v}\n" for k, v in entries.items() if v is not None)
    text += "[pmns]\n" + "".join(f"{k} = {v}\n" for k, v in pmns.items() if v is not None)
    flat = [f for pair in flags for f in pair]
    if command == "evaluate":
        flat = [f for f in flat if f in ("--json", "--convention", "paper")]
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "point.toml"
        f.write_text(text)
        code, out, err = _run([command, str(f), *flat])
    event(f"exit {code}")
    if code != 0:
        _assert_one_line_error(code, out, err)
        return
    assert err == ""
    if "--json" in flat:
        assert _all_finite(_strict_json(out))
    else:
        assert "nan" not in out.lower() and "inf " not in out.lower()


# ----------------------------------------------------------------------------- configurations
PRESET = {
    "options": {
        "convention": "corrected",
        "meg_year": "2023",
        "moment": "solar",
        "invisible": "apply",
        "likelihoods": ["MEG II", "NA64", "BaBar", "Borexino"],
    },
    "fixed": {
        "m_H1": 0.3,
        "m_A1": 0.3,
        "m_H2": 0.4,
        "m_A2": 0.4,
        "M1": 0.1,
        "M2": 0.1,
        "M_E": 2000.0,
        "g_D": 0.5,
        "m_Ap": 0.05,
        "Q_S": 1.0,
    },
    "free": {
        "y_e1": {"prior": "disc", "max": 0.1},
        "y_e2": {"prior": "disc", "max": 0.1},
        "y_mu1": {"prior": "disc", "max": 0.1},
        "y_mu2": {"prior": "disc", "max": 0.1},
        "theta_R": {"prior": "uniform", "low": 0.0, "high": 3.14},
        "theta_I": {"prior": "uniform", "low": 0.0, "high": 3.14},
        "eps": {"prior": "loguniform", "low": 1e-7, "high": 1e-3},
    },
}
SCALARS = ["m_H1", "m_A1", "m_H2", "m_A2", "M1", "M2", "M_E", "g_D", "m_Ap", "Q_S", "theta_R", "theta_I", "eps"]
BOUND = st.one_of(st.floats(-12, 9.5).map(lambda e: 10.0**e), st.floats(-7, 7), st.sampled_from(ABSURD[:8]))


@st.composite
def config_mutation(draw):
    kind = draw(st.sampled_from(["fixed", "free", "disc", "option", "pmns"]))
    if kind == "fixed":
        return ("fixed", draw(st.sampled_from(SCALARS)), draw(BOUND))
    if kind == "free":
        name = draw(st.sampled_from(SCALARS))
        lo, hi = sorted([draw(BOUND), draw(BOUND)], key=lambda v: (not isinstance(v, float), v))
        return ("free", name, {"prior": draw(st.sampled_from(["uniform", "loguniform"])), "low": lo, "high": hi})
    if kind == "disc":
        return (
            "free",
            draw(st.sampled_from(["y_e1", "y_e2", "y_mu1", "y_mu2"])),
            {"prior": "disc", "max": draw(BOUND)},
        )
    if kind == "option":
        key = draw(st.sampled_from(["convention", "meg_year", "moment", "invisible"]))
        return ("option", key, draw(st.sampled_from(["paper", "corrected", "2025", "12", "13", "drop", "nope"])))
    return ("pmns", draw(st.sampled_from(["theta12", "theta23", "delta_CP", "alpha21"])), draw(BOUND))


_EVALUATORS: dict = {}


def _evaluator(config):
    """A jitted, vmapped evaluation of mu_eff, BR and every enabled log-likelihood for the configuration's
    options; cached per options so that hypothesis's examples share compilations."""
    key = (config.likelihood_options, config.likelihoods)
    if key not in _EVALUATORS:
        lks = build_likelihoods(config)
        enabled = [lks[n] for n in config.likelihoods]
        mu = quantity("mu_eff", config)

        def f(p):
            return jnp.stack([mu(p), BR_mu_e_gamma(p), *[lk.log_likelihood(p) for lk in enabled]])

        _EVALUATORS[key] = jax.jit(jax.vmap(f))
    return _EVALUATORS[key]


def _stack(points):
    return jax.tree_util.tree_map(lambda *x: jnp.stack(x), *points)


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(config_mutation(), min_size=1, max_size=3))
def test_any_configuration_is_refused_or_finite_everywhere_in_its_prior(mutations):
    raw = json.loads(json.dumps(PRESET))
    for kind, key, value in mutations:
        if kind == "option":
            raw["options"][key] = value
        elif kind == "pmns":
            raw.setdefault("pmns", {})[key] = value
        else:
            other = "free" if kind == "fixed" else "fixed"
            raw[other].pop(key, None)
            raw[kind][key] = value
    try:
        config = parse_config(raw)
    except ConfigError as exc:
        event("refused")
        assert "\n" not in str(exc) and str(exc)
        return
    event("accepted")
    space = ParamSpace.from_config(config)
    rng = np.random.default_rng(0)
    u = np.concatenate(
        [rng.normal(0, 3, (6, space.dim)), np.full((1, space.dim), 40.0), np.full((1, space.dim), -40.0)]
    )
    z = space.sample_prior_z(jax.random.PRNGKey(0), 6)
    lo = np.array(
        [p for n in space.names for p in ((0.0, 0.0) if config.free[n].kind == "disc" else (config.free[n].z_box[0],))]
    )
    hi = np.array(
        [
            p
            for n in space.names
            for p in ((config.free[n].max, 0.0) if config.free[n].kind == "disc" else (config.free[n].z_box[1],))
        ]
    )
    points = [space.point_u(jnp.asarray(x)) for x in u] + [space.point_z(x) for x in z]
    points += [space.point_z(jnp.asarray(c)) for c in (lo, hi)]
    values = np.asarray(_evaluator(config)(_stack(points)))
    assert np.all(np.isfinite(values)), (mutations, values)


# ----------------------------------------------------------------------------- scan and fit flags
@pytest.fixture(scope="module")
def recorded():
    """A real small scan result and fit record, computed once and returned by the stubs."""
    from fits.jobs.scan import run_scan
    from fits.optimise.maximise import Settings, Stage
    from fits.problem.config import preset_config

    quick = Settings(starts=2, explore=Stage(2, 20, 0.1), share=Stage(1, 10, 0.05), polish=Stage(0, 1, 1e-3))
    scan = run_scan(preset_config("paper"), (0.5,), 2, quick, progress=False)
    return scan


def _flag(name, good, bad):
    return st.one_of(st.none(), st.tuples(st.just(name), st.sampled_from(good + bad)))


SCAN_FLAGS = st.tuples(
    _flag("--gD", ["0.5", "0.5,0.05", "3.5"], ["0", "-1", "1e300", "nan", "inf", "a,b", "", "0.5,,0.1"]),
    _flag("--masses", ["2", "3"], ["1", "0", "-5", "1e9", "x"]),
    _flag("--starts", ["1", "4"], ["0", "-1", "100000", "y"]),
    _flag("--seed", ["0", "7", "4294967295"], ["-1", "4294967296", "1.5"]),
    _flag("--preset", ["paper", "aligned"], ["nope", ""]),
    _flag("--moment", ["12", "solar"], ["99"]),
    _flag("--convention", ["paper"], ["Eq219"]),
)
FIT_FLAGS = st.tuples(
    _flag("--chains", ["1", "2"], ["0", "-3", "1000", "x"]),
    _flag("--warmup", ["0", "20"], ["-1", "x"]),
    _flag("--samples", ["10"], ["0", "-1", "1e3"]),
    _flag("--chunk", ["5", "1000"], ["0", "-2"]),
    _flag("--seed", ["3"], ["-1", "99999999999"]),
    _flag("--pair", ["eps,mu_eff_muB", "abs_y_e1,theta_R"], ["nope", "", ",", "eps,eps2"]),
    _flag("--sampler", ["nuts", "nested"], ["hmc", ""]),
    _flag("--nlive", ["50"], ["0", "-5", "x"]),
    _flag("--dlogz", ["0.5"], ["0", "-1", "nan", "inf"]),
    _flag("--runs", ["2"], ["0", "100"]),
    _flag("--workers", ["1"], ["0", "-1"]),
    _flag("--queue", ["1", "8"], ["0", "100000"]),
    _flag("--walks", ["40"], ["-1", "x"]),
    st.sampled_from([[], ["--resume"], ["--force"], ["--resume", "--force"]]),
)
OUTS = st.sampled_from(["new", "new/deeper", "existing-empty", "existing-full", "file", "file/sub", "/proc/jaxtmm/x"])


def _out(base: Path, kind: str) -> str:
    (base / "file").write_text("x")
    (base / "existing-empty").mkdir(exist_ok=True)
    (base / "existing-full").mkdir(exist_ok=True)
    (base / "existing-full" / "old.txt").write_text("x")
    return kind if kind.startswith("/") else str(base / kind)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(flags=SCAN_FLAGS, where=OUTS, force=st.booleans())
def test_any_scan_flags_succeed_with_finite_files_or_fail_in_one_line(recorded, monkeypatch, flags, where, force):
    import fits.jobs.scan

    monkeypatch.setattr(fits.jobs.scan, "run_scan", lambda *a, **k: recorded)
    args = ["scan", "--quiet"] + [x for f in flags if f is not None for x in f] + (["--force"] if force else [])
    with tempfile.TemporaryDirectory() as d:
        out = _out(Path(d), where)
        code, stdout, err = _run(args + ["--out", out])
        event(f"exit {code}")
        if code != 0:
            _assert_one_line_error(code, stdout, err)
            return
        data = _strict_json((Path(out) / "scan.json").read_text())
        assert _all_finite(data) and (Path(out) / "fig7.png").stat().st_size > 0


@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(flags=FIT_FLAGS, where=OUTS)
def test_any_fit_flags_run_or_fail_in_one_line(monkeypatch, flags, where):
    import fits.jobs.fit

    seen = []

    def fake_run_fit(config, settings, out, resume=False, progress=True, pair=None):
        seen.append(settings)
        if hasattr(settings, "nlive"):  # nested sampling
            assert settings.runs >= 1 and settings.nlive >= 10 and 0 < settings.dlogz < float("inf")
            assert settings.workers >= 0
        else:
            assert settings.chains >= 1 and settings.samples >= 1 and settings.warmup >= 0 and settings.chunk >= 1
        return {
            "draws": 1,
            "chain_method": "sequential",
            "divergences": 0,
            "max_r_hat": 1.0,
            "min_ess_bulk": 1.0,
            "min_ess_tail": 1.0,
            "wall_time_s": 1.0,
            "min_ess_bulk_per_s": 1.0,
            "draws_per_run": 1,
            "min_ess_runs": 1.0,
            "worst_ess_runs": "eps",
            "log_evidence": {"mean": -1.0, "standard_error": 0.1},
            "derived": dict.fromkeys(fits.jobs.fit.DERIVED, "x"),
            "parity_probabilities": {},
            "targets": {k: {"target": t, "value": t, "met": True} for k, t in fits.jobs.fit.TARGETS.items()},
        }

    monkeypatch.setattr(fits.jobs.fit, "run_fit", fake_run_fit)
    args = ["fit", "--preset", "posterior", "--quiet"] + [x for f in flags[:-1] if f is not None for x in f] + flags[-1]
    with tempfile.TemporaryDirectory() as d:
        code, stdout, err = _run(args + ["--out", _out(Path(d), where)])
    event(f"exit {code}")
    if code != 0:
        _assert_one_line_error(code, stdout, err)
        assert not seen
    else:
        assert len(seen) == 1 and err == ""
