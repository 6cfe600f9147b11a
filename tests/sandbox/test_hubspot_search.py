"""HubSpot sandbox: CRM search filters, sorts, paging, total and the 10,000-result cap."""

from __future__ import annotations

import json
import uuid

import pytest
from hubspot import HubSpot
from hubspot.crm.objects import (
    ApiException,
    BatchInputSimplePublicObjectBatchInputForCreate,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputForCreate,
)


@pytest.fixture()
def people(hs):
    """Six contacts tagged with a marker of their own (jobtitle), varied for filtering."""
    marker = f"tag-{uuid.uuid4().hex[:8]}"
    rows = [
        {
            "firstname": "Ada",
            "company": "Acme Corp",
            "associatedcompanyid": "10",
            "numemployees": "1-5",
            "lifecyclestage": "lead",
        },
        {
            "firstname": "Bo",
            "company": "Acme Labs",
            "associatedcompanyid": "20",
            "numemployees": "5-25",
            "lifecyclestage": "marketingqualifiedlead",
        },
        {"firstname": "Cy", "company": "Globex", "associatedcompanyid": "30", "lifecyclestage": "lead"},
        {"firstname": "Di", "company": "Initech", "lifecyclestage": "customer"},
        {"firstname": "Ed", "company": "Acme", "associatedcompanyid": "50"},
        {
            "firstname": "Flo",
            "company": "Hooli",
            "associatedcompanyid": "100",
            "lifecyclestage": "opportunity",
        },
    ]
    inputs = [
        SimplePublicObjectBatchInputForCreate(
            properties={"email": f"{p['firstname'].lower()}.{marker}@search.example", "jobtitle": marker, **p}
        )
        for p in rows
    ]
    made = hs.crm.objects.batch_api.create(
        "contacts", BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
    ).results
    return marker, sorted(made, key=lambda r: int(r.id))


def _search(hs, marker, *filters, groups=None, **kw):
    mine = Filter(property_name="jobtitle", operator="EQ", value=marker)
    if groups is None:
        groups = [FilterGroup(filters=[mine, *filters])]
    else:
        groups = [FilterGroup(filters=[mine, *g]) for g in groups]
    request = PublicObjectSearchRequest(
        filter_groups=groups, properties=["firstname"], limit=kw.pop("limit", 100), **kw
    )
    return hs.crm.objects.search_api.do_search("contacts", request)


def _names(answer) -> list[str]:
    return [r.properties["firstname"] for r in answer.results]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (Filter(property_name="firstname", operator="EQ", value="ada"), ["Ada"]),  # case-insensitive
        (Filter(property_name="lifecyclestage", operator="NEQ", value="lead"), ["Bo", "Di", "Ed", "Flo"]),
        (Filter(property_name="associatedcompanyid", operator="GT", value="20"), ["Cy", "Ed", "Flo"]),
        (Filter(property_name="associatedcompanyid", operator="GTE", value="20"), ["Bo", "Cy", "Ed", "Flo"]),
        (Filter(property_name="associatedcompanyid", operator="LT", value="30"), ["Ada", "Bo"]),
        (Filter(property_name="associatedcompanyid", operator="LTE", value="30"), ["Ada", "Bo", "Cy"]),
        (
            Filter(property_name="associatedcompanyid", operator="BETWEEN", value="15", high_value="50"),
            ["Bo", "Cy", "Ed"],
        ),
        (
            Filter(property_name="lifecyclestage", operator="IN", values=["customer", "opportunity"]),
            ["Di", "Flo"],
        ),
        (
            Filter(property_name="lifecyclestage", operator="NOT_IN", values=["lead"]),
            ["Bo", "Di", "Ed", "Flo"],
        ),
        (Filter(property_name="numemployees", operator="HAS_PROPERTY"), ["Ada", "Bo"]),
        (Filter(property_name="associatedcompanyid", operator="NOT_HAS_PROPERTY"), ["Di"]),
        (Filter(property_name="company", operator="CONTAINS_TOKEN", value="acme"), ["Ada", "Bo", "Ed"]),
        (Filter(property_name="company", operator="CONTAINS_TOKEN", value="glob*"), ["Cy"]),
    ],
)
def test_filter_operators(hs, people, flt, expected):
    marker, _ = people
    answer = _search(hs, marker, flt)
    assert sorted(_names(answer)) == expected
    assert answer.total == len(expected)


