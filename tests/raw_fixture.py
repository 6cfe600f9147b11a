"""Generator lines as the raw DuckDB tables the connectors land, without a sandbox in between.

`load_raw` follows the landing contract of the brief: one table per object, columns id,
modified_at (UTC), is_deleted, record (JSON as the API returns it) and _loaded_at.
`apply_updates` plays a successful write-back of `crm_updates` followed by a re-extract.
`with_calendar_events` adds follow-up calls and meetings booked as Salesforce Events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

SALESFORCE_TABLES = {
    "User": "user",
    "Account": "account",
    "Lead": "lead",
    "Contact": "contact",
    "Campaign": "campaign",
    "CampaignMember": "campaign_member",
    "Task": "task",
    "Event": "event",
    "Opportunity": "opportunity",
    "OpportunityContactRole": "opportunity_contact_role",
    "LeadHistory": "lead_history",
}
HUBSPOT_CRM = ("contacts", "companies", "deals", "calls", "emails", "meetings", "notes")
HUBSPOT_OTHER = (
    "owners",
    "forms",
    "form_submissions",
    "email_events",
    "web_events",
    "conversation_threads",
    "conversation_messages",
)
SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "calls": "call",
    "emails": "email",
    "meetings": "meeting",
    "notes": "note",
}
RAW_TABLE = """
create table if not exists {table} (
    id varchar primary key, modified_at timestamp, is_deleted boolean, record json,
    _loaded_at timestamp
)
"""


def parse_time(value) -> datetime | None:
    """Salesforce `...+0000`, HubSpot ISO `...Z` or epoch milliseconds, as naive UTC."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC).replace(tzinfo=None)
    text = str(value).replace("Z", "+00:00")
    if text.endswith("+0000"):
        text = text[:-5] + "+00:00"
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


SALESFORCE_TIME = "%Y-%m-%dT%H:%M:%S.000+0000"


def follow_up_event(n: int, task: dict, all_day: bool = False, deleted: bool = False) -> dict:
    """A Salesforce Event as REST returns it: a follow-up of the task's kind (Call or Meeting) with
    its person and rep, booked when the task was logged, a week later at 15:00 UTC (all day:
    midnight, no time)."""
    logged = parse_time(task["CreatedDate"])
    start = (logged + timedelta(days=7)).replace(hour=0 if all_day else 15, minute=0, second=0, microsecond=0)
    minutes = 1440 if all_day else 30
    return {
        "Id": f"00U9z{n:010d}AAA",
        "WhoId": task["WhoId"],
        "WhatId": None,
        "OwnerId": task["OwnerId"],
        "Subject": f"Follow-up {task['Type'].lower()}",
        "Type": task["Type"],
        "EventSubtype": "Event",
        "StartDateTime": start.strftime(SALESFORCE_TIME),
        "EndDateTime": (start + timedelta(minutes=minutes)).strftime(SALESFORCE_TIME),
        "ActivityDateTime": None if all_day else start.strftime(SALESFORCE_TIME),
        "ActivityDate": start.strftime("%Y-%m-%d"),
        "DurationInMinutes": minutes,
        "CreatedDate": task["CreatedDate"],
        "LastModifiedDate": task["CreatedDate"],
        "SystemModstamp": task["CreatedDate"],
        "IsDeleted": deleted,
    }


def with_calendar_events(lines: Iterable[dict]) -> Iterator[dict]:
    """The lines plus a follow-up on the calendar a week after every tenth call or meeting task;
    the first of them all day, the last one deleted."""
    tasks = []
    for line in lines:
        yield line
        record = line.get("record") or {}
        if (line.get("vendor"), line.get("object")) == ("salesforce", "Task") and record.get("WhoId"):
            tasks.append(record)
    chosen = [task for kind in ("Call", "Meeting") for task in tasks if task.get("Type") == kind][::10]
    for n, task in enumerate(chosen, start=1):
        record = follow_up_event(n, task, all_day=n == 1, deleted=n == len(chosen))
        yield {"vendor": "salesforce", "object": "Event", "record": record}


