"""The warehouse opened to read, for `leadflow status` and `leadflow explain`: nothing is created."""

from __future__ import annotations

from pathlib import Path

import duckdb


class WarehouseMissing(RuntimeError):
    """No DuckDB file at the configured path: nothing has run yet."""


class WarehouseBusy(RuntimeError):
    """Another process holds the DuckDB file for writing (a run under way)."""


class Reader:
    """A read-only DuckDB connection with the two questions status and explain ask."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.exists():
            raise WarehouseMissing(f"no warehouse at {self.path} yet: run `leadflow run nightly` first")
        try:
            self.con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.ConnectionException:
            # Open in this process already (dbt-duckdb keeps its connection): share that configuration.
            self.con = duckdb.connect(str(self.path))
        except duckdb.IOException as err:
            raise WarehouseBusy(
                f"{self.path} is in use by a running flow (DuckDB allows one writer); try again when it ends"
                f" ({err})"
            ) from None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.con.close()

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(
            self.query(
                "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
                (schema, table),
            )
        )

    def query(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self.con.execute(sql, params).fetchall()

    def records(self, sql: str, params: list | tuple = ()) -> list[dict]:
        """Rows as dicts by column name."""
        cursor = self.con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
