#!/usr/bin/python3
"""Turn a microreach campaign or sweep HDF5 file into PNG figures and one self-contained HTML
report (figures embedded as base64 PNG, the summary table, the run's provenance).

    /usr/bin/python3 scripts/report.py FILE.h5 -o report.html [--figures DIR]

Reads the layouts of docs/hdf5-layout.md ("Campaign files (microreach.campaign)" and "Sweep
files (microreach.sweep)"); what each figure shows is in docs/report.md. Every number printed in
the HTML tables carries its exact stored value in a data-value attribute and the HDF5 location
it came from in data-src, so a test can check the report against the file.

Exit codes: 0 ok, 2 bad usage, 3 the input is not a readable microreach campaign/sweep file,
4 a Python module is missing (the message names the Debian package).
"""
import argparse
import base64
import html
import io
import os
import sys
import tempfile

MISSING = []
try:
    import numpy as np
except ImportError:
    MISSING.append("python3-numpy")
try:
    import h5py
except ImportError:
    MISSING.append("python3-h5py")
try:
    import pandas as pd
except ImportError:
    MISSING.append("python3-pandas")
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, PercentFormatter
except ImportError:
    MISSING.append("python3-matplotlib")

FILETYPES = ("microreach.campaign", "microreach.sweep")
FORMAT_MAJOR = 1
METRICS = ["unique_reach", "impressions", "frequency", "engagements", "conversions", "revenue",
           "cost", "profit", "roi"]
METRIC_TITLE = {"unique_reach": "Unique reach", "impressions": "Impressions",
                "frequency": "Frequency", "engagements": "Engagements",
                "conversions": "Conversions", "revenue": "Revenue", "cost": "Cost",
                "profit": "Profit", "roi": "ROI"}
METRIC_UNITS = {"unique_reach": "people", "impressions": "impressions",
                "frequency": "impressions per person", "engagements": "engagements",
                "conversions": "purchases", "revenue": "USD", "cost": "USD", "profit": "USD",
                "roi": "% of cost"}
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
          "#F0E442"]
DPI = 100
UNSPENT_SHOWN = 0.90  # a plan spending less than this share of its budget shows `unspent`


class ReportError(Exception):
    """A problem with the input file: message for the user, exit code 3."""


# ----------------------------------------------------------------------------- formatting
# The rules of the C++ formatting module (include/microreach/format.hpp), so the report prints
# numbers as the terminal does: money in whole dollars grouped ("$25,000", under $100 with
# cents), counts grouped (under 100 with three significant digits), percentages with one
# decimal ("22.3%", "+22.3%" where the sign matters), differences of percentages in points
# ("+3.2 pts"), other numbers with four significant digits; "n/a" when not finite.
SHORTFALL = "expected shortfall"
SHORTFALL_HELP = "expected shortfall = mean of the worst 5% of trials"


def _finite(x):
    return x is not None and np.isfinite(x)


def _grouped(whole):
    return f"{abs(whole):,.0f}"


def fmt_usd(x, _pos=None):
    if not _finite(x):
        return "n/a"
    a = abs(float(x))
    cents = round(a * 100) < 10000
    shown = round(a * 100) / 100 if cents else round(a)
    sign = "-" if shown > 0 and x < 0 else ""
    return f"{sign}${shown:.2f}" if cents else f"{sign}${_grouped(shown)}"


def fmt_count(x, _pos=None):
    if not _finite(x):
        return "n/a"
    x = float(x)
    if round(abs(x)) >= 100:
        return ("-" if x < 0 else "") + _grouped(round(abs(x)))
    if x == round(x):
        return f"{x:.0f}"
    return f"{x:.3g}"


def fmt_pct(x, sign=False):
    """A ratio as a percentage: 0.253 -> '25.3%'."""
    if not _finite(x):
        return "n/a"
    pct = round(1000 * float(x)) / 10 + 0.0
    if pct == 0:
        pct = 0.0
    return f"{pct:+.1f}%" if sign else f"{pct:.1f}%"


def fmt_points(x):
    """A difference of two ratios in percentage points: 0.032 -> '+3.2 pts'."""
    if not _finite(x):
        return "n/a"
    pts = round(1000 * float(x)) / 10
    if pts == 0:
        pts = 0.0
    return f"{pts:+.1f} pts"


def fmt_number(x):
    if not _finite(x):
        return "n/a"
    return f"{float(x):.4g}"


def percent_ticks(v, _pos=None):
    return f"{100 * v:,.6g}%"


def scale_axis(ax, which, unit, title):
    """Mark an axis of money or counts: when the figure is saved its ticks are plain numbers in
    the unit its label names ("Profit (thousand USD)"), so tick labels never abbreviate and
    never crowd. A ROI axis ("%") gets percentage ticks."""
    if not hasattr(ax, "_scaled"):
        ax._scaled = []
    ax._scaled.append((which, unit, title))
    # A label of the final length now, so the layout (tight_layout) leaves room for it.
    (ax.set_xlabel if which == "x" else ax.set_ylabel)(
        f"{title} (% of cost)" if unit == "%" else f"{title} (thousand {unit})")


def apply_scales(fig):
    for ax in fig.axes:
        for which, unit, title in getattr(ax, "_scaled", []):
            axis = ax.xaxis if which == "x" else ax.yaxis
            setlabel = ax.set_xlabel if which == "x" else ax.set_ylabel
            if unit == "%":
                axis.set_major_formatter(FuncFormatter(percent_ticks))
                setlabel(f"{title} (% of cost)")
                continue
            lo, hi = ax.get_xlim() if which == "x" else ax.get_ylim()
            top = max(abs(lo), abs(hi))
            factor, word = (1e6, "million ") if top >= 2e6 else \
                (1e3, "thousand ") if top >= 2e3 else (1, "")
            axis.set_major_formatter(FuncFormatter(
                lambda v, _p, f=factor: f"{v / f:,.6g}"))
            setlabel(f"{title} ({word}{unit})")


def fmt_metric(metric, x):
    if metric in ("profit", "revenue", "cost"):
        return fmt_usd(x)
    if metric == "roi":
        return fmt_pct(x, sign=True)
    if metric == "frequency":
        return fmt_number(x)
    return fmt_count(x)


def attr_text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray):
        return ", ".join(attr_text(x) for x in v.tolist())
    if isinstance(v, (list, tuple)):
        return ", ".join(attr_text(x) for x in v)
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(v)


