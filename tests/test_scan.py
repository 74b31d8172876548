"""`jaxtmm scan`: the files it writes, what they hold, and that it protects existing results."""

import csv
import json
import math

import numpy as np
import pytest

from jaxtmm_cli import main

ROW_KEYS = {
    "gD",
    "m_Ap_GeV",
    "experiment",
    "eps_max",
    "mu_max_muB",
    "mu_eff_max_muB",
    "invisible_open",
    "borexino_limit_muB",
    "feasible",
    "reason",
    "constraint_residual",
    "kkt_residual",
    "multipliers",
    "binding",
    "y",
}


@pytest.fixture(scope="module")
def scan_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("scan") / "run"
    # the paper convention: with 4 starts the maximiser reaches the optimum of every row there on every JAX version
    # we test (0.10 and 0.12); in the corrected convention it stops short on some rows (docs/validation.md)
    assert (
        main(
            [
                "scan",
                "--masses",
                "3",
                "--gD",
                "0.5,0.05",
                "--out",
                str(out),
                "--quiet",
                "--starts",
                "4",
                "--convention",
                "paper",
            ]
        )
        == 0
    )
    return out


def test_files_and_rows(scan_dir):
    for name in ("scan.csv", "scan.json", "fig7.png", "fig6.png"):
        assert (scan_dir / name).stat().st_size > 0
    data = json.loads((scan_dir / "scan.json").read_text())
    rows = data["rows"]
    assert len(rows) == 2 * 3 * 2 and ROW_KEYS <= set(rows[0])
    assert {r["experiment"] for r in rows} == {"NA64", "BaBar"} and {r["gD"] for r in rows} == {0.5, 0.05}
    np.testing.assert_allclose(sorted({r["m_Ap_GeV"] for r in rows}), [1e-3, np.sqrt(8e-3), 8.0], rtol=1e-12)
    for r in rows:
        if r["experiment_applies"]:
            assert r["feasible"] and r["mu_eff_max_muB"] == pytest.approx(r["eps_max"] * r["mu_max_muB"], rel=1e-12)
        else:  # 1 MeV and 8 GeV lie outside NA64's curve: no number is made up there
            assert r["experiment"] == "NA64" and r["mu_eff_max_muB"] is None
    # mu_eff is linear in g_D at fixed masses and constraints
    by = {(r["gD"], r["m_Ap_GeV"], r["experiment"]): r for r in rows}
    for (g, m, e), r in by.items():
        if g == 0.5 and r["experiment_applies"]:
            assert by[(0.05, m, e)]["mu_eff_max_muB"] == pytest.approx(0.1 * r["mu_eff_max_muB"], rel=2e-6)
    prov = data["provenance"]
    for key in ("versions", "configuration", "data_sha256", "seed", "wall_time_s", "maximiser", "command"):
        assert key in prov
    assert prov["versions"]["jax"] and prov["configuration"]["effective_options"]["convention"] == "paper"
    assert {k for k in prov["data_sha256"] if "/" not in k} == {
        "na64_invisible_2023.csv",
        "babar_invisible_2017.csv",
        "meg_ii.toml",
        "borexino_2017.toml",
        "neutrino_mass.toml",
        "electroweak.toml",
        "g_minus_2.toml",
        "cosmology.toml",
        "scattering.toml",
        "theory.toml",
        "sn1987a_chang2017.csv",
        "borexino_be7_rate.toml",
        "texono_csi_2010.toml",
    }
    assert sum(k.startswith("darkphoton/") for k in prov["data_sha256"]) == 31  # 30 limits and the manifest
    with open(scan_dir / "scan.csv") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(rows) and "mu_eff_max_muB" in table[0]
    # the Yukawa matrix of each optimum is in the CSV, equal to the JSON's
    for t, r in zip(table, rows):
        for a, row in enumerate((("y_e1", "y_e2"), ("y_mu1", "y_mu2"))):
            for b, k in enumerate(row):
                assert float(t[f"{k}_re"]) == r["y"][a][b][0] and float(t[f"{k}_im"]) == r["y"][a][b][1]
    text = (scan_dir / "scan.json").read_text()
    assert "NaN" not in text and "Infinity" not in text


def test_optima_are_kkt_points(scan_dir):
    """The KKT residual with least-squares multipliers is small at every optimum, and the experiment's
    multiplier is 1/2 (ln mu_eff ~ ln eps, ln r ~ 2 ln eps)."""
    rows = [r for r in json.loads((scan_dir / "scan.json").read_text())["rows"] if r["experiment_applies"]]
    for r in rows:
        assert r["kkt_residual"] < 1e-3, r
        assert r["multipliers"][r["experiment"]] == pytest.approx(0.5, rel=1e-6)


