"""Writing to HubSpot: leadflow's contact properties, and batch updates that lose no record."""

from __future__ import annotations

import json

from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    SimplePublicObjectBatchInput,
)
from hubspot.crm.properties import PropertyCreate

from ..errors import ConnectorError
from ..records import WriteResult
from .client import CONNECTION_LOST, HubSpotClient, HubSpotConfig
from .settings import BATCH_SIZE, WRITABLE_PROPERTIES, WRITEBACK_PROPERTIES

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class HubSpotSink:
    """Batch updates of contacts, 100 per call, ids unique inside a batch."""

    def __init__(self, config: HubSpotConfig, client: HubSpotClient | None = None):
        self.client = client or HubSpotClient(config)

    @property
    def calls(self) -> int:
        return self.client.calls

    def ensure_properties(self, object_type: str = "contacts") -> list[str]:
        """Create the custom properties leadflow writes that the account lacks; return them."""
        answer = self.client.send(self.client.properties.get_all, object_type)
        present = {p["name"] for p in answer.get("results", [])}
        created = []
        for prop in WRITEBACK_PROPERTIES:
            if prop.builtin or prop.name in present:
                continue
            self.client.send(
                self.client.properties.create,
                object_type,
                PropertyCreate(**_snake(prop.definition())),
                idempotent=False,
            )
            created.append(prop.name)
        return created

    def update(self, object_type: str, rows: list[dict]) -> list[WriteResult]:
        """Update records given as {"id": ..., "properties": {...}}; one result per row."""
        for row in rows:
            extra = set(row["properties"]) - WRITABLE_PROPERTIES
            if extra:
                raise ValueError(f"{object_type} {row['id']}: properties not on the allow-list: {extra}")
        ids = [row["id"] for row in rows]
        if len(set(ids)) != len(ids):
            # One duplicate id makes HubSpot reject the whole batch: callers merge first.
            raise ValueError(f"{object_type}: duplicate ids in one update")
        results: list[WriteResult] = []
        for start in range(0, len(rows), BATCH_SIZE):
            results.extend(self._batch(object_type, rows[start : start + BATCH_SIZE]))
        return results

    def _batch(self, object_type: str, rows: list[dict]) -> list[WriteResult]:
        body = BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=r["id"], properties=r["properties"]) for r in rows]
        )
        try:
            answer = self.client.send(self.client.batch.update, object_type, body, idempotent=False)
        except ConnectorError as err:
            if err.status == 400 and len(rows) > 1:
                # One invalid value fails the whole batch, naming no record: halve until it does.
                middle = len(rows) // 2
                return self._batch(object_type, rows[:middle]) + self._batch(object_type, rows[middle:])
            if err.status is None or err.status >= 400:
                return [
                    WriteResult(
                        r["id"],
                        False,
                        code=err.code or str(err.status),
                        message=_message(err),
                        # Cut off mid-answer: tried again once read back (flows/writeback.py).
                        retryable=err.status in RETRYABLE_STATUS or err.code == CONNECTION_LOST,
                    )
                    for r in rows
                ]
            raise
        failed: dict[str, WriteResult] = {}
        for error in answer.get("errors", []):
            for rid in (error.get("context") or {}).get("ids", []):
                failed[str(rid)] = WriteResult(
                    str(rid),
                    False,
                    code=error.get("category", "ERROR"),
                    message=error.get("message", ""),
                    retryable=_status(error) in RETRYABLE_STATUS,
                )
        return [failed.get(str(r["id"]), WriteResult(str(r["id"]), True)) for r in rows]

    def read_fields(self, object_type: str, ids: list[str], fields: list[str]) -> dict[str, dict]:
        """The current values of some properties of some records, by id."""
        found: dict[str, dict] = {}
        for start in range(0, len(ids), BATCH_SIZE):
            body = BatchReadInputSimplePublicObjectId(
                inputs=[{"id": i} for i in ids[start : start + BATCH_SIZE]], properties=fields
            )
            answer = self.client.send(self.client.batch.read, object_type, body)
            for item in answer.get("results", []):
                found[str(item["id"])] = item.get("properties", {})
        return found


def _status(error: dict) -> int | None:
    """A batch error's HTTP status; HubSpot's own 207 answers say `"status": "error"` instead."""
    status = str(error.get("status", ""))
    return int(status) if status.isdigit() else None


def _message(err: ConnectorError) -> str:
    """HubSpot nests validation details as a JSON string inside `message`: unpack what we can."""
    text = str(err)
    detail = getattr(err, "detail", {}) or {}
    message = detail.get("message", text)
    if "[" in message:
        try:
            items = json.loads(message[message.index("[") :])
            return "; ".join(f"{i.get('name')}: {i.get('message') or i.get('error')}" for i in items)
        except ValueError:
            pass
    return message


def _snake(definition: dict) -> dict:
    """PropertyCreate takes snake_case keyword arguments."""
    names = {"fieldType": "field_type", "groupName": "group_name", "displayOrder": "display_order"}
    return {names.get(k, k): v for k, v in definition.items()}