# ----------------------------------------------------------------------------- reading
class Run:
    """Everything the report needs from one campaign or sweep file."""

    def __init__(self, path):
        self.path = path
        if not os.path.exists(path):
            raise ReportError(f"{path}: no such file")
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            raise ReportError(f"{path}: is not an HDF5 file or is truncated ({e}); expected a "
                              "campaign file from 'microreach simulate --out' or a sweep file "
                              "from 'microreach sweep --out'")
        with f:
            self._read(f)

    def _need(self, f, name):
        if name not in f:
            raise ReportError(f"{self.path}: has no '{name}' (the {self.filetype} layout of "
                              "docs/hdf5-layout.md requires it)")
        return f[name]

    def _table(self, f, name):
        g = self._need(f, name)
        cols = {}
        n = None
        for k, ds in g.items():
            if not isinstance(ds, h5py.Dataset) or ds.ndim != 1:
                continue
            v = ds[()]
            if v.dtype.kind == "O":
                v = np.array([x.decode() if isinstance(x, bytes) else x for x in v], dtype=object)
            if n is not None and len(v) != n:
                raise ReportError(f"{self.path}: column '{name}/{k}' has {len(v)} rows, the "
                                  f"others {n}")
            n = len(v)
            cols[k] = v
            if "categories" in ds.attrs:
                cats = [attr_text(c) for c in ds.attrs["categories"]]
                cols[k + "_name"] = np.array(
                    [cats[c] if c < len(cats) else "unknown" for c in v], dtype=object)
        return pd.DataFrame(cols)

    def _read(self, f):
        a = f.attrs
        if "filetype" not in a:
            raise ReportError(f"{self.path}: has no 'filetype' attribute: not a microreach file "
                              f"(expected one of {', '.join(FILETYPES)})")
        self.filetype = attr_text(a["filetype"])
        if self.filetype not in FILETYPES:
            raise ReportError(f"{self.path}: is a '{self.filetype}' file; the report needs a "
                              f"'microreach.campaign' file (microreach simulate --out) or a "
                              f"'microreach.sweep' file (microreach sweep --out)")
        if "format_version" not in a:
            raise ReportError(f"{self.path}: has no 'format_version' attribute "
                              f"(expected [{FORMAT_MAJOR}, minor])")
        v = np.atleast_1d(a["format_version"])
        if len(v) != 2:
            raise ReportError(f"{self.path}: attribute 'format_version' should hold two integers "
                              "[major, minor]")
        if int(v[0]) != FORMAT_MAJOR:
            raise ReportError(f"{self.path}: has format version {int(v[0])}.{int(v[1])}; this "
                              f"report reads version {FORMAT_MAJOR}.x")
        self.attrs = {k: a[k] for k in a}
        self.specs = [attr_text(s) for s in np.atleast_1d(a.get("strategies", []))]
        sg = self._need(f, "strategies")
        self.strategies = []
        for i in range(len(sg)):
            if str(i) not in sg:
                raise ReportError(f"{self.path}: has no group 'strategies/{i}' (the strategies "
                                  "are numbered 0, 1, ...)")
            g = sg[str(i)]
            hires = None
            if "hired" in g and isinstance(g["hired"], h5py.Group):
                hires = {}
                for k in ("handle", "platform", "tier", "followers", "price", "cost",
                          "expected_reach", "score"):
                    if k in g["hired"]:
                        ds = g["hired"][k]
                        v = ds[()]
                        if v.dtype.kind in "OS":
                            v = np.array([x.decode("utf-8", "replace") if isinstance(x, bytes)
                                          else str(x) for x in v], dtype=object)
                        if "categories" in ds.attrs:
                            cats = [attr_text(c) for c in ds.attrs["categories"]]
                            v = np.array([cats[c] if c < len(cats) else "unknown" for c in v],
                                         dtype=object)
                        hires[k] = v
            self.strategies.append(dict(
                spec=attr_text(g.attrs.get("spec", "")),
                label=attr_text(g.attrs.get("label", g.attrs.get("spec", str(i)))),
                hired=int(g.attrs.get("hired", 0)), cost=float(g.attrs.get("cost", np.nan)),
                budget=float(g.attrs.get("budget", np.nan)),
                note=attr_text(g.attrs.get("note", "")),
                description=attr_text(g.attrs.get("description", "")),
                hires=hires))
        self.summary = self._table(f, "summary")
        need = {"strategy", "metric", "mean", "se", "sd", "p5", "p50", "p95", "shortfall",
                "p_negative"}
        miss = need - set(self.summary.columns)
        if miss:
            raise ReportError(f"{self.path}: /summary lacks column(s) {', '.join(sorted(miss))}")
        if "metric_name" not in self.summary:
            raise ReportError(f"{self.path}: /summary/metric has no 'categories' attribute")
        # Statistics that are not finite would print as "n/a" or draw nothing: a file with them
        # is damaged or was written by a faulty run, and a report of it would mislead.
        for col in ("mean", "se", "sd", "p5", "p50", "p95", "shortfall", "p_negative"):
            v = self.summary[col].to_numpy(float)
            bad = np.flatnonzero(~np.isfinite(v))
            if len(bad):
                k = int(bad[0])
                raise ReportError(
                    f"{self.path}: /summary/{col} row {k} (strategy "
                    f"{int(self.summary.strategy.iloc[k])}, metric "
                    f"{self.summary.metric_name.iloc[k]}) is {v[k]!r}, and {len(bad)} value(s) "
                    f"of /summary/{col} are not finite: the file's statistics are damaged; "
                    "re-run the simulation that wrote it")
        self.summary["row"] = np.arange(len(self.summary))
        self.comparisons = self._table(f, "comparisons") if "comparisons" in f else None
        self.sweep = self._table(f, "sweep") if "sweep" in f else None
        self.frontier = self._table(f, "frontier") if "frontier" in f else None
        self.sensitivity = self._table(f, "sensitivity") if "sensitivity" in f else None
        self.sensitivity_attrs = ({k: f["sensitivity"].attrs[k] for k in f["sensitivity"].attrs}
                                  if "sensitivity" in f else {})
        self.trials = None
        if "trials" in f:
            self.trials = {}
            for i in range(len(self.strategies)):
                if str(i) in f["trials"]:
                    g = f["trials"][str(i)]
                    self.trials[i] = {m: g[m][()] for m in ("profit", "roi") if m in g}
        self.distributions = None
        if "distributions" in f:
            self.distributions = {}
            for m in ("profit", "roi"):
                if m in f["distributions"]:
                    g = f["distributions"][m]
                    self.distributions[m] = dict(edges=g["edges"][()], counts=g["counts"][()])
        if len(self.strategies) == 0:
            raise ReportError(f"{self.path}: has no strategies")

    # helpers
    def stat(self, i, metric, _unused=None):
        r = self.summary[(self.summary.strategy == i) & (self.summary.metric_name == metric)]
        if len(r) == 0:
            raise ReportError(f"{self.path}: /summary has no row for strategy {i}, metric "
                              f"'{metric}'")
        return r.iloc[0]

    def a(self, name, default=None):
        if name not in self.attrs:
            return default
        v = self.attrs[name]
        if isinstance(v, (bytes, str)):
            return attr_text(v)
        if isinstance(v, np.ndarray) and v.shape == ():
            return v.item()
        return v

    def label(self, i):
        return self.strategies[i]["label"] or self.strategies[i]["spec"]

    def scenario_line(self):
        parts = []
        b = self.a("budget")
        if b is not None and self.a("axis") != "budget":
            parts.append(f"budget {fmt_usd(float(b))}")
        n = self.a("niche")
        if n:
            parts.append(f"niche {n}")
        t = self.a("trials")
        if t is not None:
            parts.append(f"{int(t):,} trials")
        s = self.a("seed")
        if s is not None:
            parts.append(f"seed {int(s)}")
        return ", ".join(parts)

    @property
    def kind(self):
        """campaign, sweep or sensitivity (a sweep file written by `microreach sensitivity`)."""
        if self.filetype != "microreach.sweep":
            return "campaign"
        return "sensitivity" if self.a("axis") == "none" else "sweep"

    def spend(self, i):
        """Fees, budget and unspent (kept as cash) of strategy i."""
        st = self.strategies[i]
        cost, budget = st["cost"], st["budget"]
        unspent = max(0.0, budget - cost) if np.isfinite(budget) and np.isfinite(cost) else np.nan
        return cost, budget, unspent

    def shows_unspent(self, i):
        cost, budget, _ = self.spend(i)
        return bool(np.isfinite(budget) and budget > 0 and cost < UNSPENT_SHOWN * budget)

    @property
    def is_sweep(self):
        return self.sweep is not None and len(self.sweep) > 0


