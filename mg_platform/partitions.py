"""Partitions: one per landed calendar month (YYYY-MM), matching the landing folder names."""

from __future__ import annotations

import dagster as dg

from mg_platform.settings import PARTITION_START

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=PARTITION_START, fmt="%Y-%m", end_offset=1)
"""From ``MG_PARTITION_START`` (default 2020-01) to the current calendar month."""


def split_by_partition_range(months: list[str]) -> tuple[list[str], dict[str, str]]:
    """Months inside the partition range, and a refusal message for each month outside it.

    A month folder before ``MG_PARTITION_START`` or after the current calendar month has no
    partition: it is refused with a message, and the other months still load and refresh.
    """
    keys = monthly_partitions.get_partition_keys()
    first, last = keys[0], keys[-1]
    inside = [m for m in months if first <= m <= last]
    refused = {
        m: (
            f"landing folder {m!r} is before the first partition {first} (MG_PARTITION_START); refused"
            if m < first
            else f"landing folder {m!r} is in the future (latest month is {last}); refused"
        )
        for m in months
        if not first <= m <= last
    }
    return inside, refused
