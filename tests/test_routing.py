"""Owner routing through dbt on small made-up CRMs: every rule in order with its reason and rule
recorded, inactive and away owners skipped, a fair and deterministic rotation, team changes
without a flood, a rep's own change respected, SLA breaches counted in business hours and
re-routed, and `leadflow route --what-if`."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner
from typer.testing import CliRunner

from flows.cli import app
from flows.route import routing_summary
from flows.warehouse import Warehouse
from tests.raw_fixture import apply_updates, load_raw
from tests.test_dbt import dbt_args, query

INTEGRATION = "0050000000INT00AAA"
MODELS_ONLY = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def sf_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class Crm:
    """Raw lines of a small company: users, HubSpot owners, accounts, leads, contacts."""

    def __init__(self) -> None:
        self.lines: list[dict] = []
        self.users: dict[str, str] = {}
        self.leads = 0
        self.add_user("integration@co.example", department="Integration", user=INTEGRATION)

    def add_user(
        self,
        email,
        country="United States",
        time_zone="America/New_York",
        active=True,
        department="Sales",
        hubspot_owner=None,
        user=None,
    ) -> str:
        user = user or f"0050000000{len(self.users):05d}AAA"
        self.users[email] = user
        name = email.split("@")[0]
        self.lines.append(
            {
                "vendor": "salesforce",
                "object": "User",
                "record": {
                    "Id": user,
                    "Email": email,
                    "FirstName": name,
                    "LastName": "Rep",
                    "Name": f"{name} Rep",
                    "IsActive": active,
                    "Department": department,
                    "Country": country,
                    "TimeZoneSidKey": time_zone,
                    "CreatedDate": "2024-01-01T00:00:00.000+0000",
                    "SystemModstamp": "2024-01-01T00:00:00.000+0000",
                },
            }
        )
        if hubspot_owner:
            self.lines.append(
                {
                    "vendor": "hubspot",
                    "object": "owners",
                    "record": {
                        "id": hubspot_owner,
                        "email": email,
                        "firstName": name,
                        "lastName": "Rep",
                        "userId": 1,
                        "createdAt": "2024-01-01T00:00:00Z",
                        "updatedAt": "2024-01-01T00:00:00Z",
                        "archived": False,
                    },
                }
            )
        return user

    def add_account(self, domain, owner_email, country="United States", employees=50) -> None:
        n = sum(1 for line in self.lines if line["object"] == "Account")
        self.lines.append(
            {
                "vendor": "salesforce",
                "object": "Account",
                "record": {
                    "Id": f"0010000000{n:05d}AAA",
                    "Name": domain,
                    "Website": f"https://{domain}",
                    "OwnerId": self.users[owner_email],
                    "BillingCountry": country,
                    "NumberOfEmployees": employees,
                    "CreatedDate": "2024-01-01T00:00:00.000+0000",
                    "SystemModstamp": "2024-01-01T00:00:00.000+0000",
                },
            }
        )

    def add_lead(
        self, email, mql_date: date | None, country="United States", employees=20, owner_email=None
    ) -> str:
        self.leads += 1
        lead = f"00Q00000{self.leads:07d}AAA"
        created = datetime(2026, 1, 5, 12)
        self.lines.append(
            {
                "vendor": "salesforce",
                "object": "Lead",
                "record": {
                    "Id": lead,
                    "FirstName": "P",
                    "LastName": f"N{self.leads}",
                    "Company": email.split("@")[1],
                    "Email": email,
                    "Country": country,
                    "NumberOfEmployees": employees,
                    "OwnerId": self.users[owner_email] if owner_email else INTEGRATION,
                    "Status": "Open - Not Contacted",
                    "IsConverted": False,
                    "MQL_Date__c": mql_date.isoformat() if mql_date else None,
                    "CreatedDate": sf_time(created),
                    "LastModifiedDate": sf_time(created),
                    "SystemModstamp": sf_time(created),
                },
            }
        )
        return lead

    def add_hubspot_mql(self, email, mql_at: datetime, country="United States") -> None:
        stamp = mql_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        self.lines.append(
            {
                "vendor": "hubspot",
                "object": "contacts",
                "record": {
                    "id": str(9000 + len(self.lines)),
                    "createdAt": "2026-01-05T12:00:00.000Z",
                    "updatedAt": stamp,
                    "archived": False,
                    "properties": {
                        "email": email,
                        "country": country,
                        "lifecyclestage": "marketingqualifiedlead",
                        "hs_lifecyclestage_marketingqualifiedlead_date": stamp,
                    },
                },
            }
        )

    def land(self, workdir: Path) -> None:
        load_raw(workdir / "leadflow.duckdb", self.lines)
        self.lines = []


def build(workdir: Path, monkeypatch, routing: str, as_of: date, command=MODELS_ONLY) -> None:
    """`dbt build` of the project with `routing` as the routing file and `as_of` as the run date."""
    routing_file = workdir / "routing.yml"
    routing_file.write_text(routing)
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(workdir / "leadflow.duckdb"))
    monkeypatch.setenv("LEADFLOW_PRODUCT_USAGE_DIR", str(workdir / "usage"))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    result = dbtRunner().invoke(
        dbt_args(workdir, command, {"as_of": as_of.isoformat(), "routing_file": str(routing_file)})
    )
    failed = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in (getattr(result.result, "results", None) or [])
        if str(r.status) not in ("success", "pass", "warn")
    ]
    assert result.success and not failed, failed or result.exception


def owners_by_email(workdir: Path) -> dict[str, tuple]:
    """Each person's (owner email, reason, rule), by the person's email."""
    rows = query(
        workdir,
        """
        select people.email, assignment.owner_email, assignment.owner_reason, assignment.owner_rule
        from int_owner_assignment as assignment
        inner join people using (person_id)
    """,
    )
    return {email: (owner, reason, rule) for email, owner, reason, rule in rows}


RULES = """
rules:
  - {name: keep, type: sticky}
  - {name: accounts, type: account_owner}
  - {name: emea, type: territory, regions: [EMEA], team: emea}
  - {name: big_companies, type: segment, segments: [enterprise], team: enterprise}
  - {name: everyone, type: round_robin, team: sales}
