"""Reading HubSpot: CRM objects, owners and the marketing activity streams, page by page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from hubspot.crm.objects import Filter, FilterGroup, PublicObjectSearchRequest

from ..errors import ConnectorError
from ..records import Page, RawRecord
from .client import HubSpotClient, HubSpotConfig
from .settings import LIST_PAGE, OBJECTS, SEARCH_CAP, SEARCH_PAGE, WEB_EVENT_TYPES


def parse_time(value) -> datetime | None:
    """HubSpot's ISO `...Z` strings and epoch milliseconds, as aware UTC datetimes."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class HubSpotSource:
    """One HubSpot account: every object leadflow extracts, as pages of raw records."""

    def __init__(self, config: HubSpotConfig, client: HubSpotClient | None = None):
        self.client = client or HubSpotClient(config)

    def pages(
        self, name: str, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[Page]:
        spec = OBJECTS[name]
        reader = getattr(self, f"_read_{spec.kind}")
        yield from reader(spec, since, until)

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
        request = PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(filters=[Filter(property_name=property_name, operator="EQ", value=value)])
            ],
            properties=properties,
            limit=limit,
        )
        answer = self.client.send(self.client.search_api.do_search, object_type, request, search=True)
        return answer.get("results", [])

    # -- CRM objects ---------------------------------------------------------------------------

    def _read_crm(self, spec, since, until) -> Iterator[Page]:
        properties = self.property_names(spec.name)
        if since is None and until is None:
            yield from self._list_all(spec, properties)
        else:
            yield from self._search_window(spec, properties, since, until)

    def _crm_record(self, spec, item: dict) -> RawRecord:
        modified = parse_time(item["properties"].get(spec.cursor) or item.get("updatedAt"))
        return RawRecord(item["id"], modified, bool(item.get("archived")), item)

    def _list_all(self, spec, properties: list[str]) -> Iterator[Page]:
        """A first full pull, live and archived records, listed by id (checkpoint at the end)."""
        started = datetime.now(UTC)
        for archived in (False, True):
            after = None
            while True:
                answer = self.client.send(
                    self.client.objects.get_page,
                    spec.name,
                    limit=LIST_PAGE,
                    after=after,
                    properties=properties,
                    associations=list(spec.associations) or None,
                    archived=archived,
                )
                yield Page([self._crm_record(spec, r) for r in answer.get("results", [])])
                after = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break
        yield Page([], checkpoint=started)

    def _search_window(self, spec, properties, since, until) -> Iterator[Page]:
        """Records modified since the watermark, oldest first; restarts past search's 10,000 cap."""
        low = since
        while True:
            seen, after, last = 0, None, None
            while True:
                filters = []
                if low is not None:
                    filters.append(Filter(property_name=spec.cursor, operator="GTE", value=str(_ms(low))))
                if until is not None:
                    filters.append(Filter(property_name=spec.cursor, operator="LT", value=str(_ms(until))))
                request = PublicObjectSearchRequest(
                    filter_groups=[FilterGroup(filters=filters)] if filters else [],
                    sorts=[{"propertyName": spec.cursor, "direction": "ASCENDING"}],
                    properties=properties,
                    limit=SEARCH_PAGE,
                    after=after,
                )
                answer = self.client.send(self.client.search_api.do_search, spec.name, request, search=True)
                records = [self._crm_record(spec, r) for r in answer.get("results", [])]
                records = self._with_associations(spec, records)
                seen += len(records)
                if records:
                    last = max(r.modified_at for r in records if r.modified_at)
                yield Page(records, checkpoint=last)
                after = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if not after or seen + SEARCH_PAGE > SEARCH_CAP:
                    break
            if not after:
                return
            if last is None or (low is not None and last <= low):
                raise ConnectorError(
                    "hubspot",
                    f"{spec.name}: over {SEARCH_CAP} records share one modification "
                    "time; the search window cannot advance",
                )
            low = last  # the next window starts at the last modification time seen

    def _with_associations(self, spec, records: list[RawRecord]) -> list[RawRecord]:
        """Search answers carry no associations: read them in one batch per page."""
        if not spec.associations or not records:
            return records
        ids = [r.id for r in records]
        links: dict[str, dict] = {i: {} for i in ids}
        for to_type in spec.associations:
            answer = self.client.send(
                self.client.objects.api_client.call_api,
                f"/crm/v4/associations/{spec.name}/{to_type}/batch/read",
                "POST",
                body={"inputs": [{"id": i} for i in ids]},
                header_params={"Accept": "application/json", "Content-Type": "application/json"},
                auth_settings=["oauth2"],
                response_types_map={},
            )
            for item in answer.get("results", []):
                source = str(item["from"]["id"])
                links.setdefault(source, {})[to_type] = {
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

    # -- owners and forms: small, read whole every run -------------------------------------------

    def _read_owners(self, spec, since, until) -> Iterator[Page]:
        for archived in (False, True):
            after = None
            while True:
                answer = self.client.send(
                    self.client.owners.get_page, limit=100, after=after, archived=archived
                )
                yield Page(
                    [
                        RawRecord(str(o["id"]), parse_time(o.get("updatedAt")), archived, o)
                        for o in answer.get("results", [])
                    ]
                )
                after = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break

    def _forms(self) -> Iterator[dict]:
        after = None
        while True:
            answer = self.client.send(self.client.forms.get_page, limit=100, after=after)
            yield from answer.get("results", [])
            after = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def _read_forms(self, spec, since, until) -> Iterator[Page]:
        yield Page(
            [
                RawRecord(f["id"], parse_time(f.get("updatedAt")), bool(f.get("archived")), f)
                for f in self._forms()
            ]
        )

    # -- activity streams ---------------------------------------------------------------------

    def _read_form_submissions(self, spec, since, until) -> Iterator[Page]:
        """Submissions come newest first: read each form back to the watermark."""
        started = datetime.now(UTC)
        for form in self._forms():
            after = None
            while True:
                answer = self.client.get(
                    f"/form-integrations/v1/submissions/forms/{form['id']}",
                    [("limit", 50)] + ([("after", after)] if after else []),
                )
                page, older = [], False
                for item in answer.get("results", []):
                    at = parse_time(item.get("submittedAt"))
                    if since is not None and at is not None and at < since:
                        older = True
                        continue
                    if until is not None and at is not None and at >= until:
                        continue
                    page.append(RawRecord(item["conversionId"], at, False, {**item, "formId": form["id"]}))
                yield Page(page)
                after = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if older or not after:
                    break
        yield Page([], checkpoint=started)

    def _read_email_events(self, spec, since, until) -> Iterator[Page]:
        started = datetime.now(UTC)
        params: list[tuple[str, object]] = [("limit", 1000)]
        if since is not None:
            params.append(("startTimestamp", _ms(since)))
        if until is not None:
            params.append(("endTimestamp", _ms(until)))
        offset = None
        while True:
            answer = self.client.get(
                "/email/public/v1/events", params + ([("offset", offset)] if offset else [])
            )
            yield Page(
                [
                    RawRecord(str(e["id"]), parse_time(e.get("created")), False, e)
                    for e in answer.get("events", [])
                ]
            )
            offset = answer.get("offset")
            if not answer.get("hasMore") or not offset:
                break
        yield Page([], checkpoint=started)

    def _read_web_events(self, spec, since, until) -> Iterator[Page]:
        started = datetime.now(UTC)
        for event_type in WEB_EVENT_TYPES:
            after = None
            while True:
                answer = self.client.send(
                    self.client.events.get_page,
                    object_type="contact",
                    event_type=event_type,
                    occurred_after=since,
                    occurred_before=until,
                    limit=100,
                    after=after,
                )
                yield Page(
                    [
                        RawRecord(str(e["id"]), parse_time(e.get("occurredAt")), False, e)
                        for e in answer.get("results", [])
                    ]
                )
                after = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break
        yield Page([], checkpoint=started)


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
