#!/usr/bin/python3
"""The campaign model of docs/model.md ("Campaign simulation") vectorised in NumPy, as a check
and a yardstick for the C++ engine (microreach simulate).

It reads the hired accounts and the model parameters from a campaign file written by
`microreach simulate --out FILE.h5`, simulates the same strategies with NumPy (vectorised over
trials and accounts: every draw of a chunk of trials is one array call), and

  * checks that every mean of the C++ summary agrees with the NumPy mean within 4 combined
    standard errors (the two use different random streams, so they agree statistically, not
    bit for bit);
  * times both engines on the same work and prints influencer-trials per second and the ratio.
    With --microreach BIN the C++ engine is re-run on the file's scenario (its own timing line,
    engine only, is parsed); without it only NumPy is timed.

Usage:
  /usr/bin/python3 scripts/sim_numpy.py campaign.h5 [--trials N] [--microreach build/microreach]
                                        [--threads N] [--chunk 2000] [--seed 12345]
                                        [--beta-inversion] [--repeat N]
  /usr/bin/python3 scripts/sim_numpy.py --draws
      NumPy's cost per draw (CPU time) for the parameter ranges of bench/bench_sim.cpp.
Exit status: 0 = all means agree, 1 = some mean disagrees, 2 = bad usage or input.
"""
import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

METRICS = ["unique_reach", "impressions", "frequency", "engagements", "conversions",
           "revenue", "cost", "profit", "roi"]


def fail(msg, code=2):
    print(f"sim_numpy.py: error: {msg}", file=sys.stderr)
    sys.exit(code)


def attr_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path}: cannot open as HDF5 ({e})")
    with f:
        if attr_str(f.attrs.get("filetype", "")) != "microreach.campaign":
            fail(f"{path}: not a campaign file (filetype {f.attrs.get('filetype')!r})")
        m = f["model"]
        par = {k: float(m.attrs[k]) for k in m.attrs}
        for k in ("reach_rate", "trust", "incident_probability"):
            par[k] = m[k][()]
        par["noise"] = int(f.attrs["noise"])
        strategies = []
        for i, spec in enumerate(f.attrs["strategies"]):
            h = f[f"strategies/{i}/hired"]
            strategies.append(dict(spec=attr_str(spec),
                                   **{k: h[k][()] for k in h.keys() if k != "handle"}))
        s = f["summary"]
        summary = {k: s[k][()] for k in s.keys()}
        return dict(par=par, strategies=strategies, summary=summary,
                    trials=int(f.attrs["trials"]), seed=int(f.attrs["seed"]),
                    config=attr_str(f.attrs["config"]))


def build(run):
    """Distinct accounts (by influencer key) and, per strategy, member indices and groups."""
    par = run["par"]
    keys = {}
    cols = {k: [] for k in ("followers", "fake_share", "fake_concentration", "reach_rate",
                            "views_engagement", "share_fraction", "relevance", "trust",
                            "incident_probability", "cost", "platform", "niche", "tier")}
    plans = []
    for st in run["strategies"]:
        members = []
        for r, key in enumerate(st["key"]):
            key = int(key)
            if key not in keys:
                keys[key] = len(keys)
                for c in cols:
                    cols[c].append(st[c][r])
            members.append(keys[key])
        plans.append(np.array(members, dtype=np.int64))
    acc = {c: np.array(v, dtype=float) for c, v in cols.items()}
    acc["audience"] = acc["platform"] * 256 + acc["niche"]
    acc["conversion_prob"] = par["base_conversion_rate"] * acc["trust"]
    acc["incident_cost"] = acc["cost"] * par["incident_cost_factor"]
    groups = []
    for members in plans:
        aud = acc["audience"][members]
        tier = acc["tier"][members]
        per_aud = []
        for a in np.unique(aud):
            in_a = members[aud == a]
            tiers = [(members[(aud == a) & (tier == t)], acc["conversion_prob"][members[(aud == a) & (tier == t)][0]])
                     for t in np.unique(tier[aud == a])]
            per_aud.append((in_a, tiers))
        groups.append(per_aud)
    return acc, plans, groups


