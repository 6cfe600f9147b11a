"""Backfill: re-read a window of records; the nightly watermark never moves backwards."""

from __future__ import annotations

from datetime import datetime

from prefect import flow

from flows.extract import extract


@flow(name="backfill", log_prints=True)
def backfill(
    since: datetime,
    until: datetime | None = None,
    objects: list[str] | None = None,
    full_refresh: bool = False,
) -> list[dict]:
    """Extract records modified in [since, until) (or everything with full_refresh)."""
    if until is not None and until <= since:
        raise ValueError(f"until ({until}) must be after since ({since})")
    if full_refresh:
        return extract(objects=objects, full_refresh=True)
    return extract(since=since, until=until, objects=objects)


if __name__ == "__main__":
    import sys

    backfill(since=datetime.fromisoformat(sys.argv[1]))
