#!/usr/bin/env bash
# Writes one small file of every kind microreach writes (profiles from generate and from
# import, scores, campaign, sweep, sensitivity, audit) into the current directory, with fixed
# seeds and relative input paths. The fixtures next to this script were made by it;
# tests/cli/io_unchanged.sh runs it again with the current executable and compares the files
# (compare_h5.py). When a change to what a file holds is intended (a new attribute, a strategy
# that hires differently), the fixtures are written again with this script in that commit.
# Usage: MICROREACH=path/to/microreach SRC=repo-root make_files.sh
set -euo pipefail
: "${MICROREACH:?}" "${SRC:?}"
cp "$SRC/tests/data/import/full.csv" full.csv
head -n 41 "$SRC/data/srf_instagram_labelled_1000_inclprivate.csv" | cut -d, -f3- > followers.csv
M() { "$MICROREACH" -q --threads 2 "$@" > /dev/null; }
M generate --count 300 --seed 11 --chunk-size 256 --generator-version 1 --out profiles.h5
M import full.csv --chunk-size 256 --out imported.h5
M score --in profiles.h5 --niche fitness --top 3 --chunk-size 256 --out scores.h5
M simulate --trials 300 --seed 5 --market-profiles 2000 --keep-trials --out campaign.h5
M sweep --over micro-count=1..4 --budget 20000 --trials 200 --market-profiles 2000 \
  --sensitivity --out sweep.h5
M sensitivity --trials 200 --market-profiles 2000 --out sensitivity.h5
M audit followers.csv --model default --keep-usernames --handle acct --chunk-size 256 \
  --out audit.h5
rm -f full.csv followers.csv
