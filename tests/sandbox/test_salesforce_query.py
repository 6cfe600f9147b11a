"""Salesforce sandbox: SOQL through simple-salesforce (filters, order, paging, relationships, errors)."""

from __future__ import annotations

import datetime as dt

import pytest
from simple_salesforce import Salesforce, format_soql
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connectors.sandbox import Sandbox
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.salesforce.ids import object_id
from tests import clients

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


USERS = [
    {
        "Id": object_id("User", 11),
        "Username": "ria@acme.example",
        "LastName": "Ray",
        "FirstName": "Ria",
        "Email": "ria@acme.example",
        "IsActive": True,
    },
]
LEADS = [
    {
        "Id": object_id("Lead", 101),
        "FirstName": "Ada",
        "LastName": "Lovelace",
        "Company": "Analytical",
        "Email": "ada@example.com",
        "Industry": "Technology",
        "NumberOfEmployees": 50,
        "AnnualRevenue": 1000000.0,
        "Status": "Open - Not Contacted",
        "OwnerId": USERS[0]["Id"],
        "CreatedDate": "2026-01-10T08:00:00.000+0000",
        "LastModifiedDate": "2026-01-10T08:00:00.000+0000",
        "SystemModstamp": "2026-01-10T08:00:00.000+0000",
    },
    {
        "Id": object_id("Lead", 102),
        "FirstName": "Grace",
        "LastName": "Hopper",
        "Company": "Navy",
        "Email": "grace@navy.example",
        "Industry": "Government",
        "NumberOfEmployees": 5000,
        "Rating": "Hot",
        "Status": "Qualified",
        "HasOptedOutOfEmail": True,
        "CreatedDate": "2026-01-20T08:00:00.000+0000",
        "SystemModstamp": "2026-01-21T08:00:00.000+0000",
    },
    {
        "Id": object_id("Lead", 103),
        "FirstName": "Alan",
        "LastName": "Turing",
        "Company": "O'Reilly & Sons",
        "Email": "alan_t@example.com",
        "Status": "Working - Contacted",
        "CreatedDate": stamp(NOW - dt.timedelta(days=1)),
        "SystemModstamp": stamp(NOW - dt.timedelta(days=1)),
    },
    {
        "Id": object_id("Lead", 104),
        "FirstName": "Katherine",
        "LastName": "Johnson",
        "Company": "100% Orbit",
        "Email": "kj@example.com",
        "Industry": "Technology",
        "NumberOfEmployees": 12,
        "Status": "Closed - Not Converted",
        "CreatedDate": stamp(NOW),
        "SystemModstamp": stamp(NOW),
    },
    {
        "Id": object_id("Lead", 105),
        "LastName": "Gone",
        "Company": "Deleted Inc",
        "Status": "Qualified",
        "IsDeleted": True,
    },
]


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sfquery")) as sandbox:
        lines = [{"vendor": "salesforce", "object": "User", "record": u} for u in USERS]
        lines += [{"vendor": "salesforce", "object": "Lead", "record": r} for r in LEADS]
        lines += [
            {"vendor": "salesforce", "object": "Account", "record": {"Name": f"Acct {i:04d}"}}
            for i in range(2100)
        ]
        SandboxAdmin(sandbox.directory).load(lines)
        yield sandbox


@pytest.fixture(scope="module")
def sf(box) -> Salesforce:
    return clients.salesforce(box)


def names(sf: Salesforce, where: str) -> set[str]:
    return {r["LastName"] for r in sf.query_all(f"SELECT LastName FROM Lead WHERE {where}")["records"]}


