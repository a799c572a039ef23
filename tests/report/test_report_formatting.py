"""Numbers as printed: round trips over a grid, the journal's p-value rule, lists and coordinates on one line."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mg_platform.analysis.report import formatting as fmt
from mg_platform.analysis.report.labels import ArmLabels, humanise_note, term_label, variable_label


@pytest.mark.parametrize("digits", [0, 1, 2, 3])
def test_number_round_trips_to_the_printed_precision(digits):
    values = np.concatenate([np.linspace(-1234.5678, 1234.5678, 997), [0.0, -0.0, 0.004, -0.004, 9999.5]])
    for value in values:
        text = fmt.number(value, digits)
        parsed = float(text.replace(fmt.MINUS, "-").replace(" ", ""))
        assert math.isclose(parsed, value, abs_tol=0.5 * 10**-digits + 1e-9), (value, text)
        assert not text.startswith(fmt.MINUS) or parsed < 0  # never "−0.00"


def test_p_values_follow_the_three_decimal_rule():
    assert [fmt.p_value(p) for p in (0.0004, 0.001, 0.0312, 0.05, 1.0, None, float("nan"))] == [
        "<0.001",
        "0.001",
        "0.031",
        "0.050",
        "1.000",
        "–",
        "–",
    ]
    assert fmt.p_phrase(0.0001, "Holm p") == "Holm p < 0.001" and fmt.p_phrase(0.2) == "p = 0.200"


def test_scientific_uses_superscript_exponents():
    assert fmt.scientific(3.2e-9) == "3.2 × 10⁻⁹" and fmt.scientific(1.1e-20) == "1.1 × 10⁻²⁰"
    assert fmt.scientific(0.0123) == "0.012"


def test_lists_and_coordinates_are_one_line():
    assert fmt.gene_list("GRIN1,GRIN2B;BDNF") == "GRIN1, GRIN2B, BDNF"
    assert fmt.gene_list(np.array(["A", "B"])) == "A, B" and fmt.gene_list("['A' 'B']") == "A, B"
    assert fmt.coordinates("[138.74, 125.343, -134.161]") == "(138.7, 125.3, −134.2) Å"
    assert fmt.coordinates([1, 2.25, 3e1], 2) == "(1.00, 2.25, 30.00) Å"
    assert fmt.percent(3, 19) == "3 (15.8 %)"


def test_labels_for_variables_terms_and_notes():
    arms = ArmLabels(blinded=False)
    assert variable_label("bmi") == "BMI, kg/m²" and variable_label("new_thing_x") == "New thing x"
    assert term_label("group[T.MgSO4]:C(minute)[T.30]", arms) == "MgSO4 (vs Control) × minute 30 (vs 0)"
    assert term_label("C(asa_class)[T.2]", arms) == "ASA physical status: II"
    assert term_label("group[T.B]", ArmLabels(blinded=True)) == "Arm B (vs Arm A)"
    assert (
        humanise_note("dropped preop_analgesic: constant (NSAID)") == "Dropped preoperative analgesic: constant (NSAID)"
    )