# ----------------------------------------------------------------------------- figures
def save_png(fig, name, figures, figdir):
    apply_scales(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    data = buf.getvalue()
    figures.append((name, data))
    if figdir:
        os.makedirs(figdir, exist_ok=True)
        final = os.path.join(figdir, name + ".png")
        fd, tmp = tempfile.mkstemp(dir=figdir, prefix="." + name + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, final)


def style_axes(ax):
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)


def pick_points(run, limit=5):
    """Strategies to show in the distribution figure: all of a campaign (up to 8); for a sweep
    the first, the best, the last and evenly spaced ones between."""
    n = len(run.strategies)
    if not run.is_sweep:
        return list(range(min(n, 8)))
    best = int(run.a("best_point", 0))
    pts = set(np.linspace(0, n - 1, limit - 1).round().astype(int).tolist()) | {best}
    return sorted(pts)[: limit + 1]


def fig_distributions(run, figures, figdir):
    """ROI and profit distributions per strategy, one row per strategy (each row scaled to its
    own peak, so a narrow and a wide distribution are both readable), from per-trial values or
    stored histograms; otherwise interval plots from the summary quantiles."""
    pts = pick_points(run)
    src = None
    if run.trials and all(i in run.trials and "profit" in run.trials[i] for i in pts):
        src = "trials"
    elif run.distributions and "profit" in run.distributions and "roi" in run.distributions:
        src = "histograms"
    height = 1.9 + (0.85 if src else 0.6) * len(pts)
    fig, axes = plt.subplots(1, 2, figsize=(12, max(4.0, height)))
    for ax, metric in zip(axes, ("profit", "roi")):
        style_axes(ax)
        ax.axvline(0, color="#444444", linewidth=1)
        scale_axis(ax, "x", "%" if metric == "roi" else METRIC_UNITS[metric],
                   f"{METRIC_TITLE[metric]} per campaign")
        ax.set_yticks(range(len(pts)))
        ax.set_yticklabels([run.label(i) for i in reversed(pts)])
        ax.set_ylim(-0.3 if src else -0.6, len(pts) - (0.05 if src else 0.4))
        if src is None:
            # Interval plot: P5-P95 bar, P50 tick, mean dot, expected shortfall cross.
            for k, i in enumerate(pts):
                r = run.stat(i, metric)
                y = len(pts) - 1 - k
                c = COLORS[k % len(COLORS)]
                ax.plot([r.p5, r.p95], [y, y], color=c, linewidth=6, alpha=0.45,
                        solid_capstyle="butt", label="P5 to P95" if k == 0 else None)
                ax.plot([r.p50], [y], marker="|", color=c, markersize=18, mew=2.5,
                        label="median" if k == 0 else None)
                ax.plot([r["mean"]], [y], marker="o", color=c, markersize=8,
                        label="mean" if k == 0 else None)
                ax.plot([r.shortfall], [y], marker="x", color="#444444", markersize=9, mew=2,
                        label="expected shortfall (mean of worst 5 %)" if k == 0 else None)
            continue
        if src == "trials":
            allv = np.concatenate([run.trials[i][metric] for i in pts])
            lo, hi = np.quantile(allv, [0.005, 0.995])
            if hi <= lo:
                lo, hi = lo - 1, hi + 1
            edges = np.linspace(lo, hi, 61)
            hists = {i: np.histogram(np.clip(run.trials[i][metric], lo, hi), bins=edges)[0]
                     .astype(float) for i in pts}
        else:
            d = run.distributions[metric]
            edges = d["edges"]
            hists = {i: d["counts"][i].astype(float) for i in pts}
        for k, i in enumerate(pts):
            y = len(pts) - 1 - k
            h = hists[i]
            peak = h.max() if h.max() > 0 else 1.0
            c = COLORS[k % len(COLORS)]
            ax.stairs(y + 0.9 * h / peak, edges, baseline=y, color=c, fill=True, alpha=0.30)
            ax.stairs(y + 0.9 * h / peak, edges, baseline=y, color=c, linewidth=1.4)
            r = run.stat(i, metric)
            ax.plot([r["mean"]], [y + 0.08], marker="o", color="#222222", markersize=6,
                    label="mean" if k == 0 else None, zorder=5)
            ax.plot([r.p5, r.p95], [y + 0.08, y + 0.08], color="#222222", linewidth=1.2,
                    marker="|", markersize=9, label="P5 to P95" if k == 0 else None, zorder=5)
    axes[0].set_title("Profit: left of the black line the campaign loses money")
    axes[1].set_title("ROI = profit / cost")
    how = {"trials": "per-trial values; tails beyond P0.5-P99.5 piled into the end bins",
           "histograms": "histograms stored in the file; each row scaled to its own peak",
           None: ("summary quantiles: a sensitivity file keeps no per-trial values"
                  if run.kind == "sensitivity" else
                  "summary quantiles: the file has no per-trial table (simulate --keep-trials)")}[src]
    fig.suptitle(f"Profit and ROI distributions per strategy\n({run.scenario_line()}; {how})",
                 fontsize=12)
    h, lab = axes[0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=4, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.06 if height < 6 else 0.035, 1, 1))
    save_png(fig, "distributions", figures, figdir)


