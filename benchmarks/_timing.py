"""Timing helper shared by the benchmarks."""

import time


def best_of(fn, repeats: int = 5) -> float:
    """Best wall time of ``fn()`` over ``repeats`` calls (``fn`` blocks until its result is ready)."""
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)
