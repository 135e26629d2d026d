"""`OrgClient`: the one door to an org. Domain methods in, plain dataclasses out.

It sits on simple-salesforce, unmodified: REST queries through `Salesforce.query_all`, deploy and
deploy status through its Metadata API helper (`mdapi.deploy`, `mdapi._retrieve_deploy_result`, which,
unlike `check_deploy_status`, keeps every component's full name, line and column), and the calls it
has no helper for (`cancelDeploy`, `deployRecentValidation`) through the zeep service it already built
from its WSDL. No HTTP or session type appears in a signature here; failures arrive as leadsync errors
(`session.classify`). An expired session is renewed once per call when the way we logged in allows it.

simple-salesforce's deploy, retrieve and status calls post their own XML templates; `list_metadata`
posts one envelope the same way. So a plan or a deploy parses no WSDL: the zeep client (the 1.5 MB WSDL,
about half a second of CPU, parsed once per process: org/wsdl.py) is built only for the calls that need
it (cancelDeploy, deployRecentValidation, readMetadata).
"""

from __future__ import annotations

import io
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leadsync.errors import UsageError

DEFAULT_API_VERSION = "63.0"

TEST_LEVELS = ("NoTestRun", "RunSpecifiedTests", "RunLocalTests", "RunAllTestsInOrg")
_TEST_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$")
_MT = "{http://soap.sforce.com/2006/04/metadata}"

DONE_STATES = ("Succeeded", "SucceededPartial", "Failed", "Canceled")


# --- what goes in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeployOptions:
    """DeployOptions leadsync lets a user choose. rollbackOnError is always true."""

    check_only: bool = False
    test_level: str | None = None
    tests: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.test_level is not None and self.test_level not in TEST_LEVELS:
            raise UsageError(f"--test-level must be one of {', '.join(TEST_LEVELS)}")
        if self.test_level == "RunSpecifiedTests" and not self.tests:
            raise UsageError("--test-level RunSpecifiedTests needs --tests NAME[,NAME...]")
        if self.tests and self.test_level != "RunSpecifiedTests":
            raise UsageError("--tests goes with --test-level RunSpecifiedTests only")
        bad = [t for t in self.tests if not _TEST_NAME.match(t)]
        if bad:
            raise UsageError(f"not an Apex test class name: {bad[0]!r}")

    @classmethod
    def parse(cls, *, check_only: bool, test_level: str | None, tests: str | None) -> DeployOptions:
        names = tuple(t.strip() for t in (tests or "").split(",") if t.strip())
        if tests is not None and not names:
            raise UsageError("--tests needs at least one test class name")
        return cls(check_only=check_only, test_level=test_level, tests=names)


# --- what comes out ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgInfo:
    id: str
    name: str
    is_sandbox: bool
    organization_type: str
    instance_url: str
    username: str | None = None

    @property
    def is_production(self) -> bool:
        """Conservative: anything that is not a sandbox counts (Developer Edition and scratch orgs too)."""
        return not self.is_sandbox

    def describe(self) -> str:
        return f"'{self.name}' ({self.id}, {self.instance_url})"


@dataclass(frozen=True)
class ComponentMessage:
    """One componentSuccesses or componentFailures entry of a DeployResult."""

    type: str
    name: str
    file: str | None
    success: bool
    problem: str | None = None
    problem_type: str | None = None  # Error | Warning
    line: int | None = None
    column: int | None = None
    created: bool = False
    changed: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class ApexTestFailure:
    name: str
    method: str | None
    message: str
    stack_trace: str | None = None
    time_ms: float | None = None


@dataclass(frozen=True)
class ApexTestSuccess:
    name: str
    method: str | None
    time_ms: float | None = None


@dataclass(frozen=True)
class ApexTestResults:
    run: int = 0
    failures: tuple[ApexTestFailure, ...] = ()
    successes: tuple[ApexTestSuccess, ...] = ()
    total_time_ms: float | None = None
    coverage_warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeployStatus:
    """A DeployResult (checkDeployStatus with includeDetails)."""

    id: str
    status: str  # Pending InProgress Succeeded SucceededPartial Failed Canceling Canceled
    done: bool
    success: bool
    check_only: bool = False
    state_detail: str | None = None
    error_message: str | None = None
    error_status_code: str | None = None
    components_total: int = 0
    components_deployed: int = 0
    component_errors: int = 0
    tests_total: int = 0
    tests_completed: int = 0
    test_errors: int = 0
    components: tuple[ComponentMessage, ...] = ()
    tests: ApexTestResults = field(default_factory=ApexTestResults)
    created_date: str | None = None
    completed_date: str | None = None

    @property
    def failures(self) -> tuple[ComponentMessage, ...]:
        return tuple(c for c in self.components if not c.success)

    def progress_key(self) -> tuple:
        """What a progress display shows; a new line is worth printing only when this changes."""
        return (self.status, self.state_detail, self.components_deployed, self.component_errors,
                self.components_total, self.tests_completed, self.test_errors, self.tests_total)


