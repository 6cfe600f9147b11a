"""Salesforce sandbox: Bulk API 2.0 query and ingest jobs, driven by simple-salesforce's bulk2."""

from __future__ import annotations

import csv
import io

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connectors.sandbox import Sandbox
from connectors.sandbox.salesforce.ids import object_id
from tests import clients

LEADS = 1234


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sfbulk")) as sandbox:
        records = [
            {
                "Id": object_id("Lead", n),
                "LastName": f"Bulk {n:05d}",
                "Company": "Bulk Co",
                "NumberOfEmployees": n,
                "Title": 'say "hi", ok' if n == 1 else None,
                "IsDeleted": n == LEADS,
            }
            for n in range(1, LEADS + 1)
        ]
        sandbox.apps["salesforce"].load("Lead", records)
        yield sandbox


@pytest.fixture(scope="module")
def sf(box) -> Salesforce:
    return clients.salesforce(box)


def rows(pages) -> list[dict]:
    out = []
    for page in pages:
        out.extend(csv.DictReader(io.StringIO(page)))
    return out


def test_query_job_pages_csv_with_locators(sf):
    soql = "SELECT Id, LastName, Title, NumberOfEmployees, IsDeleted FROM Lead ORDER BY LastName"
    pages = list(sf.bulk2.Lead.query(soql, max_records=500, wait=0))
    assert len(pages) == 3
    got = rows(pages)
    assert len(got) == LEADS - 1  # the deleted lead needs queryAll
    assert list(got[0]) == ["Id", "LastName", "Title", "NumberOfEmployees", "IsDeleted"]
    assert got[0] == {
        "Id": object_id("Lead", 1),
        "LastName": "Bulk 00001",
        "Title": 'say "hi", ok',
        "NumberOfEmployees": "1",
        "IsDeleted": "false",
    }
    assert got[1]["Title"] == ""
    everything = rows(sf.bulk2.Lead.query_all(soql, wait=0))
    assert len(everything) == LEADS and everything[-1]["IsDeleted"] == "true"


def test_query_results_carry_the_locator_and_count_headers(sf):
    job = sf.restful("jobs/query", method="POST", json={"operation": "query", "query": "SELECT Id FROM Lead"})
    assert job["state"] == "UploadComplete" and job["object"] == "Lead" and job["id"].startswith("750")
    info = sf.restful(f"jobs/query/{job['id']}")
    assert info["state"] == "JobComplete" and info["numberRecordsProcessed"] == LEADS - 1
    url = f"{sf.base_url}jobs/query/{job['id']}/results"
    first = sf.session.get(url, headers=sf.headers, params={"maxRecords": 1000})
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/csv")
    assert first.headers["Sforce-NumberOfRecords"] == "1000" and first.headers["Sforce-Locator"] != "null"
    last = sf.session.get(
        url, headers=sf.headers, params={"maxRecords": 1000, "locator": first.headers["Sforce-Locator"]}
    )
    assert (
        last.headers["Sforce-NumberOfRecords"] == str(LEADS - 1 - 1000)
        and last.headers["Sforce-Locator"] == "null"
    )


def test_bad_query_job_is_refused_at_creation(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("jobs/query", method="POST", json={"operation": "query", "query": "SELECT Nope FROM Lead"})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_ingest_insert_update_and_delete_report_per_row(sf):
    inserted = sf.bulk2.Contact.insert(
        records=[
            {"LastName": "Ingest A", "Email": "a@x.example"},
            {"LastName": "", "Email": "nolast@x.example"},
            {"LastName": "Ingest C", "Email": "bad-email"},
        ],
        wait=0,
    )
    [summary] = inserted
    assert (summary["numberRecordsProcessed"], summary["numberRecordsFailed"]) == (3, 2)
    job = summary["job_id"]
    ok = list(csv.DictReader(io.StringIO(sf.bulk2.Contact.get_successful_records(job))))
    failed = list(csv.DictReader(io.StringIO(sf.bulk2.Contact.get_failed_records(job))))
    assert [(r["sf__Created"], r["LastName"]) for r in ok] == [("true", "Ingest A")]
    assert ok[0]["sf__Id"].startswith("003")
    assert [r["sf__Error"].split(":")[0] for r in failed] == [
        "REQUIRED_FIELD_MISSING",
        "INVALID_EMAIL_ADDRESS",
    ]
    assert (
        failed[0]["sf__Error"] == "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"
    )
    contact = ok[0]["sf__Id"]
    sf.bulk2.Contact.update(records=[{"Id": contact, "Title": "Head of Data", "Email": "#N/A"}], wait=0)
    got = sf.Contact.get(contact)
    assert got["Title"] == "Head of Data" and got["Email"] is None and got["LastName"] == "Ingest A"
    sf.bulk2.Contact.delete(records=[{"Id": contact}], wait=0)
    assert sf.query(f"SELECT COUNT() FROM Contact WHERE Id = '{contact}'")["totalSize"] == 0


def test_ingest_protocol_states_and_exact_201(sf):
    job = sf.restful(
        "jobs/ingest",
        method="POST",
        json={"object": "Account", "operation": "insert", "contentType": "CSV", "lineEnding": "LF"},
    )
    assert (
        job["state"] == "Open" and job["contentUrl"] == f"services/data/v59.0/jobs/ingest/{job['id']}/batches"
    )
    headers = {**sf.headers, "Content-Type": "text/csv"}
    upload = sf.session.put(
        f"{sf.base_url}jobs/ingest/{job['id']}/batches",
        headers=headers,
        data=b'Name,Website\n"Acme, Inc.",acme.example\n',
    )
    assert upload.status_code == 201
    closed = sf.restful(f"jobs/ingest/{job['id']}", method="PATCH", json={"state": "UploadComplete"})
    assert closed["state"] == "UploadComplete"
    done = sf.restful(f"jobs/ingest/{job['id']}")
    assert done["state"] == "JobComplete" and done["numberRecordsProcessed"] == 1
    assert (
        sf.query("SELECT Name FROM Account WHERE Website = 'acme.example'")["records"][0]["Name"]
        == "Acme, Inc."
    )
    late = sf.session.put(f"{sf.base_url}jobs/ingest/{job['id']}/batches", headers=headers, data=b"Name\nx\n")
    assert late.status_code == 400 and late.json()[0]["errorCode"] == "INVALIDJOBSTATE"


def test_ingest_job_with_an_unknown_column_fails_whole(sf):
    job = sf.restful("jobs/ingest", method="POST", json={"object": "Lead", "operation": "insert"})
    headers = {**sf.headers, "Content-Type": "text/csv"}
    sf.session.put(
        f"{sf.base_url}jobs/ingest/{job['id']}/batches", headers=headers, data=b"LastName,Bogus\nx,y\n"
    )
    sf.restful(f"jobs/ingest/{job['id']}", method="PATCH", json={"state": "UploadComplete"})
    info = sf.restful(f"jobs/ingest/{job['id']}")
    assert info["state"] == "Failed" and "Field name not found : Bogus" in info["errorMessage"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("jobs/ingest", method="POST", json={"object": "Nope", "operation": "insert"})
    assert caught.value.content[0]["errorCode"] == "INVALIDJOB"
