"""Run in a subprocess with XLA_FLAGS=--xla_force_host_platform_device_count=4 (set before JAX starts):
compares 4-device sharded runs with 1-device runs and prints one JSON line."""

import json
import resource
import sys

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)

from fits.optimise.maximise import Maximiser, Settings, Stage  # noqa: E402
from fits.parallel import Layout  # noqa: E402
from fits.problem.config import preset_config  # noqa: E402
from fits.sample.posterior import chain_method  # noqa: E402
from jaxtmm import load_preset, mu_ij  # noqa: E402
from jaxtmm.batch import evaluate_batch, replicate, value_and_grad_batch  # noqa: E402


def rel(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def points(n, seed=0):
    p = load_preset("paper")
    rng = np.random.default_rng(seed)
    batch = replicate(p, n)
    return batch._replace(m_H2=jnp.asarray(10 ** rng.uniform(-1, 0, n)), M2=jnp.asarray(10 ** rng.uniform(-2, 0, n)))


def main(what):
    out = {"devices": jax.local_device_count()}
    one = jax.local_devices()[:1]
    if what == "equality":
        pts = points(1001)  # not a multiple of 4: padding is exercised
        a, b = evaluate_batch(pts, batch_size=64), evaluate_batch(pts, batch_size=64, devices=one)
        out["evaluate_rel"] = max(rel(a[k], b[k]) for k in a)
        out["evaluate_sharded_over"] = (
            len(a["mu_ij_GeV"].sharding.device_set) if hasattr(a["mu_ij_GeV"], "sharding") else 0
        )
        out["chain_method_4"] = chain_method(4)
        out["chain_method_8"] = chain_method(8)
    elif what == "maximise":
        cfg = preset_config("paper")
        # one inner length for every stage: one compiled step per coordinate system
        s = Settings(
            starts=2,
            explore=Stage(rounds=8, inner=100, lr=0.1),
            share=Stage(rounds=4, inner=100, lr=0.05),
            polish=Stage(rounds=4, inner=100, lr=1e-3),
        )
        ov = {"m_Ap": np.array([0.003, 0.02, 0.1, 0.4, 1.0]), "g_D": np.full(5, 0.5)}
        masks = np.array([[1.0, 1.0, 0.0]] * 5)
        r4 = Maximiser(cfg, s, layout=Layout.current()).run(ov, masks)
        r1 = Maximiser(cfg, s, layout=Layout(one)).run(ov, masks)
        out["maximise_rel"] = max(
            rel(getattr(r4, k), getattr(r1, k)) for k in ("mu_eff_muB", "F", "residual", "eps", "z")
        )
    elif what == "memory":
        n = 1_000_000
        pts = points(n, seed=1)
        v, g = value_and_grad_batch(lambda q: mu_ij(q)[0, 1] * 1e7, pts, batch_size=4096)
        out["finite"] = bool(jnp.all(jnp.isfinite(g.m_H2)) and jnp.all(jnp.isfinite(v)))
        out["n"] = int(v.shape[0])
        out["max_rss_GB"] = _peak_rss_GB()
    print(json.dumps(out))


def _peak_rss_GB() -> float:
    """This process's own peak resident memory: VmHWM of /proc/self/status (Linux), which starts afresh at exec.
    getrusage's ru_maxrss does not: a child keeps the high-water mark of the process that forked it, so a pytest worker
    that had compiled large programs before made this test fail with the worker's memory, not the computation's."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


if __name__ == "__main__":
    main(sys.argv[1])
