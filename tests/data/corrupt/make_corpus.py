#!/usr/bin/python3
"""Makes the corrupt / foreign HDF5 corpus from real microreach files.

    make_corpus.py --profiles P.h5 --scores S.h5 --out DIR

P.h5 and S.h5 are small valid files written by `microreach generate` and `microreach score`
(the test makes them first, so the corpus always matches the current layout). Every file made
here is wrong in exactly one way; tests/robust_matrix.tsv says which message each must get.
Needs /usr/bin/python3 with numpy and h5py (Debian: python3-h5py).
"""
import argparse
import os
import shutil

import h5py
import numpy as np


def copy(src, out, name):
    path = os.path.join(out, name)
    shutil.copyfile(src, path)
    return path


def replace(f, path, data):
    del f[path]
    f.create_dataset(path, data=data)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--profiles", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    P, S, out = a.profiles, a.scores, a.out

    # --- not HDF5 at all, or cut short
    open(os.path.join(out, "empty.h5"), "wb").close()
    with open(os.path.join(out, "text.h5"), "w") as t:
        t.write("handle,followers\nalice,1200\n")
    with open(os.path.join(out, "zeros.h5"), "wb") as t:
        t.write(b"\0" * 4096)
    data = open(P, "rb").read()
    for name, size in (("truncated_512.h5", 512), ("truncated_half.h5", len(data) // 2),
                       ("truncated_last_kb.h5", len(data) - 1024)):
        with open(os.path.join(out, name), "wb") as t:
            t.write(data[:size])

    # --- HDF5, but not ours / not this kind
    with h5py.File(os.path.join(out, "foreign.h5"), "w") as f:
        f.create_dataset("data", data=np.arange(10.0))
    with h5py.File(copy(P, out, "filetype_campaign.h5"), "r+") as f:
        f.attrs["filetype"] = "microreach.campaign"
    with h5py.File(copy(P, out, "filetype_int.h5"), "r+") as f:
        f.attrs["filetype"] = np.int64(7)

    # --- format_version
    for name, value in (("version_newer.h5", np.array([3, 0], dtype=np.int32)),
                        ("version_huge.h5", np.array([2**40, 0], dtype=np.int64)),
                        ("version_older.h5", np.array([0, 9], dtype=np.int32)),
                        ("version_one_number.h5", np.array([1], dtype=np.int32)),
                        ("version_string.h5", "1.0")):
        with h5py.File(copy(P, out, name), "r+") as f:
            f.attrs["format_version"] = value
    with h5py.File(copy(P, out, "version_missing.h5"), "r+") as f:
        del f.attrs["format_version"]

    # --- datasets: missing, wrong type, wrong shape, wrong length, bad values
    with h5py.File(copy(P, out, "missing_followers.h5"), "r+") as f:
        del f["/profiles/followers"]
    with h5py.File(copy(P, out, "missing_profiles.h5"), "r+") as f:
        del f["/profiles"]
    with h5py.File(copy(P, out, "profiles_is_dataset.h5"), "r+") as f:
        del f["/profiles"]
        f.create_dataset("profiles", data=np.zeros(5))
    with h5py.File(copy(P, out, "followers_string.h5"), "r+") as f:
        n = f["/profiles/followers"].shape[0]
        replace(f, "/profiles/followers", np.array([b"many"] * n))
    with h5py.File(copy(P, out, "followers_2d.h5"), "r+") as f:
        n = f["/profiles/followers"].shape[0]
        replace(f, "/profiles/followers", np.ones((n, 2)))
    with h5py.File(copy(P, out, "likes_short.h5"), "r+") as f:
        v = f["/profiles/avg_likes"][:]
        replace(f, "/profiles/avg_likes", v[:-1])
    with h5py.File(copy(P, out, "platform_float.h5"), "r+") as f:
        v = f["/profiles/platform"][:]
        replace(f, "/profiles/platform", v.astype(np.float64))
    with h5py.File(copy(P, out, "platform_out_of_range.h5"), "r+") as f:
        v = f["/profiles/platform"][:]
        v[len(v) // 2] = 17
        replace(f, "/profiles/platform", v)
    with h5py.File(copy(P, out, "handle_number.h5"), "r+") as f:
        n = f["/profiles/handle_offsets"].shape[0]
        replace(f, "/profiles/handle_offsets", np.arange(n, dtype=np.float64))
    with h5py.File(copy(P, out, "handle_offsets_decreasing.h5"), "r+") as f:
        v = f["/profiles/handle_offsets"][:]
        v[7] = v[6] - 1
        replace(f, "/profiles/handle_offsets", v)
    with h5py.File(copy(P, out, "country_out_of_range.h5"), "r+") as f:
        v = f["/profiles/country"][:]
        cats = f["/profiles/country"].attrs["categories"]
        v[len(v) // 3] = 60000
        replace(f, "/profiles/country", v)
        f["/profiles/country"].attrs["categories"] = cats
    # --- bounded reads: a sparse file that declares 10^10 rows, a filter HDF5 cannot decode
    with h5py.File(copy(P, out, "rows_sparse.h5"), "r+") as f:
        for k in list(f["/profiles"]):
            if k in ("handle_bytes", "handle_offsets"):
                continue
            dt = f["/profiles"][k].dtype
            del f["/profiles"][k]
            f["/profiles"].create_dataset(k, shape=(10**10,), dtype=dt, chunks=(65536,),
                                          maxshape=(None,))
    with h5py.File(copy(P, out, "likes_lzf.h5"), "r+") as f:
        v = f["/profiles/avg_likes"][:]
        del f["/profiles/avg_likes"]
        f.create_dataset("/profiles/avg_likes", data=v, compression="lzf", chunks=(256,))

    # --- scores files (read by export, simulate --input)
    with h5py.File(copy(S, out, "scores_missing_score.h5"), "r+") as f:
        del f["/scores/score"]
    with h5py.File(copy(S, out, "scores_profiles_changed.h5"), "r+") as f:
        f.attrs["profiles_checksum"] = "mr64:0000000000000000"
    with h5py.File(copy(S, out, "scores_profiles_moved.h5"), "r+") as f:
        f.attrs["profiles_file"] = "moved_away.h5"
        f.attrs["profiles_file_absolute"] = "/nonexistent/moved_away.h5"
    with h5py.File(copy(S, out, "scores_tier_short.h5"), "r+") as f:
        v = f["/scores/tier"][:]
        replace(f, "/scores/tier", v[:-3])


if __name__ == "__main__":
    main()
