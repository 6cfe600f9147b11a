"""Salesforce sandbox: sObject Collections (composite/sobjects) create, update, delete, allOrNone."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connectors.sandbox import Sandbox
from connectors.sandbox.salesforce.ids import object_id
from tests import clients

ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sfcollections")) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sf(box) -> Salesforce:
    return clients.salesforce(box)


def lead(**fields) -> dict:
    return {"attributes": {"type": "Lead"}, **fields}


def collection(sf: Salesforce, method: str, records: list[dict], all_or_none: bool = False):
    return sf.restful(
        "composite/sobjects", method=method, json={"allOrNone": all_or_none, "records": records}
    )


def count(sf: Salesforce, company: str) -> int:
    return sf.query(f"SELECT COUNT() FROM Lead WHERE Company = '{company}'")["totalSize"]


def test_create_gives_one_result_per_record_in_order(sf):
    results = collection(
        sf,
        "POST",
        [
            lead(LastName="One", Company="Coll A"),
            lead(Company="Coll A"),
            {"attributes": {"type": "Contact"}, "LastName": "Three"},
        ],
    )
    assert [r["success"] for r in results] == [True, False, True]
    assert results[0]["id"].startswith("00Q") and results[2]["id"].startswith("003")
    assert results[0]["errors"] == [] and "id" not in results[1]
    assert results[1]["errors"] == [
        {
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "Required fields are missing: [LastName]",
            "fields": ["LastName"],
        }
    ]
    assert count(sf, "Coll A") == 1


def test_all_or_none_rolls_every_record_back(sf):
    results = collection(
        sf,
        "POST",
        [lead(LastName="Ok", Company="Coll B"), lead(LastName="Bad", Company="Coll B", Status="Nope")],
        True,
    )
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == ROLLED_BACK
    assert results[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert count(sf, "Coll B") == 0


def test_update_reports_each_record_by_id_and_shares_one_modstamp(sf):
    made = collection(sf, "POST", [lead(LastName=f"U{i}", Company="Coll C") for i in range(3)])
    ids = [r["id"] for r in made]
    gone = ids[2]
    sf.Lead.delete(gone)
    before = sf.Lead.get(ids[0])["SystemModstamp"]
    results = collection(
        sf,
        "PATCH",
        [
            lead(Id=ids[0], Rating="Hot"),
            lead(Id=ids[1], Status="Nope"),
            lead(Id=object_id("Lead", 123456), Rating="Hot"),
            lead(Id="garbage", Rating="Hot"),
            lead(Id=gone, Rating="Hot"),
            lead(Rating="Hot"),
            lead(id=ids[1][:15], Rating="Warm"),
        ],
    )
    codes = [r["errors"][0]["statusCode"] if r["errors"] else None for r in results]
    assert codes == [
        None,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "NOT_FOUND",
        "MALFORMED_ID",
        "ENTITY_IS_DELETED",
        "MISSING_ARGUMENT",
        None,
    ]
    assert [r.get("id") for r in results][:3] == [ids[0], ids[1], object_id("Lead", 123456)]
    assert results[6]["id"] == ids[1]
    first, second = sf.Lead.get(ids[0]), sf.Lead.get(ids[1])
    assert first["Rating"] == "Hot" and second["Rating"] == "Warm"
    assert first["SystemModstamp"] == second["SystemModstamp"] > before


def test_update_all_or_none_changes_nothing_when_one_fails(sf):
    rid = collection(sf, "POST", [lead(LastName="Aon", Company="Coll D")])[0]["id"]
    results = collection(sf, "PATCH", [lead(Id=rid, Rating="Cold"), lead(Id=rid, LastName=None)], True)
    assert [r["errors"][0]["statusCode"] for r in results] == [ROLLED_BACK, "REQUIRED_FIELD_MISSING"]
    assert sf.Lead.get(rid)["Rating"] is None


def test_delete_by_ids(sf):
    made = collection(sf, "POST", [lead(LastName=f"D{i}", Company="Coll E") for i in range(2)])
    ids = ",".join([made[0]["id"], made[1]["id"], "bogus"])
    results = sf.restful("composite/sobjects", method="DELETE", params={"ids": ids})
    assert [r["success"] for r in results] == [True, True, False]
    assert results[2]["errors"][0]["statusCode"] == "MALFORMED_ID"
    assert count(sf, "Coll E") == 0


@pytest.mark.parametrize(
    ("records", "code"),
    [
        ([lead(LastName=f"N{i}", Company="Coll F") for i in range(201)], "EXCEEDED_ID_LIMIT"),
        ([lead(LastName="x", Company="Coll F", Bogus__c=1)], "INVALID_FIELD"),
        ([{"LastName": "x", "Company": "Coll F"}], "INVALID_TYPE"),
        ([{"attributes": {"type": "Nope"}, "Name": "x"}], "INVALID_TYPE"),
    ],
)
def test_whole_request_errors_answer_400(sf, records, code):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        collection(sf, "POST", records)
    assert caught.value.status == 400
    assert caught.value.content[0]["errorCode"] == code
    assert count(sf, "Coll F") == 0


def test_get_by_ids(sf):
    rid = collection(sf, "POST", [lead(LastName="G", Company="Coll G", Email="g@x.example")])[0]["id"]
    answer = sf.restful("composite/sobjects/Lead", params={"ids": rid, "fields": "Email,Name"})
    assert answer == [
        {
            "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{rid}"},
            "Email": "g@x.example",
            "Name": "G",
        }
    ]
