"""Salesforce-shaped record ids: 15 characters (3-character key prefix) plus the 3-character case checksum.

Clients check id shapes (the Metadata API's `ID` type is exactly 18 characters of [a-zA-Z0-9]), and
humans recognise the prefixes: 00D org, 005 user, 0Af deploy, 09S retrieve, 00N custom field.
"""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
_CHECKSUM = string.ascii_uppercase + "012345"

PREFIX = {
    "Organization": "00D",
    "User": "005",
    "Deploy": "0Af",
    "Retrieve": "09S",
    "CustomField": "00N",
    "RecordType": "012",
    "BusinessProcess": "019",
    "ValidationRule": "03d",
    "Flow": "301",
    "PermissionSet": "0PS",
    "ApexClass": "01p",
    "ApexTrigger": "01q",
    "Layout": "00h",
    "Lead": "00Q",
}


def new_id(kind: str) -> str:
    """A fresh 18-character id; kinds without a known prefix get "000"."""
    prefix = PREFIX.get(kind, "000")
    body = prefix + "5g" + "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return body + checksum(body)


def checksum(id15: str) -> str:
    """Salesforce's suffix: for each 5-character chunk, a bit per upper-case letter, as one character."""
    out = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        out += _CHECKSUM[bits]
    return out

