# Sourced by the audit study scripts (audit_validation.sh, audit_coverage.sh) with their
# arguments [BUILD_DIR] [SHARED_DATA_DIR]: sets SRC (this checkout), BUILD (default build/),
# D (the public data folder beside the clone, default ../shared/data) and M (the microreach
# binary, which must be built).
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$SRC/build}
D=${2:-$SRC/../shared/data}
M="$BUILD/microreach"
[ -x "$M" ] || { echo "no $M: build microreach first (cmake --build $BUILD)" >&2; exit 1; }
