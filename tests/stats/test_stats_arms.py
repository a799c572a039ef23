"""Blinded arm coding: keyed, stable, both assignments possible, nothing revealing left."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest

from mg_platform.analysis.stats.arms import BLINDING_CONTEXT, blinded_arms, study_arms, unblinding_record


def test_arm_a_is_chosen_by_hmac_of_the_key():
    seen = set()
    for i in range(16):
        key = bytes([i]) * 32
        control_is_a = hmac.new(key, BLINDING_CONTEXT, hashlib.sha256).digest()[0] % 2 == 0
        arms = blinded_arms(key)
        assert dict(arms.mapping)["Control"] == ("A" if control_is_a else "B")
        assert arms == blinded_arms(key)
        assert unblinding_record(key) == ("A = Control, B = MgSO4" if control_is_a else "A = MgSO4, B = Control")
        seen.add(control_is_a)
    assert seen == {True, False}


def test_relabel_codes_groups_and_drops_dosing():
    frame = pd.DataFrame({"group": ["Control", "MgSO4"], "mgso4_bolus_mg_per_kg": [None, 30.0], "x": [1, 2]})
    arms = blinded_arms(b"k" * 32)
    coded = arms.relabel(frame)
    assert set(coded["group"]) == {"A", "B"} and list(coded.columns) == ["group", "x"]
    assert study_arms().relabel(frame).equals(frame)
    with pytest.raises(ValueError, match="unknown group labels"):
        arms.relabel(pd.DataFrame({"group": ["Placebo"]}))
