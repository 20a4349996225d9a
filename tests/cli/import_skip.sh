#!/usr/bin/env bash
# --on-error skip: good rows are kept, counts add up, the rejects file lists each bad row with
# its line, column and reason; the same counts through `score --in data.csv`.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${PYTHON:=/usr/bin/python3}"
fresh_work

cat > mixed.csv <<'CSV'
handle,followers,avg_likes,engagement_rate,country
good1,1.2k,30,,France
bad_value,12x,5,,
good2,"2,500",,2.5%,
bad_negative,-3,1,,
"multi
line ok",15k,100,,Chile

bad_fields,10
bad_rate,1000,,150%,
bad_likes,10,1001,,
good3,4M,80k,,"Côte d'Ivoire"
CSV
"$MICROREACH" -q import mixed.csv --out p.h5 --on-error skip --rejects rej.csv > out.txt
grep -qF "Read 9 rows from mixed.csv: kept 4, rejected 5" out.txt || { cat out.txt; fail "counts"; }
"$PYTHON" - <<'PY' || fail "content check"
import csv, h5py
rows = list(csv.DictReader(open("rej.csv", newline="")))
assert [int(r["line"]) for r in rows] == [3, 5, 9, 10, 11], rows
assert [int(r["column"]) for r in rows] == [2, 2, 3, 4, 3], rows
assert rows[0]["text"] == "12x" and "expected a number" in rows[0]["reason"], rows[0]
assert rows[0]["row"] == "bad_value,12x,5,,", rows[0]
assert rows[2]["reason"].startswith("expected 5 fields"), rows[2]
assert rows[3]["column_name"] == "engagement_rate" and rows[3]["text"] == "150%", rows[3]
with h5py.File("p.h5", "r") as f:
    raw, off = f["profiles/handle_bytes"][()].tobytes(), f["profiles/handle_offsets"][()]
    h = [raw[off[i]:off[i + 1]].decode() for i in range(len(off) - 1)]
    assert h == ["good1", "good2", "multi\nline ok", "good3"], h
    fo = f["profiles/followers"][()]
    assert list(fo) == [1200.0, 2500.0, 15000.0, 4e6], fo
    assert f["profiles/avg_likes"][1] == 0.025 * 2500
    assert list(f["profiles/id"][()]) == [2, 4, 6, 12]
    # Columns the file lacks are left out (readers take them as missing), the rest are there.
    names = set(f["profiles"])
    assert {"following", "posts", "avg_comments", "niche", "price_per_post"}.isdisjoint(names), names
    assert {"id", "handle_bytes", "handle_offsets", "platform", "followers", "avg_likes", "country"} <= names, names
PY
# Without --rejects the first rejects are shown on stderr.
"$MICROREACH" import mixed.csv --out p2.h5 --on-error skip > /dev/null 2> err.txt
grep -qF "mixed.csv:3:2: column \"followers\": found '12x'" err.txt || { cat err.txt; fail "stderr rejects"; }
# score straight from the CSV, same counts, rejects listed.
"$MICROREACH" -q score --in mixed.csv --on-error skip --rejects rej2.csv --top 3 > score.txt
grep -qF "Read 9 rows: kept 4, rejected 5" score.txt || { cat score.txt; fail "score counts"; }
cmp rej.csv rej2.csv || fail "score and import reject different rows"
echo "ok"
