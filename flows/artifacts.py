"""What a run leaves in the Prefect UI (a summary, its stage changes and rejects) and, when it fails, why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.logging.loggers import flow_run_logger

from flows.marts import MartsUnavailable, open_marts
from flows.settings import load_settings
from flows.warehouse import Warehouse, utc_naive

STAGE_FIELDS = ("Lifecycle_Stage__c", "lifecyclestage")
# The UI shows a table artifact whole: beyond this many rows the summary gives the count only.
TABLE_ROWS = 1000
HIDDEN = "[secret]"


@dataclass
class RunCounts:
    """The figures every run summary gives, whichever flow ran."""

    extracted: int = 0
    scored_people: int = 0
    stage_changes: int = 0
    written: int = 0
    rejected: int = 0
    api_calls: int = 0


def secrets() -> list[str]:
    """The token values in use, to be kept out of everything a run leaves behind."""
    settings = load_settings()
    held = (settings.salesforce_session_id, settings.salesforce_client_secret, settings.hubspot_access_token)
    return [s.get_secret_value() for s in held if s is not None and s.get_secret_value()]


def redact(text: str, hidden: list[str] | None = None) -> str:
    """`text` with every token value replaced (an error message may quote a request)."""
    for value in secrets() if hidden is None else hidden:
        text = text.replace(value, HIDDEN)
    return text


def _clean(rows: list[dict], hidden: list[str]) -> list[dict]:
    return [{k: redact(v, hidden) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def queued_stage_changes(marts) -> list[dict]:
    """Stage changes in the write-back queue the last build made: what the CRMs will show next.

    `marts`: where the build wrote them (flows/marts.py), the DuckDB file's Warehouse on dev.
    """
    if not marts.table_exists("main", "crm_updates"):
        return []
    marks = ", ".join("?" * len(STAGE_FIELDS))
    rows = marts.query(
        "select vendor, object_type, record_id, person_id, current_value, new_value "
        f"from main.crm_updates where field_name in ({marks}) order by vendor, object_type, record_id",
        STAGE_FIELDS,
    )
    cols = ("vendor", "object_type", "record_id", "person_id", "old_stage", "new_stage")
    return [dict(zip(cols, row, strict=True)) for row in rows]


def open_rejects(wh: Warehouse) -> list[dict]:
    """Records a CRM refused and nobody has fixed yet (kept in ops.rejects, never dropped)."""
    rows = wh.query(
        "select vendor, object_type, record_id, code, message, fields, attempts "
        "from ops.rejects where resolved_at is null order by vendor, object_type, record_id"
    )
    cols = ("vendor", "object_type", "record_id", "code", "message", "fields", "attempts")
    return [dict(zip(cols, row, strict=True)) for row in rows]


def scored_people(marts) -> int:
    if not marts.table_exists("main", "people"):
        return 0
    return marts.query("select count(*) from main.people where score is not null")[0][0]


def _markdown(flow: str, counts: RunCounts, notes: list[str], details: list[str]) -> str:
    labels = {
        "extracted": "Records extracted",
        "scored_people": "People scored",
        "stage_changes": "Stage changes",
        "written": "CRM records written",
        "rejected": "Records rejected",
        "api_calls": "API calls spent",
    }
    lines = [f"# leadflow {flow}", "", "| | |", "|:--|--:|"]
    lines += [f"| {labels[k]} | {v:,} |" for k, v in asdict(counts).items()]
    lines += [""] + [f"- {n}" for n in notes]
    return "\n".join(lines + ([""] + details if details else []))


def publish(
    flow: str,
    counts: RunCounts,
    stage_changes: list[dict],
    rejects: list[dict],
    notes: list[str] | None = None,
    details: list[str] | None = None,
) -> None:
    """The run's summary and its two tables, as artifacts keyed by flow (the UI keeps their history).

    `details` are further markdown lines for the summary, after its notes.
    """
    hidden = secrets()
    notes = list(notes or [])
    for name, rows in (("stage changes", stage_changes), ("rejects", rejects)):
        if len(rows) > TABLE_ROWS:
            notes.append(f"{name}: the table shows the first {TABLE_ROWS:,} of {len(rows):,}")
    create_markdown_artifact(
        key=f"leadflow-{flow}-summary",
        markdown=redact(_markdown(flow, counts, notes, details or []), hidden),
        description=f"leadflow {flow}: what this run did",
    )
    create_table_artifact(
        key=f"leadflow-{flow}-stage-changes",
        table=_clean(stage_changes[:TABLE_ROWS], hidden),
        description=f"leadflow {flow}: lifecycle stage changes for the CRM records",
    )
    create_table_artifact(
        key=f"leadflow-{flow}-rejects",
        table=_clean(rejects[:TABLE_ROWS], hidden),
        description=f"leadflow {flow}: records refused, kept until fixed",
    )


def record_failure(flow, flow_run, state) -> None:
    """On-failure hook: why the run failed, as a log line and an ops.run_failures row."""
    logger = flow_run_logger(flow_run, flow)
    error = ""
    try:
        raised = state.result(raise_on_failure=False)
        if isinstance(raised, BaseException):
            error = type(raised).__name__
    except Exception:  # noqa: BLE001 - the result may not be readable; the message still is
        pass
    message = redact(state.message or "")
    logger.error("leadflow %s run %s failed (%s): %s", flow.name, flow_run.name, state.name, message)
    try:
        # Short wait: a hook must not hold the worker for the other run that has the file.
        with Warehouse(load_settings().duckdb_path, wait_seconds=60) as wh, wh.lock:
            wh.con.execute(
                "insert into ops.run_failures values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(flow_run.id),
                    flow.name,
                    flow_run.name,
                    str(flow_run.deployment_id) if flow_run.deployment_id else None,
                    utc_naive(datetime.now(UTC)),
                    state.name,
                    error,
                    message,
                ),
            )
    except Exception as err:  # noqa: BLE001 - the log line above already says why the run failed
        logger.warning("could not record the failure in ops.run_failures: %s", redact(str(err)))


def publish_build(settings, nodes: dict[str, int]) -> None:
    """The build's artifacts: people scored, stage changes it queued, rejects still open. Built on
    a warehouse whose marts leadflow cannot read, only rejects (ops) are counted."""
    notes = ["dbt nodes: " + ", ".join(f"{n} {s}" for s, n in sorted(nodes.items()))]
    with Warehouse(settings.duckdb_path) as wh:
        rejects = open_rejects(wh)
        try:
            with open_marts(settings, wh) as marts:
                stages, scored = queued_stage_changes(marts), scored_people(marts)
        except MartsUnavailable as err:
            stages, scored = [], 0
            notes.append(f"people and stage changes not counted: {err}")
    counts = RunCounts(scored_people=scored, stage_changes=len(stages), rejected=len(rejects))
    publish("build", counts, stages, rejects, notes)


def publish_writeback(summary, changes: list) -> None:
    """The write-back's artifacts: written, rejected, calls; its stage changes; its rejects."""
    stages = [
        {
            "vendor": c.vendor,
            "object_type": c.object_type,
            "record_id": c.record_id,
            "person_id": c.person_id,
            "old_stage": old,
            "new_stage": new,
        }
        for c in changes
        for name, (old, new) in c.fields.items()
        if name in STAGE_FIELDS
    ]
    counts = RunCounts(
        stage_changes=len(stages),
        written=summary.written,
        rejected=summary.rejected,
        api_calls=summary.calls,
    )
    notes = [f"dry run: {len(changes):,} records would change, nothing written"] if summary.dry_run else []
    if summary.conflicts:
        notes.append(f"{len(summary.conflicts):,} fields changed by a person are left as they are")
    publish("writeback", counts, stages, summary.rejects, notes)


