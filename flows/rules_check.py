"""The scoring rules (dbt seeds) checked before a build: every mistake with its file and line.

What a seed must hold is read from `seeds/_seeds.yml`, the file dbt tests them by: the columns
and their types (`column_types`), keys (`primary_key`), `not_null`, `accepted_values` and
`relationships`; a few rules the tests cannot say (signs, ranges, regular expressions) follow.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

# Seeds that must list every accepted value of their key (a threshold or setting left out
# would silently disappear from scoring).
COMPLETE = {"scoring_settings", "tier_thresholds", "fit_grades", "engagement_levels"}
PATTERNS = {"title_rules": "pattern", "chat_intent_rules": "pattern"}
TRUE_FALSE = {"true", "false", "t", "f", "1", "0", "yes", "no"}


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is and what is wrong, in words a marketer can act on."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Seed:
    name: str
    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line, values)


def check_seeds(seeds_dir: Path) -> list[Problem]:
    """Every seed described in `_seeds.yml`, checked against its description."""
    specs = yaml.safe_load((seeds_dir / "_seeds.yml").read_text())["seeds"]
    problems: list[Problem] = []
    loaded: dict[str, Seed] = {}
    for spec in specs:
        path = seeds_dir / f"{spec['name']}.csv"
        if not path.is_file():
            problems.append(Problem(str(path), 0, "file is missing"))
            continue
        seed, found = _read(spec, path)
        loaded[spec["name"]] = seed
        problems += found
    for spec in specs:
        if spec["name"] in loaded:
            problems += _tests(spec, loaded[spec["name"]], loaded)
    return problems


def _read(spec: dict, path: Path) -> tuple[Seed, list[Problem]]:
    """The rows with their line numbers; the header and every value's type checked."""
    types = spec.get("config", {}).get("column_types", {})
    problems = []
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        for column in types:
            if column not in header:
                problems.append(Problem(str(path), 1, f"missing column {column}"))
        for column in header:
            if column not in types:
                problems.append(Problem(str(path), 1, f"unknown column {column} (known: {', '.join(types)})"))
        rows = []
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(Problem(str(path), start, f"{len(values)} values for {len(header)} columns"))
                continue
            row = dict(zip(header, (v.strip() for v in values), strict=True))
            rows.append((start, row))
            for column, kind in types.items():
                error = _type_error(row.get(column, ""), kind)
                if error:
                    problems.append(Problem(str(path), start, f"{column}: {error}"))
    return Seed(spec["name"], path, header, rows), problems


def _type_error(value: str, kind: str) -> str | None:
    if value == "":
        return None
    try:
        if kind == "double":
            float(value)
        elif kind == "integer":
            int(value)
        elif kind == "boolean" and value.lower() not in TRUE_FALSE:
            raise ValueError
        elif kind == "date":
            date.fromisoformat(value)
    except ValueError:
        article = "an" if kind[0] in "aeiou" else "a"
        return f"{value!r} is not {article} {kind}"
    return None


def _tests(spec: dict, seed: Seed, seeds: dict[str, Seed]) -> list[Problem]:
    problems = []
    for test in spec.get("data_tests", []) or []:
        if isinstance(test, dict) and "primary_key" in test:
            expression = test["primary_key"]["arguments"]["column_name"]
            columns = [c for c in re.findall(r"[a-z_]+", expression) if c in seed.header]
            problems += _unique(seed, columns)
    for column in spec.get("columns", []):
        name = column["name"]
        for test in column.get("data_tests", []) or []:
            kind, arguments = (test, {}) if isinstance(test, str) else next(iter(test.items()))
            arguments = (arguments or {}).get("arguments", arguments or {})
            if kind in ("primary_key", "not_null"):
                problems += [
                    Problem(str(seed.path), line, f"{name} is missing")
                    for line, row in seed.rows
                    if row.get(name, "") == ""
                ]
            if kind == "primary_key":
                problems += _unique(seed, [name])
            elif kind == "accepted_values":
                problems += _accepted(seed, name, [str(v) for v in arguments["values"]])
            elif kind == "relationships":
                problems += _related(seed, name, arguments, seeds)
    return problems + _semantics(seed)


def _unique(seed: Seed, columns: list[str]) -> list[Problem]:
    first: dict[tuple, int] = {}
    problems = []
    for line, row in seed.rows:
        key = tuple(row.get(c, "") for c in columns)
        if key in first:
            shown = ", ".join(f"{c}={v!r}" for c, v in zip(columns, key, strict=True))
            problems.append(Problem(str(seed.path), line, f"duplicate {shown} (first at line {first[key]})"))
        else:
            first[key] = line
    return problems


def _accepted(seed: Seed, name: str, values: list[str]) -> list[Problem]:
    problems = [
        Problem(str(seed.path), line, f"{name}: {row[name]!r} is not one of {', '.join(values)}")
        for line, row in seed.rows
        if row.get(name, "") not in ("", *values)
    ]
    if seed.name in COMPLETE:
        held = {row.get(name) for _, row in seed.rows}
        problems += [
            Problem(
                str(seed.path), 0, f"{name} {value} is missing (every one of {', '.join(values)} is needed)"
            )
            for value in values
            if value not in held
        ]
    return problems


def _related(seed: Seed, name: str, arguments: dict, seeds: dict[str, Seed]) -> list[Problem]:
    target = re.search(r"ref\('([a-z_]+)'\)", arguments["to"]).group(1)
    if target not in seeds:
        return []
    known = {row.get(arguments["field"]) for _, row in seeds[target].rows}
    return [
        Problem(str(seed.path), line, f"{name}: {row[name]!r} is not a {arguments['field']} of {target}.csv")
        for line, row in seed.rows
        if row.get(name, "") not in ("", *known)
    ]


def _semantics(seed: Seed) -> list[Problem]:
    """What the tests cannot say: signs, ranges, regular expressions."""
    problems = []
    for line, row in seed.rows:
        if seed.name == "negative_rules" and _number(row.get("points")) > 0:
            problems.append(Problem(str(seed.path), line, f"points: {row['points']} must be 0 or below"))
        if seed.name == "fit_rules" and _number(row.get("min_value"), 0) > _number(
            row.get("max_value"), 1e300
        ):
            problems.append(Problem(str(seed.path), line, "min_value is above max_value"))
        for field in ("cap", "half_life_days", "window_days"):
            if field in row and _number(row[field], 0) < 0:
                problems.append(Problem(str(seed.path), line, f"{field}: {row[field]} must be 0 or more"))
        if seed.name in PATTERNS:
            try:
                re.compile(row.get(PATTERNS[seed.name], ""))
            except re.error as err:
                problems.append(Problem(str(seed.path), line, f"pattern: not a regular expression ({err})"))
    return problems


def _number(value: str | None, default: float = 0.0) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except ValueError:
        return default  # reported as a type error already
