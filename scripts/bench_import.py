#!/usr/bin/python3
"""Import throughput: microreach vs pandas.read_csv vs DuckDB on one generated numeric export.

Generates a ~420 MB, 5M-row numeric influencer export (bench_import --write-csv), then times,
on the same file with a warm page cache:
  * microreach parse-and-convert to columns (bench_import BM_ImportParse/threads:N, no output)
  * microreach import data.csv --out data.h5 (CSV -> HDF5, the command a user runs)
  * pandas.read_csv(data.csv) (the C parser; pyarrow's if installed, as an extra line)
  * DuckDB read_csv through node and the @duckdb/node-api package, summing every column and
    materialising the table (only when `node` and `npm` are there; installed into the scratch
    directory, never into the repository; skipped with a note otherwise)
and prints MB/s and the ratios. Also prints the load average: on a shared machine wall-clock
figures drop with the load; bench_import's MB_per_cpu_s does not.

Usage: /usr/bin/python3 scripts/bench_import.py --build build [--rows 5000000] [--threads 2]
       [--scratch /tmp/microreach-bench-import] [--repeat 3] [--no-duckdb]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

from bench_common import best_of


def run(cmd, env=None, capture=True):
    return subprocess.run(cmd, env=env, check=True, text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.PIPE if capture else None)


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


DUCKDB_JS = r"""
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const [path, threads, repeat] = [process.argv[2], process.argv[3], +process.argv[4]];
  const inst = await DuckDBInstance.create(':memory:', { threads: threads });
  const con = await inst.connect();
  const cols = (await (await con.runAndReadAll(
      `SELECT column_name FROM (DESCRIBE SELECT * FROM read_csv('${path}'))`)).getRows())
      .map(r => r[0]);
  const sums = cols.map(c => `sum("${c}")`).join(', ');
  const best = async (sql) => {
    let b = Infinity;
    for (let i = 0; i < repeat; ++i) {
      await con.run('DROP TABLE IF EXISTS t');
      const t0 = process.hrtime.bigint();
      await con.run(sql);
      b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return b;
  };
  const sum = await best(`SELECT ${sums} FROM read_csv('${path}')`);
  const table = await best(`CREATE TABLE t AS SELECT * FROM read_csv('${path}')`);
  console.log(JSON.stringify({ sum, table }));
})().catch(e => { console.error(String(e)); process.exit(1); });
"""


def duckdb_times(path, scratch, threads, repeat):
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None, "node/npm not found"
    nd = os.path.join(scratch, "node")
    os.makedirs(nd, exist_ok=True)
    if not os.path.isdir(os.path.join(nd, "node_modules", "@duckdb", "node-api")):
        try:
            if not os.path.exists(os.path.join(nd, "package.json")):
                subprocess.run([npm, "init", "-y"], cwd=nd, check=True, capture_output=True)
            subprocess.run([npm, "install", "--no-audit", "--no-fund", "@duckdb/node-api"],
                           cwd=nd, check=True, capture_output=True, text=True, timeout=600)
        except (subprocess.SubprocessError, OSError) as e:
            return None, f"npm install @duckdb/node-api failed: {e}"
    js = os.path.join(nd, "bench.js")
    with open(js, "w") as f:
        f.write(DUCKDB_JS)
    try:
        out = subprocess.run([node, js, path, str(threads), str(repeat)], cwd=nd, check=True,
                             capture_output=True, text=True, timeout=1800).stdout
        return json.loads(out.strip().splitlines()[-1]), None
    except (subprocess.SubprocessError, ValueError) as e:
        return None, f"duckdb run failed: {e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="CMake build directory")
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scratch", default="/tmp/microreach-bench-import")
    ap.add_argument("--no-duckdb", action="store_true")
    a = ap.parse_args()

    mr = os.path.join(a.build, "microreach")
    bench = os.path.join(a.build, "bench", "bench_import")
    for p in (mr, bench):
        if not os.access(p, os.X_OK):
            sys.exit(f"bench_import.py: {p} not found: build first (cmake --build {a.build})")
    os.makedirs(a.scratch, exist_ok=True)
    data = os.path.join(a.scratch, f"numeric_{a.rows}.csv")
    if not os.path.exists(data):
        print(f"generating {data} ...", flush=True)
        run([bench, f"--write-csv={data}", f"--rows={a.rows}"])
    size = os.path.getsize(data)
    mb = size / 1e6
    warm(data)
    load = os.getloadavg()
    print(f"file: {data}: {a.rows} rows, {mb:.1f} MB; {a.threads} threads; "
          f"load average {load[0]:.2f} on {os.cpu_count()} cores")

    results = []  # (name, seconds)

    # 1. parse-and-convert to columns (no output), from bench_import.
    env = dict(os.environ, MICROREACH_BENCH_CSV=data)
    out = run([bench, f"--benchmark_filter=BM_ImportParse/threads:{a.threads}/",
               f"--benchmark_repetitions={a.repeat}", "--benchmark_format=json",
               "--benchmark_min_time=0.01"], env=env).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    parse_s = min(b["real_time"] for b in runs) / 1e3  # ms -> s
    cpu_mbps = max(b["MB_per_cpu_s"] for b in runs)
    results.append(("microreach parse+convert to columns", parse_s))

    # 2. microreach import (CSV -> HDF5), the user's command.
    h5 = os.path.join(a.scratch, "import.h5")

    def do_import():
        run([mr, "-q", "--threads", str(a.threads), "import", data, "--out", h5])

    imp_s = best_of(a.repeat, do_import)
    os.remove(h5)
    results.append(("microreach import CSV -> HDF5", imp_s))

    # 3. pandas.
    import pandas as pd
    pd_s = best_of(a.repeat, lambda: pd.read_csv(data))
    results.append((f"pandas {pd.__version__} read_csv (C engine)", pd_s))
    try:
        import pyarrow  # noqa: F401
        results.append(("pandas read_csv(engine='pyarrow')",
                        best_of(a.repeat, lambda: pd.read_csv(data, engine="pyarrow"))))
    except ImportError:
        pass

    # 4. DuckDB.
    if not a.no_duckdb:
        d, why = duckdb_times(data, a.scratch, a.threads, a.repeat)
        if d:
            results.append(("DuckDB read_csv, sum of every column", d["sum"]))
            results.append(("DuckDB read_csv, CREATE TABLE (materialised)", d["table"]))
        else:
            print(f"DuckDB skipped: {why}")

    print()
    print(f"{'':48s} {'seconds':>8s} {'MB/s':>8s} {'x pandas':>9s}")
    for name, s in results:
        print(f"{name:48s} {s:8.3f} {mb / s:8.1f} {pd_s / s:9.2f}")
    print(f"\nmicroreach parse+convert per CPU second (all threads): {cpu_mbps:.0f} MB/s")
    targets = [("parse+convert >= 700 MB/s", mb / parse_s >= 700),
               ("CSV -> HDF5 >= 400 MB/s", mb / imp_s >= 400),
               ("parse+convert >= 5x pandas", pd_s / parse_s >= 5)]
    for t, ok in targets:
        print(f"target {t}: {'met' if ok else 'NOT met'}")
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