def test_refuses_to_overwrite(scan_dir, capsys):
    assert main(["scan", "--masses", "3", "--out", str(scan_dir), "--quiet"]) == 2
    assert "use --force" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args,message",
    [
        (["--gD", "0.5,abc"], "--gD must be a comma-separated list"),
        (["--gD", "-1"], "--gD values must be positive"),
        (["--gD", "1e300"], "perturbative bound"),
        (["--seed", "-1"], "--seed must be an integer from 0 to 2^32-1"),
        (["--constraints", "MEG II,nope"], "unknown constraint(s) 'nope'"),
        (
            ["--preset", "nope"],
            "invalid choice: 'nope' (choose from 'paper', 'aligned', 'posterior', 'global', 'global-paper')",
        ),
        (["--masses", "1"], "--masses must be at least 2"),
        (["--runs", "0"], "--runs must be from 1 to 64, got 0"),
        (["--seed", "4294967295", "--runs", "2"], "passes the largest seed, 4294967295"),
        (["--config", "/no/such/config.toml"], "cannot read configuration"),
        (["--starts-from", "/no/such/dir"], "--starts-from /no/such/dir: no scan.json in /no/such/dir"),
    ],
)
def test_bad_arguments(tmp_path, capsys, args, message):
    assert main(["scan", "--out", str(tmp_path / "x"), "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


@pytest.mark.parametrize("where", ["/proc/jaxtmm-test/out", "FILE/sub", "FILE"])
def test_unwritable_out_fails_before_any_work(tmp_path, capsys, monkeypatch, where):
    import fits.jobs.scan

    (tmp_path / "FILE").write_text("x")
    monkeypatch.setattr(fits.jobs.scan, "run_scan", lambda *a, **k: pytest.fail("computed before checking --out"))
    assert main(["scan", "--masses", "2", "--quiet", "--out", where.replace("FILE", str(tmp_path / "FILE"))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("cannot create --out" in err or "is not a directory" in err), err


def test_fig7_legend_outside_every_shading_labelled_and_tight_range(scan_dir):
    from fits.plots import fig7
    from fits.problem.config import preset_config

    result = json.loads((scan_dir / "scan.json").read_text())
    fig = fig7(result, preset_config("paper"))
    ax, strip = fig.axes
    assert ax.get_legend() is None and len(fig.legends) == 1  # the legend is the figure's, below the axes
    names = [t.get_text() for t in strip.get_yticklabels()]  # the strip: which constraint binds at each mass
    assert "NA64" in names and "BaBar" in names
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("excluded by Borexino" in t for t in labels) and any("dark states closed" in t for t in labels)
    shaded = list(ax.collections) + list(ax.patches)
    assert all(not s.get_label().startswith("_") for s in shaded)  # every shaded region has a legend entry
    mu = [r["mu_eff_max_muB"] for r in result["rows"] if r["mu_eff_max_muB"] is not None]
    lo, hi = ax.get_ylim()
    assert hi <= 100 * max(mu) and lo >= min(mu) / 100 * 1e-3
    fig.canvas.draw()  # the legend sits below the axes: no overlap with the data area
    leg, box = fig.legends[0].get_window_extent(), ax.get_window_extent()
    assert leg.y1 <= box.y0


@pytest.mark.slow  # ~200 s on 2 cores: the complete set's 27 searches compile into six maximiser graphs
def test_complete_set_rows_infeasible_with_the_responsible_constraint(tmp_path):
    """The benchmark masses under the complete set: no point satisfies the Z width and T, whatever the couplings;
    every row says so and reports no number; the figure's strip names them."""
    out = tmp_path / "complete"
    assert (
        main(
            [
                "scan",
                "--masses",
                "2",
                "--gD",
                "0.5",
                "--out",
                str(out),
                "--quiet",
                "--starts",
                "1",
                "--constraints",
                "complete",
            ]
        )
        == 0
    )
    data = json.loads((out / "scan.json").read_text())
    assert data["provenance"]["configuration"]["effective_options"]["likelihoods"][-1] == "(g-2)_e"
    # issue #24: rows a constraint dooms whatever the couplings are not optimised, and say so
    assert data["provenance"]["not_optimised"] == len(data["rows"]) == 4
    for r in data["rows"]:
        assert not r["feasible"] and r["mu_eff_max_muB"] is None and r["eps_max"] is None
        assert r["kkt_residual"] is None and r["feasible_starts"] == 0 and not r["binding"]
        assert r["reason"].startswith("infeasible: ") and r["reason"].endswith("; not optimised")
        parts = r["reason"].removeprefix("infeasible: ").split("; ")[:-1]
        assert {p.split(" (r = ")[0] for p in parts} == {"Z invisible width", "Oblique T"}
        assert all(p.endswith("whatever the couplings (fixed by the masses)") for p in parts)
        r_max = max(float(p.split("(r = ")[1].split(")")[0]) for p in parts)
        assert r["constraint_residual"] == pytest.approx(math.log(r_max), rel=1e-3)  # ln r, r printed to 4 digits
    from fits.plots import fig7
    from fits.problem.config import preset_config

    fig = fig7(data, preset_config("paper").replace_options(likelihoods="complete"))
    names = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert "Z invisible width" in names and "Oblique T" in names


def test_starts_from_keeps_every_earlier_optimum(scan_dir):
    """An earlier scan's optima start and join the search: with a schedule too short to reach the optimum (one round
    of 5 steps, no polish), the rows are still at least the earlier scan's; without the earlier scan they are not."""
    from fits.jobs.scan import run_scan
    from fits.optimise.maximise import Settings, Stage
    from fits.problem.config import preset_config

    earlier = json.loads((scan_dir / "scan.json").read_text())["rows"]
    cfg = preset_config("paper").replace_options(convention="paper")
    weak = Settings(
        starts=1, seed=9, explore=Stage(1, 5, 0.1), share=Stage(1, 5, 0.05), polish=Stage(0, 1, 1e-3), ladder=0, sqp=0
    )
    warm = run_scan(cfg, (0.5, 0.05), 3, weak, progress=False, starts_from=earlier)
    cold = run_scan(cfg, (0.5, 0.05), 3, weak, progress=False)
    key = lambda r: (r["gD"], r["m_Ap_GeV"], r["experiment"])
    before = {key(r): r["mu_eff_max_muB"] for r in earlier if r["feasible"] and r["mu_eff_max_muB"] is not None}
    assert warm["provenance"]["known_starts"] == len(before) >= 8
    for name, res, ok in (("warm", warm, True), ("cold", cold, False)):
        now = {key(r): r["mu_eff_max_muB"] for r in res["rows"]}
        short = [k for k, v in before.items() if now[k] is None or now[k] < v * (1 - 1e-12)]
        assert (not short) if ok else len(short) >= len(before) // 2, (name, short)


def test_starts_from_refuses_a_mismatched_scan(scan_dir, tmp_path, capsys):
    assert (
        main(
            [
                "scan",
                "--masses",
                "3",
                "--gD",
                "0.3",
                "--out",
                str(tmp_path / "a"),
                "--quiet",
                "--starts-from",
                str(scan_dir),
            ]
        )
        == 2
    )
    assert "no feasible row matches a problem of this scan" in capsys.readouterr().err
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "scan.json").write_text('{"rows": 3}')
    assert (
        main(["scan", "--masses", "3", "--out", str(tmp_path / "b"), "--quiet", "--starts-from", str(tmp_path / "bad")])
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a scan result" in err, err


def test_run_statistics_judge_agreement_and_convergence():
    """Rows' convergence from their runs' objectives (ln mu_eff): agreement to 1%, spread, the KKT residual."""
    from fits.jobs.scan import run_statistics

    ln = math.log
    two = run_statistics([ln(2.0), ln(2.0 * 1.009)], True, 1e-6)
    assert two == {"runs": 2, "runs_feasible": 2, "runs_agreeing": 2, "converged": True} | {
        "run_spread": pytest.approx(0.009, rel=1e-12)
    }
    apart = run_statistics([ln(2.0), ln(2.0 * 1.011)], True, 1e-6)
    assert apart["runs_agreeing"] == 1 and apart["converged"] is False
    assert run_statistics([ln(2.0), ln(2.0)], True, 2e-3)["converged"] is False  # KKT residual above 1e-3
    half = run_statistics([ln(2.0), float("nan")], True, 0.0)
    assert half["runs_feasible"] == 1 and half["run_spread"] is None and half["converged"] is False
    assert run_statistics([ln(2.0)], True, 0.0)["converged"] is None  # one run: not judged
    assert run_statistics([float("nan")] * 3, False, 0.0) == {
        "runs": 3,
        "runs_feasible": 0,
        "runs_agreeing": 0,
        "run_spread": None,
        "converged": False,
    }


def test_runs_keep_the_best_and_report_each(tmp_path):
    """--runs 2 on the paper's Fig. 7 scan: two seeds, the better kept; both reach the closed-form optimum of these
    rows, so they agree and every applying row converges."""
    out = tmp_path / "runs"
    args = ["scan", "--masses", "2", "--gD", "0.5", "--out", str(out), "--quiet", "--runs", "2", "--seed", "7"]
    assert main([*args, "--convention", "paper"]) == 0
    data = json.loads((out / "scan.json").read_text())
    assert data["provenance"]["runs"] == 2
    for r in data["rows"]:
        if r["experiment_applies"]:
            assert r["runs"] == 2 and r["runs_agreeing"] == 2 and r["converged"] is True, r
