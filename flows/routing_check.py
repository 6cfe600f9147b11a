"""The routing file (dbt_project/routing.yml) checked in Python, each mistake with its line.

The same rules as the dbt macro `routing_checked` (macros/routing_config.sql), which stops a
build at the first mistake; this reports them all, with the line of the entry or key.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from flows.rules_check import Problem

RULE_TYPES = ("sticky", "account_owner", "territory", "segment", "round_robin")
ROTATIONS = ("territory", "segment", "round_robin")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
TOP = ("rules", "teams", "segments", "owners", "business_hours", "sla")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]|24:00")


class Located:
    """The parsed file and the line of every entry and key (by path: ('rules', 3, 'type'))."""

    def __init__(self, text: str):
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        self.value = yaml.safe_load(text) if node is not None else {}
        self.lines: dict[tuple, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node, path: tuple) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.lines[(*path, key.value)] = key.start_mark.line + 1
                self._walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def line(self, path: tuple) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


class Checker:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []
        try:
            self.doc = Located(path.read_text())
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            self.fail((), "", f"not YAML: {getattr(err, 'problem', err)}", mark.line + 1 if mark else 1)
            self.doc = None

    def fail(self, at: tuple, where: str, message: str, line: int | None = None) -> None:
        line = line or self.doc.line(at)
        self.problems.append(Problem(str(self.path), line, f"{where}: {message}" if where else message))

    def keys(self, at: tuple, where: str, entry, allowed) -> bool:
        if not isinstance(entry, dict):
            self.fail(at, where, "expected a mapping of keys")
            return False
        for key in entry:
            if key not in allowed:
                self.fail((*at, key), where, f"unknown key {key} (known: {', '.join(allowed)})")
        return True

    def names(self, at: tuple, where: str, value) -> list[str]:
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.fail(at, where, "expected a list of names")
            return []
        good = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                self.fail(at, where, f"expected names, got {item}")
            else:
                good.append(item.strip())
        return good

    def number(self, at: tuple, where: str, value, whole: bool = False):
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value < 0
            or (whole and value != int(value))
        ):
            kind = "whole " if whole else ""
            self.fail(at, where, f"expected a {kind}number of 0 or more, got {value}")
            return None
        return value

    def time(self, at: tuple, where: str, value, default: str) -> str:
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value // 60:02d}:{value % 60:02d}"  # unquoted 17:00 is 1020 minutes in YAML
        if not isinstance(value, str) or not TIME.fullmatch(value):
            self.fail(at, where, f"expected a time HH:MM, got {value}")
            return default
        return value

    def hours(self, at: tuple, where: str, entry, default: dict) -> dict:
        if entry is None or not self.keys(at, where, entry, ("days", "start", "end", "time_zone")):
            return default
        days = (
            self.names((*at, "days"), f"{where}: days", entry["days"]) if "days" in entry else default["days"]
        )
        for day in days:
            if day not in DAYS:
                self.fail((*at, "days"), f"{where}: days", f"{day} is not one of {', '.join(DAYS)}")
        start = self.time((*at, "start"), f"{where}: start", entry.get("start"), default["start"])
        end = self.time((*at, "end"), f"{where}: end", entry.get("end"), default["end"])
        if start >= end:
            self.fail(at, where, f"start {start} is not before end {end}")
        return {"days": days, "start": start, "end": end}

    def twice(self, kind: str, names: list) -> None:
        for index, name in enumerate(names):
            if name is not None and name in names[:index]:
                self.fail((kind, index), kind, f"{name} appears twice")


def check_routing(path: Path) -> list[Problem]:
    """Every mistake of the routing file, in file order."""
    from flows.routing_entries import check_entries

    checker = Checker(path)
    if checker.doc is None:
        return checker.problems
    parsed = checker.doc.value
    if parsed is None:
        parsed = {}
    if not isinstance(parsed, dict):
        checker.fail((), "", "expected keys rules, teams, ...")
        return checker.problems
    checker.keys((), "top level", parsed, TOP)
    check_entries(checker, parsed)
    return sorted(checker.problems, key=lambda p: p.line)
