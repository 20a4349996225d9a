#!/usr/bin/python3
"""Follower classification throughput: `microreach audit` (C++, TBB blocks over TableReader)
against a NumPy/pandas version of the same classification, on the same CSV, in one run.

    /usr/bin/python3 scripts/audit_numpy.py [--rows 10000000] [--build build] [--keep FILE]

Writes a synthetic follower list (username, followers, following, posts,
has_profile_picture, is_private; seeded NumPy generator), then times
  * microreach audit FILE --model M --out audit.h5   (read, classify, write probabilities)
  * pandas.read_csv (C engine) + the model's formula in NumPy + h5py write,
checks that both flag the same followers and give the same probabilities (to 1e-12), and
prints rows/s and the ratio. The model is read from data/models/follower-default.toml (the
built-in default), so the two sides use the same coefficients.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import tomllib

import h5py
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
BOOL = {"has_profile_picture", "is_private"}
LOG1P = {"followers", "following", "posts", "bio_length"}


def make_followers(path, rows, seed=7):
    """A synthetic follower list in the shape of the public sets (a quarter are bots)."""
    rng = np.random.default_rng(seed)
    bot = rng.random(rows) < 0.25
    followers = np.floor(np.where(bot, rng.lognormal(3.5, 1.2, rows), rng.lognormal(6.0, 1.3, rows)))
    following = np.floor(np.minimum(7500, np.where(bot, rng.lognormal(7.3, 0.6, rows),
                                                    rng.lognormal(6.2, 0.9, rows))))
    posts = np.floor(np.where(bot, rng.lognormal(0.5, 1.0, rows), rng.lognormal(4.0, 1.2, rows)))
    pic = np.where(rng.random(rows) < np.where(bot, 0.7, 0.99), "TRUE", "FALSE")
    private = np.where(rng.random(rows) < 0.25, "TRUE", "FALSE")
    digits = np.where(bot, rng.integers(0, 100000, rows), rng.integers(0, 100, rows))
    names = np.char.add(np.where(bot, "u", "anna.b"), digits.astype(str))
    df = pd.DataFrame({"username": names, "followers": followers.astype(np.int64),
                       "following": following.astype(np.int64), "posts": posts.astype(np.int64),
                       "has_profile_picture": pic, "is_private": private})
    df.to_csv(path, index=False)


def load_model(path):
    with open(path, "rb") as f:
        m = tomllib.load(f)
    assert m["format"] == "microreach.follower-model", m.get("format")
    return m


def username_signals(names):
    """Digits and UTF-8 characters per username, vectorised over a fixed-width byte array."""
    b = np.char.encode(names.astype(str), "utf-8")
    width = b.dtype.itemsize
    u8 = np.frombuffer(b.tobytes(), dtype=np.uint8).reshape(len(b), width)
    digits = ((u8 >= 48) & (u8 <= 57)).sum(axis=1).astype(np.float64)
    length = ((u8 != 0) & ((u8 & 0xC0) != 0x80)).sum(axis=1).astype(np.float64)
    return digits, length


def classify(df, m):
    """P(fake) and the flag, exactly as LogisticModel::probability (docs/model.md)."""
    raw = {}
    for name in ("followers", "following", "posts", "bio_length"):
        if name in df:
            raw[name] = df[name].to_numpy(dtype=np.float64)
    for name in BOOL:
        if name in df:
            col = df[name]
            raw[name] = (col.astype(str).str.upper() == "TRUE").to_numpy(np.float64) \
                if col.dtype == object else col.to_numpy(np.float64)
    if "username" in df:
        raw["username_digits"], raw["username_length"] = username_signals(df["username"].to_numpy())
    eta = np.full(len(df), m["classifier"]["intercept"])
    for t in m["feature"]:
        x = raw[t["name"]]
        v = np.log1p(x) if t["transform"] == "log1p" else x
        if t["power"] == 2:
            v = v * v
        z = (v - t["mean"]) / t["sd"]
        eta += t["coefficient"] * np.where(np.isnan(z), 0.0, z)
    p = 1.0 / (1.0 + np.exp(-eta))
    return p, p >= m["classifier"]["threshold"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--model", default=os.path.join(SRC, "data", "models", "follower-default.toml"))
    ap.add_argument("--keep", help="reuse/keep the follower CSV at this path")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    exe = os.path.join(a.build, "microreach")
    if not os.path.exists(exe):
        sys.exit(f"{exe} not found: build first or pass --build")
    tmp = tempfile.mkdtemp(prefix="audit_bench_")
    csv = a.keep or os.path.join(tmp, "followers.csv")
    if not os.path.exists(csv):
        t = time.perf_counter()
        make_followers(csv, a.rows)
        print(f"wrote {a.rows:,} followers to {csv} ({os.path.getsize(csv) / 1e6:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    size = os.path.getsize(csv)
    m = load_model(a.model)

    out = os.path.join(tmp, "audit.h5")
    t = time.perf_counter()
    subprocess.run([exe, "-q", "-j", str(a.threads), "audit", csv, "--model", a.model, "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    t_cpp = time.perf_counter() - t

    t = time.perf_counter()
    df = pd.read_csv(csv, dtype={"username": str})
    t_read = time.perf_counter() - t
    p, flag = classify(df, m)
    t_cls = time.perf_counter() - t - t_read
    out_np = os.path.join(tmp, "audit_numpy.h5")
    with h5py.File(out_np, "w") as f:
        f["followers/probability"] = p
        f["followers/flagged"] = flag.astype(np.uint8)
    t_np = time.perf_counter() - t

    with h5py.File(out, "r") as f:
        p_cpp = f["followers/probability"][:]
        flagged_cpp = int(f["audit"].attrs["flagged"])
    n = len(df)
    assert len(p_cpp) == n, (len(p_cpp), n)
    diff = float(np.max(np.abs(p_cpp - p)))
    assert diff < 1e-12, f"probabilities differ by {diff}"
    assert flagged_cpp == int(flag.sum()), (flagged_cpp, int(flag.sum()))

    print(f"rows {n:,} ({size / 1e6:.0f} MB CSV), flagged {flagged_cpp:,}, max |dp| {diff:.1e}")
    print(f"microreach audit (read + classify + HDF5): {t_cpp:7.2f} s  {n / t_cpp / 1e6:6.2f} M rows/s  "
          f"{size / t_cpp / 1e6:6.0f} MB/s")
    print(f"pandas + NumPy   (read + classify + HDF5): {t_np:7.2f} s  {n / t_np / 1e6:6.2f} M rows/s  "
          f"(read_csv {t_read:.2f} s, classify {t_cls:.2f} s)")
    print(f"ratio: microreach is {t_np / t_cpp:.1f}x the pandas/NumPy throughput")
    if not a.keep:
        os.remove(csv)
    for f_ in (out, out_np):
        os.remove(f_)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
