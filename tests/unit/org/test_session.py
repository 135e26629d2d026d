"""The HTTP layer: TLS verification nothing can switch off, error classification, redaction."""

from __future__ import annotations

import http.server
import logging
import socket
import ssl
import threading

import pytest
import requests
import trustme

from leadsync.errors import OrgUnreachable
from leadsync.org.session import (
    OrgFault,
    Redactor,
    SessionExpired,
    TransientError,
    TrustBundle,
    VerifiedSession,
    classify,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """A tiny HTTPS server with a private CA; yields (url, ca_file)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", ca_file
    server.shutdown()


def test_untrusted_certificate_is_an_org_unreachable_naming_the_fix(tls_server):
    url, _ = tls_server
    with VerifiedSession() as http, pytest.raises(requests.exceptions.SSLError) as raised:
        http.get(url)
    err = classify(raised.value, what="a query", host="127.0.0.1")
    assert type(err) is OrgUnreachable
    assert "TLS verification failed" in str(err) and "REQUESTS_CA_BUNDLE" in str(err)


def test_requests_ca_bundle_adds_a_ca_and_verify_false_cannot_switch_tls_off(tls_server, monkeypatch):
    url, ca_file = tls_server
    bundle = TrustBundle([], {"REQUESTS_CA_BUNDLE": str(ca_file)})
    try:
        with VerifiedSession(bundle.verify) as http:
            assert http.get(url).text == "ok"
            # public CAs are still trusted: the bundle holds certifi too
            import certifi

            assert open(certifi.where(), "rb").read(200) in open(bundle.verify, "rb").read()
    finally:
        bundle.close()
    # An environment that names a different bundle does not replace ours (requests would let it).
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    with VerifiedSession(True) as http, pytest.raises(requests.exceptions.SSLError):
        http.get(url)
    with VerifiedSession(True) as http, pytest.raises(requests.exceptions.SSLError):
        http.get(url, verify=False)


def test_a_missing_ca_bundle_is_reported():
    with pytest.raises(OrgUnreachable, match="REQUESTS_CA_BUNDLE names"):
        TrustBundle([], {"REQUESTS_CA_BUNDLE": "/nonexistent/ca.pem"})


def test_refused_connection_is_a_transient_connect_error():
    with VerifiedSession() as http, pytest.raises(requests.exceptions.ConnectionError) as raised:
        http.get(f"https://127.0.0.1:{free_port()}/")
    err = classify(raised.value, what="a query", host="127.0.0.1")
    assert isinstance(err, TransientError) and err.kind == "connect" and not err.may_have_reached_org
    assert "connection refused" in str(err)


def test_a_dropped_connection_is_a_transient_reset():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def drop():
        conn, _ = listener.accept()
        conn.recv(1024)
        conn.close()

    threading.Thread(target=drop, daemon=True).start()
    with requests.Session() as http, pytest.raises(requests.exceptions.ConnectionError) as raised:
        http.get(f"http://127.0.0.1:{listener.getsockname()[1]}/")
    listener.close()
    err = classify(raised.value, what="checkDeployStatus", host="h")
    assert isinstance(err, TransientError) and err.kind == "reset" and err.may_have_reached_org


class FakeSalesforceError(Exception):
    """Shaped like simple_salesforce.exceptions.SalesforceError (status, content)."""

    def __init__(self, status, content):
        super().__init__(f"{status}")
        self.status, self.content = status, content


SOAP_FAULT = """<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope
 xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata">
<soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{text}</faultstring></soapenv:Fault>
</soapenv:Body></soapenv:Envelope>"""


@pytest.mark.parametrize("status, content, kind", [
    (503, "Service Unavailable", TransientError),
    (502, "", TransientError),
    (420, "", TransientError),
    (500, "oops", TransientError),
    (500, SOAP_FAULT.format(code="INVALID_SESSION_ID", text="Invalid Session ID found"), SessionExpired),
    (500, SOAP_FAULT.format(code="INVALID_ID_FIELD", text="Invalid id"), OrgFault),
    (401, [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}], SessionExpired),
    (400, [{"errorCode": "MALFORMED_QUERY", "message": "bad"}], OrgFault),
    (403, [{"errorCode": "API_DISABLED_FOR_ORG", "message": "no"}], OrgUnreachable),
])
def test_http_errors(status, content, kind):
    err = classify(FakeSalesforceError(status, content), what="deploy", host="h")
    assert type(err) is kind


def test_soap_fault_message_names_code_and_text():
    err = classify(FakeSalesforceError(500, SOAP_FAULT.format(code="INVALID_ID_FIELD", text="Invalid id 0Af")),
                   what="checkDeployStatus", host="h")
    assert str(err) == "the org refused checkDeployStatus: INVALID_ID_FIELD: Invalid id 0Af"


def test_unknown_exceptions_are_not_org_failures():
    assert classify(ValueError("bug"), what="x", host="h") is None


def test_redactor_masks_secrets_in_text_and_logs(caplog):
    redactor = Redactor()
    redactor.add("00D000000000001!AQ4AQFakeTokenValue", None, "", "short")
    assert redactor("Bearer 00D000000000001!AQ4AQFakeTokenValue") == "Bearer ***"
    assert redactor("t=00D000000000001%21AQ4AQFakeTokenValue") == "t=***"
    assert redactor("short stays") == "short stays"
    logger = logging.getLogger("leadsync.test")
    handler = logging.StreamHandler()
    handler.addFilter(redactor.logging_filter())
    with caplog.at_level(logging.DEBUG, logger="leadsync.test"):
        logger.addHandler(handler)
        caplog.handler.addFilter(redactor.logging_filter())
        logger.debug("token %s", "00D000000000001!AQ4AQFakeTokenValue")
        logger.removeHandler(handler)
    assert "FakeTokenValue" not in caplog.text
