#!/usr/bin/env bash
# Outputs that could destroy data are refused before any work, by every command that writes:
# an empty name, a FIFO, a device node or a link to one (as root too), the same file as an
# input (directly, through a symbolic link, a hard link or another spelling), and two outputs
# of one run naming the same file. The refused run exits 2, names the option, the path as given
# and why, writes nothing and leaves the input byte-identical. '-' is standard output: text
# anywhere, HDF5 only when standard output is not a terminal.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}"
fresh_work
M="$MICROREACH"
SRF="$SRC/data/srf_instagram_labelled_1000_inclprivate.csv"

# ---- fixtures
"$M" -q generate --count 2000 --seed 3 --out p.h5
"$M" -q score --in p.h5 --top 0 --out s.h5 > /dev/null
printf 'handle,followers,avg_likes\nbob,100,10\nal,-5,3\n' > e.csv
head -200 "$SRF" > followers.csv
printf '1\n2\n' > hires.txt
printf '[campaign]\nbudget = 25000\n' > plan.toml
"$M" -q simulate --trials 200 --market-profiles 20000 --out c.h5 > /dev/null
mkfifo fifo
dev=""
if mknod cdev c 1 3 2>/dev/null; then dev=cdev; ln -s cdev devlink; fi
ln -s p.h5 p_link.h5
ln p.h5 p_hard.h5
cp c.h5 c_keep.h5

# refuse PATTERN... -- ARGS: exit 2, each pattern in stderr, no new file, inputs untouched.
refuse() {
  local patterns=()
  while [[ $1 != "--" ]]; do patterns+=("$1"); shift; done
  shift
  local before after
  before=$(ls -a | sort; md5sum p.h5 s.h5 e.csv followers.csv c.h5 hires.txt plan.toml)
  set +e
  "$M" -q "$@" > out.txt 2> err.txt < /dev/null
  local rc=$?
  set -e
  [[ $rc == 2 ]] || { cat err.txt; fail "exit $rc, expected 2 for: $*"; }
  for p in "${patterns[@]}"; do
    grep -qF -- "$p" err.txt || { cat err.txt; fail "message lacks '$p' for: $*"; }
  done
  rm -f out.txt err.txt
  after=$(ls -a | sort; md5sum p.h5 s.h5 e.csv followers.csv c.h5 hires.txt plan.toml)
  [[ "$before" == "$after" ]] || fail "files changed although the run was refused: $*"
  if [[ -n $dev ]]; then [[ -c cdev ]] || fail "the device node was replaced by: $*"; fi
  [[ -p fifo ]] || fail "the FIFO was replaced by: $*"
}

# Every command that writes, with ARGS up to its output option (OUT), and its input.
# name | command before the output option | output option | an input it reads
commands=(
  "generate|generate --count 100|--out|"
  "score|score --in p.h5 --top 0|--out|p.h5"
  "import|import e.csv --on-error skip|--out|e.csv"
  "export|export s.h5|--csv|s.h5"
  "simulate|simulate --trials 100 --input p.h5|--out|p.h5"
  "sweep|sweep --over micro-count=1..2 --trials 100 --input p.h5|--out|p.h5"
  "sensitivity|sensitivity --trials 100 --input p.h5|--out|p.h5"
  "audit|audit followers.csv|--out|followers.csv"
  "audit-fit|audit fit followers.csv --label rating|--out|followers.csv"
  "report|report c.h5|--out|c.h5"
)
for spec in "${commands[@]}"; do
  IFS='|' read -r name cmd opt input <<< "$spec"
  read -ra args <<< "$cmd"
  refuse "$opt: '' is not valid" "a file name, or '-' for standard output" -- "${args[@]}" "$opt" ""
  refuse "$opt: 'fifo' is not valid" "a FIFO (named pipe)" -- "${args[@]}" "$opt" fifo
  if [[ -n $dev ]]; then
    refuse "$opt: 'cdev' is not valid" "a character device" -- "${args[@]}" "$opt" cdev
    refuse "$opt: 'devlink' is not valid" "a symbolic link to a character device" -- \
      "${args[@]}" "$opt" devlink
  fi
  if [[ -n $input ]]; then
    refuse "$opt: '$input' is not valid" "a file other than the input" "'$input'" \
      "writing it would destroy the input" -- "${args[@]}" "$opt" "$input"
    refuse "$opt: './$input' is not valid" "'$input'" "through a link or another name" -- \
      "${args[@]}" "$opt" "./$input"
    ln -sf "$input" link_to_input
    refuse "$opt: 'link_to_input' is not valid" "a file other than the input" -- \
      "${args[@]}" "$opt" link_to_input
    ln -f "$input" hard_to_input
    refuse "$opt: 'hard_to_input' is not valid" "a file other than the input" -- \
      "${args[@]}" "$opt" hard_to_input
    rm -f link_to_input hard_to_input
  fi
  # The --config file is an input of every command.
  printf '# no options\n' > cfg.toml
  refuse "$opt: 'cfg.toml' is not valid" "the input --config 'cfg.toml'" -- \
    --config cfg.toml "${args[@]}" "$opt" cfg.toml
  [[ $(cat cfg.toml) == "# no options" ]] || fail "$name overwrote its --config file"
  rm -f cfg.toml
  echo "ok $name"
done

