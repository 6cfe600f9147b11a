"""SOQL text -> a small syntax tree; errors carry Salesforce's row/column pointer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import times
from .errors import SalesforceError

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2}(?![\d:T]))
    |(?P<number>[+-]?\d+(?:\.\d+)?(?![\w.]))
    |(?P<ident>[A-Za-z_][\w.]*)
    |(?P<string>')
    |(?P<op>!=|<>|<=|>=|=|<|>)
    |(?P<punct>[(),:])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
UNSUPPORTED = {"GROUP", "HAVING", "WITH", "TYPEOF", "INCLUDES", "EXCLUDES", "USING"}


@dataclass
class Token:
    kind: str  # ident, string, number, date, datetime, op, punct, eof
    text: str
    pos: int
    value: object = None
    like: str | None = None  # a string literal as an SQLite LIKE pattern (escape character: backslash)

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "ident" else ""


@dataclass
class Value:
    kind: str  # string, number, boolean, null, date, datetime, literal (TODAY, LAST_N_DAYS:n)
    value: object
    pos: int
    like: str | None = None
    n: int | None = None


@dataclass
class Compare:
    field: str
    pos: int
    op: str  # = != < <= > >= IN NOT IN LIKE
    value: Value | list[Value]


@dataclass
class Bool:
    op: str  # AND OR NOT
    items: list


@dataclass
class Order:
    field: str
    pos: int
    desc: bool = False
    nulls: str | None = None  # FIRST, LAST or the default


@dataclass
class Query:
    text: str
    object: str = ""
    object_pos: int = 0
    fields: list[tuple[str, int]] = field(default_factory=list)
    count: bool = False
    fields_fn: str | None = None  # FIELDS(ALL|STANDARD|CUSTOM)
    where: object = None
    order: list[Order] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


def query_error(text: str, pos: int, message: str, code: str = "MALFORMED_QUERY") -> SalesforceError:
    """An error pointing at `pos` in the query, the way Salesforce draws it."""
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    column = pos - line_start + 1
    pointer = " " * (column - 1) + "^"
    return SalesforceError(code, f"\n{line}\n{pointer}\nERROR at Row:{row}:Column:{column}\n{message}")


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise query_error(text, pos, f"unexpected token: '{text[pos]}'")
        kind = m.lastgroup
        if kind == "string":
            token, pos = _string(text, pos)
            tokens.append(token)
            continue
        if kind != "ws":
            token = Token(kind, m.group(), pos)
            if kind == "datetime":
                try:
                    token.value = times.normalize_datetime(token.text)
                except ValueError:
                    raise query_error(text, pos, f"invalid date-time literal: {token.text}") from None
            tokens.append(token)
        pos = m.end()
    tokens.append(Token("eof", "<EOF>", len(text)))
    return tokens


def _string(text: str, start: int) -> tuple[Token, int]:
    plain, like, pos = [], [], start + 1
    while pos < len(text):
        ch = text[pos]
        if ch == "'":
            return Token("string", text[start : pos + 1], start, "".join(plain), "".join(like)), pos + 1
        if ch == "\\":
            nxt = text[pos + 1 : pos + 2]
            if nxt in ("%", "_"):  # escaped wildcards: literal in LIKE, meaningless elsewhere
                plain.append(nxt)
                like.append("\\" + nxt)
            elif nxt in _ESCAPES:
                plain.append(_ESCAPES[nxt])
                like.append("\\\\" if nxt == "\\" else _ESCAPES[nxt])
            else:
                raise query_error(
                    text,
                    pos,
                    f"Invalid string literal '{text[start : pos + 2]}'. Illegal character "
                    f"sequence '\\{nxt}' in string literal.",
                )
            pos += 2
            continue
        plain.append(ch)
        like.append(ch)
        pos += 1
    raise query_error(text, start, f"line 1:{len(text)} mismatched character '<EOF>' expecting '''")
