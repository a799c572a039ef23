"""Dagster resources: everything outside the process is reached through these."""
