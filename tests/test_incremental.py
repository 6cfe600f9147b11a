"""The nightly's incremental build (int_activities, int_activity_caps, int_score_history and the
staging tables under them) ends where a full build of the same data ends, table for table."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from datetime import UTC, datetime, time, timedelta

import duckdb
import pytest
import yaml
from dbt.adapters.duckdb.environments.local import DuckDBCursorWrapper

from tests.test_dbt import PROJECT, TODAY, built, dbt_build, query  # noqa: F401 (built is a fixture)

# Tables that keep what earlier builds saw, so that a full refresh starts them anew.
STATEFUL = {
    "owner_assignments",
    "int_build_window",
    "int_people_mart_changes",
    "int_record_links",
    "int_score_bases",
    "int_touched_people",
}

# int_decayed_points keeps each row decayed to the run date of the build that computed it: read
# as int_engagement_scores reads it, decayed on to the last run date (rows whose window has
# closed since count nothing there).
DECAYED = """
    select person_id, score_group, half_life_days, window_days, occurred_at,
        round(points * pow(0.5, coalesce(date_diff('second', decayed_to, w.as_of_end) / 86400.0
            / half_life_days, 0)), 9)
    from int_decayed_points cross join int_build_window as w
    where window_days is null or date_diff('second', occurred_at, w.as_of_end) / 86400.0 <= window_days
"""


# The people whose row of the people mart the last build wrote again.
REWRITTEN = "select person_id from int_people_mart_changes"


def later_loads(con: duckdb.DuckDBPyConnection) -> str:
    """A load time after every raw row's."""
    newest = con.execute("""
        select max(t) from (
            select max(_loaded_at) as t from raw_hubspot.contacts
            union all select max(_loaded_at) from raw_hubspot.email_events
            union all select max(_loaded_at) from raw_salesforce.task
            union all select max(_loaded_at) from raw_salesforce.lead
        )""").fetchone()[0]
    return f"timestamp '{newest + timedelta(hours=1)}'"


def first_night(con: duckdb.DuckDBPyConnection) -> None:
    """Record, activity and chat changes of every kind the nightly must follow."""
    at = later_loads(con)
    two = con.execute(
        "select id, record->'properties'->>'email' from raw_hubspot.contacts order by id limit 2"
    ).fetchall()
    (moved, _), (_, taken) = two
    # A HubSpot contact takes another person's email: it joins them, its activities follow.
    con.execute(
        f"update raw_hubspot.contacts set record = json_merge_patch(record, ?), _loaded_at = {at}"
        " where id = ?",
        [f'{{"properties": {{"email": "{taken}"}}}}', moved],
    )
    # A Salesforce lead is deleted.
    con.execute(f"""
        update raw_salesforce.lead set is_deleted = true, _loaded_at = {at}
        where id = (select min(id) from raw_salesforce.lead where record->>'IsConverted' <> 'true')""")
    # An email event changes, another is deleted, a new one arrives a day after the run date
    # (it counts only once the run date reaches it).
    first, second = (
        r[0] for r in con.execute("select id from raw_hubspot.email_events order by id limit 2").fetchall()
    )
    con.execute(
        f"update raw_hubspot.email_events set record = json_merge_patch(record, ?), _loaded_at = {at}"
        " where id = ?",
        ['{"type": "CLICK"}', first],
    )
    con.execute(
        f"update raw_hubspot.email_events set is_deleted = true, _loaded_at = {at} where id = ?", [second]
    )
    due = int(datetime.combine(TODAY + timedelta(days=2), time(12), UTC).timestamp() * 1000)
    con.execute(
        f"""insert into raw_hubspot.email_events select 'due-later', modified_at, false,
            json_merge_patch(record, ?), {at} from raw_hubspot.email_events where id = ?""",
        [f'{{"type": "CLICK", "created": {due}}}', first],
    )
    # A chat moves to another contact.
    con.execute(
        f"""
        update raw_hubspot.conversation_threads set record = json_merge_patch(record, ?), _loaded_at = {at}
        where id = (select min(id) from raw_hubspot.conversation_threads)""",
        ['{"associatedContactId": "1002"}'],
    )
    # A calendar event is deleted: the task logged for the same meeting counts again.
    con.execute(
        f"update raw_salesforce.event set is_deleted = true, _loaded_at = {at}"
        " where id = (select min(id) from raw_salesforce.event)"
    )
    # A new sales task for a lead.
    con.execute(f"""
        insert into raw_salesforce.task select 'new-task', modified_at, false,
            json_merge_patch(record, '{{"Id": "new-task", "Type": "Call"}}'), {at}
        from raw_salesforce.task where id = (select min(id) from raw_salesforce.task)""")
    # A HubSpot duplicate: a twin (same email, no Salesforce link) of a HubSpot-only contact,
    # the one identity_changes links the night after.
    con.execute(f"""
        insert into raw_hubspot.contacts select 'twin-contact', modified_at, false,
            json_merge_patch(record, '{{"id": "twin-contact"}}'), {at}
        from raw_hubspot.contacts
        where id = (
            select max(record_id) from int_people_records
            where
                vendor = 'hubspot' and email is not null
                and linked_salesforce_contact_id is null and linked_salesforce_lead_id is null
                and person_id in (select person_id from int_people_records group by 1 having count(*) = 1)
        )""")
    lifecycle_changes(con, at)


