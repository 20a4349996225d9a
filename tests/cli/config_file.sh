#!/usr/bin/env bash
# --config files (TOML, [command] tables) and scenario/list files: every refusal names
# file:line: key (or the file), the value as given and what is allowed; devices, FIFOs and
# oversized files are refused before they are read.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}"
fresh_work

expect() {  # expect CODE PATTERN... -- ARGS (refused: tests/lib/common.sh)
  refused "$@"
  [[ ! -e o.h5 ]] || fail "o.h5 written although the run was refused: $*"
}
config() { printf '%b' "$1" > c.toml; }

config '[score]\nniche = "fitness"\ntop = 3\n'
"$MICROREACH" -q --config c.toml score --generate 500 > ok.txt
grep -q "Top 3 by score" ok.txt || fail "config value top = 3 not applied"
config '[score]\nnihce = "fitness"\n'
expect 2 "c.toml:2" "unknown key 'nihce' in [score]" -- --config c.toml score --generate 10 -o o.h5
config '[score]\ntop = 3\n[score]\ntop = 4\n'
expect 2 "c.toml:3:1" "cannot redefine existing table 'score'" -- --config c.toml score --generate 10 -o o.h5
config '[score]\ntop = 3\ntop = 4\n'
expect 2 "c.toml:3" "cannot redefine" -- --config c.toml score --generate 10 -o o.h5
config '[scor]\ntop = 3\n'
expect 2 "c.toml:1:1" "unknown table [scor]" -- --config c.toml score --generate 10 -o o.h5
config '[score.deeper]\n'
expect 2 "c.toml:1:1" "unknown table [score.deeper]" -- --config c.toml score --generate 10 -o o.h5
config '[score]\ntop = -5\n'
expect 2 "c.toml:2" "score.top = -5" "--top" "'-5'" -- --config c.toml score --generate 10 -o o.h5
config '[score]\nseed = -1\n'
expect 2 "c.toml:2" "score.seed = -1" "'-1'" -- --config c.toml score --generate 10 -o o.h5
config '[generate]\ncount = 1e3\n'
expect 2 "c.toml:2" "generate.count = 1e3" -- --config c.toml generate -o o.h5
config 'threads = 5000\n'
expect 2 "c.toml:1" "threads = 5000" "not in range 0 to 1024" -- --config c.toml score --generate 10 -o o.h5
config '[score]\nw-cost = "much"\n'
expect 2 "c.toml:2" "score.w-cost = \"much\"" "expected a number" -- --config c.toml score --generate 10 -o o.h5
config '[score]\nniche = fitness\n'
expect 2 "c.toml:2" "text needs quotes" -- --config c.toml score --generate 10 -o o.h5
/usr/bin/python3 -c "print('[score]\nx' + '.x' * 100000 + ' = 1')" > c.toml
expect 2 "c.toml:2" "more than 8 dotted parts" -- --config c.toml score --generate 10 -o o.h5
/usr/bin/python3 -c "print('[score]\ntop = ' + '{a=' * 100000 + '1')" > c.toml
expect 2 "c.toml:2" "nested value depth of 32" -- --config c.toml score --generate 10 -o o.h5
expect 2 "/dev/zero" "not a regular file" -- --config /dev/zero score --generate 10 -o o.h5
mkfifo fifo
expect 2 "fifo" "not a regular file" -- --config fifo score --generate 10 -o o.h5
truncate -s 2M big.toml
expect 2 "big.toml" "at most 1048576 bytes" -- --config big.toml score --generate 10 -o o.h5

# Scenario files: the same bounds, and messages that name the scenario key.
printf '[campaign]\nstrategies = [%s"macro"]\n' "$(printf '"macro", %.0s' $(seq 1 99999))" > s.toml
expect 2 "s.toml:2: campaign.strategies" "100000 strategies" "at most 64" -- simulate --scenario s.toml
printf '[market]\ninput = "market.xlsx"\n' > s.toml
expect 2 "s.toml:2: market.input" "'market.xlsx'" -- simulate --scenario s.toml
printf '[market]\ninput = "nothere.h5"\n' > s.toml
expect 3 "nothere.h5" "s.toml:2: market.input" -- simulate --scenario s.toml
expect 2 "--input" "'market.xlsx'" -- simulate --input market.xlsx
expect 3 "/dev/zero" "not a regular file" -- simulate --scenario /dev/zero
expect 2 "--strategies" "at most 64" -- simulate --strategies "$(printf 'macro,%.0s' $(seq 1 99))macro"

# list:FILE reads only a regular file of bounded size.
expect 2 "--strategies" "list:/dev/zero" "not a regular file" -- simulate --strategies list:/dev/zero
expect 2 "--strategies" "list:fifo" "not a regular file" -- simulate --strategies list:fifo
truncate -s 65M big.txt
expect 2 "list:big.txt" "at most 67108864 bytes" -- simulate --strategies list:big.txt
rm -f big.txt big.toml
echo "config_file: ok"
