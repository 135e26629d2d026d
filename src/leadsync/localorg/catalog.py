"""What every new Salesforce org already has, as far as leads go; and the versions it speaks.

Standard Lead fields are those of leadsync.metadata.lead_fields (an Enterprise Edition org without
optional features), the table `validate` checks `set.fields` against. LeadStatus starts with
Salesforce's four standard values.
"""

from __future__ import annotations

from leadsync.metadata.lead_fields import STANDARD_LEAD_FIELDS  # noqa: F401  (one table: validate and the local org agree)

STANDARD_LEAD_STATUSES = (  # (fullName, default, converted)
    ("Open - Not Contacted", True, False),
    ("Working - Contacted", False, False),
    ("Closed - Converted", False, True),
    ("Closed - Not Converted", False, False),
)

NS = "http://soap.sforce.com/2006/04/metadata"


def standard_lead_status_xml() -> bytes:
    values = "".join(
        f"    <standardValue>\n        <fullName>{name}</fullName>\n        <default>{str(default).lower()}</default>\n"
        f"        <label>{name}</label>\n        <converted>{str(converted).lower()}</converted>\n    </standardValue>\n"
        for name, default, converted in STANDARD_LEAD_STATUSES
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<StandardValueSet xmlns="{NS}">\n'
            f"    <sorted>false</sorted>\n{values}</StandardValueSet>\n").encode()


# --- API versions -----------------------------------------------------------------------------

MIN_API_VERSION = 31
MAX_API_VERSION = 65  # Winter '26


def api_versions() -> list[dict]:
    """GET /services/data: every version the org serves, oldest first, labelled by release."""
    out = []
    for v in range(MIN_API_VERSION, MAX_API_VERSION + 1):
        season, year = _release(v)
        out.append({"label": f"{season} '{year:02d}", "url": f"/services/data/v{v}.0", "version": f"{v}.0"})
    return out


def _release(version: int) -> tuple[str, int]:
    # 60.0 was Spring '24; three releases a year (Spring, Summer, Winter of the following year's name).
    steps = version - 60
    season = ("Spring", "Summer", "Winter")[steps % 3]
    year = 24 + steps // 3 + (1 if season == "Winter" else 0)
    return season, year


def supported_version(version: str) -> bool:
    try:
        v = float(version)
    except ValueError:
        return False
    return MIN_API_VERSION <= v <= MAX_API_VERSION and v == int(v)
