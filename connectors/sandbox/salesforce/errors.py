"""Salesforce-shaped errors: a JSON list of {message, errorCode, fields}, or per record in collections."""

from __future__ import annotations

from ..web import Response

NOT_FOUND_MESSAGE = "The requested resource does not exist"
SESSION_MESSAGE = "Session expired or invalid"


class SalesforceError(Exception):
    """One error the API reports; `fatal` ones fail a whole collection call, not just one record."""

    def __init__(
        self,
        code: str,
        message: str,
        fields: list[str] | tuple[str, ...] = (),
        status: int = 400,
        fatal: bool = False,
    ):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fields = list(fields)
        self.status = status
        self.fatal = fatal

    def item(self) -> dict:
        """The entry of a single-record answer's error list."""
        return {"message": self.message, "errorCode": self.code, "fields": self.fields}

    def record_item(self) -> dict:
        """The entry of a collection result's `errors` (they say statusCode, not errorCode)."""
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}

    def response(self) -> Response:
        return Response.json([self.item()], self.status)


def error_response(status: int, code: str, message: str) -> Response:
    """An error list without `fields`, as Salesforce answers for auth, limits and routing."""
    return Response.json([{"message": message, "errorCode": code}], status)


def not_found() -> SalesforceError:
    return SalesforceError("NOT_FOUND", NOT_FOUND_MESSAGE, status=404)


def invalid_field(message: str, fields: list[str] | tuple[str, ...] = ()) -> SalesforceError:
    return SalesforceError("INVALID_FIELD", message, fields)


def json_error(message: str) -> SalesforceError:
    return SalesforceError("JSON_PARSER_ERROR", message, fatal=True)
