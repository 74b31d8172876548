"""The `jaxtmm evaluate` command: output against the Python API, and bad input without tracebacks."""

import json
import re
import subprocess
import sys
from importlib.metadata import entry_points

import numpy as np
import pytest

from jaxtmm import load_preset
from jaxtmm import observables as ob
from jaxtmm.pointfile import preset_text
from jaxtmm_cli import main

KEYS = {
    "mu_ij_GeV",
    "mu_ij_muB",
    "mu_eff_solar_muB",
    "mu_eff_e_muB",
    "mu_eff_mu_muB",
    "BR_mu_e_gamma",
    "delta_a_mu",
    "delta_a_e",
    "loop_sum_GeV_inv",
    "convention",
    "mu_ij_magnetic_muB",
    "mu_ij_electric_muB",
    "m_nu_loop_eV",
    "delta_N_nu",
    "T_oblique",
}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "jaxtmm_cli", *args], capture_output=True, text=True, timeout=300)


def test_console_script_is_declared():
    (ep,) = [e for e in entry_points(group="console_scripts") if e.name == "jaxtmm"]
    assert ep.value == "jaxtmm_cli:main"


@pytest.mark.parametrize("convention", ["corrected", "paper"])
def test_evaluate_preset_json_matches_api(capsys, convention):
    assert main(["evaluate", "--preset", "paper", "--json", "--convention", convention]) == 0
    out = json.loads(capsys.readouterr().out)
    assert KEYS <= set(out) and out["convention"] == convention
    p = load_preset("paper")
    np.testing.assert_allclose(out["mu_ij_GeV"], ob.mu_ij(p, convention), rtol=1e-13)  # jit vs eager rounding
    np.testing.assert_allclose(out["mu_ij_muB"], ob.to_mu_B(ob.mu_ij(p, convention)), rtol=1e-13)
    assert out["BR_mu_e_gamma"] == pytest.approx(float(ob.BR_mu_e_gamma(p, convention)), rel=1e-13)
    assert out["loop_sum_GeV_inv"] == pytest.approx(float(ob.loop_sum(p, convention)), rel=1e-13)
    assert out["sum_m_nu_loop_eV"] == pytest.approx(float(ob.sum_m_nu(p)) * 1e9, rel=1e-12)
    assert out["delta_N_nu"] == pytest.approx(2.0, rel=1e-4) and out["T_oblique"] > 100
    assert np.array(out["mu_ij_muB"]).shape == (3, 3)


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith("jaxtmm 0.")


def test_evaluate_point_file_table(tmp_path, capsys):
    f = tmp_path / "p.toml"
    f.write_text(preset_text("paper") + "\n[pmns]\ndelta_CP = 180.0\n")
    assert main(["evaluate", str(f)]) == 0
    out = capsys.readouterr().out
    for label in ("mu_B", "BR(mu -> e gamma)", "Delta a_mu", "convention: corrected", "GeV^-1"):
        assert label in out


def test_paper_preset_reads_the_benchmark():
    p = load_preset("paper")
    assert (p.m_H1, p.m_A1, p.m_H2, p.m_A2, p.M1, p.M2, p.M_E) == (0.3, 0.3, 0.4, 0.4, 0.1, 0.1, 2000.0)
    assert ob.BR_mu_e_gamma(p) < 3.1e-13


BASE = preset_text("paper")


def _replace(key, new_line):
    lines = [ln for ln in BASE.splitlines() if not ln.startswith(f"{key} =")]
    return "\n".join(lines + ([new_line] if new_line else [])) + "\n"


