"""Just enough SOQL for what clients ask an org about itself and its leads.

SELECT a field list (plain fields, `COUNT(Id)`/`COUNT()` with an optional alias), FROM one object,
WHERE conditions joined by AND (`=`, `!=`, `<>`, `IN (...)`, `LIKE`), GROUP BY (every plain field of
an aggregate query must be grouped, as Salesforce requires), ORDER BY (ignored beyond grouping order),
LIMIT. Field names are case-insensitive and come back in the record's own case, as Salesforce returns
them; fields the record does not know come back null (rest.py refuses Lead fields the org lacks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable


class SoqlError(Exception):
    """MALFORMED_QUERY: the message says what is wrong, as Salesforce's does."""


@dataclass(frozen=True)
class Column:
    expr: str  # "Status", "COUNT(Id)"
    alias: str | None = None

    @property
    def aggregate(self) -> bool:
        return self.expr.upper().startswith("COUNT(")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # "=", "!=", "in", "like"
    value: Any


@dataclass
class Query:
    columns: list[Column]
    sobject: str
    where: list[Condition] = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    limit: int | None = None


_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<cols>.+?)\s+FROM\s+(?P<obj>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?(?:\s+GROUP\s+BY\s+(?P<group>[\w\s,]+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>.+?))?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
    re.I | re.S,
)
_CONDITION = re.compile(
    r"\s*(?P<field>[\w.]+)\s*(?P<op>=|!=|<>|\bIN\b|\bLIKE\b)\s*(?P<value>\([^)]*\)|'(?:[^'\\]|\\.)*'|[\w.:-]+)\s*",
    re.I,
)


def parse(q: str) -> Query:
    m = _QUERY.match(q)
    if not m:
        raise SoqlError(f"unexpected token in query: {q[:80]}")
    columns = [_column(c) for c in _split_columns(m.group("cols"))]
    where = _conditions(m.group("where")) if m.group("where") else []
    group = [g.strip() for g in (m.group("group") or "").split(",") if g.strip()]
    if any(c.aggregate for c in columns) or group:
        grouped = {g.lower() for g in group}
        loose = next((c.expr for c in columns if not c.aggregate and c.expr.lower() not in grouped), None)
        if loose:
            raise SoqlError(f"Field must be grouped or aggregated: {loose}")
    return Query(columns, m.group("obj"), where, group, int(m.group("limit")) if m.group("limit") else None)


def fields_named(query: Query) -> list[str]:
    """Every field the query names (selected, counted, filtered or grouped), as written."""
    counted = [c.expr[c.expr.index("(") + 1:-1] for c in query.columns if c.aggregate]
    plain = [c.expr for c in query.columns if not c.aggregate]
    return [f for f in (*plain, *counted, *(c.field for c in query.where), *query.group_by) if f]


def run(query: Query, records: Iterable[dict], attributes: Callable[[dict], dict] | None = None) -> list[dict]:
    """The rows Salesforce would return for `records` (dicts keyed by field name, with "attributes"
    or `attributes(record)` giving them). Records are read one at a time: only the answer is kept."""
    matching = (r for r in records if all(_holds(c, r) for c in query.where))
    if any(c.aggregate for c in query.columns):
        return _aggregate(query, matching)
    out = []
    for r in matching:
        if query.limit is not None and len(out) >= query.limit:
            break
        out.append(_project(query, r, attributes(r) if attributes else r["attributes"]))
    return out


def _project(query: Query, record: dict, attributes: dict) -> dict:
    out = {"attributes": attributes}
    for c in query.columns:
        key = _key(record, c.expr)
        out[key or c.expr] = record.get(key) if key else None
    return out


def _aggregate(query: Query, rows: Iterable[dict]) -> list[dict]:
    groups: dict[tuple, list] = {}  # group values -> [count, the spelling of each grouped column]
    for r in rows:
        values = tuple(r.get(_key(r, g) or g) for g in query.group_by)
        group = groups.get(values)
        if group is None:
            groups[values] = group = [0, {c.expr: _key(r, c.expr) for c in query.columns if not c.aggregate}]
        group[0] += 1
    if not query.group_by and not groups:
        groups[()] = [0, {}]
    out = []
    for values, (count, spelled) in groups.items():
        row: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
        expr_n = 0
        for c in query.columns:
            if c.aggregate:
                name = c.alias or f"expr{expr_n}"
                expr_n += 0 if c.alias else 1
                row[name] = count
            else:
                at = [g.lower() for g in query.group_by].index(c.expr.lower())
                row[spelled.get(c.expr) or c.expr] = values[at]
        out.append(row)
    return out[: query.limit] if query.limit is not None else out


def _holds(c: Condition, record: dict) -> bool:
    key = _key(record, c.field)
    actual = record.get(key) if key else None
    if c.op == "=":
        return _same(actual, c.value)
    if c.op == "!=":
        return not _same(actual, c.value)
    if c.op == "in":
        return any(_same(actual, v) for v in c.value)
    pattern = "^" + re.escape(str(c.value)).replace("%", ".*").replace("_", ".") + "$"
    return actual is not None and re.match(pattern, str(actual), re.I | re.S) is not None


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.lower() == expected.lower()  # SOQL string comparison is case-insensitive
    return actual == expected


def _key(record: dict, name: str) -> str | None:
    return next((k for k in record if k.lower() == name.lower() and k != "attributes"), None)


def _split_columns(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p.strip() for p in [*parts, cur] if p.strip()]


def _column(text: str) -> Column:
    m = re.match(r"^(COUNT\s*\(\s*\w*\s*\))(?:\s+(\w+))?$", text, re.I)
    if m:
        return Column(re.sub(r"\s+", "", m.group(1)), m.group(2))
    if not re.match(r"^[\w.]+$", text):
        raise SoqlError(f"unexpected token: '{text}'")
    return Column(text)


def _conditions(text: str) -> list[Condition]:
    out = []
    for part in re.split(r"\s+AND\s+", text.strip(), flags=re.I):
        m = _CONDITION.fullmatch(part)
        if not m:
            raise SoqlError(f"unexpected token in WHERE: '{part.strip()[:60]}'")
        op = m.group("op").lower()
        op = "!=" if op == "<>" else op
        raw = m.group("value")
        value = [_literal(v) for v in _split_columns(raw[1:-1])] if op == "in" else _literal(raw)
        out.append(Condition(m.group("field"), op, value))
    return out


def _literal(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("'"):
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    try:
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    except ValueError:
        return raw
