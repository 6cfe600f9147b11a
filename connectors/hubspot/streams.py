"""Reading HubSpot's small objects and activity streams: owners, forms, marketing activity, chats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from ..records import Page, RawRecord
from .settings import WEB_EVENT_TYPES

EMAIL_EVENT_WINDOW = timedelta(days=1)


def parse_time(value) -> datetime | None:
    """HubSpot's ISO `...Z` strings and epoch milliseconds, as aware UTC datetimes."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def after_of(answer: dict) -> str | None:
    return ((answer.get("paging") or {}).get("next") or {}).get("after")


class StreamReader:
    """Readers by kind; `self.client` is a HubSpotClient. Each yields pages of raw records."""

    client: object

    def _paged(self, fn, *args, **kwargs) -> Iterator[dict]:
        """Pages of a generated API method that pages with `after`."""
        after = None
        while True:
            answer = self.client.send(fn, *args, after=after, **kwargs)
            yield answer
            after = after_of(answer)
            if not after:
                return

    def _paged_get(self, path: str, params: list) -> Iterator[dict]:
        after = None
        while True:
            answer = self.client.get(path, params + ([("after", after)] if after else []))
            yield answer
            after = after_of(answer)
            if not after:
                return

    def read_owners(self, spec, since, until) -> Iterator[Page]:
        for archived in (False, True):
            for answer in self._paged(self.client.owners.get_page, limit=100, archived=archived):
                yield Page(
                    [
                        RawRecord(str(o["id"]), parse_time(o.get("updatedAt")), archived, o)
                        for o in answer.get("results", [])
                    ]
                )

    def forms(self) -> Iterator[dict]:
        for answer in self._paged(self.client.forms.get_page, limit=100):
            yield from answer.get("results", [])

    def read_forms(self, spec, since, until) -> Iterator[Page]:
        yield Page(
            [
                RawRecord(f["id"], parse_time(f.get("updatedAt")), bool(f.get("archived")), f)
                for f in self.forms()
            ]
        )

    def read_form_submissions(self, spec, since, until) -> Iterator[Page]:
        """Submissions come newest first: read each form back to the watermark."""
        started = datetime.now(UTC)
        for form in self.forms():
            for answer in self._paged_get(
                f"/form-integrations/v1/submissions/forms/{form['id']}", [("limit", 50)]
            ):
                page, older = [], False
                for item in answer.get("results", []):
                    at = parse_time(item.get("submittedAt"))
                    if since is not None and at is not None and at < since:
                        older = True
                    elif until is None or at is None or at < until:
                        page.append(
                            RawRecord(item["conversionId"], at, False, {**item, "formId": form["id"]})
                        )
                yield Page(page)
                if older:
                    break
        yield Page([], checkpoint=until or started)

    def read_email_events(self, spec, since, until) -> Iterator[Page]:
        """A window at a time (a day), so that a stopped run resumes at the last whole window."""
        end = until or datetime.now(UTC)
        if since is None:
            yield from self._email_events(None, end)
            yield Page([], checkpoint=end)
            return
        low = since
        while low < end:
            high = min(low + EMAIL_EVENT_WINDOW, end)
            yield from self._email_events(low, high)
            yield Page([], checkpoint=high)
            low = high

    def _email_events(self, low, high) -> Iterator[Page]:
        params: list = [("limit", 1000), ("endTimestamp", ms(high))]
        if low is not None:
            params.append(("startTimestamp", ms(low)))
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
                return

    def read_web_events(self, spec, since, until) -> Iterator[Page]:
        """Page views oldest first: every page moves the watermark."""
        for event_type in WEB_EVENT_TYPES:
            pages = self._paged(
                self.client.events.get_page,
                object_type="contact",
                event_type=event_type,
                occurred_after=since,
                occurred_before=until,
                limit=100,
                sort=["ASCENDING"],
            )
            for answer in pages:
                records = [
                    RawRecord(str(e["id"]), parse_time(e.get("occurredAt")), False, e)
                    for e in answer.get("results", [])
                ]
                yield Page(records, checkpoint=max((r.modified_at for r in records), default=None))

    def read_marketing_events(self, spec, since, until) -> Iterator[Page]:
        for answer in self._paged_get("/marketing/v3/marketing-events", [("limit", 100)]):
            yield Page(
                [
                    RawRecord(str(e["objectId"]), parse_time(e.get("updatedAt")), False, e)
                    for e in answer.get("results", [])
                ]
            )

    def read_event_participations(self, spec, since, until) -> Iterator[Page]:
        """Who registered for or attended each webinar (all of it: participations are few)."""
        events = [
            e
            for a in self._paged_get("/marketing/v3/marketing-events", [("limit", 100)])
            for e in a.get("results", [])
        ]
        for event in events:
            path = f"/marketing/v3/marketing-events/participations/{event['objectId']}/breakdown"
            for answer in self._paged_get(path, [("limit", 100)]):
                yield Page(
                    [
                        RawRecord(
                            str(p["id"]),
                            parse_time((p.get("properties") or {}).get("occurredAt") or p.get("createdAt")),
                            False,
                            p,
                        )
                        for p in answer.get("results", [])
                    ]
                )

    def _threads(self, since, until) -> Iterator[tuple[list[dict], datetime | None]]:
        params: list = [("limit", 100)]
        if since is not None:
            params += [
                ("sort", "latestMessageTimestamp"),
                ("latestMessageTimestampAfter", since.isoformat().replace("+00:00", "Z")),
            ]
        for answer in self._paged_get("/conversations/v3/conversations/threads", params):
            threads = [
                t
                for t in answer.get("results", [])
                if until is None or (parse_time(t.get("latestMessageTimestamp")) or until) < until
            ]
            last = max((parse_time(t.get("latestMessageTimestamp")) for t in threads), default=None)
            yield threads, (last if since is not None else None)

    def read_conversation_threads(self, spec, since, until) -> Iterator[Page]:
        """Chat threads, by their last message time (oldest first when incremental)."""
        started = datetime.now(UTC)
        for threads, last in self._threads(since, until):
            yield Page(
                [
                    RawRecord(
                        str(t["id"]), parse_time(t.get("latestMessageTimestamp")), bool(t.get("archived")), t
                    )
                    for t in threads
                ],
                checkpoint=last,
            )
        yield Page([], checkpoint=(until or started) if since is None else None)

    def read_conversation_messages(self, spec, since, until) -> Iterator[Page]:
        """The messages of every thread with a message since the watermark."""
        started = datetime.now(UTC)
        for threads, last in self._threads(since, until):
            for thread in threads:
                path = f"/conversations/v3/conversations/threads/{thread['id']}/messages"
                for answer in self._paged_get(path, [("limit", 100)]):
                    yield Page(
                        [
                            RawRecord(
                                str(m["id"]),
                                parse_time(m.get("createdAt")),
                                False,
                                {**m, "conversationsThreadId": str(thread["id"])},
                            )
                            for m in answer.get("results", [])
                        ]
                    )
            yield Page([], checkpoint=last)
        yield Page([], checkpoint=(until or started) if since is None else None)
