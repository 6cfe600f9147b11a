"""TLS trust: a certificate no trusted CA signs is a final answer, never tried again."""

from __future__ import annotations

import ssl

from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry


def is_certificate_error(err: BaseException | None) -> bool:
    """Whether `err` comes of a failed certificate check (an unknown issuer, another host's name)."""
    seen: set[int] = set()
    stack = [err]
    while stack:
        e = stack.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ssl.SSLCertVerificationError):
            return True
        stack += [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
    return False


class TrustRetry(Retry):
    """urllib3's Retry, except that a failed certificate check stops at once: no retry can fix trust."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if is_certificate_error(error):
            raise MaxRetryError(_pool, url, error) from error
        return super().increment(method, url, response, error, _pool, _stacktrace)
