# mpirun -np 4 /usr/bin/python3 docs/examples/read_scores_mpi.py scores.h5
# (tests/mpi/mpi_h5py.sh runs it against a serial count)
import sys
from mpi4py import MPI
import h5py  # Debian: /usr/bin/python3 with python3-h5py-mpi picks the MPI build

comm = MPI.COMM_WORLD
with h5py.File(sys.argv[1], "r", driver="mpio", comm=comm) as f:
    score = f["scores/score"]
    n = score.shape[0]
    lo, hi = comm.rank * n // comm.size, (comm.rank + 1) * n // comm.size
    mine = score[lo:hi]                       # each rank reads only its rows
    tier = f["scores/tier"][lo:hi]
    micro = int(((tier == 2) & (mine > 60)).sum())
total = comm.reduce(micro, op=MPI.SUM, root=0)   # integers: any order gives the same sum
if comm.rank == 0:
    print(f"{total} micro accounts score above 60 of {n}")
