"""Lead conversion through the SOAP partner API (`convertLead`), the call Salesforce offers for it.

simple-salesforce has no helper for it (REST has no conversion resource), so this writes the small
envelope itself and posts it with the `OrgClient`'s verified session and access token to
`/services/Soap/u/{api_version}`:

    convert_lead(org, lead_id, "Qualified") -> ConvertResult(success, account_id, contact_id, ...)

A conversion Salesforce refuses (a validation rule, a status that is not a converted one) comes back
as data (`success` False, `errors`), like a failed save; a SOAP fault (expired session, malformed
call) or an unreachable org raises leadsync's errors, with the session renewed once when the login
allows, through `OrgClient._call`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from leadsync.org.session import OrgFault, SessionExpired, TransientError

if TYPE_CHECKING:
    from leadsync.org.client import OrgClient

PARTNER_NS = "urn:partner.soap.sforce.com"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_P = f"{{{PARTNER_NS}}}"


@dataclass(frozen=True)
class ConvertError:
    status_code: str
    message: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConvertResult:
    success: bool
    lead_id: str | None = None
    account_id: str | None = None
    contact_id: str | None = None
    opportunity_id: str | None = None
    errors: tuple[ConvertError, ...] = ()


def envelope(session_id: str, lead_id: str, converted_status: str, create_opportunity: bool = True) -> bytes:
    """The convertLead request: one LeadConvert, its elements in the partner WSDL's order."""
    flag = "false" if create_opportunity else "true"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:urn="{PARTNER_NS}">'
        f"<soapenv:Header><urn:SessionHeader><urn:sessionId>{escape(session_id)}</urn:sessionId>"
        "</urn:SessionHeader></soapenv:Header>"
        "<soapenv:Body><urn:convertLead><urn:leadConverts>"
        f"<urn:convertedStatus>{escape(converted_status)}</urn:convertedStatus>"
        f"<urn:doNotCreateOpportunity>{flag}</urn:doNotCreateOpportunity>"
        f"<urn:leadId>{escape(lead_id)}</urn:leadId>"
        "<urn:overwriteLeadSource>false</urn:overwriteLeadSource>"
        "<urn:sendNotificationEmail>false</urn:sendNotificationEmail>"
        "</urn:leadConverts></urn:convertLead></soapenv:Body></soapenv:Envelope>"
    ).encode("utf-8")


def parse_response(body: bytes) -> ConvertResult:
    """The first `result` of a convertLeadResponse; OrgFault/SessionExpired for a SOAP fault."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as err:
        raise OrgFault(f"the org's answer to convertLead is not XML ({err})") from None
    fault = root.find(f".//{{{SOAP_NS}}}Fault")
    if fault is not None:
        code = (fault.findtext("faultcode") or "").rsplit(":", 1)[-1]
        message = fault.findtext("faultstring") or code
        if code == "INVALID_SESSION_ID":
            raise SessionExpired("the org refused the session for convertLead (INVALID_SESSION_ID)")
        raise OrgFault(f"convertLead failed: {code}: {message}", code)
    result = root.find(f".//{_P}result")
    if result is None:
        raise OrgFault("the org's answer to convertLead had no result in it")

    def text(tag: str) -> str | None:
        value = result.findtext(_P + tag)
        return value or None

    errors = tuple(
        ConvertError(status_code=e.findtext(_P + "statusCode") or "", message=e.findtext(_P + "message") or "",
                     fields=tuple(f.text or "" for f in e.findall(_P + "fields")))
        for e in result.findall(_P + "errors")
    )
    return ConvertResult(
        success=(text("success") or "").lower() == "true",
        lead_id=text("leadId"),
        account_id=text("accountId"),
        contact_id=text("contactId"),
        opportunity_id=text("opportunityId"),
        errors=errors,
    )


def convert_lead(org: OrgClient, lead_id: str, converted_status: str, *, create_opportunity: bool = True,
                 timeout: float = 120.0) -> ConvertResult:
    """Convert one lead as Salesforce's Convert button does (an account, a contact and an opportunity)."""
    url = f"{org.instance_url}/services/Soap/u/{org.api_version}"

    def call() -> ConvertResult:
        response = org._session.post(  # the client's verified session: same trust, timeouts and logs
            url,
            data=envelope(org._sf.session_id, lead_id, converted_status, create_opportunity),
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
            timeout=timeout,
        )
        if response.status_code in (200, 500) and b"Envelope" in response.content[:400]:
            return parse_response(response.content)  # Salesforce answers a fault with HTTP 500
        if response.status_code == 401:
            raise SessionExpired("the org refused the session for convertLead (HTTP 401)")
        if response.status_code >= 500 or response.status_code == 420:
            raise TransientError(f"the org answered convertLead with HTTP {response.status_code}", "http")
        raise OrgFault(f"the org answered convertLead with HTTP {response.status_code}")

    return org._call("convertLead", call)
