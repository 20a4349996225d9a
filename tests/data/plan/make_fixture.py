#!/usr/bin/python3
"""Small campaign (microreach.campaign) and sweep (microreach.sweep) HDF5 files for the report
tests, written with h5py in the layouts of docs/hdf5-layout.md.

The numbers come from a compact NumPy version of the campaign model of docs/model.md (shared
per-trial shocks, per-account reach, Sainsbury overlap, conversions, incidents), so the figures
look like real output; every summary row is computed from the stored per-trial values with the
same definitions the simulator uses (mean, se, sd, P5/P50/P95, expected shortfall = mean of the
worst 5 %, P(value < 0)), so a test can check the report against the file.

Usage: make_fixture.py campaign OUT.h5 [--trials N] [--no-trials]
       make_fixture.py sweep OUT.h5 [--points N] [--trials N]
       make_fixture.py bad OUT.h5          (a file with a wrong filetype, for the error test)
Deterministic: the same arguments give the same numbers.
"""
import argparse
import sys

import h5py
import numpy as np

METRICS = ["unique_reach", "impressions", "frequency", "engagements", "conversions", "revenue",
           "cost", "profit", "roi"]
TIERS = ["fan", "nano", "micro", "mid", "macro", "mega"]
PLATFORMS = ["instagram", "tiktok", "youtube", "x", "facebook", "blog"]
NICHES = ["fashion", "beauty", "fitness", "sports", "food", "travel", "tech", "gaming",
          "parenting", "finance", "home", "pets", "music", "lifestyle", "entertainment", "other"]
REACH = [0.30, 0.30, 0.22, 0.15, 0.10, 0.07]
TRUST = [1.6, 1.6, 1.4, 1.15, 1.0, 0.8]
INCIDENT = [0.005, 0.005, 0.005, 0.01, 0.02, 0.03]
MODEL = dict(base_conversion_rate=0.0005, average_order_value=60.0, gross_margin=0.6,
             conversion_shock_sigma=0.5, reach_shock_sigma=0.2, reach_sigma=0.35,
             audience_size=2e7, viewers_per_share=30.0, default_share_fraction=0.05,
             fake_share_concentration=20.0, incident_cost_factor=1.0, posts_per_influencer=1.0)
VSTR = h5py.string_dtype("utf-8")


def tier_of(f):
    return int(np.searchsorted([1e3, 1e4, 1e5, 5e5, 1e6], f, side="right"))


def market(rng, n=4000):
    """Candidate accounts in the target niche: followers, price, engagement, fake share."""
    followers = np.minimum(800.0 * rng.pareto(0.8, n) + 800.0, 5e6)
    price = np.maximum(20.0, 5.0 * followers / 1000.0) * rng.lognormal(0.0, 0.3, n)
    fake = rng.beta(2.0, 12.0, n)
    er = 0.08 * (followers / 1000.0) ** -0.17 * rng.lognormal(0, 0.3, n)
    score = 100 * (0.5 * (1 - fake) + 0.5 * np.minimum(er / 0.1, 1.0))
    return dict(followers=followers, price=price, fake=fake, er=er, score=score)


def pick(m, spec, budget):
    """Row indices of the accounts a strategy hires (a small version of the simulator's)."""
    tiers = np.array([tier_of(f) for f in m["followers"]])
    order = np.argsort(-m["score"] / m["price"], kind="stable")
    if spec == "macro":
        ok = np.where((tiers >= 4) & (m["price"] <= budget))[0]
        return [int(ok[np.argmax(m["followers"][ok])])]
    if spec.startswith("micro-even:"):
        n = int(spec.split(":")[1])
        share = budget / n
        # the largest micro accounts whose fee fits the per-account share
        by_size = np.argsort(-m["followers"], kind="stable")
        return [int(i) for i in by_size if tiers[i] == 2 and m["price"][i] <= share][:n]
    if spec == "micro-top":
        out, spent = [], 0.0
        for i in order:
            if tiers[i] == 2 and spent + m["price"][i] <= budget:
                out.append(int(i))
                spent += m["price"][i]
        return out
    raise SystemExit(f"unknown strategy {spec}")


