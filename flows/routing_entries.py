"""The routing file's sections checked entry by entry (rules, teams, segments, owners, sla)."""

from __future__ import annotations

import re

from flows.routing_check import DAYS, EMAIL, ROTATIONS, RULE_TYPES, Checker

ALWAYS = {"days": list(DAYS), "start": "00:00", "end": "24:00"}


def check_entries(c: Checker, parsed: dict) -> None:
    hours = c.hours(("business_hours",), "business_hours", parsed.get("business_hours"), ALWAYS)
    zone = (
        (parsed.get("business_hours") or {}).get("time_zone")
        if isinstance(parsed.get("business_hours"), dict)
        else None
    )
    if zone is not None and not isinstance(zone, str):
        c.fail(
            ("business_hours", "time_zone"), "business_hours: time_zone", "expected an IANA time zone name"
        )
    segments = _segments(c, _list(c, parsed, "segments"))
    teams = _teams(c, _list(c, parsed, "teams"))
    rules = _rules(c, _list(c, parsed, "rules"), teams, segments)
    owners = _owners(c, _list(c, parsed, "owners"), hours)
    _sla(c, parsed.get("sla") or {})
    for kind, names in (("rules", rules), ("teams", teams), ("segments", segments), ("owners", owners)):
        c.twice(kind, names)


def _list(c: Checker, parsed: dict, key: str) -> list:
    value = parsed.get(key) or []
    if not isinstance(value, list):
        c.fail((key,), key, "expected a list of entries")
        return []
    return value


def _name(c: Checker, at: tuple, where: str, entry: dict) -> str | None:
    if not isinstance(entry.get("name"), str):
        c.fail(at, where, "name is missing")
        return None
    return entry["name"]


def _segments(c: Checker, entries: list) -> list:
    names = []
    for index, entry in enumerate(entries):
        at, where = ("segments", index), f"segments[{index}]"
        if not c.keys(at, where, entry, ("name", "min_employees", "max_employees")):
            names.append(None)
            continue
        name = _name(c, at, where, entry)
        where = f"{where} ({name})"
        low = c.number((*at, "min_employees"), f"{where}: min_employees", entry.get("min_employees"), True)
        high = c.number((*at, "max_employees"), f"{where}: max_employees", entry.get("max_employees"), True)
        if low is not None and high is not None and low > high:
            c.fail(at, where, "min_employees is above max_employees")
        names.append(name)
    return names


def _teams(c: Checker, entries: list) -> list:
    names = []
    for index, entry in enumerate(entries):
        at, where = ("teams", index), f"teams[{index}]"
        if not c.keys(at, where, entry, ("name", "members", "regions")):
            names.append(None)
            continue
        name = _name(c, at, where, entry)
        where = f"{where} ({name})"
        members = entry.get("members", "all")
        if members != "all":
            for email in c.names((*at, "members"), f"{where}: members", members):
                if not EMAIL.fullmatch(email.lower()):
                    c.fail((*at, "members"), f"{where}: members", f"{email} is not an email")
        c.names((*at, "regions"), f"{where}: regions", entry.get("regions"))
        names.append(name)
    return names


def _rules(c: Checker, entries: list, teams: list, segments: list) -> list:
    names = []
    for index, entry in enumerate(entries):
        at, where = ("rules", index), f"rules[{index}]"
        if not c.keys(at, where, entry, ("name", "type", "team", "regions", "countries", "segments")):
            names.append(None)
            continue
        name = _name(c, at, where, entry)
        names.append(name)
        where = f"{where} ({name})"
        kind = entry.get("type")
        if kind not in RULE_TYPES:
            c.fail((*at, "type"), f"{where}: type", f"expected one of {', '.join(RULE_TYPES)}, got {kind}")
            continue
        regions = c.names((*at, "regions"), f"{where}: regions", entry.get("regions"))
        countries = c.names((*at, "countries"), f"{where}: countries", entry.get("countries"))
        chosen = c.names((*at, "segments"), f"{where}: segments", entry.get("segments"))
        team = entry.get("team")
        if kind in ROTATIONS and team not in teams:
            c.fail((*at, "team"), f"{where}: team", f"expected a team of the file, got {team}")
        if kind not in ROTATIONS and (team or regions or countries or chosen):
            c.fail(at, where, f"a rule of type {kind} takes no team, regions, countries or segments")
        if kind == "territory" and not (regions or countries):
            c.fail(at, where, "a territory rule needs regions or countries")
        if kind == "segment" and not chosen:
            c.fail(at, where, "a segment rule needs segments")
        for segment in chosen:
            if segment not in segments:
                c.fail((*at, "segments"), f"{where}: segments", f"{segment} is not a segment of the file")
    return names


def _owners(c: Checker, entries: list, hours: dict) -> list:
    emails = []
    for index, entry in enumerate(entries):
        at, where = ("owners", index), f"owners[{index}]"
        allowed = ("email", "capacity", "weight", "time_zone", "holidays", "working_hours", "away")
        if not c.keys(at, where, entry, allowed):
            emails.append(None)
            continue
        email = str(entry.get("email") or "").strip().lower()
        if not EMAIL.fullmatch(email):
            c.fail((*at, "email"), where, "email is missing or not an email")
        emails.append(email or None)
        where = f"{where} ({email})"
        c.number((*at, "capacity"), f"{where}: capacity", entry.get("capacity"), True)
        weight = c.number((*at, "weight"), f"{where}: weight", entry.get("weight"))
        if weight == 0:
            c.fail(
                (*at, "weight"),
                f"{where}: weight",
                "must be above 0 (leave the owner out of the team instead)",
            )
        for key in ("time_zone", "holidays"):
            if entry.get(key) is not None and not isinstance(entry.get(key), str):
                c.fail((*at, key), f"{where}: {key}", "expected a name")
        _away(c, (*at, "away"), f"{where}: away", entry.get("away"))
        c.hours((*at, "working_hours"), f"{where}: working_hours", entry.get("working_hours"), hours)
    return emails


def _away(c: Checker, at: tuple, where: str, away) -> None:
    if away is None or isinstance(away, bool):
        return
    if not isinstance(away, list):
        c.fail(at, where, "expected true or a list of {from, until}")
        return
    for index, period in enumerate(away):
        here, spot = (*at, index), f"{where}[{index}]"
        if not c.keys(here, spot, period, ("from", "until")):
            continue
        start, end = (_date(c, (*here, k), f"{spot}: {k}", period.get(k)) for k in ("from", "until"))
        if start and end and start > end:
            c.fail(here, spot, "from is after until")


def _date(c: Checker, at: tuple, where: str, value) -> str | None:
    text = str(value)
    if value is None or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        c.fail(at, where, f"expected a date YYYY-MM-DD, got {value}")
        return None
    return text


def _sla(c: Checker, entry) -> None:
    if not c.keys(("sla",), "sla", entry, ("reroute", "max_reroutes", "reroute_within_days")):
        return
    if not isinstance(entry.get("reroute", True), bool):
        c.fail(("sla", "reroute"), "sla: reroute", "expected true or false")
    for key in ("max_reroutes", "reroute_within_days"):
        c.number(("sla", key), f"sla: {key}", entry.get(key), True)
