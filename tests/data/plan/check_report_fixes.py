#!/usr/bin/python3
"""Checks the report's faults a planner saw, on real runs (see tests/cli/report_fixes.sh).

    check_report_fixes.py REPORT_PY WHAT FILE.h5 REPORT.html

WHAT is one of:
  tornado      the tornado's tick labels state the positions they stand at; each panel ranks
               its inputs by its own effect (the spread panel by the effect on the spread, so
               the conversion shock is kept there), largest on top
  sensitivity  the report of a `microreach sensitivity` file is titled a sensitivity report and
               does not send the reader to simulate --keep-trials
  sweep        the sweep report's per-strategy summary is a filled table, one row per point
  nothing      a strategy that hires nobody says "nothing hired" in the report
  campaign     the campaign report has a hire table per strategy whose cells equal the file,
               spend and (when a plan spends < 90 %) unspent
"""
import importlib.util
import re
import sys

import h5py
import numpy as np


def load(script):
    spec = importlib.util.spec_from_file_location("report", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def tick_number(text):
    t = text.replace("\u2212", "-").replace(",", "").replace(" pts", "").replace("%", "")
    t = "0" if t == "0" else t
    return float(t)


def main(argv):
    script, what, h5path, html_path = argv
    rep = load(script)
    html = open(html_path, encoding="utf-8").read()
    problems = []
    if what == "tornado":
        run, _ = rep.make_report(h5path, html_path + ".again.html", "")
        ticks = [t for t in run.tornado_ticks]
        for panel in ticks:
            shown = [(pos, text) for pos, text in panel if text]
            if len(shown) < 3:
                problems.append(f"a tornado panel has only {len(shown)} tick labels")
            for pos, text in shown:
                if abs(tick_number(text) - pos) > 1e-9 * max(1.0, abs(pos)):
                    problems.append(f"tick label {text!r} stands at {pos!r}")
        sens = run.sensitivity
        for (st, panel), d in run.tornado_data.items():
            rows = sens[sens["strategy"] == st]
            want = rows.sort_values(f"effect_{panel}", ascending=False, kind="stable")
            top = set(want["parameter"].head(len(d["names"])))
            if set(d["names"]) != top:
                problems.append(f"strategy {st} {panel} panel shows {d['names']}, the largest "
                                f"effects on the {panel} are {sorted(top)}")
            widths = np.abs(d["high"] - d["low"])
            # Largest on top (the last bar is drawn at the top).
            eff = [float(rows[rows["parameter"] == n][f"effect_{panel}"].iloc[0])
                   for n in d["names"]]
            if eff != sorted(eff):
                problems.append(f"strategy {st} {panel} panel is not ordered by its effect")
            if len(widths) == 0:
                problems.append("empty tornado panel")
        spread_names = {n for (st, p), d in run.tornado_data.items() if p == "spread"
                        for n in d["names"]}
        if "model.conversion_shock_sigma" not in spread_names:
            problems.append("the spread panel drops the conversion shock")
    elif what == "sensitivity":
        title = re.search(r"<h1>(.*?)</h1>", html).group(1)
        if title != "microreach sensitivity report":
            problems.append(f"title is {title!r}")
        if "keep-trials" in html:
            problems.append("the sensitivity report mentions --keep-trials")
        if "effect on mean (pts)" not in html:
            problems.append("the sensitivity table does not label its effects in points")
    elif what == "sweep":
        m = re.search(r"<h2>Summary per strategy(.*?)</h2>(.*?)(<h2>|<details>)", html, re.S)
        if not m:
            problems.append("no 'Summary per strategy' section")
        else:
            n = len(h5py.File(h5path, "r")["sweep"]["value"])
            rows = m.group(2).count("<tr") - 1
            if rows != n:
                problems.append(f"the per-strategy summary has {rows} rows for {n} points")
    elif what == "nothing":
        f = h5py.File(h5path, "r")
        empty = [i for i in range(len(f["strategies"]))
                 if int(f["strategies"][str(i)].attrs["hired"]) == 0]
        if not empty:
            problems.append("the campaign has no strategy that hires nobody (test setup)")
        for i in empty:
            label = f["strategies"][str(i)].attrs["label"]
            label = label.decode() if isinstance(label, bytes) else label
            if f"{label}</b>: nothing hired" not in html:
                problems.append(f"'{label}: nothing hired' is not shown")
    elif what == "campaign":
        f = h5py.File(h5path, "r")
        for i in range(len(f["strategies"])):
            g = f["strategies"][str(i)]
            if int(g.attrs["hired"]) == 0:
                continue
            if f'id="hires-{i}"' not in html:
                problems.append(f"no hire table for strategy {i}")
            handle = g["hired/handle"][0]
            handle = handle.decode() if isinstance(handle, bytes) else handle
            if f"@{handle}<" not in html:
                problems.append(f"strategy {i}'s first hire @{handle} is not listed")
            if f'data-src="strategies/{i}/hired/followers:0"' not in html:
                problems.append(f"strategy {i}'s hire followers are not traced to the file")
            cost, budget = float(g.attrs["cost"]), float(g.attrs["budget"])
            if cost < 0.9 * budget and "unspent (USD, kept as cash)" not in html:
                problems.append(f"strategy {i} spends {cost} of {budget}; no unspent column")
        if "spend (USD)" not in html:
            problems.append("no spend column")
    else:
        problems.append(f"unknown check {what}")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"ok: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
