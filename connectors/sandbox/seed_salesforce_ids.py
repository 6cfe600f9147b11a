"""Salesforce record ids and field formats shared by the generator's Salesforce modules."""

from __future__ import annotations

from datetime import datetime

from .salesforce.ids import object_id


def sf_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def sf_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


class SalesforceIds:
    """Sequential ids per object, and the ids given to the world's parts."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}
        self.user: dict[int, str] = {}
        self.account: dict[int, str] = {}
        self.lead: dict[int, str] = {}
        self.contact: dict[int, str] = {}
        self.opportunity: dict[int, str] = {}
        self.campaign: dict[int, str] = {}

    def new(self, obj: str) -> str:
        self.counters[obj] = self.counters.get(obj, 0) + 1
        return object_id(obj, self.counters[obj])


def line(obj: str, record: dict) -> dict:
    return {"vendor": "salesforce", "object": obj, "record": record}


def system(created: datetime, modified: datetime | None = None) -> dict:
    modified = max(created, modified or created)
    return {
        "CreatedDate": sf_time(created),
        "LastModifiedDate": sf_time(modified),
        "SystemModstamp": sf_time(modified),
        "IsDeleted": False,
    }
