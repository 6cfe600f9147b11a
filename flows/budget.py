"""The vendors' daily API budget as the last extract saw it, kept for `leadflow status`."""

from __future__ import annotations

from flows.warehouse import Warehouse

TABLE = """
create table if not exists ops.api_budget (
    source varchar primary key, calls_left bigint, daily_limit bigint, reserve bigint,
    seen_at timestamp
)
"""


def seen_budget(reader) -> tuple[int | None, int | None, int | None]:
    """(calls left, daily limit, reserve) from the reader's last answer; no call is made."""
    if hasattr(reader, "api_usage"):  # Salesforce: Sforce-Limit-Info of the last answer
        usage = reader.api_usage()
        if usage is None:
            return None, None, reader.config.daily_reserve
        return usage[1] - usage[0], usage[1], reader.config.daily_reserve
    client = getattr(reader, "client", None)
    if client is not None and hasattr(client, "daily_remaining"):  # HubSpot: the daily header
        return client.daily_remaining, None, client.config.daily_reserve
    return None, None, None


def record_budget(wh: Warehouse, source: str, reader) -> None:
    """Keep what the vendor said is left today (nothing when it said nothing)."""
    left, limit, reserve = seen_budget(reader)
    if left is None:
        return
    with wh.lock:
        wh.con.execute(TABLE)
        wh.con.execute(
            "insert or replace into ops.api_budget values (?, ?, ?, ?, now() at time zone 'UTC')",
            (source, left, limit, reserve),
        )
