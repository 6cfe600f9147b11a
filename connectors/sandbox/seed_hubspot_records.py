"""HubSpot record shapes and ids shared by the generator's HubSpot modules."""

from __future__ import annotations

import random
import uuid
from datetime import datetime

PORTAL_ID = 4242


def hs_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def line(obj: str, record: dict) -> dict:
    return {"vendor": "hubspot", "object": obj, "record": record}


def crm(
    rid: str, properties: dict, created: datetime, updated: datetime, associations: dict | None = None
) -> dict:
    record = {
        "id": rid,
        "properties": properties,
        "createdAt": hs_time(created),
        "updatedAt": hs_time(max(created, updated)),
        "archived": False,
    }
    if associations:
        record["associations"] = associations
    return record


class HubSpotIds:
    """Numeric string ids per object family, and uuids drawn from the generator's random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next = {"owners": 71, "contacts": 1001, "companies": 5001, "deals": 8001, "engagements": 30001}
        self.owner: dict[int, str] = {}
        self.contact: dict[int, str] = {}
        self.company: dict[int, str] = {}

    def new(self, family: str) -> str:
        self.next[family] += 1
        return str(self.next[family] - 1)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
