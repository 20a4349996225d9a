#!/usr/bin/env bash
# The main job on built-in defaults: installs what is missing, builds, and answers the
# planner's question "$25k: one macro-influencer or many micro-influencers?" on a synthetic
# market, then writes the HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
MICROREACH_TARGET=microreach bash scripts/setup.sh build
mkdir -p out
./build/microreach simulate --keep-trials --out out/campaign.h5
./build/microreach report out/campaign.h5 -o out/report.html
echo "Report: $(pwd)/out/report.html"