def salesforce_row(record: dict) -> tuple[str, datetime | None, bool, dict]:
    record = {"IsDeleted": False, **record}
    modified = record.get("SystemModstamp") or record.get("CreatedDate")
    return record["Id"], parse_time(modified), bool(record["IsDeleted"]), record


def hubspot_crm_row(obj: str, record: dict) -> tuple[str, datetime | None, bool, dict]:
    """The v3 list shape: system properties filled, associations as `{results: [{id, type}]}`."""
    out = {k: record[k] for k in ("id", "createdAt", "updatedAt", "archived")}
    properties = dict(record.get("properties") or {})
    modified_name = "lastmodifieddate" if obj == "contacts" else "hs_lastmodifieddate"
    properties.setdefault("createdate", record["createdAt"])
    properties.setdefault(modified_name, record["updatedAt"])
    properties.setdefault("hs_object_id", record["id"])
    out["properties"] = properties
    associations = record.get("associations") or {}
    if associations:
        out["associations"] = {
            target: {"results": [{"id": i, "type": f"{SINGULAR[obj]}_to_{SINGULAR[target]}"} for i in ids]}
            for target, ids in associations.items()
        }
    return out["id"], parse_time(properties[modified_name]), bool(out["archived"]), out


def hubspot_other_row(obj: str, record: dict) -> tuple[str, datetime | None, bool, dict]:
    if obj == "form_submissions":
        return record["conversionId"], parse_time(record["submittedAt"]), False, record
    if obj == "email_events":
        return record["id"], parse_time(record["created"]), False, record
    if obj == "web_events":
        return record["id"], parse_time(record["occurredAt"]), False, record
    if obj == "conversation_threads":
        return record["id"], parse_time(record["latestMessageTimestamp"]), bool(record["archived"]), record
    if obj == "conversation_messages":
        return record["id"], parse_time(record["createdAt"]), False, record
    return record["id"], parse_time(record.get("updatedAt")), bool(record.get("archived")), record


def raw_rows(lines: Iterable[dict]) -> dict[tuple[str, str], list[tuple]]:
    """Load lines grouped by (schema, table), as (id, modified_at, is_deleted, record) rows."""
    tables: dict[tuple[str, str], dict[str, tuple]] = {}
    for n, line in enumerate(lines):
        vendor, obj, record = line.get("vendor"), line.get("object"), line.get("record")
        if vendor == "salesforce" and obj in SALESFORCE_TABLES:
            key, row = ("raw_salesforce", SALESFORCE_TABLES[obj]), salesforce_row(record)
        elif vendor == "hubspot" and obj in HUBSPOT_CRM:
            key, row = ("raw_hubspot", obj), hubspot_crm_row(obj, record)
        elif vendor == "hubspot" and obj in HUBSPOT_OTHER:
            key, row = ("raw_hubspot", obj), hubspot_other_row(obj, record)
        else:
            raise ValueError(f"line {n}: unknown vendor/object {vendor!r}/{obj!r}")
        tables.setdefault(key, {})[row[0]] = row  # an upsert on id, as the loader does
    return {key: list(rows.values()) for key, rows in tables.items()}


def write_rows(con: duckdb.DuckDBPyConnection, schema: str, table: str, rows: list[tuple]) -> None:
    """Merge rows into one raw table by id, stamping the load time."""
    target = f'"{schema}"."{table}"'
    con.execute(f'create schema if not exists "{schema}"')
    con.execute(RAW_TABLE.format(table=target))
    incoming = pa.table(
        {
            "id": pa.array([r[0] for r in rows], pa.string()),
            "modified_at": pa.array([r[1] for r in rows], pa.timestamp("us")),
            "is_deleted": pa.array([r[2] for r in rows], pa.bool_()),
            "record": pa.array([json.dumps(r[3], separators=(",", ":")) for r in rows], pa.string()),
        }
    )
    con.register("incoming", incoming)
    con.execute(f"""
        insert or replace into {target}
        select id, modified_at, is_deleted, record::json, now() at time zone 'UTC' from incoming
    """)
    con.unregister("incoming")


