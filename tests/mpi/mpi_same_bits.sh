#!/usr/bin/env bash
# Distributed runs give the serial run's files, bit for bit: simulate (with --keep-trials and
# --precision rounds), sweep, sensitivity, generate and score (--generate and from HDF5) under
# mpirun -np 1, 2, 3 and 4 (and 2 ranks x 2 threads) against the same binary run alone.
# Every dataset and attribute is compared (tests/mpi/compare_h5.py), provenance aside.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}" "${MPIEXEC:?}"
fresh_work

# 20,000 trials = 79 blocks: several stages of blocks per round on every rank count (the
# stages after the first split by each rank's measured speed, so the blocks each rank runs
# vary from run to run; the numbers must not).
sim=(simulate --budget 25000 --strategies macro,micro-even:20,micro-top --trials 20000
     --market-profiles 30000 --seed 5 --keep-trials)
prec=(simulate --budget 25000 --strategies macro,micro-even:20 --market-profiles 30000 --seed 6
      --trials 1000 --precision 0.02 --max-trials 6000)
sweep=(sweep --over micro-count=5..40:5 --trials 1500 --market-profiles 30000 --seed 7)
sens=(sensitivity --strategies macro,micro-even:20 --trials 600 --market-profiles 30000 --seed 8)
gen=(generate --count 50000 --seed 3 --chunk-size 4096)
score=(score --generate 50000 --seed 3 --chunk-size 4096 --niche fitness --top 10)

# The serial reference: the same executable started alone (no MPI launcher).
"$MICROREACH" -q --threads 1 "${sim[@]}" --out sim.h5 > sim.txt
"$MICROREACH" -q --threads 1 "${prec[@]}" --out prec.h5 > /dev/null
"$MICROREACH" -q --threads 1 "${sweep[@]}" --out sweep.h5 > /dev/null
"$MICROREACH" -q --threads 1 "${sens[@]}" --out sens.h5 > /dev/null
"$MICROREACH" -q --threads 1 "${gen[@]}" --out gen.h5
"$MICROREACH" -q --threads 1 "${score[@]}" --out score.h5 > score.txt
"$MICROREACH" -q --threads 1 score --in gen.h5 --chunk-size 1000 --niche fitness --top 10 --out rescore.h5 > rescore.txt

for np in 1 2 3 4; do
  mpi "$np" "$MICROREACH" -q --threads 1 "${sim[@]}" --out "sim$np.h5" > "sim$np.txt"
  same sim.h5 "sim$np.h5"
  # The terminal table (rank 0 prints it once) is the serial one, timings aside.
  diff <(grep -v " s\]\| s)\|trials/s\|^wrote" sim.txt) \
       <(grep -v " s\]\| s)\|trials/s\|^wrote" "sim$np.txt") \
    || fail "np=$np: simulate printed another table"
  mpi "$np" "$MICROREACH" -q --threads 1 "${prec[@]}" --out "prec$np.h5" > /dev/null
  same prec.h5 "prec$np.h5"
  mpi "$np" "$MICROREACH" -q --threads 1 "${sweep[@]}" --out "sweep$np.h5" > /dev/null
  same sweep.h5 "sweep$np.h5"
  mpi "$np" "$MICROREACH" -q --threads 1 "${sens[@]}" --out "sens$np.h5" > /dev/null
  same sens.h5 "sens$np.h5"
  mpi "$np" "$MICROREACH" -q --threads 1 "${gen[@]}" --out "gen$np.h5"
  same gen.h5 "gen$np.h5"
  mpi "$np" "$MICROREACH" -q --threads 1 "${score[@]}" --out "score$np.h5" > "score$np.txt"
  same score.h5 "score$np.h5"
  diff <(grep -v "^Scored\|^Wrote" score.txt) <(grep -v "^Scored\|^Wrote" "score$np.txt") \
    || fail "np=$np: score printed another summary or top-K"
  mpi "$np" "$MICROREACH" -q --threads 1 score --in gen.h5 --chunk-size 1000 --niche fitness \
    --top 10 --out "rescore$np.h5" > "rescore$np.txt"
  same rescore.h5 "rescore$np.h5"
  diff <(grep -v "^Scored\|^Wrote" rescore.txt) <(grep -v "^Scored\|^Wrote" "rescore$np.txt") \
    || fail "np=$np: score --in printed another summary"
  ls -A | grep -q '\.tmp-' && fail "np=$np left a temporary file"
done
# Threads inside ranks change nothing either.
mpi 2 "$MICROREACH" -q --threads 2 "${sim[@]}" --out sim2t.h5 > /dev/null
same sim.h5 sim2t.h5
mpi 2 "$MICROREACH" -q --threads 2 "${score[@]}" --out score2t.h5 > /dev/null
same score.h5 score2t.h5
# Compressed output (gzip: HDF5's collective writes of filtered chunks) holds the same data,
# filters and chunks as one process's; lz4 and zstd are refused with why: Debian's filter
# plugins are built for the serial HDF5 library only.
"$MICROREACH" -q --threads 1 "${gen[@]}" --compress gzip:1 --out genz.h5
"$MICROREACH" -q --threads 1 score --in genz.h5 --chunk-size 1000 --compress gzip:1 --top 3 \
  --out rescorez.h5 > /dev/null
for np in 2 3; do
  mpi "$np" "$MICROREACH" -q --threads 1 "${gen[@]}" --compress gzip:1 --out "genz$np.h5"
  same genz.h5 "genz$np.h5"
  mpi "$np" "$MICROREACH" -q --threads 1 score --in genz.h5 --chunk-size 1000 --compress gzip:1 \
    --top 3 --out "rescorez$np.h5" > /dev/null
  same rescorez.h5 "rescorez$np.h5"
done
set +e
mpi 2 "$MICROREACH" -q "${gen[@]}" --compress lz4 --out genlz4.h5 2> lz4.err
rc=$?
set -e
[ "$rc" = 2 ] || fail "--compress lz4 in the MPI build: exit $rc, expected 2"
grep -q "built with the MPI HDF5 library.*use gzip" lz4.err || { cat lz4.err; fail "lz4: no reason given"; }
[ ! -e genlz4.h5 ] || fail "--compress lz4: an output was written"
echo "ok: simulate, sweep, sensitivity, generate and score identical for np = 1..4"
