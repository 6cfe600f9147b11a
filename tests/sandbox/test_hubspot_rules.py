"""HubSpot sandbox: rules HubSpot applies on write and lookup, and the admin loader over HTTP."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from hubspot.crm.objects import (
    ApiException,
    BatchInputSimplePublicObjectBatchInputForCreate,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import PropertyCreate


def _create(hs, kind="contacts", **props):
    return hs.crm.objects.basic_api.create(kind, SimplePublicObjectInputForCreate(properties=props))


def test_one_contact_per_email(hs):
    email = f"{uuid.uuid4().hex[:10]}@dupe.example"
    first = _create(hs, email=email)
    with pytest.raises(ApiException) as err:
        _create(hs, email=email.upper())
    assert err.value.status == 409
    detail = json.loads(err.value.body)
    assert detail["category"] == "CONFLICT" and detail["message"].endswith(f"Existing ID: {first.id}")
    batch = BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": email})]
    )
    with pytest.raises(ApiException) as err:
        hs.crm.objects.batch_api.create("contacts", batch)
    assert err.value.status == 409


def test_deal_closed_flags_follow_the_stage(hs):
    deal = _create(hs, "deals", dealname="Flags", dealstage="contractsent", pipeline="default")
    assert deal.properties["hs_is_closed"] == "false"
    won = hs.crm.objects.basic_api.update(
        "deals", deal.id, SimplePublicObjectInput(properties={"dealstage": "closedwon"})
    )
    assert (won.properties["hs_is_closed"], won.properties["hs_is_closed_won"]) == ("true", "true")


def test_date_properties_take_days_only(hs):
    name = f"leadflow_d_{uuid.uuid4().hex[:6]}"
    hs.crm.properties.core_api.create(
        "contacts",
        PropertyCreate(name=name, label="D", type="date", field_type="date", group_name="contactinformation"),
    )
    made = _create(hs, email=f"{name}@dates.example", **{name: "1767225600000"})  # midnight UTC
    assert made.properties[name] == "2026-01-01"
    with pytest.raises(ApiException) as err:
        hs.crm.objects.basic_api.update(
            "contacts", made.id, SimplePublicObjectInput(properties={name: "1767225600001"})
        )
    message = json.loads(err.value.body)["message"]
    assert err.value.status == 400 and "INVALID_DATE" in message and name in message


def test_object_type_ids_and_singular_names_are_accepted(hs):
    made = _create(hs, "0-2", name="Alias Co")
    assert hs.crm.objects.basic_api.get_by_id("company", made.id).properties["name"] == "Alias Co"


def test_free_text_query_and_id_filter(hs):
    tag = uuid.uuid4().hex[:8]
    made = _create(hs, email=f"q{tag}@query.example", firstname=f"Zed{tag}", lastname="Quill")
    api = hs.crm.objects.search_api
    found = api.do_search("contacts", PublicObjectSearchRequest(query=f"zed{tag[:4]}", limit=10))
    assert [r.id for r in found.results] == [made.id]
    by_id = api.do_search(
        "contacts",
        PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(filters=[Filter(property_name="hs_object_id", operator="EQ", value=made.id)])
            ]
        ),
    )
    assert by_id.total == 1 and by_id.results[0].id == made.id


def test_admin_load_over_http_then_read_back(sandbox, hs):
    session = requests.Session()
    session.verify, session.trust_env = str(sandbox.ca_path), False
    rid = str(7_700_000 + uuid.uuid4().int % 100_000)
    lines = [
        {
            "vendor": "hubspot",
            "object": "contacts",
            "record": {
                "id": rid,
                "properties": {"email": f"Mixed.Case{rid}@Load.example", "lifecyclestage": "customer"},
                "createdAt": "2025-05-01T10:00:00.000Z",
                "updatedAt": "2025-06-01T10:00:00.000Z",
            },
        },
    ]
    answer = session.post(
        f"{sandbox.url('hubspot')}/_sandbox/load",
        data="\n".join(json.dumps(line) for line in lines),
        headers={"Authorization": f"Bearer {hs.access_token}"},
    )
    assert answer.status_code == 200 and answer.json() == {"loaded": {"contacts": 1}}
    got = hs.crm.objects.basic_api.get_by_id("contacts", rid, properties=["email", "lifecyclestage"])
    assert got.properties["email"] == f"Mixed.Case{rid}@Load.example"  # loaded as given
    assert got.properties["lastmodifieddate"] == "2025-06-01T10:00:00.000Z"
    assert got.properties["createdate"] == "2025-05-01T10:00:00.000Z"
    bad = session.post(
        f"{sandbox.url('hubspot')}/_sandbox/load",
        data=json.dumps(
            {"vendor": "hubspot", "object": "deals", "record": {"id": "1", "properties": {"amount": "lots"}}}
        ),
        headers={"Authorization": f"Bearer {hs.access_token}"},
    )
    assert bad.status_code == 400 and "property amount" in bad.json()["error"]