def lifecycle_changes(con: duckdb.DuckDBPyConnection, at: str) -> None:
    """Changes only the lifecycle reads: a lead status change, a date leadflow wrote, new
    opportunities (one closing after the next run date) and a contact role gone."""
    # Sales disqualify a lead (LeadHistory): a recycle with a cool-off.
    con.execute(f"""
        insert into raw_salesforce.lead_history
        select 'new-status', modified_at, false, json_merge_patch(record, json_object(
            'Id', 'new-status', 'OldValue', 'Working - Contacted', 'NewValue', 'Closed - Not Converted',
            'CreatedDate', '{TODAY.isoformat()}T10:00:00.000+0000')), {at}
        from raw_salesforce.lead_history
        where id = (
            -- the newest lead's status history: no other change of the night touches its person
            select max(id) from raw_salesforce.lead_history
            where (record->>'Field') = 'Status' and (record->>'LeadId') = (
                select max(record->>'LeadId') from raw_salesforce.lead_history
                where (record->>'Field') = 'Status'
            )
        )""")
    # An MQL date leadflow wrote on a contact (memory: a stage once reached stays reached).
    con.execute(f"""
        update raw_salesforce.contact
        set record = json_merge_patch(record, '{{"MQL_Date__c": "2025-12-01"}}'), _loaded_at = {at}
        where id = (select max(id) from raw_salesforce.contact)""")
    # Two contacts without opportunities get one each, won: one closed today, one closing
    # three days after it (it counts once the run date reaches it); a contact role goes.
    contacts = [
        r[0]
        for r in con.execute("""
            select id from raw_salesforce.contact
            where id not in (select record->>'ContactId' from raw_salesforce.opportunity_contact_role)
            order by id limit 2""").fetchall()
    ]
    for n, (contact, closes) in enumerate(zip(contacts, (TODAY, TODAY + timedelta(days=3)), strict=True)):
        con.execute(
            f"""
            insert into raw_salesforce.opportunity
            select ?, modified_at, false, json_merge_patch(record, json_object(
                'Id', ?, 'StageName', 'Closed Won', 'IsClosed', true, 'IsWon', true, 'CloseDate', ?)), {at}
            from raw_salesforce.opportunity where id = (select min(id) from raw_salesforce.opportunity)""",
            [f"new-opportunity-{n}", f"new-opportunity-{n}", closes.isoformat()],
        )
        con.execute(
            f"""
            insert into raw_salesforce.opportunity_contact_role
            select ?, modified_at, false, json_merge_patch(record, json_object(
                'Id', ?, 'OpportunityId', ?, 'ContactId', ?)), {at}
            from raw_salesforce.opportunity_contact_role
            where id = (select min(id) from raw_salesforce.opportunity_contact_role)""",
            [f"new-role-{n}", f"new-role-{n}", f"new-opportunity-{n}", contact],
        )
    con.execute(f"""
        update raw_salesforce.opportunity_contact_role set is_deleted = true, _loaded_at = {at}
        where id = (select max(id) from raw_salesforce.opportunity_contact_role where id not like 'new-%')""")


def patch(con: duckdb.DuckDBPyConnection, table: str, record_id: str, fields: str, at: str) -> None:
    """A raw record's JSON merged with `fields`, landed at `at`."""
    con.execute(
        f"update {table} set record = json_merge_patch(record, ?), _loaded_at = {at} where id = ?",
        [fields, record_id],
    )


