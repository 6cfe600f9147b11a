"""HubSpot-shaped error answers: status, message, correlationId, category, and the odd extra."""

from __future__ import annotations

import json
import uuid

from ..web import HTTPError, Response

AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


def correlation_id() -> str:
    return str(uuid.uuid4())


def body(message: str, category: str, **extra) -> dict:
    """The error object HubSpot answers with; `extra` adds context, errors, subCategory..."""
    out = {"status": "error", "message": message, "correlationId": correlation_id(), "category": category}
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def answer(status: int, message: str, category: str, headers: dict | None = None, **extra) -> Response:
    return Response.json(body(message, category, **extra), status, headers)


def fail(status: int, message: str, category: str, **extra) -> HTTPError:
    """An exception to raise from a handler; the app turns it into the answer."""
    return HTTPError(answer(status, message, category, **extra))


def bad_request(message: str, **extra) -> HTTPError:
    return fail(400, message, "VALIDATION_ERROR", **extra)


def not_found(message: str, **extra) -> HTTPError:
    return fail(404, message, "OBJECT_NOT_FOUND", **extra)


def unauthorized() -> Response:
    return answer(401, AUTH_MESSAGE, "INVALID_AUTHENTICATION")


def expired() -> Response:
    return answer(
        401, "The OAuth token used to make this call expired 2 minute(s) ago.", "EXPIRED_AUTHENTICATION"
    )


def invalid_properties(problems: list[dict]) -> HTTPError:
    """One or more bad property values: HubSpot nests the details as JSON text in `message`."""
    text = json.dumps(problems, separators=(",", ":"))
    return bad_request(f"Property values were not valid: {text}")


def problem(name: str, code: str, message: str) -> dict:
    """One entry of the `Property values were not valid` list."""
    return {
        "isValid": False,
        "message": message,
        "error": code,
        "name": name,
        "localizedErrorMessage": message,
    }


def batch_error(category: str, message: str, status: str = "error", **context) -> dict:
    """An entry of a 207 answer's `errors` (the client requires every key of StandardError)."""
    return {
        "status": status,
        "category": category,
        "message": message,
        "context": {k: list(v) for k, v in context.items()},
        "errors": [],
        "links": {},
    }
