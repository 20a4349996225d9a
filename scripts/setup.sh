#!/usr/bin/env bash
# Installs the Debian 12 packages microreach needs (only those missing) and builds it.
#   scripts/setup.sh [--dev] [--mpi] [build-dir]
# --dev also installs what the full test suite needs (clang and its sanitizer/fuzzer runtime).
# --mpi installs Open MPI and the parallel HDF5 built on it, and configures the build with
#       -DMICROREACH_MPI=ON (distributed runs, docs/scale.md).
# MICROREACH_TARGET=microreach builds only the executable (the demo does not need the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
mpi=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dev) dev=1; shift ;;
    --mpi) mpi=1; shift ;;
    *) break ;;
  esac
done
build_dir="${1:-build}"

packages=(build-essential cmake git pkg-config
          libtbb-dev libhdf5-dev hdf5-tools libcli11-dev catch2 libbenchmark-dev
          librandom123-dev libfast-float-dev libfmt-dev libsimdjson-dev libtomlplusplus-dev
          python3-numpy python3-h5py python3-pandas python3-matplotlib
          python3-xarray python3-h5netcdf hdf5-filter-plugin hdf5-filter-plugin-blosc-serial)
if [ "$dev" = 1 ]; then
  # clang for the sanitizer and fuzz stages; pybind11 and pytest for the Python module's tests.
  packages+=(clang clang-format clang-tidy libclang-rt-14-dev pybind11-dev python3-pybind11 python3-pytest python3-dev)
fi
if [ "$mpi" = 1 ]; then
  packages+=(libopenmpi-dev openmpi-bin libhdf5-openmpi-dev python3-mpi4py python3-h5py-mpi)
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
mpi_flags=()
# The MPI build is only the executable for the distributed tests: no Python module.
if [ "$mpi" = 1 ]; then mpi_flags=(-DMICROREACH_MPI=ON); python=OFF; fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DMICROREACH_WERROR=$werror \
  -DMICROREACH_PYTHON=$python -DPython_EXECUTABLE=/usr/bin/python3 "${mpi_flags[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" ${MICROREACH_TARGET:+--target "$MICROREACH_TARGET"}
