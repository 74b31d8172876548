"""Produce tests/data/loop_reference.json: reference values by an independent method (mpmath).

Each 2-D Feynman-parameter integral is computed straight from its definition on the triangle
0 <= y <= 1 - x, 0 <= x <= 1, with nested mpmath tanh-sinh quadrature at 30 significant digits (no
reduction of a dimension, no change of variables: nothing shared with jaxtmm's method). F2 uses the
closed form of Eq. (3.3) at 60 digits, where its cancellations near x = 1 are harmless.

    python tests/make_reference.py        # ~5 minutes on 2 cores

The script is deterministic (fixed seed); re-running it reproduces the file.
"""

import itertools
import json
import multiprocessing as mproc
import sys
from pathlib import Path

import mpmath as mp
import numpy as np

DPS = 30
OUT = Path(__file__).parent / "data" / "loop_reference.json"


def _tri(f):
    return mp.quad(lambda x: mp.quad(lambda y: f(x, y), [0, 1 - x]), [0, 1])


def J_ref(args):
    kind, M, m1, m2 = args
    mp.mp.dps = DPS
    M, m1, m2 = (mp.mpf(v) for v in (M, m1, m2))

    def f(x, y):
        z = 1 - x - y
        num = x + y if kind == "J" else z
        return num / (x * m2**2 + y * m1**2 + z * M**2)

    return mp.nstr(_tri(f), 25)


def dJ_ref(args):
    """Delta J of Eq. (2.21) as ONE integral of the combined integrand (the cancellation happens under
    the integral sign at 40 digits, so splittings of 1e-3 keep ~30 digits)."""
    kind, M, h1, h2, a1, a2 = args
    mp.mp.dps = 40
    M, h1, h2, a1, a2 = (mp.mpf(v) for v in (M, h1, h2, a1, a2))

    def f(x, y):
        z = 1 - x - y
        num = x + y if kind == "J" else z
        D = lambda mphi1, mphi2: x * mphi2**2 + y * mphi1**2 + z * M**2
        return num * (1 / D(h1, a1) + 1 / D(h2, a2) - 1 / D(h1, a2) - 1 / D(h2, a1))

    return mp.nstr(_tri(f), 25)


def I_ref(args):
    M1, M2, m = args
    mp.mp.dps = DPS
    M1, M2, m = (mp.mpf(v) for v in (M1, M2, m))
    return mp.nstr(
        _tri(lambda x, y: (M2 * (1 + x - y) - M1 * (1 - x + y)) / (x * M2**2 + y * M1**2 + (1 - x - y) * m**2)), 25
    )


def F2_ref(x):
    mp.mp.dps = 60
    x = mp.mpf(x)
    if x == 0:
        return mp.nstr(mp.mpf(1) / 3, 25)
    if x == 1:
        return mp.nstr(mp.mpf(1) / 12, 25)
    return mp.nstr((2 + 3 * x - 6 * x**2 + x**3 + 6 * x * mp.log(x)) / (6 * (1 - x) ** 4), 25)


def triples(rng):
    """Every ordering of the extreme masses, then log-uniform random triples in [1e-3, 1e2] GeV."""
    corners = sorted(set(itertools.product((1e-3, 0.3, 1e2), repeat=3)))
    rand = [tuple(float(v) for v in 10.0 ** rng.uniform(-3, 2, 3)) for _ in range(24)]
    near = [(0.1, 0.3, 0.3 * (1 + 1e-7)), (2.0, 2.0 * (1 + 1e-9), 2.0), (1.0, 1.0, 1.0)]
    return corners + rand + near


def main() -> None:
    rng = np.random.default_rng(20261124)
    T = triples(rng)
    dj_cases = []
    for kind in ("J", "Jz"):
        for M, m, frac in itertools.product((0.1, 3.0), (0.3, 30.0), (1e-1, 1e-2, 1e-3)):
            dj_cases.append((kind, M, m, m * (1 + frac), m * (1 + 0.5 * frac), m * (1 + 1.5 * frac)))
    fer = [tuple(float(v) for v in 10.0 ** rng.uniform(-3, 2, 3)) for _ in range(10)]
    fer += [(0.1, 0.1 * (1 + 1e-3), 0.3), (1e-3, 1e2, 0.5)]
    xs = [
        0.0,
        1e-300,
        1e-12,
        1e-6,
        1e-3,
        0.1,
        0.5,
        0.9,
        0.999,
        1 - 1e-6,
        1 - 1e-9,
        1.0,
        1 + 1e-9,
        1 + 1e-6,
        1.001,
        1.1,
        1.5,
        2.0,
        10.0,
        1e3,
        1e6,
        1e10,
    ]
    xs += [float(v) for v in np.linspace(0.0, 4.0, 161)]
    with mproc.Pool(2) as pool:
        j_vals = pool.map(J_ref, [("J", *t) for t in T], chunksize=1)
        jz_vals = pool.map(J_ref, [("Jz", *t) for t in T], chunksize=1)
        dj_vals = pool.map(dJ_ref, dj_cases, chunksize=1)
        i_vals = pool.map(I_ref, fer, chunksize=1)
        f2_vals = pool.map(F2_ref, xs)
    data = {
        "generator": "tests/make_reference.py",
        "method": f"mpmath {mp.__version__} nested tanh-sinh on the triangle, {DPS} digits; F2 closed form at 60 digits",
        "J": [{"M": t[0], "m1": t[1], "m2": t[2], "value": v} for t, v in zip(T, j_vals)],
        "J_z": [{"M": t[0], "m1": t[1], "m2": t[2], "value": v} for t, v in zip(T, jz_vals)],
        "delta_J": [
            {
                "loop": "paper" if c[0] == "J" else "derived",
                "M": c[1],
                "m_H1": c[2],
                "m_H2": c[3],
                "m_A1": c[4],
                "m_A2": c[5],
                "value": v,
            }
            for c, v in zip(dj_cases, dj_vals)
        ],
        "fermion_radiated": [{"M1": c[0], "M2": c[1], "m_phi": c[2], "value": v} for c, v in zip(fer, i_vals)],
        "F2_tilde": [{"x": x, "value": v} for x, v in zip(xs, f2_vals)],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
