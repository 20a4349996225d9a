#!/usr/bin/env bash
# Disk faults: an output directory that is missing, read-only or full gives one clear
# message, a non-zero exit code, no partial file, and an existing output file left intact.
# Read-only and full directories are tiny tmpfs mounts (needs root with mount rights); where
# mounting is impossible those cases fall back to chmod (non-root) and a file-size limit
# (ulimit -f), and say so.
set -euo pipefail
: "${MICROREACH:?}" "${WORK:?}"
# A previous run may have left mounts under $WORK.
if command -v findmnt >/dev/null; then
  { findmnt -rn -o TARGET | grep "^$WORK/" || true; } | sort -r | while read -r m; do umount "$m" || true; done
fi
rm -rf "$WORK"
mkdir -p "$WORK"
M="$MICROREACH"
mounts=()
cleanup() {
  local m
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect LABEL CODE REGEX -- COMMAND...: exit code CODE, stderr matching REGEX (grep -E)
expect() {
  local label="$1" code="$2" re="$3" rc=0
  shift 4
  "$@" >"$WORK/$label.out" 2>"$WORK/$label.err" || rc=$?
  [ "$rc" = "$code" ] || { cat "$WORK/$label.err" >&2; fail "$label: exit code $rc, expected $code"; }
  grep -Eq -- "$re" "$WORK/$label.err" || {
    cat "$WORK/$label.err" >&2
    fail "$label: message does not match /$re/"
  }
  grep -q "Assertion\|Segmentation\|terminate called\|HDF5-DIAG" "$WORK/$label.err" &&
    fail "$label: crash or library noise on stderr"
  printf 'ok  %-34s exit %s: %s\n' "$label" "$rc" "$(head -1 "$WORK/$label.err" | cut -c1-110)"
}
# nothing_in DIR [KEEP]: DIR holds no file but KEEP (no temporary, no partial output)
nothing_in() {
  local left
  left=$(find "$1" -mindepth 1 -maxdepth 1 ! -name "${2:-/}" | head -5)
  [ -z "$left" ] || fail "left behind in $1: $left"
}
sum() { sha256sum "$1" | cut -d' ' -f1; }

# A small CSV export to import.
{
  echo "handle,platform,followers,avg_likes,avg_comments,niche,price"
  awk 'BEGIN { for (i = 0; i < 100000; i++)
      printf "user_%d,instagram,%d,%d,%d,fitness,%d\n", i, 5000 + i % 90000, 100 + i % 900, 3 + i % 40, 50 + i % 700 }'
} >"$WORK/export.csv"
"$M" -q generate --count 1000 --seed 5 --chunk-size 256 --out "$WORK/small.h5"

# ---- 1. the output directory does not exist
mkdir -p "$WORK/missing-parent"
for cmd in generate score import simulate; do
  out="$WORK/missing-parent/no-such-dir/out.h5"
  case $cmd in
    generate) args=(generate --count 1000 --out "$out") ;;
    score) args=(score --in "$WORK/small.h5" --out "$out") ;;
    import) args=(import "$WORK/export.csv" --out "$out") ;;
    simulate) args=(simulate --trials 1000 --out "$out") ;;
  esac
  expect "missing-dir-$cmd" 1 "cannot write '.*no-such-dir/out.h5'.*does not exist" -- "$M" -q "${args[@]}"
done
nothing_in "$WORK/missing-parent"

# ---- 2. the output is a directory
expect out-is-directory 1 "is a directory" -- "$M" -q generate --count 1000 --out "$WORK/missing-parent"

can_mount=0
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$WORK/probe"
  if mount -t tmpfs -o size=64k tmpfs "$WORK/probe" 2>/dev/null; then
    umount "$WORK/probe"
    can_mount=1
  fi
  rmdir "$WORK/probe"
fi

# ---- 3. the output directory is read-only (an existing output in it stays as it is)
mkdir -p "$WORK/ro"
if [ "$can_mount" = 1 ]; then
  mount -t tmpfs -o size=1m tmpfs "$WORK/ro"
  mounts+=("$WORK/ro")
  cp "$WORK/small.h5" "$WORK/ro/out.h5"
  mount -o remount,ro "$WORK/ro"
  ro_how="read-only tmpfs"
