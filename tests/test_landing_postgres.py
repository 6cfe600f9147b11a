"""Raw tables in PostgreSQL (LEADFLOW_RAW_URL): the DuckDB landing's semantics, loaded by COPY."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import psycopg2
import pytest

from connectors.sandbox import Sandbox
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from flows.landing_postgres import copy_field
from flows.warehouse import Warehouse
from tests.test_extract import FAST
from tests.test_warehouse import T0, rec


@pytest.fixture()
def raw_url(postgres, request) -> str:
    return postgres.create_database(f"raw_{request.node.name[:40].lower()}")


def test_copy_fields_escape_what_would_split_a_row():
    assert copy_field(None) == "\\N"
    assert copy_field(True) == "t"
    assert copy_field('{"a":"x\\ny"}\t\n\r') == '{"a":"x\\\\ny"}\\t\\n\\r'


def test_pages_merge_by_id_and_count_new_and_changed(tmp_path, raw_url):
    with Warehouse(tmp_path / "w.duckdb", raw_url=raw_url) as wh:
        body = {"Id": "a", "text": "tab\there, line\nthere, back\\slash, quote \"'", "n": None}
        first = wh.land("raw_x", "t", [rec("a", 1, body), rec("b", 2), rec("c", 3)], "x", "t")
        loaded = wh.raw.query("select id, _loaded_at from raw_x.t order by id")
        same = wh.land("raw_x", "t", [rec("a", 1, body), rec("b", 2)], "x", "t")
        assert (first.new, first.changed, same.new, same.changed) == (3, 0, 0, 0)
        assert wh.raw.query("select id, _loaded_at from raw_x.t order by id") == loaded
        page = [rec("a", 1, body), rec("b", 9, {"v": "edited"}), rec("d", 4), rec("e", 5), rec("d", 2)]
        landed = wh.land("raw_x", "t", page, "x", "t")
        assert (landed.records, landed.new, landed.changed) == (4, 2, 1)
        assert wh.raw.query("select record->>'text' from raw_x.t where id = 'a'") == [(body["text"],)]
        assert wh.raw.query("select record->>'v', modified_at from raw_x.t where id = 'b'") == [
            ("edited", (T0 + timedelta(minutes=9)).replace(tzinfo=None))
        ]
        wh.land("raw_x", "t", [rec("c", 6, deleted=True)], "x", "t")
        assert wh.live_count("raw_x", "t") == 4
        # Nothing of the raw rows went to the DuckDB file.
        assert not wh.table_exists("raw_x", "t")


def test_watermark_moves_forward_only_and_commits_with_its_page(tmp_path, raw_url):
    with Warehouse(tmp_path / "w.duckdb", raw_url=raw_url) as wh:
        wh.land("raw_x", "t", [rec("a", 10)], "x", "t", checkpoint=T0 + timedelta(minutes=10))
        wh.land("raw_x", "t", [rec("b", 1)], "x", "t", checkpoint=T0 + timedelta(minutes=1))
        assert wh.watermark("x", "t") == T0 + timedelta(minutes=10)
        # `leadflow status` reads the DuckDB copy.
        assert wh.query("select watermark from ops.watermarks") == [
            ((T0 + timedelta(minutes=10)).replace(tzinfo=None),)
        ]
        # The watermark write fails after the rows went in: the whole page rolls back.
        with pytest.raises((AttributeError, psycopg2.Error)):
            wh.land("raw_x", "t", [rec("c", 9)], "x", "t", checkpoint="not a time")
        assert wh.raw.query("select id from raw_x.t order by id") == [("a",), ("b",)]
        wh.land("raw_x", "t", [rec("c", 9)], "x", "t", resume={"after": "c"})
        assert wh.resume_position("x", "t") == {"after": "c"}
        wh.clear_resume("x", "t")
        assert wh.resume_position("x", "t") is None


def test_extract_from_the_sandbox_lands_the_same_rows_in_postgres_as_in_duckdb(
    tmp_path, monkeypatch, raw_url, prefect_harness
):
    from flows.extract import extract
    from tests.raw_fixture import HUBSPOT_CRM, HUBSPOT_OTHER, SALESFORCE_TABLES

    with Sandbox(tmp_path / "sandbox", settings=FAST) as box:
        SandboxAdmin(box.directory).load(generate(people=60, seed=11))
        for key, value in box.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("LEADFLOW_HUBSPOT_REQUESTS_PER_10S", "4000")
        monkeypatch.setenv("LEADFLOW_HUBSPOT_SEARCHES_PER_SECOND", "400")
        monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(tmp_path / "duck.duckdb"))
        on_duckdb = {(r["source"], r["object"]): r for r in extract()}
        monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(tmp_path / "pg.duckdb"))
        monkeypatch.setenv("LEADFLOW_RAW_URL", raw_url)
        on_postgres = {(r["source"], r["object"]): r for r in extract()}

    tables = [("raw_salesforce", t) for t in SALESFORCE_TABLES.values()]
    tables += [("raw_hubspot", t) for t in (*HUBSPOT_CRM, *HUBSPOT_OTHER)]
    count = "select count(*), count(*) filter (where is_deleted), count(distinct id) from {}.{}"
    with duckdb.connect(str(tmp_path / "duck.duckdb"), read_only=True) as duck:
        held = {t: duck.execute(count.format(*t)).fetchone() for t in tables}
        ids = duck.execute("select id from raw_salesforce.lead order by id").fetchall()
    pg = psycopg2.connect(raw_url)
    try:
        with pg.cursor() as cur:
            landed = {}
            for schema, table in tables:
                cur.execute(count.format(schema, f'"{table}"'))
                landed[(schema, table)] = cur.fetchone()
            cur.execute("select id from raw_salesforce.lead order by id")
            assert cur.fetchall() == ids
            cur.execute("select count(*) from ops.watermarks")
            assert cur.fetchone()[0] >= len(tables) - 2
    finally:
        pg.close()
    assert {t: tuple(v) for t, v in landed.items()} == held
    assert sum(v[0] for v in held.values()) > 500
    # The flows' own report of the two extracts agrees as well.
    for key, result in on_duckdb.items():
        assert on_postgres[key]["records"] == result["records"], key
        assert on_postgres[key]["warehouse_count"] == result["warehouse_count"], key
