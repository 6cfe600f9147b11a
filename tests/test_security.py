"""Security: TLS verification is never off, and SOQL is built only by quoting values.

Tokens kept out of logs, artifacts, exceptions and DuckDB: tests/test_secrets.py and
tests/test_artifacts.py. The write-back allow-list: tests/test_writeback.py. Wrong tokens
refused by the sandbox as by the vendors: tests/sandbox/test_wrong_tokens.py.
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pytest
import requests
from hubspot import HubSpot
from simple_salesforce import Salesforce

from connectors.errors import CertificateError, ConnectorError
from connectors.sandbox import Sandbox, SandboxSettings
from tests import clients

ROOT = Path(__file__).resolve().parent.parent
# The code that runs in production (and the benchmarks, which point the same code at the sandbox).
PRODUCTION = [ROOT / "flows", ROOT / "connectors", ROOT / "bench"]
NOT_SANDBOX = [p for p in PRODUCTION if p.name != "bench"]
TLS_OFF = re.compile(
    r"verify\s*=\s*False|\.verify\s*=\s*(False|0|None)\b|CERT_NONE|check_hostname\s*=\s*False"
    r"|verify_ssl\s*=\s*False|_create_unverified_context|disable_warnings|PYTHONHTTPSVERIFY"
    r"|assert_hostname\s*=\s*False|cert_reqs\s*=\s*['\"]?(CERT_)?NONE"
)
SOQL = re.compile(r"\b(SELECT|WHERE|FROM|ORDER BY|LIMIT|IN)\b")
FAST = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)


def python_files(folders: list[Path]) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


# --- TLS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "session.verify = False",
        "requests.get(url, verify=False)",
        "ctx.verify_mode = ssl.CERT_NONE",
        "ctx.check_hostname = False",
        "configuration.verify_ssl = False",
        "urllib3.disable_warnings()",
        "ssl._create_unverified_context()",
        "PoolManager(cert_reqs='CERT_NONE')",
    ],
)
def test_the_tls_scan_catches_every_way_to_turn_verification_off(line):
    assert TLS_OFF.search(line)


def test_production_code_never_turns_tls_verification_off():
    files = python_files(PRODUCTION)
    assert len(files) > 50
    found = [
        f"{path.relative_to(ROOT)}:{number}: {text.strip()}"
        for path in files
        for number, text in enumerate(path.read_text().splitlines(), start=1)
        if TLS_OFF.search(text)
    ]
    assert found == []
    # Trust is configured, never bypassed: the CA bundle reaches both clients.
    assert (
        "session.verify = config.ca_bundle or True" in (ROOT / "connectors/salesforce/client.py").read_text()
    )
    assert "ssl_ca_cert=config.ca_bundle" in (ROOT / "connectors/hubspot/client.py").read_text()


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("security"), settings=FAST) as sandbox:
        sf = clients.salesforce(sandbox)
        sf.Lead.create({"LastName": "Plain", "Company": "Acme"})
        sf.Lead.create({"LastName": EVIL, "Company": "Acme"})
        yield sandbox


def test_the_vendor_clients_without_the_sandbox_ca_are_refused(box):
    session = requests.Session()
    session.trust_env = False  # verify stays True: the system's CAs, which never signed the sandbox
    sf = Salesforce(
        instance_url=box.url("salesforce"),
        session_id=box.token("salesforce"),
        session=session,
        version="59.0",
    )
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        sf.query("SELECT Id FROM Lead")
    hs = HubSpot(access_token=box.token("hubspot"), host=box.url("hubspot"))
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        hs.crm.contacts.basic_api.get_page(limit=1)
    # The same calls with the CA answer: it is the trust that failed, nothing else.
    assert clients.salesforce(box).query("SELECT Id FROM Lead")["totalSize"] == 2
    assert clients.hubspot(box).crm.contacts.basic_api.get_page(limit=1).results == []


def test_leadflow_without_the_ca_fails_at_once_and_is_not_retried(box, monkeypatch):
    from connectors.hubspot.client import HubSpotClient
    from connectors.salesforce.client import call, connect
    from flows.settings import load_settings

    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("LEADFLOW_CA_BUNDLE")  # production's default: the system's CAs
    settings = load_settings()
    assert settings.ca_bundle is None
    started = time.monotonic()
    sf = connect(settings.salesforce())
    with pytest.raises(CertificateError, match="CERTIFICATE_VERIFY_FAILED"):
        call(lambda: sf.query("SELECT Id FROM Lead"))
    hubspot = HubSpotClient(settings.hubspot())
    with pytest.raises(CertificateError, match="CERTIFICATE_VERIFY_FAILED"):
        hubspot.send(hubspot.properties.get_all, "contacts")
    # Both clients' retries (and leadflow's) used to spend 150 s on it; trust never comes back.
    assert time.monotonic() - started < 10


def test_an_extract_without_the_ca_fails_and_lands_nothing(box, monkeypatch, tmp_path, prefect_harness):
    import duckdb

    from flows.extract import extract

    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("LEADFLOW_CA_BUNDLE")
    path = tmp_path / "lf.duckdb"
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    started = time.monotonic()
    state = extract(objects=["Lead", "contacts"], return_state=True)
    assert state.is_failed()
    assert "certificate" in state.message.lower() or "CERTIFICATE" in str(
        state.result(raise_on_failure=False)
    )
    assert time.monotonic() - started < 60  # a certificate is not retried like a 503
    with duckdb.connect(str(path)) as con:
        landed = con.execute("select count(*) from ops.watermarks").fetchone()[0]
    assert landed == 0


# --- SOQL ---------------------------------------------------------------------------------------

EVIL = "O'Brien\\' OR LastName != 'x' -- %_ \"; DELETE"


def _spliced_soql(path: Path) -> list[str]:
    """SOQL text made by an f-string, `%` or `.format`: a value would be spliced in unquoted."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        text, line = None, getattr(node, "lineno", 0)
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
        ):
            text = str(node.left.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)
        ):
            text = str(node.func.value.value)
        if text and SOQL.search(text):
            found.append(f"{path.name}:{line}: {text.strip()[:60]}")
    return found