def _unfinished(extracted: list[dict]) -> list[str]:
    """A note per object the extract did not finish (a spent budget resumes next run)."""
    return [
        f"{r['source']}.{r['object']}: {r['status']} {r['message']}"
        for r in extracted
        if r["status"] != "complete"
    ]


def _per_object(extracted: list[dict]) -> list[str]:
    """The summary's table of what each object's extract read and spent."""
    lines = [
        "## Per object",
        "",
        "| object | records | new | changed | API calls | status |",
        "|:--|--:|--:|--:|--:|:--|",
    ]
    lines += [
        f"| {r['source']}.{r['object']} | {r['records']:,} | {r['new']:,} | {r['changed']:,} "
        f"| {r['api_calls']:,} | {r['status']} |"
        for r in extracted
    ]
    return lines


def publish_extract(flow: str, extracted: list[dict]) -> None:
    """An extract's or a backfill's artifacts: records read and calls spent, in all and per object.

    An extract refuses no records: its stage-change and reject tables are published empty, so
    every flow leaves the same three keys.
    """
    counts = RunCounts(
        extracted=sum(r["records"] for r in extracted),
        api_calls=sum(r["api_calls"] for r in extracted),
    )
    publish(flow, counts, [], [], _unfinished(extracted), _per_object(extracted))


def publish_nightly(settings, summary: dict, skipped: list[str]) -> None:
    """The nightly's artifacts: the whole run in one summary, with the stage changes it queued."""
    written = summary["writeback"]
    with Warehouse(settings.duckdb_path) as wh, open_marts(settings, wh) as marts:
        stages = [s for s in queued_stage_changes(marts) if s["vendor"] not in set(skipped)]
        scored = scored_people(marts)
    extracted = summary["extracted"]
    counts = RunCounts(
        extracted=sum(r["records"] for r in extracted),
        scored_people=scored,
        stage_changes=len(stages),
        written=written["written"],
        rejected=written["rejected"],
        api_calls=sum(r["api_calls"] for r in extracted) + written["calls"],
    )
    notes = _unfinished(extracted)
    if written["dry_run"]:
        notes.append("dry run: nothing written to the CRMs")
    publish("nightly", counts, stages, written["rejects"], notes)
