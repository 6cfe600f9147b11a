"""Processing a Bulk API 2.0 ingest job's CSV: 200 rows per transaction, one result per row."""

from __future__ import annotations

import csv
import io
import time
from typing import TYPE_CHECKING

from . import ids
from .errors import SalesforceError
from .render import VENDOR

if TYPE_CHECKING:
    from .app import SalesforceApp
    from .bulk import Job

CHUNK = 200
NULL = "#N/A"  # how a Bulk API CSV sets a field to null; empty cells leave fields alone


def _rows(job: Job, delimiter: str) -> tuple[list[str], list[list[str]]]:
    header: list[str] = []
    rows: list[list[str]] = []
    for text in job.uploads:
        parsed = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
        if not parsed:
            continue
        if header and parsed[0] != header:
            raise ValueError("InvalidBatch : all uploads of a job must have the same header row")
        header = parsed[0]
        rows.extend(parsed[1:])
    return header, rows


def _fail_job(job: Job, message: str) -> None:
    job.info.update(state="Failed", errorMessage=message)


def run_ingest(app: SalesforceApp, job: Job, delimiter: str) -> None:
    started = time.perf_counter()
    obj = app.schema.get(job.info["object"])
    operation = job.info["operation"]
    try:
        header, rows = _rows(job, delimiter)
    except (ValueError, csv.Error) as err:
        return _fail_job(job, str(err))
    if not header:
        return _fail_job(job, "InvalidBatch : the job has no data")
    unknown = [h for h in header if app.schema.field(obj, h) is None]
    if unknown:
        return _fail_job(job, f"InvalidBatch : Field name not found : {unknown[0]}")
    if operation in ("delete", "hardDelete") and [h.lower() for h in header] != ["id"]:
        return _fail_job(job, "InvalidBatch : The 'delete' batch must contain only 'Id'")
    job.header = header
    for start in range(0, len(rows), CHUNK):
        with app.store.transaction():
            now = app.clock.tick_ms()
            changes = []
            for row in rows[start : start + CHUNK]:
                body = {h: (None if v == NULL else v) for h, v in zip(header, row, strict=False) if v != ""}
                rid = next((v for k, v in body.items() if k.lower() == "id"), None)
                try:
                    change = _one(app, obj, operation, body, rid, now)
                except SalesforceError as err:
                    fields = ",".join(err.fields)
                    job.failed.append(
                        {"id": rid, "error": f"{err.code}:{err.message}:{fields} --", "values": row}
                    )
                    continue
                if change is not None:
                    changes.append(change)
                rid = change.record.id if change is not None else ids.to18(rid)
                created = bool(change and change.created)
                job.successful.append({"id": rid, "created": created, "values": row})
            app.writer.commit(changes)
    job.info.update(
        state="JobComplete",
        numberRecordsProcessed=len(rows),
        numberRecordsFailed=len(job.failed),
        totalProcessingTime=int((time.perf_counter() - started) * 1000),
    )


def _one(app: SalesforceApp, obj, operation: str, body: dict, rid, now: int):
    writer = app.writer
    if operation == "insert" or (operation == "upsert" and not rid):
        return writer.create(obj, writer.parse(obj, body), now)
    if not rid:
        raise SalesforceError("MISSING_ARGUMENT", f"Id not specified in an {operation} call")
    if operation == "hardDelete":
        rec = app.store.get(VENDOR, obj.name, ids.to18(rid)) if len(rid) in (15, 18) else None
        if rec is None:
            raise SalesforceError("ENTITY_IS_DELETED", "entity is deleted")
        app.store.remove(VENDOR, obj.name, rec.id)
        return None
    rec = writer.existing(obj, rid)
    if operation == "delete":
        return writer.delete(obj, rec, now)
    return writer.update(obj, rec, writer.parse(obj, body), now)
