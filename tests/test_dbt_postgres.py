"""The dbt project on PostgreSQL (dbt-postgres): the same raw input as DuckDB, the same rows out.

One company is landed raw in DuckDB (tests/raw_fixture.py), copied as is into a PostgreSQL
database of the session's cluster (tests/postgres_server.py), and the whole project is built on
both targets (models, the snapshot, data tests); every model must then hold the same rows on
both, in any order. Then a write-back is played into the raw tables (apply_updates), copied again,
and a second, incremental build on each target must agree too.

Product usage comes as a file drop: DuckDB reads the files, PostgreSQL the raw table the extract
lands them in (connectors/product's reader, flows/landing_postgres.py's COPY); before the nightly
a late file makes one more person a PQL.

Unit tests run on DuckDB only (tests/test_dbt.py): dbt-postgres casts their fixtures' list columns
to a type named ARRAY (dbt-labs/dbt-adapters#939), names a relation after each test (ours pass
PostgreSQL's 63 characters), and the PostgreSQL branch reads two seeds when it compiles (a
window's range must be a constant there), which a unit test replaces with CTEs.
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from dbt.cli.main import dbtRunner

from connectors.product import FileDropSource
from connectors.sandbox.seed import generate, product_usage
from flows.landing_postgres import RAW_TABLE, PostgresLanding, copy_field
from tests.raw_fixture import apply_updates, load_raw, with_calendar_events, write_product_usage
from tests.test_dbt import PROJECT, TODAY, dbt_args

PEOPLE = 120
MARTS = [
    "people",
    "crm_updates",
    "score_ledger",
    "funnel_conversions",
    "lead_value_by_source",
    "mql_sla_by_owner",
    "new_customer_origins",
    "owner_assignments",
    "owner_rotation",
    "routing_what_if",
]
# Columns each engine fills its own way: a hash of text each writes differently, a build's id.
LEFT_OUT = {
    "int_build_window": {"rules_hash"},
    "int_record_links": {"content_hash", "lifecycle_hash"},
    "owner_assignments": {"build_id"},
    "people_history": {"dbt_scd_id"},
    # The file an event came from: its path on DuckDB (read_parquet), its name in the raw table.
    "stg_product__usage_events": {"source_file"},
}
# Columns holding the moment a build ran: compared by their order among the column's values (the
# first build, the second), not by the clock.
BUILD_TIMES = {
    "int_activities": {"written_at"},
    "int_activity_points": {"written_at"},
    "int_build_window": {"built_at", "previous_built_at"},
    "int_record_links": {"changed_at", "lifecycle_changed_at"},
    "int_score_bases": {"changed_at"},
    "int_touched_people": {"touched_at"},
    "owner_assignments": {"built_at"},
    "people_history": {"dbt_updated_at", "dbt_valid_from", "dbt_valid_to"},
}


# Records each engine must read the same way: values the quarantine names (no address, a negative
# or wordy number, an impossible or future date), epoch-millisecond times, a status history.
ODD_RECORDS = [
    {
        "vendor": "salesforce",
        "object": "Lead",
        "record": {
            "Id": "00Q000000000ODD1",
            "LastName": "Odd",
            "Company": "Oddity",
            "Email": "n/a",
            "NumberOfEmployees": -5,
            "AnnualRevenue": "lots",
            "ConvertedDate": "2026-02-30",
            "CreatedDate": "2099-01-01T00:00:00.000+0000",
            "SystemModstamp": "2026-02-01T10:00:00.000+0000",
            "Status": "Open - Not Contacted",
        },
    },
    {
        "vendor": "hubspot",
        "object": "contacts",
        "record": {
            "id": "990001",
            "createdAt": "2026-01-10T08:00:00Z",
            "updatedAt": "2026-02-01T09:30:00Z",
            "archived": False,
            "properties": {
                "email": "Jane Doe <jane@",
                "hs_lead_status": "IN_PROGRESS",
                "hs_lifecyclestage_lead_date": "1768032000000",
                "hs_lifecyclestage_customer_date": "1969-12-31T00:00:00Z",
                "leadflow_mql_date": "2026-01-15",
                "hs_analytics_num_visits": "many",
            },
            "propertiesWithHistory": {
                "hs_lead_status": [
                    {"value": "IN_PROGRESS", "timestamp": "2026-01-20T10:00:00Z"},
                    {"value": "NEW", "timestamp": "2026-01-10T08:00:00.000Z"},
                ]
            },
        },
    },
    {
        "vendor": "hubspot",
        "object": "companies",
        "record": {
            "id": "880001",
            "createdAt": "2026-01-10T08:00:00Z",
            "updatedAt": "2026-02-01T09:30:00Z",
            "archived": False,
            "properties": {"name": "Odd Co", "numberofemployees": "twelve", "annualrevenue": "-1"},
        },
    },
]


def copy_raw(duckdb_path: Path, url: str) -> int:
    """Every raw table of the DuckDB file into the PostgreSQL database (replacing what the table
    held there), by COPY; rows copied."""
    copied = 0
    # Not read-only: after a build dbt-duckdb keeps the file open in this process.
    with duckdb.connect(str(duckdb_path)) as duck, psycopg2.connect(url) as pg:
        tables = duck.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw_salesforce', 'raw_hubspot')"
        ).fetchall()
        with pg.cursor() as cur:
            for schema, table in tables:
                target = f'"{schema}"."{table}"'
                cur.execute(f'create schema if not exists "{schema}"')
                cur.execute(RAW_TABLE.format(table=target))
                cur.execute(f"truncate {target}")
                rows = duck.execute(
                    f"select id, modified_at, is_deleted, record::varchar, _loaded_at from {schema}.{table}"
                ).fetchall()
                text = "".join("\t".join(copy_field(v) for v in row) + "\n" for row in rows)
                cur.copy_expert(f"copy {target} from stdin", io.StringIO(text))
                copied += len(rows)
    return copied


def land_usage(folder: Path, url: str) -> int:
    """The usage file drop landed in PostgreSQL's raw_product.usage_events as the extract lands it
    with LEADFLOW_RAW_URL (read by connectors/product, merged by COPY); rows read."""
    landing = PostgresLanding(url)
    read = 0
    try:
        for page in FileDropSource(folder).pages("usage_events"):
            latest = {record.id: record for record in page.records}
            landing.land(
                "raw_product", "usage_events", latest, "product", "usage_events", page.checkpoint, None
            )
            read += len(page.records)
    finally:
        landing.close()
    return read


def late_usage(folder: Path, lines: list[dict], usage: list[dict]) -> str:
    """A late Parquet file of the drop: twelve events in the week before the run date of a lead
    with no usage yet (over stage_rules' PQL threshold of 10); and an event of the first file
    changed in place (quantity 3: a second raw row of one event_id, the later landed counts). The
    lead's address, normalised."""
    first = folder / "usage-0.parquet"
    events = pq.read_table(first).to_pylist()
    events[0]["quantity"] = 3
    pq.write_table(pa.Table.from_pylist(events), first)
    used = {row["email"] for row in usage}
    email = sorted(
        line["record"]["Email"]
        for line in lines
        if line.get("object") == "Lead"
        and "@" in (line["record"].get("Email") or "")
        and line["record"]["Email"] not in used
    )[0]
    start = datetime.combine(TODAY, datetime.min.time()) - timedelta(days=7)
    rows = [
        {
            "event_id": f"late-{n}",
            "email": email.upper(),  # the model normalises the address on both engines
            "event_name": "report_created",
            "occurred_at": start + timedelta(hours=9 * n),
            "quantity": 1,
        }
        for n in range(12)
    ]
    pq.write_table(pa.Table.from_pylist(rows), folder / "usage-late.parquet")
    return email.lower()


def routing(lines: list[dict]) -> dict:
    """The project's routing file, parsed (PostgreSQL reads no files: both builds get it as a
    var), with settings for two of the company's sales reps: capacity, weight, their own time
    zone, working hours and away days, and one away for good."""
    config = yaml.safe_load((PROJECT / "routing.yml").read_text())
    reps = sorted(
        line["record"]["Email"]
        for line in lines
        if line.get("object") == "User"
        and line["record"]["IsActive"]
        and line["record"]["Department"] == "Sales"
    )
    config["owners"] = [
        {
            "email": reps[0],
            "capacity": 2,
            "weight": 2,
            "time_zone": "Europe/Paris",
            "working_hours": {"days": ["mon", "tue"], "start": "08:00", "end": "16:00"},
            "away": [{"from": "2026-02-20", "until": "2026-03-05"}],
        },
        {"email": reps[1], "capacity": 1, "away": True},
    ]
    return config


def invoke(workdir: Path, command: list[str], routing: dict) -> None:
    """`dbt build` of the whole project (but unit tests) on the target the environment names."""
    args = dbt_args(workdir, command, {"as_of": TODAY.isoformat(), "routing": routing})
    result = dbtRunner().invoke([*args, "--exclude-resource-type", "unit_test"])
    results = getattr(result.result, "results", None) or []
    failed = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in results
        if str(r.status) not in ("success", "pass")
    ]
    assert result.success and not failed, failed or result.exception
    # Every model, the snapshot and the data tests ran.
    kinds = {r.node.resource_type for r in results}
    assert {"model", "snapshot", "test", "seed"} <= {str(k) for k in kinds}, kinds


