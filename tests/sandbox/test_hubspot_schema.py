"""HubSpot sandbox: property definitions, owners and associations (v3 lists, v4 endpoints)."""

from __future__ import annotations

import json
import uuid

import pytest
from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects import SimplePublicObjectInputForCreate
from hubspot.crm.properties import ApiException as PropertiesError
from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyUpdate

from tests import clients


@pytest.fixture(scope="module")
def linked(sandbox):
    """Owners, a company, contacts and calls loaded through the admin loader, with associations."""
    app = sandbox.apps["hubspot"]
    app.load(
        "owners",
        [
            {
                "id": "7101",
                "email": "rep.one@brightfunnel.example",
                "firstName": "Rep",
                "lastName": "One",
                "userId": 9101,
                "createdAt": "2025-01-01T00:00:00.000Z",
                "updatedAt": "2025-01-01T00:00:00.000Z",
            },
            {
                "id": "7102",
                "email": "rep.two@brightfunnel.example",
                "firstName": "Rep",
                "lastName": "Two",
                "userId": 9102,
                "archived": True,
            },
        ],
    )
    app.load("companies", [{"id": "655001", "properties": {"name": "Linked Co", "domain": "linked.example"}}])
    app.load(
        "contacts",
        [
            {
                "id": str(655100 + i),
                "properties": {"email": f"linked{i}@linked.example", "hubspot_owner_id": "7101"},
                "associations": {"companies": ["655001"]},
            }
            for i in range(3)
        ],
    )
    app.load(
        "calls",
        [
            {
                "id": "655900",
                "properties": {"hs_timestamp": "2026-01-02T10:00:00.000Z"},
                "associations": {"contacts": ["655100", "655101"]},
            }
        ],
    )
    return app


def test_contact_properties_include_what_leadflow_reads(hs):
    found = {p.name: p for p in hs.crm.properties.core_api.get_all("contacts").results}
    for name in (
        "email",
        "firstname",
        "lifecyclestage",
        "hs_lead_status",
        "hubspot_owner_id",
        "hs_analytics_source",
        "hs_email_optout",
        "num_conversion_events",
        "hs_lifecyclestage_marketingqualifiedlead_date",
        "createdate",
        "lastmodifieddate",
    ):
        assert name in found, name
    stages = [o.value for o in found["lifecyclestage"].options]
    assert stages == [
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    ]
    assert found["lastmodifieddate"].modification_metadata.read_only_value is True
    assert found["hs_lifecyclestage_lead_date"].type == "datetime"
    calls = {p.name for p in hs.crm.properties.core_api.get_all("0-48").results}
    assert {"hs_timestamp", "hs_call_direction", "hs_createdate", "hs_lastmodifieddate"} <= calls


def test_create_property_then_409_and_use_it(hs):
    name = f"leadflow_t_{uuid.uuid4().hex[:8]}"
    body = PropertyCreate(
        name=name,
        label="Tier",
        type="enumeration",
        field_type="select",
        group_name="contactinformation",
        options=[
            OptionInput(label=v, value=v, hidden=False, display_order=i)
            for i, v in enumerate(("Cold", "Warm", "Hot"))
        ],
    )
    made, status, _ = hs.crm.properties.core_api.create_with_http_info("contacts", body)
    assert status == 201 and made.name == name and made.hubspot_defined is False
    assert hs.crm.properties.core_api.get_by_name("contacts", name).options[2].value == "Hot"
    with pytest.raises(PropertiesError) as err:
        hs.crm.properties.core_api.create("contacts", body)
    assert err.value.status == 409
    assert json.loads(err.value.body)["category"] == "OBJECT_ALREADY_EXISTS"
    contact = hs.crm.objects.basic_api.create(
        "contacts",
        SimplePublicObjectInputForCreate(properties={"email": f"{name}@props.example", name: "Warm"}),
    )
    assert contact.properties[name] == "Warm"


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"name": "Bad Name"}, "invalid"),
        ({"type": "number", "field_type": "select"}, "fieldType"),
        ({"group_name": "no_such_group"}, "group"),
    ],
)
def test_bad_property_definitions_are_400(hs, changes, fragment):
    args = {
        "name": f"leadflow_x_{uuid.uuid4().hex[:6]}",
        "label": "X",
        "type": "number",
        "field_type": "number",
        "group_name": "contactinformation",
        **changes,
    }
    with pytest.raises(PropertiesError) as err:
        hs.crm.properties.core_api.create("contacts", PropertyCreate(**args))
    assert err.value.status == 400 and fragment in json.loads(err.value.body)["message"]


