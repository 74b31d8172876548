"""Throughput and accuracy of the loop functions against scipy's dblquad, measured in the same run.

    python benchmarks/loops.py [--n 262144] [--points 65536] [--dblquad 12] [--markdown]

Prints one table: J and J_z evaluations/s after compilation, full mu_ij points/s, the worst relative
error against the mpmath references of tests/data/loop_reference.json (random hierarchical triples,
mass ratios up to 1e5), and scipy.integrate.dblquad at its default tolerance on the same triples.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from scipy import integrate

jax.config.update("jax_enable_x64", True)

from jaxtmm import load_preset, mu_ij  # noqa: E402
from jaxtmm.batch import replicate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of  # noqa: E402

from jaxtmm.loops import J, J_z  # noqa: E402

REF = Path(__file__).resolve().parents[1] / "tests" / "data" / "loop_reference.json"


def dblquad_J(M, m1, m2, numerator):
    f = lambda y, x: numerator(x, y) / (x * m2**2 + y * m1**2 + (1 - x - y) * M**2)
    return integrate.dblquad(f, 0, 1, 0, lambda x: 1 - x)[0]  # default epsabs=1.49e-8, epsrel=1.49e-8


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2**18, help="mass triples per J batch")
    ap.add_argument("--points", type=int, default=2**16, help="model points per mu_ij batch")
    ap.add_argument("--dblquad", type=int, default=12, help="triples timed with scipy dblquad")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    M, m1, m2 = (jnp.asarray(v) for v in 10 ** rng.uniform(-3, 2, (3, args.n)))
    ref = json.loads(REF.read_text())
    rows = []
    numerators = {"J": lambda x, y: x + y, "J_z": lambda x, y: 1 - x - y}
    for name, f in (("J", J), ("J_z", J_z)):
        fj = jax.jit(f)
        fj(M, m1, m2).block_until_ready()  # compile
        t = best_of(lambda: fj(M, m1, m2).block_until_ready())
        rate = args.n / t
        cases = ref[name]
        RM, R1, R2 = (np.array([c[k] for c in cases]) for k in ("M", "m1", "m2"))
        Rv = np.array([float(c["value"]) for c in cases])
        err = float(np.max(np.abs(np.asarray(fj(RM, R1, R2)) / Rv - 1)))
        # scipy dblquad on the hierarchical (random) part of the same reference set
        sub = cases[-(args.dblquad + 3) : -3]
        t0 = time.perf_counter()
        dq = [dblquad_J(c["M"], c["m1"], c["m2"], numerators[name]) for c in sub]
        t_dq = (time.perf_counter() - t0) / len(sub)
        err_dq = max(abs(v / float(c["value"]) - 1) for v, c in zip(dq, sub))
        rows.append((f"{name} evaluations/s", rate, 1 / t_dq, err, err_dq))

    p = load_preset("paper")
    pts = replicate(p, args.points)
    pts = pts._replace(
        m_H2=jnp.asarray(10 ** rng.uniform(-3, 2, args.points)), M2=jnp.asarray(10 ** rng.uniform(-3, 2, args.points))
    )
    fmu = jax.jit(jax.vmap(lambda q: mu_ij(q)))
    fmu(pts).block_until_ready()
    t = best_of(lambda: fmu(pts).block_until_ready())
    # the baseline for a point: 8 dblquad calls (4 Delta J terms for each of M1, M2) per point
    t_point_dq = 8 * np.mean([1 / r[2] for r in rows])
    rows.append(("mu_ij points/s (8 loop integrals)", args.points / t, 1 / t_point_dq, float("nan"), float("nan")))

    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, jax {jax.__version__} ({jax.default_backend()})"
    head = ("quantity", "jaxtmm", "scipy dblquad", "speed-up", "jaxtmm worst rel. err", "dblquad worst rel. err")
    table = [head] + [
        (
            q,
            f"{a:.3g}",
            f"{b:.3g}",
            f"{a / b:.3g}x",
            "-" if np.isnan(e) else f"{e:.1e}",
            "-" if np.isnan(ed) else f"{ed:.1e}",
        )
        for q, a, b, e, ed in rows
    ]
    print(
        f"machine: {machine}; J batch {args.n}, points batch {args.points}, dblquad on {args.dblquad} hierarchical triples"
    )
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in table[1:]:
            print("| " + " | ".join(r) + " |")
    else:
        w = [max(len(r[i]) for r in table) for i in range(len(head))]
        for r in table:
            print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))


if __name__ == "__main__":
    main()