def test_the_soql_scan_catches_splicing(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "a = f\"SELECT Id FROM Lead WHERE Email = '{email}'\"\n"
        "b = \"SELECT Id FROM Lead WHERE Name = '%s'\" % name\n"
        "c = \"SELECT Id FROM {} WHERE Id = '{}'\".format(obj, rid)\n"
        'd = f"select id from main.people where email = ?"  # DuckDB, lower case: not SOQL\n'
    )
    assert len(_spliced_soql(sample)) == 3


def test_production_soql_is_never_spliced():
    files = [p for p in python_files(NOT_SANDBOX) if "sandbox" not in p.parts]
    assert not [hit for path in files for hit in _spliced_soql(path)]
    assert sum("format_soql(" in p.read_text() for p in files) >= 2  # the source and the sink


def test_a_metacharacter_value_in_a_filter_round_trips_without_injection(box, monkeypatch):
    from connectors.salesforce.sink import SalesforceSink
    from connectors.salesforce.source import SalesforceSource
    from flows.settings import load_settings

    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    config = load_settings().salesforce()
    source = SalesforceSource(config)
    template = "SELECT Id, LastName FROM Lead WHERE LastName = {}"
    found = source.query(template, EVIL)
    assert [r["LastName"] for r in found] == [EVIL]  # exactly the lead holding that text
    for attempt in ("x' OR LastName != 'x", "x\\' OR LastName != \\'x", "Plain' OR '1'='1"):
        assert source.query(template, attempt) == []  # the value is a value, never SOQL
    # The write-back's read-back filters on ids from the queue: a crafted id finds nothing.
    sink = SalesforceSink(config)
    try:
        read = sink.read_fields("Lead", ["00Q' OR LastName != '"], ["LastName"])
    except ConnectorError as err:  # refused as a malformed id: no record either
        assert err.status == 400, err
    else:
        assert read == {}
