"""The real vendor clients pointed at a sandbox: only the URL, the token and the CA differ."""

from __future__ import annotations

import requests
from hubspot import HubSpot
from simple_salesforce import Salesforce
from urllib3.util.retry import Retry

from connectors.sandbox import Sandbox


def salesforce(box: Sandbox, token: str | None = None) -> Salesforce:
    """simple-salesforce with a session trusting the sandbox's CA (trust_env off: see API notes)."""
    session = requests.Session()
    session.verify, session.trust_env = str(box.ca_path), False
    return Salesforce(
        instance_url=box.url("salesforce"),
        session_id=token or box.token("salesforce"),
        session=session,
        version="59.0",
    )


def hubspot(
    box: Sandbox, token: str | None = None, validate: bool = False, retry: Retry | None = None
) -> HubSpot:
    """hubspot-api-client; `validate` makes its generated models check every answer."""
    options = {"client_side_validation": True} if validate else {}
    if retry is not None:
        options["retry"] = retry
    return HubSpot(
        access_token=token or box.token("hubspot"),
        host=box.url("hubspot"),
        ssl_ca_cert=str(box.ca_path),
        **options,
    )


def own_hubspot_token(box: Sandbox) -> str:
    """A new token the sandbox accepts: its rate-limit windows are its own."""
    token = box.apps["hubspot"].issue_token()
    box.add_token("hubspot", token)
    return token
