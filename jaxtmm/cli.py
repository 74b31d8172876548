"""The ``jaxtmm`` command line: a thin layer over the Python API.

    jaxtmm evaluate POINT.toml [--json] [--loop derived|paper]
    jaxtmm evaluate --preset paper [--json] [--loop derived|paper]

Bad input ends with one line ``jaxtmm: error: ...`` on stderr and exit status 2, never a traceback.
"""

import argparse
import json
import sys

import numpy as np

EXIT_BAD_INPUT = 2


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jaxtmm")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="jaxtmm",
        description="Dark transition magnetic moments of Majorana neutrinos: physics, constraints, fits.",
    )
    ap.add_argument("--version", action="version", version=f"jaxtmm {_version()}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ev = sub.add_parser(
        "evaluate",
        help="every observable of one model point",
        description="Evaluate the transition moments, BR(mu -> e gamma) and (g-2) of one model point.",
    )
    src = ev.add_mutually_exclusive_group(required=True)
    src.add_argument("point", nargs="?", metavar="POINT.toml", help="point file (see docs/conventions.md)")
    src.add_argument("--preset", metavar="NAME", help="a shipped point: paper")
    ev.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    ev.add_argument(
        "--loop",
        choices=("derived", "paper"),
        default="derived",
        help="scalar loop numerator: derived (1-x-y, default) or paper (x+y, Eq. 2.19 as printed)",
    )
    return ap


def _fail(msg: str) -> int:
    print(f"jaxtmm: error: {msg}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _as_json(result: dict, loop: str, source: str) -> dict:
    out = {k: np.asarray(v).tolist() for k, v in result.items()}
    out["loop"] = loop
    out["point"] = source
    return out


def _table(result: dict, loop: str, source: str) -> str:
    mu = np.asarray(result["mu_ij_muB"])
    lines = [
        f"point: {source}    loop convention: {loop}",
        "",
        "dark transition moments mu_ij [mu_B]  (antisymmetric; i = row, j = column, mass states 1..3)",
    ]
    lines += ["   " + "  ".join(f"{v: .6e}" for v in row) for row in mu]
    rows = [
        ("mu_eff (solar mixture)", result["mu_eff_solar_muB"], "mu_B"),
        ("sum_a M_a Delta J_a", result["loop_sum_GeV_inv"], "GeV^-1"),
        ("BR(mu -> e gamma)", result["BR_mu_e_gamma"], ""),
        ("Delta a_mu", result["delta_a_mu"], ""),
        ("Delta a_e", result["delta_a_e"], ""),
    ]
    lines.append("")
    lines += [f"{name:<26} {float(v): .6e} {unit}".rstrip() for name, v, unit in rows]
    return "\n".join(lines)


def _evaluate(args) -> int:
    from jaxtmm.observables import evaluate
    from jaxtmm.pointfile import PointFileError, load_point, load_preset

    try:
        if args.preset is not None:
            point, source = load_preset(args.preset), f"preset {args.preset}"
        else:
            point, source = load_point(args.point), args.point
    except PointFileError as exc:
        return _fail(str(exc))
    result = evaluate(point, loop=args.loop)
    if args.json:
        print(json.dumps(_as_json(result, args.loop, source), indent=2))
    else:
        print(_table(result, args.loop, source))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    import jax

    jax.config.update("jax_enable_x64", True)  # an application may set global state; the library never does
    return {"evaluate": _evaluate}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
