"""Evaluate a formula against a record, the way Salesforce evaluates validation rules and flow formulas.

Values: text is `str` (a blank text is `None` or `""`, the same to every function and operator, as in
Salesforce where text fields are never null), numbers `Decimal`, checkboxes `bool`, `date`, `datetime`
(aware, UTC), and `None` for a blank number, date or date/time.

Blank (null) values, as Salesforce's validation rules and flows treat them ("treat blank fields as
blanks"; flows: "to evaluate a null field value as a zero value, use BLANKVALUE"):
- arithmetic with a blank number, date or date/time is blank;
- `=` is true when both sides are blank, false when one is; `<>` is its opposite; `<`, `>`, `<=`, `>=`
  with a blank number, date or date/time are false; blank text compares as "";
- IF, AND, OR, NOT take a blank condition as false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

from leadsync.localorg.formula import functions as fn
from leadsync.localorg.formula.ast import Binary, Call, Literal, Node, Ref, Unary
from leadsync.localorg.formula.errors import FormulaError
from leadsync.localorg.formula.functions import formula_type
from leadsync.localorg.formula.parser import parse

Value = Any  # str | Decimal | bool | date | datetime | None


@dataclass
class FormulaContext:
    record: Mapping[str, Any]  # field API name -> value (looked up case-insensitively); picklists are str
    prior: Mapping[str, Any] | None = None  # the record before the save; None on insert (ISNEW() is true)
    field_types: Mapping[str, str] = field(default_factory=dict)  # API name -> 'picklist', 'text', 'datetime'...
    permissions: frozenset[str] = frozenset()  # custom permissions the running user holds ($Permission.X)
    now: datetime | None = None  # NOW(), $Flow.CurrentDateTime; TODAY() is its date (UTC)
    # Flow resources by name: '$Record.Status' style, '{!formulaName}' (without braces), '$User.Alias'.
    # A callable value is called (without arguments) when the formula first needs it.
    resources: Mapping[str, Any] = field(default_factory=dict)


def evaluate(formula: str | Node, ctx: FormulaContext) -> Value:
    """The value of `formula` for `ctx`; FormulaError for what Salesforce would refuse and for what the
    local org does not evaluate (the message names the function or reference)."""
    tree = parse(formula) if isinstance(formula, str) else formula
    try:
        return _Evaluator(ctx).eval(tree)
    except FormulaError:
        raise
    except RecursionError:
        raise FormulaError("The formula is nested too deeply to evaluate", tree.pos) from None
    except (ArithmeticError, ValueError, TypeError, re.error) as err:
        # values of the wrong kind (a formula check() would refuse, or a record holding "abc" in a number
        # field), an overflow, a bad REGEX pattern: Salesforce shows #Error!
        raise FormulaError(f"The formula cannot be evaluated (Salesforce shows #Error!): {err}", tree.pos) from None


def _lower(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in (mapping or {}).items()}


class _Resources:
    """Flow resources looked up case-insensitively and only when a formula reads them (a resource may
    be another formula, evaluated on demand; a callable is called once)."""

    def __init__(self, mapping: Mapping[str, Any]):
        self._mapping = mapping
        self._keys = {str(k).lower(): k for k in mapping.keys()}
        self._values: dict[str, Any] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            value = self._mapping[self._keys[key]]
            self._values[key] = value() if callable(value) else value
        return self._values[key]


class _Evaluator:
    def __init__(self, ctx: FormulaContext):
        self.ctx = ctx
        self.record = _lower(ctx.record)
        self.prior = _lower(ctx.prior) if ctx.prior is not None else None
        self.types = _lower(ctx.field_types)
        self.resources = _Resources(ctx.resources)
        self.permissions = {p.lower() for p in ctx.permissions}
        self.now = ctx.now or datetime.now(timezone.utc)
        if self.now.tzinfo is None:
            self.now = self.now.replace(tzinfo=timezone.utc)

    # -- nodes -----------------------------------------------------------------------------

    def eval(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return self.ref(node)
        if isinstance(node, Unary):
            value = self.eval(node.operand)
            if node.op == "!":
                return not _truth(value)
            if value is None:
                return None
            return -_number(value, node) if node.op == "-" else _number(value, node)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(node)

    # -- references ------------------------------------------------------------------------

    def ref(self, node: Ref) -> Value:
        parts = node.parts
        head = parts[0].lower()
        if head == "$permission" and len(parts) == 2:
            return parts[1].lower() in self.permissions
        key = node.name.lower()
        if key in self.resources:
            return self.resource(key)
        if head == "$flow" and len(parts) == 2:
            name = parts[1].lower()
            if name == "currentdatetime":
                return self.now
            if name == "currentdate":
                return self.now.date()
        if head == "$record" and len(parts) >= 2:
            return self.field(self.record, tuple(parts[1:]), node)
        if head == "$record__prior" and len(parts) >= 2:
            return self.field(self.prior or {}, tuple(parts[1:]), node) if self.prior is not None else None
        if head.startswith("$"):
            raise FormulaError(f"The local org does not know the global variable {node.name}; "
                               "pass it in FormulaContext.resources", node.pos)
        if parts[0].lower() in self.resources:  # a record variable of a flow: {!lead.Status}
            value = self.resource(parts[0].lower())
            for part in parts[1:]:
                value = _lower(value).get(part.lower()) if isinstance(value, Mapping) else None
            return value
        if node.merge:
            raise FormulaError(f"Field {node.name} does not exist. Check spelling.", node.pos)
        return self.field(self.record, tuple(parts), node)

    def resource(self, key: str) -> Value:
        return self.resources[key]

    def field(self, record: Mapping[str, Any], path: tuple[str, ...], node: Ref) -> Value:
        key = ".".join(path).lower()
        if key in record:
            return self.coerce(record[key], path)
        if len(path) > 1:  # Owner.Name: a nested dict, when the caller gives one
            value: Any = record.get(path[0].split(":")[0].lower())
            for part in path[1:]:
                if not isinstance(value, Mapping):
                    raise FormulaError(f"The local org cannot follow the relationship {'.'.join(path)}; "
                                       "pass its value in the record or the resources", node.pos)
                value = _lower(value).get(part.lower())
            return value
        if self.types and path[0].lower() not in self.types:
            raise FormulaError(f"Field {path[0]} does not exist. Check spelling.", node.pos)
        return None

    def coerce(self, value: Any, path: tuple[str, ...]) -> Value:
        declared = self.types.get(path[0].lower()) if len(path) == 1 else None
        kind = formula_type(declared)
        try:
            typed = _coerce(value, kind)
            # a percent field holding 25 (as the API writes it) is 0.25 in a formula
            return typed / 100 if isinstance(typed, Decimal) and (declared or "").lower() == "percent" else typed
        except (ArithmeticError, ValueError):
            raise FormulaError(f"Field {'.'.join(path)} holds {value!r}, which is not a {fn.TYPE_NAMES[kind]} "
                               "value", 0) from None

    # -- operators -------------------------------------------------------------------------

    def binary(self, node: Binary) -> Value:
        op = node.op
        if op == "&&":
            return _truth(self.eval(node.left)) and _truth(self.eval(node.right))
        if op == "||":
            return _truth(self.eval(node.left)) or _truth(self.eval(node.right))
        left, right = self.eval(node.left), self.eval(node.right)
        if op == "&":
            return _text(left) + _text(right)
        if op in ("=", "<>"):
            same = _equal(left, right)
            return same if op == "=" else not same
        if op in ("<", ">", "<=", ">="):
            return _compare(op, left, right)
        return _arithmetic(op, left, right, node)

    # -- functions -------------------------------------------------------------------------

    def call(self, node: Call) -> Value:
        sig = fn.signature(node.name, node.written, len(node.args), node.pos)
        if sig is None:
            raise FormulaError(f"The local org does not evaluate the formula function {node.name}()", node.pos)
        return getattr(self, "fn_" + node.name.lower())(node, node.args)

    def fn_and(self, node, args):
        return all(_truth(self.eval(a)) for a in args)

    def fn_or(self, node, args):
        return any(_truth(self.eval(a)) for a in args)

    def fn_not(self, node, args):
        return not _truth(self.eval(args[0]))

    def fn_if(self, node, args):
        return self.eval(args[1]) if _truth(self.eval(args[0])) else self.eval(args[2])

    def fn_case(self, node, args):
        subject = self.eval(args[0])
        for value, result in zip(args[1:-1:2], args[2:-1:2]):
            if _equal(subject, self.eval(value)):
                return self.eval(result)
        return self.eval(args[-1])

    def fn_ispickval(self, node, args):
        return _text(self.eval(args[0])) == _text(self.eval(args[1]))

    def fn_text(self, node, args):
        return _format(self.eval(args[0]))

    def fn_isblank(self, node, args):
        value = self.eval(args[0])
        return value is None or value == ""

    def fn_isnull(self, node, args):
        # "Text fields are never null, so using this function with a text field always returns false."
        value = self.eval(args[0])
        if self.static_type(args[0]) in (fn.TEXT, fn.PICKLIST) or isinstance(value, str):
            return False
        return value is None

    def static_type(self, node: Node) -> str:
        while isinstance(node, Call) and node.name == "PRIORVALUE" and node.args:
            node = node.args[0]
        if isinstance(node, Literal):
            return fn.TEXT if node.kind == "text" else fn.ANY
        if isinstance(node, Call):
            return fn.TEXT if node.name in ("TEXT", "LOWER", "UPPER", "TRIM", "LEFT", "RIGHT", "MID", "SUBSTITUTE") else fn.ANY
        if isinstance(node, Ref):
            path = [p for p in node.parts if not p.lower().startswith("$record")]
            if len(path) == 1:
                return formula_type(self.types.get(path[0].lower()))
        return fn.ANY

    def fn_blankvalue(self, node, args):
        value = self.eval(args[0])
        return self.eval(args[1]) if value is None or value == "" else value

    def fn_nullvalue(self, node, args):
        value = self.eval(args[0])
        return self.eval(args[1]) if value is None else value

    def fn_isnew(self, node, args):
        return self.prior is None

    def field_path(self, node: Call, arg: Node) -> tuple[str, ...]:
        if not isinstance(arg, Ref) or arg.name.startswith("$") and not arg.name.lower().startswith("$record."):
            raise FormulaError(f"Incorrect parameter type for function '{node.name}()'. Expected Field", arg.pos)
        parts = arg.parts
        return tuple(parts[1:] if parts[0].lower() == "$record" else parts)

    def fn_ischanged(self, node, args):
        # "This function returns FALSE when evaluating any field on a newly created record."
        path = self.field_path(node, args[0])
        if self.prior is None:
            return False
        return not _equal(self.eval(args[0]), self.field(self.prior, path, args[0]))

    def fn_priorvalue(self, node, args):
        # "When users create a record, this function returns the value of the field referenced rather than null."
        path = self.field_path(node, args[0])
        if self.prior is None:
            return self.eval(args[0])
        return self.field(self.prior, path, args[0])

    def fn_len(self, node, args):
        return Decimal(len(_text(self.eval(args[0]))))

    def fn_contains(self, node, args):
        return _text(self.eval(args[1])) in _text(self.eval(args[0]))

    def fn_begins(self, node, args):
        return _text(self.eval(args[0])).startswith(_text(self.eval(args[1])))

    def fn_regex(self, node, args):
        return re.fullmatch(_text(self.eval(args[1])), _text(self.eval(args[0]))) is not None

    def fn_now(self, node, args):
        return self.now

    def fn_today(self, node, args):
        return self.now.date()

    def fn_value(self, node, args):
        text = _text(self.eval(args[0])).strip()
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise FormulaError(f"VALUE(): '{text}' is not a number (Salesforce shows #Error!)", node.pos) from None

    def fn_isnumber(self, node, args):
        try:
            Decimal(_text(self.eval(args[0])).strip())
            return True
        except InvalidOperation:
            return False

    def fn_lower(self, node, args):
        return _text(self.eval(args[0])).lower()

    def fn_upper(self, node, args):
        return _text(self.eval(args[0])).upper()

    def fn_trim(self, node, args):
        return _text(self.eval(args[0])).strip()

    def fn_left(self, node, args):
        n = max(int(self.num(args[1]) or 0), 0)
        return _text(self.eval(args[0]))[:n]

    def fn_right(self, node, args):
        n = max(int(self.num(args[1]) or 0), 0)
        text = _text(self.eval(args[0]))
        return text[max(len(text) - n, 0):] if n else ""

    def fn_mid(self, node, args):
        start, n = max(int(self.num(args[1]) or 1), 1), max(int(self.num(args[2]) or 0), 0)
        return _text(self.eval(args[0]))[start - 1:start - 1 + n]

    def fn_substitute(self, node, args):
        old = _text(self.eval(args[1]))
        text = _text(self.eval(args[0]))
        return text.replace(old, _text(self.eval(args[2]))) if old else text

    def num(self, arg: Node) -> Decimal | None:
        value = self.eval(arg)
        return None if value is None else _number(value, arg)

    def fn_abs(self, node, args):
        n = self.num(args[0])
        return None if n is None else abs(n)

    def fn_round(self, node, args):
        n, digits = self.num(args[0]), self.num(args[1])
        if n is None or digits is None:
            return None
        return n.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)

    def fn_floor(self, node, args):
        # FLOOR: "rounded down to the nearest integer, towards zero if negative" (FLOOR(-2.5) is -2)
        n = self.num(args[0])
        return None if n is None else n.to_integral_value(rounding=ROUND_DOWN)

    def fn_ceiling(self, node, args):
        # CEILING: "rounds a number up to the nearest integer, away from zero if negative" (CEILING(-2.5) is -3)
        n = self.num(args[0])
        return None if n is None else n.to_integral_value(rounding=ROUND_UP)

    def fn_mod(self, node, args):
        n, d = self.num(args[0]), self.num(args[1])
        if n is None or d is None:
            return None
        if d == 0:
            raise FormulaError("Divide by 0", node.pos)
        return n % d  # the sign of the number, as Java's %: MOD(-7, 3) is -1

    def fn_max(self, node, args):
        values = [self.num(a) for a in args]
        return None if any(v is None for v in values) else max(values)

    def fn_min(self, node, args):
        values = [self.num(a) for a in args]
        return None if any(v is None for v in values) else min(values)

    def fn_includes(self, node, args):
        return _text(self.eval(args[1])) in _text(self.eval(args[0])).split(";")

    def fn_datevalue(self, node, args):
        value = self.eval(args[0])
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).date()
        if isinstance(value, date):
            return value
        parsed = _coerce(value, fn.DATE)
        if not isinstance(parsed, date):
            raise FormulaError(f"DATEVALUE(): '{value}' is not a date (Salesforce shows #Error!)", node.pos)
        return parsed

    def fn_date(self, node, args):
        y, m, d = (self.num(a) for a in args)
        if None in (y, m, d):
            return None
        try:
            return date(int(y), int(m), int(d))
        except ValueError:
            raise FormulaError(f"DATE(): {int(y)}-{int(m)}-{int(d)} is not a date (Salesforce shows #Error!)", node.pos) from None

    def _date_part(self, arg: Node, attr: str) -> Decimal | None:
        value = self.eval(arg)
        return None if value is None else Decimal(getattr(value, attr))

    def fn_year(self, node, args):
        return self._date_part(args[0], "year")

    def fn_month(self, node, args):
        return self._date_part(args[0], "month")

    def fn_day(self, node, args):
        return self._date_part(args[0], "day")


# --- values -----------------------------------------------------------------------------------


def _truth(value: Value) -> bool:
    return value is True


def _text(value: Value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else _format(value)


def _format(value: Value) -> str:
    """TEXT(): numbers without exponent, dates as YYYY-MM-DD, date/times as `YYYY-MM-DD HH:MM:SSZ` (GMT)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize() + 0, "f")  # + 0: no "-0"
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number(value: Value, node: Node) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        raise FormulaError(f"Incorrect parameter type: expected a number, got {value!r}", node.pos)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _equal(a: Value, b: Value) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return _text(a) == _text(b)
    if a is None or b is None:
        return a is None and b is None
    return a == b


