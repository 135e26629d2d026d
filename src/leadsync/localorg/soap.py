"""SOAP 1.1 envelopes of the Metadata API: read a request, write a response or a fault.

Requests are routed by the Body's first element, never by the SOAPAction header (the Salesforce CLI
sends an empty one). Responses are built from plain Python values: dicts become nested elements in
their key order, lists repeat the element, booleans are `true`/`false`, None is left out, and an lxml
element is copied as is (readMetadata's `<records xsi:type="...">`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MD = "http://soap.sforce.com/2006/04/metadata"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


class SoapFault(Exception):
    """A fault Salesforce would answer; `code` is the exception code (INVALID_SESSION_ID, ...)."""

    def __init__(self, code: str, message: str, client_error: bool = False):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.client_error = code, message, client_error


def invalid_session() -> SoapFault:
    return SoapFault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")


@dataclass(frozen=True)
class Request:
    operation: str  # local name of the Body's first element: deploy, checkDeployStatus, ...
    body: Any  # that element
    session_id: str | None


class EnvelopeError(ValueError):
    """A request that is not a SOAP 1.1 envelope with an operation; each API answers it as its own
    INVALID_XML client fault."""


def read_envelope(data: bytes, *, huge_tree: bool = False):
    """(the Body's first element, the Header element or None) of a SOAP 1.1 request; entities are
    never resolved, nothing is fetched. Raises `EnvelopeError`."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=huge_tree, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise EnvelopeError(f"Unable to parse the request: {err.msg}") from None
    if root.tag != f"{{{ENV}}}Envelope":
        raise EnvelopeError("Expected a SOAP 1.1 Envelope")
    body = root.find(f"{{{ENV}}}Body")
    operation = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if operation is None:
        raise EnvelopeError("The SOAP Body is empty")
    return operation, root.find(f"{{{ENV}}}Header")


def parse_request(data: bytes) -> Request:
    from lxml import etree

    try:
        operation, header = read_envelope(data, huge_tree=True)  # deploy carries a base64 zip
    except EnvelopeError as err:
        raise SoapFault("INVALID_XML", str(err), client_error=True) from None
    session = header.find(f"{{{MD}}}SessionHeader/{{{MD}}}sessionId") if header is not None else None
    return Request(etree.QName(operation).localname, operation, (session.text or "").strip() if session is not None else None)


def response(operation: str, result: Any) -> bytes:
    """`<operationResponse>` holding `<result>` (a list gives one `<result>` per item)."""
    from lxml import etree

    env = etree.Element(f"{{{ENV}}}Envelope", nsmap={"soapenv": ENV, None: MD, "xsi": XSI})
    body = etree.SubElement(env, f"{{{ENV}}}Body")
    wrapper = etree.SubElement(body, f"{{{MD}}}{operation}Response")
    append(wrapper, "result", result)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + etree.tostring(env, encoding="UTF-8")


def fault(err: SoapFault) -> bytes:
    return fault_envelope(MD, err.code, err.message, client=err.client_error)


def fault_envelope(namespace: str, code: str, message: str, *, client: bool) -> bytes:
    """A SOAP 1.1 fault as Salesforce's APIs write it; `namespace` is the API's fault namespace."""
    from lxml import etree

    env = etree.Element(f"{{{ENV}}}Envelope", nsmap={"soapenv": ENV, "sf": namespace, "xsi": XSI})
    f = etree.SubElement(etree.SubElement(env, f"{{{ENV}}}Body"), f"{{{ENV}}}Fault")
    etree.SubElement(f, "faultcode").text = "soapenv:Client" if client else f"sf:{code}"
    etree.SubElement(f, "faultstring").text = f"{code}: {message}"
    if not client:
        detail = etree.SubElement(etree.SubElement(f, "detail"), f"{{{namespace}}}UnexpectedErrorFault")
        detail.set(f"{{{XSI}}}type", "sf:UnexpectedErrorFault")
        etree.SubElement(detail, f"{{{namespace}}}exceptionCode").text = code
        etree.SubElement(detail, f"{{{namespace}}}exceptionMessage").text = message
    return b'<?xml version="1.0" encoding="UTF-8"?>' + etree.tostring(env, encoding="UTF-8")


def append(parent, name: str, value: Any) -> None:
    from lxml import etree

    if value is None:
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            append(parent, name, item)
        return
    if isinstance(value, etree._Element):
        parent.append(value)
        return
    el = etree.SubElement(parent, f"{{{MD}}}{name}")
    if isinstance(value, dict):
        for key, item in value.items():
            append(el, key, item)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    else:
        el.text = str(value)


# --- reading request arguments ------------------------------------------------------------------


def text(el, name: str, default: str | None = None) -> str | None:
    child = el.find(f"{{{MD}}}{name}")
    if child is None:
        child = el.find(name)
    return default if child is None else (child.text or "").strip()


def texts(el, name: str) -> list[str]:
    return [(c.text or "").strip() for c in (*el.findall(f"{{{MD}}}{name}"), *el.findall(name))]


def boolean(el, name: str, default: bool = False) -> bool:
    value = text(el, name)
    return default if value is None or value == "" else value.lower() == "true"


def child(el, name: str):
    found = el.find(f"{{{MD}}}{name}")
    return found if found is not None else el.find(name)