def normal(value):
    """A value as both engines can agree on it: numbers to 9 digits, JSON lists as lists."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.9g}")
    if isinstance(value, date):  # as it reads inside JSON (PostgreSQL's lists are jsonb)
        return value.isoformat()
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, dict):
        return tuple(sorted((k, normal(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(normal(v) for v in value)
    return value


def rows_of(cursor, model: str, sql: str) -> tuple[list[str], list[tuple]]:
    """The model's columns and rows (sorted), as both engines can agree on them (LEFT_OUT,
    BUILD_TIMES)."""
    cursor.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for column in BUILD_TIMES.get(model, ()):
        order = {t: i for i, t in enumerate(sorted({r[column] for r in rows if r[column] is not None}))}
        for row in rows:
            row[column] = order.get(row[column])
    columns = [c for c in names if c not in LEFT_OUT.get(model, ())]
    return columns, sorted((tuple(normal(r[c]) for c in columns) for r in rows), key=repr)


def both_rows(duckdb_path: Path, url: str) -> dict[str, tuple]:
    """Per model of the PostgreSQL database's main schema: (DuckDB's columns and rows, PostgreSQL's)."""
    found = {}
    # Not read-only: dbt-duckdb keeps the file open in this process with its own configuration.
    with duckdb.connect(str(duckdb_path)) as duck, psycopg2.connect(url) as pg:
        duck_cur, pg_cur = duck.cursor(), pg.cursor()
        pg_cur.execute("select table_name from information_schema.tables where table_schema = 'main'")
        for (model,) in sorted(pg_cur.fetchall()):
            found[model] = (
                rows_of(duck_cur, model, f"select * from main.{model}"),
                rows_of(pg_cur, model, f'select * from main."{model}"'),
            )
    return found