def simulate(run, acc, plans, groups, trials, seed, chunk, beta_inversion=False):
    par = run["par"]
    rng = np.random.default_rng(seed)
    n = len(acc["followers"])
    posts = par["posts_per_influencer"]
    U = par["audience_size"]
    sig, sig_c, sig_r = par["reach_sigma"], par["conversion_shock_sigma"], par["reach_shock_sigma"]
    m = acc["fake_share"]
    kappa = acc["fake_concentration"]
    random_fake = (m > 0) & (m < 1)
    a_beta = np.where(random_fake, kappa * m, 1.0)
    b_beta = np.where(random_fake, kappa * (1 - m), 1.0)
    # --beta-inversion: Beta(1, b) = 1 - U^(1/b) and Beta(a, 1) = U^(1/a) from one uniform, as
    # the C++ engine draws them (shapes within 1e-12 of 1), instead of rng.beta's two gammas.
    unit_a = random_fake & (np.abs(a_beta - 1.0) <= 1e-12) & beta_inversion
    unit_b = random_fake & ~unit_a & (np.abs(b_beta - 1.0) <= 1e-12) & beta_inversion
    by_gammas = random_fake & ~unit_a & ~unit_b
    out = [{k: np.empty(trials) for k in METRICS} for _ in plans]
    done = 0
    while done < trials:
        t = min(chunk, trials - done)
        mc = np.exp(sig_c * rng.standard_normal(t) - 0.5 * sig_c ** 2)
        mr = np.exp(sig_r * rng.standard_normal(t) - 0.5 * sig_r ** 2)
        if beta_inversion:
            fake = np.tile(m, (t, 1))
            if unit_a.any():
                u = rng.random((t, int(unit_a.sum())))
                fake[:, unit_a] = -np.expm1(np.log(u) / b_beta[unit_a])
            if unit_b.any():
                u = rng.random((t, int(unit_b.sum())))
                fake[:, unit_b] = np.exp(np.log(u) / a_beta[unit_b])
            if by_gammas.any():
                fake[:, by_gammas] = rng.beta(a_beta[by_gammas], b_beta[by_gammas],
                                              size=(t, int(by_gammas.sum())))
        else:
            fake = np.where(random_fake, rng.beta(a_beta, b_beta, size=(t, n)), m)
        authentic = np.floor(acc["followers"] * (1.0 - fake) + 0.5)
        rho = np.minimum(1.0, acc["reach_rate"] * mr[:, None]
                         * np.exp(sig * rng.standard_normal((t, n)) - 0.5 * sig ** 2))
        p_reach = rho if posts == 1 else 1.0 - (1.0 - rho) ** posts
        reached = rng.binomial(authentic.astype(np.int64), p_reach)
        imp = authentic * rho * posts
        lam = imp * acc["views_engagement"]
        shares = rng.poisson(lam * acc["share_fraction"])
        other_mean = lam * (1.0 - acc["share_fraction"])  # drawn per strategy, summed
        viewers = par["viewers_per_share"] * shares
        x = np.minimum(reached + viewers, U)
        incident = rng.random((t, n)) < acc["incident_probability"]
        imps_all = imp + viewers
        cost_all = acc["cost"] + incident * acc["incident_cost"]
        relevant_all = x * acc["relevance"] * ~incident
        sl = slice(done, done + t)
        for members, per_aud, res in zip(plans, groups, out):
            unique = np.zeros(t)
            conv = np.zeros(t)
            for in_a, tiers in per_aud:
                xa = x[:, in_a]
                uni = U * (1.0 - np.prod(1.0 - xa / U, axis=1))
                gross = xa.sum(axis=1)
                phi = np.divide(uni, gross, out=np.ones(t), where=gross > 0)
                unique += uni
                for idx, cp in tiers:
                    trials_n = np.floor(relevant_all[:, idx].sum(axis=1) * phi + 0.5)
                    conv += rng.binomial(trials_n.astype(np.int64), np.minimum(1.0, cp * mc))
            imps = imps_all[:, members].sum(axis=1)
            cost = cost_all[:, members].sum(axis=1)
            revenue = conv * par["average_order_value"]
            profit = par["gross_margin"] * revenue - cost
            res["unique_reach"][sl] = unique
            res["impressions"][sl] = imps
            res["frequency"][sl] = np.divide(imps, unique, out=np.zeros(t), where=unique > 0)
            res["engagements"][sl] = (shares[:, members].sum(axis=1)
                                      + rng.poisson(other_mean[:, members].sum(axis=1)))
            res["conversions"][sl] = conv
            res["revenue"][sl] = revenue
            res["cost"][sl] = cost
            res["profit"][sl] = profit
            res["roi"][sl] = np.divide(profit, cost, out=np.zeros(t), where=cost > 0)
        done += t
    return out