def test_records_carry_attributes_then_the_selected_fields_by_their_api_names(sf):
    result = sf.query(
        "select lastname, ID, numberofemployees, AnnualRevenue, HasOptedOutOfEmail, CreatedDate "
        "from lead where email = 'ADA@example.com'"
    )
    assert result["totalSize"] == 1 and result["done"] is True and "nextRecordsUrl" not in result
    record = result["records"][0]
    assert list(record) == [
        "attributes",
        "LastName",
        "Id",
        "NumberOfEmployees",
        "AnnualRevenue",
        "HasOptedOutOfEmail",
        "CreatedDate",
    ]
    assert record["attributes"] == {
        "type": "Lead",
        "url": f"/services/data/v59.0/sobjects/Lead/{LEADS[0]['Id']}",
    }
    assert record["NumberOfEmployees"] == 50 and record["AnnualRevenue"] == 1000000.0
    assert record["HasOptedOutOfEmail"] is False
    assert record["CreatedDate"] == "2026-01-10T08:00:00.000+0000"


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Industry = 'technology'", {"Lovelace", "Johnson"}),  # string comparison ignores case
        ("Industry != 'Technology'", {"Hopper", "Turing"}),  # null is a value in SOQL: != keeps it
        ("Industry = null", {"Turing"}),
        ("Industry <> null", {"Lovelace", "Hopper", "Johnson"}),
        ("NumberOfEmployees > 100", {"Hopper"}),
        ("NumberOfEmployees <= 50", {"Lovelace", "Johnson"}),
        ("AnnualRevenue >= 1000000.0", {"Lovelace"}),
        ("HasOptedOutOfEmail = true", {"Hopper"}),
        ("HasOptedOutOfEmail = false", {"Lovelace", "Turing", "Johnson"}),
        ("Status IN ('Qualified', 'working - contacted')", {"Hopper", "Turing"}),
        ("Industry NOT IN ('Technology')", {"Hopper", "Turing"}),
        ("Company LIKE 'O\\'Reilly%'", {"Turing"}),
        ("Company LIKE '100\\%%'", {"Johnson"}),
        ("Email LIKE 'alan\\_t%'", {"Turing"}),
        ("Email LIKE '%EXAMPLE.COM'", {"Lovelace", "Turing", "Johnson"}),
        ("NOT (Industry = 'Technology')", {"Hopper", "Turing"}),
        ("(Industry = 'Technology' OR Rating = 'Hot') AND NumberOfEmployees > 20", {"Lovelace", "Hopper"}),
        ("NOT Email LIKE '%example.com'", {"Hopper"}),
        ("CreatedDate < 2026-01-15T00:00:00Z", {"Lovelace"}),
        ("CreatedDate >= 2026-01-20T09:00:00.000+01:00", {"Hopper", "Turing", "Johnson"}),
        ("LastModifiedDate = 2026-01-10T08:00:00.000+0000", {"Lovelace"}),
        ("SystemModstamp > 2026-01-21T07:59:59Z AND SystemModstamp < 2026-01-21T08:00:01Z", {"Hopper"}),
        ("CreatedDate = TODAY", {"Johnson"}),
        ("CreatedDate = YESTERDAY", {"Turing"}),
        ("CreatedDate = LAST_N_DAYS:3", {"Turing", "Johnson"}),
        ("CreatedDate < LAST_N_DAYS:3", {"Lovelace", "Hopper"}),
        ("Id = '" + LEADS[1]["Id"][:15] + "'", {"Hopper"}),
        ("OwnerId = '" + USERS[0]["Id"] + "'", {"Lovelace"}),
    ],
)
def test_where_clauses_select_the_right_leads(sf, where, expected):
    assert names(sf, where) == expected