def differences(found: dict[str, tuple]) -> list[str]:
    """What differs between the engines, a few rows per model."""
    problems = []
    for model, ((duck_columns, duck_rows), (pg_columns, pg_rows)) in found.items():
        if pg_columns != duck_columns:
            problems.append(f"{model}: columns {duck_columns} on DuckDB, {pg_columns} on PostgreSQL")
        elif pg_rows != duck_rows:
            missing = [r for r in duck_rows if r not in set(pg_rows)][:2]
            extra = [r for r in pg_rows if r not in set(duck_rows)][:2]
            problems.append(f"{model}: only on DuckDB {missing}; only on PostgreSQL {extra}")
    return problems


@pytest.fixture(scope="module")
def both(tmp_path_factory, postgres):
    """Rows of every model on both engines after a full build, then after a nightly's (a
    write-back played into the raw tables, an incremental build)."""
    workdir = tmp_path_factory.mktemp("dbt_pg")
    duckdb_path = workdir / "leadflow.duckdb"
    lines = [*with_calendar_events(generate(people=PEOPLE, seed=7, today=TODAY)), *ODD_RECORDS]
    load_raw(duckdb_path, lines)
    usage = product_usage(people=PEOPLE, seed=7, today=TODAY)
    write_product_usage(workdir / "usage", usage)
    url = postgres.create_database("leadflow_dbt")
    builds = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADFLOW_DUCKDB_PATH", str(duckdb_path))
        # Both builds see the folder; only DuckDB reads it.
        mp.setenv("LEADFLOW_PRODUCT_USAGE_DIR", str(workdir / "usage"))
        pg = {
            "LEADFLOW_DBT_TARGET": "postgres",
            "LEADFLOW_PG_HOST": "127.0.0.1",
            "LEADFLOW_PG_PORT": str(postgres.port),
            "LEADFLOW_PG_USER": postgres.role,
            "LEADFLOW_PG_DATABASE": "leadflow_dbt",
            "LEADFLOW_DBT_THREADS": "2",
        }
        for build in ("full", "nightly"):
            if build == "nightly":
                # Stamped on the run date: a record modified after it would be a person who is
                # not there yet (the odd lead has no other date), whose lifecycle the data tests
                # reject.
                builds["changed"] = apply_updates(duckdb_path, now=datetime(2026, 3, 1, 12))
                builds["late_pql"] = late_usage(workdir / "usage", lines, usage)
            assert copy_raw(duckdb_path, url) > 1000
            builds[f"{build}_usage_landed"] = land_usage(workdir / "usage", url)
            for name in pg:
                mp.delenv(name, raising=False)
            invoke(workdir / "duck", ["build"], routing(lines))
            for name, value in pg.items():
                mp.setenv(name, value)
            invoke(workdir / "pg", ["build"], routing(lines))
            builds[build] = both_rows(duckdb_path, url)
    builds["duckdb_path"], builds["pg_env"] = duckdb_path, pg
    return builds


