#!/usr/bin/env bash
# The h5py/pandas recipe of docs/hdf5-layout.md ("Profile files") reads a format-2 profiles
# file into a DataFrame: handles from the byte buffer + offsets, country/platform/niche as
# categoricals. Checked value by value against `microreach export` of the same file, an empty
# handle and a missing country included (import of a CSV with such rows).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}"
fresh_work
"$MICROREACH" -q generate --count 3000 --seed 21 --chunk-size 256 --out p.h5
"$MICROREACH" -q export p.h5 --csv p.csv > /dev/null
printf 'handle,followers,country\n,100,DE\ncaf\xc3\xa9,200,\nbob,300,FR\n' > odd.csv
"$MICROREACH" -q import odd.csv --out odd.h5 > /dev/null
"$MICROREACH" -q export odd.h5 --csv odd_export.csv > /dev/null
"$PYTHON" - <<'PY' || fail "recipe does not give the exported values"
import h5py, numpy as np, pandas as pd

def categorical(ds, missing):
    codes = ds[()].astype(np.int32)
    return pd.Categorical.from_codes(np.where(codes == missing, -1, codes),
                                     list(ds.attrs.get("categories", [])))

def recipe(path):
    with h5py.File(path) as f:
        g = f["profiles"]
        assert list(f.attrs["format_version"]) == [2, 0]
        raw = g["handle_bytes"][()].tobytes()
        off = g["handle_offsets"][()].tolist()
        df = pd.DataFrame({k: g[k][()] for k in g if g[k].dtype == np.float64})
        df["handle"] = [raw[a:b].decode() for a, b in zip(off[:-1], off[1:])]
        df["country"] = categorical(g["country"], 65535)
        if "platform" in g:
            df["platform"] = categorical(g["platform"], 255)
    return df

for h5, csv in (("p.h5", "p.csv"), ("odd.h5", "odd_export.csv")):
    df = recipe(h5)
    ex = pd.read_csv(csv, keep_default_na=False, dtype=str)
    assert len(df) == len(ex), (len(df), len(ex))
    assert list(df["handle"]) == list(ex["handle"]), h5
    got = ["" if pd.isna(c) else c for c in df["country"]]
    assert got == list(ex["country"]), (h5, got[:5], list(ex["country"])[:5])
    if "platform" in df:
        assert [str(p) for p in df["platform"]] == list(ex["platform"]), h5
    assert np.allclose(df["followers"].to_numpy(), ex["followers"].astype(float).to_numpy())
odd = recipe("odd.h5")
assert list(odd["handle"]) == ["", "café", "bob"], list(odd["handle"])
assert pd.isna(odd["country"][1]) and odd["country"][2] == "FR"
PY
# Dimension scales: xarray (h5netcdf engine) opens both groups with named dimensions, no
# phony_dim names, and the values are the file's.
"$MICROREACH" -q score --in p.h5 --top 0 --out s.h5 > /dev/null
"$PYTHON" - <<'PY' || fail "xarray does not see named dimensions"
import h5py, numpy as np, xarray as xr
s = xr.open_dataset("s.h5", group="scores", engine="h5netcdf")
assert dict(s.sizes) == {"row": 3000}, dict(s.sizes)
assert s["score"].dims == ("row",) and s["tier"].dims == ("row",)
assert np.array_equal(s["score"].values, h5py.File("s.h5")["scores/score"][()])
p = xr.open_dataset("p.h5", group="profiles", engine="h5netcdf")
assert p["followers"].dims == ("row",) and p.sizes["row"] == 3000, dict(p.sizes)
assert p["handle_offsets"].dims == ("handle_offset",) and p.sizes["handle_offset"] == 3001
assert p["handle_bytes"].dims == ("handle_byte",)
PY
echo "hdf5_recipe: the documented recipe reads handles and categoricals as export does"