def test_format_soql_quotes_and_datetimes_are_understood(sf):
    soql = format_soql(
        "SELECT LastName FROM Lead WHERE Company = {} AND CreatedDate >= {}",
        "O'Reilly & Sons",
        NOW - dt.timedelta(days=2),
    )
    assert [r["LastName"] for r in sf.query(soql)["records"]] == ["Turing"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("NumberOfEmployees", ["Turing", "Johnson", "Lovelace", "Hopper"]),
        ("NumberOfEmployees DESC", ["Hopper", "Lovelace", "Johnson", "Turing"]),
        ("NumberOfEmployees ASC NULLS LAST", ["Johnson", "Lovelace", "Hopper", "Turing"]),
        ("NumberOfEmployees DESC NULLS FIRST", ["Turing", "Hopper", "Lovelace", "Johnson"]),
        ("Industry DESC, LastName", ["Johnson", "Lovelace", "Hopper", "Turing"]),
        ("company", ["Johnson", "Lovelace", "Hopper", "Turing"]),
    ],
)
def test_order_by_follows_soql_null_rules(sf, order, expected):
    result = sf.query(f"SELECT LastName FROM Lead ORDER BY {order}")
    assert [r["LastName"] for r in result["records"]] == expected


def test_limit_offset_and_count(sf):
    page = sf.query("SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1")
    assert [r["LastName"] for r in page["records"]] == ["Johnson", "Lovelace"] and page["totalSize"] == 2
    assert sf.query("SELECT COUNT() FROM Lead") == {"totalSize": 4, "done": True, "records": []}
    assert sf.query("SELECT COUNT() FROM Lead WHERE Industry = 'Technology'")["totalSize"] == 2
    assert sf.query("SELECT COUNT() FROM Lead", include_deleted=True)["totalSize"] == 5


def test_query_all_returns_deleted_rows_flagged(sf):
    live = sf.query("SELECT Id, IsDeleted FROM Lead WHERE Company = 'Deleted Inc'")
    assert live["totalSize"] == 0 and live["records"] == []
    every = sf.query_all("SELECT Id, IsDeleted FROM Lead WHERE Company = 'Deleted Inc'", include_deleted=True)
    assert [(r["Id"], r["IsDeleted"]) for r in every["records"]] == [(LEADS[4]["Id"], True)]


def test_parent_fields_come_nested_with_their_own_attributes(sf):
    result = sf.query(
        "SELECT LastName, Owner.Name, Owner.Email FROM Lead WHERE LastName IN ('Lovelace', 'Hopper') "
        "ORDER BY LastName"
    )
    hopper, lovelace = result["records"]
    assert hopper["Owner"] is None  # its owner is the integration user, not a loaded record
    assert lovelace["Owner"] == {
        "attributes": {"type": "User", "url": f"/services/data/v59.0/sobjects/User/{USERS[0]['Id']}"},
        "Name": "Ria Ray",
        "Email": "ria@acme.example",
    }


def test_default_pages_hold_2000_and_next_records_url_walks_the_rest(sf):
    first = sf.query("SELECT Id, Name FROM Account ORDER BY Name")
    assert first["totalSize"] == 2100 and first["done"] is False and len(first["records"]) == 2000
    locator = first["nextRecordsUrl"]
    assert locator.startswith("/services/data/v59.0/query/01g") and locator.endswith("-2000")
    second = sf.query_more(locator, identifier_is_url=True)
    assert second["done"] is True and "nextRecordsUrl" not in second and len(second["records"]) == 100
    assert second["records"][-1]["Name"] == "Acct 2099"


def test_batch_size_header_sets_the_page_and_is_held_to_200(sf):
    headers = {"Sforce-Query-Options": "batchSize=500"}
    first = sf.query("SELECT Name FROM Account ORDER BY Name", headers=headers)
    assert len(first["records"]) == 500 and first["nextRecordsUrl"].endswith("-500")
    small = sf.query("SELECT Name FROM Account", headers={"Sforce-Query-Options": "batchSize=10"})
    assert len(small["records"]) == 200
    every = sf.query_all("SELECT Name FROM Account ORDER BY Name", headers=headers)["records"]
    assert [r["Name"] for r in every] == [f"Acct {i:04d}" for i in range(2100)]


def error_of(sf: Salesforce, soql: str) -> dict:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    assert caught.value.status == 400
    [error] = caught.value.content
    return error


