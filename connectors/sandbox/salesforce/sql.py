"""A parsed SOQL query checked against the schema and turned into SQL over the records table.

Id, CreatedDate, SystemModstamp and IsDeleted map to the table's own columns so that the store's
indexes serve `WHERE SystemModstamp > X ORDER BY SystemModstamp, Id`; other fields are read with
json_extract. Comparisons on JSON fields are made two-valued (SOQL treats null as a value).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import ids, times
from .errors import SalesforceError
from .fields import ID_TYPES, NUMBER_TYPES, STRING_TYPES, Field
from .schema import Schema
from .soql import Bool, Compare, Query, Value, query_error

COLUMNS = {"Id": "id", "CreatedDate": "created", "SystemModstamp": "modstamp", "IsDeleted": "deleted"}
MAX_OFFSET = 2000
_TYPE_WORD = {"datetime": "dateTime", "int": "integer", "currency": "double", "percent": "double"}


@dataclass
class Plan:
    object: str
    columns: list[tuple[Field, Field | None]]  # (field, the reference it is read through or None)
    where: str = ""
    params: list = field(default_factory=list)
    order: str = "rowid"
    limit: int | None = None
    offset: int = 0
    count: bool = False


class Compiler:
    def __init__(self, schema: Schema, q: Query, today: dt.date):
        self.schema, self.q, self.today = schema, q, today
        self.obj = schema.find(q.object)
        if self.obj is None:
            raise query_error(
                q.text,
                q.object_pos,
                f"sObject type '{q.object}' is not supported. If you are "
                "attempting to use a custom object, be sure to append the '__c' after the entity "
                "name. Please reference your WSDL or the describe call for the appropriate names.",
                "INVALID_TYPE",
            )
        self.params: list = []

    def error(self, pos: int, message: str, code: str = "INVALID_FIELD"):
        return query_error(self.q.text, pos, message, code)

    def field(self, name: str, pos: int, obj=None) -> Field:
        obj = obj or self.obj
        found = self.schema.field(obj, name)
        if found is None:
            if "." in name:
                raise self.error(
                    pos,
                    f"Didn't understand relationship '{name.split('.')[0]}' in field path. "
                    "The sandbox follows parent relationships in the SELECT list only.",
                )
            raise self.error(
                pos,
                f"No such column '{name}' on entity '{obj.name}'. If you are attempting to use "
                "a custom field, be sure to append the '__c' after the custom field name. Please "
                "reference your WSDL or the describe call for the appropriate names.",
            )
        return found

    def compile(self) -> Plan:
        q = self.q
        plan = Plan(self.obj.name, self.select(), count=q.count, limit=q.limit, offset=q.offset or 0)
        if q.offset and q.offset > MAX_OFFSET:
            raise SalesforceError(
                "NUMBER_OUTSIDE_VALID_RANGE",
                f"Maximum SOQL offset allowed for apiName {self.obj.name} is {MAX_OFFSET}",
            )
        if q.where is not None:
            plan.where = self.condition(q.where)
            plan.params = self.params
        if q.order:
            plan.order = ", ".join(self.order_item(o) for o in q.order)
        return plan

    # -- SELECT ------------------------------------------------------------------------------

    def select(self) -> list[tuple[Field, Field | None]]:
        q, out, seen = self.q, [], set()
        if q.fields_fn:
            if q.fields_fn != "STANDARD" and (q.limit is None or q.limit > 200):
                raise self.error(
                    q.object_pos,
                    "The SOQL FIELDS function must have a LIMIT of at most 200",
                    "MALFORMED_QUERY",
                )
            wanted = {"ALL": (True, False), "STANDARD": (False,), "CUSTOM": (True,)}[q.fields_fn]
            for f in self.schema.fields(self.obj).values():
                if f.custom in wanted:
                    out.append((f, None))
                    seen.add(f.name.lower())
        for name, pos in q.fields:
            column = self.parent_column(name, pos) if "." in name else (self.field(name, pos), None)
            key = f"{column[1].relationship}.{column[0].name}" if column[1] else column[0].name
            if key.lower() in seen:
                raise self.error(pos, f"duplicate field selected: {name}", "MALFORMED_QUERY")
            seen.add(key.lower())
            out.append(column)
        return out

    def parent_column(self, name: str, pos: int) -> tuple[Field, Field]:
        """`Owner.Name`: the parent's field, found through the reference field named `Owner`."""
        relation, _, rest = name.partition(".")
        ref = next(
            (
                f
                for f in self.schema.fields(self.obj).values()
                if f.relationship and f.relationship.lower() == relation.lower()
            ),
            None,
        )
        parent = self.schema.find(ref.reference_to[-1]) if ref else None
        if ref is None or parent is None or "." in rest:
            self.field(name, pos)  # raises the relationship error
        return self.field(rest, pos, parent), ref

    # -- WHERE -------------------------------------------------------------------------------

    def condition(self, node) -> str:
        if isinstance(node, Bool):
            if node.op == "NOT":
                return f"NOT ({self.condition(node.items[0])})"
            return "(" + f" {node.op} ".join(self.condition(i) for i in node.items) + ")"
        return self.compare(node)

    def compare(self, c: Compare) -> str:
        f = self.field(c.field, c.pos)
        if f.long_text:
            raise self.error(c.pos, f"field '{f.name}' can not be filtered in a query call")
        native = f.name in COLUMNS
        expr = COLUMNS[f.name] if native else f"json_extract(data, '$.{f.name}')"
        if f.type == "boolean" and not native:
            expr = f"coalesce({expr}, 0)"
        nocase = " COLLATE NOCASE" if f.type in STRING_TYPES else ""
        if c.op in ("IN", "NOT IN"):
            values = [v for v in c.value if v.kind != "null"]
            marks = ", ".join("?" for _ in values)
            self.params += [self.scalar(f, v, native) for v in values]
            sql = f"{expr}{nocase} IN ({marks})" if values else "0"
            if len(values) < len(c.value):
                sql = f"({sql} OR {expr} IS NULL)"
            if not native:
                sql = f"ifnull({sql}, 0)"
            return f"NOT {sql}" if c.op == "NOT IN" else sql  # bare on columns, so `Id IN` uses the index
        v = c.value
        if c.op == "LIKE":
            if f.type not in STRING_TYPES or v.kind != "string":
                raise self.error(
                    c.pos, f"invalid operator on {f.type} field", "INVALID_QUERY_FILTER_OPERATOR"
                )
            self.params.append(v.like)
            return f"ifnull({expr} LIKE ? ESCAPE '\\', 0)"
        if v.kind == "null":
            if c.op not in ("=", "!="):
                return "0"
            return f"{expr} IS {'NOT ' if c.op == '!=' else ''}NULL"
        if v.kind == "literal":
            return self.date_range(f, c, expr, native)
        self.params.append(self.scalar(f, v, native))
        if native:
            return f"{expr} {c.op} ?"
        return f"ifnull({expr} {c.op} ?{nocase}, {1 if c.op == '!=' else 0})"

    def date_range(self, f: Field, c: Compare, expr: str, native: bool) -> str:
        if f.type not in ("date", "datetime"):
            raise self.type_error(f, c.value)
        start, end = times.literal_range(c.value.value, c.value.n, self.today)
        if f.type == "date":
            low, high = start.isoformat(), end.isoformat()
        elif native:
            low, high = times.date_to_ms(start), times.date_to_ms(end)
        else:
            low, high = (times.ms_to_iso(times.date_to_ms(d)) for d in (start, end))
        inside = f"({expr} >= ? AND {expr} < ?)"
        sql, params = {
            "=": (inside, [low, high]),
            "!=": (f"NOT ifnull({inside}, 0)", [low, high]),
            "<": (f"{expr} < ?", [low]),
            "<=": (f"{expr} < ?", [high]),
            ">": (f"{expr} >= ?", [high]),
            ">=": (f"{expr} >= ?", [low]),
        }[c.op]
        self.params += params
        return sql if native or c.op == "!=" else f"ifnull({sql}, 0)"

    def scalar(self, f: Field, v: Value, native: bool):
        """The SQL parameter for one literal compared with field `f`; type mismatches are errors."""
        t = f.type
        if t in ID_TYPES:
            if v.kind != "string":
                raise self.type_error(f, v)
            if not ids_ok(v.value):
                raise self.error(v.pos, f"invalid ID field: {v.value}", "INVALID_QUERY_FILTER_OPERATOR")
            return ids.to18(v.value)
        if t in STRING_TYPES and v.kind == "string":
            return v.value
        if t == "boolean" and v.kind == "boolean":
            return int(v.value)
        if t in NUMBER_TYPES and v.kind == "number":
            return v.value
        if t == "date" and v.kind == "date":
            return v.value
        if t == "datetime" and v.kind == "datetime":
            return times.parse_datetime_ms(v.value) if native else v.value
        raise self.type_error(f, v)

    def type_error(self, f: Field, v: Value):
        quoted = f.type in STRING_TYPES or f.type in ID_TYPES
        word = "string" if quoted else _TYPE_WORD.get(f.type, f.type)
        how = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
        return self.error(
            v.pos, f"value of filter criterion for field '{f.name}' must be of type {word} and {how}"
        )

    # -- ORDER BY ----------------------------------------------------------------------------

    def order_item(self, o) -> str:
        f = self.field(o.field, o.pos)
        if f.long_text:
            raise self.error(o.pos, f"field '{f.name}' can not be sorted in a query call")
        expr = COLUMNS.get(f.name) or f"json_extract(data, '$.{f.name}')"
        if f.type == "boolean" and f.name not in COLUMNS:
            expr = f"coalesce({expr}, 0)"
        if f.type in STRING_TYPES:
            expr += " COLLATE NOCASE"
        sql = expr + (" DESC" if o.desc else " ASC")
        default_nulls = "LAST" if o.desc else "FIRST"
        if o.nulls and o.nulls != default_nulls:
            sql += f" NULLS {o.nulls}"
        return sql


def ids_ok(value: str) -> bool:
    return isinstance(value, str) and (
        (len(value) == 15 and all(c in ids.BASE62 for c in value)) or ids.is_valid(value)
    )


def compile_query(schema: Schema, q: Query, today: dt.date) -> Plan:
    return Compiler(schema, q, today).compile()
