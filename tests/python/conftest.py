"""Fixtures shared by the Python tests: the built `microreach` executable (the CLI the module
must agree with) and a scratch directory. CTest sets MICROREACH and PYTHONPATH
(tests/CMakeLists.txt); run by hand with
    MICROREACH=build/microreach PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python
"""
import os
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

SRC = os.environ.get("SRC", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


@pytest.fixture(scope="session")
def cli():
    exe = os.environ.get("MICROREACH")
    if not exe or not os.access(exe, os.X_OK):
        pytest.fail("MICROREACH must name the built microreach executable")

    def run(*args, expect=0):
        p = subprocess.run([exe, "--quiet", *map(str, args)], capture_output=True, text=True)
        assert p.returncode == expect, f"microreach {' '.join(map(str, args))}: exit " \
            f"{p.returncode}\n{p.stdout}\n{p.stderr}"
        return p
    return run


def read_group(path, group):
    """A group of an HDF5 file as a dict of arrays, as h5py reads it, with format 2's text
    columns decoded (handle from handle_bytes/handle_offsets, country from its codes and
    categories) and the dimension scales left out. A scores file that refers to its profiles
    file (docs/hdf5-layout.md) is followed for the "profiles" group."""
    with h5py.File(path) as f:
        if group not in f and group == "profiles" and "profiles_file_absolute" in f.attrs:
            ref = f.attrs["profiles_file_absolute"]
            return read_group(ref.decode() if isinstance(ref, bytes) else ref, group)
        g = f[group]
        out = {}
        for k, ds in g.items():
            if not isinstance(ds, h5py.Dataset) or ds.attrs.get("CLASS") == b"DIMENSION_SCALE":
                continue
            if k in ("handle_bytes", "handle_offsets"):
                continue
            v = ds[()]
            if k == "country" and v.dtype.kind == "u":
                cats = [c.decode() if isinstance(c, bytes) else c
                        for c in ds.attrs.get("categories", [])]
                v = np.array([cats[c] if c < len(cats) else "" for c in v], dtype=object)
            elif v.dtype.kind == "O":
                v = np.array([s.decode() if isinstance(s, bytes) else s for s in v], dtype=object)
            out[k] = v
        if "handle_bytes" in g:
            raw = g["handle_bytes"][()].tobytes()
            off = g["handle_offsets"][()]
            out["handle"] = np.array([raw[off[i]:off[i + 1]].decode() for i in range(len(off) - 1)],
                                     dtype=object)
        return out


def same_bits(a, b):
    """True when two float arrays are bit-identical (NaN payloads included)."""
    a = np.ascontiguousarray(a)
    b = np.ascontiguousarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return np.array_equal(a.view(np.uint64 if a.itemsize == 8 else np.uint32),
                              b.view(np.uint64 if b.itemsize == 8 else np.uint32))
    return np.array_equal(a, b)


def codes(col):
    """uint8 codes (255 = unknown) of a pandas.Categorical column."""
    return np.asarray(col.cat.codes).view(np.uint8)