def _compare(op: str, a: Value, b: Value) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        a, b = _text(a), _text(b)
    elif a is None or b is None:
        return False
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _arithmetic(op: str, a: Value, b: Value, node: Binary) -> Value:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if a is None or b is None:
        return None
    if isinstance(a, (date, datetime)) or isinstance(b, (date, datetime)):
        return _date_arithmetic(op, a, b, node)
    x, y = _number(a, node.left), _number(b, node.right)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        if y == 0:
            raise FormulaError("Divide by 0", node.pos)
        return x / y
    if op == "^":
        if y == 0:
            return Decimal(1)  # 0 ^ 0 too, as formulon and sformula compute it
        return x ** int(y) if y == y.to_integral_value() else Decimal(str(float(x) ** float(y)))
    raise FormulaError(f"Syntax error. Found '{op}'", node.pos)


def _date_arithmetic(op: str, a: Value, b: Value, node: Binary) -> Value:
    if op == "-" and isinstance(a, (date, datetime)) and isinstance(b, (date, datetime)):
        delta = a - b
        days = Decimal(delta.days) + Decimal(delta.seconds) / Decimal(86400)
        return days if isinstance(a, datetime) else Decimal(delta.days)
    if op in ("+", "-"):
        when, days = (a, b) if isinstance(a, (date, datetime)) else (b, a)
        days = _number(days, node)
        if op == "-":
            days = -days
        if isinstance(when, datetime):
            return when + timedelta(days=float(days))
        return when + timedelta(days=int(days))
    raise FormulaError(f"Incorrect parameter type for operator '{op}'. Expected Number, received Date", node.pos)


_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$")


def _coerce(value: Any, kind: str) -> Value:
    """A stored field value (JSON: strings, numbers, booleans) as the formula type `kind` wants it."""
    if value is None:
        return None
    if kind == fn.NUMBER and not isinstance(value, bool):
        if isinstance(value, (int, float, Decimal)):
            return Decimal(str(value))
        if isinstance(value, str):
            return Decimal(value) if value.strip() else None
    if kind == fn.BOOLEAN and isinstance(value, str):
        return value.strip().lower() == "true"
    if kind == fn.BOOLEAN:
        return bool(value)
    if kind in (fn.DATE, fn.DATETIME) and isinstance(value, str):
        if not value.strip():
            return None
        m = _DATETIME.match(value.strip())
        if m:
            zone = m.group(3) or "Z"
            zone = "+00:00" if zone == "Z" else zone[:3] + ":" + zone[-2:]
            moment = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{zone}").astimezone(timezone.utc)
            return moment if kind == fn.DATETIME else moment.date()
        day = date.fromisoformat(value.strip()[:10])
        return day if kind == fn.DATE else datetime.combine(day, time(), timezone.utc)
    if kind == fn.DATE and isinstance(value, datetime):
        return value.date()
    if kind == fn.DATETIME and isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(), timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value