def test_the_whole_project_holds_the_same_rows_on_postgres_as_on_duckdb(both):
    found = both["full"]
    assert differences(found) == []
    counts = {model: len(duck[1]) for model, (duck, _) in found.items()}
    # Every model was built and compared, the marts with rows in them.
    assert {
        "int_build_window",
        "int_activities",
        "int_score_history",
        "int_people_lifecycle",
        "int_mql_sla",
        "int_owner_assignment",
        "quarantine",
        "people_history",
        *MARTS,
    } <= set(counts)
    assert all(counts[mart] > 0 for mart in MARTS), counts
    assert counts["people"] == counts["people_history"] > PEOPLE // 2, counts
    assert sum(n for m, n in counts.items() if m.startswith("stg_")) > 1000, counts
    # The odd records went through the quarantine's and the parsers' every branch on both.
    assert counts["stg_salesforce__invalid_values"] >= 5 and counts["stg_hubspot__invalid_values"] >= 4, (
        counts
    )
    assert counts["quarantine"] >= 5, counts
    # The routing file's owner settings reached both: the two reps are away on the run date.
    columns, owners = found["int_routing_owners"][0]
    assert sum(1 for owner in owners if owner[columns.index("is_away")]) == 2, owners
    # Product usage: every row of the drop (Parquet with event ids, CSV without) is an event on
    # both, scored as activities, and some people are PQLs (compared row for row above).
    assert counts["stg_product__usage_events"] == both["full_usage_landed"] > 0, counts
    assert len(product_activities(found)) > 0
    assert len(pqls(found)) > 0


def product_activities(found: dict) -> list[tuple]:
    """int_activities' product usage rows (DuckDB's; differences() holds PostgreSQL's equal)."""
    columns, rows = found["int_activities"][0]
    return [row for row in rows if row[columns.index("source")] == "product_usage"]


def pqls(found: dict) -> dict[str, str]:
    """people's email and pql_at, for those with one (DuckDB's; PostgreSQL's are equal)."""
    columns, rows = found["people"][0]
    email, pql_at = columns.index("email"), columns.index("pql_at")
    return {row[email]: row[pql_at] for row in rows if row[pql_at] is not None}


def test_an_incremental_nightly_after_a_write_back_agrees_too(both):
    assert both["changed"] > 0
    assert differences(both["nightly"]) == []
    full, nightly = both["full"], both["nightly"]
    # The nightly saw the write-back (the records came back changed) and recomputed their people
    # only, on both engines alike.
    assert nightly["crm_updates"][0] != full["crm_updates"][0]
    assert 0 < len(nightly["int_touched_people"][0][1]) < len(nightly["people"][0][1])
    # The late usage file reached both: its lead became a PQL on the nightly, nobody else changed.
    late = both["late_pql"]
    assert late not in pqls(full) and late in pqls(nightly), late
    assert {k: v for k, v in pqls(nightly).items() if k != late} == pqls(full)
    assert len(product_activities(nightly)) == len(product_activities(full)) + 12
    # The event changed in its file: counted once, in its new version, on both.
    columns, events = nightly["stg_product__usage_events"][0]
    assert len(events) == len(full["stg_product__usage_events"][0][1]) + 12
    assert [event[columns.index("quantity")] for event in events].count(3) == 1


