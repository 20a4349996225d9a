#!/usr/bin/env bash
# A build without MPI started by an MPI launcher as several processes refuses to run (it would
# run the same job N times, racing on one output) and writes nothing.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}"
fresh_work
if "$MICROREACH" --version | grep -q "MPI"; then
  echo "skipped: this build has MPI support (tests/mpi covers it)"
  exit 0
fi
# What Open MPI, Hydra/PMI and PMIx launchers put in each rank's environment.
for env in OMPI_COMM_WORLD_SIZE=4 PMI_SIZE=2 PMIX_RANK=3; do
  set +e
  env "$env" "$MICROREACH" -q generate --count 100 --out g.h5 > out.txt 2> err.txt
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$env: exit $rc, expected 2"
  grep -q "MPI support is not compiled in" err.txt || fail "$env: message: $(cat err.txt)"
  [ ! -e g.h5 ] || fail "$env: an output was written"
done
# One process under a launcher is just a run.
OMPI_COMM_WORLD_SIZE=1 "$MICROREACH" -q generate --count 100 --out one.h5
[ -s one.h5 ] || fail "a launcher's single process did not run"
if command -v mpirun > /dev/null; then
  set +e
  mpirun --oversubscribe --allow-run-as-root -np 2 "$MICROREACH" -q generate --count 100 \
    --out m.h5 > out.txt 2> err.txt
  rc=$?
  set -e
  [ "$rc" != 0 ] || fail "mpirun -np 2 of a build without MPI exited 0"
  grep -q "MPI support is not compiled in" err.txt || fail "mpirun -np 2: $(cat err.txt)"
  [ ! -e m.h5 ] || fail "mpirun -np 2 of a build without MPI wrote an output"
fi
echo "ok: a build without MPI refuses to run as several processes"