def time_cpp(binary, run, trials, threads):
    """Re-runs the C++ engine on the file's scenario; returns (seconds, influencer-trials/s)."""
    cfg = re.sub(r"(?m)^trials = .*$", f"trials = {trials}", run["config"])
    cfg = re.sub(r"(?m)^precision = .*$", "precision = 0", cfg)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "scenario.toml")
        with open(path, "w") as fh:
            fh.write(cfg)
        cmd = [binary, "-q"] + (["--threads", str(threads)] if threads else []) + \
              ["simulate", "--scenario", path]
        res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        fail(f"{' '.join(cmd)} failed: {res.stderr.strip()}")
    m = re.search(r"^simulated ([\d,]+) distinct accounts .* trials in ([\d.]+) s "
                  r"\(([\d.]+)M influencer-trials/s, (\d+) threads?, batch code ([\w-]+); "
                  r"([\d.]+) CPU-s\)", res.stdout, re.M)
    if not m:
        fail("could not find the timing line in the C++ output")
    return (float(m.group(2)), float(m.group(3)) * 1e6, int(m.group(1).replace(",", "")),
            int(m.group(4)), float(m.group(6)), m.group(5))


def time_draws(n=2_000_000):
    """CPU ns per NumPy draw, parameters as in bench/bench_sim.cpp (varying draw to draw)."""
    rng = np.random.default_rng(1)
    nn = np.exp(rng.uniform(np.log(1e3), np.log(1e6), n)).astype(np.int64)
    pp = rng.uniform(0.01, 0.5, n)
    small_n = np.exp(rng.uniform(np.log(3e3), np.log(3e4), n)).astype(np.int64)
    small_p = rng.uniform(0.0002, 0.0012, n)
    cases = [
        ("standard normal", lambda: rng.standard_normal(n)),
        ("lognormal (sigma .35)", lambda: rng.lognormal(0.0, 0.35, n)),
        ("gamma(0.3)", lambda: rng.standard_gamma(0.3, n)),
        ("gamma(2.5)", lambda: rng.standard_gamma(2.5, n)),
        ("beta(2, 18)", lambda: rng.beta(2.0, 18.0, n)),
        ("beta(1, 19)", lambda: rng.beta(1.0, 19.0, n)),
        ("binomial, varying n in [1e3,1e6], p in [.01,.5]", lambda: rng.binomial(nn, pp)),
        ("binomial, small mean (n ~ 1e4, p ~ 7e-4)", lambda: rng.binomial(small_n, small_p)),
        ("poisson, varying mean 0.1 n p", lambda: rng.poisson(0.1 * nn * pp)),
        ("uniform", lambda: rng.random(n)),
    ]
    rng.standard_normal(n)  # warm up: the first large array pays its page faults
    for name, draw in cases:
        c0 = time.process_time()
        draw()
        print(f"{name:<50} {(time.process_time() - c0) / n * 1e9:6.1f} ns")
    return 0


