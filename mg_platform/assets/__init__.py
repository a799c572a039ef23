"""Thin Dagster asset definitions, one module per stage; logic lives in mg_platform.analysis."""
