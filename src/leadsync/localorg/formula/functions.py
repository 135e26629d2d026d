"""Which functions the interpreter knows, how many arguments each takes, where each may be used; the
formula types and how field types map onto them.

Salesforce documents each function at help.salesforce.com (`customize_functions_<name>.htm`); the
semantics the interpreter follows are cited in the unit tests (tests/unit/localorg/formula/).
"""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.localorg.formula.errors import FormulaError

# --- types ------------------------------------------------------------------------------------

TEXT, NUMBER, BOOLEAN, DATE, DATETIME = "text", "number", "boolean", "date", "datetime"
PICKLIST, MULTIPICKLIST, NULL, ANY = "picklist", "multipicklist", "null", "any"

TYPE_NAMES = {TEXT: "Text", NUMBER: "Number", BOOLEAN: "Boolean", DATE: "Date", DATETIME: "Date/Time",
              PICKLIST: "Picklist", MULTIPICKLIST: "Multi-Select Picklist", NULL: "Null", ANY: "Any"}

_FIELD_TYPES = {
    TEXT: ("text", "string", "textarea", "longtextarea", "html", "richtextarea", "email", "phone", "url",
           "id", "reference", "lookup", "masterdetail", "encryptedtext", "encryptedstring", "autonumber",
           "combobox"),
    NUMBER: ("number", "currency", "percent", "double", "int", "integer", "long", "decimal"),
    BOOLEAN: ("boolean", "checkbox"),
    DATE: ("date",),
    DATETIME: ("datetime",),
    PICKLIST: ("picklist",),
    MULTIPICKLIST: ("multipicklist", "multiselectpicklist"),
}
FIELD_TYPE_MAP = {name: kind for kind, names in _FIELD_TYPES.items() for name in names}


def formula_type(field_type: str | None) -> str:
    """A field type as the org describes it (`Picklist`, `DateTime`, `currency`...) -> a formula type."""
    if not field_type:
        return ANY
    key = field_type.replace("_", "").replace("-", "").replace(" ", "").lower()
    return FIELD_TYPE_MAP.get(key, ANY)


# --- functions --------------------------------------------------------------------------------

VALIDATION, FLOW, FLOW_ENTRY = "validation", "flow", "flow_entry"
CONTEXTS = (VALIDATION, FLOW, FLOW_ENTRY)


@dataclass(frozen=True)
class Signature:
    min_args: int
    max_args: int | None  # None: any number from min_args
    contexts: tuple[str, ...] = CONTEXTS
    even: bool = False  # CASE: expression, value/result pairs, else result


SIGNATURES: dict[str, Signature] = {
    "AND": Signature(1, None), "OR": Signature(1, None), "NOT": Signature(1, 1), "IF": Signature(3, 3),
    "CASE": Signature(4, None, even=True), "ISPICKVAL": Signature(2, 2), "TEXT": Signature(1, 1),
    "ISBLANK": Signature(1, 1), "ISNULL": Signature(1, 1), "BLANKVALUE": Signature(2, 2),
    "NULLVALUE": Signature(2, 2),
    # Salesforce: ISNEW, ISCHANGED, PRIORVALUE run in validation rules; flows support ISNEW and ISCHANGED
    # in record-triggered flow formulas, PRIORVALUE only in a record-triggered flow's entry condition.
    "ISNEW": Signature(0, 0), "ISCHANGED": Signature(1, 1),
    "PRIORVALUE": Signature(1, 1, contexts=(VALIDATION, FLOW_ENTRY)),
    "LEN": Signature(1, 1), "CONTAINS": Signature(2, 2), "BEGINS": Signature(2, 2),
    "NOW": Signature(0, 0), "TODAY": Signature(0, 0), "VALUE": Signature(1, 1),
    "LOWER": Signature(1, 2), "UPPER": Signature(1, 2), "TRIM": Signature(1, 1), "LEFT": Signature(2, 2),
    "RIGHT": Signature(2, 2), "MID": Signature(3, 3), "SUBSTITUTE": Signature(3, 3),
    "ABS": Signature(1, 1), "ROUND": Signature(2, 2), "FLOOR": Signature(1, 1), "CEILING": Signature(1, 1),
    "MOD": Signature(2, 2), "MAX": Signature(1, None), "MIN": Signature(1, None),
    "INCLUDES": Signature(2, 2, contexts=(VALIDATION,)), "ISNUMBER": Signature(1, 1), "REGEX": Signature(2, 2),
    "DATEVALUE": Signature(1, 1), "DATE": Signature(3, 3), "YEAR": Signature(1, 1), "MONTH": Signature(1, 1),
    "DAY": Signature(1, 1),
}