def simulate(m, hired, trials, seed, shocks):
    """Per-trial totals of one strategy. Account draws are keyed by (seed, account) so the
    same account sees the same numbers in every strategy (common random numbers)."""
    conv_shock, reach_shock = shocks
    posts = MODEL["posts_per_influencer"]
    reached = np.zeros(trials)
    keep = np.ones(trials)
    impressions = np.zeros(trials)
    engagements = np.zeros(trials)
    conversions = np.zeros(trials)
    cost = np.zeros(trials)
    for k in hired:
        r = np.random.default_rng([seed, 7, k])
        f, t = m["followers"][k], tier_of(m["followers"][k])
        fake = r.beta(m["fake"][k] * 20 + 1e-9, (1 - m["fake"][k]) * 20, trials)
        authentic = np.floor(f * (1 - fake))
        rho = np.minimum(REACH[t] * r.lognormal(-0.5 * 0.35**2, 0.35, trials) * reach_shock, 1)
        reach_i = r.binomial(authentic.astype(np.int64), 1 - (1 - rho) ** posts)
        incident = r.random(trials) < INCIDENT[t]
        conv = r.poisson(reach_i * MODEL["base_conversion_rate"] * TRUST[t] * conv_shock)
        conv = np.where(incident, 0, conv)
        impressions += authentic * rho * posts
        engagements += authentic * rho * posts * m["er"][k]
        keep *= 1 - reach_i / MODEL["audience_size"]
        conversions += conv
        cost += m["price"][k] * posts * (1 + incident * MODEL["incident_cost_factor"])
    unique = MODEL["audience_size"] * (1 - keep)
    revenue = conversions * MODEL["average_order_value"]
    profit = revenue * MODEL["gross_margin"] - cost
    roi = profit / cost
    freq = np.where(unique > 0, impressions / np.maximum(unique, 1e-300), 0.0)
    return dict(unique_reach=unique, impressions=impressions, frequency=freq,
                engagements=engagements, conversions=conversions, revenue=revenue, cost=cost,
                profit=profit, roi=roi)


def stats(x, metric):
    n = len(x)
    k = max(1, int(np.ceil(0.05 * n)))
    srt = np.sort(x)
    tail = srt[-k:] if metric == "cost" else srt[:k]
    return dict(mean=x.mean(), se=x.std(ddof=1) / np.sqrt(n), sd=x.std(ddof=1),
                p5=np.quantile(x, 0.05), p50=np.quantile(x, 0.5), p95=np.quantile(x, 0.95),
                shortfall=tail.mean(),
                p_negative=float((x < 0).mean()) if metric in ("profit", "roi") else 0.0,
                expected=x.mean())


def column(g, name, data, units="", description=""):
    ds = g.create_dataset(name, data=data)
    if units:
        ds.attrs["units"] = units
    if description:
        ds.attrs["description"] = description
    return ds


def categorical(g, name, codes, names):
    ds = g.create_dataset(name, data=np.asarray(codes, dtype=np.uint8))
    ds.attrs.create("categories", names, dtype=VSTR)


def root_attrs(f, filetype, seed, trials, budget, specs, command):
    f.attrs["filetype"] = filetype
    f.attrs["format_version"] = np.array([1, 0], dtype=np.int32)
    f.attrs["microreach_version"] = "0.1.0"
    f.attrs["git_sha"] = "fixture"
    f.attrs["created"] = "2024-01-01T00:00:00Z"
    f.attrs["seed"] = np.uint64(seed)
    f.attrs["config"] = f"budget = {budget}\nniche = \"fitness\"\n"
    f.attrs["command"] = command
    f.attrs["trials"] = np.uint64(trials)
    f.attrs["trials_requested"] = np.uint64(trials)
    f.attrs["precision_target"] = np.nan
    f.attrs["max_trials"] = np.uint64(trials)
    f.attrs["rounds"] = np.uint64(1)
    f.attrs["max_relative_se"] = 0.01
    f.attrs["precision_reached"] = np.int64(1)
    f.attrs["budget"] = float(budget)
    f.attrs["niche"] = "fitness"
    f.attrs["posts_per_influencer"] = 1.0
    f.attrs["noise"] = np.int64(1)
    f.attrs["scenario_file"] = ""
    f.attrs["candidate_source"] = "fixture:4000"
    f.attrs["candidates"] = np.uint64(4000)
    f.attrs.create("strategies", specs, dtype=VSTR)