teams:
  - {name: emea, members: [eve@co.example, ivan@co.example, wes@co.example]}
  - {name: enterprise, members: [nia@co.example]}
  - {name: sales, members: all}
segments:
  - {name: smb, max_employees: 999}
  - {name: enterprise, min_employees: 1000}
owners:
  - {email: wes@co.example, away: true}
sla: {reroute: false}
"""
RULES_DAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def rules_crm(tmp_path_factory):
    """One company built once (with the data tests): a person for every rule."""
    workdir = tmp_path_factory.mktemp("routing_rules")
    crm = Crm()
    crm.add_user("ann@co.example", hubspot_owner="7001")
    crm.add_user("bob@co.example")
    crm.add_user("ivan@co.example", country="Germany", time_zone="Europe/Berlin", active=False)
    crm.add_user("eve@co.example", country="Germany", time_zone="Europe/Berlin")
    crm.add_user("wes@co.example", country="Germany", time_zone="Europe/Berlin")
    crm.add_user("nia@co.example")
    crm.add_user("mia@co.example", department="Marketing")
    crm.add_account("acme.example", "bob@co.example")
    crm.add_account("globex.example", "ivan@co.example", country="Germany")
    day = RULES_DAY - timedelta(days=3)
    crm.add_lead("sticky@shop.example", day, owner_email="ann@co.example")
    crm.add_lead("buyer@acme.example", day)
    crm.add_lead("buyer@globex.example", day, country="Germany")
    for n in range(3):
        crm.add_lead(f"emea{n}@emea.example", day, country="Germany")
    crm.add_lead("big@bigco.example", day, employees=5000)
    for n in range(12):
        crm.add_lead(f"small{n}@small.example", day + timedelta(days=n % 3 - 2))
    crm.add_lead("cold@small.example", None)
    crm.add_hubspot_mql("hubspot@small.example", datetime(2026, 2, 27, 10))
    crm.land(workdir)
    with pytest.MonkeyPatch.context() as monkeypatch:
        build(workdir, monkeypatch, RULES, RULES_DAY, command=("build",))
    return workdir


def test_every_rule_in_order_with_its_reason_and_rule(rules_crm):
    owners = owners_by_email(rules_crm)
    assert owners["sticky@shop.example"] == ("ann@co.example", "current_owner", "keep")
    assert owners["buyer@acme.example"] == ("bob@co.example", "account_owner", "accounts")
    # The account's owner left, so the territory decides; of the EMEA team only Eve is active and here.
    assert owners["buyer@globex.example"] == ("eve@co.example", "territory", "emea")
    for n in range(3):
        assert owners[f"emea{n}@emea.example"] == ("eve@co.example", "territory", "emea")
    assert owners["big@bigco.example"] == ("nia@co.example", "segment", "big_companies")
    assert owners["cold@small.example"] == (None, "below_mql", None)
    rotated = Counter(owners[f"small{n}@small.example"][0] for n in range(12))
    assert set(rotated) == {"ann@co.example", "bob@co.example", "eve@co.example", "nia@co.example"}
    assert set(rotated.values()) == {3}, rotated
    assert {owners[f"small{n}@small.example"][1:] for n in range(12)} == {("round_robin", "everyone")}
    # Only Ann has a HubSpot owner: a HubSpot contact can go to nobody else.
    assert owners["hubspot@small.example"] == ("ann@co.example", "round_robin", "everyone")
    hubspot = query(
        rules_crm, "select owner_hubspot_owner_id from people where email = 'hubspot@small.example'"
    )
    assert hubspot == [("7001",)]


def test_inactive_and_away_owners_get_nobody(rules_crm):
    held = {owner for owner, _, _ in owners_by_email(rules_crm).values()}
    assert "ivan@co.example" not in held and "wes@co.example" not in held
    assert "mia@co.example" not in held and "integration@co.example" not in held
    away, ivan = query(
        rules_crm,
        """
        select (select is_away from int_routing_owners where owner_email = 'wes@co.example'),
               (select is_assignable from int_routing_owners where owner_email = 'ivan@co.example')
    """,
    )[0]
    assert away is True and ivan is False
    # Away days stop the SLA clock too: from today on Wes has no working time, Eve has.
    working = dict(
        query(
            rules_crm,
            """
        select owner_email, sum(working_seconds) from int_business_calendar
        where owner_email in ('wes@co.example', 'eve@co.example') and local_date >= date '2026-03-02'
        group by all
    """,
        )
    )
    assert working["wes@co.example"] == 0 and working["eve@co.example"] > 0


def test_assignments_are_recorded_with_reason_rule_and_time(rules_crm):
    rows = query(
        rules_crm,
        """
        select owner_reason, owner_rule, count(*), min(assigned_at), max(run_date)
        from owner_assignments group by all order by all
    """,
    )
    recorded = {(reason, rule): n for reason, rule, n, _, _ in rows}
    assert recorded == {
        ("account_owner", "accounts"): 1,
        ("current_owner", "keep"): 1,
        ("round_robin", "everyone"): 13,
        ("segment", "big_companies"): 1,
        ("territory", "emea"): 4,
    }
    assert {(at, day) for *_, at, day in rows} == {(datetime(2026, 3, 3), RULES_DAY)}
    summary = routing_summary(rules_crm / "leadflow.duckdb")
    assert summary["by_reason"] == {
        "round_robin": 13,
        "territory": 4,
        "current_owner": 1,
        "account_owner": 1,
        "segment": 1,
    }
    assert sum(row["people"] for row in summary["assigned"]) == 20


def test_what_if_shows_each_owners_share_and_changes_nothing(rules_crm, monkeypatch):
    changed = RULES.replace("owners:\n", "owners:\n  - {email: ann@co.example, weight: 3}\n").replace(
        "  - {name: emea, type: territory, regions: [EMEA], team: emea}\n", ""
    )
    what_if_file = rules_crm / "what-if.yml"
    what_if_file.write_text(changed)
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(rules_crm / "leadflow.duckdb"))
    before = query(rules_crm, "select * from owner_assignments order by all")
    people_before = query(
        rules_crm, "select person_id, owner_salesforce_user_id, owner_reason from people order by 1"
    )
    result = CliRunner().invoke(
        app,
        [
            "route",
            "--what-if",
            str(what_if_file),
            "--days",
            "30",
            "--as-of",
            RULES_DAY.isoformat(),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    replay = json.loads(result.output)
    assert replay["people"] == 20 and replay["days"] == 30
    owners = {row["owner"]: row for row in replay["owners"]}
    assert sum(row["assignments"] for row in replay["owners"]) == 20
    assert sum(row["now"] for row in replay["owners"]) == 20
    # Without the territory rule EMEA people rotate too; Ann weighs 3 of 6.
    rotation = [row for row in replay["rules"] if row["rule"] == "everyone"]
    assert {row["owner"]: row["weight_share"] for row in rotation}["ann@co.example"] == pytest.approx(0.5)
    assert owners["ann@co.example"]["assignments"] > owners["bob@co.example"]["assignments"]
    assert owners["eve@co.example"]["now"] == 7 and owners["eve@co.example"]["assignments"] < 7
    assert query(rules_crm, "select * from owner_assignments order by all") == before
    assert (
        query(rules_crm, "select person_id, owner_salesforce_user_id, owner_reason from people order by 1")
        == people_before
    )
    # A mistake in the file is named, and nothing runs.
    what_if_file.write_text(changed.replace("type: round_robin", "type: roundrobin"))
    bad = CliRunner().invoke(app, ["route", "--what-if", str(what_if_file), "--as-of", RULES_DAY.isoformat()])
    assert bad.exit_code == 1
    assert "rules[3] (everyone): type" in bad.output and "roundrobin" in bad.output


ROTATION = """
rules:
  - {name: everyone, type: round_robin, team: sales}
