#!/usr/bin/env bash
# Strong and weak scaling of distributed runs (docs/scale.md), 1 thread per rank:
#   strong: the same job on 1 and 2 ranks (score --generate N printing its summary and top K,
#           score --generate N/10 writing its scores file, simulate T trials, and import of a
#           CSV export of N/40 generated profiles);
#   weak:   N or T per rank, on 1 and 2 ranks (ideal: the same time);
#   ceiling: the same job as two independent one-process runs at once, one per core, against
#           one alone: the throughput the machine gives two busy cores for this job, the
#           most 2 ranks can reach here (a VM's cores slow each other down).
#   scripts/bench_scale.sh [build-dir-with-MPI]   (default build-mpi; -DMICROREACH_MPI=ON)
# Prints seconds (best of 3) and the speed-up; the files are checked identical to the 1-rank run.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-mpi}"
exe="$build/microreach"
"$exe" --version | grep -q MPI || { echo "$exe was built without MPI (-DMICROREACH_MPI=ON)" >&2; exit 2; }
PROFILES="${PROFILES:-40000000}"
TRIALS="${TRIALS:-400000}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# mpi NP CMD...: CMD on NP ranks; NP = c0 or c1: one process without mpirun, pinned to that core.
mpi() {
  local np=$1; shift
  case $np in
    c0) taskset -c 0 "$@" ;;
    c1) taskset -c 1 "$@" ;;
    *) mpirun --oversubscribe --allow-run-as-root --bind-to core -np "$np" "$@" ;;
  esac
}
pair() { local job=$1 n=$2; "$job" c0 "$n" & "$job" c1 "$n"; wait $!; }  # both cores at once
best_of_3() {  # seconds of the fastest of three runs of "$@"
  local best=""
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    best=$(echo "$t0 $t1 ${best:-1e9}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$best"
}
# score: the summary and top K (the rows scored and merged, nothing written); score_out: the
# scores file too, written collectively into one file.
score() {
  local np=$1 n=$2
  mpi "$np" "$exe" -q --threads 1 score --generate "$n" --seed 1 --top 10 > "$work/t$np.txt"
}
score_out() { local np=$1 n=$2; mpi "$np" "$exe" -q --threads 1 score --generate "$n" --seed 1 --top 10 --out "$work/s$np.h5"; }
# import: a CSV export of n generated profiles, made once per size.
import() {
  local np=$1 n=$2 csv="$work/export$2.csv"
  if [ ! -f "$csv" ]; then
    "$exe" -q generate --count "$n" --seed 1 --out "$work/export$n.h5"
    "$exe" -q export "$work/export$n.h5" --csv "$csv"
  fi
  mpi "$np" "$exe" -q --threads 1 import "$csv" --out "$work/i$np.h5"
}
simulate() { local np=$1 t=$2; mpi "$np" "$exe" -q --threads 1 simulate --trials "$t" --seed 1 --market-profiles 50000 --out "$work/m$np.h5"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
for job in score score_out simulate import; do
  n=$PROFILES
  case $job in score_out) n=$((PROFILES / 10)) ;; simulate) n=$TRIALS ;; import) n=$((PROFILES / 40)) ;; esac
  t1=$(best_of_3 $job 1 "$n")
  t2=$(best_of_3 $job 2 "$n")
  if [ "$job" = score ]; then
    diff -q <(grep -v "^Scored" "$work/t1.txt") <(grep -v "^Scored" "$work/t2.txt") > /dev/null \
      || { echo "FAIL: 2 ranks printed another summary than 1" >&2; exit 1; }
  else
    f=s; [ "$job" = simulate ] && f=m; [ "$job" = import ] && f=i  # the job's output files
    /usr/bin/python3 tests/mpi/compare_h5.py "$work/${f}1.h5" "$work/${f}2.h5" \
      || { echo "FAIL: 2 ranks wrote another file than 1" >&2; exit 1; }
  fi
  w2=$(best_of_3 $job 2 "$((2 * n))")
  echo "$job strong ($n): 1 rank ${t1} s, 2 ranks ${t2} s, speed-up $(echo "$t1 $t2" | awk '{printf "%.2f", $1/$2}')x"
  echo "$job weak ($n per rank): 1 rank ${t1} s, 2 ranks x 2n ${w2} s, efficiency $(echo "$t1 $w2" | awk '{printf "%.0f%%", 100*$1/$2}')"
  a=$(best_of_3 $job c0 "$n")
  p=$(best_of_3 pair $job "$n")
  echo "$job ceiling: one process alone ${a} s, two at once ${p} s, throughput $(echo "$a $p" | awk '{printf "%.2f", 2*$1/$2}')x"
done
