"""The standard Lead fields every org has, with their types and standard picklist values.

Those of an Enterprise Edition org without optional features (no person accounts, multi-currency,
territories, state and country picklists), as the Lead object reference lists them. `validate` checks
`set.fields` and `when[].field` against this table offline; the local org serves the same names.
Custom fields (`__c`) are not here: deploy checks them against the org.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import NamedTuple


class LeadField(NamedTuple):
    name: str
    type: str  # id boolean string textarea email phone url picklist currency double int date datetime reference address
    writable: bool = True
    values: tuple[str, ...] = ()  # a picklist's standard values


SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx.")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
RATINGS = ("Hot", "Warm", "Cold")
INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction",
    "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental",
    "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery",
    "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
    "Telecommunications", "Transportation", "Utilities", "Other",
)
GEOCODE_ACCURACIES = ("Address", "NearAddress", "Block", "Street", "ExtendedZip", "Zip", "Neighborhood", "City",
                      "County", "State", "Unknown")
CLEAN_STATUSES = ("Matched", "Different", "Acknowledged", "NotFound", "Inactive", "Pending", "SelectMatch",
                  "Skipped")

_RO = False
LEAD_FIELDS: dict[str, LeadField] = {f.name: f for f in (
    LeadField("Id", "id", _RO),
    LeadField("IsDeleted", "boolean", _RO),
    LeadField("MasterRecordId", "reference", _RO),
    LeadField("LastName", "string"),
    LeadField("FirstName", "string"),
    LeadField("Salutation", "picklist", values=SALUTATIONS),
    LeadField("MiddleName", "string"),
    LeadField("Suffix", "string"),
    LeadField("Name", "string", _RO),  # compound of the name parts
    LeadField("RecordTypeId", "reference"),
    LeadField("Title", "string"),
    LeadField("Company", "string"),
    LeadField("Street", "textarea"),
    LeadField("City", "string"),
    LeadField("State", "string"),
    LeadField("PostalCode", "string"),
    LeadField("Country", "string"),
    LeadField("Latitude", "double"),
    LeadField("Longitude", "double"),
    LeadField("GeocodeAccuracy", "picklist", values=GEOCODE_ACCURACIES),
    LeadField("Address", "address", _RO),  # compound of the address parts
    LeadField("Phone", "phone"),
    LeadField("MobilePhone", "phone"),
    LeadField("Fax", "phone"),
    LeadField("Email", "email"),
    LeadField("Website", "url"),
    LeadField("PhotoUrl", "url", _RO),
    LeadField("Description", "textarea"),
    LeadField("LeadSource", "picklist", values=LEAD_SOURCES),
    LeadField("Status", "picklist"),  # its values are the spec's statuses
    LeadField("Industry", "picklist", values=INDUSTRIES),
    LeadField("Rating", "picklist", values=RATINGS),
    LeadField("AnnualRevenue", "currency"),
    LeadField("NumberOfEmployees", "int"),
    LeadField("OwnerId", "reference"),
    LeadField("HasOptedOutOfEmail", "boolean"),
    LeadField("IsConverted", "boolean", _RO),
    LeadField("ConvertedDate", "date", _RO),
    LeadField("ConvertedAccountId", "reference", _RO),
    LeadField("ConvertedContactId", "reference", _RO),
    LeadField("ConvertedOpportunityId", "reference", _RO),
    LeadField("IsUnreadByOwner", "boolean"),
    LeadField("CreatedDate", "datetime", _RO),
    LeadField("CreatedById", "reference", _RO),
    LeadField("LastModifiedDate", "datetime", _RO),
    LeadField("LastModifiedById", "reference", _RO),
    LeadField("SystemModstamp", "datetime", _RO),
    LeadField("LastActivityDate", "date", _RO),
    LeadField("DoNotCall", "boolean"),
    LeadField("HasOptedOutOfFax", "boolean"),
    LeadField("LastViewedDate", "datetime", _RO),
    LeadField("LastReferencedDate", "datetime", _RO),
    LeadField("LastTransferDate", "date", _RO),
    LeadField("Jigsaw", "string"),
    LeadField("JigsawContactId", "string", _RO),
    LeadField("CleanStatus", "picklist", values=CLEAN_STATUSES),
    LeadField("CompanyDunsNumber", "string"),
    LeadField("DandbCompanyId", "reference"),
    LeadField("EmailBouncedReason", "string"),
    LeadField("EmailBouncedDate", "datetime"),
    LeadField("IndividualId", "reference"),
    LeadField("IsPriorityRecord", "boolean", _RO),
)}
STANDARD_LEAD_FIELDS = tuple(LEAD_FIELDS)
_BY_LOWER = {name.lower(): f for name, f in LEAD_FIELDS.items()}

_TEXT = {"id", "string", "textarea", "email", "phone", "url", "picklist", "reference"}
_NUMBER = {"currency", "double"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?")
_ID = re.compile(r"[A-Za-z0-9]{15}([A-Za-z0-9]{3})?")


def is_custom(name: str) -> bool:
    return name.endswith("__c")


def lead_field(name: str) -> LeadField | None:
    """The standard field named `name` (API names ignore letter case), or None."""
    return _BY_LOWER.get(name.lower())


def value_problem(field: LeadField, value: object, picklist: tuple[str, ...] | None = None) -> str | None:
    """Why `value` (as YAML read it) cannot be a value of `field`, or None. `picklist` replaces the
    field's standard values (the spec's statuses for Status)."""
    if value is None:
        return None
    kind = field.type
    if kind == "boolean":
        return None if isinstance(value, bool) else "expected true or false"
    if kind in _NUMBER or kind == "int":
        whole = kind == "int"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not isinstance(value, int)):
            return "expected a whole number" if whole else "expected a number"
        return None
    if not isinstance(value, str):
        return "expected text (in quotes)" if kind in _TEXT else f"expected a {kind} written as text"
    if kind == "date":
        return None if _is_date(value) else "expected a date written YYYY-MM-DD"
    if kind == "datetime":
        return None if _is_datetime(value) else "expected a date and time written YYYY-MM-DDThh:mm:ssZ"
    if kind in ("id", "reference"):
        return None if _ID.fullmatch(value) else "expected a record ID of 15 or 18 letters and digits"
    if kind == "email":
        return None if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else "expected an email address"
    choices = picklist if picklist is not None else field.values
    if kind == "picklist" and choices and value not in choices:
        return "not a value of its picklist"
    return None


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_datetime(text: str) -> bool:
    if not _DATETIME.fullmatch(text) or not _is_date(text[:10]):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
