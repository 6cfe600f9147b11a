"""What a connector hands to the loader and gets back from a write: vendor-neutral shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RawRecord:
    """One record as the API returned it, with the three facts the raw layer keys on."""

    id: str
    modified_at: datetime | None
    is_deleted: bool
    record: dict


@dataclass(frozen=True)
class WriteResult:
    """The vendor's answer for one record of a write: ok, or the error code and message."""

    record_id: str
    ok: bool
    code: str = ""
    message: str = ""
    fields: tuple[str, ...] = field(default_factory=tuple)
    retryable: bool = False


@dataclass(frozen=True)
class Page:
    """A page of records and the watermark that becomes safe once the page is stored.

    Reads in modification order give a checkpoint on every page; reads in any other order
    (a first full pull listed by id) give one only on their last page.
    """

    records: list[RawRecord]
    checkpoint: datetime | None = None
    # Where an interrupted read picks up again (stored with the page; cleared at the end).
    resume: dict | None = None
