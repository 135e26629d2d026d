"""What Salesforce says when a formula is saved or deployed: syntax, functions, argument counts and
types, fields that do not exist, picklists used outside ISPICKVAL/TEXT/CASE, the result type.

`check(text, fields, context)` -> messages (empty when Salesforce would accept it); `problems(...)`
-> the same as FormulaErrors with their positions (the deploy judge turns them into line and column).
Like Salesforce, a syntax error is the only message; otherwise every distinct problem is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from leadsync.localorg.formula import functions as fn
from leadsync.localorg.formula.ast import Binary, Call, Literal, Node, Ref, Unary
from leadsync.localorg.formula.errors import FormulaError
from leadsync.localorg.formula.functions import (
    ANY, BOOLEAN, DATE, DATETIME, MULTIPICKLIST, NULL, NUMBER, PICKLIST, TEXT, TYPE_NAMES,
)
from leadsync.localorg.formula.parser import parse
from leadsync.localorg.formula.refs import classify, needed_field

# "Formulas are limited to 3,900 characters ... including spaces, return characters, and comments" (Salesforce
# Help, formula size limits); flow formulas too ("can contain up to 3,900 characters").
MAX_LENGTH = 3900
_RESULT_NAMES = {BOOLEAN: "true or false", TEXT: "Text", NUMBER: "Number", DATE: "Date", DATETIME: "Date/Time"}
_FLOW_DATA_TYPES = {"string": TEXT, "text": TEXT, "number": NUMBER, "currency": NUMBER, "boolean": BOOLEAN,
                    "date": DATE, "datetime": DATETIME}


def check(text: str, fields: Mapping[str, str], context: str = "validation",
          flow_resources: Iterable[str] = frozenset(), result_type: str | None = None,
          permissions: Iterable[str] | None = None) -> list[str]:
    """Salesforce's messages for `text`, [] when it would be accepted.

    fields: the object's fields (API name -> field type: 'picklist', 'text', 'datetime'...).
    flow_resources: the names of a flow's resources and elements, or a mapping name -> dataType.
    context: 'validation' (an errorConditionFormula: must be true or false), 'flow' (a flow formula
    resource: `{!$Record.X}`, `{!resource}`), 'flow_entry' (a record-triggered flow's entry formula).
    result_type: the type the formula must return ('boolean' for validation rules and flow entry
    conditions unless given; a flow formula's dataType, e.g. 'String', 'DateTime'; None: anything).
    permissions: the org's custom permissions; when given, a validation rule's `$Permission.X` must be
    one of them (flows do not validate globals).
    """
    return [p.message for p in problems(text, fields, context, flow_resources, result_type, permissions)]


def problems(text: str, fields: Mapping[str, str], context: str = "validation",
             flow_resources: Iterable[str] = frozenset(), result_type: str | None = None,
             permissions: Iterable[str] | None = None) -> list[FormulaError]:
    """check() as FormulaErrors, each with the offset in `text` where its problem starts."""
    if context not in fn.CONTEXTS:
        raise ValueError(f"context must be one of {fn.CONTEXTS}, not {context!r}")
    if len(text) > MAX_LENGTH:
        return [FormulaError(f"Formula is too long ({len(text):,} characters). Maximum length is {MAX_LENGTH:,} "
                             "characters.", MAX_LENGTH)]
    try:
        tree = parse(text)
    except FormulaError as err:
        return [err]
    typer = Typer(fields, context, flow_resources, permissions if context == fn.VALIDATION else None)
    try:
        got = typer.value(tree)
    except RecursionError:
        return [FormulaError("Syntax error. The formula is nested too deeply", 0)]
    if result_type is None and context in (fn.VALIDATION, fn.FLOW_ENTRY):
        result_type = BOOLEAN
    want = _FLOW_DATA_TYPES.get(result_type.lower(), fn.formula_type(result_type)) if result_type else ANY
    if want != ANY and got not in (want, ANY, NULL) and not typer.problems:
        typer.fail(f"Formula result is data type ({TYPE_NAMES[got]}), incompatible with expected data type "
                   f"({_RESULT_NAMES.get(want, TYPE_NAMES[want])}).", tree.pos)
    return typer.problems


def _every_argument(*types: str, returns: str):
    """A Typer `fn_` method for a function whose every argument must be one of `types` (the first names
    the expected type in the message) and whose result is `returns`."""

    def check(self: Typer, node: Call, args: list[Node]) -> str:
        for a in args:
            self.want(node, a, *types)
        return returns

    return check


class Typer:
    """Infers types bottom-up, recording each distinct problem once; a node with a problem is ANY,
    so one mistake does not cascade."""

    def __init__(self, fields: Mapping[str, str], context: str, flow_resources: Iterable[str],
                 permissions: Iterable[str] | None = None):
        self.fields = {k.lower(): v for k, v in fields.items()}
        self.permissions = None if permissions is None else {p.lower() for p in permissions}
        self.context = context
        # a flow's resources: names, or names -> dataType (String, Number, Boolean, Date, DateTime, SObject...)
        types = flow_resources if isinstance(flow_resources, Mapping) else dict.fromkeys(flow_resources, "")
        self.resources = {str(k).lower(): _FLOW_DATA_TYPES.get(str(v or "").lower(), ANY) for k, v in types.items()}
        self.problems: list[FormulaError] = []

    def fail(self, message: str, pos: int) -> str:
        if all(p.message != message for p in self.problems):
            self.problems.append(FormulaError(message, pos))
        return ANY

    # -- values ----------------------------------------------------------------------------

    def value(self, node: Node) -> str:
        """The type of `node` where a plain value is needed: a picklist here is an error."""
        t = self.type_of(node)
        if t == PICKLIST:
            return self.fail(f"Field {self.field_name(node)} is a picklist field. Picklist fields are only "
                             "supported in certain functions.", node.pos)
        return t

    def field_name(self, node: Node) -> str:
        while isinstance(node, Call) and node.args:
            node = node.args[0]
        return node.name if isinstance(node, Ref) else "?"

    def type_of(self, node: Node) -> str:
        if isinstance(node, Literal):
            return {"text": TEXT, "number": NUMBER, "boolean": BOOLEAN, "null": NULL}[node.kind]
        if isinstance(node, Ref):
            return self.ref(node)
        if isinstance(node, Unary):
            want = BOOLEAN if node.op == "!" else NUMBER
            got = self.value(node.operand)
            if got not in (want, ANY, NULL):
                return self.fail(_operator_type(node.op if node.op != "!" else "NOT", want, got), node.pos)
            return want
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(node)

    def ref(self, node: Ref) -> str:
        target = classify(node, self.context)
        if target.kind in ("field", "prior"):
            need = needed_field(target.path)
            field_type = self.fields.get(need.lower())
            if field_type is None:
                return self.fail(f"Field {need if len(target.path) == 1 else target.path[0]} does not exist. "
                                 "Check spelling.", node.pos)
            return fn.formula_type(field_type) if len(target.path) == 1 else ANY
        if target.kind == "permission":
            if self.permissions is not None and target.path[0].lower() not in self.permissions:
                return self.fail(f"Field {node.name} does not exist. Check spelling.", node.pos)
            return BOOLEAN
        if target.kind == "flow":
            return {"CURRENTDATETIME": DATETIME, "CURRENTDATE": DATE}.get(target.path[0].upper(), ANY)
        if target.kind == "global":
            return ANY
        if target.kind == "resource" and target.path[0].lower() in self.resources:
            return self.resources[target.path[0].lower()] if len(target.path) == 1 else ANY
        return self.fail(f"Field {node.name} does not exist. Check spelling.", node.pos)

    # -- operators -------------------------------------------------------------------------

    def binary(self, node: Binary) -> str:
        op = node.op
        left, right = self.value(node.left), self.value(node.right)
        if op in ("&&", "||"):
            for t in (left, right):
                if t not in (BOOLEAN, ANY, NULL):
                    return self.fail(_operator_type(op, BOOLEAN, t), node.pos)
            return BOOLEAN
        if op in ("=", "<>", "<", ">", "<=", ">="):
            allowed = (TEXT, NUMBER, DATE, DATETIME, BOOLEAN, MULTIPICKLIST) if op in ("=", "<>") else (NUMBER, DATE, DATETIME)
            for t in (left, right):
                if t not in (*allowed, ANY, NULL):
                    return self.fail(_operator_type(op, NUMBER, t), node.pos)
            if not _compatible(left, right):
                return self.fail(_operator_type(op, left, right), node.pos)
            return BOOLEAN
        if op == "&":
            for t in (left, right):
                if t not in (TEXT, ANY, NULL):
                    return self.fail(_operator_type(op, TEXT, t), node.pos)
            return TEXT
        return self.arithmetic(node, op, left, right)

    def arithmetic(self, node: Binary, op: str, left: str, right: str) -> str:
        if ANY in (left, right) or NULL in (left, right):
            known = right if left in (ANY, NULL) else left
            if op == "-" and known in (DATE, DATETIME):
                return ANY
            return known if known not in (ANY, NULL) else ANY
        table = {
            ("+", NUMBER, NUMBER): NUMBER, ("-", NUMBER, NUMBER): NUMBER, ("*", NUMBER, NUMBER): NUMBER,
            ("/", NUMBER, NUMBER): NUMBER, ("^", NUMBER, NUMBER): NUMBER,
            ("+", DATE, NUMBER): DATE, ("+", NUMBER, DATE): DATE, ("-", DATE, NUMBER): DATE,
            ("+", DATETIME, NUMBER): DATETIME, ("+", NUMBER, DATETIME): DATETIME, ("-", DATETIME, NUMBER): DATETIME,
            ("-", DATE, DATE): NUMBER, ("-", DATETIME, DATETIME): NUMBER, ("+", TEXT, TEXT): TEXT,
        }
        result = table.get((op, left, right))
        if result is None:
            if op in ("+", "-") and left in (DATE, DATETIME, TEXT):
                expected, got = (TEXT if left == TEXT else NUMBER), right
            else:
                expected, got = NUMBER, (left if left != NUMBER else right)
            return self.fail(_operator_type(op, expected, got), node.pos)
        return result

    # -- functions -------------------------------------------------------------------------

    def call(self, node: Call) -> str:
        try:
            sig = fn.signature(node.name, node.written, len(node.args), node.pos, self.context)
        except FormulaError as err:
            self.fail(err.message, err.position)
            for arg in node.args:
                self.type_of(arg)
            return ANY
        if sig is None:  # a Salesforce function the local org knows by name only
            for arg in node.args:
                self.type_of(arg)
            return ANY
        return getattr(self, "fn_" + node.name.lower())(node, node.args)

    def want(self, node: Call, arg: Node, *types: str, picklist_ok: bool = False) -> str:
        t = self.type_of(arg) if picklist_ok else self.value(arg)
        if t not in (*types, ANY, NULL):
            return self.fail(_function_type(node.name, types[0], t), arg.pos)
        return t

    fn_and = fn_or = fn_not = _every_argument(BOOLEAN, returns=BOOLEAN)

    def fn_if(self, node, args):
        self.want(node, args[0], BOOLEAN)
        return self.same(node, [self.value(args[1]), self.value(args[2])], args[1:])

    def same(self, node: Call, types: list[str], args) -> str:
        known = [t for t in types if t not in (ANY, NULL)]
        for t, arg in zip(types, args):
            if known and t not in (ANY, NULL) and not _compatible(known[0], t):
                return self.fail(_function_type(node.name, known[0], t), arg.pos)
        return known[0] if known else (NULL if all(t == NULL for t in types) else ANY)

    def fn_case(self, node, args):
        subject = self.type_of(args[0])
        if subject == PICKLIST:
            subject = TEXT
        elif subject == MULTIPICKLIST:
            return self.fail(_function_type(node.name, TEXT, subject), args[0].pos)
        values, results = args[1:-1:2], [*args[2:-1:2], args[-1]]
        for v in values:
            t = self.value(v)
            if subject not in (ANY, NULL) and t not in (ANY, NULL) and not _compatible(subject, t):
                return self.fail(_function_type(node.name, subject, t), v.pos)
        result_types = [self.value(r) for r in results]
        for t, r in zip(result_types, results):
            if t == BOOLEAN:  # Salesforce Help, CASE: "CASE functions can't contain functions that return true or false"
                return self.fail(f"Incorrect parameter type for function 'CASE()'. Expected Text, Number, Date, "
                                 f"Date/Time, received {TYPE_NAMES[t]}", r.pos)
        return self.same(node, result_types, results)

    def fn_ispickval(self, node, args):
        return self.holds(node, args, PICKLIST)

    def holds(self, node: Call, args, kind: str) -> str:
        """ISPICKVAL, INCLUDES: a field of `kind` (used as it is, not as a value) and a text."""
        t = self.type_of(args[0])
        if t not in (kind, ANY):
            self.fail(_function_type(node.name, kind, t), args[0].pos)
        self.want(node, args[1], TEXT)
        return BOOLEAN

    def fn_text(self, node, args):
        t = self.type_of(args[0])
        if t not in (PICKLIST, NUMBER, DATE, DATETIME, ANY, NULL):
            return self.fail(f"Incorrect parameter type for function 'TEXT()'. Expected Number, Date, Date/Time, "
                             f"Picklist, received {TYPE_NAMES[t]}", args[0].pos)
        return TEXT

    def fn_isblank(self, node, args):
        self.value(args[0])
        return BOOLEAN

    fn_isnull = fn_isblank

    def fn_blankvalue(self, node, args):
        return self.same(node, [self.value(args[0]), self.value(args[1])], args)

    fn_nullvalue = fn_blankvalue

    def fn_isnew(self, node, args):
        return BOOLEAN

    def field_arg(self, node: Call, arg: Node) -> str:
        t = self.type_of(arg)
        if not isinstance(arg, Ref) or classify(arg, self.context).kind != "field":
            if t != ANY:
                self.fail(f"Incorrect parameter type for function '{node.name}()'. Expected Field, "
                          f"received {TYPE_NAMES[t]}", arg.pos)
            return ANY
        return t

    def fn_ischanged(self, node, args):
        self.field_arg(node, args[0])
        return BOOLEAN

    def fn_priorvalue(self, node, args):
        return self.field_arg(node, args[0])

    fn_len = fn_value = _every_argument(TEXT, returns=NUMBER)
    fn_contains = fn_begins = fn_regex = fn_isnumber = _every_argument(TEXT, returns=BOOLEAN)

    def fn_now(self, node, args):
        return DATETIME

    def fn_today(self, node, args):
        return DATE

    fn_lower = fn_upper = fn_trim = fn_substitute = _every_argument(TEXT, returns=TEXT)

    def fn_left(self, node, args):
        self.want(node, args[0], TEXT)
        for a in args[1:]:
            self.want(node, a, NUMBER)
        return TEXT

    fn_right = fn_left
    fn_mid = fn_left

    fn_abs = fn_round = fn_floor = fn_ceiling = fn_mod = fn_max = fn_min = _every_argument(NUMBER, returns=NUMBER)

    def fn_includes(self, node, args):
        return self.holds(node, args, MULTIPICKLIST)

    fn_datevalue = _every_argument(TEXT, DATE, DATETIME, returns=DATE)
    fn_date = _every_argument(NUMBER, returns=DATE)
    fn_year = fn_month = fn_day = _every_argument(DATE, returns=NUMBER)


def _compatible(a: str, b: str) -> bool:
    return a == b or ANY in (a, b) or NULL in (a, b)


def _operator_type(op: str, expected: str, got: str) -> str:
    return f"Incorrect parameter type for operator '{op}'. Expected {TYPE_NAMES[expected]}, received {TYPE_NAMES[got]}"


def _function_type(name: str, expected: str, got: str) -> str:
    return f"Incorrect parameter type for function '{name}()'. Expected {TYPE_NAMES[expected]}, received {TYPE_NAMES[got]}"
