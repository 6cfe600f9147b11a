"""The dbt project on a generated company: marts' keys, funnel, identity, and an idempotent queue."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from connectors.sandbox.seed import generate
from tests.raw_fixture import apply_updates, load_raw

PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
TODAY = date(2026, 3, 1)
PEOPLE = 300


def dbt_build(workdir: Path, monkeypatch) -> None:
    """`dbt build` on the DuckDB file in `workdir`; fails the test if any node fails."""
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(workdir / "leadflow.duckdb"))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    args = [
        "build",
        "--project-dir",
        str(PROJECT),
        "--profiles-dir",
        str(PROJECT),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
        "--vars",
        json.dumps({"as_of": TODAY.isoformat()}),
        "--quiet",
    ]
    result = dbtRunner().invoke(args)
    failed = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in (result.result or [])
        if str(r.status) not in ("success", "pass")
    ]
    assert result.success and not failed, failed or result.exception


def query(workdir: Path, sql: str, params=()) -> list[tuple]:
    # Not read-only: dbt-duckdb keeps its connection open in this process, and DuckDB lets a
    # process open one file again only with the same configuration.
    with duckdb.connect(str(workdir / "leadflow.duckdb")) as con:
        return con.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A company of 300 people landed raw and built once; yields the working directory."""
    workdir = tmp_path_factory.mktemp("dbt")
    load_raw(workdir / "leadflow.duckdb", generate(people=PEOPLE, seed=42, today=TODAY))
    with pytest.MonkeyPatch.context() as monkeypatch:
        dbt_build(workdir, monkeypatch)
    return workdir


STAGES = """
    select person_id, lifecycle_stage, mql_at::date, sql_at::date, owner_salesforce_user_id, score, tier
    from people order by 1
"""


def test_people_keys_are_unique(built):
    total, distinct, emails = query(
        built, "select count(*), count(distinct person_id), count(distinct email) from people"
    )[0]
    with_email = query(built, "select count(*) from people where email is not null")[0][0]
    assert total == distinct
    assert emails == with_email, "two people share a normalised email"
    assert PEOPLE * 0.9 < total < PEOPLE * 1.1


def test_crm_updates_keys_are_unique(built):
    total, distinct = query(
        built,
        "select count(*), count(distinct (vendor, object_type, record_id, field_name)) from crm_updates",
    )[0]
    assert total == distinct > 0


def test_funnel_is_shaped_like_a_funnel(built):
    reached = dict(
        query(
            built,
            """
        select stage, count(*) filter (where reached) from (
            select unnest(['lead', 'mql', 'sql', 'opportunity', 'customer']) as stage,
                   unnest([lead_at, mql_at, sql_at, opportunity_at, customer_at]) is not null as reached
            from people
        ) group by stage
    """,
        )
    )
    total = query(built, "select count(*) from people")[0][0]
    assert total > reached["lead"] > reached["mql"] > reached["sql"] > reached["opportunity"]
    assert reached["opportunity"] >= reached["customer"] >= 1
    assert 0.05 < reached["mql"] / total < 0.35, reached
    # The current stage is the furthest one reached.
    wrong = query(
        built,
        """
        select count(*) from people
        where lifecycle_stage <> case
            when customer_at is not null then 'customer' when opportunity_at is not null then 'opportunity'
            when sql_at is not null then 'sql' when mql_at is not null then 'mql'
            when lead_at is not null then 'lead' else 'subscriber' end
    """,
    )[0][0]
    assert wrong == 0


def test_a_person_in_both_systems_is_one_row(built):
    linked = query(
        built,
        """
        select record ->> 'id', record -> 'properties' ->> 'salesforceleadid'
        from raw_hubspot.contacts
        where record -> 'properties' ->> 'salesforceleadid' is not null
        order by 1
    """,
    )
    assert len(linked) > 10
    for hubspot_id, lead_id in linked[:25]:
        rows = query(
            built,
            "select count(*) from people where list_contains(hubspot_contact_ids, ?) "
            "and (list_contains(salesforce_lead_ids, ?) or list_contains(converted_lead_ids, ?))",
            (hubspot_id, lead_id, lead_id),
        )
        assert rows[0][0] == 1, (hubspot_id, lead_id)
    # Emails that differ only in case or surrounding blanks meet in one person.
    variants = query(
        built,
        """
        select count(*) from raw_hubspot.contacts as h
        join raw_salesforce.lead as l
          on lower(trim(h.record -> 'properties' ->> 'email')) = lower(l.record ->> 'Email')
         and (h.record -> 'properties' ->> 'email') <> (l.record ->> 'Email')
        join int_people_records as hr on hr.record_id = h.id
        join int_people_records as lr on lr.record_id = l.id
        where hr.person_id <> lr.person_id
    """,
    )
    assert variants[0][0] == 0


def test_first_run_updates_every_crm_record(built):
    expected = set(
        query(
            built,
            """
        select 'salesforce', 'Lead', id from raw_salesforce.lead
        where not is_deleted and not coalesce((record ->> 'IsConverted')::boolean, false)
        union select 'salesforce', 'Contact', id from raw_salesforce.contact where not is_deleted
        union select 'hubspot', 'contacts', id from raw_hubspot.contacts where not is_deleted
    """,
        )
    )
    queued = set(query(built, "select distinct vendor, object_type, record_id from crm_updates"))
    assert queued == expected
    values = dict(
        query(
            built,
            """
        select field_name, count(*) from crm_updates
        where field_name in ('Lead_Score__c', 'MQL_Date__c', 'leadflow_mql_date')
          and not regexp_full_match(new_value, '-?[0-9]+|[0-9]{4}-[0-9]{2}-[0-9]{2}')
        group by all
    """,
        )
    )
    assert values == {}, "numbers must be integers, dates YYYY-MM-DD"


def test_owners_only_for_mql_and_beyond(built):
    below = query(
        built,
        """
        select count(*) from crm_updates u join people p using (person_id)
        where u.field_name in ('OwnerId', 'hubspot_owner_id')
          and p.lifecycle_stage in ('subscriber', 'lead')
    """,
    )[0][0]
    assert below == 0
    unowned = query(
        built,
        """
        select count(*) from people
        where (lifecycle_stage in ('subscriber', 'lead')) = (owner_salesforce_user_id is not null)
    """,
    )[0][0]
    assert unowned == 0, "owners for everyone from MQL on, for nobody before"
    reasons = dict(query(built, "select owner_reason, count(*) from people group by all"))
    assert reasons.get("current_owner") and reasons.get("account_owner") and reasons.get("round_robin")


def test_hubspot_stage_never_moves_back(built):
    backwards = query(
        built,
        """
        select count(*) from crm_updates u
        join hubspot_lifecycle_stages cur on cur.hubspot_value = u.current_value
        join hubspot_lifecycle_stages new on new.hubspot_value = u.new_value
        where u.field_name = 'lifecyclestage' and (new.stage_order < cur.stage_order or not cur.is_managed)
    """,
    )[0][0]
    assert backwards == 0


def test_applied_updates_leave_an_empty_queue(built, monkeypatch):
    before = query(built, STAGES)
    changed = apply_updates(built / "leadflow.duckdb")
    assert changed > 0
    dbt_build(built, monkeypatch)
    left = query(built, "select * from crm_updates limit 5")
    assert left == [], left
    # Stages and dates did not move when the CRMs took our values.
    assert query(built, STAGES) == before