def write_model(f):
    g = f.create_group("model")
    for k, v in MODEL.items():
        g.attrs[k] = float(v)
    g.create_dataset("reach_rate", data=np.array(REACH))
    g.create_dataset("trust", data=np.array(TRUST))
    g.create_dataset("incident_probability", data=np.array(INCIDENT))


def write_strategy(f, i, spec, m, hired, budget):
    g = f.create_group(f"strategies/{i}")
    cost = float(sum(m["price"][k] for k in hired))
    g.attrs["spec"] = spec
    g.attrs["label"] = spec
    g.attrs["hired"] = np.uint64(len(hired))
    g.attrs["cost"] = cost
    g.attrs["budget"] = float(budget)
    h = g.create_group("hired")
    idx = np.array(hired, dtype=np.int64)
    fol = m["followers"][idx]
    tiers = [tier_of(x) for x in fol]
    column(h, "key", idx.astype(np.uint64))
    column(h, "id", (idx + 1000).astype(np.uint64))
    h.create_dataset("handle", data=[f"acct{k}" for k in hired], dtype=VSTR)
    categorical(h, "platform", [0] * len(hired), PLATFORMS)
    categorical(h, "niche", [2] * len(hired), NICHES)
    categorical(h, "tier", tiers, TIERS)
    column(h, "followers", fol, "followers")
    column(h, "fake_share", m["fake"][idx], "share")
    column(h, "fake_concentration", np.full(len(idx), 20.0))
    column(h, "reach_rate", np.array([REACH[t] for t in tiers]), "share")
    column(h, "views_engagement", m["er"][idx], "engagements per impression")
    column(h, "share_fraction", np.full(len(idx), 0.05), "share")
    column(h, "relevance", np.ones(len(idx)), "share")
    column(h, "trust", np.array([TRUST[t] for t in tiers]))
    column(h, "incident_probability", np.array([INCIDENT[t] for t in tiers]), "probability")
    column(h, "price", m["price"][idx], "USD")
    column(h, "cost", m["price"][idx], "USD")
    column(h, "score", m["score"][idx], "0-100")
    exp_reach = fol * (1 - m["fake"][idx]) * np.array([REACH[t] for t in tiers])
    column(h, "expected_reach", exp_reach, "people")
    column(h, "expected_conversions",
           exp_reach * MODEL["base_conversion_rate"] * np.array([TRUST[t] for t in tiers]),
           "purchases")
    return cost


def write_summary(f, per_strategy):
    rows = {k: [] for k in ["strategy", "metric", "mean", "se", "sd", "p5", "p50", "p95",
                            "shortfall", "p_negative", "expected"]}
    for i, totals in enumerate(per_strategy):
        for j, metric in enumerate(METRICS):
            s = stats(totals[metric], metric)
            rows["strategy"].append(i)
            rows["metric"].append(j)
            for k, v in s.items():
                rows[k].append(v)
    g = f.create_group("summary")
    column(g, "strategy", np.array(rows["strategy"], dtype=np.uint32))
    categorical(g, "metric", rows["metric"], METRICS)
    for k in ["mean", "se", "sd", "p5", "p50", "p95", "shortfall", "p_negative", "expected"]:
        column(g, k, np.array(rows[k], dtype=np.float64))