BAD = {
    "missing key": (_replace("M_E", None), "missing key(s): M_E"),
    "unknown key": (BASE + "m_X = 1.0\n", "unknown key(s): m_X"),
    "wrong type": (_replace("g_D", 'g_D = "half"'), "'g_D' must be a number"),
    "bad yukawa": (_replace("y_e1", "y_e1 = 0.06"), "'y_e1' must be a pair [re, im]"),
    "zero mass": (_replace("m_H1", "m_H1 = 0.0"), "mass 'm_H1' must be positive"),
    "negative mass": (_replace("M2", "M2 = -0.1"), "mass 'M2' must be positive"),
    "nan": (_replace("eps", "eps = nan"), "'eps' must be finite"),
    "inf in yukawa": (_replace("y_mu2", "y_mu2 = [inf, 0.0]"), "'y_mu2[0]' must be finite"),
    "bad pmns key": (BASE + "[pmns]\ntheta_12 = 33.0\n", "unknown key 'pmns.theta_12'"),
    "not toml": ("this is = = not toml\n", "is not valid TOML"),
    "huge yukawa": (_replace("y_e1", "y_e1 = [1e300, 0.0]"), "'y_e1' has |y| = 1e+300, beyond the perturbative bound"),
    "huge g_D": (_replace("g_D", "g_D = 1e300"), "'g_D' = 1e+300 is outside [0, 3.54491]"),
    "huge mass": (_replace("M_E", "M_E = 1e300"), "'M_E' = 1e+300 is outside [1e-09, 1e+09]"),
    "pmns angle": (BASE + "[pmns]\ntheta12 = 400.0\n", "'pmns.theta12' = 400 is outside [0, 90]"),
    "eps above 1": (_replace("eps", "eps = 2.0"), "'eps' = 2 is outside [-1, 1]"),
    "angle": (_replace("theta_R", "theta_R = 100.0"), "'theta_R' = 100 is outside"),
}


