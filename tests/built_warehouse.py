"""One generated company landed raw and built with dbt, once per test session (about 30 s)."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from dbt.cli.main import dbtRunner

from connectors.sandbox.seed import generate, product_usage
from flows.warehouse import Warehouse
from tests.raw_fixture import load_raw, with_calendar_events, write_product_usage
from tests.test_dbt import PEOPLE, TODAY, dbt_args


@functools.cache
def built_warehouse() -> Path:
    """The DuckDB file of a built company (with leadflow's ops tables, empty)."""
    workdir = Path(tempfile.mkdtemp(prefix="leadflow-built-"))
    path = workdir / "leadflow.duckdb"
    load_raw(path, with_calendar_events(generate(people=PEOPLE, seed=42, today=TODAY)))
    write_product_usage(workdir / "usage", product_usage(people=PEOPLE, seed=42, today=TODAY))
    before = {k: os.environ.get(k) for k in ("LEADFLOW_DUCKDB_PATH", "LEADFLOW_PRODUCT_USAGE_DIR")}
    os.environ["LEADFLOW_DUCKDB_PATH"] = str(path)
    os.environ["LEADFLOW_PRODUCT_USAGE_DIR"] = str(workdir / "usage")
    try:
        result = dbtRunner().invoke(
            dbt_args(workdir, ("build", "--exclude-resource-type", "unit_test"), {"as_of": TODAY.isoformat()})
        )
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert result.success, result.exception
    Warehouse(path).close()  # the ops tables every flow creates
    return path
