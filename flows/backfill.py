"""Backfill: re-read a window of records; the nightly watermark never moves backwards."""

from __future__ import annotations

from datetime import datetime

from prefect import flow

from flows.artifacts import publish_extract, record_failure
from flows.extract import extract


# Years of history under the API limits can take most of a day.
@flow(
    name="backfill",
    log_prints=True,
    timeout_seconds=20 * 3600,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
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
        extracted = extract(objects=objects, full_refresh=True)
    else:
        extracted = extract(since=since, until=until, objects=objects)
    publish_extract("backfill", extracted)
    return extracted


if __name__ == "__main__":
    import sys

    backfill(since=datetime.fromisoformat(sys.argv[1]))
