"""Salesforce record ids: 15 case-sensitive characters plus the 3-character checksum suffix."""

from __future__ import annotations

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "Lead": "00Q",
    "Task": "00T",
    "Event": "00U",
    "OpportunityContactRole": "00K",
    "Campaign": "701",
    "CampaignMember": "00v",
    "LeadHistory": "017",
    "Organization": "00D",
    "CustomField": "00N",
}
POD = "5g"  # the instance part of an id, constant in one org


def checksum(id15: str) -> str:
    """The suffix that makes an id case-insensitive: one character per 5-character chunk."""
    out = []
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(_SUFFIX[bits])
    return "".join(out)


def make_id(prefix: str, number: int) -> str:
    """The 18-character id of the `number`-th record with key prefix `prefix`."""
    digits = []
    for _ in range(9):
        number, rem = divmod(number, 62)
        digits.append(BASE62[rem])
    id15 = f"{prefix}{POD}0{''.join(reversed(digits))}"
    return id15 + checksum(id15)


def object_id(obj: str, number: int) -> str:
    return make_id(KEY_PREFIXES[obj], number)


def to18(rid: str) -> str:
    """Accept a 15- or 18-character id and return the 18-character form."""
    return rid if len(rid) == 18 else rid + checksum(rid)


def is_valid(rid: str) -> bool:
    return len(rid) == 18 and rid[15:] == checksum(rid[:15]) and all(c in BASE62 for c in rid[:15])
