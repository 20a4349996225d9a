"""simulate and sweep against `microreach simulate` / `microreach sweep`: same options and
seed, same statistics bit for bit (read back from the command's HDF5 file with h5py)."""
import h5py
import numpy as np
import pandas as pd
import pytest

import microreach as mr
from conftest import read_group, same_bits

MARKET = 40_000  # a small synthetic market keeps the test fast
STRATEGIES = ["macro", "micro-even:12", "micro-top"]
ARGS = ["--budget", 12000, "--niche", "food", "--strategies", ",".join(STRATEGIES),
        "--trials", 3000, "--seed", 5, "--market-profiles", MARKET]
SUMMARY = ["mean", "se", "sd", "p5", "p50", "p95", "shortfall", "p_negative", "expected"]


@pytest.fixture(scope="module")
def cli_campaign(cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("sim") / "campaign.h5"
    cli("simulate", *ARGS, "--keep-trials", "--out", path)
    return path


@pytest.fixture(scope="module")
def py_campaign():
    return mr.simulate(budget=12000, niche="food", strategies=STRATEGIES, trials=3000, seed=5,
                       market_profiles=MARKET)


def test_summary_equals_the_campaign_file(cli_campaign, py_campaign):
    ref = read_group(cli_campaign, "summary")
    got = py_campaign.summary
    assert len(got) == len(STRATEGIES) * len(mr.METRICS)
    assert np.array_equal(got["strategy"].to_numpy(), ref["strategy"].astype(np.int64))
    assert np.array_equal(np.asarray(got["metric"].cat.codes), ref["metric"].astype(np.int8))
    for col in SUMMARY:
        assert same_bits(got[col].to_numpy(), ref[col]), col
    # The table the CLI prints rests on these rows: P(loss) of micro-top, say.
    row = py_campaign.metric("profit").loc["micro-top"]
    assert 0 <= row["p_negative"] <= 1 and row["p5"] <= row["p50"] <= row["p95"]


def test_trials_shocks_comparisons_and_hires_equal_the_file(cli_campaign, py_campaign):
    with h5py.File(cli_campaign) as f:
        for i, label in enumerate(STRATEGIES):
            for m in mr.METRICS:
                assert same_bits(py_campaign.trials[(label, m)].to_numpy(),
                                 f[f"trials/{i}/{m}"][()]), (label, m)
            hired = f[f"strategies/{i}/hired"]
            mine = py_campaign.hires[py_campaign.hires["strategy"] == i]
            assert np.array_equal(mine["key"].to_numpy(), hired["key"][()])
            assert same_bits(mine["price"].to_numpy(), hired["price"][()])
            assert f[f"strategies/{i}"].attrs["label"] == py_campaign.strategies[i]["label"]
        assert same_bits(py_campaign.shocks["conversion"].to_numpy(),
                         f["trials/conversion_shock"][()])
    comp = read_group(cli_campaign, "comparisons")
    for col in ["p_a_beats_b", "mean_difference", "se_difference"]:
        assert same_bits(py_campaign.comparisons[col].to_numpy(), comp[col]), col
    assert py_campaign.info["trials"] == 3000 and py_campaign.info["seed"] == 5


def test_thread_count_does_not_change_a_bit(py_campaign):
    one = mr.simulate(budget=12000, niche="food", strategies=STRATEGIES, trials=3000, seed=5,
                      market_profiles=MARKET, threads=1)
    pd.testing.assert_frame_equal(one.summary, py_campaign.summary, check_exact=True)
    pd.testing.assert_frame_equal(one.trials, py_campaign.trials, check_exact=True)


def test_candidates_from_a_frame_equal_cli_input(cli, tmp_path):
    profiles = tmp_path / "profiles.h5"
    cli("generate", "--count", 20000, "--seed", 9, "--out", profiles)
    out = tmp_path / "c.h5"
    cli("simulate", "--input", profiles, "--budget", 8000, "--strategies", "micro-top,optimize",
        "--trials", 1000, "--seed", 2, "--out", out)
    df = mr.generate(20000, seed=9)
    run = mr.simulate(candidates=df, budget=8000, strategies="micro-top,optimize", trials=1000,
                      seed=2)
    ref = read_group(out, "summary")
    for col in SUMMARY:
        assert same_bits(run.summary[col].to_numpy(), ref[col]), col


def test_invalid_campaign_arguments_raise_the_cli_message(cli):
    for kwargs, args in [(dict(budget=-5), ["--budget", -5]),
                         (dict(strategies="macro,micro-evn:3"), ["--strategies", "macro,micro-evn:3"]),
                         (dict(niche="cooking"), ["--niche", "cooking"]),
                         (dict(margin=1.5), ["--margin", 1.5])]:
        with pytest.raises(mr.Error) as e:
            mr.simulate(trials=10, market_profiles=MARKET, **kwargs)
        p = cli("simulate", "--trials", 10, "--market-profiles", MARKET, *args,
                expect=e.value.exit_code)
        assert p.stderr.strip() == f"microreach: error: {e.value}"


def test_sweep_equals_microreach_sweep(cli, tmp_path):
    out = tmp_path / "sweep.h5"
    cli("sweep", "--over", "micro-count=2..20:6", "--budget", 10000, "--trials", 1500,
        "--market-profiles", MARKET, "--out", out)
    r = mr.sweep("micro-count=2..20:6", budget=10000, trials=1500, market_profiles=MARKET)
    ref = read_group(out, "sweep")
    assert same_bits(r.points["value"].to_numpy(), ref["value"])
    assert np.array_equal(r.points["hired"].to_numpy(), ref["hired"])
    assert same_bits(r.points["objective_value"].to_numpy(), ref["objective_value"])
    assert np.array_equal(r.points["best"].to_numpy(), ref["best"].astype(bool))
    summary = read_group(out, "summary")
    for col in SUMMARY:
        assert same_bits(r.summary[col].to_numpy(), summary[col]), col
    front = read_group(out, "frontier")
    assert np.array_equal(r.points["dominated"].to_numpy(), front["dominated"].astype(bool))
    with pytest.raises(mr.Error, match="--over"):
        mr.sweep("micro-count=5..1", market_profiles=MARKET)


def test_precision_rounds_equal_simulate_precision(cli, tmp_path):
    out = tmp_path / "p.h5"
    cli("simulate", "--strategies", "micro-top", "--trials", 1000, "--precision", 0.05,
        "--market-profiles", MARKET, "--out", out)
    run = mr.simulate(strategies=["micro-top"], trials=1000, precision=0.05,
                      market_profiles=MARKET)
    with h5py.File(out) as f:
        assert run.info["trials"] == f.attrs["trials"]
        assert run.info["rounds"] == f.attrs["rounds"]
    ref = read_group(out, "summary")
    assert same_bits(run.summary["mean"].to_numpy(), ref["mean"])
    assert run.info["max_relative_se"] < 0.05
