"""audit against `microreach audit`: the same followers, the same probabilities and estimate."""
import os

import h5py
import numpy as np
import pytest

import microreach as mr
from conftest import SRC, same_bits

SRF = os.path.join(SRC, "data", "srf_instagram_labelled_1000_inclprivate.csv")


def test_audit_equals_microreach_audit(cli, tmp_path):
    out = tmp_path / "audit.h5"
    cli("audit", SRF, "--model", "default", "--width", 0.04, "--out", out)
    r = mr.audit(SRF, width=0.04)
    with h5py.File(out) as f:
        assert same_bits(r.followers["probability"].to_numpy(), f["followers/probability"][()])
        assert np.array_equal(r.followers["line"].to_numpy(), f["followers/line"][()])
        a = f["audit"].attrs
        for k in ["sampled", "flagged", "apparent_share", "fake_share", "fake_share_lo",
                  "fake_share_hi", "sampling_lo", "sampling_hi", "floor_width", "total_needed",
                  "more_needed", "threshold", "sensitivity", "specificity"]:
            assert r.estimate[k] == a[k], k
    assert r.estimate["fake_share_lo"] <= r.fake_share <= r.estimate["fake_share_hi"]


def test_audit_refusals_carry_the_cli_message(cli, tmp_path):
    with pytest.raises(mr.Error) as e:
        mr.audit(SRF, method="bayes")
    p = cli("audit", SRF, "--method", "bayes", expect=2)
    assert p.stderr.strip() == f"microreach: error: {e.value}"
    empty = tmp_path / "empty.csv"
    empty.write_text(open(SRF, encoding="utf-8").readline())  # the header, no follower
    with pytest.raises(mr.Error, match="nothing to audit") as e:
        mr.audit(empty)
    assert e.value.exit_code == 3
    p = cli("audit", empty, expect=3)
    assert p.stderr.strip() == f"microreach: error: {e.value}"
