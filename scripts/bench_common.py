"""Shared by the benchmark scripts (run from this folder, so `import bench_common` finds it)."""
import time


def best_of(repeat, fn):
    """The fastest of `repeat` runs of fn(), in seconds (wall clock)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)
