"""JSON in and out of the store and the wire: orjson where installed (Prefect brings it), else json.

Both write compact JSON that any client reads the same; orjson writes non-ASCII as UTF-8 instead
of `\\u` escapes. What orjson refuses to write (integers past 64 bits, which it would also read
back as floats) goes through json, and the text written so starts with a space: `loads` sees it
and reads that text with json too.
"""

from __future__ import annotations

import json

try:
    import orjson
except ImportError:  # pragma: no cover - the plain path
    orjson = None


def _plain(obj) -> bytes:
    return b" " + json.dumps(obj, separators=(",", ":")).encode()


if orjson is not None:
    _OPTIONS = orjson.OPT_NON_STR_KEYS

    def dumps(obj) -> bytes:
        """Compact JSON as UTF-8 bytes."""
        try:
            return orjson.dumps(obj, option=_OPTIONS)
        except TypeError:
            return _plain(obj)

    def loads(text: str | bytes):
        """A JSON document that `dumps` wrote."""
        if text[:1] in (" ", b" "):
            return json.loads(text)
        return orjson.loads(text)

else:  # pragma: no cover
    loads = json.loads
    dumps = _plain


def dumps_text(obj) -> str:
    """Compact JSON as text (what the store keeps)."""
    return dumps(obj).decode()
