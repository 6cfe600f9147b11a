"""Changes at benchmark scale: a share of the load lines again, with their modification times moved.

`touched(lines, share, at_ms)` picks one line in every 1/share of each object (the forms and
campaigns activities point to apart) and moves the times an incremental read goes by to `at_ms`:
SystemModstamp and LastModifiedDate (Salesforce), updatedAt (HubSpot CRM objects), and the event
time of the event streams (created, occurredAt, submittedAt), as if those events came in again.
Loaded, they replace the records of the same ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from .bulk_lines import _iso

UNCHANGED = {("hubspot", "forms"), ("salesforce", "Campaign")}
EPOCH_MS = {"email_events": "created", "form_submissions": "submittedAt"}


def touched(lines: Iterable[dict], share: float, at_ms: int) -> Iterator[dict]:
    """The chosen lines, changed at `at_ms` (epoch milliseconds)."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    step = max(1, round(1 / share))
    seen: Counter[tuple[str, str]] = Counter()
    for line in lines:
        key = (line["vendor"], line["object"])
        if key in UNCHANGED:
            continue
        seen[key] += 1
        if seen[key] % step != step // 2:
            continue
        yield {**line, "record": _moved(line["vendor"], line["object"], dict(line["record"]), at_ms)}


def _moved(vendor: str, obj: str, record: dict, at_ms: int) -> dict:
    if vendor == "salesforce":
        record["LastModifiedDate"] = record["SystemModstamp"] = _iso(at_ms, True)
    elif obj in EPOCH_MS:
        record[EPOCH_MS[obj]] = at_ms
    elif obj == "web_events":
        record["occurredAt"] = _iso(at_ms, False)
    else:
        record["updatedAt"] = _iso(at_ms, False)
    return record
