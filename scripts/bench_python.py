#!/usr/bin/python3
"""Scoring a DataFrame from Python against the C++ library on the same rows and threads.

    /usr/bin/python3 scripts/bench_python.py [--rows 5000000] [--threads 2] [--build build]
        [--repeat 3] [--no-numpy]

Generates the rows with microreach.generate(), then times, best of --repeat:
  python      microreach.score(frame, niche="fitness", threads=T): reads the frame's NumPy
              buffers in place, allocates the 20 score columns, returns a DataFrame
  C++ columns bench_columns BM_ScoreColumns/T: the same library call from C++ (no Python)
  C++ kernel  bench_columns BM_ScoreInMemory/T: score_chunk over in-memory 16K-row chunks
              with outputs sized once and reused (the kernel alone)
  NumPy       the vectorised NumPy version of the formulas (scripts/bench_scoring.py), one
              thread, on the same arrays
and prints profiles/s and the Python figure as a share of each C++ figure. Needs a build with
-DMICROREACH_PYTHON=ON and the benchmarks (bench_columns).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from bench_common import best_of

HERE = os.path.dirname(os.path.abspath(__file__))


def cpp_figures(build, rows, threads, repeat):
    exe = os.path.join(build, "bench", "bench_columns")
    env = dict(os.environ, MICROREACH_BENCH_ROWS=str(rows))
    out = subprocess.run([exe, f"--benchmark_filter=/{threads}/real_time$",
                          f"--benchmark_repetitions={repeat}", "--benchmark_format=json",
                          "--benchmark_min_time=0.5"],
                         env=env, check=True, capture_output=True, text=True).stdout
    best = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["name"].split("/")[0]
        best[name] = max(best.get(name, 0.0), b["items_per_second"])
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-numpy", action="store_true")
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.build, "python"))
    sys.path.insert(0, HERE)
    import microreach as mr

    t = time.perf_counter()
    df = mr.generate(a.rows, seed=1, threads=a.threads)
    df = df.drop(columns=["handle", "country"])
    print(f"generated {a.rows:,} rows in {time.perf_counter() - t:.2f} s "
          f"({a.threads} threads)")
    mr.score(df.head(1000), niche="fitness", threads=a.threads)  # warm-up (arena, imports)
    result = {}

    def run_python():
        result["scores"] = mr.score(df, niche="fitness", threads=a.threads)
    t_py = best_of(a.repeat, run_python)
    py_rate = a.rows / t_py
    cpp = cpp_figures(a.build, a.rows, a.threads, a.repeat)

    print(f"\nScoring {a.rows:,} profiles for niche fitness, {a.threads} thread(s), best of "
          f"{a.repeat}:")
    print(f"  {'microreach.score(DataFrame)':34s} {py_rate / 1e6:7.2f}M profiles/s "
          f"({t_py:.3f} s)")
    for name, label in [("BM_ScoreColumns", "C++ score_columns (same call)"),
                        ("BM_ScoreInMemory", "C++ score_chunk, in-memory chunks")]:
        if name in cpp:
            print(f"  {label:34s} {cpp[name] / 1e6:7.2f}M profiles/s   "
                  f"Python = {100 * py_rate / cpp[name]:.0f} % of it")
    if not a.no_numpy:
        import bench_scoring as ref
        d = {c: df[c].to_numpy() for c in df.columns if df[c].dtype == np.float64}
        d["platform"] = np.asarray(df["platform"].cat.codes).view(np.uint8)
        d["niche"] = np.asarray(df["niche"].cat.codes).view(np.uint8)
        rel = ref.relevance_fitness()
        t_np = best_of(1, lambda: result.__setitem__("numpy", ref.score(d, rel)))
        diff = np.nanmax(np.abs(result["numpy"]["score"] - result["scores"]["score"].to_numpy()))
        print(f"  {'NumPy, same formulas (1 thread)':34s} {a.rows / t_np / 1e6:7.2f}M profiles/s "
              f"({t_np:.3f} s); Python module {t_np / t_py:.1f}x faster; "
              f"largest score difference {diff:.2g}")


if __name__ == "__main__":
    main()
