"""Produce tests/data/darkphoton_reference.json: branching ratios of a standard dark photon by an independent
implementation of the DarkCast tables shipped in jaxtmm/vmd/ (read here as plain text, not through jaxtmm), in plain
Python: a hand-written bisection and linear interpolation, the hadronic R as the weighted sum of the tables (weights
from the U(3) traces of a dark photon, computed here from the quark charges), leptons and heavy quarks from the
tree-level formula. Run from the repository root: `python tests/make_reference_darkphoton.py`.
"""

import bisect
import json
import math
from pathlib import Path

TABLES = Path(__file__).parents[1] / "jaxtmm" / "vmd"
OUT = Path(__file__).parent / "data" / "darkphoton_reference.json"
ALPHA = 1.0 / 137.035999084
M_E, M_MU, M_TAU = 0.51099895e-3, 105.6583755e-3, 1.77686
Q = {"u": 2 / 3, "d": -1 / 3, "s": -1 / 3}
GEN = {"rho0": (0.5, -0.5, 0.0), "omega": (0.5, 0.5, 0.0), "phi": (0.0, 0.0, 1 / math.sqrt(2))}
PRE = {"rho0": 2.0, "omega": 6.0, "phi": 3.0 * math.sqrt(2)}


def coupling(meson):
    t = GEN[meson]
    return PRE[meson] * (t[0] * Q["u"] + t[1] * Q["d"] + t[2] * Q["s"])


def table(path):
    xs, ys = [], []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].split()
        if line:
            xs.append(float(line[0]))
            ys.append(float(line[1]))
    return xs, ys


def interp(x, xs, ys):
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    k = bisect.bisect_right(xs, x)
    t = (x - xs[k - 1]) / (xs[k] - xs[k - 1])
    return (1 - t) * ys[k - 1] + t * ys[k]


def R_had(m):
    total = 0.0
    for f in sorted(TABLES.glob("rf.*.dat")):
        mesons = f.name.split(".")[2].split("_")
        w = coupling(mesons[0]) ** 2 if len(mesons) == 1 else 2 * coupling(mesons[0]) * coupling(mesons[1])
        total += w * interp(m, *table(f))
    return total


def pair(m, mf, cq2=1.0):
    r = (mf / m) ** 2
    return cq2 * (1 + 2 * r) * math.sqrt(1 - 4 * r) if r < 0.25 else 0.0


def main():
    cases = []
    for m in (0.005, 0.1, 0.15, 0.3, 0.5, 0.7755, 0.79, 1.0, 1.0195, 1.2, 1.6, 1.99, 2.5, 4.0, 11.0):
        w = {
            "e_e": pair(m, M_E),
            "mu_mu": pair(m, M_MU),
            "tau_tau": pair(m, M_TAU),
            "hadrons": R_had(m),
            "c_c": pair(m, 1.5, 3 * (2 / 3) ** 2),
            "b_b": pair(m, 4.8, 3 * (1 / 3) ** 2),
        }
        tot = sum(w.values())
        cases.append(
            {
                "m": m,
                "R_hadrons": w["hadrons"],
                "BR": {k: v / tot for k, v in w.items()},
                "width_over_eps2": ALPHA * m / 3 * tot,
            }
        )
    OUT.write_text(json.dumps(cases, indent=1))


if __name__ == "__main__":
    main()
