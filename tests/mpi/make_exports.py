#!/usr/bin/env python3
"""Writes test exports for the distributed import tests: the same few thousand accounts as
CSV (quoted fields with newlines, commas and doubled quotes, blank lines, CRLF line ends),
and as NDJSON; rows with bad values (for --on-error skip) and repeated accounts (--dedupe)
spread over the whole file, so every rank of a distributed run gets some.
  make_exports.py ROWS SEED OUT.csv OUT.ndjson [--bad] [--crlf]
"""
import json
import random
import sys

rows, seed, csv_path, json_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
bad = "--bad" in sys.argv
crlf = "--crlf" in sys.argv
rng = random.Random(seed)
cats = ["Fitness", "Beauty & Makeup", "travel", "Food, Cooking", "gaming", "", "Tech"]
countries = ["Germany", "Brazil", "Côte d'Ivoire", "", "United States", "India"]


def quote(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s


records = []
for i in range(rows):
    handle = f"user{rng.randrange(rows * 9 // 10)}"  # about one account in ten repeats
    if rng.random() < 0.3:
        handle = handle.upper()  # the same account, another case
    followers = str(rng.randrange(1000, 5_000_000))
    if rng.random() < 0.2:
        followers = f"{rng.randrange(10, 999) / 10}k"
    likes = str(rng.randrange(0, 50_000))
    comments = str(rng.randrange(0, 800))
    bio = rng.choice(["plain", 'says "hi", often', "two\nlines", "a, b\nc \"d\"\ne", ""])
    rec = {
        "handle": handle,
        "platform": rng.choice(["instagram", "tiktok", "YouTube"]),
        "followers": followers,
        "avg_likes": likes,
        "avg_comments": comments,
        "category": rng.choice(cats),
        "country": rng.choice(countries),
        "bio": bio,
    }
    if bad and rng.random() < 0.03:
        rec[rng.choice(["followers", "avg_likes"])] = rng.choice(["lots", "-5", "12%"])
    records.append(rec)

keys = list(records[0].keys())
eol = "\r\n" if crlf else "\n"
with open(csv_path, "w", encoding="utf-8", newline="") as f:
    f.write(",".join(keys) + eol)
    for i, rec in enumerate(records):
        f.write(",".join(quote(rec[k]) for k in keys) + eol)
        if i % 397 == 5:
            f.write(eol)  # a blank line: skipped, but counted in the line numbers
with open(json_path, "w", encoding="utf-8") as f:
    for i, rec in enumerate(records):
        obj = dict(rec)
        if obj["followers"].isdigit():
            obj["followers"] = int(obj["followers"])  # numbers as numbers, mostly
        f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        if i % 501 == 7:
            f.write("\n")
