"""The SOQL grammar the sandbox understands: SELECT fields|COUNT() FROM x WHERE ... ORDER BY LIMIT OFFSET."""

from __future__ import annotations

from . import times
from .soql import UNSUPPORTED, Bool, Compare, Order, Query, Token, Value, query_error, tokenize

COMPARISONS = {"=", "!=", "<>", "<", "<=", ">", ">="}


def parse(text: str) -> Query:
    return _Parser(text).query()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    # -- token helpers -----------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def unexpected(self, tok: Token | None = None):
        tok = tok or self.tok
        if tok.upper in UNSUPPORTED:
            return query_error(self.text, tok.pos, f"{tok.upper} is not supported by the leadflow sandbox")
        return query_error(self.text, tok.pos, f"unexpected token: {tok.text}")

    def keyword(self, *words: str) -> bool:
        if self.tok.upper in words:
            self.i += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            raise self.unexpected()

    def punct(self, ch: str) -> bool:
        if self.tok.kind == "punct" and self.tok.text == ch:
            self.i += 1
            return True
        return False

    def expect_punct(self, ch: str) -> None:
        if not self.punct(ch):
            raise self.unexpected()

    def ident(self) -> Token:
        if self.tok.kind != "ident":
            raise self.unexpected()
        return self.next()

    def integer(self) -> int:
        tok = self.next()
        if tok.kind != "number" or not tok.text.isdigit():
            raise self.unexpected(tok)
        return int(tok.text)

    # -- grammar -----------------------------------------------------------------------------

    def query(self) -> Query:
        q = Query(self.text)
        self.expect_keyword("SELECT")
        self.select_list(q)
        self.expect_keyword("FROM")
        tok = self.ident()
        q.object, q.object_pos = tok.text, tok.pos
        if self.keyword("WHERE"):
            q.where = self.condition()
        if self.keyword("ORDER"):
            self.expect_keyword("BY")
            q.order = [self.order_item()]
            while self.punct(","):
                q.order.append(self.order_item())
        if self.keyword("LIMIT"):
            q.limit = self.integer()
        if self.keyword("OFFSET"):
            q.offset = self.integer()
        if self.keyword("FOR") and not self.keyword("VIEW", "REFERENCE", "UPDATE"):
            raise self.unexpected()
        if self.tok.kind != "eof":
            raise self.unexpected()
        return q

    def select_list(self, q: Query) -> None:
        if self.tok.upper == "COUNT" and self.tokens[self.i + 1].text == "(":
            self.i += 2
            if not self.punct(")"):
                raise query_error(
                    self.text, self.tok.pos, "the sandbox supports COUNT() only, not COUNT(field)"
                )
            q.count = True
            return
        while True:
            if self.tok.upper == "FIELDS" and self.tokens[self.i + 1].text == "(":
                self.i += 2
                kind = self.ident()
                if kind.upper not in ("ALL", "STANDARD", "CUSTOM"):
                    raise self.unexpected(kind)
                q.fields_fn = kind.upper
                self.expect_punct(")")
            elif self.tok.text == "(":
                raise query_error(
                    self.text, self.tok.pos, "subqueries are not supported by the leadflow sandbox"
                )
            else:
                tok = self.ident()
                if tok.upper in ("FROM", "SELECT"):
                    raise self.unexpected(tok)
                q.fields.append((tok.text, tok.pos))
            if not self.punct(","):
                return

    def condition(self):
        first = self.unary()
        op = self.tok.upper
        if op not in ("AND", "OR"):
            return first
        items = [first]
        while self.keyword(op):
            items.append(self.unary())
        if self.tok.upper in ("AND", "OR"):  # SOQL wants parentheses when AND and OR meet
            raise self.unexpected()
        return Bool(op, items)

    def unary(self):
        if self.keyword("NOT"):
            return Bool("NOT", [self.unary()])
        if self.punct("("):
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Compare:
        tok = self.ident()
        if tok.upper in ("AND", "OR", "NOT", "WHERE", "ORDER", "LIMIT"):
            raise self.unexpected(tok)
        op_tok = self.tok
        if op_tok.kind == "op":
            self.i += 1
            op = "!=" if op_tok.text == "<>" else op_tok.text
            return Compare(tok.text, tok.pos, op, self.value())
        if self.keyword("LIKE"):
            return Compare(tok.text, tok.pos, "LIKE", self.value())
        negate = self.keyword("NOT")
        if self.keyword("IN"):
            if self.tok.text == "(" and self.tokens[self.i + 1].upper == "SELECT":
                raise query_error(
                    self.text, self.tok.pos, "semi-joins are not supported by the leadflow sandbox"
                )
            self.expect_punct("(")
            values = [self.value()]
            while self.punct(","):
                values.append(self.value())
            self.expect_punct(")")
            return Compare(tok.text, tok.pos, "NOT IN" if negate else "IN", values)
        raise self.unexpected()

    def value(self) -> Value:
        tok = self.next()
        if tok.kind == "string":
            return Value("string", tok.value, tok.pos, like=tok.like)
        if tok.kind == "number":
            number = float(tok.text) if "." in tok.text else int(tok.text)
            return Value("number", number, tok.pos)
        if tok.kind == "date":
            try:
                return Value("date", times.parse_date(tok.text).isoformat(), tok.pos)
            except ValueError:
                raise self.unexpected(tok) from None
        if tok.kind == "datetime":
            return Value("datetime", tok.value, tok.pos)
        word = tok.upper
        if word in ("TRUE", "FALSE"):
            return Value("boolean", word == "TRUE", tok.pos)
        if word == "NULL":
            return Value("null", None, tok.pos)
        if word in times.FIXED_LITERALS:
            return Value("literal", word, tok.pos)
        if word in times.N_LITERALS:
            if not self.punct(":"):
                raise query_error(
                    self.text, self.tok.pos, f"Date literal {word} requires a value (e.g. {word}:7)"
                )
            return Value("literal", word, tok.pos, n=self.integer())
        if tok.kind == "punct" and tok.text == ":":
            raise query_error(self.text, tok.pos, "Bind variables are only allowed in Apex code")
        raise self.unexpected(tok)

    def order_item(self) -> Order:
        tok = self.ident()
        item = Order(tok.text, tok.pos)
        if self.keyword("DESC"):
            item.desc = True
        else:
            self.keyword("ASC")
        if self.keyword("NULLS"):
            if not self.keyword("FIRST", "LAST"):
                raise self.unexpected()
            item.nulls = self.tokens[self.i - 1].upper
        return item