teams:
  - {name: sales, members: all}
owners:
  - {email: w1@co.example, weight: 1}
  - {email: w2@co.example, weight: 2}
  - {email: w3@co.example, weight: 3}
  - {email: w4@co.example, weight: 4}
sla: {reroute: false}
"""


def rotation_company(workdir: Path, night: int) -> None:
    """Night 1: four reps (weights 1-4) and one who left; 6,000 MQLs. Night 2: 4,000 more."""
    crm = Crm()
    for n in range(1, 5):
        crm.add_user(f"w{n}@co.example")
    crm.add_user("gone@co.example", active=False)
    first, count = (0, 6000) if night == 1 else (6000, 4000)
    crm.leads = first  # lead ids go on from the first night's
    for n in range(first, first + count):
        crm.add_lead(
            f"p{n}@firm{n % 97}.example", date(2026, 2, 1) + timedelta(days=n % 20 + 20 * (night - 1))
        )
    crm.land(workdir)


def test_rotation_is_fair_by_weight_over_10000_and_the_same_every_time(tmp_path, monkeypatch):
    owners = []
    for name in ("first", "second"):
        workdir = tmp_path / name
        workdir.mkdir()
        for night, day in ((1, date(2026, 2, 21)), (2, date(2026, 3, 13))):
            rotation_company(workdir, night)
            build(workdir, monkeypatch, ROTATION, day)
        owners.append(owners_by_email(workdir))
    assert owners[0] == owners[1], "the same nights gave other owners"
    counts = Counter(owner for owner, reason, _ in owners[0].values() if reason == "round_robin")
    assert sum(counts.values()) == 10000 and "gone@co.example" not in counts
    for n in range(1, 5):
        assert abs(counts[f"w{n}@co.example"] / 10000 - n / 10) <= 0.01, counts


TEAM = """
rules:
  - {name: everyone, type: round_robin, team: sales}