def main():
    if "--draws" in sys.argv[1:]:
        return time_draws()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("campaign", help="campaign HDF5 file from microreach simulate --out")
    ap.add_argument("--trials", type=int, help="NumPy trials (default: the file's trials)")
    ap.add_argument("--chunk", type=int, default=2000, help="trials per vectorised chunk")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each engine N times (alternating) and time the fastest run")
    ap.add_argument("--beta-inversion", action="store_true",
                    help="draw Beta(1, b) and Beta(a, 1) fake shares by inversion, as the C++ "
                         "engine does (default: rng.beta, two gammas)")
    ap.add_argument("--seed", type=int, default=12345, help="NumPy seed")
    ap.add_argument("--microreach", help="C++ binary to time on the same scenario")
    ap.add_argument("--threads", type=int, default=0, help="--threads for the C++ run")
    args = ap.parse_args()
    run = load(args.campaign)
    if run["par"]["noise"] != 1:
        fail("the campaign was run with noise off; nothing to compare statistically")
    trials = args.trials or run["trials"]
    if trials < 100 or args.chunk < 1 or args.repeat < 1:
        fail("--trials must be at least 100, --chunk and --repeat at least 1")
    acc, plans, groups = build(run)
    n = len(acc["followers"])

    # --repeat N: each engine runs N times, alternating, and the fastest run of each counts
    # (timeit's rule: noise on a shared machine only ever adds time). The first NumPy run's
    # output is the one compared.
    np_seconds = np_cpu = math.inf
    cpp_runs = []
    out = None
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = simulate(run, acc, plans, groups, trials, args.seed, args.chunk, args.beta_inversion)
        np_seconds = min(np_seconds, time.perf_counter() - t0)
        np_cpu = min(np_cpu, time.process_time() - c0)
        out = res if out is None else out
        if args.microreach:
            cpp_runs.append(time_cpp(args.microreach, run, trials, args.threads))
    np_rate = n * trials / np_seconds

    s = run["summary"]
    worst = 0.0
    bad = []
    print(f"{'strategy':<16} {'metric':<13} {'C++ mean':>14} {'NumPy mean':>14} {'z':>6}")
    for i, st in enumerate(run["strategies"]):
        for k, metric in enumerate(METRICS):
            row = np.flatnonzero((s["strategy"] == i) & (s["metric"] == k))[0]
            c_mean, c_se = s["mean"][row], s["se"][row]
            v = out[i][metric]
            p_mean, p_se = v.mean(), v.std(ddof=1) / math.sqrt(len(v))
            se = math.hypot(c_se, p_se)
            z = 0.0 if se == 0 else (p_mean - c_mean) / se
            if se == 0 and not math.isclose(p_mean, c_mean, rel_tol=1e-9, abs_tol=1e-9):
                z = math.inf
            worst = max(worst, abs(z))
            if abs(z) > 4:
                bad.append(f"{st['spec']} {metric}")
            print(f"{st['spec']:<16} {metric:<13} {c_mean:>14.6g} {p_mean:>14.6g} {z:>6.2f}")
    print(f"\nagreement: largest |z| = {worst:.2f} over {len(run['strategies']) * len(METRICS)} "
          f"means (C++ {run['trials']:,} trials, NumPy {trials:,} trials; |z| <= 4 required)")
    if args.repeat > 1:
        print(f"timing: fastest of {args.repeat} runs of each engine, alternating")
    print(f"NumPy: {n} distinct accounts x {trials:,} trials in {np_seconds:.2f} s = "
          f"{np_rate / 1e6:.2f}M influencer-trials/s (1 thread, chunks of {args.chunk} trials; "
          f"{np_cpu:.2f} CPU-s = {np_cpu / (n * trials) * 1e9:.0f} ns per influencer-trial)")
    if args.microreach:
        c_seconds = min(r[0] for r in cpp_runs)
        c_rate = max(r[1] for r in cpp_runs)
        c_cpu = min(r[4] for r in cpp_runs)
        c_n, c_threads, c_isa = cpp_runs[0][2], cpp_runs[0][3], cpp_runs[0][5]
        print(f"C++:   {c_n} distinct accounts x {trials:,} trials in {c_seconds:.2f} s = "
              f"{c_rate / 1e6:.2f}M influencer-trials/s ({c_threads} threads, batch code {c_isa}; "
              f"{c_cpu:.2f} CPU-s = {c_cpu / (c_n * trials) * 1e9:.0f} ns per influencer-trial)")
        print(f"ratio (wall clock, as measured now): C++ is {c_rate / np_rate:.1f}x NumPy")
        print(f"ratio (CPU time per influencer-trial, x {c_threads} threads on free cores): "
              f"C++ is {np_cpu / c_cpu * c_threads:.1f}x NumPy  [load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores]")
    if bad:
        print("DISAGREE: " + ", ".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