# Salesforce functions the local org does not evaluate: accepted at deploy (Salesforce accepts them),
# refused with FormulaError by evaluate().
NOT_EVALUATED = frozenset({
    "ADDMONTHS", "ASCII", "BR", "CASESAFEID", "CHR", "CURRENCYRATE", "DATETIMEVALUE", "DAYOFYEAR",
    "DISTANCE", "EXP", "FIND", "FORMATDURATION", "FROMUNIXTIME", "GEOLOCATION", "GETRECORDIDS",
    "GETSESSIONID", "HOUR", "HTMLENCODE", "HYPERLINK", "IMAGE", "IMAGEPROXYURL", "INCLUDE", "INITCAP",
    "ISCLONE", "ISOWEEK", "ISOYEAR", "JSENCODE", "JSINENCODE", "JUNCTIONIDLIST", "LINKTO", "LN", "LOG",
    "LPAD", "MCEILING", "MFLOOR", "MILLISECOND", "MINUTE", "PARENTGROUPVAL", "PREDICT", "PREVGROUPVAL",
    "REQUIRESCRIPT", "REVERSE", "RPAD", "SECOND", "SQRT", "TIMENOW", "TIMEVALUE", "TRUNC",
    "UNIXTIMESTAMP", "URLENCODE", "URLFOR", "VLOOKUP", "WEEKDAY",
})

# Where Salesforce refuses a function it knows (help: "Formula Operators and Functions by Context";
# "Flow Formula Considerations" lists GETRECORDIDS, IMAGE, INCLUDES, PARENTGROUPVAL, PREVGROUPVAL,
# PRIORVALUE, REQUIRE SCRIPT, VLOOKUP as unsupported in flow formulas).
NOT_IN_CONTEXT = {
    VALIDATION: frozenset({"GETRECORDIDS", "GETSESSIONID", "INCLUDE", "LINKTO", "PARENTGROUPVAL",
                           "PREVGROUPVAL", "REQUIRESCRIPT", "URLFOR", "JUNCTIONIDLIST"}),
    FLOW: frozenset({"GETRECORDIDS", "IMAGE", "PARENTGROUPVAL", "PREVGROUPVAL", "REQUIRESCRIPT", "VLOOKUP",
                     "INCLUDE", "LINKTO", "URLFOR"}),
    FLOW_ENTRY: frozenset({"GETRECORDIDS", "IMAGE", "PARENTGROUPVAL", "PREVGROUPVAL", "REQUIRESCRIPT",
                           "VLOOKUP", "INCLUDE", "LINKTO", "URLFOR"}),
}


def signature(name: str, written: str, nargs: int, pos: int, context: str | None = None) -> Signature | None:
    """The signature of a function the interpreter evaluates (None for one it only knows); raises
    FormulaError for unknown functions, functions not allowed in `context`, wrong argument counts."""
    sig = SIGNATURES.get(name)
    if sig is None and name not in NOT_EVALUATED:
        raise FormulaError(f"Unknown function {written}. Check spelling.", pos)
    allowed = sig.contexts if sig is not None else CONTEXTS
    if context is not None and (context not in allowed or name in NOT_IN_CONTEXT.get(context, ())):
        raise FormulaError(f"Function {name} may not be used in this type of formula", pos)
    if sig is None:
        return None
    expected = _expected_count(sig, nargs)
    if expected is not None:
        raise FormulaError(f"Incorrect number of parameters for function '{name}()'. "
                           f"Expected {expected}, received {nargs}", pos)
    return sig


def _expected_count(sig: Signature, n: int) -> int | None:
    if n < sig.min_args:
        return sig.min_args
    if sig.max_args is not None and n > sig.max_args:
        return sig.max_args
    if sig.even and n % 2:
        return n + 1
    return None
