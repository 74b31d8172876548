"""Produce tests/data/paper_convention_reference.json: what `jaxtmm evaluate --json --loop paper` printed before the
convention switch (commit 7319288), for the paper preset and random points, so that `--convention paper` can be
checked against it (tests/test_conventions.py).

Run from a checkout of commit 7319288 (``git worktree add /tmp/old 7319288``)::

    cd /tmp/old && PYTHONPATH=. python /path/to/tests/make_reference_paper_convention.py /path/to/tests/data
"""

import json
import sys
from pathlib import Path

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

from jaxtmm import load_preset, parse_point  # noqa: E402
from jaxtmm.report import evaluate  # noqa: E402


def random_point_text(rng) -> str:
    y = {k: [float(v) for v in rng.normal(0, 0.3, 2)] for k in ("y_e1", "y_e2", "y_mu1", "y_mu2")}
    m = 10 ** rng.uniform(-2, 0, 6)
    vals = dict(
        theta_R=float(rng.uniform(0, 3)),
        theta_I=float(rng.uniform(0, 3)),
        m_H1=m[0],
        m_H2=m[1],
        m_A1=m[2],
        m_A2=m[3],
        M1=m[4],
        M2=m[5],
        M_E=float(10 ** rng.uniform(2, 3.5)),
        m_Ap=float(10 ** rng.uniform(-3, 0)),
        g_D=float(rng.uniform(0.01, 1)),
        eps=float(10 ** rng.uniform(-6, -3)),
    )
    lines = [f"{k} = [{v[0]!r}, {v[1]!r}]" for k, v in y.items()] + [f"{k} = {float(v)!r}" for k, v in vals.items()]
    return "\n".join(lines) + "\n"


def main(out_dir: Path) -> None:
    rng = np.random.default_rng(20261125)
    cases = [{"point": None, "label": "preset paper"}]
    cases += [{"point": random_point_text(rng), "label": f"random {i}"} for i in range(6)]
    for c in cases:
        p = load_preset("paper") if c["point"] is None else parse_point(c["point"])
        r = evaluate(p, loop="paper")
        c["values"] = {k: np.asarray(v).tolist() for k, v in r.items()}
    (out_dir / "paper_convention_reference.json").write_text(json.dumps(cases, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