def fig_strategies(run, figures, figdir):
    """Side by side: mean and 90 % interval of reach, conversions, profit and ROI."""
    n = len(run.strategies)
    metrics = ["unique_reach", "conversions", "profit", "roi"]
    fig, axes = plt.subplots(1, 4, figsize=(14, max(3.2, 1.0 + 0.55 * n)), sharey=True)
    labels = [run.label(i) for i in range(n)]
    for ax, metric in zip(axes, metrics):
        style_axes(ax)
        for i in range(n):
            r = run.stat(i, metric)
            y = n - 1 - i
            c = COLORS[i % len(COLORS)]
            ax.barh(y, r["mean"], color=c, alpha=0.35, height=0.6)
            ax.plot([r.p5, r.p95], [y, y], color=c, linewidth=2.5)
            ax.plot([r.p5, r.p95], [y, y], linestyle="none", marker="|", color=c,
                    markersize=14, mew=2)
            ax.plot([r["mean"]], [y], marker="o", color=c)
        ax.axvline(0, color="#444444", linewidth=1)
        scale_axis(ax, "x", "%" if metric == "roi" else METRIC_UNITS[metric],
                   METRIC_TITLE[metric])
        ax.set_title(METRIC_TITLE[metric])
    axes[0].set_yticks(range(n))
    axes[0].set_yticklabels(list(reversed(labels)))
    fig.suptitle(f"Strategies side by side: mean (dot, bar) and 90% interval P5-P95 (line) "
                 f"({run.scenario_line()})", fontsize=12)
    fig.tight_layout()
    save_png(fig, "strategies", figures, figdir)


AXIS_TEXT = {"micro-count": ("Number of micro accounts hired", "accounts"),
             "mix": ("Share of the budget on one macro account", "share"),
             "budget": ("Campaign budget", "USD")}


def fig_sweep(run, figures, figdir):
    """Reach, profit, ROI and P(loss) against the swept value, with 90 % bands."""
    s = run.sweep.sort_values("value")
    axis = run.a("axis", "micro-count")
    xlabel, xunits = AXIS_TEXT.get(axis, (axis, ""))
    x = s["value"].to_numpy(float)
    if axis == "micro-count" and "hired" in s:
        # Accounts actually hired (a point can hire fewer than asked when the market runs out).
        x = s["hired"].to_numpy(float)
        xlabel = "Number of micro accounts hired"
    best = int(run.a("best_point", -1))
    objective = run.a("objective", "profit")
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.2), sharex=True)
    panels = [("unique_reach", "Unique people reached (after audience overlap)"),
              ("profit", "Profit per campaign"), ("roi", "ROI = profit / cost"),
              ("p_loss", "Probability of losing money")]
    for ax, (metric, title) in zip(axes.flat, panels):
        style_axes(ax)
        if metric == "p_loss":
            ax.plot(x, s["p_loss"], color=COLORS[1], linewidth=2, label="P(profit < 0)")
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
            ax.set_ylabel("P(loss) (share of trials)")
        else:
            ax.fill_between(x, s[f"{metric}_p5"], s[f"{metric}_p95"], color=COLORS[0],
                            alpha=0.18, label="90% interval (P5 to P95)")
            ax.plot(x, s[f"{metric}_mean"], color=COLORS[0], linewidth=2, label="mean")
            scale_axis(ax, "y", "%" if metric == "roi" else METRIC_UNITS[metric],
                       METRIC_TITLE[metric])
            if metric in ("profit", "roi"):
                ax.axhline(0, color="#444444", linewidth=1)
        if 0 <= best < len(run.strategies):
            row = s[s["strategy"] == best]
            if len(row):
                bx = float(row["hired"].iloc[0]) if (axis == "micro-count" and "hired" in s) \
                    else float(row["value"].iloc[0])
                ax.axvline(bx, color=COLORS[2], linestyle="--", linewidth=1.5,
                           label=f"best for {objective}")
        ax.set_title(title)
        ax.legend(fontsize=8, loc="best")
    for ax in axes[1]:
        ax.set_xlabel(f"{xlabel} ({xunits})")
        if axis == "budget":
            scale_axis(ax, "x", "USD", xlabel)
        elif axis == "mix":
            ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    base = run.a("base_strategy", "")
    fig.suptitle(f"Reach, profit and risk against {xlabel.lower()}"
                 f"{' (' + base + ')' if base else ''}; {run.scenario_line()}", fontsize=12)
    fig.tight_layout()
    save_png(fig, "sweep", figures, figdir)


def frontier_table(run):
    """The stored frontier, or one computed here with the same rule for campaign files."""
    if run.frontier is not None:
        fr = run.frontier.copy()
        fr["computed"] = False
        return fr
    n = len(run.strategies)
    mean = np.array([run.stat(i, "profit")["mean"] for i in range(n)])
    es = np.array([run.stat(i, "profit")["shortfall"] for i in range(n)])
    # d[i, j]: j is at least as good as i on both and better on one (a higher shortfall is a
    # smaller loss in the worst 5 %); i is dominated by the first such j.
    d = ((mean[None, :] >= mean[:, None]) & (es[None, :] >= es[:, None])
         & ((mean[None, :] > mean[:, None]) | (es[None, :] > es[:, None])))
    np.fill_diagonal(d, False)
    dom = d.any(axis=1).astype(np.uint8)
    by = np.where(dom == 1, d.argmax(axis=1), -1)
    return pd.DataFrame(dict(strategy=np.arange(n), expected_profit=mean, shortfall=es,
                             dominated=dom, dominated_by=by, computed=True))


