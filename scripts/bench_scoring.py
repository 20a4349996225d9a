#!/usr/bin/python3
"""Scoring throughput: microreach (C++/TBB) against a vectorised NumPy version of the same
score_chunk formulas, on the same synthetic rows, in one run.

    /usr/bin/python3 scripts/bench_scoring.py [--rows 2000000] [--build build]

Writes the profiles with `microreach generate`, times `microreach score --in` (read HDF5,
score, write HDF5) and the NumPy pipeline (h5py read, score, h5py write), checks that both
give the same scores, and prints profiles/s and the ratio. It also runs bench_scoring for the
in-memory hot loop (BM_ScoreChunk) against NumPy on arrays already in memory.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

PLATFORMS = ["instagram", "tiktok", "youtube", "x", "facebook", "blog"]


def instagram_points(scale):
    fs = np.array([500.0, 3162.3, 31623.0, 3162278.0])
    likes = np.array([0.08, 0.04, 0.024, 0.017]) * scale
    comments = 0.005 * (fs / 1000.0) ** -0.2742 * scale
    return fs, likes, comments


BENCH = [instagram_points(1.0),
         (np.array([3162.3, 31623.0, 316228.0, 3162278.0]), np.array([0.11, 0.12, 0.13, 0.14]),
          np.array([0.004, 0.0038, 0.0035, 0.003])),
         instagram_points(0.6), instagram_points(0.3), instagram_points(0.3), instagram_points(0.5)]
TIER_LOWER = np.array([1e3, 1e4, 1e5, 5e5, 1e6])
REACH = np.array([0.30, 0.30, 0.22, 0.15, 0.10, 0.07])
PRICE_FACTOR = np.array([1.0, 0.8, 2.0, 0.5, 0.7, 1.2])
W = dict(engagement=0.30, authenticity=0.25, relevance=0.20, cost=0.15, responsiveness=0.10)


def bench_rates(F, platform):
    like = np.empty_like(F)
    comment = np.empty_like(F)
    lF = np.log(F)
    for p, (fs, lk, cm) in enumerate(BENCH):
        m = platform == p
        like[m] = np.exp(np.interp(lF[m], np.log(fs), np.log(lk)))
        comment[m] = np.exp(np.interp(lF[m], np.log(fs), np.log(cm)))
    return like, comment


def clamp01(x):
    return np.clip(x, 0.0, 1.0)


def score(d, relevance_row):
    """The score_chunk formulas of docs/model.md, vectorised. Inputs have no missing values
    except fake_follower_share (synthetic data), as the generator writes them."""
    F = d["followers"]
    plat = d["platform"].astype(np.int64)
    like_b, comment_b = bench_rates(F, plat)
    eng = d["avg_likes"] + d["avg_comments"] + d["avg_shares"]
    er = eng / F
    bench = like_b + comment_b
    ratio = er / bench
    c_eng = np.minimum(ratio, 3.0) / 3.0
    # fake share from signals
    keep = np.full_like(F, 0.95)
    s1 = clamp01(np.log10(np.maximum(d["following"], 1.0) / F) / 0.5)
    keep *= 1 - 0.6 * s1
    norm = comment_b / like_b
    likes = d["avg_likes"]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.maximum(d["avg_comments"] / likes, 1e-6) / norm
        s2 = np.where(likes > 0, clamp01((-np.log10(q) - 0.3) / 0.7), 0.0)
    keep *= 1 - 0.5 * s2
    s3 = clamp01((-np.log10(np.maximum(ratio, 1e-6)) - 0.3) / 0.7)
    keep *= 1 - 0.6 * s3
    s4 = clamp01((d["follower_growth_30d"] - 0.10) / 0.30)
    keep *= 1 - 0.5 * s4
    fake = 1 - keep
    known = ~np.isnan(d["fake_follower_share"])
    fake = np.where(known, d["fake_follower_share"], fake)
    c_auth = 1 - fake
    niche = d["niche"].astype(np.int64)
    c_rel = relevance_row[np.minimum(niche, len(relevance_row) - 1)]
    c_resp = clamp01(d["reply_rate"])
    price = d["price_per_post"]
    credible = np.minimum(eng, 3.0 * bench * F) * (1 - fake)
    with np.errstate(divide="ignore"):
        c_cost = np.where(credible > 0, clamp01((np.log(credible / price) - np.log(0.3)) / (np.log(30) - np.log(0.3))), 0.0)
    tier = np.searchsorted(TIER_LOWER, F, side="right")
    reach = F * (1 - fake) * REACH[tier]
    total = sum(W.values())
    s = 100 * (W["engagement"] * c_eng + W["authenticity"] * c_auth + W["relevance"] * c_rel +
               W["cost"] * c_cost + W["responsiveness"] * c_resp) / total
    return dict(score=s, engagement=c_eng, authenticity=c_auth, relevance=c_rel, cost_efficiency=c_cost,
                responsiveness=c_resp, tier=tier.astype(np.uint8), engagement_rate=er, expected_reach=reach,
                cpm=price / reach * 1000, cpe=price / credible, price=price)


COLUMNS = ["followers", "following", "avg_likes", "avg_comments", "avg_shares", "reply_rate",
           "fake_follower_share", "follower_growth_30d", "price_per_post", "platform", "niche"]


def relevance_fitness():
    # fitness campaign: fitness 1, sports .6, food .3, lifestyle .4, others .1 (default table)
    names = ["fashion", "beauty", "fitness", "sports", "food", "travel", "tech", "gaming", "parenting",
             "finance", "home", "pets", "music", "lifestyle", "entertainment", "other"]
    row = np.full(17, 0.1)
    row[names.index("fitness")] = 1.0
    row[names.index("sports")] = 0.6
    row[names.index("food")] = 0.3
    row[names.index("lifestyle")] = 0.4
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    exe = os.path.join(args.build, "microreach")
    with tempfile.TemporaryDirectory() as tmp:
        prof = os.path.join(tmp, "profiles.h5")
        subprocess.run([exe, "-q", "generate", "--count", str(args.rows), "--seed", "1", "--out", prof], check=True)
        out = os.path.join(tmp, "scores.h5")
        t0 = time.perf_counter()
        subprocess.run([exe, "-q", "score", "--in", prof, "--niche", "fitness", "--top", "0", "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        t_cpp = time.perf_counter() - t0

        # The same work as `microreach score --out`: read every profile column (strings
        # included), score, write a self-contained file with /profiles and /scores.
        t0 = time.perf_counter()
        with h5py.File(prof, "r") as f:
            d = {c: f["profiles/" + c][...] for c in f["profiles"]}
        t_read = time.perf_counter() - t0
        t1 = time.perf_counter()
        c1 = time.process_time()
        res = score(d, relevance_fitness())
        t_score = time.perf_counter() - t1
        # CPU time of the scoring (NumPy runs it on one thread): what Google Benchmark's CPU
        # column measures for BM_ScoreChunk, so the ratio holds on a machine shared with
        # other jobs, where wall time measures the contention.
        c_score = time.process_time() - c1
        t2 = time.perf_counter()
        with h5py.File(os.path.join(tmp, "numpy_scores.h5"), "w") as f:
            for k, v in d.items():
                f.create_dataset("profiles/" + k, data=v, chunks=(16384,), maxshape=(None,))
            for k, v in res.items():
                f.create_dataset("scores/" + k, data=v, chunks=(16384,), maxshape=(None,))
        t_write = time.perf_counter() - t2
        t_np = time.perf_counter() - t0

        with h5py.File(out, "r") as f:
            cpp = f["scores/score"][...]
            tier = f["scores/tier"][...]
        diff = np.nanmax(np.abs(cpp - res["score"]))
        tiers_equal = bool(np.array_equal(tier, res["tier"]))

    print(f"rows: {args.rows:,}")
    print(f"microreach score (HDF5 in -> score -> HDF5 out): {t_cpp:.3f} s = {args.rows / t_cpp / 1e6:.2f}M profiles/s")
    print(f"NumPy+h5py, same work (read {t_read:.2f} s, score {t_score:.2f} s, write {t_write:.2f} s): {t_np:.3f} s = "
          f"{args.rows / t_np / 1e6:.2f}M profiles/s")
    print(f"end-to-end ratio microreach/NumPy: {t_np / t_cpp:.1f}x")
    print(f"NumPy in-memory scoring alone: {args.rows / t_score / 1e6:.2f}M profiles/s wall, "
          f"{args.rows / c_score / 1e6:.2f}M profiles/s per CPU second")
    print(f"max |score difference| = {diff:.2e} points; tiers identical: {tiers_equal}")
    bench = os.path.join(args.build, "bench", "bench_scoring")
    if os.path.exists(bench):
        r = subprocess.run([bench, "--benchmark_filter=BM_ScoreChunk/(4096|262144)|BM_Generate|BM_Pipeline/", "--benchmark_format=json"],
                           check=True, capture_output=True, text=True)
        np_rate = args.rows / c_score  # per CPU second, as Google Benchmark's items/s
        for b in json.loads(r.stdout)["benchmarks"]:
            rate = b["items_per_second"]
            line = f"{b['name']}: {rate / 1e6:.2f}M profiles/s"
            if b["name"].startswith("BM_ScoreChunk"):
                # One C++ thread against one NumPy thread, CPU time, measured in this run.
                line += f" = {rate / np_rate:.1f}x NumPy in memory (one thread each, CPU time)"
            print(line)
    if diff > 1e-6 or not tiers_equal:
        print("MISMATCH between microreach and the NumPy reference", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
