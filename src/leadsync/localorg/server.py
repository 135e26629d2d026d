"""`LocalOrg`: an offline Salesforce org over HTTPS on 127.0.0.1, for leadsync, simple-salesforce and sf.

    org = LocalOrg(state_dir, port=0, production=False, deploy_seconds=0.3)
    org.start()                  # serves in a background thread
    org.instance_url, org.access_token, org.ca_file, org.connect_info()
    org.faults.status_503 = 2    # fault injection, at runtime
    org.calls.count("checkDeployStatus")
    org.add_leads([{"LastName": "Doe", "Company": "Acme", "Status": "Working - Contacted"}])
    org.stop()

Routes: OAuth (`/services/oauth2/token`, `userinfo`, `revoke`, `/id/ORG/USER`), REST (`/services/data`),
the SOAP Metadata API (`/services/Soap/m/VERSION[/...]`, routed by the SOAP Body). Each request is
recorded in `calls` before anything else, so tests see refused and faulted calls too. Requests are
logged (method and path only: never headers, bodies or query strings) to the `leadsync.localorg`
logger; paths it does not answer are logged as warnings.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from leadsync.localorg import oauth, rest, rest_metadata, soap
from leadsync.localorg.calls import CallLog
from leadsync.localorg.catalog import supported_version
from leadsync.localorg.deploys import Deploys
from leadsync.localorg.faults import Faults
from leadsync.localorg.leads import Leads
from leadsync.localorg.metadata_api import MetadataApi
from leadsync.localorg.records import RecordStore
from leadsync.localorg.soap import SoapFault
from leadsync.localorg.state import State, StateLock
from leadsync.localorg.store import MetadataStore
from leadsync.localorg.tls import ensure_certificates, server_context

__all__ = ["LocalOrg", "Faults"]

log = logging.getLogger("leadsync.localorg")

_REST_DEPLOY = re.compile(r"^/services/data/v(\d+\.\d)(/metadata/deployRequest(?:/\w+)?)/?$")
INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
MAX_BODY = 64 * 1024 * 1024
IDLE_SECONDS = 30


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    headers: tuple[tuple[str, str], ...] = ()


DROP = Response(0)  # close the connection without answering


def _json(status: int, value, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    return Response(status, json.dumps(value).encode(), headers=headers)


class LocalOrg:
    def __init__(self, state_dir: Path, port: int = 0, production: bool = False, deploy_seconds: float = 0.3,
                 faults: Faults | None = None, jwt_public_key_pem: bytes | None = None):
        self.state_dir = Path(state_dir)
        self.production = production
        # What the Organization query reports; a test may set any edition ("Developer Edition"...).
        self.organization_type = "Enterprise Edition"
        self.faults = faults or Faults()
        self.calls = CallLog()
        self.jwt_public_key_pem = jwt_public_key_pem
        self._port = port
        self._deploy_seconds = deploy_seconds
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock: StateLock | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> "LocalOrg":
        self._lock = StateLock(self.state_dir, shared=True).__enter__()
        self.state = State(self.state_dir)
        self.tls = ensure_certificates(self.state.tls_dir)
        self.store = MetadataStore(self.state.metadata_dir)
        self.leads = Leads(RecordStore(self.state.records_dir), self.store, self.state.identity.user_id)
        self.deploys = Deploys(self.store, self.state.deploys_dir, self.production, self._deploy_seconds,
                               self.state.identity.user_id)
        self.sessions = oauth.Sessions(self.state)
        self.metadata_api = MetadataApi(self.store, self.deploys, self.state.identity, self.production, self.faults)
        self._server = _Server(("127.0.0.1", self._port), self, server_context(self.tls))
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="local-org", daemon=True)
        self._thread.start()
        log.info("local org serving %s (state %s)", self.instance_url, self.state_dir)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
            self._server = None
            self.deploys.finish_all()
            self.leads.store.close()
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None

    def __enter__(self) -> "LocalOrg":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what clients need ------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on (still known after stop, for messages)."""
        return self._port

    @property
    def instance_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.tls.ca_file

    @property
    def access_token(self) -> str:
        return self.state.secrets.access_token

    @property
    def refresh_token(self) -> str:
        return self.state.secrets.refresh_token

    @property
    def client_id(self) -> str:
        return self.state.secrets.client_id

    @property
    def client_secret(self) -> str:
        return self.state.secrets.client_secret

    @property
    def password(self) -> str:
        return self.state.secrets.password

    @property
    def username(self) -> str:
        return self.state.identity.username

    @property
    def org_id(self) -> str:
        return self.state.identity.org_id

    @property
    def user_id(self) -> str:
        return self.state.identity.user_id

    def add_leads(self, leads: list[dict]) -> list[str]:
        """Store leads, as `POST sobjects/Lead` would (checked, defaulted, automation run; all or none): their ids.

        Test setup, like seeding a database. Raises `leads.RecordError` for a lead Salesforce would refuse.
        """
        return self.leads.create(leads)

    def seed_leads(self, leads: list[dict]) -> list[str]:
        """Store leads as given, unchecked and without automation (converted leads, inactive values...): ids."""
        return self.leads.seed(leads)

    def connect_info(self) -> dict:
        return {"instance_url": self.instance_url, "access_token": self.access_token, "username": self.username,
                "ca_file": str(self.ca_file)}

    def __repr__(self) -> str:
        where = self.instance_url if self._server else "stopped"
        return f"LocalOrg({where}, state={str(self.state_dir)!r})"

    # --- routing ----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers, body: bytes) -> Response:
        url = urlsplit(target)
        path, params = url.path, dict(parse_qsl(url.query))
        if path == "/services/oauth2/token" and method == "POST":
            return self._token(headers, body)
        if path == "/services/oauth2/revoke":
            self.calls.add("revoke")
            self.sessions.revoke(dict(parse_qsl(body.decode("utf-8", "replace"))).get("token") or params.get("token", ""))
            return Response(200, b"", "text/plain")
        if path.startswith("/services/Soap/m/") and method == "POST":
            return self._soap(path, body)
        if path.startswith("/services/Soap/u/") and method == "POST":
            return self._partner_soap(path, body)
        if path.rstrip("/") == "/services/data" and method == "GET":
            self.calls.add("versions")
            return _json(200, rest.handle(method, path, params, self._facts()).body)
        deploy_request = _REST_DEPLOY.match(path)
        if deploy_request and supported_version(deploy_request.group(1)):
            return self._rest_deploy(method, deploy_request, params, headers, body)
        if path == "/services/oauth2/userinfo" or path.startswith("/id/") or path.startswith("/services/data/"):
            return self._authenticated(method, path, params, headers, body)
        self.calls.add("not_found", path=path)
        log.warning("local org does not answer %s %s", method, path)
        return _json(404, rest.NOT_FOUND)

    def _token(self, headers, body: bytes) -> Response:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        self.calls.add("token", grant_type=form.get("grant_type"))
        reply = oauth.token(form, _basic(headers), self.state, self.sessions, self.instance_url, self.jwt_public_key_pem)
        return _json(reply.status, reply.body)

    def _authenticated(self, method: str, path: str, params: dict, headers, body: bytes = b"") -> Response:
        if path == "/services/oauth2/userinfo" or path.startswith("/id/"):
            call = self.calls.add("userinfo" if path.startswith("/services") else "identity")
            token = _bearer(headers) or params.get("oauth_token")
            if not self._authenticate(token):
                return Response(403, b"Bad_OAuth_Token", "text/plain") if call.name == "identity" else \
                    _json(401, INVALID_SESSION)
            if call.name == "userinfo":
                return _json(200, oauth.userinfo(self.state, self.instance_url))
            if path.rstrip("/") != f"/id/{self.org_id}/{self.user_id}":
                return _json(404, rest.NOT_FOUND)
            return _json(200, oauth.identity(self.state, self.instance_url, params.get("version", "{version}")))
        if not self._authenticate(_bearer(headers)):
            self.calls.add("rest", path=path)
            return _json(401, INVALID_SESSION, (("WWW-Authenticate", "Token"),))
        reply = rest.handle(method, path, params, self._facts(), body)
        self.calls.add(reply.name, path=path, q=params.get("q"))
        if reply.name in self.faults.status_calls and (faulted := self._status_fault()):
            return faulted  # a REST call named in status_calls: done, but its answer is lost
        if reply.name == "not_found":
            log.warning("local org does not answer %s %s", method, path)
        elif reply.status == 400 and isinstance(reply.body, list):
            log.info("local org refused a %s call: %s", reply.name, reply.body[0]["message"])
        if reply.status == 204:
            return Response(204, b"", "text/plain")
        if reply.content_type is not None:
            return Response(reply.status, reply.body, reply.content_type, reply.headers)
        return _json(reply.status, reply.body, reply.headers)

    def _rest_deploy(self, method: str, match: re.Match, params: dict, headers, body: bytes) -> Response:
        version, rest_path = match.group(1), match.group(2)
        operation = rest_metadata.operation(method, rest_path, headers.get("Content-Type") or "")
        call = self.calls.add(operation, path=match.group(0))
        if call.name in self.faults.status_calls and (faulted := self._status_fault()):
            return faulted
        if not self._authenticate(_bearer(headers)):
            return _json(401, INVALID_SESSION, (("WWW-Authenticate", "Token"),))
        status, answer = rest_metadata.handle(method, rest_path, params, headers, body, self.deploys, version,
                                              self.faults.deploy_seconds)
        return _json(status, answer)

    def _soap(self, path: str, body: bytes) -> Response:
        try:
            request = soap.parse_request(body)
        except SoapFault as err:
            self.calls.add("soap_fault", path=path)
            return _soap_fault(err)
        call = self.calls.add(request.operation)
        if request.operation in self.faults.status_calls and (faulted := self._status_fault()):
            return faulted
        version = path.split("/")[4] if len(path.split("/")) > 4 else ""
        if not supported_version(version):
            return _soap_fault(SoapFault("UNSUPPORTED_API_VERSION", "Invalid Api version specified on URL"))
        if not self._authenticate(request.session_id):
            return _soap_fault(soap.invalid_session())
        try:
            return Response(200, self.metadata_api.call(request, call), "text/xml;charset=UTF-8")
        except SoapFault as err:
            return _soap_fault(err)

    def _partner_soap(self, path: str, body: bytes) -> Response:
        """The SOAP partner API: convertLead only (partner_soap.py)."""
        from leadsync.localorg import partner_soap

        version = path.split("/")[4] if len(path.split("/")) > 4 else ""
        if not supported_version(version):
            self.calls.add("soap_fault", path=path)
            err = partner_soap.PartnerFault("UNSUPPORTED_API_VERSION", "Invalid Api version specified on URL")
            return Response(500, partner_soap.fault(err), "text/xml;charset=UTF-8")
        name, answer, is_fault = partner_soap.handle(body, self._authenticate, self.leads)
        self.calls.add(name, path=path)
        return Response(500 if is_fault else 200, answer, "text/xml;charset=UTF-8")

    def _status_fault(self) -> Response | None:
        if self.faults.take("drop_connections"):
            return DROP
        if self.faults.take("status_503"):
            return Response(503, b"<html><body>Service Unavailable</body></html>", "text/html")
        return None

    def _authenticate(self, token: str | None) -> bool:
        """A valid token; counts toward a session-expiry fault (the call that reaches it still passes)."""
        if not self.sessions.valid(token):
            return False
        if self.faults.session_expires_now():
            self.sessions.revoke_all()
        return True

    def _facts(self) -> rest.OrgFacts:
        return rest.OrgFacts(self.state.identity, self.production, self.instance_url, self.leads, self.faults,
                             self.organization_type)


