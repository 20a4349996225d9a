#!/usr/bin/env bash
# Installs the Debian 12 packages microreach needs (only those missing) and builds it.
#   scripts/setup.sh [--dev] [build-dir]
# --dev also installs what the full test suite needs (clang and its sanitizer/fuzzer runtime).
# MICROREACH_TARGET=microreach builds only the executable (the demo does not need the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
if [ "${1:-}" = "--dev" ]; then dev=1; shift; fi
build_dir="${1:-build}"

packages=(build-essential cmake git pkg-config
          libtbb-dev libhdf5-dev hdf5-tools libcli11-dev catch2 libbenchmark-dev
          librandom123-dev libfast-float-dev libfmt-dev libsimdjson-dev libtomlplusplus-dev
          python3-numpy python3-h5py python3-pandas python3-matplotlib
          python3-xarray python3-h5netcdf)
if [ "$dev" = 1 ]; then
  # clang for the sanitizer and fuzz stages; pybind11 and pytest for the Python module's tests.
  packages+=(clang libclang-rt-14-dev pybind11-dev python3-pybind11 python3-pytest python3-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "== building in $build_dir"
werror=OFF
python=OFF
if [ "$dev" = 1 ]; then werror=ON; python=ON; fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DMICROREACH_WERROR=$werror \
  -DMICROREACH_PYTHON=$python -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build_dir" -j"$(nproc)" ${MICROREACH_TARGET:+--target "$MICROREACH_TARGET"}
