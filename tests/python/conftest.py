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
    """A group of an HDF5 file as a dict of arrays (strings decoded), as h5py reads it."""
    with h5py.File(path) as f:
        out = {}
        for k, ds in f[group].items():
            if not isinstance(ds, h5py.Dataset):
                continue
            v = ds[()]
            if v.dtype.kind == "O":
                v = np.array([s.decode() if isinstance(s, bytes) else s for s in v], dtype=object)
            out[k] = v
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
