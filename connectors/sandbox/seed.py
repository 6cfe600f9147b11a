"""A synthetic B2B company for the sandbox CRMs, as lines of the admin load format.

`generate(people=2000, seed=42)` yields about 10 activities per person (email events, page views,
form submissions, sales tasks and engagements, campaign memberships), skewed so that a few people
do most of it, plus the users, accounts, leads, contacts, opportunities and deals around them.
The same (people, seed, today) always gives the same lines: all dates count back from `today`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

from .seed_chats import usage_rows
from .seed_hubspot import hubspot_lines
from .seed_salesforce import salesforce_lines
from .seed_salesforce_ids import SalesforceIds
from .seed_world import build_world


def generate(people: int = 2000, seed: int = 42, today: date | None = None) -> Iterator[dict]:
    """Lines `{"vendor", "object", "record"}` describing one synthetic company."""
    if people < 1:
        raise ValueError(f"people must be at least 1, got {people}")
    today = today or datetime.now(UTC).date()
    now = datetime.combine(today, time(0), tzinfo=UTC)
    rng = random.Random(seed)
    world = build_world(rng, people, now)
    ids = SalesforceIds()
    # Salesforce first: HubSpot copies carry the Salesforce ids.
    yield from salesforce_lines(world, rng, ids)
    yield from hubspot_lines(world, rng, ids)


def product_usage(people: int = 2000, seed: int = 42, today: date | None = None) -> list[dict]:
    """The company's product usage (trial users' events) as rows for a usage file drop:
    `{event_id, email, event_name, occurred_at, quantity}`; the same company as `generate`."""
    today = today or datetime.now(UTC).date()
    world = build_world(random.Random(seed), people, datetime.combine(today, time(0), tzinfo=UTC))
    return usage_rows(world, random.Random(f"{seed}:usage"))


def write_jsonl(path: Path | str, lines: Iterable[dict]) -> int:
    """Write load lines to a JSON-lines file; return how many were written."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for item in lines:
            out.write(json.dumps(item, separators=(",", ":")) + "\n")
            count += 1
    return count


if __name__ == "__main__":
    import sys

    written = write_jsonl(sys.argv[1] if len(sys.argv) > 1 else "company.jsonl", generate())
    print(f"{written} lines")
