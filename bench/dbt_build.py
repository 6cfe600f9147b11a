"""Benchmark: `dbt build` on 1,000,000 people and 20,000,000 activities, full and nightly.

    .venv/bin/python bench/dbt_build.py [--people 1000000] [--activities 20000000] [--seed 1]
                                        [--dir .leadflow/bench] [--changed 0.01] [--no-writeback]
                                        [--runs 3] [--reuse-raw]

1. Generates a company straight into the raw DuckDB tables, in the landing contract's shape
   (id, modified_at, is_deleted, record JSON as the APIs return it, _loaded_at), with DuckDB
   SQL: `range()` and hash-based pseudo-random columns, deterministic by seed. Activities are
   skewed: 85% go to people uniformly, 15% to a few (person = N x u^2), so some people have
   thousands of activities and most a dozen.
2. Times a full `dbt build` (dbtRunner, no Prefect) in a fresh process, with its peak memory.
   Then writes its `crm_updates` into the raw records as the CRMs would hold them and lands
   them again (the write-back and the next extract), and runs the staging models on them
   (untimed). A first nightly, a day later, takes that write-back in (timed once), and its own
   write-back follows: the state a production nightly starts from.
3. Changes 1% of the people as a nightly extract would (their CRM records modified, ten new
   activities each, all with a new _loaded_at) and times the incremental `dbt build`, the run
   date one day later again.
Each build makes the build flow's choice about the seeds (flows/seeds.py, timed with the build):
loaded by the full build, which records them, and left out of the nightlies, which find them
unchanged.

Not part of `make test`. Prints one JSON line per build and a summary, and writes the "dbt build"
section of BENCHMARKS.md (--output) under a heading for the company's size. Each build runs
--runs times (default 3), each on a fresh copy of its starting database; the table gives the
median run and every run's time, with the machine's load when the bench began.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
from benchfile import machine, update_section  # bench/benchfile.py (the script's folder is on sys.path)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from flows.settings import Settings  # noqa: E402 - the build flow's settings (its dbt log level)
from tests.raw_fixture import apply_updates  # noqa: E402 - the write-back the tests check, in SQL

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "dbt_project"
AS_OF = date(2026, 3, 1)
RAW = "(id varchar primary key, modified_at timestamp, is_deleted boolean, record json, _loaded_at timestamp)"
SALESFORCE = [
    "user",
    "account",
    "lead",
    "contact",
    "campaign",
    "campaign_member",
    "task",
    "event",
    "opportunity",
    "opportunity_contact_role",
    "lead_history",
]
HUBSPOT = [
    "contacts",
    "companies",
    "deals",
    "owners",
    "calls",
    "emails",
    "meetings",
    "notes",
    "forms",
    "form_submissions",
    "email_events",
    "web_events",
    "conversation_threads",
    "conversation_messages",
]
# Share of the raw activity rows per source (sums to 1).
ACTIVITY_SHARES = {
    "email_events": 0.50,
    "web_events": 0.25,
    "form_submissions": 0.03,
    "task": 0.06,
    "event": 0.01,
    "campaign_member": 0.06,
    "calls": 0.03,
    "emails": 0.03,
    "meetings": 0.015,
    "notes": 0.005,
    "conversation_messages": 0.01,
}
REPS = 50
ACCOUNTS = 50_000
CAMPAIGNS = 200
FORMS = [
    "Demo request",
    "Contact sales",
    "Pricing inquiry",
    "Free trial signup",
    "Whitepaper download",
    "Webinar registration",
    "Newsletter signup",
]

# Helpers, defined as DuckDB macros: h(i, k) a hash, u(i, k) uniform in [0, 1), pick(i, k, list).
MACROS = """
create or replace macro h(i, k) as hash(i, k, {seed});
create or replace macro u(i, k) as (h(i, k) % 1000000) / 1000000.0;
create or replace macro pick(i, k, items) as items[1 + cast(h(i, k) % len(items) as integer)];
create or replace macro sf_time(t) as strftime(t, '%Y-%m-%dT%H:%M:%S.000+0000');
create or replace macro hs_time(t) as strftime(t, '%Y-%m-%dT%H:%M:%S.000Z');
-- Salesforce ids: 3-character key prefix, 12 characters of the record, 3 of checksum (the first
-- 15 characters identify a record).
create or replace macro sf_id(prefix, n) as prefix || lpad(cast(n as varchar), 12, '0') || 'AAA';
create or replace macro email_of(p) as
    'u' || p || '@' || case when p % 10 = 0 then 'gmail.com' else 'd' || (p % {accounts}) || '.example' end;
-- Who is where: a Salesforce lead (60%), a Salesforce contact (15%), in HubSpot (most).
create or replace macro sf_kind(p) as case when h(p, 1) % 100 < 60 then 'lead' when h(p,
    1) % 100 < 75 then 'contact' end;
create or replace macro in_hubspot(p) as h(p, 2) % 100 < 85 or h(p, 1) % 100 >= 75;
create or replace macro who_id(p) as case sf_kind(p) when 'lead' then sf_id('00Q',
    p) when 'contact' then sf_id('003', p) end;
