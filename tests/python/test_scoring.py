"""generate, score, read and write against the command line: same inputs and seed, same bits."""
import numpy as np
import pandas as pd
import pytest

import microreach as mr
from conftest import codes, read_group, same_bits

N = 30_000  # > 3 pipeline batches of the CLI's default 16384 rows, and a ragged last block


@pytest.fixture(scope="module")
def generated(cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "profiles.h5"
    cli("generate", "--count", N, "--seed", 7, "--known-fake-share", 0.3,
        "--platform-mix", "instagram=1,tiktok=0.5,youtube=0.2", "--out", path)
    return path


def test_generate_gives_the_rows_of_microreach_generate(generated):
    df = mr.generate(N, seed=7, known_fake_share=0.3,
                     platform_mix={"instagram": 1, "tiktok": 0.5, "youtube": 0.2})
    ref = read_group(generated, "profiles")
    assert len(df) == N
    for name, want in ref.items():
        got = df[name]
        if name in ("platform", "niche"):
            assert np.array_equal(codes(got), want), name
        elif want.dtype.kind == "O":
            assert list(got) == list(want), name
        else:
            assert same_bits(got.to_numpy(), want), name


def test_generator_version_1_gives_the_rows_of_microreach_generate_version_1(cli, tmp_path):
    path = tmp_path / "v1.h5"
    cli("generate", "--count", 2000, "--seed", 5, "--generator-version", 1, "--out", path)
    ref = read_group(path, "profiles")
    v1 = mr.generate(2000, seed=5, generator_version=1)
    v2 = mr.generate(2000, seed=5)
    assert same_bits(v1["followers"].to_numpy(), ref["followers"])
    assert list(v1["handle"]) == list(ref["handle"])
    assert not same_bits(v2["followers"].to_numpy(), ref["followers"])
    with pytest.raises(mr.Error, match="--generator-version"):
        mr.generate(10, generator_version=3)


def test_generate_does_not_depend_on_the_thread_count():
    one = mr.generate(5_000, seed=3, threads=1)
    three = mr.generate(5_000, seed=3, threads=3)
    pd.testing.assert_frame_equal(one, three)


def test_generate_hands_numeric_columns_over_without_copies():
    df = mr.generate(1_000, seed=1)
    col = df["followers"].to_numpy()
    # The frame's column is the library's buffer itself, not a pandas-made block copy.
    assert col.base is not None and not col.flags.owndata
    assert isinstance(df["platform"].dtype, pd.CategoricalDtype)
    assert list(df["platform"].cat.categories) == mr.PLATFORMS


SCORE_OPTS = dict(niche="fitness", weights={"cost": 0.3, "engagement": 0.2},
                  similar={("fitness", "sports"): 0.8}, tier_bounds=[1000, 20000, 100000,
                                                                      500000, 1000000])
SCORE_ARGS = ["--niche", "fitness", "--w-cost", 0.3, "--w-engagement", 0.2, "--similar",
              "fitness:sports=0.8", "--tier-bounds", "1000,20000,100000,500000,1000000"]


def check_scores(got, ref):
    for name, want in ref.items():
        if name == "tier":
            assert np.array_equal(codes(got[name]), want), name
        else:
            assert same_bits(got[name].to_numpy(), want), name


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_score_gives_the_scores_of_microreach_score(cli, generated, tmp_path, threads):
    out = tmp_path / "scores.h5"
    cli("score", "--in", generated, "--out", out, "--top", 0, *SCORE_ARGS)
    df = mr.generate(N, seed=7, known_fake_share=0.3,
                     platform_mix="instagram=1,tiktok=0.5,youtube=0.2")
    got = mr.score(df, threads=threads, **SCORE_OPTS)
    assert got.index.equals(df.index)
    check_scores(got, read_group(out, "scores"))


def test_score_reads_a_dict_of_arrays_and_missing_columns(cli, tmp_path):
    # An export with only some columns: what the CLI scores from a CSV without the others.
    rng = np.random.default_rng(5)
    n = 2_000
    followers = np.round(10 ** rng.uniform(2, 7, n))
    likes = np.round(followers * rng.uniform(0.001, 0.08, n))
    likes[::17] = np.nan
    platform = rng.choice(["instagram", "TikTok", "youtube"], n)
    csv = tmp_path / "export.csv"
    pd.DataFrame({"handle": [f"h{i}" for i in range(n)], "platform": platform,
                  "followers": followers.astype(np.int64), "avg_likes": likes}).to_csv(
        csv, index=False, na_rep="")
    out = tmp_path / "scores.h5"
    cli("score", "--in", csv, "--out", out, "--top", 0)
    got = mr.score({"followers": followers.astype(np.int64), "avg_likes": likes,
                    "platform": platform})
    check_scores(got, read_group(out, "scores"))


def test_score_of_read_equals_score_of_the_frame(generated):
    df = mr.read(generated)
    assert df.attrs["filetype"] == "microreach.profiles"
    pd.testing.assert_frame_equal(
        mr.score(df, niche="food"),
        mr.score(mr.generate(N, seed=7, known_fake_share=0.3,
                             platform_mix="instagram=1,tiktok=0.5,youtube=0.2"), niche="food"))


def test_write_then_cli_and_read_round_trip(cli, tmp_path):
    df = mr.generate(3_000, seed=11)
    scored = df.join(mr.score(df, niche="travel"))
    path = tmp_path / "mine.h5"
    mr.write(path, scored)
    back = mr.read(path)
    assert back.attrs["filetype"] == "microreach.scores"
    pd.testing.assert_frame_equal(back[scored.columns], scored)
    # The CLI reads what write() wrote, and scores it to the same bits.
    out = tmp_path / "again.h5"
    cli("score", "--in", path, "--niche", "travel", "--out", out, "--top", 0)
    check_scores(scored, read_group(out, "scores"))


def test_invalid_arguments_raise_the_cli_message(cli, generated):
    df = mr.generate(100, seed=1)
    for kwargs, args in [(dict(niche="fitnes"), ["--niche", "fitnes"]),
                         (dict(tier_bounds="5,4,3,2,1"), ["--tier-bounds", "5,4,3,2,1"]),
                         (dict(similar="fitness:sprots=0.5"), ["--similar", "fitness:sprots=0.5"])]:
        with pytest.raises(mr.Error) as e:
            mr.score(df, **kwargs)
        assert isinstance(e.value, ValueError)
        p = cli("score", "--in", generated, "--top", 0, *args, expect=2)
        assert p.stderr.strip() == f"microreach: error: {e.value}"
        assert e.value.exit_code == 2


def test_bad_frames_are_refused_with_the_column_named():
    with pytest.raises(mr.Error, match="followers"):
        mr.score({"avg_likes": np.ones(3)})
    with pytest.raises(mr.Error, match="avg_likes.*3 rows"):
        mr.score({"followers": np.ones(3), "avg_likes": np.ones(4)})
    with pytest.raises(mr.Error, match="platform: 'myspace' is not valid"):
        mr.score({"followers": np.ones(2), "platform": ["instagram", "myspace"]})
    with pytest.raises(mr.Error, match="not valid"):
        mr.score(np.ones(3))


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(mr.Error, match="nothere.h5"):
        mr.read(tmp_path / "nothere.h5")


def test_text_in_a_numeric_column_is_refused_with_the_value():
    with pytest.raises(mr.Error, match="followers: '1.2M' is not valid: numbers"):
        mr.score(pd.DataFrame({"followers": ["1000", "1.2M"]}))


def test_empty_frame_gives_an_empty_score_frame():
    got = mr.score(pd.DataFrame({"followers": np.array([], dtype=np.float64)}))
    assert len(got) == 0 and list(got.columns) == mr.SCORE_COLUMNS + ["tier", "flags", "missing"]
