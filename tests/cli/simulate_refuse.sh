#!/usr/bin/env bash
# Bad scenario values and options are refused with the key (file:line), the value and what is
# allowed, exit code 2 (3 for a malformed file), and no output file is left behind.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}"
fresh_work

# expect CODE PATTERN... -- ARGS: microreach ARGS --out out.h5 exits with CODE, its message
# holds each PATTERN, and no output is left behind (refused: tests/lib/common.sh).
expect() {
  refused "$@" --out out.h5
  [[ ! -e out.h5 ]] || fail "out.h5 written although the run was refused: $*"
}

scenario() { printf '%b' "$1" > bad.toml; }

scenario '[campaign]\nbudget = -25000\n'
expect 2 "bad.toml:2: campaign.budget" "'-25000'" "a positive amount in USD" -- simulate --scenario bad.toml
scenario '[model.incident_probability]\nmacro = 1.2\n'
expect 2 "bad.toml:2: model.incident_probability.macro" "'1.2'" "a probability in [0, 1]" -- simulate --scenario bad.toml
scenario '[campaign]\ngross_margin = -0.1\n'
expect 2 "bad.toml:2: campaign.gross_margin" "'-0.1'" "[0, 1]" -- simulate --scenario bad.toml
scenario '# zero trials\n[run]\ntrials = 0\n'
expect 2 "bad.toml:3: run.trials" "'0'" "from 1 to 1000000000" -- simulate --scenario bad.toml
scenario '[campaign]\nstrategies = ["macro", "influencer-army"]\n'
expect 2 "bad.toml:2: campaign.strategies" "'influencer-army'" "micro-even:N" -- simulate --scenario bad.toml
scenario '[campaign]\nniche = "underwater-basket-weaving"\n'
expect 2 "bad.toml:2: campaign.niche" "'underwater-basket-weaving'" "fitness" -- simulate --scenario bad.toml
scenario '[campaign]\nbudget = 30\n'
expect 2 "bad.toml:2: campaign.budget" "'30'" "at least \$" "macro or mega account" -- simulate --scenario bad.toml --market-profiles 20000
scenario '[campaign]\nbudget 5\n'
expect 3 "bad.toml:2:8" "expected '='" -- simulate --scenario bad.toml
scenario '[campain]\nbudget = 5\n'
expect 3 "bad.toml:1:1" "unknown table [campain]" -- simulate --scenario bad.toml

# The same checks on options.
expect 2 "--budget" "'-1'" -- simulate --budget -1
expect 2 "--trials" "'0'" -- simulate --trials 0
expect 2 "--trials" "from 1 to 1000000000" -- simulate --trials 5000000000
expect 2 "--niche" "'knitting'" -- simulate --niche knitting
expect 2 "--strategies" "'mix:2'" "[0, 1]" -- simulate --strategies macro,mix:2
expect 2 "--precision" "'1.5'" -- simulate --precision 1.5
expect 2 "--margin" "'7'" -- simulate --margin 7
printf '1\n12345678901\n' > hires.txt
expect 3 "hires.txt:2:1" "profile id 12345678901 is not in the candidate source" -- \
  simulate --strategies "list:hires.txt" --market-profiles 20000
echo "simulate_refuse: ok"
