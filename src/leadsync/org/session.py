"""The HTTP layer under `OrgClient`: one verified session, its trust store, and what its failures mean.

- `VerifiedSession` always verifies TLS. requests lets `REQUESTS_CA_BUNDLE` (or a per-call
  `verify=False`) replace `session.verify`; this subclass keeps its own bundle whatever the environment.
- `trust_bundle` builds that bundle: certifi, plus the CAs `REQUESTS_CA_BUNDLE` names (extra CAs, as
  the contract says, not a replacement), plus the local org's CA when leadsync started it.
- `classify` turns what requests, simple-salesforce and zeep raise into leadsync's errors, so that
  nothing above this module knows those libraries' exception types.
- `Redactor` knows every secret this process has seen and masks them in any text (messages, logs,
  `--debug` tracebacks).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import requests

from leadsync.errors import LeadsyncError, OrgUnreachable

log = logging.getLogger("leadsync.org")

CONNECT_TIMEOUT = 15.0
READ_TIMEOUT = 300.0  # a deploy request carries the whole zip; an org may take a while to accept it


# --- errors -----------------------------------------------------------------------------------


class TransientError(OrgUnreachable):
    """A failure that may pass if the same call is made again a little later.

    kind: "connect" (nothing reached the org: refused), "reset" (the connection broke, the request may
    have reached the org), "timeout" (no answer in time), "http" (the org answered 5xx or 420).
    """

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind

    @property
    def may_have_reached_org(self) -> bool:
        return self.kind != "connect"


class SessionExpired(OrgUnreachable):
    """The org no longer accepts the access token (INVALID_SESSION_ID, HTTP 401)."""


class OrgFault(LeadsyncError):
    """The org understood the call and refused it (a SOAP fault or REST error other than auth)."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def classify(exc: BaseException, *, what: str, host: str) -> LeadsyncError | None:
    """The leadsync error an exception from an org call means, or None when it is not an org failure.

    `what` names the call ("checkDeployStatus", "the Organization query"); `host` the org's host.
    Messages never include response bodies, which are not ours to print.
    """
    if isinstance(exc, LeadsyncError):
        return exc
    if isinstance(exc, requests.exceptions.SSLError):
        return OrgUnreachable(
            f"TLS verification failed for {host} ({_tls_reason(exc)}); if the org uses a private CA "
            "(the local org prints its CA file), set REQUESTS_CA_BUNDLE to that file"
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransientError(f"no connection to {host} within {CONNECT_TIMEOUT:.0f} s during {what}", "connect")
    if isinstance(exc, requests.exceptions.Timeout):
        return TransientError(f"{host} did not answer {what} in time", "timeout")
    if isinstance(exc, requests.exceptions.InvalidURL):
        return OrgUnreachable(f"{host} is not a valid org URL")
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return _connection_error(exc, what=what, host=host)

    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    content = getattr(exc, "content", None)
    fault_code = getattr(exc, "code", None)  # zeep.exceptions.Fault
    if type(exc).__name__ == "Fault" and fault_code is not None:
        return _fault(str(fault_code), getattr(exc, "message", "") or "", what=what)
    if isinstance(status, int):
        return _http_error(status, content, what=what, host=host)
    if type(exc).__module__.startswith("simple_salesforce") and "Result node could not be found" in str(exc):
        return OrgFault(f"the org's answer to {what} had no result in it")
    return None


def _connection_error(exc: BaseException, *, what: str, host: str) -> LeadsyncError:
    reasons = _causes(exc)
    names = {type(r).__name__ for r in reasons}
    if "NameResolutionError" in names or any("Name or service not known" in str(r) for r in reasons):
        return OrgUnreachable(f"cannot resolve the host {host}: check the instance or login URL")
    if "NewConnectionError" in names or any(isinstance(r, ConnectionRefusedError) for r in reasons):
        return TransientError(
            f"cannot connect to {host} (connection refused): check the URL and that the org is up", "connect"
        )
    return TransientError(f"the connection to {host} broke during {what}", "reset")


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, its args that are exceptions, their `.reason`s and causes, breadth first."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop(0)
        if e in seen or len(seen) > 20:
            continue
        seen.append(e)
        todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            nxt = getattr(e, attr, None)
            if isinstance(nxt, BaseException):
                todo.append(nxt)
    return seen


def _tls_reason(exc: BaseException) -> str:
    for e in _causes(exc):
        text = str(e)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            # "... certificate verify failed: self-signed certificate (_ssl.c:1006)')": the reason, without
            # the C source location or the quotes and brackets of the exception reprs around it
            found = re.search(r"certificate verify failed:\s*([^()'\"\]]*)", text)
            detail = found.group(1).strip() if found else ""
            return f"certificate verify failed: {detail}" if detail else "certificate verify failed"
        if "hostname" in text and "match" in text:
            return "the certificate does not match the host name"
    return "handshake failed"


def _http_error(status: int, content, *, what: str, host: str) -> LeadsyncError:
    code, message = _error_detail(content)
    if code and code.endswith("INVALID_SESSION_ID"):
        return SessionExpired(f"the org no longer accepts the access token (INVALID_SESSION_ID during {what})")
    if code and status >= 500 and _is_soap_fault(content):
        return _fault(code, message, what=what)
    if status in (420,) or status >= 500:
        return TransientError(f"{host} answered HTTP {status} to {what}", "http")
    if status == 401:
        return SessionExpired(f"the org refused the access token (HTTP 401 during {what})")
    if status == 403:
        detail = f": {code}" if code else ""
        return OrgUnreachable(f"the org refused {what} (HTTP 403{detail}); check the user's API and metadata permissions")
    detail = _with_code(code, message) if code else f"HTTP {status}"
    return OrgFault(f"the org refused {what}: {detail}", code)


def _fault(code: str, message: str, *, what: str) -> LeadsyncError:
    code = code.split(":")[-1]
    if code == "INVALID_SESSION_ID":
        return SessionExpired(f"the org no longer accepts the access token (INVALID_SESSION_ID during {what})")
    if code in ("REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE"):
        return TransientError(f"the org is busy ({code}) during {what}", "http")
    return OrgFault(f"the org refused {what}: {_with_code(code, message)}", code)


def _with_code(code: str, message: str) -> str:
    """`CODE: message`; Salesforce's fault strings often start with their code already: not twice."""
    if not message or message == code or message.startswith(f"{code}:"):
        return message or code
    return f"{code}: {message}"


def _is_soap_fault(content) -> bool:
    return isinstance(content, (str, bytes)) and b"Fault" in (content if isinstance(content, bytes) else content.encode())


def _error_detail(content) -> tuple[str | None, str]:
    """(errorCode or faultcode, message) from a REST JSON error list or a SOAP fault body."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0].get("errorCode"), str(content[0].get("message", ""))
    if isinstance(content, dict):
        return content.get("errorCode") or content.get("error"), str(content.get("message", content.get("error_description", "")))
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    if isinstance(content, str) and "Fault" in content:
        try:
            root = ET.fromstring(content)
        except ET.ParseError:
            return None, ""
        for fault in root.iter():
            if fault.tag.endswith("}Fault") or fault.tag == "Fault":
                return fault.findtext("faultcode"), (fault.findtext("faultstring") or "").strip()
    return None, ""


# --- the session ------------------------------------------------------------------------------


class VerifiedSession(requests.Session):
    """A requests session whose TLS verification nothing can switch off or replace.

    `verify` is True (certifi) or the path of a combined bundle from `trust_bundle`. Every request gets
    a timeout, and with a `leadsync.org` logger at DEBUG a one-line log (method, URL, status, time).
    """

    def __init__(self, verify: str | bool = True):
        super().__init__()
        self.verify = verify
        self.trust_env = True  # proxies from the environment are still honoured
        self.headers["User-Agent"] = f"leadsync/{_version()} {self.headers.get('User-Agent', '')}".strip()

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        settings["verify"] = self.verify  # neither REQUESTS_CA_BUNDLE nor verify=False replaces our bundle
        return settings

    def request(self, method, url, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (CONNECT_TIMEOUT, READ_TIMEOUT)
        started = time.perf_counter()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.exceptions.RequestException as exc:
            log.debug("%s %s -> %s", method, _loggable(url), type(exc).__name__)
            raise
        log.debug("%s %s -> %s (%.0f ms)", method, _loggable(url), response.status_code,
                  (time.perf_counter() - started) * 1000)
        return response


def _loggable(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")


def _version() -> str:
    from leadsync import __version__

    return __version__


class TrustBundle:
    """The CA file the session verifies against; a temporary file when extra CAs are added."""

    def __init__(self, extra_ca_files: list[str | os.PathLike] = (), environ: dict[str, str] | None = None):
        environ = os.environ if environ is None else environ
        extras: list[Path] = []
        named = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE")
        if named:
            path = Path(named)
            if not path.exists():
                raise OrgUnreachable(f"REQUESTS_CA_BUNDLE names {path}, which does not exist")
            extras.extend(sorted(p for p in path.iterdir() if p.suffix in (".pem", ".crt")) if path.is_dir() else [path])
        for ca in extra_ca_files:
            extras.append(Path(ca))
        self._temp: str | None = None
        if not extras:
            self.verify: str | bool = True
            return
        import certifi

        parts = [Path(certifi.where()).read_bytes()]
        for path in extras:
            try:
                parts.append(path.read_bytes())
            except OSError as err:
                raise OrgUnreachable(f"cannot read the CA file {path}: {err.strerror}") from None
        fd, self._temp = tempfile.mkstemp(prefix="leadsync-ca-", suffix=".pem")
        with os.fdopen(fd, "wb") as out:
            out.write(b"\n".join(p.rstrip() + b"\n" for p in parts))
        self.verify = self._temp

    def close(self) -> None:
        if self._temp:
            try:
                os.unlink(self._temp)
            except OSError:
                pass
            self._temp = None


# --- secrets ----------------------------------------------------------------------------------


class Redactor:
    """Masks every secret it was told about, in any text. One per command invocation."""

    MASK = "***"

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if not secret or len(secret) < 6:
                continue
            for form in (secret, quote(secret, safe=""), quote_plus(secret)):
                self._secrets.add(form)
            for line in secret.splitlines():  # PEM keys: mask each body line too
                if len(line.strip()) >= 16:
                    self._secrets.add(line.strip())

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, self.MASK)
        return text

    def logging_filter(self) -> logging.Filter:
        redact = self

        class _Filter(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                record.msg = redact(record.getMessage())
                record.args = ()
                return True

        return _Filter()