@pytest.mark.parametrize("command", ["evaluate", "constraints"])
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_point_file_one_line_error(tmp_path, capsys, case, command):
    text, message = BAD[case]
    f = tmp_path / "bad.toml"
    f.write_text(text)
    assert main([command, str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("jaxtmm: error:") and message in err, err


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path):
    cases = [
        ["evaluate", str(tmp_path / "does-not-exist.toml")],
        ["evaluate", "--preset", "nope"],
        ["evaluate", "--preset", "paper", "--convention", "Eq219"],
        ["evaluate"],
    ]
    for args in cases:
        r = run_cli(*args)
        assert r.returncode == 2, (args, r)
        assert "Traceback" not in r.stderr and r.stdout == ""
        assert "error" in r.stderr.lower()
    r = run_cli("evaluate", str(tmp_path / "does-not-exist.toml"))
    assert "cannot read point file" in r.stderr


def test_cli_real_process_json():
    r = run_cli("evaluate", "--preset", "paper", "--json")
    assert r.returncode == 0, r.stderr
    assert KEYS <= set(json.loads(r.stdout))


def test_library_refuses_float32():
    code = (
        "import jax; jax.config.update('jax_enable_x64', False)\n"
        "from jaxtmm import J\n"
        "try:\n    J(1.0, 2.0, 3.0)\nexcept RuntimeError as e:\n    print(e)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "jax_enable_x64" in r.stdout and "JAX_ENABLE_X64=1" in r.stdout, r


def test_constraints_json_matches_api(capsys):
    import likelihoods as L

    assert main(["constraints", "--preset", "paper", "--json", "--meg", "2025", "--moment", "12"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["options"]["meg"] == "2025" and out["options"]["moment"] == "12"
    ref = L.report(load_preset("paper"), L.default_likelihoods(meg_year="2025", moment="12", constraints="complete"))
    assert [r["experiment"] for r in out["constraints"] if not r["part_of"]] == list(L.constraint_set("complete"))
    members = [r["experiment"] for r in out["constraints"] if r["part_of"] == "A' searches"]
    assert "E137_Andreas2012mt" in members and "NA48_Batley2015lha" in members and len(members) == 13  # at 20 MeV
    assert out["options"]["invisible"] == "physics"  # auto, with more than the paper's experiments
    assert set(out["unsatisfiable_whatever_the_couplings"]) >= {"Z invisible width", "Oblique T"}
    for got, want in zip(out["constraints"], ref):
        assert got["signal_ratio"] == pytest.approx(want["signal_ratio"], rel=1e-12)
        assert got["log_likelihood"] == pytest.approx(want["log_likelihood"], rel=1e-12, abs=1e-300)
        for key in ("allowed", "invisible_open", "limit", "threshold", "citation"):
            assert key in got
    # the benchmark's BR is 3.6e-14 (corrected): allowed by MEG II 2025; the printed Eq. 3.6 gives 2.9e-13, excluded
    assert out["constraints"][0]["limit"] == 1.5e-13 and out["constraints"][0]["allowed"] is True
    assert main(["constraints", "--preset", "paper", "--json", "--meg", "2025", "--convention", "paper"]) == 0
    assert json.loads(capsys.readouterr().out)["constraints"][0]["allowed"] is False


def test_constraints_table_flags_exclusion_and_invisible(tmp_path, capsys):
    f = tmp_path / "p.toml"
    f.write_text(BASE.replace("eps = 1.0e-5", "eps = 1.0e-3"))
    assert main(["constraints", str(f), "--invisible", "apply"]) == 0
    out = capsys.readouterr().out
    assert "EXCLUDED at 90% CL" in out and "CLOSED (limit assumed anyway)" in out and "arXiv:2307.02404" in out
    assert main(["constraints", str(f)]) == 0  # auto: physics with the complete set
    out = capsys.readouterr().out
    assert "CLOSED (scaled by the point's BR)" in out and "invisible: physics" in out
    assert main(["constraints", str(f), "--invisible", "drop"]) == 0
    out = capsys.readouterr().out
    assert "CLOSED (limit dropped)" in out and "no constraint" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["--T-max", "1e-3"], "above the endpoint"),
        (["--T-min", "-1"], "T_min must be a positive"),
        (["--T-min", "7e-4", "--T-max", "6e-4"], "must be below T_max"),
    ],
)
def test_constraints_bad_window(capsys, args, message):
    assert main(["constraints", "--preset", "paper", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_plot_scattering(tmp_path, capsys):
    """Fig. 6 extended: a PNG of every recast scattering limit; no point, and no Borexino window options."""
    out = tmp_path / "scattering.png"
    assert main(["plot", "scattering", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    capsys.readouterr()
    assert main(["plot", "scattering", "--out", str(out), "--force", "--T-min", "1e-4"]) == 2
    assert "each experiment's own window" in capsys.readouterr().err
    assert main(["plot", "scattering", "--preset", "paper", "--out", str(out), "--force"]) == 2
    assert "takes no point" in capsys.readouterr().err and out.read_bytes() == data


def test_plot_borexino(tmp_path, capsys):
    out = tmp_path / "fig6.png"
    assert main(["plot", "borexino", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert main(["plot", "borexino", "--out", str(tmp_path / "no" / "such" / "dir.png")]) == 2
    assert "does not exist" in capsys.readouterr().err
    # an existing file is kept unless --force
    capsys.readouterr()
    assert main(["plot", "borexino", "--out", str(out)]) == 2
    assert "exists; use --force" in capsys.readouterr().err and out.read_bytes() == data
    assert main(["plot", "borexino", "--out", str(out), "--force", "--T-min", "1e-4"]) == 0
    assert out.read_bytes() != data and not list(tmp_path.glob(".*.tmp"))


def test_help_texts(capsys):
    """argparse needs '%%' in help= but prints descriptions as written; presets are listed."""
    for cmd, wanted in (
        ("constraints", "CL (90% or 95%)"),
        ("scan", "paper, aligned, posterior"),
        ("fit", "paper, aligned, posterior"),
        ("evaluate", "a shipped point: paper"),
    ):
        with pytest.raises(SystemExit):
            main([cmd, "--help"])
        text = capsys.readouterr().out
        assert "%%" not in text and wanted in " ".join(text.split()), (cmd, text)
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    assert "the default" not in capsys.readouterr().out


def test_constraints_table_dropped_limits_and_window(capsys):
    assert main(["constraints", "--preset", "paper", "--invisible", "drop"]) == 0
    out = capsys.readouterr().out
    assert "T_max_GeV: 0.000664917" in out and "(kinematic endpoint)" in out and "None" not in out
    na64 = next(line for line in out.splitlines() if " NA64 " in line)
    assert "-0" not in na64.split() and " 0 " not in na64 and "no constraint" in na64
    assert not re.search(r"-0\.0(?![0-9])", out) and "e+00 " not in out.replace("0.000000e+00", "")


def test_meg_2025_citation_names_its_arxiv_number_once(capsys):
    assert main(["constraints", "--preset", "paper", "--meg", "2025"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("MEG II:"))
    assert line.count("2504.15711") == 1, line


def test_evaluate_prints_no_negative_zero(capsys):
    assert main(["evaluate", "--preset", "paper"]) == 0
    assert "-0.000000e+00" not in capsys.readouterr().out


def test_constraints_option(capsys):
    assert main(["constraints", "--preset", "paper", "--json", "--constraints", "MEG II,Borexino"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["experiment"] for r in out["constraints"]] == ["MEG II", "Borexino"]
    assert main(["constraints", "--preset", "paper", "--constraints", "MEG II,LEP"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown constraint(s) 'LEP'" in err and "paper, complete" in err


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["evaluate", "--preset", "paper", "--convention", "derived"],
            "argument --convention: invalid choice: 'derived'",
        ),
        (["evaluate", "--preset", "paper", "--loop", "paper"], "--loop was replaced by --convention"),
        (["constraints", "--preset", "paper", "--tuning", "0"], "the tuning factor must be a finite number > 0"),
        (["constraints", "--preset", "paper", "--tuning", "-3"], "the tuning factor must be a finite number > 0"),
        (["constraints", "--preset", "paper", "--constraints", "Z width"], "unknown constraint(s) 'Z width'"),
        (["constraints", "--preset", "paper", "--alpha-e", "H"], "argument --alpha-e: invalid choice: 'H'"),
        (["scan", "--tuning", "nan", "--out", "/tmp/never"], "the tuning factor must be a finite number > 0"),
    ],
)
def test_convention_and_complete_set_options_refused_in_one_line(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("jaxtmm: error:") and message in err, err


@pytest.mark.parametrize("value", ["0.5", "0", "2", "-1.5"])
def test_a_parity_other_than_plus_or_minus_one_is_refused(tmp_path, capsys, value):
    f = tmp_path / "p.toml"
    f.write_text(preset_text("paper") + f"eta2 = {value}\n")
    assert main(["evaluate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'eta2' is a CP parity and must be +1 or -1" in err


def test_negative_parity_makes_a_dirac_N_with_no_moment_and_no_mass(tmp_path, capsys):
    f = tmp_path / "p.toml"
    f.write_text(preset_text("paper") + "eta1 = -1\n")  # M1 = M2 = 100 MeV: eta1 = -1 is M1 = -M2
    assert main(["evaluate", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    p = load_preset("paper")  # both parities +1: mu ~ 2e-10 mu_B, sum m_nu ~ 1.5 keV
    ref_mu, ref_m = float(ob.to_mu_B(ob.mu_ij(p)).max()), float(ob.sum_m_nu(p)) * 1e9
    assert np.abs(out["mu_ij_muB"]).max() < 1e-15 * ref_mu and out["sum_m_nu_loop_eV"] < 1e-15 * ref_m


@pytest.mark.parametrize(
    "args,message",
    [
        (["scan", "--preset", "global", "--gD", "0.5"], "--gD: this configuration frees g_D, and the scan profiles it"),
        (["scan", "--preset", "paper", "--no-references"], "--no-references applies to a profile only"),
        (
            ["scan", "--preset", "paper", "--cancellation-floors", "1e-2"],
            "--cancellation-floors: cancellation floors need",
        ),
        (
            ["scan", "--preset", "global", "--cancellation-floors", "1,x"],
            "--cancellation-floors must be a comma-separated",
        ),
        (["scan", "--preset", "global", "--cancellation-floors", "0"], "a cancellation floor is a number in (0, 1]"),
        (["scan", "--preset", "global", "--cancellation-floors", "2"], "a cancellation floor is a number in (0, 1]"),
        (["scan", "--preset", "global", "--cancellation-floors", "1e-2,0.01"], "the cancellation floors repeat"),
        (["profile", "--preset", "posterior", "--x", "m_H1:0.1:1"], "cannot profile 'm_H1': choose a free parameter"),
        (["profile", "--preset", "posterior", "--x", "eps:1e-7"], "--x must be NAME:LOW:HIGH or NAME:LOW:HIGH:N"),
        (["profile", "--preset", "posterior", "--x", "eps:a:1e-4"], "--x: LOW and HIGH must be numbers"),
        (["profile", "--preset", "posterior", "--x", "eps:1e-6:1e-4", "--y", "eps:1e-6:1e-4"], "must name different"),
        (["profile", "--preset", "posterior", "--x", "eps:1e-6:1e-4", "--starts", "0"], "--starts must be from 1"),
    ],
)
def test_global_presets_refuse_what_they_cannot_do_before_any_output(tmp_path, capsys, args, message):
    out = tmp_path / "never"
    assert main(args + ["--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not out.exists()
