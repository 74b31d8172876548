"""Compare the outputs benchmarks/same_results.sh made with an old commit and the working tree: scan rows exactly
(scan.json) and scan.csv byte for byte; every posterior variable, log-likelihood and sampler statistic of
posterior.nc exactly; fit.json's entries but the timings, versions and dates. Exit status 1 on any difference."""

import filecmp
import json
import sys
from pathlib import Path

import arviz as az
import numpy as np

TIMINGS = {"wall_time_s", "min_ess_bulk_per_s", "created_utc", "versions", "configuration"}


def _strip(x):
    """A record with every timing removed (nested sampling records each run's wall time)."""
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items() if k not in TIMINGS}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def main(work: Path) -> int:
    same = True
    for job in ("scan", "global"):
        a = json.loads((work / f"old-{job}/scan.json").read_text())["rows"]
        b = json.loads((work / f"new-{job}/scan.json").read_text())["rows"]
        csv = filecmp.cmp(work / f"old-{job}/scan.csv", work / f"new-{job}/scan.csv", shallow=False)
        print(f"{job}: {len(a)} rows, scan.json rows identical: {a == b}, scan.csv byte-identical: {csv}")
        same &= a == b and csv
    for job in ("nuts", "nested"):
        pa, pb = az.from_netcdf(work / f"old-{job}/posterior.nc"), az.from_netcdf(work / f"new-{job}/posterior.nc")
        n, differ = 0, []
        for group in ("posterior", "log_likelihood", "sample_stats"):
            if not hasattr(pa, group):
                continue
            A, B = getattr(pa, group), getattr(pb, group)
            differ += [f"{group}: {v}" for v in set(A.data_vars) ^ set(B.data_vars)]
            for v in set(A.data_vars) & set(B.data_vars):
                n += 1
                if not np.array_equal(np.asarray(A[v]), np.asarray(B[v]), equal_nan=True):
                    differ.append(f"{group}.{v}")
        fa = _strip(json.loads((work / f"old-{job}/fit.json").read_text()))
        fb = _strip(json.loads((work / f"new-{job}/fit.json").read_text()))
        keys = sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))
        print(f"{job}: posterior.nc {n} variables identical: {not differ} {differ or ''}; fit.json differs in: {keys}")
        same &= not differ and not keys
    print("same results" if same else "DIFFERENT results")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