@pytest.mark.parametrize(
    ("soql", "code", "fragment"),
    [
        (
            "SELECT Foo FROM Lead",
            "INVALID_FIELD",
            "\nSELECT Foo FROM Lead\n       ^\nERROR at Row:1:Column:8\n"
            "No such column 'Foo' on entity 'Lead'.",
        ),
        ("SELECT Id FROM Leed", "INVALID_TYPE", "sObject type 'Leed' is not supported."),
        ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY", "unexpected token: <EOF>"),
        (
            "SELECT Id FROM Lead WHERE Industry = 'a' AND Rating = 'b' OR Status = 'c'",
            "MALFORMED_QUERY",
            "unexpected token: OR",
        ),
        (
            "SELECT Id FROM Lead WHERE NumberOfEmployees = '5'",
            "INVALID_FIELD",
            "must be of type integer and should not be enclosed in quotes",
        ),
        ("SELECT Id FROM Lead WHERE CreatedDate > 2026-01-01", "INVALID_FIELD", "must be of type dateTime"),
        ("SELECT Id FROM Lead WHERE Industry = 5", "INVALID_FIELD", "must be of type string"),
        ("SELECT Id FROM Lead WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: abc"),
        ("SELECT Id FROM Lead WHERE Description = 'x'", "INVALID_FIELD", "can not be filtered"),
        ("SELECT Id, id FROM Lead", "MALFORMED_QUERY", "duplicate field selected: id"),
        ("SELECT Id FROM Lead WHERE Company = 'open", "MALFORMED_QUERY", "ERROR at Row:1:Column:37"),
        ("SELECT Id\nFROM Lead\nWHERE Bogus = 1", "INVALID_FIELD", "ERROR at Row:3:Column:7"),
        ("SELECT Id FROM Lead OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed"),
        ("SELECT FIELDS(ALL) FROM Lead", "MALFORMED_QUERY", "must have a LIMIT of at most 200"),
        ("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS", "MALFORMED_QUERY", "requires a value"),
    ],
)
def test_bad_queries_answer_salesforce_errors(sf, soql, code, fragment):
    error = error_of(sf, soql)
    assert error["errorCode"] == code
    assert fragment in error["message"]


def test_unknown_query_locator_is_refused(box, sf):
    session = sf.session
    answer = session.get(f"{box.url('salesforce')}/services/data/v59.0/query/01gNOPE-200", headers=sf.headers)
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_incremental_modstamp_query_walks_the_index(box):
    """WHERE SystemModstamp > X ORDER BY SystemModstamp, Id must not scan the object."""
    app = box.apps["salesforce"]
    plan = app.queries.plan(
        "SELECT Id FROM Lead WHERE SystemModstamp > 2026-01-01T00:00:00Z ORDER BY SystemModstamp, Id"
    )
    sql = (
        f"explain query plan select rowid from records where vendor=? and object=? and deleted=0 "
        f"and ({plan.where}) order by {plan.order}"
    )
    steps = " ".join(row[-1] for row in box.store.conn.execute(sql, ["salesforce", "Lead", *plan.params]))
    assert "INDEX records_by_modstamp" in steps and "modstamp>?" in steps
    assert "TEMP B-TREE" not in steps  # no sort: the index gives the order


@pytest.mark.parametrize(
    "where",
    [
        f"Id = '{LEADS[0]['Id']}'",
        f"Id IN ('{LEADS[0]['Id']}', '{LEADS[1]['Id']}')",
    ],
)
def test_lookups_by_id_use_the_id_index(box, where):
    plan = box.apps["salesforce"].queries.plan(f"SELECT Name FROM Lead WHERE {where}")
    sql = f"explain query plan select rowid from records where vendor=? and object=? and ({plan.where})"
    steps = " ".join(row[-1] for row in box.store.conn.execute(sql, ["salesforce", "Lead", *plan.params]))
    assert "INDEX records_by_id (vendor=? AND object=? AND id=?)" in steps
