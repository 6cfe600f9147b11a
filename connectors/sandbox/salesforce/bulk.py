"""Bulk API 2.0: query jobs answered in CSV pages, ingest jobs that take CSV and report per row."""

from __future__ import annotations

import base64
import csv
import io
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..web import Request, Response
from . import ids, times
from .errors import SalesforceError
from .ingest import run_ingest
from .render import parent_records, value_of
from .writes import API_USER_ID

if TYPE_CHECKING:
    from .app import SalesforceApp

DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
INGEST_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
DEFAULT_MAX_RECORDS = 50_000


@dataclass
class Job:
    info: dict
    rowids: object = None  # query jobs: the cursor of matching rows
    plan: object = None
    uploads: list[str] = field(default_factory=list)  # ingest jobs: the CSV bodies received
    successful: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


def job_error(message: str, status: int = 400, code: str = "INVALIDJOB") -> SalesforceError:
    return SalesforceError(code, message, status=status)


class Bulk:
    def __init__(self, app: SalesforceApp):
        self.app = app
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        r = app.router
        for kind in ("query", "ingest"):
            r.add("POST", f"/jobs/{kind}", lambda req, k=kind: self.create(req, k))
            r.add("GET", f"/jobs/{kind}", lambda req, k=kind: self.list(req, k))
            r.add("GET", f"/jobs/{kind}/{{job}}", lambda req, k=kind: self.get(req, k))
            r.add("PATCH", f"/jobs/{kind}/{{job}}", lambda req, k=kind: self.set_state(req, k))
            r.add("DELETE", f"/jobs/{kind}/{{job}}", lambda req, k=kind: self.delete(req, k))
        r.add("GET", "/jobs/query/{job}/results", self.results)
        r.add("PUT", "/jobs/ingest/{job}/batches", self.upload)
        for kind in ("successfulResults", "failedResults", "unprocessedrecords"):
            r.add("GET", f"/jobs/ingest/{{job}}/{kind}", lambda req, k=kind: self.ingest_results(req, k))

    def get(self, req: Request, kind: str) -> Response:
        job = self.job(req, kind)
        if kind == "query" and job.info["state"] == "UploadComplete":  # the rows were fixed at creation
            self._complete_query(job)
        return Response.json(job.info)

    def job(self, req: Request, kind: str) -> Job:
        job = self.jobs.get(req.params["job"])
        if job is None or job.info["jobType"] != ("V2Query" if kind == "query" else "V2Ingest"):
            raise job_error(f"Could not find job with ID: {req.params['job']}", 404, "NOT_FOUND")
        return job

    def create(self, req: Request, kind: str) -> Response:
        body = req.json()
        if not isinstance(body, dict):
            raise job_error("the request body must be a JSON object")
        delimiter, ending = body.get("columnDelimiter", "COMMA"), body.get("lineEnding", "LF")
        if delimiter not in DELIMITERS or ending not in ENDINGS:
            raise job_error(f"Invalid columnDelimiter {delimiter!r} or lineEnding {ending!r}")
        now = self.app.clock.now_ms()
        rid = ids.make_id("750", self.app.store.next_sequence("salesforce:BulkJob"))
        info = {
            "id": rid,
            "operation": body.get("operation"),
            "object": None,
            "createdById": API_USER_ID,
            "createdDate": times.ms_to_iso(now),
            "systemModstamp": times.ms_to_iso(now),
            "state": "Open",
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(req.params["version"]),
            "lineEnding": ending,
            "columnDelimiter": delimiter,
        }
        job = Job(info)
        if kind == "query":
            self._start_query(job, body)
        else:
            self._start_ingest(job, body, req.params["version"])
        with self._lock:
            self.jobs[rid] = job
        return Response.json(info)

    def _start_query(self, job: Job, body: dict) -> None:
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise job_error(f"Invalid operation for a query job: {operation!r}")
        plan = self.app.queries.plan(str(body.get("query") or ""))
        if plan.count or plan.offset:
            raise job_error(
                "Aggregate queries and OFFSET are not supported by Bulk API 2.0 query jobs", code="API_ERROR"
            )
        job.plan = plan
        job.rowids = self.app.queries.rowids(plan, include_deleted=operation == "queryAll")
        job.info.update(object=plan.object, state="UploadComplete", jobType="V2Query")
        job.info.update(numberRecordsProcessed=0, retries=0, totalProcessingTime=0)

    def _start_ingest(self, job: Job, body: dict, version: str) -> None:
        obj = self.app.schema.find(str(body.get("object") or ""))
        operation = body.get("operation")
        if obj is None:
            raise job_error(f"Unable to find object: {body.get('object')}")
        if operation not in INGEST_OPERATIONS:
            raise job_error(f"Invalid operation: {operation!r}")
        external = body.get("externalIdFieldName") or ("Id" if operation == "upsert" else None)
        if operation == "upsert" and external.lower() != "id":
            raise job_error(f"The sandbox upserts on Id only, not on {external!r}")
        job.info.update(
            object=obj.name,
            jobType="V2Ingest",
            externalIdFieldName=external,
            contentUrl=f"services/data/v{version}/jobs/ingest/{job.info['id']}/batches",
            numberRecordsProcessed=0,
            numberRecordsFailed=0,
            retries=0,
            totalProcessingTime=0,
            apiActiveProcessingTime=0,
            apexProcessingTime=0,
        )

    def list(self, req: Request, kind: str) -> Response:
        wanted = "V2Query" if kind == "query" else "V2Ingest"
        records = [j.info for j in self.jobs.values() if j.info["jobType"] == wanted]
        return Response.json({"done": True, "records": records, "nextRecordsUrl": None})

    def set_state(self, req: Request, kind: str) -> Response:
        job = self.job(req, kind)
        state = (req.json() or {}).get("state")
        current = job.info["state"]
        if state == "Aborted" and current in ("Open", "UploadComplete", "InProgress"):
            job.info["state"] = "Aborted"
        elif state == "UploadComplete" and kind == "ingest" and current == "Open":
            job.info["state"] = "UploadComplete"
            answer = dict(job.info)
            run_ingest(self.app, job, DELIMITERS[job.info["columnDelimiter"]])
            return Response.json(answer)
        else:
            raise job_error(f"Invalid state transition from {current} to {state}", code="INVALIDJOBSTATE")
        return Response.json(job.info)

    def delete(self, req: Request, kind: str) -> Response:
        job = self.job(req, kind)
        if job.info["state"] in ("Open", "UploadComplete", "InProgress"):
            raise job_error("Cannot delete a job that is still open or in progress", code="INVALIDJOBSTATE")
        with self._lock:
            self.jobs.pop(job.info["id"], None)
        return Response.empty(204)

    # -- query results -----------------------------------------------------------------------

    def results(self, req: Request) -> Response:
        job = self.job(req, "query")
        if job.info["state"] == "UploadComplete":
            self._complete_query(job)
        if job.info["state"] != "JobComplete":
            raise job_error(f"Job {job.info['id']} is in state {job.info['state']}", code="INVALIDJOBSTATE")
        try:
            start = int(base64.b64decode(req.arg("locator") + "==").decode()) if req.arg("locator") else 0
            size = int(req.arg("maxRecords") or DEFAULT_MAX_RECORDS)
        except ValueError:
            raise job_error("Invalid locator or maxRecords", code="INVALIDLOCATOR") from None
        end = min(start + max(size, 1), len(job.rowids))
        records = self.app.queries.records(job.rowids[start:end])
        headers = {"Sforce-NumberOfRecords": str(len(records)), "Sforce-Locator": "null"}
        if end < len(job.rowids):
            headers["Sforce-Locator"] = base64.b64encode(str(end).encode()).decode().rstrip("=")
        text = self._csv(job, records)
        response = Response.text(text, content_type="text/csv")
        response.headers.update(headers)
        return response

    def _csv(self, job: Job, records) -> str:
        out = io.StringIO()
        writer = csv.writer(
            out,
            delimiter=DELIMITERS[job.info["columnDelimiter"]],
            lineterminator=ENDINGS[job.info["lineEnding"]],
            quoting=csv.QUOTE_ALL,
        )
        columns = job.plan.columns
        writer.writerow([f"{ref.relationship}.{f.name}" if ref else f.name for f, ref in columns])
        refs = {ref.name: ref for _, ref in columns if ref}
        parents = parent_records(self.app.store, self.app.schema, records, refs) if refs else {}
        for rec in records:
            row = []
            for f, ref in columns:
                source = parents.get(rec.data.get(ref.name) or "") if ref else rec
                value = value_of(f, source) if source is not None else None
                row.append("" if value is None else str(value).lower() if isinstance(value, bool) else value)
            writer.writerow(row)
        return out.getvalue()

    def _complete_query(self, job: Job) -> None:
        job.info.update(state="JobComplete", numberRecordsProcessed=len(job.rowids))

    # -- ingest ------------------------------------------------------------------------------

    def upload(self, req: Request) -> Response:
        job = self.job(req, "ingest")
        if job.info["state"] != "Open":
            raise job_error(
                f"Job {job.info['id']} is not open for uploads (state {job.info['state']})",
                code="INVALIDJOBSTATE",
            )
        job.uploads.append(req.body.decode("utf-8-sig"))
        return Response.empty(201)

    def ingest_results(self, req: Request, kind: str) -> Response:
        job = self.job(req, "ingest")
        delimiter = DELIMITERS[job.info["columnDelimiter"]]
        ending = ENDINGS[job.info["lineEnding"]]
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_ALL)
        if kind == "successfulResults":
            writer.writerow(["sf__Id", "sf__Created", *job.header])
            rows = [[r["id"], str(r["created"]).lower(), *r["values"]] for r in job.successful]
        elif kind == "failedResults":
            writer.writerow(["sf__Id", "sf__Error", *job.header])
            rows = [[r["id"] or "", r["error"], *r["values"]] for r in job.failed]
        else:
            writer.writerow(job.header)
            rows = []
        writer.writerows(rows)
        return Response.text(out.getvalue(), content_type="text/csv")
