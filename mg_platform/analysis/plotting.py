"""Matplotlib, imported only when a figure is drawn and always on the non-interactive Agg backend."""

from __future__ import annotations

from types import ModuleType


def pyplot() -> ModuleType:
    """``matplotlib.pyplot`` on the Agg backend (kept out of module import time: it costs about 0.5 s)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
