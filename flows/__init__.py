"""Prefect flows, the CLI and the DuckDB state: the only code that imports Prefect."""