def test_an_admin_adds_an_option_and_records_may_hold_it(fresh_sandbox):
    """PATCH /crm/v3/properties/contacts/hs_lead_status, as an admin adding a status in HubSpot."""
    hs = clients.hubspot(fresh_sandbox, validate=True)
    contacts, api = hs.crm.objects.basic_api, hs.crm.properties.core_api
    make = SimplePublicObjectInputForCreate(
        properties={"email": "m@props.example", "hs_lead_status": "MAYBE"}
    )
    with pytest.raises(Exception) as refused:
        contacts.create("contacts", make)
    assert refused.value.status == 400 and "INVALID_OPTION" in refused.value.body
    options = [o.to_dict() for o in api.get_by_name("contacts", "hs_lead_status").options]
    added = {"label": "Maybe later", "value": "MAYBE", "hidden": False, "displayOrder": len(options)}
    updated = api.update("contacts", "hs_lead_status", PropertyUpdate(options=[*options, added]))
    assert [o.value for o in updated.options][-2:] == ["BAD_TIMING", "MAYBE"]
    assert contacts.create("contacts", make).properties["hs_lead_status"] == "MAYBE"
    for name, change, status in [
        ("hs_lead_status", {"type": "number"}, 400),
        ("lastmodifieddate", {"label": "x"}, 400),  # read only
        ("no_such_property", {"label": "x"}, 404),
    ]:
        with pytest.raises(PropertiesError) as err:
            api.update("contacts", name, PropertyUpdate(**change))
        assert err.value.status == status, (name, err.value.body)


def test_missing_property_is_404(hs):
    with pytest.raises(PropertiesError) as err:
        hs.crm.properties.core_api.get_by_name("contacts", "no_such_property")
    assert err.value.status == 404


def test_owners_list_filter_and_archived(hs, linked):
    api = hs.crm.owners.owners_api
    live = api.get_page(email="REP.ONE@brightfunnel.example")
    assert [o.id for o in live.results] == ["7101"] and live.results[0].user_id == 9101
    assert live.results[0].type == "PERSON" and live.results[0].archived is False
    archived = api.get_page(archived=True, limit=500)
    assert "7102" in [o.id for o in archived.results] and all(o.archived for o in archived.results)
    assert api.get_by_id(9101, id_property="userId").id == "7101"


def test_owner_must_exist_to_be_assigned(hs, linked):
    from hubspot.crm.objects import ApiException

    with pytest.raises(ApiException) as err:
        hs.crm.objects.basic_api.create(
            "contacts",
            SimplePublicObjectInputForCreate(
                properties={"email": f"{uuid.uuid4().hex[:8]}@own.example", "hubspot_owner_id": "999999"}
            ),
        )
    assert err.value.status == 400 and "hubspot_owner_id" in json.loads(err.value.body)["message"]


def test_v3_lists_carry_associations_with_type_names(hs, linked):
    got = hs.crm.objects.basic_api.get_by_id("calls", "655900", associations=["contacts"])
    assert [(r.id, r.type) for r in got.associations["contacts"].results] == [
        ("655100", "call_to_contact"),
        ("655101", "call_to_contact"),
    ]
    contact = hs.crm.objects.basic_api.get_by_id("contacts", "655101", associations=["companies", "calls"])
    assert contact.associations["companies"].results[0].type == "contact_to_company"
    assert contact.associations["calls"].results[0].id == "655900"
    lonely = hs.crm.objects.basic_api.get_by_id("contacts", "655102", associations=["calls"])
    assert lonely.associations is None  # HubSpot leaves out types with no associations


def test_v4_get_page_and_batch_read(hs, linked):
    v4 = hs.crm.associations.v4
    page = v4.basic_api.get_page("contacts", "655100", "companies")
    assert [(r.to_object_id, r.association_types[0].type_id) for r in page.results] == [("655001", 279)]
    body = BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in ("655100", "655102")]
    )
    answer, status, _ = v4.batch_api.get_page_with_http_info("contacts", "calls", body)
    assert status == 207
    assert [(r._from.id, [t.to_object_id for t in r.to]) for r in answer.results] == [("655100", ["655900"])]
    assert answer.errors[0].context == {"fromObjectId": ["655102"]}


def test_v4_default_association_create(hs, linked):
    note = hs.crm.objects.basic_api.create(
        "notes",
        SimplePublicObjectInputForCreate(
            properties={"hs_note_body": "hello", "hs_timestamp": "2026-01-03T00:00:00Z"}
        ),
    )
    answer = hs.crm.associations.v4.basic_api.create_default("notes", note.id, "contacts", "655102")
    specs = {(r._from.id, r.association_spec.association_type_id) for r in answer.results}
    assert specs == {(note.id, 202), ("655102", 201)}
    back = hs.crm.objects.basic_api.get_by_id("contacts", "655102", associations=["notes"])
    assert back.associations["notes"].results[0].id == note.id
    with pytest.raises(Exception) as err:
        hs.crm.associations.v4.basic_api.create_default("notes", note.id, "contacts", "1234567890")
    assert err.value.status == 404


def test_loader_names_record_and_field(linked):
    with pytest.raises(ValueError, match=r"contacts record 1 \(id 42\): property numemployees"):
        linked.load("contacts", [{"id": "42", "properties": {"numemployees": "millions"}}])
    with pytest.raises(ValueError, match=r"record 2 \(id abc\): field id"):
        linked.load("deals", [{"id": "43"}, {"id": "abc"}])
    with pytest.raises(ValueError, match="associations.widgets"):
        linked.load("calls", [{"id": "44", "associations": {"widgets": ["1"]}}])
    with pytest.raises(KeyError, match="tickets"):
        linked.load("tickets", [{"id": "1"}])
