#!/usr/bin/python3
"""Feeds microreach many damaged copies of a valid HDF5 file (it must never crash).

    mutate_sweep.py MICROREACH BASE.h5 WORKDIR COUNT [SEED]

Each copy is BASE cut at a random length, or with bytes overwritten near the start (superblock,
object headers) or anywhere. `microreach score --in COPY --out OUT` must then either succeed or
refuse the file with exit code 3 and a message naming it; never crash, never leave OUT or a
temporary file after a failure. HDF5 1.10 itself can loop forever on some damaged global heaps
(a library bug we cannot fix); such a run must still stop on Ctrl-C (watchdog: forced exit after
0.75 s, plus the time to free what the library allocated), with exit code 130 and nothing left
behind - that is checked instead. Deterministic for a seed.
"""
import glob
import os
import random
import signal
import subprocess
import sys
import time


def main():
    micro, base, work, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 6
    deadline = float(os.environ.get("MICROREACH_SIGNAL_DEADLINE", "1.0"))
    # A run still going after this long is taken as the library looping on the damage (it may
    # also be growing its heap by gigabytes a second, so do not wait long).
    hang_after = float(os.environ.get("MUTATE_HANG_SECONDS", "3"))
    # Stopping such a run: the watchdog's forced exit (0.75 s) plus the kernel freeing the heap
    # the library grew meanwhile (up to a second for several GB).
    hang_deadline = deadline + 1.5
    os.makedirs(work, exist_ok=True)
    data = open(base, "rb").read()
    rng = random.Random(seed)
    tally = {"accepted": 0, "refused": 0, "library hang stopped by Ctrl-C": 0}
    failures = []
    for k in range(count):
        b = bytearray(data)
        kind = k % 3
        if kind == 0:
            b = b[: rng.randrange(len(b))]
        elif kind == 1:
            for _ in range(rng.randrange(1, 8)):
                b[rng.randrange(min(len(b), 8192))] = rng.randrange(256)
        else:
            for _ in range(rng.randrange(1, 32)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        path = os.path.join(work, "m%04d.h5" % k)
        out = os.path.join(work, "out%04d.h5" % k)
        with open(path, "wb") as f:
            f.write(b)
        p = subprocess.Popen([micro, "-q", "score", "--in", path, "--out", out, "--top", "0"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, err = p.communicate(timeout=hang_after)
            rc = p.returncode
            hung = False
        except subprocess.TimeoutExpired:
            t0 = time.monotonic()
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=30)
            rc = p.returncode
            hung = True
            if time.monotonic() - t0 > hang_deadline:
                failures.append("m%04d: Ctrl-C took %.2f s" % (k, time.monotonic() - t0))
        err = err.decode("utf-8", "replace")
        left = glob.glob(os.path.join(work, ".out%04d.h5.tmp-*" % k))
        if hung:
            if rc != 130:
                failures.append("m%04d: hung, then exit %d on Ctrl-C (expected 130)" % (k, rc))
            tally["library hang stopped by Ctrl-C"] += 1
        elif rc == 0:
            tally["accepted"] += 1
        elif rc == 3:
            tally["refused"] += 1
            if path not in err:
                failures.append("m%04d: message does not name the file: %s" % (k, err[:200]))
        else:
            failures.append("m%04d (kind %d): exit code %d: %s" % (k, kind, rc, err[:300]))
        if rc != 0 and os.path.exists(out):
            failures.append("m%04d: exit %d but %s was written" % (k, rc, out))
        if left:
            failures.append("m%04d: temporary file left: %s" % (k, left))
        ok = rc in (0, 3, 130) and not left and not (rc != 0 and os.path.exists(out))
        if ok and not any(f.startswith("m%04d" % k) for f in failures):
            for f in (path, out):
                if os.path.exists(f):
                    os.unlink(f)
    print("mutate_sweep: %d damaged copies of %s: %s" % (count, os.path.basename(base), tally))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