teams:
  - {name: sales, members: [%s]}
owners: [%s]
sla: {reroute: false}
"""


def test_team_changes_keep_counts_and_bring_no_flood(tmp_path, monkeypatch):
    crm = Crm()
    for name in ("a", "b", "c"):
        crm.add_user(f"{name}@co.example")
    nights = [
        (date(2026, 3, 2), 40, "a@co.example, b@co.example", ""),
        # c joins, b goes on leave
        (
            date(2026, 3, 3),
            30,
            "a@co.example, b@co.example, c@co.example",
            "{email: b@co.example, away: true}",
        ),
        # b is back, c has left the team
        (date(2026, 3, 4), 30, "a@co.example, b@co.example", ""),
    ]
    seen, turns = {}, []
    for night, (day, count, members, owners) in enumerate(nights):
        for n in range(count):
            crm.add_lead(f"n{night}p{n}@firm.example", day)
        crm.land(tmp_path)
        build(tmp_path, monkeypatch, TEAM % (members, owners), day)
        now = owners_by_email(tmp_path)
        assert all(now[email] == owner for email, owner in seen.items()), "an earlier owner changed"
        turns.append(dict(query(tmp_path, "select owner_email, turns from owner_rotation")))
        night_counts = Counter(
            owner for email, (owner, _, _) in now.items() if email.startswith(f"n{night}p")
        )
        if night == 0:
            assert night_counts == {"a@co.example": 20, "b@co.example": 20}
        if night == 1:
            # The newcomer starts at the current level: half, not a catch-up of 40.
            assert night_counts == {"a@co.example": 15, "c@co.example": 15}
            assert turns[1]["b@co.example"] == 20, "a rep on leave keeps their count"
        if night == 2:
            # Back from leave: half again, not the 30 they missed.
            assert night_counts == {"a@co.example": 15, "b@co.example": 15}
            assert turns[2]["c@co.example"] == 15, "a rep who left keeps their count"
        seen = now
    assert turns[2] == {"a@co.example": 50, "b@co.example": 35, "c@co.example": 15}


MANUAL = """
rules:
  - {name: keep, type: sticky}
  - {name: everyone, type: round_robin, team: sales}