def person_id(match_key: str) -> str:
    """A person's id as int_people_records makes it: 12 characters of base64url of the matching
    key's md5 (computed here without the warehouse, so that the two must agree)."""
    return base64.urlsafe_b64encode(hashlib.md5(match_key.encode()).digest()).decode()[:12]


def person_of(workdir, *records: str) -> list[tuple]:
    """The distinct people of some records (by record id)."""
    marks = ", ".join("?" * len(records))
    sql = f"select distinct person_id from int_people_records where record_id in ({marks})"
    return query(workdir, sql, records)


def identity_changes(con: duckdb.DuckDBPyConnection, at: str) -> dict[str, str]:
    """Changes that move records between people without touching most of their emails: a lead
    converted to another person's contact, a contact taking a HubSpot-only person's email, and a
    HubSpot contact linked (by a 15-character id) to a contact, whose unlinked twin (same email,
    landed the night before) follows it. Answers which record should now be whose (record id:
    record id), the converted lead first."""

    def one(sql: str) -> str:
        return con.execute(sql).fetchone()[0]

    alone = "person_id in (select person_id from int_people_records group by 1 having count(*) = 1)"
    contacts = [
        r[0]
        for r in con.execute(
            "select record_id from int_people_records where object_type = 'Contact'"
            " order by record_id limit 3"
        ).fetchall()
    ]
    lead = one(f"""
        select min(record_id) from int_people_records
        where object_type = 'Lead' and not is_converted and email is not null and {alone}""")
    taken_id, taken_email = con.execute(f"""
        select record_id, email from int_people_records
        where
            vendor = 'hubspot' and email is not null and {alone}
            and linked_salesforce_contact_id is null and linked_salesforce_lead_id is null
        order by record_id limit 1""").fetchone()
    linked_id = one("""
        select max(record_id) from int_people_records
        where
            record_id <> 'twin-contact'
            and person_id = (select person_id from int_people_records where record_id = 'twin-contact')""")
    converted = f'{{"IsConverted": true, "ConvertedContactId": "{contacts[0]}", "ConvertedDate": "{TODAY}"}}'
    patch(con, "raw_salesforce.lead", lead, converted, at)
    patch(con, "raw_salesforce.contact", contacts[1], f'{{"Email": "{taken_email}"}}', at)
    link = f'{{"properties": {{"salesforcecontactid": "{contacts[2][:15]}"}}}}'
    patch(con, "raw_hubspot.contacts", linked_id, link, at)
    return {lead: contacts[0], taken_id: contacts[1], linked_id: contacts[2], "twin-contact": contacts[2]}


