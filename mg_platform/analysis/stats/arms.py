"""Study arms and blinded coding of the group labels.

Unblinded, the arms are the study's labels with ``Control`` as reference.
Blinded, each label is replaced by a code, ``A`` (reference) or ``B``; which
study arm is ``A`` is derived from the pseudonymisation key with HMAC-SHA256,
so the mapping is stable for one key and unknown without it. Every difference
is comparison minus reference: MgSO4 - Control, or B - A when blinded.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import pandas as pd

CONTROL = "Control"
MGSO4 = "MgSO4"
BLINDED_CODES = ("A", "B")
BLINDING_CONTEXT = b"mg-platform/stats/arm-blinding/v1"
# Columns that reveal the arm by construction; dropped before a blinded analysis.
ARM_REVEALING_COLUMNS = ("mgso4_bolus_mg_per_kg", "mgso4_infusion_mg_per_kg_h")


@dataclass(frozen=True)
class Arms:
    """The two analysis labels and how study labels map to them."""

    reference: str
    comparison: str
    blinded: bool
    mapping: tuple[tuple[str, str], ...]  # (study label, analysis label)

    @property
    def labels(self) -> tuple[str, str]:
        return (self.reference, self.comparison)

    @property
    def difference_label(self) -> str:
        return f"{self.comparison} - {self.reference}"

    def relabel(self, frame: pd.DataFrame, column: str = "group") -> pd.DataFrame:
        """A copy of ``frame`` with study labels replaced by analysis labels.

        Blinded, columns that reveal the arm (MgSO4 dosing) are dropped. Labels
        outside the mapping raise ``ValueError``.
        """
        mapping = dict(self.mapping)
        unknown = sorted(set(frame[column].dropna().astype(str)) - set(mapping))
        if unknown:
            raise ValueError(f"unknown {column} labels: {unknown}")
        out = frame.copy()
        out[column] = out[column].map(mapping)
        if self.blinded:
            out = out.drop(columns=[c for c in ARM_REVEALING_COLUMNS if c in out.columns])
        return out


def study_arms() -> Arms:
    """Unblinded arms: reference ``Control``, comparison ``MgSO4``."""
    return Arms(CONTROL, MGSO4, blinded=False, mapping=((CONTROL, CONTROL), (MGSO4, MGSO4)))


def blinded_arms(key: bytes) -> Arms:
    """Blinded arms A (reference) and B; the key decides which study arm is A."""
    control_is_a = hmac.new(key, BLINDING_CONTEXT, hashlib.sha256).digest()[0] % 2 == 0
    a, b = BLINDED_CODES
    mapping = ((CONTROL, a), (MGSO4, b)) if control_is_a else ((CONTROL, b), (MGSO4, a))
    return Arms(a, b, blinded=True, mapping=mapping)


def analysis_arms(blinded: bool, key: bytes) -> Arms:
    """Blinded or study arms."""
    return blinded_arms(key) if blinded else study_arms()


# Contract column names are positional: ``*_control`` holds the reference arm and
# ``*_mgso4`` the comparison arm (A and B when blinded; ``reference_arm`` and
# ``comparison_arm`` columns name them), so the schema is the same in both modes.
REFERENCE_SUFFIX = "control"
COMPARISON_SUFFIX = "mgso4"


def arm_columns(arms: Arms) -> dict[str, str]:
    """The columns naming the arms behind the positional contract columns."""
    return {"reference_arm": arms.reference, "comparison_arm": arms.comparison}


def unblinding_record(key: bytes) -> str:
    """The code of each study arm, e.g. ``A = MgSO4, B = Control`` (recorded when unblinding)."""
    codes = sorted((code, study) for study, code in blinded_arms(key).mapping)
    return ", ".join(f"{code} = {study}" for code, study in codes)
