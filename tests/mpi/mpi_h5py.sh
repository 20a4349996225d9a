#!/usr/bin/env bash
# The parallel-read example of docs/scale.md (docs/examples/read_scores_mpi.py): h5py's mpio
# driver (Debian python3-h5py-mpi) on 1-3 ranks reads a score file written by 2 ranks and counts
# what a serial h5py read counts.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}" "${MPIEXEC:?}"
fresh_work

"$MICROREACH" -q generate --count 30000 --seed 3 --chunk-size 4096 --out p.h5
mpi 2 "$MICROREACH" -q --threads 1 score --in p.h5 --chunk-size 4096 --out s.h5 > /dev/null
want=$("$PYTHON" - <<'PY'
import h5py
with h5py.File("s.h5", "r") as f:
    s, t = f["scores/score"][()], f["scores/tier"][()]
print(f"{int(((t == 2) & (s > 60)).sum())} micro accounts score above 60 of {len(s)}")
PY
)
for np in 1 2 3; do
  got=$(mpi "$np" "$PYTHON" "$SRC/docs/examples/read_scores_mpi.py" s.h5)
  [ "$got" = "$want" ] || fail "np $np: '$got', expected '$want'"
done
echo "ok: $want (np 1-3)"
