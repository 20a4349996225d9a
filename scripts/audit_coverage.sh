#!/usr/bin/env bash
# The coverage study of docs/model.md "Carrying Se and Sp to another population": how often the
# audit's 95 % interval covers the true fake share, on SRF (the population the default model was
# fitted on) and InstaFake (another one), at true shares 5, 20, 50 % and samples of 100, 400 and
# 1,000 followers, with and without the between-population spread of Se and Sp.
#
# 1. measures the default model's Se and Sp on InstaFake (the study's truth there; the test
#    tests/test_audit_coverage.cpp holds the counts printed here: 173 of 200 fake flagged, 54 of
#    994 real flagged), and
# 2. prints the table, computed exactly (binomial sum over every flagged count, the interval from
#    the shipped code) by that test.
#
#   scripts/audit_coverage.sh [BUILD_DIR] [SHARED_DATA_DIR]
set -euo pipefail
. "$(dirname "$0")/audit_env.sh"
T="$BUILD/tests/microreach_tests"
[ -x "$T" ] || { echo "no $T: build microreach_tests first" >&2; exit 1; }
if [ -f "$D/instafake_fakeAccountData.json" ]; then
  echo "## The default model on InstaFake (the truth of the study there)"
  "$M" -q audit evaluate "$D/instafake_fakeAccountData.json" "$D/instafake_realAccountData.json" \
    --label isFake --model default | sed -n '4,5p'
  echo
fi
echo "## Coverage of the 95 % interval (exact), Wilson, the shipped default model"
MICROREACH_COVERAGE_TABLE=1 "$T" "[coverage]" | grep '^|'
