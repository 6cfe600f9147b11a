"""Session ids, and the OAuth client-credentials flow that hands out new ones."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from ..app import SALESFORCE_CLIENT_KEY
from ..web import Request, Response
from . import ids
from .writes import API_USER_ID

if TYPE_CHECKING:
    from .app import SalesforceApp

ORG_ID = ids.make_id(ids.KEY_PREFIXES["Organization"], 1)
CLIENT_KEY = SALESFORCE_CLIENT_KEY  # {"client_id": ..., "client_secret": ...} for client_credentials
_TOKEN_CHARS = string.ascii_letters + string.digits + "._"


def new_session_id() -> str:
    """An id shaped like Salesforce's: the org id (15), '!', then an opaque part."""
    return f"{ORG_ID[:15]}!AQ" + "".join(secrets.choice(_TOKEN_CHARS) for _ in range(96))


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return Response.json({"error": error, "error_description": description}, status)


def token_endpoint(app: SalesforceApp, req: Request) -> Response:
    """POST /services/oauth2/token with grant_type=client_credentials (form body)."""
    if req.method != "POST":
        return _oauth_error("invalid_request", "must use HTTP POST", 405)
    form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    client = app.store.get_value(CLIENT_KEY) or {}
    given_id, given_secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client or not (
        hmac.compare_digest(given_id, str(client.get("client_id", "")))
        and hmac.compare_digest(given_secret, str(client.get("client_secret", "")))
    ):
        return _oauth_error("invalid_client", "invalid client credentials")
    token = new_session_id()
    app.sandbox.add_token(app.name, token)
    issued_at = str(app.clock.now_ms())
    identity = f"https://login.salesforce.com/id/{ORG_ID}/{API_USER_ID}"
    digest = hmac.new(given_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
    return Response.json(
        {
            "access_token": token,
            "instance_url": app.sandbox.url(app.name),
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": base64.b64encode(digest).decode(),
        }
    )