def fig_frontier(run, figures, figdir):
    fr = frontier_table(run)
    risk = -fr["shortfall"].to_numpy(float)  # loss in the worst 5 % of trials
    ret = fr["expected_profit"].to_numpy(float)
    dom = fr["dominated"].to_numpy().astype(bool)
    fig, ax = plt.subplots(figsize=(10, 6.5))
    style_axes(ax)
    ax.scatter(risk[dom], ret[dom], s=40, facecolors="none", edgecolors="#999999",
               linewidths=1.4, label="dominated (another plan has more profit and less risk)")
    ax.scatter(risk[~dom], ret[~dom], s=70, color=COLORS[0], zorder=3,
               label="on the frontier (not dominated)")
    order = np.argsort(risk[~dom])
    ax.plot(risk[~dom][order], ret[~dom][order], color=COLORS[0], linewidth=1.5, zorder=2)
    n = len(fr)
    labelled = set(np.flatnonzero(~dom).tolist())
    if n <= 12:
        labelled = set(range(n))
    elif len(labelled) > 8:
        idx = np.flatnonzero(~dom)
        idx = idx[np.argsort(risk[idx])]
        labelled = set(idx[np.linspace(0, len(idx) - 1, 8).round().astype(int)].tolist())
    for k in labelled:
        i = int(fr["strategy"].iloc[k])
        ax.annotate(run.label(i), (risk[k], ret[k]), textcoords="offset points", xytext=(8, -12),
                    fontsize=8, color="#222222" if not dom[k] else "#777777",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    ax.axhline(0, color="#444444", linewidth=1)
    scale_axis(ax, "x", "USD", "Downside risk: average loss in the worst 5% of trials "
               f"(minus the {SHORTFALL} of profit)")
    scale_axis(ax, "y", "USD", "Expected profit per campaign")
    ax.set_xlabel("Downside risk: average loss in the worst 5 % of trials "
                  "(minus expected shortfall of profit, USD)")
    ax.set_ylabel("Expected profit per campaign (USD)")
    where = "computed by the report" if fr["computed"].iloc[0] else "stored in the file"
    ax.margins(x=0.10, y=0.08)
    ax.set_title(f"Risk-return frontier: up and to the left is better\n({where}; "
                 f"{run.scenario_line()})", fontsize=11)
    ax.legend(fontsize=9, loc="best")
    fig.tight_layout()
    save_png(fig, "frontier", figures, figdir)


def tornado_rows(sens, st, what, top=10):
    """The `top` inputs of strategy `st` with the largest effect on `what` (mean or spread),
    largest first: each panel ranks by its own effect, so the spread panel keeps the inputs
    that move the spread (the conversion shock) even when they barely move the mean."""
    d = sens[sens["strategy"] == st]
    order = np.lexsort((d["parameter"].astype(str).to_numpy(),
                        -d[f"effect_{what}"].to_numpy(float)))
    return d.iloc[order[:top]]


def tornado_bars(d, what):
    """Bar ends in percentage points of ROI relative to the base run, for the figure data."""
    base = float(d[f"roi_{what}_base"].iloc[0]) if len(d) else 0.0
    lo = 100 * (d[f"roi_{what}_low"].to_numpy(float) - base)
    hi = 100 * (d[f"roi_{what}_high"].to_numpy(float) - base)
    return base, lo, hi


def fig_tornado(run, figures, figdir):
    sens = run.sensitivity
    # At most 4 strategies and their 10 strongest inputs per panel (the HTML table lists all).
    strategies = sorted(set(sens["strategy"].tolist()))[:4]
    top = 10
    rng = float(run.sensitivity_attrs.get("range", np.nan))
    rng_txt = f"±{100 * rng:.0f}%" if np.isfinite(rng) else "low/high"
    rows = len(strategies)
    shown = min(top, max(len(sens[sens["strategy"] == st]) for st in strategies))
    fig, axes = plt.subplots(rows, 2, figsize=(13, 1.0 + rows * (0.32 * shown + 1.2)),
                             squeeze=False)
    run.tornado_data = {}
    for r_i, st in enumerate(strategies):
        for ax, what, title in ((axes[r_i][0], "mean", "mean ROI"),
                                (axes[r_i][1], "spread", "ROI spread (P95 - P5)")):
            d = tornado_rows(sens, st, what, top)
            names = d["parameter"].tolist()[::-1]  # largest on top
            y = np.arange(len(d))
            style_axes(ax)
            base, lo, hi = tornado_bars(d, what)
            lo, hi = lo[::-1], hi[::-1]
            run.tornado_data[(int(st), what)] = dict(names=names, low=lo, high=hi)
            ax.barh(y, lo, color=COLORS[0], alpha=0.8,
                    label=f"input -{100 * rng:.0f}%" if np.isfinite(rng) else "input low")
            ax.barh(y, hi, color=COLORS[1], alpha=0.8,
                    label=f"input +{100 * rng:.0f}%" if np.isfinite(rng) else "input high")
            ax.axvline(0, color="#222222", linewidth=1)
            ax.set_yticks(y)
            ax.set_yticklabels(names)
            # The bars are drawn in points, so each tick label states its own position.
            # Ticks are the bar ends' own scale (points), labelled with their values.
            ax.xaxis.set_major_formatter(FuncFormatter(
                lambda v, _p: "0" if v == 0 else f"{v:+g}"))
            base_txt = fmt_pct(base, sign=True) if what == "mean" else \
                fmt_points(base).lstrip("+")
            ax.set_xlabel(f"change in {'mean ROI' if what == 'mean' else 'ROI spread'}, "
                          f"percentage points (base {base_txt})")
            ax.set_title(f"{run.label(st)}: {title}", fontsize=10)
            ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(f"Sensitivity tornado: which uncertain input moves ROI most when varied "
                 f"{rng_txt}\n(common random numbers; each panel ranks by its own effect, "
                 f"largest on top; top {top} inputs)", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.97 if rows > 1 else 0.93))
    fig.canvas.draw()
    run.tornado_ticks = [[(t.get_position()[0], t.get_text()) for t in ax.get_xticklabels()]
                         for ax in axes.flat]
    save_png(fig, "tornado", figures, figdir)


# ----------------------------------------------------------------------------- HTML
def td(value, text=None, src=None, cls="num"):
    """A table cell with the exact value (repr round-trips) and where it came from."""
    if text is None:
        text = str(value)
    attrs = f' class="{cls}"'
    if src is not None:
        v = float(value)
        attrs += f' data-src="{html.escape(src)}" data-value="{repr(v)}"'
    return f"<td{attrs}>{html.escape(text)}</td>"


