"""The nightly on the postgres target: raw tables and marts in PostgreSQL, ops.* in the DuckDB file.

A seeded sandbox is extracted into PostgreSQL (LEADFLOW_RAW_URL), built there
(LEADFLOW_DBT_TARGET=postgres) and written back through the real clients: every field of the
build's queue (PostgreSQL's main.crm_updates) must then read back from the CRMs with the build's
value, and a second nightly must find nothing left to send. The DuckDB file holds leadflow's own
state only, no mart.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import duckdb
import psycopg2
import pytest
from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId

from connectors.sandbox import Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from flows.changes import same_value
from tests import clients

PEOPLE = 80
FAST = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)


@pytest.fixture(scope="module")
def nightlies(tmp_path_factory, postgres, prefect_harness):
    """Two nightlies on the postgres target against one sandbox; the queue of the first."""
    from flows.nightly import nightly

    workdir = tmp_path_factory.mktemp("pg_nightly")
    url = postgres.create_database("leadflow_nightly")
    with Sandbox(workdir / "sandbox", settings=FAST) as box, pytest.MonkeyPatch.context() as mp:
        SandboxAdmin(box.directory).load(generate(people=PEOPLE, seed=5))
        mp.chdir(workdir)  # no .env or leadflow.toml of the developer's
        for key, value in box.env.items():
            mp.setenv(key, value)
        for name, value in {
            "LEADFLOW_HUBSPOT_REQUESTS_PER_10S": "4000",
            "LEADFLOW_HUBSPOT_SEARCHES_PER_SECOND": "400",
            "LEADFLOW_DUCKDB_PATH": str(workdir / "leadflow.duckdb"),
            "LEADFLOW_RAW_URL": url,
            "LEADFLOW_DBT_TARGET": "postgres",
            "LEADFLOW_PG_HOST": "127.0.0.1",
            "LEADFLOW_PG_PORT": str(postgres.port),
            "LEADFLOW_PG_USER": postgres.role,
            "LEADFLOW_PG_DATABASE": "leadflow_nightly",
            "LEADFLOW_DBT_THREADS": "2",
        }.items():
            mp.setenv(name, value)
        # One run date for both: no SLA falls due between them (the second must write nothing).
        today = datetime.now(UTC).date()
        first = nightly(as_of=today)
        with psycopg2.connect(url) as pg, pg.cursor() as cur:
            cur.execute("select vendor, object_type, record_id, field_name, new_value from main.crm_updates")
            queued = cur.fetchall()
            cur.execute("select * from main.people")
            names = [d[0] for d in cur.description]
            people = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        second = nightly(as_of=today)
        yield {
            "first": first,
            "second": second,
            "queued": queued,
            "people": people,
            "box": box,
            "duckdb": workdir / "leadflow.duckdb",
            "report": workdir / "report" / "index.html",
        }


def crm_values(box: Sandbox, queued: list[tuple]) -> dict[tuple, object]:
    """What the CRMs hold now for every (vendor, object, record, field) of the queue."""
    wanted: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for vendor, obj, rid, name, _ in queued:
        wanted[(vendor, obj)][rid].add(name)
    held: dict[tuple, object] = {}
    sf, hs = clients.salesforce(box), clients.hubspot(box)
    for (vendor, obj), records in wanted.items():
        ids = sorted(records)
        names = sorted({n for fields in records.values() for n in fields})
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            if vendor == "salesforce":
                listed = ", ".join(f"'{i}'" for i in chunk)
                soql = f"SELECT Id, {', '.join(names)} FROM {obj} WHERE Id IN ({listed})"
                found = {r["Id"]: r for r in sf.query_all(soql)["records"]}
            else:
                answer = hs.crm.contacts.batch_api.read(
                    BatchReadInputSimplePublicObjectId(inputs=[{"id": i} for i in chunk], properties=names)
                )
                found = {c.id: c.properties for c in answer.results}
            for rid in chunk:
                for name in records[rid]:
                    held[(vendor, obj, rid, name)] = found.get(rid, {}).get(name)
    return held


def test_the_crm_records_carry_the_values_the_postgres_build_queued(nightlies):
    first = nightlies["first"]["writeback"]
    queued = nightlies["queued"]
    assert first["written"] > PEOPLE * 0.8 and first["rejected"] == 0, first["rejects"]
    assert first["written"] == len({(v, o, r) for v, o, r, *_ in queued})
    assert {v for v, *_ in queued} == {"salesforce", "hubspot"}
    held = crm_values(nightlies["box"], queued)
    wrong = [(row, held[row[:4]]) for row in queued if not same_value(held[row[:4]], row[4])]
    assert wrong == [], wrong[:5]
    # Scores on the leads are the people's of the PostgreSQL build.
    by_lead = {p["salesforce_lead_id"]: p for p in nightlies["people"] if p.get("salesforce_lead_id")}
    scores = [
        (value, by_lead[rid])
        for (_, _, rid, name), value in held.items()
        if name == "Lead_Score__c" and rid in by_lead
    ]
    assert scores and all(same_value(value, str(person["score"])) for value, person in scores)


def test_a_second_nightly_finds_nothing_left_to_send(nightlies):
    second = nightlies["second"]["writeback"]
    assert second["records"] == 0 and second["written"] == 0 and second["calls"] == 0


def test_the_nightly_summarises_and_reports_from_postgres(nightlies):
    first = nightlies["first"]
    people = nightlies["people"]
    assert first["people"]["people"] == len(people) > PEOPLE // 2
    assert sum(first["people"]["stages"].values()) == len(people)
    assert sum(first["routing"]["by_reason"].values()) > 0
    assert nightlies["report"].is_file()
    # The DuckDB file kept leadflow's state (what was written), and no mart.
    with duckdb.connect(str(nightlies["duckdb"]), read_only=True) as con:
        assert con.execute("select count(*) from ops.writeback_log").fetchone()[0] > 0
        tables = "select count(*) from information_schema.tables where table_schema = 'main'"
        assert con.execute(tables).fetchone() == (0,)