teams:
  - {name: sales, members: [a@co.example, b@co.example]}
sla: {reroute: false}
"""


def test_a_reps_own_owner_change_is_respected(tmp_path, monkeypatch):
    crm = Crm()
    for name in ("a", "b", "c"):
        crm.add_user(f"{name}@co.example")
    leads = [crm.add_lead(f"p{n}@firm.example", date(2026, 3, 1)) for n in range(4)]
    crm.land(tmp_path)
    build(tmp_path, monkeypatch, MANUAL, date(2026, 3, 2))
    # Write-back as it happens: the CRMs take the queue, the ledger keeps what was written.
    with Warehouse(tmp_path / "leadflow.duckdb") as wh:
        wh.con.execute("""
            insert or replace into ops.written_values
            select vendor, object_type, record_id, field_name, new_value, now() from main.crm_updates
        """)
    apply_updates(tmp_path / "leadflow.duckdb", now=datetime(2026, 3, 2, 6))
    # A rep hands the first lead to Cat, who is in no team.
    with duckdb.connect(str(tmp_path / "leadflow.duckdb")) as con:
        record = json.loads(
            con.execute("select record from raw_salesforce.lead where id = ?", [leads[0]]).fetchone()[0]
        )
    record.update(OwnerId=crm.users["c@co.example"], SystemModstamp="2026-03-02T15:00:00.000+0000")
    crm.lines.append({"vendor": "salesforce", "object": "Lead", "record": record})
    crm.land(tmp_path)
    build(tmp_path, monkeypatch, MANUAL, date(2026, 3, 3))
    owners = owners_by_email(tmp_path)
    assert owners["p0@firm.example"] == ("c@co.example", "manual_owner", "manual")
    assert {owners[f"p{n}@firm.example"][1] for n in range(1, 4)} == {"round_robin"}
    queued = query(tmp_path, "select record_id, field_name from crm_updates where field_name = 'OwnerId'")
    assert queued == [], "leadflow would overwrite the rep's choice"
    history = query(
        tmp_path,
        """
        select history.owner_reason, history.owner_email from owner_assignments as history
        join people using (person_id) where people.email = 'p0@firm.example' order by history.built_at
    """,
    )
    assert history[-1] == ("manual_owner", "c@co.example") and history[0][0] == "round_robin"


SLA = """
rules:
  - {name: everyone, type: round_robin, team: sales}
teams:
  - {name: sales, members: all}