else
  cp "$WORK/small.h5" "$WORK/ro/out.h5"
  chmod 555 "$WORK/ro"
  ro_how="chmod 555 (no mount rights: read-only tmpfs case skipped)"
  echo "note: cannot mount a tmpfs here; read-only directory tested with chmod, full disk with ulimit -f"
fi
before=$(sum "$WORK/ro/out.h5")
expect readonly-generate 1 "cannot write '.*ro/out.h5'.*not writable" -- \
  "$M" -q generate --count 1000 --out "$WORK/ro/out.h5"
expect readonly-score 1 "not writable" -- "$M" -q score --in "$WORK/small.h5" --out "$WORK/ro/out.h5"
expect readonly-import 1 "not writable" -- "$M" -q import "$WORK/export.csv" --out "$WORK/ro/out.h5"
expect readonly-simulate 1 "not writable" -- "$M" -q simulate --trials 1000 --out "$WORK/ro/out.h5"
[ "$(sum "$WORK/ro/out.h5")" = "$before" ] || fail "read-only: the existing output changed"
nothing_in "$WORK/ro" out.h5
echo "    (read-only directory: $ro_how)"
[ "$can_mount" = 1 ] || chmod 755 "$WORK/ro"

# ---- 4. the disk fills up while writing (an existing output in it stays as it is)
mkdir -p "$WORK/full"
if [ "$can_mount" = 1 ]; then
  mount -t tmpfs -o size=768k tmpfs "$WORK/full"
  mounts+=("$WORK/full")
  cp "$WORK/small.h5" "$WORK/full/out.h5"
  before=$(sum "$WORK/full/out.h5")
  full_re="disk full|No space left"
  run_full() { "$@"; }
  full_how="768 KiB tmpfs"
else
  cp "$WORK/small.h5" "$WORK/full/out.h5"
  before=$(sum "$WORK/full/out.h5")
  full_re="disk full|File too large|I/O error"
  # Each file may grow to 768 KiB; past that write() fails with EFBIG (SIGXFSZ ignored).
  run_full() { (trap '' XFSZ && ulimit -f 768 && exec "$@"); }
  full_how="ulimit -f 768 KiB (no mount rights: full tmpfs case skipped)"
fi
if [ "$can_mount" = 1 ]; then
  # Far too big for the free space: refused before anything is written, with the numbers.
  expect full-refused-upfront 2 "--count: '200000' is not valid: .* would need at least .* free" -- \
    "$M" -q generate --count 200000 --out "$WORK/full/out.h5"
  nothing_in "$WORK/full" out.h5
fi
# Small enough to pass that estimate, too big for the disk: fails while writing.
expect full-generate 1 "$full_re" -- run_full "$M" -q generate --count 5000 --out "$WORK/full/out.h5"
nothing_in "$WORK/full" out.h5
expect full-score 1 "$full_re" -- run_full "$M" -q score --generate 2500 --out "$WORK/full/out.h5"
nothing_in "$WORK/full" out.h5
expect full-import 1 "$full_re" -- run_full "$M" -q import "$WORK/export.csv" --out "$WORK/full/out.h5"
nothing_in "$WORK/full" out.h5
expect full-simulate 1 "$full_re" -- \
  run_full "$M" -q simulate --trials 50000 --keep-trials --out "$WORK/full/out.h5"
nothing_in "$WORK/full" out.h5
[ "$(sum "$WORK/full/out.h5")" = "$before" ] || fail "full disk: the existing output changed"
if [ "$can_mount" = 1 ]; then
  # The failed runs gave their space back: a small output still fits.
  "$M" -q generate --count 1000 --chunk-size 256 --out "$WORK/full/after.h5" ||
    fail "full disk: space was not given back after the failed runs"
fi
echo "    (full disk: $full_how)"
echo "robust_disk: all disk-fault checks passed"