def write_comparisons(f, per_strategy):
    a, b, p, md, sd = [], [], [], [], []
    for i, ti in enumerate(per_strategy):
        for j, tj in enumerate(per_strategy):
            if i == j:
                continue
            d = ti["profit"] - tj["profit"]
            a.append(i)
            b.append(j)
            p.append(float((d > 0).mean()))
            md.append(d.mean())
            sd.append(d.std(ddof=1) / np.sqrt(len(d)))
    g = f.create_group("comparisons")
    column(g, "a", np.array(a, dtype=np.uint32))
    column(g, "b", np.array(b, dtype=np.uint32))
    column(g, "p_a_beats_b", np.array(p))
    column(g, "mean_difference", np.array(md), "USD")
    column(g, "se_difference", np.array(sd), "USD")


def write_trials(f, shocks, per_strategy):
    g = f.create_group("trials")
    g.create_dataset("conversion_shock", data=shocks[0])
    g.create_dataset("reach_shock", data=shocks[1])
    for i, totals in enumerate(per_strategy):
        for metric in METRICS:
            g.create_dataset(f"{i}/{metric}", data=totals[metric])


def shared_shocks(seed, trials):
    r = np.random.default_rng([seed, 11])
    return (r.lognormal(-0.5 * 0.5**2, 0.5, trials), r.lognormal(-0.5 * 0.2**2, 0.2, trials))


def frontier_flags(mean, es):
    """dominated[i] = some j has mean >= and shortfall >= with one strict (higher shortfall =
    smaller loss in the worst 5 %)."""
    n = len(mean)
    dom = np.zeros(n, dtype=np.uint8)
    by = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        for j in range(n):
            if j != i and mean[j] >= mean[i] and es[j] >= es[i] and (
                    mean[j] > mean[i] or es[j] > es[i]):
                dom[i], by[i] = 1, j
                break
    return dom, by


def make_campaign(path, trials, keep_trials, seed=42, budget=25000.0):
    specs = ["macro", "micro-even:40", "micro-top"]
    m = market(np.random.default_rng(seed))
    shocks = shared_shocks(seed, trials)
    with h5py.File(path, "w") as f:
        root_attrs(f, "microreach.campaign", seed, trials, budget, specs,
                   "make_fixture.py campaign")
        write_model(f)
        per = []
        for i, spec in enumerate(specs):
            hired = pick(m, spec, budget)
            write_strategy(f, i, spec, m, hired, budget)
            per.append(simulate(m, hired, trials, seed, shocks))
        write_summary(f, per)
        write_comparisons(f, per)
        if keep_trials:
            write_trials(f, shocks, per)


