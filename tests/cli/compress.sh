#!/usr/bin/env bash
# --compress: gzip, lz4 (LZ4 filter plugin) and zstd (Blosc filter plugin) give files whose values equal the
# uncompressed file's, read by h5py without our code and by microreach itself; the filter is the
# one asked for; a bad value or a missing plugin is refused, naming the option, before any
# output exists.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${PYTHON:=/usr/bin/python3}"
fresh_work
# Blosc (behind zstd) allocates a global context it never frees, and HDF5 unloads the plugin
# before LeakSanitizer reports it, so there is no symbol to suppress it by: runs that load Blosc
# skip leak detection when the sanitizer stage runs them (every other ASan check stays on).
blosc() { ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" "$@"; }
# refused RC WHAT PATTERN -- command: exits RC, prints PATTERN, writes neither bad.h5 nor read.csv.
refused() {
  local want=$1 what=$2 pattern=$3 rc
  shift 3
  set +e
  "$@" 2> err.txt
  rc=$?
  set -e
  [ "$rc" = "$want" ] || { cat err.txt; fail "$what: exit $rc, expected $want"; }
  grep -q -- "$pattern" err.txt || { cat err.txt; fail "$what: message lacks '$pattern'"; }
  [ ! -e bad.h5 ] && [ ! -e read.csv ] || fail "$what: an output was written"
}

"$MICROREACH" -q generate --count 20000 --seed 4 --chunk-size 4096 --out none.h5
for c in 6 gzip:1 lz4 zstd zstd:9; do
  blosc "$MICROREACH" -q generate --count 20000 --seed 4 --chunk-size 4096 --compress "$c" --out "p-$c.h5"
done
"$MICROREACH" -q score --in none.h5 --out s-none.h5
blosc "$MICROREACH" -q score --in p-lz4.h5 --compress zstd --out s-zstd.h5

"$PYTHON" - <<'PY' || fail "compressed files differ from the uncompressed one"
import os
import h5py, numpy as np
# filter id of each codec: gzip = 1 and LZ4 = 32004 (after shuffle = 2), Blosc = 32001
want = {"6": 1, "gzip:1": 1, "lz4": 32004, "zstd": 32001, "zstd:9": 32001}
blosc_code = {"zstd": 5, "zstd:9": 5}

def filters(ds):
    pl = ds.id.get_create_plist()
    return [pl.get_filter(i) for i in range(pl.get_nfilters())]

ref = h5py.File("none.h5", "r")
size_none = os.path.getsize("none.h5")
for c, fid in want.items():
    with h5py.File(f"p-{c}.h5", "r") as f:
        for name, ds in ref["profiles"].items():
            got = f["profiles"][name][()]
            assert got.dtype == ds.dtype and np.array_equal(got, ds[()], equal_nan=True), (c, name)
        fl = filters(f["profiles/followers"])
        ids = [x[0] for x in fl]
        assert ids[-1] == fid, (c, ids)
        if fid == 32001:
            assert fl[-1][2][6] == blosc_code[c], (c, fl[-1])  # Blosc's compressor code
            assert fl[-1][2][5] == 1, fl[-1]  # byte shuffle
        else:
            assert ids == [2, fid], ids  # shuffle, then deflate or LZ4
        assert filters(ref["profiles/followers"]) == []
    size = os.path.getsize(f"p-{c}.h5")
    assert size < 0.8 * size_none, (c, size, size_none)
    print(f"{c}: {size / size_none:.2f} of the uncompressed size")
a, b = h5py.File("s-none.h5", "r"), h5py.File("s-zstd.h5", "r")
for name, ds in a["scores"].items():
    assert np.array_equal(ds[()], b["scores"][name][()], equal_nan=True), name
PY

# microreach reads an lz4 file back to the same CSV as the uncompressed one.
"$MICROREACH" -q export none.h5 --csv none.csv
"$MICROREACH" -q export p-lz4.h5 --csv lz4.csv
cmp -s none.csv lz4.csv || fail "export of the lz4 file differs"

# Bad values: exit 2, the option and the value named, no output.
for bad in brotli lz4:3 10 gzip:0 zstd:x ""; do
  refused 2 "--compress '$bad'" "--compress" \
    "$MICROREACH" -q generate --count 100 --compress "$bad" --out bad.h5
done
grep -q "lz4 or zstd" err.txt || { cat err.txt; fail "the codecs are not listed"; }

# Without the plugin (an empty plugin path): lz4 and zstd are refused with what to install;
# gzip works; reading a zstd file is refused (exit 3) naming the dataset and the package.
mkdir -p empty
export HDF5_PLUGIN_PATH="$WORK/empty"
refused 2 "lz4 without the plugin" "Debian package hdf5-filter-plugin" \
  "$MICROREACH" -q generate --count 100 --compress lz4 --out bad.h5
refused 2 "zstd without the plugin" "hdf5-filter-plugin-blosc-serial" \
  "$MICROREACH" -q generate --count 100 --compress zstd --out bad.h5
"$MICROREACH" -q generate --count 100 --compress 4 --out ok.h5
refused 3 "reading zstd without the plugin" "dataset '/profiles/.*hdf5-filter-plugin-blosc-serial" \
  "$MICROREACH" -q export p-zstd.h5 --csv read.csv
unset HDF5_PLUGIN_PATH
echo "ok: gzip, lz4 and zstd files equal the uncompressed one; bad values refused"
