"""Partitions: one per landed calendar month (YYYY-MM), matching the landing folder names."""

import dagster as dg

from mg_platform.settings import PARTITION_START

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=PARTITION_START, fmt="%Y-%m", end_offset=1)
