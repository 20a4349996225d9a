#!/usr/bin/python3
"""Checks an HTML report of scripts/report.py against the HDF5 file it was made from.

    check_report.py FILE.h5 REPORT.html FIGDIR FIGURE [FIGURE ...]

- every table cell with data-src/data-value: the value equals the one stored in the file at
  that place (exactly: the report writes repr(float)), and the text shown agrees with it to
  the precision shown;
- the summary table covers every strategy and the headline metrics;
- each named figure is embedded in the HTML as a PNG and written to FIGDIR/<name>.png, and
  each PNG is valid (signature, IHDR, IEND) and of a sensible size;
- the provenance attributes are in the report.
Exit 0 when everything holds, 1 with a list of problems otherwise.
"""
import base64
import re
import struct
import sys
import zlib
from html.parser import HTMLParser

import h5py
import numpy as np


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells = []  # (src, value, text)
        self.images = {}  # figure id -> bytes
        self._cur = None
        self._fig = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "data-src" in a:
            self._cur = [a["data-src"], a["data-value"], ""]
        if tag == "figure":
            self._fig = a.get("id", "")
        if tag == "img" and self._fig and a.get("src", "").startswith("data:image/png;base64,"):
            self.images[self._fig.replace("fig-", "")] = base64.b64decode(
                a["src"].split(",", 1)[1])

    def handle_endtag(self, tag):
        if tag == "td" and self._cur is not None:
            self.cells.append(tuple(self._cur))
            self._cur = None
        if tag == "figure":
            self._fig = None

    def handle_data(self, data):
        if self._cur is not None:
            self._cur[2] += data
        self.text.append(data)


def stored(f, src):
    """The value at data-src: 'group/row/column', 'strategies/i@attr' or '@attr'."""
    if src.startswith("@"):
        return float(np.asarray(f.attrs[src[1:]]).item())
    if ":" in src:  # 'path/to/dataset:row'
        path, row = src.rsplit(":", 1)
        return float(f[path][int(row)])
    if "@" in src:
        path, attr = src.split("@")
        return float(np.asarray(f[path].attrs[attr]).item())
    group, row, col = src.split("/")
    return float(f[group][col][int(row)])


def shown_number(text):
    """The number a cell shows, and the unit of its last digit (for the tolerance)."""
    t = text.strip().replace(",", "").replace("$", "").replace("\u2212", "-").rstrip("*")
    if t.endswith(" pts"):
        t = t[:-4] + "%"
    pct = t.endswith("%")
    t = t.rstrip("%").strip()
    m = re.fullmatch(r"[-+]?\d+(\.(\d+))?(e[-+]?\d+)?", t)
    if not m:
        return None, None
    value = float(t)
    if m.group(3):  # %.6g in scientific notation: relative precision
        ulp = abs(value) * 1e-5
    else:
        decimals = len(m.group(2)) if m.group(2) else 0
        ulp = 10.0 ** -decimals
    if pct:
        value, ulp = value / 100, ulp / 100
    return value, ulp


def png_ok(data, name, problems):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        problems.append(f"{name}: not a PNG (bad signature)")
        return
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        problems.append(f"{name}: first PNG chunk is not IHDR")
        return
    w, h = struct.unpack(">II", data[16:24])
    if zlib.crc32(data[12:29]) != struct.unpack(">I", data[29:33])[0]:
        problems.append(f"{name}: IHDR checksum is wrong")
    if not (600 <= w <= 2400 and 300 <= h <= 2400):
        problems.append(f"{name}: {w}x{h} pixels is not a sensible figure size")
    if data[-12:-4] != b"\x00\x00\x00\x00IEND":
        problems.append(f"{name}: no IEND chunk (truncated)")
    if not (10_000 <= len(data) <= 1_000_000):
        problems.append(f"{name}: {len(data)} bytes is not a sensible PNG size")


def main(argv):
    h5path, html_path, figdir, *figs = argv
    problems = []
    html = open(html_path, encoding="utf-8").read()
    p = Cells()
    p.feed(html)
    with h5py.File(h5path, "r") as f:
        if len(p.cells) < 20:
            problems.append(f"only {len(p.cells)} numeric cells in the report")
        for src, value, text in p.cells:
            try:
                want = stored(f, src)
            except (KeyError, ValueError, IndexError) as e:
                problems.append(f"{src}: not in the file ({e})")
                continue
            got = float(value)
            if not (got == want or (np.isnan(got) and np.isnan(want))):
                problems.append(f"{src}: report has {got!r}, file has {want!r}")
            shown, ulp = shown_number(text)
            if shown is None:
                if text.strip() != "n/a" or np.isfinite(want):
                    problems.append(f"{src}: cannot read the number shown: {text!r}")
                continue
            if abs(shown - want) > 0.51 * ulp + 1e-12 * abs(want):
                problems.append(f"{src}: shows {text!r} = {shown}, file has {want!r}")
        n = len(f["strategies"])
        srcs = {c[0] for c in p.cells}
        metric_names = [m.decode() if isinstance(m, bytes) else m
                        for m in f["summary"]["metric"].attrs["categories"]]
        strat = f["summary"]["strategy"][()]
        metric = f["summary"]["metric"][()]
        for i in range(n):
            for m in ("unique_reach", "profit", "roi"):
                rows = np.flatnonzero((strat == i) & (metric == metric_names.index(m)))
                if len(rows) != 1 or f"summary/{rows[0]}/mean" not in srcs:
                    problems.append(f"summary mean of strategy {i} metric {m} not in the report")
        for k in ("seed", "trials", "git_sha", "filetype", "command"):
            if k not in f.attrs:
                continue
            if f">{k}<" not in html:
                problems.append(f"provenance attribute {k} not in the report")
        if "sweep" in f:
            for k in range(len(f["sweep"]["value"])):
                if f"sweep/{k}/profit_mean" not in srcs:
                    problems.append(f"sweep row {k} not in the report")
        if "sensitivity" in f:
            for k in range(len(f["sensitivity"]["rank"])):
                if f"sensitivity/{k}/effect_mean" not in srcs:
                    problems.append(f"sensitivity row {k} not in the report")
    for name in figs:
        if name not in p.images:
            problems.append(f"figure {name} is not embedded in the report")
        else:
            png_ok(p.images[name], f"embedded {name}", problems)
        try:
            data = open(f"{figdir}/{name}.png", "rb").read()
        except OSError as e:
            problems.append(f"{figdir}/{name}.png: {e}")
            continue
        png_ok(data, f"{figdir}/{name}.png", problems)
        if name in p.images and p.images[name] != data:
            problems.append(f"{name}: the embedded PNG differs from {figdir}/{name}.png")
    extra = set(p.images) - set(figs)
    if extra:
        problems.append(f"unexpected figures in the report: {sorted(extra)}")
    if problems:
        print("\n".join(problems[:50]))
        print(f"{len(problems)} problem(s) in {html_path}")
        return 1
    print(f"ok: {len(p.cells)} numbers in {html_path} equal {h5path}; figures {', '.join(figs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
