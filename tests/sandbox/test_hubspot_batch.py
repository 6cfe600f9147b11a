"""HubSpot sandbox: batch read/create/update/upsert, 200 vs 207, and whole-batch rejections."""

from __future__ import annotations

import json
import uuid

import pytest
from hubspot import HubSpot
from hubspot.crm.objects import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
)


def _create_contacts(hs: HubSpot, count: int, **extra) -> list:
    inputs = [
        SimplePublicObjectBatchInputForCreate(
            properties={"email": f"{uuid.uuid4().hex[:10]}@batch.example", "firstname": f"P{i}", **extra}
        )
        for i in range(count)
    ]
    body = BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
    answer, status, _ = hs.crm.objects.batch_api.create_with_http_info("contacts", body)
    assert status == 201 and answer.status == "COMPLETE"
    return answer.results


def _update_body(rows: list[tuple[str, dict]]) -> BatchInputSimplePublicObjectBatchInput:
    return BatchInputSimplePublicObjectBatchInput(
        inputs=[SimplePublicObjectBatchInput(id=rid, properties=props) for rid, props in rows]
    )


def test_batch_read_all_found_is_200(hs):
    made = _create_contacts(hs, 3)
    body = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=c.id) for c in made],
        properties=["firstname"],
        properties_with_history=[],
    )
    answer, status, _ = hs.crm.objects.batch_api.read_with_http_info("contacts", body)
    assert status == 200
    assert sorted(r.id for r in answer.results) == sorted(c.id for c in made)
    assert all(
        set(r.properties) == {"firstname", "createdate", "hs_object_id", "lastmodifieddate"}
        for r in answer.results
    )


def test_batch_read_missing_ids_is_207_with_object_not_found(hs):
    made = _create_contacts(hs, 1)
    body = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=made[0].id), SimplePublicObjectId(id="987654321")],
        properties=[],
        properties_with_history=[],
    )
    answer, status, _ = hs.crm.objects.batch_api.read_with_http_info("contacts", body)
    assert status == 207
    assert [r.id for r in answer.results] == [made[0].id]
    [error] = answer.errors
    assert error.category == "OBJECT_NOT_FOUND" and error.context == {"ids": ["987654321"]}
    assert answer.num_errors == 1


def test_batch_update_partial_success_is_207(hs):
    made = _create_contacts(hs, 2)
    body = _update_body(
        [(made[0].id, {"jobtitle": "VP"}), ("99999999", {"jobtitle": "x"}), (made[1].id, {"city": "Oslo"})]
    )
    answer, status, _ = hs.crm.objects.batch_api.update_with_http_info("contacts", body)
    assert status == 207
    assert {r.id: r.properties.get("jobtitle") or r.properties.get("city") for r in answer.results} == {
        made[0].id: "VP",
        made[1].id: "Oslo",
    }
    assert answer.errors[0].context["ids"] == ["99999999"]
    moved = {r.id: r.updated_at for r in answer.results}
    assert all(moved[c.id] > c.updated_at for c in made)


def test_batch_update_duplicate_id_rejects_whole_batch(hs):
    made = _create_contacts(hs, 2, jobtitle="before")
    body = _update_body(
        [(made[0].id, {"jobtitle": "a"}), (made[1].id, {"jobtitle": "b"}), (made[0].id, {"jobtitle": "c"})]
    )
    with pytest.raises(ApiException) as err:
        hs.crm.objects.batch_api.update("contacts", body)
    assert err.value.status == 400
    detail = json.loads(err.value.body)
    assert detail["category"] == "VALIDATION_ERROR" and made[0].id in detail["message"]
    again = hs.crm.objects.basic_api.get_by_id("contacts", made[1].id, properties=["jobtitle"])
    assert again.properties["jobtitle"] == "before"  # nothing was written


def test_batch_update_one_invalid_value_fails_all_with_json_message(hs):
    made = _create_contacts(hs, 3)
    body = _update_body(
        [
            (made[0].id, {"numemployees": "25-50"}),
            (made[1].id, {"numemployees": "huge"}),
            (made[2].id, {"jobtitle": "ok"}),
        ]
    )
    with pytest.raises(ApiException) as err:
        hs.crm.objects.batch_api.update("contacts", body)
    assert err.value.status == 400
    message = json.loads(err.value.body)["message"]
    prefix = "Property values were not valid: "
    assert message.startswith(prefix)
    [problem] = json.loads(message[len(prefix) :])
    assert problem["name"] == "numemployees" and problem["error"] == "INVALID_OPTION"
    untouched = hs.crm.objects.basic_api.get_by_id("contacts", made[0].id, properties=["numemployees"])
    assert untouched.properties["numemployees"] is None


def test_batch_over_100_inputs_is_400(hs):
    body = _update_body([(str(1000 + i), {"city": "x"}) for i in range(101)])
    with pytest.raises(ApiException) as err:
        hs.crm.objects.batch_api.update("contacts", body)
    assert err.value.status == 400


def test_batch_upsert_by_email_creates_and_updates(hs):
    [existing] = _create_contacts(hs, 1)
    fresh = f"{uuid.uuid4().hex[:10]}@upsert.example"
    body = BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[
            SimplePublicObjectBatchInputUpsert(
                id=existing.properties["email"], id_property="email", properties={"jobtitle": "Updated"}
            ),
            SimplePublicObjectBatchInputUpsert(id=fresh, id_property="email", properties={"jobtitle": "New"}),
        ]
    )
    answer, status, _ = hs.crm.objects.batch_api.upsert_with_http_info("contacts", body)
    assert status == 200
    by_new = {r.new: r for r in answer.results}
    assert by_new[False].id == existing.id and by_new[False].properties["jobtitle"] == "Updated"
    assert by_new[True].properties["email"] == fresh and by_new[True].id != existing.id


def test_batch_upsert_needs_unique_id_property(hs):
    body = BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[SimplePublicObjectBatchInputUpsert(id="Ada", id_property="firstname", properties={})]
    )
    with pytest.raises(ApiException) as err:
        hs.crm.objects.batch_api.upsert("contacts", body)
    assert err.value.status == 400
