"""microreach from Python: score influencer profiles held in pandas DataFrames and simulate
campaigns, with the C++ library's oneTBB threads and the command line's exact results.

    import microreach as mr
    profiles = mr.generate(1_000_000, seed=1)            # pandas.DataFrame
    scores = mr.score(profiles, niche="fitness")          # same index, one row per profile
    run = mr.simulate(budget=25_000, niche="fitness", strategies=["macro", "micro-top"])
    run.summary                                           # one row per strategy and metric

Numeric columns cross between NumPy and C++ without copies: results are allocated by the
library and handed to NumPy, and score() reads the float64 buffers of the frame in place.
Invalid arguments raise microreach.Error (a ValueError) with the message the command line
prints for the same option. The guide, with an example run by the tests: docs/python.md.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core
from ._core import Error

__version__ = _core.__version__
__all__ = ["Error", "generate", "score", "read", "write", "simulate", "sweep", "audit",
           "CampaignResult", "SweepResult", "AuditResult",
           "PLATFORMS", "NICHES", "TIERS"]

PLATFORMS = list(_core.platforms)
NICHES = list(_core.niches)
TIERS = list(_core.tiers)
SCORE_COLUMNS = list(_core.score_columns)
PROFILE_COLUMNS = list(_core.profile_columns)
FLAG_NAMES = list(_core.flag_names)
COMPONENT_NAMES = list(_core.component_names)

_CATEGORIES = {"platform": PLATFORMS, "niche": NICHES, "tier": TIERS}


# ---------------------------------------------------------------------- helpers

def _mix(value, option):
    """A platform or niche mix: None, "name=w,...", or a mapping name -> weight."""
    if isinstance(value, Mapping):
        return [",".join(f"{k}={float(v)!r}" for k, v in value.items())]
    if value is None or isinstance(value, str):
        return _strings(value, option)
    raise Error(f"{option}: '{value!r}' is not valid: a string 'name=weight,...' or a dict")


def _categorical(codes: np.ndarray, name: str) -> pd.Categorical:
    # uint8 codes with 255 = unknown; viewed as int8 that is -1, pandas' missing code (no copy).
    return pd.Categorical.from_codes(codes.view(np.int8), categories=_CATEGORIES[name])


def _frame(columns: dict, index=None) -> pd.DataFrame:
    """DataFrame over the arrays of `columns` without copying them (categoricals decoded)."""
    data = {}
    for name, values in columns.items():
        if name in _CATEGORIES and isinstance(values, np.ndarray) and values.dtype == np.uint8:
            data[name] = _categorical(values, name)
        elif isinstance(values, list):
            data[name] = np.array(values, dtype=object)
        else:
            data[name] = values
    n = len(next(iter(data.values()))) if data else 0
    return pd.DataFrame(data, index=index if index is not None else pd.RangeIndex(n), copy=False)


def _codes(values, name):
    """A platform/niche/tier column as uint8 codes (255 = unknown), a view where possible."""
    names = _CATEGORIES[name]
    if isinstance(values, pd.Series):
        values = values.array if isinstance(values.dtype, pd.CategoricalDtype) else values.to_numpy()
    if isinstance(values, pd.Categorical):
        if list(values.categories) == names:
            return np.asarray(values.codes).view(np.uint8)
        values = np.asarray(values.astype(object))
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        return arr.astype(np.uint8, copy=False) if arr.dtype.itemsize == 1 else \
            np.where((arr < 0) | (arr > 255), 255, arr).astype(np.uint8)
    # Text: the exact names, any case; missing values are unknown; anything else is refused.
    cat = pd.Categorical(pd.Series(arr, dtype=object).str.lower(), categories=names)
    bad = pd.isna(cat) & ~pd.isna(pd.Series(arr, dtype=object)).to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise Error(f"{name}: '{arr[first]}' is not valid: one of {', '.join(names)} "
                    f"(row {first})")
    return np.asarray(cat.codes).view(np.uint8)


def _columns(frame, wanted) -> tuple[dict, Any]:
    """The columns of a DataFrame or dict of arrays that the library reads, as NumPy arrays
    (views of the frame's buffers when they are float64 / categorical codes already)."""
    if isinstance(frame, pd.DataFrame):
        index = frame.index
        get = frame.__getitem__
        keys = frame.columns
    elif isinstance(frame, Mapping):
        index = None
        get = frame.__getitem__
        keys = frame.keys()
    else:
        raise Error(f"frame: '{type(frame).__name__}' is not valid: a pandas.DataFrame or a "
                    "dict of arrays")
    out = {}
    for name in wanted:
        if name not in keys:
            continue
        col = get(name)
        if name in _CATEGORIES:
            out[name] = _codes(col, name)
        elif name in ("handle", "country"):
            out[name] = [None if (isinstance(v, float) and np.isnan(v)) else v
                         for v in (col.tolist() if hasattr(col, "tolist") else list(col))]
        else:
            try:
                if name == "id":
                    out[name] = np.asarray(col, dtype=np.uint64)
                    continue
                if isinstance(col, pd.Series):
                    col = col.to_numpy(dtype=np.float64, na_value=np.nan) \
                        if col.dtype != np.float64 else col.to_numpy()
                out[name] = np.ascontiguousarray(col, dtype=np.float64)
            except (TypeError, ValueError) as e:
                raise Error(f"{name}: '{_first_bad(col)}' is not valid: numbers (a numeric "
                            f"column; {e})") from None
    return out, index


def _first_bad(col):
    """The first value of a column that is not a number, for error messages."""
    for v in (col.tolist() if hasattr(col, "tolist") else list(col)):
        try:
            float(v)
        except (TypeError, ValueError):
            return v
    return col


_SCORED_INPUTS = ["platform", "niche", "followers", "following", "posts", "avg_likes",
                  "avg_comments", "avg_shares", "avg_views", "reply_rate",
                  "fake_follower_share", "follower_growth_30d", "price_per_post"]


def _strings(value, option):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [f"{k}={v!r}" for k, v in value.items()]
    return [str(v) for v in value]


def _similar(value):
    """similar= as "a:b=0.6", a list of those, or {("a", "b"): 0.6} / {"a:b": 0.6}."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        out = []
        for k, v in value.items():
            key = ":".join(k) if isinstance(k, tuple) else str(k)
            out.append(f"{key}={float(v)!r}")
        return out
    return [str(v) for v in value]


# ---------------------------------------------------------------------- profiles and scores

def generate(n: int, seed: int = 1, platform_mix=None, niche_mix=None,
             known_fake_share: float = 0.0, threads: Optional[int] = None, *,
             generator_version: int = 2) -> pd.DataFrame:
    """A synthetic population of `n` influencer profiles as a pandas.DataFrame.

    Row i depends only on (seed, i): the rows `microreach generate --count n --seed seed`
    writes, bit for bit, for any thread count.

    Parameters
    ----------
    n : number of profiles.
    seed : random seed.
    platform_mix, niche_mix : relative weights, as the CLI's text ("instagram=1,tiktok=0.5")
        or a dict {"instagram": 1, "tiktok": 0.5}; None = the defaults (docs/model.md).
    known_fake_share : share of rows whose fake_follower_share is filled in.
    threads : oneTBB threads (None or 0 = all cores).
    generator_version : 2 (default) or 1, the first generator, to reproduce rows written with
        it (`--generator-version`, docs/model.md "Synthetic population").

    Returns
    -------
    DataFrame with the profile columns of docs/hdf5-layout.md (id, handle, platform, niche,
    followers, ..., country, true_fake_share). Numeric columns are NumPy arrays allocated by
    the library and handed over without a copy; platform and niche are pandas.Categorical.
    """
    cols = _core.generate(int(n), int(seed), _mix(platform_mix, "--platform-mix"),
                          _mix(niche_mix, "--niche-mix"), float(known_fake_share),
                          int(generator_version), threads)
    return _frame(cols)


def score(frame, niche: Optional[str] = None, weights: Optional[Mapping[str, float]] = None,
          tier_bounds=None, similar=None, threads: Optional[int] = None, *,
          benchmark=None, suspected_fake_below: Optional[float] = None) -> pd.DataFrame:
    """Scores every profile of `frame` (a DataFrame or a dict of arrays).

    The columns the scoring reads (followers, following, avg_likes, avg_comments, avg_shares,
    reply_rate, fake_follower_share, follower_growth_30d, price_per_post, platform, niche) are
    read in place from their NumPy buffers when they are float64 (categorical codes for
    platform and niche); other dtypes are converted once. Absent columns count as missing, as
    in an import without them. Only `followers` is required. The work runs with the GIL
    released on `threads` oneTBB threads; results equal `microreach score` bit for bit.

    Parameters
    ----------
    niche : campaign niche for the relevance component (None: relevance not scored).
    weights : component weights, e.g. {"engagement": .3, "cost": .3}; keys engagement,
        authenticity, relevance, cost, responsiveness (others keep their defaults).
    tier_bounds : lower follower bounds of nano, micro, mid, macro, mega: "1000,10000,..."
        or a sequence of five numbers.
    similar : niche similarities, "fitness:sports=0.6", a list of those, or
        {("fitness", "sports"): 0.6}.
    threads : oneTBB threads (None or 0 = all cores).
    benchmark : per-platform engagement benchmarks as the CLI's --benchmark text (list).
    suspected_fake_below : authenticity below which a profile is flagged.

    Returns
    -------
    DataFrame with the /scores columns of docs/hdf5-layout.md (score, the five components,
    engagement_rate, ..., price, cpe, cpm, tier as a Categorical, flags, missing), indexed like
    `frame`.
    """
    cols, index = _columns(frame, _SCORED_INPUTS)
    if tier_bounds is not None and not isinstance(tier_bounds, str):
        tier_bounds = ",".join(repr(float(v)) for v in tier_bounds)
    if weights is not None:
        weights = {str(k): float(v) for k, v in weights.items()}
    out = _core.score(cols, niche, weights, tier_bounds, _similar(similar),
                      _strings(benchmark, "--benchmark"), suspected_fake_below, threads)
    return _frame(out, index)


def read(path: Union[str, os.PathLike]) -> pd.DataFrame:
    """Reads an HDF5 profiles or scores file (docs/hdf5-layout.md) into one DataFrame.

    A scores file gives the /profiles columns followed by the /scores columns. The file's
    provenance (filetype, seed, config, command, ...) is in `frame.attrs`.
    """
    d = _core.read(os.fspath(path))
    cols = dict(d["profiles"])
    if d["scores"] is not None:
        cols.update(d["scores"])
    df = _frame(cols)
    df.attrs.update(d["attrs"])
    return df


def write(path: Union[str, os.PathLike], frame, compress: Union[int, str] = 0) -> None:
    """Writes `frame` as an HDF5 profiles file, or a scores file when it also has every
    score column (a frame from read() of a scores file, or profiles joined with score()).

    The layout is docs/hdf5-layout.md's, so `microreach score --in`, `simulate --input` and
    h5py read it. Profile columns the frame lacks are left out (read back as missing); id
    defaults to the row number. The file appears only when complete (written to a temporary
    file beside it and renamed); an existing file is replaced. `compress`: as the CLI's
    --compress, a gzip level 0-9 or "none", "gzip:N", "lz4", "zstd:N" (lz4 and zstd need
    HDF5's Blosc filter plugin, for writing and reading).
    """
    wanted = PROFILE_COLUMNS + ["true_fake_share"]
    prof, _ = _columns(frame, wanted)
    scores = None
    keys = frame.columns if isinstance(frame, pd.DataFrame) else frame.keys()
    if all(c in keys for c in SCORE_COLUMNS + ["tier", "flags", "missing"]):
        scores = {c: np.ascontiguousarray(frame[c], dtype=np.float64) for c in SCORE_COLUMNS}
        scores["tier"] = _codes(frame["tier"], "tier")
        scores["flags"] = np.ascontiguousarray(frame["flags"], dtype=np.uint16)
        scores["missing"] = np.ascontiguousarray(frame["missing"], dtype=np.uint8)
    _core.write(os.fspath(path), prof, scores, str(compress))


# ---------------------------------------------------------------------- campaigns

METRICS = list(_core.metrics)


def _summary_frame(d, strategies) -> pd.DataFrame:
    s = dict(d)
    metric = pd.Categorical.from_codes(s.pop("metric").view(np.int8), categories=METRICS)
    idx = s.pop("strategy")
    labels = np.array([strategies[i]["label"] for i in idx], dtype=object)
    return pd.DataFrame({"strategy": idx.astype(np.int64), "label": labels, "metric": metric,
                         **s}, copy=False)


def _hires_frame(d, strategies) -> pd.DataFrame:
    df = _frame(d)
    df.insert(1, "label", pd.Series([strategies[i]["label"] for i in df["strategy"]],
                                    dtype=object, index=df.index))
    return df


def _unique_labels(strategies):
    labels = [s["label"] for s in strategies]
    return [l if labels.count(l) == 1 else f"{l}#{i}" for i, l in enumerate(labels)]


@dataclass
class CampaignResult:
    """The result of simulate(): what `microreach simulate --out --keep-trials` writes.

    summary : one row per strategy and metric: strategy (index), label, metric, mean, se
        (standard error of the mean), sd, p5, p50, p95, p_negative (share of trials below 0:
        P(loss) on the profit and roi rows), shortfall (expected shortfall: mean of the worst
        5 % of trials; the highest 5 % for cost), expected (the noise-off value).
    trials : every trial's totals, one column per (strategy label, metric), row t = trial t.
    shocks : the shared per-trial shocks (conversion, reach).
    hires : one row per hired account and strategy (strategy, label, key, id, handle,
        platform, niche, tier, followers, fake_share, ..., price, cost, score).
    comparisons : both orders of every pair of strategies: a, b, p_a_beats_b (share of
        trials where a's profit is higher; same random numbers), mean_difference,
        se_difference.
    strategies : per strategy: spec, label, hired, cost, budget, note.
    info : seed, trials, budget, niche, the resolved scenario as TOML, candidates, rounds...
    """
    summary: pd.DataFrame
    trials: pd.DataFrame
    shocks: pd.DataFrame
    hires: pd.DataFrame
    comparisons: pd.DataFrame
    strategies: list
    info: dict = field(default_factory=dict)

    def metric(self, name: str) -> pd.DataFrame:
        """The summary rows of one metric, indexed by strategy label."""
        return self.summary[self.summary["metric"] == name].set_index("label")


@dataclass
class SweepResult:
    """The result of sweep(): what `microreach sweep --out` writes.

    points : one row per sweep point kept, in axis order: value, budget, hired, cost,
        objective_value, dominated (on expected profit vs expected shortfall), best.
    summary : as CampaignResult.summary, with strategy = point index.
    hires : the accounts of every point (strategy = point index).
    skipped : (value, reason) of the points the budget could not buy.
    info : axis, strategy, objective, seed, trials, the resolved scenario...
    """
    points: pd.DataFrame
    summary: pd.DataFrame
    hires: pd.DataFrame
    frontier: list
    best: int
    skipped: list
    strategies: list
    info: dict = field(default_factory=dict)


def _candidates(candidates, tmpdir):
    """candidates= as a path, or a DataFrame written to a scores/profiles file first."""
    if candidates is None or isinstance(candidates, (str, os.PathLike)):
        return None if candidates is None else os.fspath(candidates)
    if isinstance(candidates, (pd.DataFrame, Mapping)):
        path = os.path.join(tmpdir, "candidates.h5")
        write(path, candidates)
        return path
    raise Error(f"--input: '{type(candidates).__name__}' is not valid: a file path or a "
                "DataFrame of profiles (scored or not)")


_SCENARIO_ARGS = ["budget", "niche", "trials", "seed", "market_profiles", "market_seed", "posts",
                  "conversion_rate", "aov", "margin"]


def _scenario_options(args, tmp):
    """The scenario options simulate() and sweep() share, from their arguments (None = not
    given), with the candidates written to `tmp` when they are a DataFrame."""
    opts = {k: args[k] for k in _SCENARIO_ARGS if args[k] is not None}
    if args["scenario"] is not None:
        opts["scenario"] = os.fspath(args["scenario"])
    candidates = _candidates(args["candidates"], tmp)
    if candidates is not None:
        opts["input"] = candidates
    return opts


def simulate(budget: Optional[float] = None, niche: Optional[str] = None,
             strategies: Optional[Union[str, Sequence[str]]] = None,
             trials: Optional[int] = None, seed: Optional[int] = None, candidates=None,
             scenario: Optional[Union[str, os.PathLike]] = None, *,
             precision: Optional[float] = None, max_trials: Optional[int] = None,
             posts: Optional[float] = None, conversion_rate: Optional[float] = None,
             aov: Optional[float] = None, margin: Optional[float] = None, noise: bool = True,
             market_profiles: Optional[int] = None, market_seed: Optional[int] = None,
             threads: Optional[int] = None) -> CampaignResult:
    """Monte Carlo of a campaign budget under several hiring strategies (`microreach simulate`).

    Every argument left at None keeps the scenario file's value, or the built-in default
    ($25,000, fitness, macro / micro-even:40 / micro-top, 20,000 trials, seed 1, a synthetic
    market of 200,000 profiles). The same arguments and seed give the command's numbers bit
    for bit, for any thread count.

    Parameters
    ----------
    strategies : "macro,micro-top" or ["macro", "micro-even:40", "mix:0.3", "optimize",
        "list:hires.txt"] (docs: README "simulate").
    candidates : the candidate accounts: None (scenario input or the synthetic market), an
        HDF5 scores/profiles file or an export (.csv, .json, ...), or a DataFrame of profiles
        (scored or not; written to a temporary HDF5 file and read as `--input` would).
    scenario : a scenario TOML file (sim/scenarios/); the other arguments override it.
    precision, max_trials : run in rounds until every mean's relative standard error is
        below `precision` (or max_trials).
    posts, conversion_rate, aov, margin : campaign economics.
    noise : False replaces every draw by its expectation.
    threads : oneTBB threads (None or 0 = all cores).
    """
    import tempfile
    if strategies is not None and not isinstance(strategies, str):
        strategies = ",".join(strategies)
    with tempfile.TemporaryDirectory(prefix="microreach-") as tmp:
        opts = _scenario_options(locals(), tmp)
        d = _core.simulate(opts, strategies, precision, max_trials, bool(noise), threads)
    strats = d["strategies"]
    labels = _unique_labels(strats)
    trials_cols = {}
    for label, per in zip(labels, d["trials"]["strategies"]):
        for m in METRICS:
            trials_cols[(label, m)] = per[m]
    trials_df = pd.DataFrame(trials_cols, copy=False)
    trials_df.columns = pd.MultiIndex.from_tuples(trials_df.columns, names=["strategy", "metric"])
    trials_df.index.name = "trial"
    shocks = pd.DataFrame({"conversion": d["trials"]["conversion_shock"],
                           "reach": d["trials"]["reach_shock"]}, copy=False)
    comp = pd.DataFrame(d["comparisons"], copy=False)
    return CampaignResult(summary=_summary_frame(d["summary"], strats), trials=trials_df,
                          shocks=shocks, hires=_hires_frame(d["hires"], strats),
                          comparisons=comp, strategies=strats, info=d["info"])


def sweep(over: str, budget: Optional[float] = None, niche: Optional[str] = None,
          strategy: Optional[str] = None, objective: str = "profit",
          trials: Optional[int] = None, seed: Optional[int] = None, candidates=None,
          scenario: Optional[Union[str, os.PathLike]] = None, *,
          posts: Optional[float] = None, conversion_rate: Optional[float] = None,
          aov: Optional[float] = None, margin: Optional[float] = None,
          market_profiles: Optional[int] = None, market_seed: Optional[int] = None,
          threads: Optional[int] = None) -> SweepResult:
    """One campaign plan over one axis (`microreach sweep --over`), common random numbers.

    over : "micro-count=1..100", "micro-count=5..100:5", "mix=0..1:0.1" or
        "budget=5000..100000:5000".
    strategy : the base strategy (micro-count: micro-even (default), micro-even-split or
        micro-top; budget: any strategy, default micro-top; ignored for mix).
    objective : profit, reach, conversions or roi: marks the best point.
    trials : per point (default 10,000). Other arguments as simulate().
    """
    import tempfile
    with tempfile.TemporaryDirectory(prefix="microreach-") as tmp:
        opts = _scenario_options(locals(), tmp)
        d = _core.sweep(opts, over, strategy or "", objective, threads)
    strats = d["strategies"]
    points = pd.DataFrame(d["points"], copy=False)
    points["dominated"] = points["dominated"].astype(bool)
    points["best"] = np.arange(len(points)) == d["best"]
    points.index.name = "point"
    return SweepResult(points=points, summary=_summary_frame(d["summary"], strats),
                       hires=_hires_frame(d["hires"], strats), frontier=list(d["frontier"]),
                       best=int(d["best"]), skipped=list(d["skipped"]), strategies=strats,
                       info=d["info"])


# ---------------------------------------------------------------------- audit

@dataclass
class AuditResult:
    """The result of audit(): what `microreach audit FOLLOWERS --out` writes.

    estimate : the /audit attributes: sampled, flagged, apparent_share (and _lo/_hi),
        fake_share (Rogan-Gladen corrected for the classifier's sensitivity and specificity)
        with fake_share_lo/_hi (including the classifier's own uncertainty), sampling_lo/_hi,
        target_width, width_reachable, floor_width, total_needed, more_needed, threshold,
        sensitivity, specificity, method, confidence.
    followers : one row per follower in file order: line, probability (P(fake)), flagged,
        and username with keep_usernames=True.
    """
    estimate: dict
    followers: pd.DataFrame

    @property
    def fake_share(self) -> float:
        return self.estimate["fake_share"]


def audit(path: Union[str, os.PathLike], model: str = "default", method: str = "wilson",
          confidence: float = 0.95, width: float = 0.05, keep_usernames: bool = False,
          threads: Optional[int] = None) -> AuditResult:
    """Fake-follower share of an account from a sample of its followers (`microreach audit`).

    path : CSV/TSV/JSON of followers (docs/model.md lists the columns the model reads).
    model : "default" (the built-in model) or a model TOML from `microreach audit fit`.
    method : interval method, "wilson" or "clopper-pearson".
    confidence : interval level; width : target interval width for the sample-size plan.
    """
    d = _core.audit(os.fspath(path), model, method, float(confidence), float(width),
                    bool(keep_usernames), threads)
    followers = pd.DataFrame(d["followers"], copy=False)
    followers["flagged"] = followers["flagged"].astype(bool)
    return AuditResult(estimate=d["estimate"], followers=followers)
