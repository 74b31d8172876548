"""Output files: locations checked before work, atomic writes, JSON without NaN/Infinity, non-finite scan rows."""

import json
import math

import numpy as np
import pytest

from fits.io import OutputError, _umask, atomic_write, dumps, prepare_dir, prepare_file, write_text


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    f = tmp_path / "out.txt"
    write_text(f, "old")
    with pytest.raises(RuntimeError):
        with atomic_write(f, "w") as fh:
            fh.write("half of the new")
            raise RuntimeError("disk full, say")
    assert f.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    write_text(f, "new")
    assert f.read_text() == "new" and (f.stat().st_mode & 0o777) == 0o666 & ~_umask()


def test_json_has_null_and_a_reason_instead_of_nan():
    text = dumps({"a": 1.0, "rows": [{"x": math.nan}, {"x": -math.inf}], "ok": [1, 2]})
    data = json.loads(text, parse_constant=lambda c: pytest.fail(c))
    assert data["rows"] == [{"x": None}, {"x": None}] and data["a"] == 1.0
    assert set(data["non_finite"]) == {"rows[0].x", "rows[1].x"} and "nan" in data["non_finite"]["rows[0].x"]
    assert "non_finite" not in json.loads(dumps({"a": 1.0}))


def test_prepare_dir(tmp_path):
    (tmp_path / "file").write_text("x")
    full = tmp_path / "full"
    full.mkdir()
    (full / "a").write_text("x")
    cases = {
        tmp_path / "file": "exists and is not a directory",
        tmp_path / "file" / "sub": "a part of the path is a file",
        full: "exists and is not empty; pass force=True to overwrite",
    }
    for path, message in cases.items():
        with pytest.raises(OutputError, match=message):
            prepare_dir(path)
    with pytest.raises(OutputError, match="cannot create output directory '/proc/jaxtmm-x'"):
        prepare_dir("/proc/jaxtmm-x")
    with pytest.raises(OutputError, match="cannot create --out '/proc/jaxtmm-x'"):
        prepare_dir("/proc/jaxtmm-x", option="--out")
    assert prepare_dir(full, force=True) == full and prepare_dir(full, resume=True) == full
    assert prepare_dir(tmp_path / "new" / "deep").is_dir()


def test_prepare_file(tmp_path):
    f = tmp_path / "fig.png"
    assert prepare_file(f) == f
    f.write_text("x")
    with pytest.raises(OutputError, match="exists; use --force"):
        prepare_file(f, hint="; use --force")
    assert prepare_file(f, force=True) == f
    with pytest.raises(OutputError, match="is a directory"):
        prepare_file(tmp_path)
    with pytest.raises(OutputError, match="does not exist"):
        prepare_file(tmp_path / "no" / "f.png")


def test_a_non_finite_optimum_is_an_infeasible_row_with_a_reason(monkeypatch, tmp_path):
    """Whatever the maximiser returns, a row whose optimum is not finite is infeasible, says why, and no NaN
    reaches scan.json or scan.csv."""
    import fits.jobs.scan
    from fits.optimise.maximise import Maximiser
    from fits.problem.config import preset_config

    real = Maximiser.run

    def run(self, overrides, masks, **kw):
        out = real(self, overrides, masks, **kw)
        out.mu_eff_muB[1] = np.inf
        out.eps[1] = np.nan
        return out

    monkeypatch.setattr(Maximiser, "run", run)
    quick = fits.optimise.maximise.Settings(
        starts=1,
        explore=fits.optimise.maximise.Stage(1, 5, 0.1),
        share=fits.optimise.maximise.Stage(1, 5, 0.1),
        polish=fits.optimise.maximise.Stage(0, 1, 1e-3),
    )
    cfg = preset_config("paper")
    res = fits.jobs.scan.run_scan(cfg, (0.5,), 3, quick, progress=False)
    row = res["rows"][1]
    assert row["experiment_applies"] and not row["feasible"] and "not a finite number" in row["reason"]
    assert row["mu_eff_max_muB"] is None and row["eps_max"] is None
    fits.jobs.scan.write_results(res, tmp_path, cfg)
    json.loads((tmp_path / "scan.json").read_text(), parse_constant=lambda c: pytest.fail(c))
    cells = [c.lower() for line in (tmp_path / "scan.csv").read_text().splitlines() for c in line.split(",")]
    assert not {"nan", "inf", "-inf"} & set(cells)