def parse_deploy_result(result: ET.Element) -> DeployStatus:
    """The DeployResult element of a checkDeployStatusResponse, as a DeployStatus."""

    def text(node: ET.Element, tag: str) -> str | None:
        value = node.findtext(_MT + tag)
        return value if value not in (None, "") else None

    def flag(node: ET.Element, tag: str) -> bool:
        return (text(node, tag) or "").lower() == "true"

    def number(node: ET.Element, tag: str) -> int:
        try:
            return int(float(text(node, tag) or 0))
        except ValueError:
            return 0

    def maybe_number(node: ET.Element, tag: str) -> int | None:
        value = text(node, tag)
        try:
            return int(float(value)) if value is not None else None
        except ValueError:
            return None

    def millis(node: ET.Element, tag: str) -> float | None:
        value = text(node, tag)
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    details = result.find(_MT + "details")
    components: list[ComponentMessage] = []
    tests = ApexTestResults()
    if details is not None:
        for kind in ("componentFailures", "componentSuccesses"):
            for node in details.findall(_MT + kind):
                components.append(ComponentMessage(
                    type=text(node, "componentType") or "",
                    name=text(node, "fullName") or "",
                    file=text(node, "fileName"),
                    success=flag(node, "success") if text(node, "success") is not None
                    else kind == "componentSuccesses",
                    problem=text(node, "problem"),
                    problem_type=text(node, "problemType"),
                    line=maybe_number(node, "lineNumber"),
                    column=maybe_number(node, "columnNumber"),
                    created=flag(node, "created"),
                    changed=flag(node, "changed"),
                    deleted=flag(node, "deleted"),
                ))
        run = details.find(_MT + "runTestResult")
        if run is not None:
            tests = ApexTestResults(
                run=number(run, "numTestsRun"),
                failures=tuple(
                    ApexTestFailure(
                        name=text(f, "name") or "",
                        method=text(f, "methodName"),
                        message=text(f, "message") or "",
                        stack_trace=text(f, "stackTrace"),
                        time_ms=millis(f, "time"),
                    )
                    for f in run.findall(_MT + "failures")
                ),
                successes=tuple(
                    ApexTestSuccess(name=text(s, "name") or "", method=text(s, "methodName"), time_ms=millis(s, "time"))
                    for s in run.findall(_MT + "successes")
                ),
                total_time_ms=millis(run, "totalTime"),
                coverage_warnings=tuple(
                    text(w, "message") or "" for w in run.findall(_MT + "codeCoverageWarnings")
                ),
            )
    # Failures first, then successes, each in the org's order; the package.xml pseudo-component last.
    components.sort(key=lambda c: (c.success, c.type == "" and c.name == "package.xml"))
    return DeployStatus(
        id=text(result, "id") or "",
        status=text(result, "status") or ("Succeeded" if flag(result, "success") else "Pending"),
        done=flag(result, "done"),
        success=flag(result, "success"),
        check_only=flag(result, "checkOnly"),
        state_detail=text(result, "stateDetail"),
        error_message=text(result, "errorMessage"),
        error_status_code=text(result, "errorStatusCode"),
        components_total=number(result, "numberComponentsTotal"),
        components_deployed=number(result, "numberComponentsDeployed"),
        component_errors=number(result, "numberComponentErrors"),
        tests_total=number(result, "numberTestsTotal"),
        tests_completed=number(result, "numberTestsCompleted"),
        test_errors=number(result, "numberTestErrors"),
        components=tuple(components),
        tests=tests,
        created_date=text(result, "createdDate"),
        completed_date=text(result, "completedDate"),
    )


# --- the client -------------------------------------------------------------------------------


Renew = Callable[[], str]  # returns a fresh access token


