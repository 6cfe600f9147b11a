"""Reading HubSpot CRM objects: a resumable first pull, then search windows on the modstamp."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from hubspot.crm.objects import Filter, FilterGroup, PublicObjectSearchRequest

from ..records import Page, RawRecord
from .client import HubSpotClient, HubSpotConfig
from .readahead import read_ahead
from .settings import LIST_PAGE, OBJECTS, SEARCH_CAP, SEARCH_PAGE
from .streams import StreamReader, after_of, ms, parse_time


class HubSpotSource(StreamReader):
    """One HubSpot account: every object leadflow extracts, as pages of raw records."""

    def __init__(self, config: HubSpotConfig, client: HubSpotClient | None = None):
        self.client = client or HubSpotClient(config)

    @property
    def meter(self):
        return self.client.meter

    def pages(
        self,
        name: str,
        since: datetime | None = None,
        until: datetime | None = None,
        resume: dict | None = None,
    ) -> Iterator[Page]:
        spec = OBJECTS[name]
        if spec.kind == "crm":
            reader = self._read_crm(spec, since, until, resume)
        else:
            reader = getattr(self, f"read_{spec.kind}")(spec, since, until)
        yield from read_ahead(reader, self.client)

    def property_names(self, object_type: str) -> list[str]:
        answer = self.client.send(self.client.properties.get_all, object_type)
        return sorted(p["name"] for p in answer["results"])

    def count(self, object_type: str) -> int:
        """The live records HubSpot holds, as its search `total` says."""
        request = PublicObjectSearchRequest(filter_groups=[], limit=1, properties=["hs_object_id"])
        answer = self.client.send(self.client.search_api.do_search, object_type, request, search=True)
        return int(answer.get("total", 0))

    def search(
        self, object_type: str, property_name: str, value: str, properties: list[str], limit: int = 10
    ) -> list[dict]:
        """Records whose property equals a value (one page), as plain dicts."""
        answer = self._search(
            object_type,
            [Filter(property_name=property_name, operator="EQ", value=value)],
            properties,
            limit=limit,
        )
        return answer.get("results", [])

    def _search(self, object_type, filters, properties, sort=None, after=None, limit=SEARCH_PAGE) -> dict:
        request = PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=filters)] if filters else [],
            sorts=[{"propertyName": sort, "direction": "ASCENDING"}] if sort else None,
            properties=properties,
            limit=limit,
            after=after,
        )
        return self.client.send(self.client.search_api.do_search, object_type, request, search=True)

    # -- CRM objects ---------------------------------------------------------------------------

    def _read_crm(self, spec, since, until, resume) -> Iterator[Page]:
        properties = self.property_names(spec.name)
        if since is None and until is None:
            yield from self._list_all(spec, properties, resume or {})
            return
        yield from self._search_windows(spec, properties, since, until)
        yield from self._archived_since(spec, properties, since, until)

    def _record(self, spec, item: dict) -> RawRecord:
        modified = parse_time(item["properties"].get(spec.cursor) or item.get("updatedAt"))
        return RawRecord(item["id"], modified, bool(item.get("archived")), item)

    def _list(self, spec, properties, archived: bool, after: str | None) -> dict:
        return self.client.send(
            self.client.objects.get_page,
            spec.name,
            limit=LIST_PAGE,
            after=after,
            properties=properties,
            associations=list(spec.associations) or None,
            archived=archived,
        )

    def _list_all(self, spec, properties, resume: dict) -> Iterator[Page]:
        """A first full pull, live then archived records, by id; resumable page by page."""
        started = resume.get("started") or datetime.now(UTC).isoformat()
        phases = (False, True) if not resume.get("archived") else (True,)
        after = resume.get("after")
        for archived in phases:
            while True:
                answer = self._list(spec, properties, archived, after)
                after = after_of(answer)
                position = (
                    {"started": started, "archived": archived, "after": after}
                    if after
                    else ({"started": started, "archived": True, "after": None} if not archived else None)
                )
                yield Page([self._record(spec, r) for r in answer.get("results", [])], resume=position)
                if not after:
                    break
        # Records changed during the pull may sit on pages already read: the next run starts
        # from the moment this pull began.
        yield Page([], checkpoint=datetime.fromisoformat(started))

    def _search_windows(self, spec, properties, since, until) -> Iterator[Page]:
        """Records modified in [since, until), oldest first, in queries of under 10,000 results.

        Each query starts at the last modification time the previous one reached; where more
        than 10,000 records share one time, that time is read in id order on its own.
        """
        low = since
        while True:
            filters = [Filter(property_name=spec.cursor, operator="GTE", value=str(ms(low)))] if low else []
            if until is not None:
                filters.append(Filter(property_name=spec.cursor, operator="LT", value=str(ms(until))))
            after, seen, last = None, 0, None
            while True:
                answer = self._search(spec.name, filters, properties, sort=spec.cursor, after=after)
                records = self._with_associations(
                    spec, [self._record(spec, r) for r in answer.get("results", [])]
                )
                seen += len(records)
                if records:
                    last = max(r.modified_at for r in records if r.modified_at)
                yield Page(records, checkpoint=last)
                after = after_of(answer)
                if not after or seen + SEARCH_PAGE > SEARCH_CAP:
                    break
            if not after:
                return
            if low is not None and last is not None and last <= low:
                yield from self._same_time(spec, properties, low)
                last = low + timedelta(milliseconds=1)
            low = last

    def _same_time(self, spec, properties, moment: datetime) -> Iterator[Page]:
        """Every record modified at exactly `moment`, in id order (ties past the search cap)."""
        floor = "0"
        while True:
            filters = [
                Filter(property_name=spec.cursor, operator="EQ", value=str(ms(moment))),
                Filter(property_name="hs_object_id", operator="GT", value=floor),
            ]
            answer = self._search(spec.name, filters, properties, sort="hs_object_id")
            records = self._with_associations(
                spec, [self._record(spec, r) for r in answer.get("results", [])]
            )
            yield Page(records, checkpoint=moment if records else None)
            if not after_of(answer) or not records:
                return
            floor = records[-1].id

    def _archived_since(self, spec, properties, since, until) -> Iterator[Page]:
        """Search never answers archived records: list them, keep those archived in the window."""
        after = None
        while True:
            answer = self._list(spec, properties, True, after)
            kept = []
            for item in answer.get("results", []):
                at = parse_time(item.get("archivedAt") or item.get("updatedAt"))
                if (since is None or at is None or at >= since) and (
                    until is None or at is None or at < until
                ):
                    kept.append(self._record(spec, item))
            yield Page(kept)
            after = after_of(answer)
            if not after:
                return

    def _with_associations(self, spec, records: list[RawRecord]) -> list[RawRecord]:
        """Search answers carry no associations: read them in one batch per page."""
        if not spec.associations or not records:
            return records
        links: dict[str, dict] = {r.id: {} for r in records}
        for to_type in spec.associations:
            answer = self.client.send(
                self.client.objects.api_client.call_api,
                f"/crm/v4/associations/{spec.name}/{to_type}/batch/read",
                "POST",
                body={"inputs": [{"id": r.id} for r in records]},
                header_params={"Accept": "application/json", "Content-Type": "application/json"},
                auth_settings=["oauth2"],
                response_types_map={},
            )
            for item in answer.get("results", []):
                links.setdefault(str(item["from"]["id"]), {})[to_type] = {
                    "results": [
                        {"id": str(t["toObjectId"]), "type": _type_name(spec.name, to_type)}
                        for t in item.get("to", [])
                    ]
                }
        return [
            RawRecord(r.id, r.modified_at, r.is_deleted, {**r.record, "associations": links[r.id]})
            if links.get(r.id)
            else r
            for r in records
        ]


_SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "calls": "call",
    "emails": "email",
    "meetings": "meeting",
    "notes": "note",
}


def _type_name(from_type: str, to_type: str) -> str:
    """HubSpot's default association label, e.g. call_to_contact."""
    return f"{_SINGULAR[from_type]}_to_{_SINGULAR[to_type]}"
