#!/usr/bin/env python3
"""Exit 0 when two microreach HDF5 files hold the same data, bit for bit.

Compares every group, dataset (type, shape, every value's bytes; NaN equals NaN of the same
bits) and attribute, except the provenance attributes that name the run rather than its result
(`created`, `command`). Object references (dimension scale attributes) compare by the path of the
object they point at, not by file address. Prints the first differences otherwise.
  compare_h5.py A.h5 B.h5
"""
import sys

import h5py
import numpy as np

SKIP_ATTRS = {"created", "command"}


def resolve(f, v):
    """v with every object reference replaced by the path of the object it points at."""
    if isinstance(v, h5py.Reference):
        return f[v].name if v else None
    if isinstance(v, np.ndarray):
        return resolve(f, v.tolist())
    if isinstance(v, (list, tuple)):
        return [resolve(f, x) for x in v]
    return v


def same_values(a, b, fa=None, fb=None):
    a, b = np.asarray(a), np.asarray(b)
    if fa is not None and a.dtype == b.dtype and a.shape == b.shape and a.dtype.hasobject:
        return resolve(fa, a.tolist()) == resolve(fb, b.tolist())
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "fciub":
        return a.tobytes() == b.tobytes()  # bit for bit: NaN equals the same NaN
    return a.tolist() == b.tolist()


def main():
    fa, fb = (h5py.File(p, "r") for p in sys.argv[1:3])
    diffs = []
    names_a, names_b = [], []
    fa.visit(names_a.append)
    fb.visit(names_b.append)
    if sorted(names_a) != sorted(names_b):
        diffs.append(f"objects differ: only in A {sorted(set(names_a) - set(names_b))[:5]}, "
                     f"only in B {sorted(set(names_b) - set(names_a))[:5]}")
    for name in ["/"] + sorted(set(names_a) & set(names_b)):
        oa, ob = fa[name], fb[name]
        if type(oa) is not type(ob):
            diffs.append(f"{name}: a {type(oa).__name__} in A, a {type(ob).__name__} in B")
            continue
        ka = set(oa.attrs) - (SKIP_ATTRS if name == "/" else set())
        kb = set(ob.attrs) - (SKIP_ATTRS if name == "/" else set())
        if ka != kb:
            diffs.append(f"{name}: attributes differ: {sorted(ka ^ kb)}")
        for k in sorted(ka & kb):
            if not same_values(oa.attrs[k], ob.attrs[k], fa, fb):
                diffs.append(f"{name}@{k}: {oa.attrs[k]!r} != {ob.attrs[k]!r}")
        if isinstance(oa, h5py.Dataset):
            if oa.dtype != ob.dtype or oa.shape != ob.shape:
                diffs.append(f"{name}: {oa.dtype}{oa.shape} != {ob.dtype}{ob.shape}")
                continue
            va, vb = oa[()], ob[()]
            if not same_values(va, vb):
                va, vb = np.asarray(va).reshape(-1), np.asarray(vb).reshape(-1)
                if va.dtype.kind in "fc":
                    ba = np.frombuffer(va.tobytes(), np.uint8).reshape(va.size, -1)
                    bb = np.frombuffer(vb.tobytes(), np.uint8).reshape(vb.size, -1)
                    bad = np.flatnonzero((ba != bb).any(axis=1))
                else:
                    bad = np.flatnonzero(va != vb)
                diffs.append(f"{name}: values differ (first rows {list(bad[:5])})")
    for d in diffs[:20]:
        print(f"{sys.argv[1]} vs {sys.argv[2]}: {d}")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
