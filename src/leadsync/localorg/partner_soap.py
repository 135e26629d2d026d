"""The SOAP partner API (`/services/Soap/u/VERSION`), for the one call the local org answers: `convertLead`.

simple-salesforce has no helper for it; clients post the envelope themselves:

    <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
      <soapenv:Header><urn:SessionHeader><urn:sessionId>TOKEN</urn:sessionId></urn:SessionHeader></soapenv:Header>
      <soapenv:Body><urn:convertLead>
        <urn:leadConverts><urn:leadId>00Q...</urn:leadId><urn:convertedStatus>Qualified</urn:convertedStatus>
          <urn:doNotCreateOpportunity>false</urn:doNotCreateOpportunity></urn:leadConverts>   (1 to 100)
      </urn:convertLead></soapenv:Body></soapenv:Envelope>

The answer is `convertLeadResponse` with one `result` per leadConverts, in order: accountId, contactId,
errors (fields, message, statusCode), leadId, opportunityId, success; ids a conversion did not produce
are `xsi:nil`. Faults: a bad session is HTTP 500 `sf:INVALID_SESSION_ID`; any other operation
`sf:UNKNOWN_EXCEPTION` naming it; more than 100 leadConverts `sf:LIMIT_EXCEEDED`.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.localorg.soap import ENV, XSI, EnvelopeError, fault_envelope, read_envelope

PARTNER = "urn:partner.soap.sforce.com"
FAULT_NS = "urn:fault.partner.soap.sforce.com"
MAX_CONVERTS = 100
_FIELDS = ("accountId", "contactId", "convertedStatus", "doNotCreateOpportunity", "leadId", "opportunityId",
           "opportunityName", "overwriteLeadSource", "ownerId", "sendNotificationEmail")
_BOOLEANS = ("doNotCreateOpportunity", "overwriteLeadSource", "sendNotificationEmail")


class PartnerFault(Exception):
    def __init__(self, code: str, message: str, client: bool = False):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.client = code, message, client


@dataclass(frozen=True)
class Call:
    operation: str
    session_id: str | None
    converts: list[dict]


def parse(data: bytes) -> Call:
    from lxml import etree

    try:
        operation, header = read_envelope(data)
    except EnvelopeError as err:
        raise PartnerFault("INVALID_XML", str(err), client=True) from None
    session = None
    if header is not None:
        for el in header.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname == "sessionId":
                session = (el.text or "").strip()
    converts = []
    for item in operation:
        if not isinstance(item.tag, str) or etree.QName(item).localname != "leadConverts":
            continue
        values: dict = {}
        for el in item:
            if not isinstance(el.tag, str):
                continue
            name = etree.QName(el).localname
            if name in _FIELDS:
                text = (el.text or "").strip()
                values[name] = (text.lower() == "true") if name in _BOOLEANS else (text or None)
        converts.append(values)
    return Call(etree.QName(operation).localname, session, converts)


def response(results: list[dict]) -> bytes:
    from lxml import etree

    env = etree.Element(f"{{{ENV}}}Envelope", nsmap={"soapenv": ENV, None: PARTNER, "xsi": XSI})
    body = etree.SubElement(env, f"{{{ENV}}}Body")
    wrapper = etree.SubElement(body, f"{{{PARTNER}}}convertLeadResponse")
    for r in results:
        result = etree.SubElement(wrapper, f"{{{PARTNER}}}result")
        for name in ("accountId", "contactId"):
            _id(result, name, r[name])
        for e in r["errors"]:
            error = etree.SubElement(result, f"{{{PARTNER}}}errors")
            for f in e["fields"]:
                etree.SubElement(error, f"{{{PARTNER}}}fields").text = f
            etree.SubElement(error, f"{{{PARTNER}}}message").text = e["message"]
            etree.SubElement(error, f"{{{PARTNER}}}statusCode").text = e["statusCode"]
        _id(result, "leadId", r["leadId"])
        _id(result, "opportunityId", r["opportunityId"])
        etree.SubElement(result, f"{{{PARTNER}}}success").text = "true" if r["success"] else "false"
    return b'<?xml version="1.0" encoding="UTF-8"?>' + etree.tostring(env, encoding="UTF-8")


def _id(parent, name: str, value: str | None) -> None:
    from lxml import etree

    el = etree.SubElement(parent, f"{{{PARTNER}}}{name}")
    if value is None:
        el.set(f"{{{XSI}}}nil", "true")
    else:
        el.text = value


def fault(err: PartnerFault) -> bytes:
    return fault_envelope(FAULT_NS, err.code, err.message, client=err.client)


def handle(data: bytes, authenticate, leads) -> tuple[str, bytes, bool]:
    """(call name, response body, is a fault) for one partner API request."""
    try:
        call = parse(data)
    except PartnerFault as err:
        return "soap_fault", fault(err), True
    if not authenticate(call.session_id):
        return call.operation, fault(PartnerFault("INVALID_SESSION_ID",
                                                  "Invalid Session ID found in SessionHeader: Illegal Session")), True
    if call.operation != "convertLead":
        return call.operation, fault(PartnerFault("UNKNOWN_EXCEPTION",
                                                  f"The local org's partner API answers convertLead only, not {call.operation}")), True
    if not call.converts:
        return call.operation, fault(PartnerFault("INVALID_FIELD", "No leadConverts in the request")), True
    if len(call.converts) > MAX_CONVERTS:
        return call.operation, fault(PartnerFault("LIMIT_EXCEEDED",
                                                  f"Cannot convert more than {MAX_CONVERTS} leads in one call")), True
    return call.operation, response(leads.convert(call.converts)), False