def test_filter_groups_are_ored(hs, people):
    marker, _ = people
    answer = _search(
        hs,
        marker,
        groups=[
            [Filter(property_name="firstname", operator="EQ", value="Ada")],
            [Filter(property_name="company", operator="EQ", value="Hooli")],
        ],
    )
    assert sorted(_names(answer)) == ["Ada", "Flo"]


def test_sorts_paging_and_total(hs, people):
    marker, made = people
    seen, after = [], None
    while True:
        answer = _search(
            hs,
            marker,
            limit=4,
            after=after,
            sorts=[{"propertyName": "associatedcompanyid", "direction": "DESCENDING"}],
        )
        assert answer.total == 6
        seen += _names(answer)
        if answer.paging is None:
            break
        after = answer.paging.next.after
    assert seen == ["Flo", "Ed", "Cy", "Bo", "Ada", "Di"]  # records without a value come last
    by_default = _search(hs, marker)
    assert [r.id for r in by_default.results] == [r.id for r in made]  # id order


def test_modification_time_window_and_sort(hs, people):
    marker, made = people
    low = made[2].properties["lastmodifieddate"]
    answer = _search(
        hs,
        marker,
        Filter(property_name="lastmodifieddate", operator="GTE", value=low),
        sorts=["-lastmodifieddate"],
    )
    assert [r.id for r in answer.results] == [r.id for r in reversed(made[2:])]


def test_search_answers_carry_no_rate_limit_headers(hs, people):
    marker, _ = people
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name="jobtitle", operator="EQ", value=marker)])],
        limit=1,
    )
    answer, status, headers = hs.crm.objects.search_api.do_search_with_http_info("contacts", request)
    assert status == 200 and answer.total == 6 and len(answer.results) == 1
    assert answer.paging.next.after == "1"
    assert not [h for h in headers if h.lower().startswith("x-hubspot-ratelimit")]


@pytest.mark.parametrize(
    ("request_body", "fragment"),
    [
        ({"after": "10000", "limit": 10}, "10000"),
        ({"limit": 201}, "limit"),
        ({"filterGroups": [{"filters": [{"propertyName": "nope", "operator": "EQ", "value": "x"}]}]}, "nope"),
        (
            {
                "filterGroups": [
                    {"filters": [{"propertyName": "associatedcompanyid", "operator": "GT", "value": "abc"}]}
                ]
            },
            "associatedcompanyid",
        ),
        ({"filterGroups": [{"filters": []}] * 6}, "filterGroups"),
    ],
)
def test_bad_searches_are_400(hs, request_body, fragment):
    with pytest.raises(ApiException) as err:
        hs.crm.objects.search_api.do_search("contacts", request_body)
    assert err.value.status == 400
    detail = json.loads(err.value.body)
    assert detail["category"] == "VALIDATION_ERROR" and fragment in detail["message"]


def test_search_past_ten_thousand_results_answers_400(fresh_sandbox):
    box = fresh_sandbox
    box.apps["hubspot"].load(
        "notes",
        [
            {"properties": {"hs_note_body": f"n{i}", "hs_timestamp": "2026-01-01T00:00:00.000Z"}}
            for i in range(10_050)
        ],
    )
    hs = HubSpot(
        access_token=box.token("hubspot"),
        host=box.url("hubspot"),
        ssl_ca_cert=str(box.ca_path),
        client_side_validation=True,
    )
    api = hs.crm.objects.search_api
    last = api.do_search("notes", PublicObjectSearchRequest(filter_groups=[], limit=200, after="9800"))
    assert last.total == 10_050 and len(last.results) == 200
    assert last.paging.next.after == "10000"
    with pytest.raises(ApiException) as err:
        api.do_search("notes", PublicObjectSearchRequest(filter_groups=[], limit=200, after="10000"))
    assert err.value.status == 400
