"""Field values as records hold them (JSON: str, bool, int/float, None; dates and datetimes as
Salesforce's REST strings) and as automation compares them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$")


def sf_datetime(value: dt.datetime) -> str:
    """2026-12-02T15:53:17.000+0000, as the REST API writes datetimes."""
    value = value.astimezone(dt.timezone.utc) if value.tzinfo else value
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def as_datetime(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if not isinstance(value, str):
        return None
    mt = _DATETIME.match(value.strip())
    if not mt:
        return None
    y, mo, d, h, mi, s, frac, tz = mt.groups()
    if h is None:
        return dt.date(int(y), int(mo), int(d))
    offset = dt.timezone.utc
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    micro = int((frac or "0").ljust(6, "0"))
    return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro, offset)


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def is_blank(value: Any) -> bool:
    return value is None or value == ""


def same(a: Any, b: Any) -> bool:
    """Flow EqualTo: blank equals blank; numbers by value; datetimes by instant; text exactly."""
    if is_blank(a) or is_blank(b):
        return is_blank(a) and is_blank(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return _bool(a) == _bool(b)
    na, nb = as_number(a), as_number(b)
    if na is not None and nb is not None and not (isinstance(a, str) and isinstance(b, str)):
        return na == nb
    if isinstance(a, (dt.date, dt.datetime)) or isinstance(b, (dt.date, dt.datetime)):
        return as_datetime(a) == as_datetime(b)
    return a == b


def _bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return None


def to_record(value: Any, field_type: str) -> Any:
    """A value automation computed, as the record stores it for a field of `field_type`."""
    if isinstance(value, dt.datetime):
        return sf_datetime(value) if field_type != "Date" else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "":
        return None
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        number = float(value)
        if field_type in ("Number", "Currency", "Percent"):
            return int(number) if number.is_integer() else number
        return str(value) if isinstance(value, Decimal) else value
    return value


def to_typed(value: Any, field_type: str) -> Any:
    """A stored value as the formula interpreter sees it (datetimes and dates as Python objects)."""
    if value is None:
        return None
    if field_type in ("DateTime", "Date"):
        parsed = as_datetime(value)
        return parsed if parsed is not None else value
    return value


def from_text(text: str, field_type: str) -> Any:
    """A CSV cell (Bulk API) as a field value; raises ValueError when it cannot be one."""
    if field_type == "Checkbox":
        low = text.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no", ""):
            return False
        raise ValueError(f"'{text}' is not a valid value for the type xsd:boolean")
    if field_type in ("Number", "Currency", "Percent"):
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a valid value for the type xsd:double") from None
        return int(number) if number.is_integer() and "." not in text else number
    return text
