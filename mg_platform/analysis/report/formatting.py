"""Numbers as a journal prints them: p-values, estimates with CIs, gene lists, coordinates.

Conventions: the minus sign is U+2212; p-values have three decimals and ``<0.001`` below that (AMA
style); estimates keep the digits their unit warrants (:data:`DIGITS`); a CI reads "a to b" in prose
and "a to b" in tables too, so a negative bound is never mistaken for a range dash.
"""

from __future__ import annotations

import math
import re

import numpy as np

MINUS = "−"
# Decimals per unit: NRS points 2, µg 0, minutes 1; everything else 2.
DIGITS: dict[str, int] = {"µg": 0, "min": 1, "NRS × min": 1, "kcal/mol": 1, "Å": 2}


def missing(value: object) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if value is None:
        return True
    try:
        return bool(np.isnan(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value) in {"<NA>", "NaT", "nan"}


def number(value: object, digits: int = 2, signed: bool = False) -> str:
    """``-1.234`` -> ``−1.23`` (``+`` shown when ``signed``); missing -> ``–``."""
    if missing(value):
        return "–"
    x = float(value)  # type: ignore[arg-type]
    text = f"{abs(x):,.{digits}f}".replace(",", " ") if abs(x) >= 10_000 else f"{abs(x):.{digits}f}"
    if x < 0 and float(text.replace(" ", "")) != 0:
        return MINUS + text
    return ("+" if signed and x > 0 else "") + text


def digits_for(unit: str) -> int:
    """Decimals for a unit (see :data:`DIGITS`)."""
    return DIGITS.get(unit, 2)


def ci(low: object, high: object, digits: int = 2) -> str:
    """``−1.53 to −0.07``."""
    return f"{number(low, digits)} to {number(high, digits)}"


def estimate_ci(estimate: object, low: object, high: object, digits: int = 2) -> str:
    """``−0.80 (−1.53 to −0.07)``."""
    if missing(estimate):
        return "–"
    return f"{number(estimate, digits)} ({ci(low, high, digits)})"


def p_value(p: object) -> str:
    """``0.031``, ``<0.001``, ``1.000``; missing -> ``–``."""
    if missing(p):
        return "–"
    x = float(p)  # type: ignore[arg-type]
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def p_phrase(p: object, name: str = "p") -> str:
    """``p = 0.031`` or ``p < 0.001`` for prose."""
    text = p_value(p)
    return f"{name} < 0.001" if text == "<0.001" else f"{name} = {text}"


def scientific(value: object, digits: int = 1) -> str:
    """``3.2 × 10⁻⁵`` for very small values (FDR, enrichment p); plain otherwise."""
    if missing(value):
        return "–"
    x = float(value)  # type: ignore[arg-type]
    if x == 0:
        return "0"
    if 0.001 <= abs(x) < 1000:
        return f"{x:.3f}"
    exponent = math.floor(math.log10(abs(x)))
    mantissa = x / 10**exponent
    superscript = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{number(mantissa, digits)} × 10{superscript}"


def gene_list(value: object) -> str:
    """A gene list on one line: ``GRIN1,GRIN2B`` or ``['GRIN1' 'GRIN2B']`` -> ``GRIN1, GRIN2B``."""
    if isinstance(value, (list, tuple, np.ndarray)):
        items = [str(v) for v in value]
    elif missing(value):
        return "–"
    else:
        items = [t for t in re.split(r"[\s,;'\"\[\]]+", str(value)) if t]
    return ", ".join(items)


def coordinates(value: object, digits: int = 1, unit: str = "Å") -> str:
    """A 3-vector as ``(138.7, 125.3, 134.2) Å`` from a list, an array or its text."""
    if isinstance(value, (list, tuple, np.ndarray)):
        numbers = [float(v) for v in value]
    else:
        if missing(value):
            return "–"
        numbers = [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", str(value))]
    if not numbers:
        return str(value)
    return "(" + ", ".join(number(v, digits) for v in numbers) + f") {unit}".rstrip()


def percent(n: object, total: object) -> str:
    """``3 (15.8 %)``."""
    if missing(n) or missing(total) or not float(total):  # type: ignore[arg-type]
        return "–"
    return f"{int(n)} ({100 * float(n) / float(total):.1f} %)"  # type: ignore[arg-type]
