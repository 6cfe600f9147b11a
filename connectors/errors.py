"""Errors a connector raises: one base class, the vendor's code and message kept."""

from __future__ import annotations


class ConnectorError(Exception):
    """A vendor call failed; `vendor`, `status` and `code` say how."""

    def __init__(self, vendor: str, message: str, status: int | None = None, code: str = ""):
        super().__init__(f"{vendor}: {message}" + (f" [{code}]" if code else ""))
        self.vendor = vendor
        self.status = status
        self.code = code


class AuthenticationError(ConnectorError):
    """The token was refused (Salesforce INVALID_SESSION_ID, HubSpot 401)."""


class BudgetExhausted(ConnectorError):
    """The API budget left is below leadflow's reserve: stop cleanly, resume next run."""


class CertificateError(ConnectorError):
    """The server's certificate is not signed by a trusted CA, or names another host: final."""
