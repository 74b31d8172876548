"""Scale-out: sharding over 4 forced host devices equals one device; two processes on 127.0.0.1 give the
rows of one process; a 1e6-point gradient batch stays under 4 GB."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent


def _worker(what, devices=4):
    env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}", "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, str(HERE / "_parallel_worker.py"), what], capture_output=True, text=True, env=env, timeout=900
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # ~60 s on 2 cores: evaluate compiled for four devices and for one, in a fresh process
def test_four_devices_equal_one():
    out = _worker("equality")
    assert out["devices"] == 4 and out["evaluate_sharded_over"] == 4
    assert out["evaluate_rel"] <= 1e-9
    assert out["chain_method_4"] == "parallel" and out["chain_method_8"] == "sequential"


@pytest.mark.slow  # ~100 s on 2 cores: two maximisers compiled in a fresh process
def test_the_maximiser_on_four_devices_equals_one():
    out = _worker("maximise")
    assert out["devices"] == 4 and out["maximise_rel"] <= 1e-9


def test_million_point_gradient_batch_under_4GB():
    out = _worker("memory", devices=1)
    assert out["finite"] and out["n"] == 1_000_000
    assert out["max_rss_GB"] < 4.0, out


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # ~130 s on 2 cores: three scans compiled, each in its own process
def test_two_processes_write_the_rows_of_one(tmp_path):
    args = [sys.executable, "-m", "jaxtmm_cli", "scan", "--masses", "3", "--gD", "0.5", "--starts", "2", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    port = _free_port()
    dist = ["--distributed", "--coordinator", f"127.0.0.1:{port}", "--num-processes", "2"]
    procs = [
        subprocess.Popen(
            args + ["--out", str(tmp_path / "two")] + dist + ["--process-id", str(i)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 0)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    single = subprocess.run(
        args + ["--out", str(tmp_path / "one")], env=env, capture_output=True, text=True, timeout=600
    )
    assert single.returncode == 0, single.stderr[-2000:]
    one = json.loads((tmp_path / "one" / "scan.json").read_text())
    two = json.loads((tmp_path / "two" / "scan.json").read_text())
    assert two["provenance"]["processes"] == 2 and one["provenance"]["processes"] == 1
    assert len(one["rows"]) == len(two["rows"]) == 6
    for a, b in zip(one["rows"], two["rows"]):
        assert a.keys() == b.keys()
        for k in a:
            if isinstance(a[k], float):
                assert abs(a[k] - b[k]) <= 1e-9 * abs(a[k]), (k, a[k], b[k])
            else:
                assert a[k] == b[k], k
    assert "wrote" not in outs[0][0]  # process 1 writes nothing