def make_sweep(path, points, trials, seed=42, budget=25000.0):
    m = market(np.random.default_rng(seed))
    shocks = shared_shocks(seed, trials)
    specs = [f"micro-even:{n}" for n in range(1, points + 1)]
    with h5py.File(path, "w") as f:
        root_attrs(f, "microreach.sweep", seed, trials, budget, specs, "make_fixture.py sweep")
        f.attrs["axis"] = "micro-count"
        f.attrs["axis_label"] = "number of micro accounts"
        f.attrs["axis_units"] = "accounts"
        f.attrs["objective"] = "profit"
        write_model(f)
        per, cost, hired_n = [], [], []
        for i, spec in enumerate(specs):
            hired = pick(m, spec, budget)
            cost.append(write_strategy(f, i, spec, m, hired, budget))
            hired_n.append(len(hired))
            per.append(simulate(m, hired, trials, seed, shocks))
        write_summary(f, per)
        s = {metric: [stats(t[metric], metric) for t in per] for metric in METRICS}
        objective = np.array([x["mean"] for x in s["profit"]])
        best = int(np.argmax(objective))
        f.attrs["best_point"] = np.uint64(best)
        g = f.create_group("sweep")
        column(g, "value", np.arange(1, points + 1, dtype=np.float64), "accounts")
        column(g, "strategy", np.arange(points, dtype=np.uint32))
        column(g, "hired", np.array(hired_n, dtype=np.uint64), "accounts")
        column(g, "cost", np.array(cost), "USD")
        column(g, "budget", np.full(points, budget), "USD")
        for metric in ["unique_reach", "conversions", "profit", "roi"]:
            for q in ["mean", "p5", "p95"]:
                column(g, f"{metric}_{q}", np.array([x[q] for x in s[metric]]))
        column(g, "p_loss", np.array([x["p_negative"] for x in s["profit"]]), "probability")
        column(g, "profit_shortfall", np.array([x["shortfall"] for x in s["profit"]]), "USD")
        column(g, "roi_shortfall", np.array([x["shortfall"] for x in s["roi"]]), "ratio")
        column(g, "objective_value", objective, "USD")
        column(g, "best", (np.arange(points) == best).astype(np.uint8))
        mean = np.array([x["mean"] for x in s["profit"]])
        es = np.array([x["shortfall"] for x in s["profit"]])
        dom, by = frontier_flags(mean, es)
        fr = f.create_group("frontier")
        column(fr, "strategy", np.arange(points, dtype=np.uint32))
        column(fr, "expected_profit", mean, "USD")
        column(fr, "shortfall", es, "USD")
        column(fr, "dominated", dom)
        column(fr, "dominated_by", by)
        # Sensitivity of the best point: a toy tornado with known effects, one of them zero.
        params = ["base_conversion_rate", "average_order_value", "gross_margin",
                  "reach_shock_sigma", "viewers_per_share"]
        base_roi = s["roi"][best]["mean"]
        base_spread = s["roi"][best]["p95"] - s["roi"][best]["p5"]
        rev = s["revenue"][best]["mean"] * MODEL["gross_margin"] / s["cost"][best]["mean"]
        eff = {"base_conversion_rate": rev, "average_order_value": rev, "gross_margin": rev,
               "reach_shock_sigma": 0.02, "viewers_per_share": 0.0}
        sg = f.create_group("sensitivity")
        sg.attrs["range"] = 0.2
        sg.attrs["rank_by"] = "mean"
        sg.attrs["objective"] = "roi"
        low = np.array([base_roi - 0.2 * eff[p] for p in params])
        high = np.array([base_roi + 0.2 * eff[p] for p in params])
        effect = np.abs(high - low)
        rank = np.empty(len(params), dtype=np.uint32)
        rank[np.argsort(-effect, kind="stable")] = np.arange(1, len(params) + 1)
        column(sg, "strategy", np.full(len(params), best, dtype=np.uint32))
        sg.create_dataset("parameter", data=params, dtype=VSTR)
        base_vals = np.array([MODEL[p] for p in params])
        column(sg, "base_value", base_vals)
        column(sg, "low_value", base_vals * 0.8)
        column(sg, "high_value", base_vals * 1.2)
        column(sg, "roi_mean_base", np.full(len(params), base_roi), "ratio")
        column(sg, "roi_mean_low", low, "ratio")
        column(sg, "roi_mean_high", high, "ratio")
        column(sg, "roi_spread_base", np.full(len(params), base_spread), "ratio")
        column(sg, "roi_spread_low", np.full(len(params), base_spread), "ratio")
        column(sg, "roi_spread_high", np.full(len(params), base_spread), "ratio")
        column(sg, "effect_mean", effect, "ratio")
        column(sg, "effect_spread", np.zeros(len(params)), "ratio")
        column(sg, "rank", rank)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=["campaign", "sweep", "bad"])
    ap.add_argument("out")
    ap.add_argument("--trials", type=int, default=4000)
    ap.add_argument("--points", type=int, default=30)
    ap.add_argument("--no-trials", action="store_true")
    a = ap.parse_args(argv)
    if a.kind == "campaign":
        make_campaign(a.out, a.trials, not a.no_trials)
    elif a.kind == "sweep":
        make_sweep(a.out, a.points, a.trials)
    else:
        with h5py.File(a.out, "w") as f:
            f.attrs["filetype"] = "microreach.scores"
            f.attrs["format_version"] = np.array([1, 0], dtype=np.int32)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