def _soap_fault(err: SoapFault) -> Response:
    return Response(500, soap.fault(err), "text/xml;charset=UTF-8")


def _bearer(headers) -> str | None:
    value = headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") and token.strip() else None


def _basic(headers) -> tuple[str, str] | None:
    scheme, _, value = (headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value.strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


# --- HTTP plumbing ----------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """TLS per connection, handshaken in the connection's own thread (a slow client blocks no one).

    Keep-alive connections outlive `shutdown()`: `close_connections()` ends them, so a stopped org
    answers nothing and stopping never waits for idle clients.
    """

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address, org: LocalOrg, context: ssl.SSLContext):
        self.org, self.context = org, context
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def close_connections(self) -> None:
        with self._open_lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def finish_request(self, request, client_address) -> None:
        request.settimeout(IDLE_SECONDS)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            conn = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as err:
            log.debug("TLS handshake failed: %s", err)
            return
        with self._open_lock:
            self._open.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except OSError:  # the client, or close_connections(), closed the connection
            pass
        finally:
            with self._open_lock:
                self._open.discard(conn)
            conn.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "leadsync-local-org"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        body = self._body()
        if body is None:
            return
        try:
            response = self.server.org.handle(method, self.path, self.headers, body)
        except Exception:  # a bug here must answer 500, not kill the connection thread silently
            log.exception("local org failed on %s %s", method, urlsplit(self.path).path)
            response = _json(500, [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred"}])
        if response is DROP:
            self.close_connection = True
            return
        reason = self.responses.get(response.status, ("",))[0]
        head = [f"HTTP/1.1 {response.status} {reason}", f"Date: {self.date_time_string()}",
                f"Content-Type: {response.content_type}", f"Content-Length: {len(response.body)}",
                *(f"{name}: {value}" for name, value in response.headers)]
        self.log_request(response.status)
        # One write, so headers and body leave together (no Nagle/delayed-ACK pause between them).
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body)

    def _body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return None
        return self.rfile.read(length) if length else b""

    def _chunked(self) -> bytes | None:
        chunks, total = [], 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                self.send_error(413)
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def log_message(self, format: str, *args) -> None:
        log.debug("%s %s", self.command, urlsplit(self.path).path)

    def log_request(self, code="-", size="-") -> None:
        log.debug("%s %s -> %s", self.command, urlsplit(self.path).path, code)