def load_raw(duckdb_path: Path | str, lines: Iterable[dict]) -> dict[str, int]:
    """Land generator lines as raw tables (every table of the contract, empty ones too)."""
    grouped = raw_rows(lines)
    counts = {}
    with duckdb.connect(str(duckdb_path)) as con:
        for table in SALESFORCE_TABLES.values():
            grouped.setdefault(("raw_salesforce", table), [])
        for table in HUBSPOT_CRM + HUBSPOT_OTHER:
            grouped.setdefault(("raw_hubspot", table), [])
        for (schema, table), rows in sorted(grouped.items()):
            write_rows(con, schema, table, rows)
            counts[f"{schema}.{table}"] = len(rows)
    return counts


def write_product_usage(folder: Path | str, rows: list[dict], parts: int = 2) -> list[Path]:
    """A product usage file drop: the rows split over Parquet files (and one CSV) in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    chunks = [rows[i::parts] for i in range(parts)]
    for n, chunk in enumerate(chunks):
        table = pa.Table.from_pylist(chunk) if chunk else None
        if table is None:
            continue
        if n == parts - 1:
            path = folder / f"usage-{n}.csv"
            # A CSV without the optional event_id column: ids come from the content.
            with duckdb.connect() as con:
                con.register("chunk", table.drop(["event_id"]))
                con.execute(f"copy chunk to '{path}' (header, delimiter ',')")
        else:
            path = folder / f"usage-{n}.parquet"
            pq.write_table(table, path)
        written.append(path)
    return written


NUMBER_FIELDS = ("Lead_Score__c", "Fit_Score__c", "Engagement_Score__c")


def apply_updates(
    duckdb_path: Path | str, now: datetime | None = None, loaded_at: datetime | None = None
) -> int:
    """Write `main.crm_updates` into the raw records as the CRMs would store and return them.

    Salesforce gives numbers back as floats (42.0); HubSpot stamps
    `hs_lifecyclestage_<stage>_date` when the stage is set; a cleared field is absent. Each record
    changed is modified at `now` and landed again at `loaded_at` (default: the real time, as an
    extract after the write-back would). In SQL: bench/dbt_build.py writes back 1.6M records
    with it. Returns the number of records changed.
    """
    now = (now or datetime.now(UTC)).replace(tzinfo=None)
    landed = "?" if loaded_at is not None else "now() at time zone 'UTC'"
    sf_time, hs_time = now.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), iso(now)
    stamps = {  # vendor: (the record's modification stamps, the patch of its fields)
        "salesforce": (
            f"json_object('SystemModstamp', '{sf_time}', 'LastModifiedDate', '{sf_time}')",
            "p.fields",
        ),
        "hubspot": (
            f"json_object('updatedAt', '{hs_time}', "
            f"'properties', json_object('lastmodifieddate', '{hs_time}'))",
            "json_object('properties', json_merge_patch(p.fields, case when p.stage is not null then "
            f"json_object('hs_lifecyclestage_' || p.stage || '_date', '{hs_time}') else '{{}}' end))",
        ),
    }
    tables = {
        ("salesforce", "Lead"): ("raw_salesforce", "lead"),
        ("salesforce", "Contact"): ("raw_salesforce", "contact"),
        ("hubspot", "contacts"): ("raw_hubspot", "contacts"),
    }
    changed = 0
    with duckdb.connect(str(duckdb_path)) as con:
        con.execute(f"""
            create or replace temp table patches as
            select
                vendor,
                object_type,
                record_id,
                json_group_object(
                    field_name,
                    case
                        when vendor = 'salesforce' and field_name in {NUMBER_FIELDS} and new_value <> ''
                            then to_json(cast(new_value as double))
                        else to_json(new_value)
                    end
                ) as fields,
                max(new_value) filter (where field_name = 'lifecyclestage' and new_value <> '') as stage
            from main.crm_updates
            group by all""")
        for (vendor, obj), (schema, table) in tables.items():
            stamp, patch = stamps[vendor]
            changed += con.execute(
                f"""
                update "{schema}"."{table}" as raw set
                    record = json_merge_patch(json_merge_patch(raw.record, {patch}), {stamp}),
                    modified_at = ?, _loaded_at = {landed}
                from patches as p
                where p.vendor = ? and p.object_type = ? and p.record_id = raw.id""",
                [now, *([loaded_at] if loaded_at is not None else []), vendor, obj],
            ).fetchone()[0]
    return changed
