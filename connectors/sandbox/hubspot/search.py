"""POST /crm/v3/objects/{type}/search: filter groups turned into SQL, sorts, total, the 10,000 cap."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..web import Request, Response
from . import errors
from .properties import object_type
from .records import base_where
from .schema import ObjectType, Property
from .values import BadValue, as_bool, as_date, iso, parse_ms

PAGE_MAX = 200
RESULT_CAP = 10_000
MAX_GROUPS, MAX_PER_GROUP, MAX_FILTERS = 5, 10, 25
_QUERY_PROPS = {
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "companies": ("name", "domain", "website", "phone"),
    "deals": ("dealname",),
}


def token_match(text, pattern) -> int:
    """CONTAINS_TOKEN: the value, or one of its words, equals the token (`*` wildcards allowed)."""
    if text is None or pattern is None:
        return 0
    whole, wanted = str(text).lower(), str(pattern).lower().strip()
    tokens = {whole, *whole.split(), *(t for t in re.split(r"[^\w]+", whole) if t)}
    if "*" in wanted:
        return int(any(fnmatchcase(t, wanted) for t in tokens))
    return int(wanted in tokens)


def query_match(text, query) -> int:
    """The free-text `query`: every word is a prefix of some word of the searchable properties."""
    words = [t for t in re.split(r"[^\w@.]+", str(text or "").lower()) if t]
    return int(all(any(w.startswith(q) for w in words) for q in str(query).lower().split()))


@dataclass
class Column:
    """How one property compares in SQL: the expression, its raw value, and value conversion."""

    expr: str
    raw: str
    convert: Callable[[object], object]
    always: bool = False  # system columns are never empty


def column(otype: ObjectType, prop: Property) -> Column:
    name = prop.name
    if name == otype.modified:
        return Column("modstamp", "modstamp", parse_ms, always=True)
    if name == "hs_object_id":
        return Column("cast(id as integer)", "id", lambda v: int(float(v)), always=True)
    raw = f"json_extract(data, '$.properties.{name}')"
    if prop.type == "number":
        return Column(f"cast({raw} as real)", raw, lambda v: float(str(v)))
    if prop.type == "datetime":
        return Column(raw, raw, lambda v: iso(parse_ms(v)))
    if prop.type == "date":
        return Column(raw, raw, lambda v: as_date(v) if not str(v).isdigit() else iso(int(v))[:10])
    if prop.type == "bool":
        return Column(f"lower({raw})", raw, as_bool)
    return Column(f"lower({raw})", raw, lambda v: str(v).lower())


def _condition(col: Column, f: dict) -> tuple[str, list]:
    op = f.get("operator")
    value, values, high = f.get("value"), f.get("values"), f.get("highValue")
    e, raw = col.expr, col.raw
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        if col.always:
            return ("1" if op == "HAS_PROPERTY" else "0"), []
        return f"{raw} is {'not ' if op == 'HAS_PROPERTY' else ''}null", []
    if op in ("IN", "NOT_IN"):
        if not isinstance(values, list) or not values:
            raise errors.bad_request(f"{op} on {f.get('propertyName')} needs a non-empty values list")
        marks = ",".join("?" * len(values))
        params = [col.convert(v) for v in values]
        if op == "IN":
            return f"{e} in ({marks})", params
        return f"({raw} is null or {e} not in ({marks}))", params
    if value is None:
        raise errors.bad_request(f"{op} on {f.get('propertyName')} needs a value")
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        test = f"hs_token_match({raw}, ?)"
        return (test if op == "CONTAINS_TOKEN" else f"not {test}"), [str(value)]
    if op == "BETWEEN":
        if high is None:
            raise errors.bad_request(f"BETWEEN on {f.get('propertyName')} needs highValue")
        return f"{e} between ? and ?", [col.convert(value), col.convert(high)]
    sql = {"EQ": "=", "NEQ": "!=", "GT": ">", "GTE": ">=", "LT": "<", "LTE": "<="}.get(op)
    if sql is None:
        raise errors.bad_request(f"Unknown filter operator {op!r}")
    if col.raw == "id" and op == "EQ":  # by id: the unique index answers
        return "id = ?", [str(col.convert(value))]
    if op == "NEQ" and not col.always:
        return f"({raw} is null or {e} != ?)", [col.convert(value)]
    return f"{e} {sql} ?", [col.convert(value)]


def _selective(prop: Property, f: dict) -> bool:
    """An email or id lookup: an index finds the few rows, so sorting beats an ordered scan."""
    return prop.name in ("email", "hs_object_id") and f.get("operator") in ("EQ", "IN")


def where_clause(app, otype: ObjectType, body: dict) -> tuple[str, list, bool]:
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise errors.bad_request(f"At most {MAX_GROUPS} filterGroups are allowed")
    if sum(len(g.get("filters") or []) for g in groups if isinstance(g, dict)) > MAX_FILTERS:
        raise errors.bad_request(f"At most {MAX_FILTERS} filters are allowed in all")
    where, params = f"{base_where(otype.name)} and deleted = 0", []
    ors, selective = [], bool(groups)
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_PER_GROUP:
            raise errors.bad_request(f"Each filterGroup needs filters (at most {MAX_PER_GROUP})")
        ands, narrow = [], False
        for f in filters:
            prop = app.registry.get(otype.name, str(f.get("propertyName") or ""))
            if prop is None:
                raise errors.bad_request(
                    f"There was a problem with the request: property {f.get('propertyName')!r} "
                    f"does not exist on {otype.name}"
                )
            try:
                sql, more = _condition(column(otype, prop), f)
            except (BadValue, ValueError, TypeError, OverflowError):
                raise errors.bad_request(
                    f"Filter value {f.get('value')!r} is not valid for {prop.name} ({prop.type})"
                ) from None
            ands.append(sql)
            params += more
            narrow = narrow or _selective(prop, f)
        selective = selective and narrow
        if ands:
            ors.append("(" + " and ".join(ands) + ")")
    if ors:
        where += " and (" + " or ".join(ors) + ")"
    text = body.get("query")
    if text and otype.name in _QUERY_PROPS:
        joined = " || ' ' || ".join(
            f"coalesce(json_extract(data, '$.properties.{n}'), '')" for n in _QUERY_PROPS[otype.name]
        )
        where += f" and hs_query_match({joined}, ?)"
        params.append(str(text))
    return where, params, selective


def order_clause(app, otype: ObjectType, sorts, selective: bool = False) -> str:
    """ORDER BY for the sorts; after a selective lookup, a unary + keeps ordering indexes out."""
    plus = "+" if selective else ""
    if not sorts:
        return f"{plus}length(id), id"
    first = sorts[0]
    if isinstance(first, dict):
        name, down = first.get("propertyName"), first.get("direction") == "DESCENDING"
    else:
        name, down = str(first).lstrip("-"), str(first).startswith("-")
    prop = app.registry.get(otype.name, str(name or ""))
    if prop is None:
        raise errors.bad_request(f"Cannot sort on {name!r}: no such property on {otype.name}")
    col, way = column(otype, prop), "desc" if down else "asc"
    if col.expr == "modstamp":  # the modstamp index gives this order without sorting
        return f"{plus}modstamp {way}, id {way}"
    if col.always:
        return f"{col.expr} {way}"
    return f"({col.raw} is null), {col.expr} {way}, length(id), id"


def install(app) -> None:
    totals: dict[tuple, int] = {}

    def total_of(where: str, params: list) -> int:
        """The match count, kept while nothing is written: the pages of one query share it."""
        with app.store.lock:
            key = (app.store.conn.total_changes, where, *params)
            if key not in totals:
                if len(totals) > 256:
                    totals.clear()
                totals[key] = app.records.count(where, params)
            return totals[key]

    app.store.conn.create_function("hs_token_match", 2, token_match, deterministic=True)
    app.store.conn.create_function("hs_query_match", 2, query_match, deterministic=True)

    def search(request: Request) -> Response:
        otype = object_type(request.params["type"])
        body = app.body(request) or {}
        if not isinstance(body, dict):
            raise errors.bad_request("Search needs a JSON object")
        limit = body.get("limit", 10)
        after = body.get("after") or 0
        if not isinstance(limit, int) or not 0 <= limit <= PAGE_MAX:
            raise errors.bad_request(f"limit must be between 0 and {PAGE_MAX}, got {limit!r}")
        if not str(after).isdigit():
            raise errors.bad_request(f"after must be a number, got {after!r}")
        offset = int(after)
        if offset >= RESULT_CAP:
            raise errors.bad_request(
                f"Search results are capped at {RESULT_CAP}: after={offset} pages past them; "
                "narrow the filters instead"
            )
        where, params, selective = where_clause(app, otype, body)
        order = order_clause(app, otype, body.get("sorts"), selective)
        names = app.records.wanted(otype, body.get("properties") or [])
        size = min(limit, RESULT_CAP - offset)
        rows = app.records.query(where, params, order, size, offset) if size else []
        total = total_of(where, params)
        answer = {"total": total, "results": [app.records.shape(otype, r, names) for r in rows]}
        if offset + len(rows) < total and rows:
            answer["paging"] = {"next": {"after": str(offset + len(rows))}}
        return Response.json(answer)

    app.search_handler = search
    app.router.add("POST", "/crm/v3/objects/{type}/search", search)