def second_night(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A title change (fit only), a web visit, an account's and a HubSpot company's
    firmographics, and records moving between people (identity_changes, answered)."""
    at = later_loads(con)
    con.execute(f"""
        update raw_salesforce.lead
        set record = json_merge_patch(record, '{{"Title": "Chief Revenue Scientist"}}'), _loaded_at = {at}
        where id = (
            -- a lead that is its person's only record: its title is the person's
            select max(record_id) from int_people_records
            where
                object_type = 'Lead' and not is_converted
                and person_id in (select person_id from int_people_records group by 1 having count(*) = 1)
        )""")
    con.execute(f"""
        insert into raw_hubspot.web_events select 'new-visit', modified_at, false,
            json_merge_patch(record, '{{"id": "new-visit", "properties": {{"hs_url": "https://www.brightfunnel.example/pricing"}}}}'),
            {at}
        from raw_hubspot.web_events where id = (select min(id) from raw_hubspot.web_events)""")
    con.execute(f"""
        update raw_salesforce.account
        set record = json_merge_patch(record, '{{"NumberOfEmployees": 7, "Industry": "Banking"}}'),
            _loaded_at = {at}
        where id = (
            select record->>'AccountId' from raw_salesforce.contact
            group by 1 order by count(*) desc, 1 limit 1
        )""")
    con.execute(f"""
        update raw_hubspot.companies
        set record = json_merge_patch(record, '{{"properties": {{"numberofemployees": "3"}}}}'),
            _loaded_at = {at}
        where id = (
            select record->'associations'->'companies'->'results'->0->>'id' from raw_hubspot.contacts
            group by 1 order by count(*) desc, 1 limit 1
        )""")
    return identity_changes(con, at)


def write_back_landed(con: duckdb.DuckDBPyConnection) -> str:
    """Write-back landed: a lead now holds the score leadflow queued for it, and nothing of its
    person changed (no activity decays: the same score the next night). Answers the lead."""
    lead, score = con.execute("""
        select record_id, new_value from crm_updates
        where
            vendor = 'salesforce' and object_type = 'Lead' and field_name = 'Lead_Score__c'
            and person_id not in (select person_id from int_activities)
            -- not a lead alone on its person, which second_night converts or retitles
            and person_id in (select person_id from int_people_records group by 1 having count(*) > 1)
        order by record_id limit 1""").fetchone()
    patch(con, "raw_salesforce.lead", lead, f'{{"Lead_Score__c": {score}}}', later_loads(con))
    return lead


def tables(workdir) -> dict[str, list]:
    """Every table dbt builds in main, sorted rows; those that remember earlier builds aside."""
    names = query(
        workdir,
        "select table_name from information_schema.tables"
        " where table_schema = 'main' and table_type = 'BASE TABLE'",
    )

    def rows(name: str) -> list:
        if name == "int_decayed_points":
            return query(workdir, DECAYED)
        # When each activity was written is the build's own (the full one wrote every row).
        return query(
            workdir,
            f'select * exclude (written_at) from "{name}"'
            if name == "int_activities"
            else f'select * from "{name}"',
        )

    return {name: sorted(rows(name), key=str) for (name,) in names if name not in STATEFUL}


def customers(workdir) -> set[str]:
    """The test's new opportunities whose person is a customer as of the last build."""
    return {
        opportunity
        for (opportunity,) in query(
            workdir,
            """
            select opportunities.opportunity_id
            from int_person_opportunities as opportunities
            inner join int_people_lifecycle as lifecycle on lifecycle.person_id = opportunities.person_id
            where
                opportunities.opportunity_id like 'new-opportunity-%'
                and lifecycle.customer_at is not null""",
        )
    }


def run(workdir, monkeypatch, days: int, *extra: str) -> None:
    dbt_build(workdir, monkeypatch, ("run", *extra), as_of=TODAY + timedelta(days=days))


def night_and_full_build(work, reference, usage, monkeypatch, days: int) -> None:
    """The night `days` on work, incremental, and on a copy of it in reference (with the product
    usage files), a full refresh. A new reference folder each night: dbt-duckdb keeps the last
    reference's file open in this process."""
    reference.mkdir()
    shutil.copytree(usage, reference / "usage")
    shutil.copy(work / "leadflow.duckdb", reference / "leadflow.duckdb")
    run(work, monkeypatch, days)
    run(reference, monkeypatch, days, "--full-refresh")


def differing(work, reference) -> list[str]:
    """The tables whose rows differ between the incremental build and the full one."""
    incremental, full = tables(work), tables(reference)
    assert incremental.keys() == full.keys()
    return [name for name in full if incremental[name] != full[name]]


def test_nightly_builds_incrementally_as_a_full_build_would(built, tmp_path, monkeypatch):  # noqa: F811
    """Nightlies of changes of every kind, built incrementally, each against a full build."""
    query(built, "checkpoint")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(built / "leadflow.duckdb", work / "leadflow.duckdb")
    shutil.copytree(built / "usage", work / "usage")

    with duckdb.connect(str(work / "leadflow.duckdb")) as con:
        first_night(con)
    # As if the points failed that night: the next build recomputes that night's people too.
    run(work, monkeypatch, 1, "--exclude", "int_activity_caps+")
    window = query(work, "select is_full from int_build_window")[0][0]
    touched = query(work, "select count(*) from int_touched_people")[0][0]
    people = query(work, "select count(*) from int_people_unified")[0][0]
    assert not window and 0 < touched < people / 4
    # The disqualified lead and the new opportunities touch their people's lifecycle only.
    assert query(work, "select count(*) from int_touched_people where is_lifecycle_only")[0][0] >= 2

    with duckdb.connect(str(work / "leadflow.duckdb")) as con:
        moved = second_night(con)
        written_back = write_back_landed(con)
        con.execute("checkpoint")
    queued_fields = {
        field
        for (field,) in query(work, "select field_name from crm_updates where record_id = ?", (written_back,))
    }
    # Whether the build is a full one is read once per invocation (build_is_full keeps it), by
    # each of the two, though dozens of models ask.
    reads = []
    real_execute = DuckDBCursorWrapper.execute

    def execute(self, sql, bindings=None):
        # The statement itself (after dbt's comment), not a model's subquery of the same words.
        if re.match(r"\s*(/\*.*?\*/)?\s*select is_full from ", sql, re.S):
            reads.append(sql)
        return real_execute(self, sql, bindings)

    with monkeypatch.context() as patched:
        patched.setattr(DuckDBCursorWrapper, "execute", execute)
        night_and_full_build(work, tmp_path / "reference-2", built / "usage", monkeypatch, 2)
    assert len(reads) == 2
    # The models after int_activities (int_activity_caps had missed the night before) read the
    # recomputed people's activities by written_at against a constant, which DuckDB prunes by.
    built_sql = work / "target" / "compiled" / "leadflow" / "models" / "intermediate"
    for model in ("int_activity_caps", "int_decayed_points", "int_negative_signals", "int_activity_evidence"):
        assert re.search(r"written_at > timestamp '[0-9: .-]+'", (built_sql / f"{model}.sql").read_text()), (
            model
        )
    assert not query(work, "select is_full from int_build_window")[0][0]
    # The people mart wrote again the rows of some people, not everyone's.
    rewritten = query(work, f"select count(*) from ({REWRITTEN})")[0][0]
    assert 0 < rewritten < query(work, "select count(*) from people")[0][0] / 2
    retitled = query(work, "select count(*) from int_people_unified where title = 'Chief Revenue Scientist'")[
        0
    ][0]
    assert retitled == 1
    due = query(work, "select count(*) from int_activity_points where activity_id like '%due-later%'")[0][0]
    assert due == 1

    converted_lead, converted_to = next(iter(moved.items()))
    # The records moved: each is now its new person's, though few records were matched again.
    affected = query(work, "select count(*) from int_identity_changes where is_affected")[0][0]
    records = query(work, "select count(*) from int_people_records")[0][0]
    assert len(moved) <= affected < records / 4
    for record, joined in moved.items():
        assert len(person_of(work, record, joined)) == 1, (record, joined)
    assert differing(work, tmp_path / "reference-2") == []
    # The score written back left the queue; the lead's other rows stayed.
    requeued = query(work, "select field_name from crm_updates where record_id = ?", (written_back,))
    assert "Lead_Score__c" in queued_fields
    assert {field for (field,) in requeued} == queued_fields - {"Lead_Score__c"}
    # The lifecycle followed: the disqualified lead, the won opportunity, the written MQL date.
    assert query(work, "select count(*) from int_recycle_events where rule like '%Closed - Not Converted'")[
        0
    ][0]
    assert customers(work) == {"new-opportunity-0"}

    # A third night: a web visit, and the contact the HubSpot contact was linked to changes
    # email (the linked contact follows it by id, its unlinked twin by email); the opportunity
    # closing then comes due.
    with duckdb.connect(str(work / "leadflow.duckdb")) as con:
        at = later_loads(con)
        con.execute(f"""
            insert into raw_hubspot.web_events select 'third-visit', modified_at, false,
                json_merge_patch(record, '{{"id": "third-visit"}}'), {at}
            from raw_hubspot.web_events where id = (select max(id) from raw_hubspot.web_events)""")
        renamed = {moved["twin-contact"]: "renamed@linked.example", converted_to: "renamed@converted.example"}
        for contact, email in renamed.items():
            patch(con, "raw_salesforce.contact", contact, f'{{"Email": "{email}"}}', at)
        # As if the tier thresholds or the mart's code had changed since: it is written whole.
        con.execute("update dbt_state.increments set rules_hash = 'older rules' where model = 'people'")
        con.execute("checkpoint")
    night_and_full_build(work, tmp_path / "reference-3", built / "usage", monkeypatch, 3)
    assert not query(work, f"select * from people where person_id not in ({REWRITTEN})")
    assert customers(work) == {"new-opportunity-0", "new-opportunity-1"}
    # The unlinked twin followed the contact its twin is linked to; the converted lead, its contact.
    for record, contact in (("twin-contact", moved["twin-contact"]), (converted_lead, converted_to)):
        expected = [(person_id("email:" + renamed[contact]),)]
        assert person_of(work, record, contact) == expected, record
    assert differing(work, tmp_path / "reference-3") == []

    # A fourth night retitles a contact while the people mart fails (left out); the fifth lands a
    # web visit and writes the mart again whole, since it missed the incremental models' build
    # that recomputed the retitled person, and ends as a full build does.
    survivor = query(work, "select min(salesforce_contact_id) from people")[0][0]
    after_last_build = "(select loaded_watermark + interval 1 hour from int_build_window)"
    with duckdb.connect(str(work / "leadflow.duckdb")) as con:
        patch(con, "raw_salesforce.contact", survivor, '{"Title": "Chief Lag Officer"}', after_last_build)
        con.execute("checkpoint")
    run(work, monkeypatch, 4, "--exclude", "people+")
    with duckdb.connect(str(work / "leadflow.duckdb")) as con:
        con.execute(f"""
            insert into raw_hubspot.web_events select 'fifth-visit', modified_at, false,
                json_merge_patch(record, '{{"id": "fifth-visit"}}'), {after_last_build}
            from raw_hubspot.web_events where id = 'third-visit'""")
        con.execute("checkpoint")
    night_and_full_build(work, tmp_path / "reference-5", built / "usage", monkeypatch, 5)
    assert not query(work, f"select * from people where person_id not in ({REWRITTEN})")
    assert query(work, "select title from people where salesforce_contact_id = ?", (survivor,)) == [
        ("Chief Lag Officer",)
    ]
    assert differing(work, tmp_path / "reference-5") == []

    # The nightly's tests of the tables it keeps up to date read the rows it wrote (the test
    # argument `rows`): a fault among those rows still fails them.
    recomputed = """
        select person_id from int_touched_people
        where touched_at = (select max(touched_at) from int_touched_people) and not is_lifecycle_only"""

    def fails(sql: str, model: str, test: str, name: str) -> None:
        query(work, sql)
        with pytest.raises(AssertionError, match=name):
            select = ("test", "--select", f"{model},test_name:{test}")
            dbt_build(work, monkeypatch, select, TODAY + timedelta(days=3))

    # int_activities' tests read the rows its last build wrote, by their written_at (rows:
    # written), which a nightly appends after the others: a duplicate of a row an earlier build
    # wrote (and checked) is not read; one among the rows written fails the key test.
    written = query(
        work, "select count(*) from int_activities where written_at = (select built_at from int_build_window)"
    )
    assert 0 < written[0][0] < query(work, "select count(*) from int_activities")[0][0] / 4
    query(
        work,
        f"""
        insert into int_activities select * replace (timestamp '2000-01-01' as written_at)
        from int_activities where person_id not in ({recomputed}) limit 1""",
    )
    dbt_build(
        work,
        monkeypatch,
        ("test", "--select", "int_activities,test_name:primary_key"),
        TODAY + timedelta(days=3),
    )
    fails(
        f"insert into int_activities select * from int_activities where person_id in ({recomputed}) limit 1",
        "int_activities",
        "primary_key",
        "primary_key_int_activities_activity_id",
    )
    # A duplicate among a staging table's rows landed since the last build fails its key test.
    fails(
        """
        insert into stg_hubspot__email_events
        select * replace (timestamp '2100-01-01' as _loaded_at) from stg_hubspot__email_events limit 1""",
        "stg_hubspot__email_events",
        "primary_key",
        "primary_key_stg_hubspot__email_events",
    )
    # An unknown bounce category among the landed rows is reported (a warning).
    fails(
        """
        insert into stg_hubspot__email_events
        select * replace ('NO_SUCH_CATEGORY' as bounce_category, 'moon-' || email_event_id as email_event_id)
        from stg_hubspot__email_events where _loaded_at = timestamp '2100-01-01' limit 1""",
        "stg_hubspot__email_events",
        "accepted_values",
        "accepted_values_stg_hubspot__email_events_bounce_category",
    )
    # A duplicate among the people mart's rows written again fails its key test.
    fails(
        f"insert into people select * from people where person_id in ({REWRITTEN}) limit 1",
        "people",
        "primary_key",
        "primary_key_people_person_id",
    )
    # A person recomputed gone from int_people_unified while their activities stay.
    fails(
        f"""
        delete from int_people_unified
        where person_id = (select min(person_id) from int_activities where person_id in ({recomputed}))""",
        "int_activities",
        "relationships",
        "relationships_int_activities_person_id",
    )
    # Two matching keys with one person id (ids are 72 bits of the key's md5, so this could only
    # be a collision): a record matched again that takes another key's id fails the build.
    other_key = """
        select min(record_id) from int_people_records
        where match_key <> (select max_by(match_key, person_id) from int_people_records)"""
    fails(
        f"""
        insert into int_identity_changes by name
        select vendor, object_type, record_id, true as is_affected from int_people_records
        where record_id = ({other_key});
        update int_people_records set person_id = (select max(person_id) from int_people_records)
        where record_id = ({other_key})""",
        "int_people_records",
        "one_key_per_id",
        "one_key_per_id_int_people_records_person_id",
    )


PERSON_ID_COLUMNS = """
    select columns.table_schema, columns.table_name, columns.column_name
    from information_schema.columns
    inner join information_schema.tables
        on tables.table_schema = columns.table_schema and tables.table_name = columns.table_name
    where
        tables.table_type = 'BASE TABLE'
        and columns.table_schema in ('main', 'dbt_state')
        and columns.column_name in ('person_id', 'previous_person_id')
    order by all"""


def test_person_ids_of_an_older_build_are_shortened_in_place(built, tmp_path, monkeypatch):  # noqa: F811
    """A warehouse built when a person's id was the 32 hex digits of their matching key's md5
    gets every id shortened in place at its next build (migrate_person_ids), history included,
    and ends where the same night ends on a warehouse built with the short ids."""
    query(built, "checkpoint")
    work, reference = tmp_path / "work", tmp_path / "reference"
    for folder in (work, reference):
        folder.mkdir()
        shutil.copy(built / "leadflow.duckdb", folder / "leadflow.duckdb")
        shutil.copytree(built / "usage", folder / "usage")
    columns = query(work, PERSON_ID_COLUMNS)
    assert {"people_history", "owner_assignments", "int_record_links"} <= {table for _, table, _ in columns}
    assert ("dbt_state", "person_opportunities_seen", "person_id") in columns

    # The older build: every person id as that code made it.
    with duckdb.connect(str(work / "leadflow.duckdb")) as con:
        con.execute(
            "create temp table ids as select distinct person_id, md5(match_key) as old"
            " from int_people_records"
        )
        keys = con.execute("select distinct person_id, match_key from int_people_records").fetchall()
        assert keys and all(person_id(key) == pid for pid, key in keys)
        for schema, table, column in columns:
            con.execute(f"""
                update "{schema}"."{table}" as t set {column} = ids.old from ids
                where t.{column} = ids.person_id""")
        con.execute("checkpoint")
    assert query(work, "select count(*) from people where length(person_id) = 32")[0][0] > 0

    # A profile that attaches another database (an archive of last month's people, by their old
    # ids): the migration keeps to the warehouse's own tables and leaves the archive as it was.
    archive = tmp_path / "archive.duckdb"
    with duckdb.connect(str(archive)) as con:
        con.execute(f"attach '{work / 'leadflow.duckdb'}' as warehouse (read_only)")
        con.execute("create table people_last_month as select * from warehouse.people")
        con.execute("detach warehouse")
        archived = con.execute("select * from people_last_month order by all").fetchall()
    profile = yaml.safe_load((PROJECT / "profiles.yml").read_text())
    # Writable, so that a migration reaching into it would change it rather than fail.
    profile["leadflow"]["outputs"]["dev"]["attach"] = [{"path": str(archive)}]
    (tmp_path / "profiles.yml").write_text(yaml.safe_dump(profile))

    # A build, not a run: the snapshot too (a person whose id changed would otherwise look gone,
    # their history closed, and new).
    dbt_build(work, monkeypatch, ("build",), TODAY + timedelta(days=1), profiles=tmp_path)
    dbt_build(reference, monkeypatch, ("build",), TODAY + timedelta(days=1))
    with duckdb.connect(str(archive)) as con:
        assert con.execute("select * from people_last_month order by all").fetchall() == archived
    for schema, table, column in columns:
        sql = f'select distinct {column} from "{schema}"."{table}" order by all'
        assert query(work, sql) == query(reference, sql), f"{schema}.{table}.{column}"
    # The history's versions, but for when each build recorded them (and the ids made of that).
    history = """
        select * exclude (dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to), dbt_valid_to is null
        from people_history order by all"""
    assert query(work, history) == query(reference, history)
    migrated, short = tables(work), tables(reference)
    assert [name for name in short if name != "people_history" and migrated[name] != short[name]] == []