class OrgClient:
    """An authenticated org. Build it with `leadsync.org.auth.connect`; close it (or use `with`)."""

    def __init__(
        self,
        *,
        instance_url: str,
        access_token: str,
        http_session: Any,
        api_version: str = DEFAULT_API_VERSION,
        username: str | None = None,
        renew: Renew | None = None,
        on_close: tuple[Callable[[], None], ...] = (),
    ):
        from simple_salesforce import Salesforce

        from leadsync.org.session import host_of

        self.instance_url = instance_url.rstrip("/")
        self.username = username
        self.api_version = api_version
        self._host = host_of(self.instance_url)
        self._session = http_session
        self._renew = renew
        self._on_close = on_close
        self._sf = Salesforce(instance_url=self.instance_url, session_id=access_token, version=api_version,
                              session=http_session)
        self._mdapi_lock = threading.Lock()
        self._mdapi_thread: threading.Thread | None = None
        self._org_info: OrgInfo | None = None

    def __repr__(self) -> str:  # never the token
        return f"OrgClient({self.instance_url!r}, api {self.api_version})"

    # -- lifecycle

    def warm_up(self) -> None:
        """Start building the Metadata API client (WSDL parsing) in the background."""
        if self._mdapi_thread is None and self._sf._mdapi is None:
            self._mdapi_thread = threading.Thread(target=self._build_quietly, name="leadsync-wsdl", daemon=True)
            self._mdapi_thread.start()

    def _build_quietly(self) -> None:
        try:
            self._mdapi()
        except Exception:  # noqa: BLE001 — the first real call builds it again and reports the failure
            pass

    def close(self) -> None:
        if self._mdapi_thread is not None:
            self._mdapi_thread.join()
        self._session.close()
        for closer in self._on_close:
            closer()

    def __enter__(self) -> OrgClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- domain methods

    def org_info(self) -> OrgInfo:
        if self._org_info is None:
            records = self.query("SELECT Id, Name, IsSandbox, OrganizationType FROM Organization")
            if not records:
                from leadsync.org.session import OrgFault

                raise OrgFault("the org returned no Organization record")
            row = records[0]
            self._org_info = OrgInfo(
                id=str(row.get("Id", "")),
                name=str(row.get("Name", "")),
                is_sandbox=bool(row.get("IsSandbox")),
                organization_type=str(row.get("OrganizationType", "")),
                instance_url=self.instance_url,
                username=self.username,
            )
        return self._org_info

    def query(self, soql: str) -> list[dict]:
        result = self._call("a SOQL query", lambda: self._sf.query_all(soql))
        return [{k: v for k, v in r.items() if k != "attributes"} for r in result.get("records", [])]

    def deploy(self, zip_bytes: bytes, options: DeployOptions) -> str:
        """Submit a deploy (check-only when options.check_only). Called once; never retried here."""
        def submit() -> str:
            # sandbox=True only means "do not override my options": simple-salesforce forces
            # rollbackOnError and allowMissingFiles when it is False. Booleans as xsd:boolean text.
            deploy_id, _state = self._mdapi().deploy(
                io.BytesIO(zip_bytes),
                sandbox=True,
                checkOnly=_xsd(options.check_only),
                testLevel=options.test_level,
                tests=list(options.tests) or None,
                rollbackOnError=_xsd(True),
                allowMissingFiles=_xsd(False),
                ignoreWarnings=_xsd(False),
                autoUpdatePackage=_xsd(False),
                performRetrieve=_xsd(False),
                purgeOnDelete=_xsd(False),
            )
            return deploy_id

        deploy_id = self._call("deploy", submit)
        if not deploy_id:
            from leadsync.org.session import OrgFault

            raise OrgFault("the org accepted the deploy request but returned no deploy id")
        return deploy_id

    def deploy_status(self, deploy_id: str) -> DeployStatus:
        element = self._call("checkDeployStatus", lambda: self._mdapi()._retrieve_deploy_result(deploy_id))
        return parse_deploy_result(element)

    def cancel(self, deploy_id: str) -> bool:
        """Ask the org to cancel a deploy; True when it is already canceled (else it is Canceling)."""
        def call():
            md = self._mdapi()
            return md._service.cancelDeploy(deploy_id, _soapheaders=[md._session_header])

        result = self._call("cancelDeploy", call)
        return bool(getattr(result, "done", False))

    def quick_deploy(self, validation_id: str) -> str:
        """deployRecentValidation: deploy a check-only deploy that passed, without running tests again."""
        def call():
            md = self._mdapi()
            return md._service.deployRecentValidation(validation_id, _soapheaders=[md._session_header])

        return str(self._call("deployRecentValidation", call))

    def list_metadata(self, type_: str) -> list[str]:
        """Full names of the org's components of one metadata type (listMetadata), sorted.

        One SOAP envelope posted the way simple-salesforce posts its retrieve and deploy, so no WSDL is
        parsed for it (zeep's listMetadata would parse 1.5 MB of WSDL first)."""
        from xml.sax.saxutils import escape

        from simple_salesforce.util import call_salesforce

        def call():
            md = self._mdapi()
            body = _LIST_METADATA.format(session=escape(md._session_id), type=escape(type_),
                                         version=escape(self.api_version))
            return call_salesforce(url=md.metadata_url, method="POST", session=md.session, headers=md.headers,
                                   additional_headers={"Content-Type": "text/xml", "SOAPAction": "listMetadata"},
                                   data=body)

        root = ET.fromstring(self._call("listMetadata", call).content)
        return sorted({(el.text or "").strip() for el in root.iter(_MT + "fullName")} - {""})

    def retrieve(self, members: dict[str, list[str]], *, timeout: float = 600.0,
                 sleep: Callable[[float], None] = time.sleep, policy=None) -> bytes:
        """Retrieve the named components (unpackaged, single package); the zip's bytes.
        `policy` (org/poll.PollPolicy) sets when its status is looked at; OrgFault when it fails or times out."""
        from leadsync.org.poll import DEFAULT_POLICY, PollTimeout, poll
        from leadsync.org.session import OrgFault

        async_id, _state = self._call(
            "retrieve", lambda: self._mdapi().retrieve("retrieve", unpackaged=members, single_package=True)
        )
        if not async_id:
            raise OrgFault("the org accepted the retrieve request but returned no id")

        def status():
            """One checkRetrieveStatus with includeZip: the zip comes with the answer that says Succeeded."""
            md = self._mdapi()
            result = self._call("checkRetrieveStatus", lambda: md.retrieve_retrieve_result(async_id, "true"))
            state = result.findtext("mt:status", None, md._XML_NAMESPACES) or ""
            if state == "Failed":
                error = result.findtext("mt:errorMessage", None, md._XML_NAMESPACES)
                raise OrgFault(f"the org could not retrieve: {error or 'Failed'}")
            return state, result.findtext("mt:zipFile", None, md._XML_NAMESPACES)

        try:
            _state, zipped = poll(status, lambda s: s[0] == "Succeeded", deadline=time.monotonic() + timeout,
                                  sleep=sleep, policy=policy or DEFAULT_POLICY)
        except PollTimeout:
            raise OrgFault(f"retrieve {async_id} did not finish within {timeout:.0f} s") from None
        import base64

        return base64.b64decode(zipped or "")

    # -- plumbing

    def _mdapi(self):
        with self._mdapi_lock:
            from leadsync.org.wsdl import bind

            bind(self._sf)  # the WSDL is parsed once per process (org/wsdl.py)
            md = self._sf.mdapi
            # zeep's own transport has a plain requests session: give it ours (trust, timeouts, logs).
            from leadsync.org.wsdl import has_zeep

            if has_zeep(md) and md._client.transport.session is not self._session:
                md._client.transport.session = self._session
            return md

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        """Run one org call; translate its failure; renew an expired session once and call again."""
        from leadsync.org.session import SessionExpired, classify

        renewed = False
        while True:
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 — classify decides what it means
                err = classify(exc, what=what, host=self._host)
                if err is None:
                    raise
                if isinstance(err, SessionExpired) and self._renew is not None and not renewed:
                    self._rebind(self._renew())
                    renewed = True
                    continue
                if isinstance(err, SessionExpired):
                    how = ("it was renewed and refused again" if renewed
                           else "the access token cannot be renewed with this login method; get a new one")
                    raise SessionExpired(f"{err} ({how})") from exc
                raise err from exc

    def _rebind(self, token: str) -> None:
        """Point simple-salesforce at a new access token without rebuilding its WSDL client.

        Relies on simple-salesforce >= 1.12: `Salesforce.headers` is the dict its `mdapi` shares, and
        `SfdcMetadataApi` keeps the session id in `_session_id` and `_session_header`.
        """
        sf = self._sf
        sf.session_id = token
        sf.headers["Authorization"] = "Bearer " + token  # in place: mdapi.headers is this same dict
        with self._mdapi_lock:
            md = sf._mdapi
            if md is not None:
                md._session_id = token
                md.headers["Authorization"] = "Bearer " + token
                from leadsync.org.wsdl import has_zeep

                if has_zeep(md):  # else the lazy zeep client is built with the new token
                    md._session_header = md._client.get_element("ns0:SessionHeader")(sessionId=token)


_LIST_METADATA = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:met="http://soap.sforce.com/2006/04/metadata">
   <soapenv:Header><met:SessionHeader><met:sessionId>{session}</met:sessionId></met:SessionHeader></soapenv:Header>
   <soapenv:Body><met:listMetadata><met:queries><met:type>{type}</met:type></met:queries>\
<met:asOfVersion>{version}</met:asOfVersion></met:listMetadata></soapenv:Body>
</soapenv:Envelope>"""


def _xsd(value: bool) -> str:
    return "true" if value else "false"