# Inputs named elsewhere: a scenario's market.input, list:FILE strategies, --scenario itself,
# score --audited, audit --model / --accuracy-from.
refuse "--out: 'plan.toml' is not valid" "--scenario 'plan.toml'" -- \
  simulate --scenario plan.toml --out plan.toml
printf '[market]\ninput = "p.h5"\n' > m.toml
refuse "--out: 'p_link.h5' is not valid" "m.toml:2: market.input" -- simulate --scenario m.toml --out p_link.h5
refuse "--out: 'hires.txt' is not valid" "'hires.txt'" -- \
  simulate --market-profiles 20000 --strategies list:hires.txt --out hires.txt
refuse "--out: 'hires.txt' is not valid" "--strategies 'hires.txt'" -- \
  sensitivity --market-profiles 20000 --strategies list:hires.txt --out hires.txt
printf 'handle,fake_share,lo,hi\nbob,0.1,0.05,0.2\n' > audits.csv
refuse "--out: 'audits.csv' is not valid" "--audited 'audits.csv'" -- \
  score --in p.h5 --audited audits.csv --out audits.csv
refuse "--out: 'm1.toml' is not valid" "--model 'm1.toml'" -- \
  audit followers.csv --model m1.toml --out m1.toml 2>/dev/null || true
cp "$SRC/data/models/follower-default.toml" m1.toml
refuse "--out: 'm1.toml' is not valid" "--model 'm1.toml'" -- audit followers.csv --model m1.toml --out m1.toml
refuse "--append-to: 'followers.csv' is not valid" "the input 'followers.csv'" -- \
  audit followers.csv --handle bob --append-to followers.csv
rm -f m.toml audits.csv m1.toml

# Two outputs of one run naming the same file (or both standard output).
refuse "--rejects: 'x.h5' is not valid" "a different file than --out 'x.h5'" -- \
  import e.csv --on-error skip --out x.h5 --rejects x.h5
refuse "--rejects: './x.h5' is not valid" "than --out 'x.h5'" -- \
  score --in e.csv --on-error skip --out x.h5 --rejects ./x.h5
refuse "--rejects: '-' is not valid" "a different destination than --out '-'" -- \
  import e.csv --on-error skip --out - --rejects -
refuse "--append-to: 'a.h5' is not valid" "than --out 'a.h5'" -- \
  audit followers.csv --handle bob --out a.h5 --append-to a.h5
refuse "--append-to: '-' is not valid" "read and updated in place" -- \
  audit followers.csv --handle bob --append-to -

# '-' is standard output: the data alone goes there, messages go to standard error, and no
# file named '-' appears.
"$M" -q export s.h5 --csv - > rows.csv 2> msg.txt
[[ $(head -c 3 rows.csv) == "id," ]] || fail "export --csv - did not write the CSV to stdout"
[[ $(wc -l < rows.csv) == 2001 ]] || fail "export --csv - wrote $(wc -l < rows.csv) lines"
grep -q "Wrote 2000 rows" msg.txt || fail "export's message did not go to stderr"
"$M" -q import e.csv --on-error skip --out x.h5 --rejects - > rejects.csv
grep -q '^3,2,followers,-5' rejects.csv || fail "import --rejects - did not list the rejected row"
! grep -q "^Read" rejects.csv || fail "import's summary is mixed into --rejects -"
"$M" -q generate --count 100 --out - > piped.h5
[[ $(head -c 4 piped.h5 | od -An -c | tr -d ' ') == '211HDF' ]] || fail "generate --out - is not HDF5"
"$M" -q export piped.h5 --csv - | grep -c '' | grep -qx 101 || fail "the piped HDF5 does not read back"
"$M" -q audit fit followers.csv --label rating --cv 2 --out - > model.toml 2> /dev/null
grep -q '^format = "microreach.follower-model"' model.toml || fail "audit fit --out - wrote no model"
[[ ! -e ./- ]] || fail "a file named '-' was written"
# HDF5 to a terminal is refused (checked where a pseudo-terminal can be had).
if command -v script > /dev/null && script -qec true /dev/null > /dev/null 2>&1; then
  script -qec "'$M' -q generate --count 10 --out -" /dev/null > tty.txt 2>&1 || true
  grep -q "writes HDF5 (binary) to standard output, which is a terminal" tty.txt \
    || { cat tty.txt; fail "HDF5 to a terminal was not refused"; }
fi
# A reader that stops early (SIGPIPE during the copy) leaves no temporary file in $TMPDIR.
mkdir -p spool
set +o pipefail
TMPDIR="$WORK/spool" "$M" -q export s.h5 --csv - 2> /dev/null | head -1 > /dev/null
set -o pipefail
[[ -z $(ls -A spool) ]] || fail "a temporary file was left in \$TMPDIR: $(ls -A spool)"
# A failed run writes nothing to standard output either.
set +e
"$M" -q export p.h5 --top 5 --csv - > failed.csv 2> /dev/null
set -e
[[ ! -s failed.csv ]] || fail "a refused export wrote to standard output"

# Through a symbolic link to a regular file, the file the link names is replaced; the link stays.
"$M" -q generate --count 50 --out target.h5
ln -s target.h5 out_link.h5
"$M" -q generate --count 60 --out out_link.h5
[[ -L out_link.h5 ]] || fail "the symbolic link was replaced by a regular file"
"$M" -q export target.h5 --csv - | grep -c '' | grep -qx 61 || fail "the link's target was not rewritten"
cmp -s c.h5 c_keep.h5 || fail "the campaign input changed"
echo "robust_outputs: ok"