def test_leadflows_readers_answer_the_same_on_postgres_as_on_duckdb(both, monkeypatch, tmp_path):
    """After the nightly both engines hold the same marts: status, explain, the report, route's
    summary and the nightly's people summary read them where the build's target wrote them and
    answer alike, leadflow's own state (ops.*) read from a DuckDB file either way (on the postgres
    target a copy of ops.* alone, so that nothing can be read from DuckDB's marts)."""
    from flows.explain import explain
    from flows.nightly import people_summary
    from flows.report import render_report
    from flows.route import routing_summary
    from flows.status import status
    from flows.warehouse import Warehouse

    path = both["duckdb_path"]
    with Warehouse(path) as wh, wh.lock:
        emails = [
            email
            for (email,) in wh.con.execute(
                "select email from main.people where email is not null and mql_at is not null "
                "order by engagement_score desc, email limit 4"
            ).fetchall()
        ]
        queued = wh.con.execute(
            "select count(*) from (select distinct vendor, object_type, record_id from main.crm_updates)"
        ).fetchone()[0]
        # Write-back wrote one queued record's every field since the last build: not pending any
        # more, on either target (the queue joined with ops.written_values).
        wh.con.execute(
            "insert into ops.builds values ((now() at time zone 'UTC') - interval 1 hour, "
            "(now() at time zone 'UTC') - interval 1 hour, true)"
        )
        wh.con.execute(
            """
            insert or replace into ops.written_values
            select q.vendor, q.object_type, q.record_id, q.field_name, q.new_value, now() at time zone 'UTC'
            from main.crm_updates q
            inner join (
                select vendor, object_type, record_id from main.crm_updates
                order by vendor, object_type, record_id limit 1
            ) as first_record using (vendor, object_type, record_id)
            """
        )
        ops_only = tmp_path / "ops-only.duckdb"
        wh.con.execute(f"attach '{ops_only}' as ops_only")
        wh.con.execute("create schema ops_only.ops")
        for (table,) in wh.con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema = 'ops'"
        ).fetchall():
            wh.con.execute(f"create table ops_only.ops.{table} as select * from ops.{table}")
        wh.con.execute("detach ops_only")
    monkeypatch.chdir(tmp_path)  # no .env or leadflow.toml of the developer's
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))

    def answers(target: str) -> dict:
        report = asdict(render_report(path, tmp_path / target).data)
        report.pop("built_at")  # when the snapshot ran: each engine's own build
        return {
            "status": {k: v for k, v in status().items() if k != "warehouse"},
            "explain": [[_without_build_times(person) for person in explain(email)] for email in emails],
            "report": report,
            "routing": routing_summary(),
            "people": people_summary(),
        }

    on_duckdb = answers("duckdb")
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(ops_only))
    for name, value in both["pg_env"].items():
        monkeypatch.setenv(name, value)
    on_postgres = answers("postgres")
    with duckdb.connect(str(ops_only), read_only=True) as con:
        tables = "select count(*) from information_schema.tables where table_schema = 'main'"
        assert con.execute(tables).fetchone() == (0,)
    assert differing(normal(on_duckdb), normal(on_postgres)) == []
    # They answered something: every reader found the build.
    assert len(emails) == 4 and all(len(people) == 1 for people in on_duckdb["explain"])
    assert all(person["fit"] and person["history"] for (person,) in on_duckdb["explain"])
    assert on_duckdb["status"]["writeback"]["records"] == queued - 1 > 0
    assert on_duckdb["status"]["sla"] is not None and on_duckdb["status"]["quarantine"]["values"] >= 5
    assert on_duckdb["report"]["people"] == on_duckdb["people"]["people"] > PEOPLE // 2
    assert len(on_duckdb["report"]["stage_months"]) > 0
    assert sum(on_duckdb["routing"]["by_reason"].values()) > 0


def differing(duck, pg, where: str = "") -> list[str]:
    """Where two normalised answers differ (a path per difference, with both values), the first few."""
    if isinstance(duck, tuple) and isinstance(pg, tuple) and len(duck) == len(pg):
        found = []
        for n, (d, p) in enumerate(zip(duck, pg, strict=True)):
            key = d[0] if isinstance(d, tuple) and len(d) == 2 and isinstance(d[0], str) else n
            found += differing(d, p, f"{where}/{key}")
        return found[:10]
    return [] if duck == pg else [f"{where}: {duck!r} on DuckDB, {pg!r} on PostgreSQL"]


def _without_build_times(person: dict) -> dict:
    """explain's answer without the moments each engine's builds ran (the snapshot's, the
    assignments' build), kept in their order."""
    history = [{k: v for k, v in h.items() if k not in ("valid_from", "valid_to")} for h in person["history"]]
    owner = dict(person["owner"])
    owner["assignments"] = [{k: v for k, v in a.items() if k != "built_at"} for a in owner["assignments"]]
    return {**person, "history": history, "owner": owner}