def summary_html(run, strategies=None):
    rows = []
    any_unspent = any(run.shows_unspent(i) for i in range(len(run.strategies)))
    head = ("<tr><th>strategy</th><th>hired</th><th>spend (USD)</th>"
            + ("<th>unspent (USD, kept as cash)</th>" if any_unspent else "")
            + "<th>metric</th><th>mean</th><th>± s.e.</th><th>P5</th><th>P50</th><th>P95</th>"
            f"<th>{SHORTFALL}</th><th>P(&lt; 0)</th></tr>")
    show = ["unique_reach", "impressions", "conversions", "revenue", "cost", "profit", "roi"]
    outside = False
    for i in (range(len(run.strategies)) if strategies is None else strategies):
        st = run.strategies[i]
        cost, budget, unspent = run.spend(i)
        for k, metric in enumerate(show):
            r = run.stat(i, metric)
            src = lambda col: f"summary/{int(r.row)}/{col}"  # noqa: E731
            cells = []
            if k == 0:
                hired = fmt_count(st["hired"])
                cells.append(f'<td rowspan="{len(show)}" class="name">'
                             f"{html.escape(run.label(i))}</td>")
                cells.append(f'<td rowspan="{len(show)}" class="num" '
                             f'data-src="strategies/{i}@hired" data-value="{float(st["hired"])!r}">'
                             f"{html.escape(hired)}</td>")
                cells[0] = (f'<td rowspan="{len(show)}" class="name">'
                            f"{html.escape(run.label(i))}<br><span class=u>budget "
                            f"{html.escape(fmt_usd(budget))}</span></td>")
                cells.append(f'<td rowspan="{len(show)}" class="num" '
                             f'data-src="strategies/{i}@cost" data-value="{float(cost)!r}">'
                             f"{html.escape(fmt_usd(cost))}</td>")
                if any_unspent:
                    cells.append(f'<td rowspan="{len(show)}" class="num unspent">'
                                 f"{html.escape(fmt_usd(unspent))}</td>")
            cells.append(f"<td>{METRIC_TITLE[metric]} <span class=u>({METRIC_UNITS[metric]})"
                         "</span></td>")
            for col in ("mean", "se", "p5", "p50", "p95", "shortfall"):
                if col == "se" and metric == "roi":
                    text = fmt_points(r[col]).lstrip("+")
                elif col == "se" and metric in ("unique_reach", "impressions", "conversions"):
                    text = fmt_count(r[col])
                else:
                    text = fmt_metric(metric, r[col])
                if col == "mean" and not (r.p5 <= r["mean"] <= r.p95):
                    text += "*"
                    outside = True
                cells.append(td(r[col], text, src(col)))
            if metric in ("profit", "roi"):
                cells.append(td(r.p_negative, fmt_pct(r.p_negative), src("p_negative")))
            else:
                cells.append("<td></td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
    note = ("<p class=u>* the mean lies outside P5–P95: events in fewer than 5% of trials (a "
            "brand-safety incident costs a second fee) pull it beyond the interval.</p>"
            if outside else "")
    return f'<table class="grid" id="summary">{head}{"".join(rows)}</table>{note}'


def hires_html(run, limit=15):
    """One table per strategy: whom it hires, in hiring order (best first)."""
    parts = ["<h2>Who to hire</h2><p>Each strategy's hires in the order it chose them, best "
             f"first (at most {limit} shown; <code>microreach export FILE --hires hires.csv"
             "</code> lists every hire). Expected reach = people reached with every draw at its "
             "mean, before audience overlap.</p>"]
    for i, st in enumerate(run.strategies):
        h = st["hires"]
        cost, budget, unspent = run.spend(i)
        title = (f"{run.label(i)}: {fmt_count(st['hired'])} "
                 f"{'account' if st['hired'] == 1 else 'accounts'}, {fmt_usd(cost)} of "
                 f"{fmt_usd(budget)}")
        parts.append(f'<h3 id="hires-{i}">{html.escape(title)}</h3>')
        if st["description"]:
            parts.append(f"<p class=u>{html.escape(st['description'])}</p>")
        if st["hired"] == 0:
            parts.append(f"<p class=note>{html.escape(run.label(i))}: nothing hired"
                         + (f" — {html.escape(st['note'])}" if st["note"] else "") + "</p>")
            continue
        if h is None or "handle" not in h:
            parts.append("<p class=u>The file does not list the hired accounts.</p>")
            continue
        n = len(h["handle"])
        head = ("<tr><th>#</th><th>handle</th><th>platform</th><th>tier</th><th>followers</th>"
                "<th>fee (USD)</th><th>expected reach (people)</th><th>score (0-100)</th></tr>")
        rows = []
        for k in range(min(n, limit)):
            def cell(col, f):
                if col not in h:
                    return "<td></td>"
                return td(h[col][k], f(h[col][k]), f"strategies/{i}/hired/{col}:{k}")
            rows.append(f"<tr><td>{k + 1}</td><td>@{html.escape(str(h['handle'][k]))}</td>"
                        f"<td>{html.escape(str(h.get('platform', [''] * n)[k]))}</td>"
                        f"<td>{html.escape(str(h.get('tier', [''] * n)[k]))}</td>"
                        + cell("followers", fmt_count) + cell("cost", fmt_usd)
                        + cell("expected_reach", fmt_count) + cell("score", fmt_number)
                        + "</tr>")
        more = (f"<p class=u>… and {fmt_count(n - limit)} more.</p>" if n > limit else "")
        parts.append(f'<table class="grid hires">{head}{"".join(rows)}</table>{more}')
    return "".join(parts)


def notes_html(run):
    items = []
    for i, st in enumerate(run.strategies):
        text = st["note"]
        if st["hired"] == 0 and "nothing hired" not in text:
            text = "nothing hired" + (f": {text}" if text else "")
        if text:
            items.append(f"<li><b>{html.escape(run.label(i))}</b>: {html.escape(text)}</li>")
    if not items:
        return ""
    return f'<h2>Notes</h2><ul class="notes">{"".join(items)}</ul>'


def comparisons_html(run):
    c = run.comparisons
    if c is None or len(c) == 0 or len(run.strategies) > 12:
        return ""
    head = ("<tr><th>A</th><th>B</th><th>P(A beats B on profit)</th>"
            "<th>mean profit A − B</th><th>± s.e.</th></tr>")
    rows = []
    for k in range(len(c)):
        r = c.iloc[k]
        rows.append("<tr>" + f"<td>{html.escape(run.label(int(r.a)))}</td>"
                    f"<td>{html.escape(run.label(int(r.b)))}</td>"
                    + td(r.p_a_beats_b, fmt_pct(r.p_a_beats_b), f"comparisons/{k}/p_a_beats_b")
                    + td(r.mean_difference, fmt_usd(r.mean_difference),
                         f"comparisons/{k}/mean_difference")
                    + td(r.se_difference, fmt_usd(r.se_difference),
                         f"comparisons/{k}/se_difference") + "</tr>")
    return ("<h2>Paired comparisons</h2><p>Both strategies of a pair see the same random numbers"
            " in every trial, so the difference is measured with little noise. Money a plan does"
            " not spend is kept as cash: it adds nothing to its profit, so plans are compared at"
            " face value.</p>"
            f'<table class="grid">{head}{"".join(rows)}</table>')


def sweep_html(run):
    s = run.sweep
    axis = run.a("axis", "")
    best = int(run.a("best_point", -1))
    objective = run.a("objective", "profit")
    unspent = ("budget" in s and "cost" in s and
               bool((s["cost"] < UNSPENT_SHOWN * s["budget"]).any()))
    cols = [("value", axis or "value", lambda v: fmt_usd(v) if axis == "budget" else
             (fmt_pct(v) if axis == "mix" else fmt_count(v))),
            ("hired", "hired", fmt_count), ("cost", "spend (USD)", fmt_usd)]
    if unspent:
        cols.append(("unspent", "unspent (USD, kept as cash)", fmt_usd))
    cols += [("unique_reach_mean", "reach mean (people)", fmt_count),
             ("unique_reach_p5", "reach P5", fmt_count),
             ("unique_reach_p95", "reach P95", fmt_count),
             ("conversions_mean", "conversions (purchases)", fmt_count),
             ("profit_mean", "profit mean (USD)", fmt_usd), ("profit_p5", "profit P5", fmt_usd),
             ("profit_p95", "profit P95", fmt_usd),
             ("roi_mean", "ROI mean", lambda v: fmt_pct(v, True)),
             ("p_loss", "P(loss)", fmt_pct),
             ("profit_shortfall", f"{SHORTFALL} (USD)", fmt_usd)]
    if unspent:
        s = s.copy()
        s["unspent"] = np.maximum(0.0, s["budget"].to_numpy(float) - s["cost"].to_numpy(float))
    cols = [c for c in cols if c[0] in s]
    head = "<tr><th></th>" + "".join(f"<th>{html.escape(c[1])}</th>" for c in cols) + "</tr>"
    rows = []
    for k in range(len(s)):
        r = s.iloc[k]
        mark = "★" if int(r.strategy) == best else ""
        cls = ' class="best"' if mark else ""
        rows.append(f"<tr{cls}><td>{mark}</td>" + "".join(
            td(r[c], f(r[c]), None if c == "unspent" else f"sweep/{k}/{c}")
            for c, _, f in cols) + "</tr>")
    return (f"<h2>Summary per strategy: one row per point of the sweep over "
            f"{html.escape(axis)}</h2><p>★ = best point for the objective "
            f"<b>{html.escape(str(objective))}</b>. Every point uses the same random numbers "
            "(common random numbers), so differences between neighbours are not noise.</p>"
            f'<table class="grid">{head}{"".join(rows)}</table>')


def frontier_html(run):
    fr = frontier_table(run)
    head = ("<tr><th>strategy</th><th>expected profit (USD)</th>"
            f"<th>{SHORTFALL} of profit (USD)</th><th>status</th></tr>")
    rows = []
    stored = not fr["computed"].iloc[0]
    for k in np.argsort(-fr["shortfall"].to_numpy(float), kind="stable"):
        r = fr.iloc[k]
        i = int(r.strategy)
        status = "frontier" if not r.dominated else \
            f"dominated by {run.label(int(r.dominated_by))}" if r.dominated_by >= 0 else \
            "dominated"
        if r.dominated and len(fr) > 40:
            continue
        rows.append("<tr>" + f"<td>{html.escape(run.label(i))}</td>"
                    + td(r.expected_profit, fmt_usd(r.expected_profit),
                         f"frontier/{k}/expected_profit" if stored else None)
                    + td(r.shortfall, fmt_usd(r.shortfall),
                         f"frontier/{k}/shortfall" if stored else None)
                    + f"<td>{html.escape(status)}</td></tr>")
    note = "" if len(fr) <= 40 else " Only the frontier points are listed."
    return ("<h2>Risk-return frontier</h2><p>A plan is dominated when another has at least the "
            f"same expected profit and at least the same {SHORTFALL} (mean profit of the"
            f" worst 5% of trials), one of them strictly better.{note}</p>"
            f'<table class="grid">{head}{"".join(rows)}</table>')


def sensitivity_html(run):
    s = run.sensitivity
    rng = float(run.sensitivity_attrs.get("range", np.nan))
    head = ("<tr><th>strategy</th><th>rank</th><th>input</th><th>base value (this plan)</th>"
            "<th>ROI mean at −</th><th>ROI mean at +</th><th>effect on mean (pts)</th>"
            "<th>ROI spread at −</th><th>ROI spread at +</th><th>effect on spread (pts)</th>"
            "</tr>")
    rows = []
    for k in np.lexsort((s["rank"].to_numpy(), s["strategy"].to_numpy())):
        r = s.iloc[k]
        cells = []
        for c in ("roi_mean_low", "roi_mean_high", "effect_mean", "roi_spread_low",
                  "roi_spread_high", "effect_spread"):
            if c.startswith("effect"):
                text = fmt_points(r[c]).lstrip("+")
            elif "mean" in c:
                text = fmt_pct(r[c], True)
            else:
                text = fmt_points(r[c]).lstrip("+")
            cells.append(td(r[c], text, f"sensitivity/{k}/{c}"))
        rows.append("<tr>" + f"<td>{html.escape(run.label(int(r.strategy)))}</td>"
                    + td(r["rank"], str(int(r["rank"])), f"sensitivity/{k}/rank")
                    + f"<td>{html.escape(str(r.parameter))}</td>"
                    + td(r.base_value, fmt_number(r.base_value), f"sensitivity/{k}/base_value")
                    + "".join(cells) + "</tr>")
    rng_txt = f"±{100 * rng:.0f}%" if np.isfinite(rng) else "low/high"
    return (f"<h2>Sensitivity (each input varied {rng_txt})</h2><p>Effects and spreads are in "
            "percentage points of ROI (pts); spread = P95 − P5 of ROI. Rank 1 moves ROI most. "
            "The base value is this plan's own: tier inputs and candidate estimates show the "
            "mean over its hires.</p>"
            f'<table class="grid" id="sensitivity">{head}{"".join(rows)}</table>')


def provenance_html(run):
    rows = []
    for k in sorted(run.attrs):
        if k == "config":
            continue
        v = run.attrs[k]
        text = attr_text(v)
        if isinstance(v, (np.floating, float)) or (isinstance(v, np.ndarray) and v.shape == ()
                                                   and v.dtype.kind in "fiu"):
            val = float(v)
            rows.append(f"<tr><th>{html.escape(k)}</th>"
                        + (td(val, text, f"@{k}", cls="num") if np.isfinite(val)
                           else f"<td>{html.escape(text)}</td>") + "</tr>")
        elif isinstance(v, (np.integer, int)):
            rows.append(f"<tr><th>{html.escape(k)}</th>"
                        + td(float(v), text, f"@{k}", cls="num") + "</tr>")
        else:
            rows.append(f"<tr><th>{html.escape(k)}</th><td>{html.escape(text)}</td></tr>")
    config = attr_text(run.attrs.get("config", ""))
    return ("<h2>Provenance</h2><p>The attributes of the file's root: how to re-create this "
            f"run.</p><table class=\"kv\">{''.join(rows)}</table>"
            f"<h3>Configuration (resolved scenario)</h3><pre>{html.escape(config)}</pre>")


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1300px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.lead{color:#555;margin-top:0} img{max-width:100%;border:1px solid #eee;margin:.5em 0}
table{border-collapse:collapse;font-size:.86em;margin:.5em 0}
table.grid td,table.grid th{border:1px solid #ddd;padding:.25em .5em}
table.grid th{background:#f4f4f4} td.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{font-weight:600} tr.best{background:#eaf6ee} .u{color:#777;font-size:.9em}
table.kv th{text-align:left;padding:.15em 1em .15em 0;vertical-align:top}
table.kv td{padding:.15em 0} pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.85em}
figure{margin:1em 0} figcaption{color:#555;font-size:.9em}
ul.notes li{margin:.2em 0} p.note{color:#8a4b00}
"""

CAPTIONS = {
    "distributions": "How profit and ROI vary from one simulated campaign to the next for each "
                     "strategy. Mass left of zero = chance of losing money.",
    "strategies": "Each strategy's mean (dot) and 90% interval (line) for reach, conversions, "
                  "profit and ROI.",
    "sweep": "The answer curve: how reach, profit, ROI and the chance of a loss move along the "
             "sweep; shaded = 90% of simulated campaigns fall inside.",
    "frontier": "Expected profit against downside risk. Filled points are the efficient plans:"
                " no other plan has both more profit and less risk.",
    "tornado": "Each uncertain input varied down (blue) and up (orange) with the same random "
               "numbers; the longest bars are the inputs worth pinning down first.",
}


def write_html(run, figures, out):
    title = f"microreach {run.kind} report"
    parts = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
             f"<meta name=generator content=\"microreach scripts/report.py\">"
             f"<style>{CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f'<p class=lead>{html.escape(run.scenario_line())} — source file '
             f"<code>{html.escape(os.path.basename(run.path))}</code> "
             f"({html.escape(run.filetype)})</p>"]
    parts.append(notes_html(run))
    for name, data in figures:
        b64 = base64.b64encode(data).decode("ascii")
        parts.append(f'<figure id="fig-{name}"><img alt="{name}" '
                     f'src="data:image/png;base64,{b64}"><figcaption>'
                     f"{html.escape(CAPTIONS.get(name, ''))}</figcaption></figure>")
    explain = (f"<p>Per simulated campaign. {SHORTFALL_HELP[0].upper() + SHORTFALL_HELP[1:]} (for cost: the highest 5%). ROI = "
               "profit / cost, on the money spent. Money a plan does not spend is kept as cash "
               "(shown as unspent when a plan spends less than 90% of its budget).</p>")
    if run.is_sweep:
        parts.append(sweep_html(run) + explain)
        parts.append("<details><summary>Full summary table of every point</summary>"
                     + summary_html(run) + "</details>")
    else:
        parts.append("<h2>Summary per strategy</h2>" + explain)
        parts.append(summary_html(run))
        parts.append(hires_html(run))
    parts.append(comparisons_html(run))
    parts.append(frontier_html(run))
    if run.sensitivity is not None and len(run.sensitivity):
        parts.append(sensitivity_html(run))
    parts.append(provenance_html(run))
    parts.append("</body></html>\n")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts))


# ----------------------------------------------------------------------------- main
def make_report(path, out, figdir):
    run = Run(path)
    plt.rcParams.update({"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10})
    figures = []
    if run.is_sweep:
        fig_sweep(run, figures, figdir)
    else:
        fig_strategies(run, figures, figdir)
    fig_distributions(run, figures, figdir)
    if len(run.strategies) >= 2:
        fig_frontier(run, figures, figdir)
    if run.sensitivity is not None and len(run.sensitivity):
        fig_tornado(run, figures, figdir)
    write_html(run, figures, out)
    return run, figures


def main(argv):
    ap = argparse.ArgumentParser(
        description="Turn a microreach campaign or sweep HDF5 file into PNG figures and one "
                    "self-contained HTML report.")
    ap.add_argument("file", help="campaign (microreach simulate --out) or sweep "
                                 "(microreach sweep --out) HDF5 file")
    ap.add_argument("-o", "--out", required=True, help="HTML report to write")
    ap.add_argument("--quiet", action="store_true", help="print nothing on success")
    ap.add_argument("--figures", default="",
                    help="also write each figure as DIR/<name>.png (created if missing)")
    if MISSING:
        sys.stderr.write("report.py: error: missing Python module(s); install them with:\n"
                         f"  sudo apt-get install -y {' '.join(MISSING)}\n")
        return 4
    a = ap.parse_args(argv)
    try:
        _run, figures = make_report(a.file, a.out, a.figures)
    except ReportError as e:
        sys.stderr.write(f"report.py: error: {e}\n")
        return 3
    names = ", ".join(n for n, _ in figures)
    if not a.quiet:
        print(f"Wrote {a.out} ({len(figures)} figures: {names})"
              + (f"; PNGs in {a.figures}" if a.figures else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