business_hours: {days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00"}
"""


def test_an_sla_breach_in_business_hours_is_rerouted_and_counted(tmp_path, monkeypatch):
    """Easter 2026 in Berlin: assigned Thursday 2 April 02:00 (CEST), Good Friday and Easter
    Monday off, so 24 business hours run out Wednesday 8 April 17:00 CEST, 15:00 UTC (wall-clock
    24 hours would have ended on Good Friday)."""
    crm = Crm()
    for name in ("a", "b"):
        crm.add_user(f"{name}@co.example", country="Germany", time_zone="Europe/Berlin")
    slow = crm.add_lead("slow@firm.example", date(2026, 4, 1))
    quick = crm.add_lead("quick@firm.example", date(2026, 4, 1))
    crm.land(tmp_path)
    build(tmp_path, monkeypatch, SLA, date(2026, 4, 1))
    first = owners_by_email(tmp_path)
    assert {first["slow@firm.example"][0], first["quick@firm.example"][0]} == {"a@co.example", "b@co.example"}
    # Tuesday 7 April 10:00 UTC the quick lead is accepted (lead status moves on).
    crm.lines.append(
        {
            "vendor": "salesforce",
            "object": "LeadHistory",
            "record": {
                "Id": "0170000000000001AA",
                "LeadId": quick,
                "Field": "Status",
                "OldValue": "Open - Not Contacted",
                "NewValue": "Working - Contacted",
                "CreatedDate": "2026-04-07T10:00:00.000+0000",
            },
        }
    )
    crm.land(tmp_path)

    build(tmp_path, monkeypatch, SLA, date(2026, 4, 7))  # checked Wednesday 00:00 UTC: 16 hours used
    sla = {
        row[0]: row[1:]
        for row in query(
            tmp_path,
            """
        select people.email, accept_due_at, business_hours_to_accept, is_accepted_in_time, breach_kind
        from int_mql_sla join people using (person_id)
    """,
        )
    }
    assert sla["slow@firm.example"] == (datetime(2026, 4, 8, 15), None, False, None)
    # Thursday 8 h + Tuesday 9:00-12:00 CEST.
    assert sla["quick@firm.example"][1:] == (11.0, True, None)
    assert owners_by_email(tmp_path) == first

    build(tmp_path, monkeypatch, SLA, date(2026, 4, 8))  # checked Thursday 00:00 UTC: 24 hours gone
    owners = owners_by_email(tmp_path)
    breached = first["slow@firm.example"][0]
    assert owners["slow@firm.example"] == (
        ({"a@co.example", "b@co.example"} - {breached}).pop(),
        "rerouted_breach",
        "everyone",
    )
    assert owners["quick@firm.example"] == first["quick@firm.example"]
    rerouted = query(
        tmp_path,
        """
        select breached_owner_email, breach_kind, previous_owner_email from owner_assignments
        where owner_reason = 'rerouted_breach'
    """,
    )
    assert rerouted == [(breached, "accept", breached)]
    counted = dict(query(tmp_path, "select owner_email, breaches from mql_sla_by_owner"))
    assert counted[breached] == 1
    queued = query(tmp_path, "select record_id, new_value from crm_updates where field_name = 'OwnerId'")
    assert (slow, crm.users[owners["slow@firm.example"][0]]) in queued

    # The new owner's clock started at that run (Thursday 00:00 UTC): Thursday, Friday and Monday
    # 13 April give their 24 business hours, up at 17:00 CEST. Not accepted by then: a second
    # breach, of an MQL re-routed once already, so with sla.max_reroutes 1 it stays where it is.
    second = owners["slow@firm.example"][0]
    build(tmp_path, monkeypatch, SLA + "sla: {max_reroutes: 1}\n", date(2026, 4, 13))
    again = query(
        tmp_path,
        """
        select sla.owner_email, sla.breach_kind, sla.breached_at, sla.reroutes, sla.is_reroute_due
        from int_mql_sla as sla join people using (person_id) where people.email = 'slow@firm.example'
    """,
    )
    assert again == [(second, "accept", datetime(2026, 4, 13, 15), 1, False)]
    assert owners_by_email(tmp_path)["slow@firm.example"][:2] == (second, "rerouted_breach")