create or replace macro hs_contact(p) as cast(1000000 + p as varchar);
-- Activity j belongs to a person: 85% uniformly, 15% to a few (N x u^2).
create or replace macro person_of(j, n) as case
    when h(j, 7) % 100 < 85 then cast(h(j, 8) % n as bigint)
    else cast(floor(n * pow(u(j, 9), 2)) as bigint) end;
create or replace macro moment(j, k) as (timestamp '{as_of}' - to_seconds(cast(h(j,
    k) % (730 * 86400) as bigint)));
"""


def raw_insert(con, schema: str, table: str, select: str) -> int:
    con.execute(f'create table if not exists "{schema}"."{table}" {RAW}')
    con.execute(f'insert or replace into "{schema}"."{table}" {select}')
    return con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]


def generate(path: Path, people: int, activities: int, seed: int) -> dict[str, int]:
    """The raw tables of a company of `people` people and about `activities` activity rows."""
    counts = {}
    with duckdb.connect(str(path)) as con:
        con.execute(MACROS.format(seed=seed, accounts=ACCOUNTS, as_of=AS_OF.isoformat()))
        con.execute("create schema if not exists raw_salesforce; create schema if not exists raw_hubspot")
        loaded = f"timestamp '{AS_OF - timedelta(days=1)} 02:00:00'"
        for schema, table, sql in tables(people, activities, loaded):
            started = time.perf_counter()
            counts[f"{schema}.{table}"] = raw_insert(con, schema, table, sql)
            print(
                f"  {schema}.{table}: {counts[f'{schema}.{table}']:,} rows "
                f"in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        con.execute("checkpoint")
    return counts


def tables(n: int, activities: int, loaded: str):
    """(schema, table, select of id, modified_at, is_deleted, record, _loaded_at) per raw table."""
    sf, hs = "raw_salesforce", "raw_hubspot"
    rows = {name: int(activities * share) for name, share in ACTIVITY_SHARES.items()}
    titles = (
        "['VP Marketing', 'Marketing Operations Manager', 'Director of Demand Generation', "
        "'Sales Development Representative', 'Software Engineer', 'Student', 'CEO', "
        "'Revenue Operations Analyst', 'Head of Growth', 'Marketing Coordinator']"
    )
    industries = (
        "['Technology', 'Financial Services', 'Healthcare', 'Retail', 'Manufacturing', 'Education', "
        "'Government']"
    )
    countries = (
        "['United States', 'Germany', 'United Kingdom', 'France', 'Australia', 'Brazil', 'Canada', 'India']"
    )
    sources = (
        "['Web', 'Partner Referral', 'Trade Show', 'Advertisement', 'Purchased List', 'Employee Referral']"
    )
    statuses = (
        "['Open - Not Contacted', 'Open - Not Contacted', 'Working - Contacted', 'Working - Contacted', "
        "'Qualified', 'Closed - Not Converted']"
    )
    yield (
        sf,
        "user",
        f"""
        select sf_id('005', i), timestamp '2024-01-01', false, json_object(
            'Id', sf_id('005', i), 'Email', 'rep' || i || '@us.example', 'FirstName', 'Rep', 'LastName',
                'No' || i,
            'Name', 'Rep No' || i, 'IsActive', true, 'Department', 'Sales', 'Title', 'Account Executive',
            'CreatedDate', '2024-01-01T00:00:00.000+0000'), {loaded}
        from range({REPS}) r(i)""",
    )
    yield (
        hs,
        "owners",
        f"""
        select cast(100 + i as varchar), timestamp '2024-01-01', false, json_object(
            'id', cast(100 + i as varchar), 'email', 'rep' || i || '@us.example', 'firstName', 'Rep',
            'lastName', 'No' || i, 'userId', 9000 + i, 'archived', false,
            'createdAt', '2024-01-01T00:00:00.000Z', 'updatedAt', '2024-01-01T00:00:00.000Z'), {loaded}
        from range({REPS}) r(i)""",
    )
    yield (
        sf,
        "account",
        f"""
        select sf_id('001', k), moment(k, 20), false, json_object(
            'Id', sf_id('001', k), 'Name', 'Company ' || k, 'Website', 'https://www.d' || k || '.example',
            'Industry', pick(k, 21, {industries}), 'NumberOfEmployees', cast(10 + h(k,
                22) % 20000 as integer),
            'AnnualRevenue', cast(1e6 + h(k, 23) % 2000000000 as bigint), 'BillingCountry', pick(k, 24,
                {countries}),
            'OwnerId', sf_id('005', h(k, 25) % {REPS}), 'Type', 'Prospect',
            'CreatedDate', sf_time(moment(k, 20)), 'SystemModstamp', sf_time(moment(k, 20))), {loaded}
        from range({ACCOUNTS}) r(k)""",
    )
    yield (
        hs,
        "companies",
        f"""
        select cast(5000000 + k as varchar), moment(k, 20), false, json_object(
            'id', cast(5000000 + k as varchar), 'createdAt', hs_time(moment(k, 20)), 'updatedAt',
                hs_time(moment(k, 20)),
            'archived', false, 'properties', json_object('name', 'Company ' || k, 'domain',
                'd' || k || '.example',
            'industry', 'COMPUTER_SOFTWARE', 'numberofemployees', cast(10 + h(k, 22) % 20000 as varchar),
            'country', pick(k, 24, {countries}))), {loaded}
        from range(0, {ACCOUNTS}, 2) r(k)""",
    )
    yield (
        sf,
        "lead",
        f"""
        select sf_id('00Q', p), moment(p, 30), false, json_object(
            'Id', sf_id('00Q', p), 'Email', email_of(p), 'FirstName', 'First' || p, 'LastName', 'Last' || p,
            'Company', 'Company ' || (p % {ACCOUNTS}), 'Title', pick(p, 31, {titles}),
            'Industry', pick(p, 32, {industries}), 'NumberOfEmployees', cast(h(p, 33) % 10000 as integer),
            'Country', pick(p, 34, {countries}), 'Status', pick(p, 35, {statuses}), 'LeadSource', pick(p,
                36, {sources}),
            'OwnerId', sf_id('005', h(p, 37) % {REPS}), 'IsConverted', false, 'HasOptedOutOfEmail', h(p,
                38) % 50 = 0,
            'DoNotCall', h(p, 39) % 80 = 0, 'CreatedDate', sf_time(moment(p, 30)),
            'SystemModstamp', sf_time(moment(p, 30))), {loaded}
        from range({n}) r(p) where sf_kind(p) = 'lead'""",
    )
    yield (
        sf,
        "contact",
        f"""
        select sf_id('003', p), moment(p, 30), false, json_object(
            'Id', sf_id('003', p), 'AccountId', sf_id('001', p % {ACCOUNTS}), 'Email', email_of(p),
            'FirstName', 'First' || p, 'LastName', 'Last' || p, 'Title', pick(p, 31, {titles}),
            'MailingCountry', pick(p, 34, {countries}), 'LeadSource', pick(p, 36, {sources}),
            'OwnerId', sf_id('005', h(p, 37) % {REPS}), 'HasOptedOutOfEmail', false, 'DoNotCall', false,
            'CreatedDate', sf_time(moment(p, 30)), 'SystemModstamp', sf_time(moment(p, 30))), {loaded}
        from range({n}) r(p) where sf_kind(p) = 'contact'""",
    )
    yield (
        hs,
        "contacts",
        f"""
        select hs_contact(p), moment(p, 40), false, json_object(
            'id', hs_contact(p), 'createdAt', hs_time(moment(p, 40)), 'updatedAt', hs_time(moment(p, 40)),
            'archived', false, 'properties', json_object(
                'email', email_of(p), 'firstname', 'First' || p, 'lastname', 'Last' || p,
                'jobtitle', pick(p, 31, {titles}), 'country', pick(p, 34, {countries}),
                'lifecyclestage', pick(p, 41, ['subscriber', 'lead', 'lead', 'marketingqualifiedlead']),
                'hs_analytics_source', pick(p, 42, ['ORGANIC_SEARCH', 'REFERRALS', 'PAID_SEARCH',
                    'DIRECT_TRAFFIC']),
                'hs_analytics_num_page_views', cast(h(p, 43) % 40 as varchar),
                'hs_analytics_num_visits', cast(h(p, 43) % 15 as varchar),
                'num_conversion_events', cast(h(p, 44) % 3 as varchar),
                'hs_email_optout', case when h(p, 45) % 40 = 0 then 'true' else 'false' end,
                'salesforceleadid', case when sf_kind(p) = 'lead' then sf_id('00Q', p) end,
                'hs_lastmodifieddate', hs_time(moment(p, 40))),
            'associations', json_object('companies', json_object('results',
                [json_object('id', cast(5000000 + (p % {ACCOUNTS}) - (p % {ACCOUNTS}) % 2 as varchar))]))),
                    {loaded}
        from range({n}) r(p) where in_hubspot(p)""",
    )
    yield (
        sf,
        "lead_history",
        f"""
        select sf_id('017', p), moment(p, 50), false, json_object(
            'Id', sf_id('017', p), 'LeadId', sf_id('00Q', p), 'Field', 'Status', 'OldValue',
                'Open - Not Contacted',
            'NewValue', pick(p, 35, {statuses}), 'CreatedDate', sf_time(greatest(moment(p, 50), moment(p,
                30)))), {loaded}
        from range({n}) r(p)
        where sf_kind(p) = 'lead' and pick(p, 35, {statuses}) <> 'Open - Not Contacted'""",
    )
    yield (
        sf,
        "campaign",
        f"""
        select sf_id('701', c), timestamp '2024-06-01', false, json_object(
            'Id', sf_id('701', c), 'Name', 'Campaign ' || c, 'Type', pick(c, 60, ['Webinar', 'Conference',
                'Content', 'Email']),
            'Status', 'Completed', 'CreatedDate', '2024-06-01T00:00:00.000+0000'), {loaded}
        from range({CAMPAIGNS}) r(c)""",
    )
    yield (
        sf,
        "opportunity",
        f"""
        select sf_id('006', o), moment(o, 70), false, json_object(
            'Id', sf_id('006', o), 'AccountId', sf_id('001', o % {ACCOUNTS}), 'Name', 'Deal ' || o,
            'StageName', pick(o, 71, ['Closed Won', 'Closed Lost', 'Qualification', 'Proposal/Price Quote']),
            'Amount', 5000 + h(o, 72) % 200000, 'CloseDate', strftime(moment(o, 70) + interval 30 day,
                '%Y-%m-%d'),
            'IsClosed', pick(o, 71, [true, true, false, false]), 'IsWon', pick(o, 71, [true, false, false,
                false]),
            'OwnerId', sf_id('005', h(o, 73) % {REPS}), 'CreatedDate', sf_time(moment(o, 70))), {loaded}
        from range({n // 50}) r(o)""",
    )
    # A contact role per opportunity: contacts are people with p % 100 in the contact band.
    yield (
        sf,
        "opportunity_contact_role",
        f"""
        select sf_id('00K', o), moment(o, 70), false, json_object(
            'Id', sf_id('00K', o), 'OpportunityId', sf_id('006', o), 'ContactId', sf_id('003', c.p),
            'Role', 'Decision Maker', 'IsPrimary', true, 'CreatedDate', sf_time(moment(o, 70))), {loaded}
        from range({n // 50}) r(o)
        inner join (select p, row_number() over (order by p) - 1 as rank from range({n}) r(p)
                    where sf_kind(p) = 'contact') c on c.rank = o""",
    )
    yield (
        hs,
        "forms",
        f"""
        select 'form-' || i, timestamp '2024-01-01', false, json_object(
            'id', 'form-' || i, 'name', name, 'formType', 'hubspot', 'createdAt',
                '2024-01-01T00:00:00.000Z'), {loaded}
        from (select unnest(range({len(FORMS)})) as i, unnest({FORMS}) as name)""",
    )
    yield from activity_tables(n, rows, loaded)


def activity_tables(n: int, rows: dict[str, int], loaded: str, offset: int = 0, day: date = AS_OF):
    """The activity tables; `offset` numbers new rows after existing ones (the nightly change, on `day`)."""
    sf, hs = "raw_salesforce", "raw_hubspot"
    person = f"person_of(j, {n})" if offset == 0 else "cast(c.p as bigint)"
    source = (
        "range({start}, {stop}) r(j)"
        if offset == 0
        else "range({start}, {stop}) r(j) "
        "inner join changed c on c.slot = (j - {start}) % (select count(*) from changed)"
    )
    stamp = (
        "moment(j, 80)"
        if offset == 0
        else f"(timestamp '{day}' + to_seconds(cast(h(j, 80) % 86400 as bigint)))"
    )

    def span(name: str) -> str:
        return source.format(start=offset, stop=offset + rows[name])

    yield (
        hs,
        "email_events",
        f"""
        select 'ee' || j, {stamp}, false, json_object(
            'id', 'ee' || j, 'created', epoch_ms({stamp}), 'type', t.type, 'recipient', email_of({person}),
            'portalId', 4242, 'emailCampaignId', 9000 + h(j, 82) % 300,
            'category', case when t.type = 'BOUNCE' then pick(j, 83, ['UNKNOWN_USER', 'MAILBOX_FULL',
                'MAILBOX_FULL']) end,
            'portalSubscriptionStatus', case when t.type = 'STATUSCHANGE' then 'UNSUBSCRIBED' end), {loaded}
        from {span("email_events")},
        lateral (select pick(j, 81, ['SENT', 'SENT', 'SENT', 'DELIVERED', 'DELIVERED', 'DELIVERED', 'OPEN',
            'OPEN',
            'OPEN', 'CLICK', 'DEFERRED', 'BOUNCE', 'STATUSCHANGE']) as type) t""",
    )
    yield (
        hs,
        "web_events",
        f"""
        select 'we' || j, {stamp}, false, json_object(
            'id', 'we' || j, 'objectType', 'CONTACT', 'objectId', hs_contact({person}), 'eventType',
                'e_visited_page',
            'occurredAt', hs_time({stamp}), 'properties', json_object('hs_url', 'https://www.us.example' ||
            pick(j, 84, ['/pricing', '/blog/scoring', '/blog/mql', '/product', '/careers', '/docs',
                '/blog/sla']))), {loaded}
        from {span("web_events")}""",
    )
    yield (
        hs,
        "form_submissions",
        f"""
        select 'fs' || j, {stamp}, false, json_object(
            'formId', 'form-' || (h(j, 85) % {len(FORMS)}), 'conversionId', 'fs' || j, 'submittedAt',
                epoch_ms({stamp}),
            'pageUrl', 'https://www.us.example/form', 'values', [json_object('name', 'email', 'value',
                email_of({person}))]), {loaded}
        from {span("form_submissions")}""",
    )
    yield (
        sf,
        "task",
        f"""
        select sf_id('00T', j), {stamp}, false, json_object(
            'Id', sf_id('00T', j), 'WhoId', who_id({person}), 'OwnerId', sf_id('005', h(j, 86) % {REPS}),
            'Subject', 'Touch', 'Type', pick(j, 87, ['Call', 'Call', 'Email', 'Email', 'Meeting', 'Other']),
            'Status', 'Completed', 'CreatedDate', sf_time({stamp}), 'SystemModstamp', sf_time({stamp})),
                {loaded}
        from {span("task")} where who_id({person}) is not null""",
    )
    # Calendar events: meetings on a rep's calendar, an hour long; a tenth all-day.
    yield (
        sf,
        "event",
        f"""
        select sf_id('00U', j), {stamp}, false, json_object(
            'Id', sf_id('00U', j), 'WhoId', who_id({person}), 'OwnerId', sf_id('005', h(j, 91) % {REPS}),
            'Subject', 'Meeting', 'Type', 'Meeting', 'IsAllDayEvent', h(j, 92) % 10 = 0,
            'StartDateTime', sf_time({stamp}), 'EndDateTime', sf_time({stamp} + interval 1 hour),
            'ActivityDateTime', case when h(j, 92) % 10 <> 0 then sf_time({stamp}) end,
            'ActivityDate', strftime({stamp}, '%Y-%m-%d'), 'DurationInMinutes', 60,
            'CreatedDate', sf_time({stamp}), 'SystemModstamp', sf_time({stamp})), {loaded}
        from {span("event")} where who_id({person}) is not null""",
    )
    yield (
        sf,
        "campaign_member",
        f"""
        select sf_id('00v', j), {stamp}, false, json_object(
            'Id', sf_id('00v', j), 'CampaignId', sf_id('701', h(j, 88) % {CAMPAIGNS}),
            'LeadId', case when sf_kind({person}) = 'lead' then sf_id('00Q', {person}) end,
            'ContactId', case when sf_kind({person}) = 'contact' then sf_id('003', {person}) end,
            'Status', pick(j, 89, ['Sent', 'Registered', 'Attended', 'Responded']), 'HasResponded', true,
            'CreatedDate', sf_time({stamp}), 'SystemModstamp', sf_time({stamp})), {loaded}
        from {span("campaign_member")} where sf_kind({person}) is not null""",
    )
    for kind, table in (("call", "calls"), ("email", "emails"), ("meeting", "meetings"), ("note", "notes")):
        yield (
            hs,
            table,
            f"""
            select '{kind[0]}' || j, {stamp}, false, json_object(
                'id', '{kind[0]}' || j, 'createdAt', hs_time({stamp}), 'updatedAt', hs_time({stamp}),
                    'archived', false,
                'properties', json_object('hs_timestamp', hs_time({stamp}), 'hubspot_owner_id',
                    cast(100 + h(j, 90) % {REPS} as varchar),
                    'hs_email_direction', 'EMAIL'),
                'associations', json_object('contacts', json_object('results', [json_object('id',
                    hs_contact({person}))]))), {loaded}
            from {span(table)} where in_hubspot({person})""",
        )
    # Chats: a thread per four messages; every fifth visitor message shows buying intent.
    yield (
        hs,
        "conversation_messages",
        f"""
        select 'm' || j, {stamp}, false, json_object(
            'id', 'm' || j, 'type', 'MESSAGE', 'conversationsThreadId', cast(j // 4 as varchar),
                'createdAt', hs_time({stamp}),
            'direction', case when j % 2 = 0 then 'INCOMING' else 'OUTGOING' end,
            'text',
                case when j % 10 = 0 then 'Can we get a quote for 20 seats?' else 'Thanks for the help' end),
            {loaded}
        from {span("conversation_messages")}""",
    )
    yield (
        hs,
        "conversation_threads",
        f"""
        select cast(j // 4 as varchar), {stamp}, false, json_object(
            'id', cast(j // 4 as varchar), 'createdAt', hs_time({stamp}), 'status', 'CLOSED', 'spam', false,
            'associatedContactId', hs_contact({person}), 'latestMessageTimestamp', hs_time({stamp}),
                'archived', false), {loaded}
        from {span("conversation_messages")} where j % 4 = 0 and in_hubspot({person})""",
    )


def change_nightly(
    path: Path, people: int, activities: int, share: float, seed: int, day: date = AS_OF
) -> dict[str, int]:
    """A nightly extract on `day`: `share` of the people get a modified CRM record and ten new activities."""
    changed = max(1, int(people * share))
    loaded = f"timestamp '{day} 02:00:00'"
    counts = {}
    with duckdb.connect(str(path)) as con:
        con.execute(MACROS.format(seed=seed, accounts=ACCOUNTS, as_of=AS_OF.isoformat()))
        con.execute(f"""
            create or replace temp table changed as
            select p, row_number() over (order by p) - 1 as slot
            from (select distinct cast(h(i, 99) % {people} as bigint) as p from range({changed * 2}) r(i))
            using sample {changed} rows (reservoir, {seed})""")
        patches = {
            ("raw_salesforce", "lead", "sf_id('00Q', p)"): """'{"Title": "VP Revenue Operations"}'""",
            ("raw_salesforce", "contact", "sf_id('003', p)"): """'{"Title": "VP Revenue Operations"}'""",
            (
                "raw_hubspot",
                "contacts",
                "hs_contact(p)",
            ): """'{"properties": {"jobtitle": "VP Revenue Operations"}}'""",
        }
        for (schema, table, key), patch in patches.items():
            counts[f"{schema}.{table}"] = con.execute(f"""
                update "{schema}"."{table}" set
                    record = json_merge_patch(record, {patch}),
                    modified_at = timestamp '{day} 01:00:00', _loaded_at = {loaded}
                where id in (select {key} from changed)""").fetchone()[0]
        rows = {name: max(1, int(changed * 10 * share_)) for name, share_ in ACTIVITY_SHARES.items()}
        for schema, table, sql in activity_tables(people, rows, loaded, offset=activities * 2, day=day):
            before = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            counts[f"{schema}.{table}"] = raw_insert(con, schema, table, sql) - before
        con.execute("checkpoint")
    return counts


BUILD = (  # as flows/build.py
    "build",
    "--exclude-resource-type",
    "unit_test",
    "--exclude",
    "tag:quality",
    "--no-write-json",
)


def dbt_env(db: Path, as_of: date) -> dict[str, str]:
    """The environment of a bench's dbt process: the database, and the run date as the build flow
    passes it (LEADFLOW_AS_OF). Each build then reuses the previous one's parse of the project
    (dbt's partial parsing, target/ kept between runs as a worker's checkout keeps it), which a
    var changing every night would not. dbt's log file at the build flow's level (its setting
    LEADFLOW_DBT_LOG_LEVEL, `warn` unless set, which prefect-dbt passes as --log-level-file), not
    dbt's own default of debug; DBT_LOG_LEVEL_FILE=debug keeps each statement's times in the log."""
    return {
        **os.environ,
        "LEADFLOW_DUCKDB_PATH": str(db),
        "LEADFLOW_AS_OF": as_of.isoformat(),
        "DO_NOT_TRACK": "1",
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE") or Settings().dbt_log_level,
    }


def dbt_args(command: tuple[str, ...], project: Path, log_dir: Path) -> list[str]:
    """dbt's command line for `project`, its target and logs under `log_dir`."""
    return [
        *command,
        *("--project-dir", str(project), "--profiles-dir", str(project)),
        *("--target-path", str(log_dir / "target"), "--log-path", str(log_dir / "logs"), "--quiet"),
    ]


def timed_build(
    db: Path, as_of: date, log_dir: Path, command: tuple[str, ...] = BUILD, project: Path = PROJECT
) -> dict:
    """`dbt build` in a fresh process: wall time, peak RSS (the process's own high-water mark),
    dbt's parse (the invocation's seconds before the run began), models and snapshot summed and
    data tests summed. `project`: another checkout's dbt project (bench/dbt_ab.py). As the build
    flow does, a build leaves the seeds out when they are as at their last load (flows/seeds.py;
    `seeds_loaded`: whether dbt loaded them), and a build that loaded them records them; the
    check is timed. As the flows do at their end, a build is followed by the DuckDB file's
    compaction (flows/warehouse.py compact()), timed apart (`compaction_seconds`)."""
    child = f"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
import duckdb
from dbt.cli.main import dbtRunner
from flows import seeds
started = time.perf_counter()
args, project, db = {dbt_args(command, project, log_dir)!r}, Path({str(project)!r}), {str(db)!r}
builds = args[0] == "build" and "--full-refresh" not in args
skip = False
if builds:
    with duckdb.connect(db) as con:
        skip = seeds.unchanged(con, project)
result = dbtRunner().invoke(seeds.build_args(args, skip))
if "--no-write-json" in args and getattr(result.result, "write", None):
    # As the build flow does: dbt's manifest left unwritten, the run's results written.
    result.result.write(str(Path(args[args.index("--target-path") + 1]) / "run_results.json"))
seconds = time.perf_counter() - started
if builds and result.success and not skip:
    with duckdb.connect(db) as con:
        seeds.record(con, project)
compaction = None
if builds and result.success:
    # What the build and nightly flows do at their end, outside the build's time.
    from flows.warehouse import compact
    with duckdb.connect(db) as con:
        compaction = round(compact(con), 1)
nodes = list(getattr(result.result, "results", None) or [])
failed = [f"{{r.node.unique_id}}: {{r.status}}" for r in nodes if str(r.status) not in ("success", "pass")]
print(json.dumps({{"success": bool(result.success), "seconds": round(seconds, 1), "nodes": len(nodes),
    "failed": failed[:5], "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "seeds_loaded": any(r.node.resource_type == "seed" for r in nodes), "compaction_seconds": compaction}}))
"""
    env = dbt_env(db, as_of)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    try:
        report = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise SystemExit(f"dbt build crashed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}") from None
    report["process_seconds"] = round(wall, 1)
    run = json.loads((log_dir / "target" / "run_results.json").read_text())
    results = run["results"]
    report["parse_seconds"] = round(report["seconds"] - run["elapsed_time"], 1)
    report["slowest"] = [
        (
            r["unique_id"].split(".")[-1]
            if r["unique_id"].startswith("model.")
            else r["unique_id"].split(".")[2],
            round(r["execution_time"], 1),
        )
        for r in sorted(results, key=lambda r: -r["execution_time"])[:8]
    ]
    report["models_seconds"] = round(
        sum(r["execution_time"] for r in results if r["unique_id"].startswith(("model.", "snapshot."))), 1
    )
    report["tests_seconds"] = round(
        sum(r["execution_time"] for r in results if r["unique_id"].startswith("test.")), 1
    )
    return report


INTRO = """
`dbt build` of the whole project (models, snapshot and data tests; unit tests run in CI) on a
generated company, straight into the raw tables in the landing contract's shape: a full build
on a fresh database, then a nightly one after 1% of the people changed (their CRM records and
ten new activities each). As in production, the nightly follows the last night's write-back:
the CRMs hold leadflow's values, and the written records were landed again (their staging
re-read them before the nightly). The full build's write-back comes back once, in the first
nightly (every record it wrote, timed once and shown apart); the nightly timed is the one after
it, a steady night. `--no-writeback` leaves the write-backs and the first nightly out: the
nightly then queues every field of every record again. As the build flow does, a build loads
the seeds only when they changed since their last load (flows/seeds.py): the full build loads
them, the nightlies leave them and their own tests out. dbt runs as the build flow runs it:
no manifest written, its log file at the flow's level (warn). Peak memory is the dbt process's
high-water mark. Goal:
full under 60 s, nightly under 15 s, peak under 4 GiB, at 1,000,000 people and 20,000,000
activities.
"""


def report(
    title: str,
    command: str,
    activity_rows: int,
    full: dict,
    nightly: dict,
    load: float,
    written: int,
    first: dict | None,
) -> str:
    """The BENCHMARKS.md part of one run."""
    lines = [
        f"### {title}",
        "",
        f"- Command: `{command}`; {date.today().isoformat()}",
        f"- Machine: {machine()}; Python {platform.python_version()}; load average {load:.1f} when it began",
        f"- Raw activity rows: {activity_rows:,}; each build ran {len(full['all_seconds'])} times, each on a "
        "fresh copy of its starting database: the median run's figures (peak memory: the highest)",
        "- Before the nightly: "
        + (
            f"the full build's write-back ({written:,} records), a first nightly (no changes) and its "
            "write-back"
            if first
            else "no write-back (`--no-writeback`)"
        ),
        "",
        "| build | seconds (median) | every run | of which data tests (summed) | peak memory |",
        "| --- | ---: | --- | ---: | ---: |",
    ]
    for name, run in (("full", full), ("nightly, 1% changed", nightly)):
        every = ", ".join(f"{seconds}" for seconds in run["all_seconds"])
        lines.append(
            f"| {name} | {run['seconds']} | {every} | {run['tests_seconds']} | {run['peak_rss_mib']:,} MiB |"
        )
    if first:
        lines.append(
            f"| first nightly after the full build's write-back (one run) | {first['seconds']} | "
            f"{first['seconds']} | {first['tests_seconds']} | {first['peak_rss_mib']:,} MiB |"
        )
    for name, run in (("full", full), ("nightly", nightly)):
        slowest = ", ".join(f"{node} {seconds} s" for node, seconds in run["slowest"])
        lines += ["", f"Slowest nodes of the {name} build: {slowest}."]
    if nightly.get("compaction_seconds") is not None:
        lines += [
            "",
            "Not in the builds' seconds: the DuckDB file's compaction after each (flows/warehouse.py "
            "compact(), which the build and nightly flows run at their end, the nightly after its "
            f"write-back): {full['compaction_seconds']} s after the full build, "
            f"{nightly['compaction_seconds']} s after the nightly (the median runs').",
        ]
    lines += [
        "",
        f"The nightly recomputed the activities, points and running scores of "
        f"{nightly['touched_people']:,} people (int_touched_people; a full recompute: {nightly['is_full']}) "
        f"and queued {nightly['queued']:,} field updates (crm_updates).",
    ]
    return "\n".join(lines)


def write_back(db: Path, day: date, log_dir: Path) -> int:
    """The night's write-back on `day`, as the CRMs hold and return it, and the next extract landing
    the written records again (their staging re-reads them, untimed). Returns the records written."""
    started = time.perf_counter()
    at = datetime.combine(day, datetime.min.time()) + timedelta(hours=1, minutes=30)
    written = apply_updates(db, now=at, loaded_at=at)
    catch_up = timed_build(db, day, log_dir, command=("run", "--select", "staging"))
    print(
        json.dumps(
            {
                "step": f"write-back {day}",
                "records": written,
                "staging_seconds": catch_up["seconds"],
                "seconds": round(time.perf_counter() - started, 1),
            }
        ),
        flush=True,
    )
    return written


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (its own nodes and memory), with every run's seconds beside it."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["all_seconds"] = [r["seconds"] for r in runs]
    middle["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    middle["success"] = all(r["success"] for r in runs)
    return middle


def parse(db: Path, as_of: date, log_dir: Path, project: Path = PROJECT, anew: bool = False) -> None:
    """An untimed `dbt parse` of `project` into `log_dir`/target with the builds' settings, which
    the builds after it reuse (the night before's parse). `anew`: from scratch; a parse another
    checkout left in the same folder would name that checkout's files (dbt-duckdb loads the seeds
    from the paths in the parse)."""
    if anew:
        (log_dir / "target" / "partial_parse.msgpack").unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", *dbt_args(("parse",), project, log_dir)],
        env=dbt_env(db, as_of),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"dbt parse of {project} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")


def fresh_copy(source: Path, folder: Path) -> Path:
    """`source` copied to `folder`/bench.duckdb (dbt's views name the database by its file's stem),
    and on disk before the timed build begins: the copy's gigabytes otherwise wait in the page
    cache, and the build's first checkpoint, whose fsync flushes them, pays for writing them
    (about 1.4 s for the 1M bench's 5.5 GB), which a worker's database at rest does not."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "bench.duckdb"
    for stale in (target, target.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    with open(target, "rb") as copied:
        os.fsync(copied.fileno())
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=20_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changed", type=float, default=0.01, help="share of people changed for the nightly")
    parser.add_argument(
        "--no-writeback",
        action="store_true",
        help="no write-backs and no first nightly before the timed one (the CRMs keep their own values)",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="builds of each kind, each on a fresh copy; medians"
    )
    parser.add_argument(
        "--reuse-raw",
        action="store_true",
        help="keep the company an earlier run with the same --dir generated (same sizes and seed)",
    )
    parser.add_argument("--dir", type=Path, default=ROOT / ".leadflow" / "bench")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    args.dir.mkdir(parents=True, exist_ok=True)
    raw = args.dir / "raw" / "bench.duckdb"
    raw.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if args.reuse_raw and raw.exists():
        print(f"reusing the company in {raw}", flush=True)
        with duckdb.connect(str(raw), read_only=True) as con:
            counts = {
                f"{schema}.{table}": con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
                for schema, table in con.execute(
                    "select schema_name, table_name from duckdb_tables() where schema_name like 'raw_%'"
                ).fetchall()
            }
    else:
        for stale in (raw, raw.with_suffix(".duckdb.wal")):
            stale.unlink(missing_ok=True)
        print(f"generating {args.people:,} people and {args.activities:,} activities into {raw}", flush=True)
        counts = generate(raw, args.people, args.activities, args.seed)
    activity_rows = sum(v for k, v in counts.items() if k.split(".")[1] in ACTIVITY_SHARES)
    print(
        json.dumps(
            {
                "step": "generate",
                "seconds": round(time.perf_counter() - started, 1),
                "activity_rows": activity_rows,
                "db_mib": raw.stat().st_size // 2**20,
            }
        ),
        flush=True,
    )
    parse(args.dir / "run" / "bench.duckdb", AS_OF, args.dir, anew=True)
    fulls = []
    for run in range(args.runs):
        db = fresh_copy(raw, args.dir / "run")
        fulls.append(timed_build(db, AS_OF, args.dir))
        print(json.dumps({"step": f"full build {run + 1}", **fulls[-1]}), flush=True)
    # The last full build's database goes on to the nightly's starting point.
    written, first, day = 0, None, AS_OF
    if not args.no_writeback:
        # Production's nightly follows the last one's write-back: the CRMs hold leadflow's values,
        # and the extract has landed the written records again (their staging re-read them).
        written = write_back(db, day, args.dir)
        # The first nightly absorbs the full build's write-back (every record written comes back
        # once); then its own write-back. The timed nightly is the one after: a steady night.
        day += timedelta(days=1)
        first = timed_build(db, day, args.dir)
        print(json.dumps({"step": "first nightly", **first}), flush=True)
        write_back(db, day, args.dir)
    started = time.perf_counter()
    changes = change_nightly(db, args.people, args.activities, args.changed, args.seed, day=day)
    print(
        json.dumps(
            {"step": "nightly change", "seconds": round(time.perf_counter() - started, 1), "rows": changes}
        ),
        flush=True,
    )
    ready = fresh_copy(db, args.dir / "ready")
    nightlies = []
    for run in range(args.runs):
        db = fresh_copy(ready, args.dir / "run")
        nightly = timed_build(db, day + timedelta(days=1), args.dir)
        with duckdb.connect(str(db), read_only=True) as con:
            nightly["touched_people"] = con.execute("select count(*) from int_touched_people").fetchone()[0]
            nightly["is_full"] = con.execute("select is_full from int_build_window").fetchone()[0]
            nightly["queued"] = con.execute("select count(*) from crm_updates").fetchone()[0]
        nightlies.append(nightly)
        print(json.dumps({"step": f"incremental build {run + 1}", **nightly}), flush=True)
    full, nightly = median_run(fulls), median_run(nightlies)
    ok = full["success"] and nightly["success"]
    if ok:
        title = f"{args.people:,} people, {activity_rows:,} activities"
        command = " ".join(["python bench/dbt_build.py", *map(shlex.quote, sys.argv[1:])])
        update_section(
            args.output,
            "dbt build",
            INTRO,
            title,
            report(title, command, activity_rows, full, nightly, load, written, first),
        )
        print(f"written to {args.output}")
    print(
        f"\nfull: {full['seconds']} s (median of {full['all_seconds']}), peak {full['peak_rss_mib']} MiB; "
        f"incremental ({args.changed:.0%} changed): {nightly['seconds']} s "
        f"(median of {nightly['all_seconds']}), "
        f"peak {nightly['peak_rss_mib']} MiB{'' if ok else ' - FAILED'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
