"""The connectors under the sandbox's faults: reads get through, writes land once, sessions renew."""

from __future__ import annotations

import pytest

from connectors.errors import AuthenticationError
from connectors.hubspot import HubSpotConfig
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.sink import HubSpotSink
from connectors.salesforce import SalesforceConfig
from connectors.salesforce.sink import SalesforceSink
from connectors.salesforce.source import SalesforceSource
from connectors.sandbox import FaultPlan, Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate

FAST = SandboxSettings(hubspot_requests_per_10s=10_000, hubspot_search_per_second=1_000)


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("connector-faults"), settings=FAST) as sandbox:
        SandboxAdmin(sandbox.directory).load(generate(people=200, seed=5))
        yield sandbox


@pytest.fixture(autouse=True)
def no_faults(box):
    yield
    for vendor in ("salesforce", "hubspot"):
        box.set_faults(vendor, FaultPlan())


def sf_config(box: Sandbox, login: bool = True) -> SalesforceConfig:
    client = box.salesforce_client() if login else {}
    return SalesforceConfig(
        instance_url=box.url("salesforce"),
        session_id=box.token("salesforce"),
        ca_bundle=str(box.ca_path),
        client_id=client.get("client_id"),
        client_secret=client.get("client_secret"),
    )


def hs_config(box: Sandbox) -> HubSpotConfig:
    return HubSpotConfig(
        access_token=box.token("hubspot"), base_url=box.url("hubspot"), ca_bundle=str(box.ca_path)
    )


def leads(source: SalesforceSource) -> list[tuple]:
    return sorted((r["Id"], r["Email"]) for r in source.query("SELECT Id, Email FROM Lead"))


def test_salesforce_reads_survive_limits_resets_and_expired_sessions(box):
    expected = leads(SalesforceSource(sf_config(box)))
    tokens = len(box.tokens("salesforce"))
    box.set_faults(
        "salesforce",
        FaultPlan(seed=7, rate_429=0.2, rate_503=0.05, rate_drop=0.02, rate_reset=0.05, rate_expire=0.1),
    )
    source = SalesforceSource(sf_config(box))
    got = [leads(source) for _ in range(25)]
    assert all(g == expected for g in got)
    counts = box.fault_counts["salesforce"]
    assert counts["expire"] and counts["429"] and counts["reset"]
    assert len(box.tokens("salesforce")) > tokens  # each expiry bought a new session


def test_without_client_credentials_an_expired_session_is_final(box):
    box.set_faults("salesforce", FaultPlan(rate_expire=1.0))
    with pytest.raises(AuthenticationError, match="INVALID_SESSION_ID"):
        SalesforceSource(sf_config(box, login=False)).count("Lead")


def test_wrong_client_credentials_fail_clearly(box):
    box.set_faults("salesforce", FaultPlan(rate_expire=1.0))
    config = sf_config(box)
    wrong = SalesforceConfig(
        instance_url=config.instance_url,
        session_id=config.session_id,
        ca_bundle=config.ca_bundle,
        client_id=config.client_id,
        client_secret="not-the-secret",
    )
    with pytest.raises(AuthenticationError, match="logging in again failed"):
        SalesforceSource(wrong).count("Lead")


def _update(sink, obj: str, rows: dict[str, dict]):
    from flows.writeback import _update

    return _update(sink, obj, rows, attempts=4, backoff=0.01)


def test_salesforce_writes_cut_off_are_read_back_not_sent_twice(box):
    source = SalesforceSource(sf_config(box))
    ids = [r["Id"] for r in source.query("SELECT Id FROM Lead WHERE IsConverted = false LIMIT 30")]
    sink = SalesforceSink(sf_config(box))
    sink.ensure_fields("Lead")
    admin = SandboxAdmin(box.directory)
    admin.clear_counts()
    box.set_faults("salesforce", FaultPlan(seed=3, rate_reset=0.3, rate_429=0.1))
    rows = {rid: {"Id": rid, "Lead_Score__c": 17} for rid in ids[:10]}
    for start in range(0, 10, 2):  # five calls of two: some answers cut off
        part = dict(list(rows.items())[start : start + 2])
        results, _ = _update(sink, "Lead", part)
        assert all(r.ok for r in results.values()), results
    assert box.fault_counts["salesforce"]["reset"] >= 1
    writes = admin.writes("salesforce")
    assert {key: n for key, n in writes.items() if key[2] == "Lead_Score__c"} == {
        ("Lead", rid, "Lead_Score__c"): 1 for rid in rows
    }


def test_hubspot_writes_cut_off_are_read_back_not_sent_twice(box):
    client = HubSpotClient(hs_config(box))
    sink = HubSpotSink(hs_config(box), client=client)
    sink.ensure_properties("contacts")
    page = client.send(client.objects.get_page, "contacts", limit=12)
    ids = [item["id"] for item in page["results"]]
    admin = SandboxAdmin(box.directory)
    admin.clear_counts()
    box.set_faults("hubspot", FaultPlan(seed=4, rate_reset=0.3, rate_429=0.1))
    for start in range(0, 12, 3):
        rows = {rid: {"id": rid, "properties": {"leadflow_score": "23"}} for rid in ids[start : start + 3]}
        results, _ = _update(sink, "contacts", rows)
        assert all(r.ok for r in results.values()), results
    assert box.fault_counts["hubspot"]["reset"] >= 1
    assert admin.writes("hubspot") == {("contacts", rid, "leadflow_score"): 1 for rid in ids}
