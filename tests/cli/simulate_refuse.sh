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

# Each case: the exit code, the scenario file (printf %b escapes), then what the message must
# hold, one per field; fields are separated by '|'. Run with --scenario bad.toml.
while IFS='|' read -r code text patterns; do
  printf '%b' "$text" > bad.toml
  IFS='|' read -ra want <<< "$patterns"
  expect "$code" "${want[@]}" -- simulate --scenario bad.toml --market-profiles 20000
done <<'CASES'
2|[campaign]\nbudget = -25000\n|bad.toml:2: campaign.budget|'-25000'|a positive amount in USD
2|[model.incident_probability]\nmacro = 1.2\n|bad.toml:2: model.incident_probability.macro|'1.2'|a probability in [0, 1]
2|[campaign]\ngross_margin = -0.1\n|bad.toml:2: campaign.gross_margin|'-0.1'|[0, 1]
2|# zero trials\n[run]\ntrials = 0\n|bad.toml:3: run.trials|'0'|from 1 to 1000000000
2|[campaign]\nstrategies = ["macro", "influencer-army"]\n|bad.toml:2: campaign.strategies|'influencer-army'|micro-even:N
2|[campaign]\nniche = "underwater-basket-weaving"\n|bad.toml:2: campaign.niche|'underwater-basket-weaving'|fitness
2|[campaign]\nbudget = 30\n|bad.toml:2: campaign.budget|'30'|at least $|macro or mega account
3|[campaign]\nbudget 5\n|bad.toml:2:8|expected '='
3|[campain]\nbudget = 5\n|bad.toml:1:1|unknown table [campain]
CASES

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
