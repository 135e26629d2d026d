"""The Metadata API's operations: request elements in, result values out (soap.py writes them).

deploy, checkDeployStatus, cancelDeploy, deployRecentValidation, retrieve, checkRetrieveStatus,
listMetadata, readMetadata, describeMetadata. Results follow the WSDL's types and element order
(DeployResult, DeployMessage, RetrieveResult, FileProperties, ...). The CRUD calls (createMetadata,
updateMetadata, ...) answer a fault: leadsync and sf deploy packages instead.
"""

from __future__ import annotations

import base64
import binascii
import copy
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

from leadsync.localorg import ids, soap
from leadsync.localorg.calls import Call
from leadsync.localorg.deploys import DeployError, Deploys, Job, Message, Options, iso
from leadsync.localorg.faults import Faults
from leadsync.localorg.retrieve import Retrieved, file_name, file_properties, object_document, retrieve
from leadsync.localorg.soap import SoapFault
from leadsync.localorg.state import Identity
from leadsync.localorg.store import MetadataStore
from leadsync.metadata.parse import CHILD_SUFFIX, TOP_LEVEL_TYPES, Manifest, elements, local_name, parse_xml

USER_NAME = "Admin User"
KEEP_RETRIEVES = 20
UNSUPPORTED = ("createMetadata", "updateMetadata", "upsertMetadata", "deleteMetadata", "renameMetadata",
               "describeValueType")


class MetadataApi:
    def __init__(self, store: MetadataStore, deploys: Deploys, identity: Identity, production: bool, faults: Faults):
        self._store, self._deploys, self._identity = store, deploys, identity
        self._production, self._faults = production, faults
        self._retrieves: OrderedDict[str, Retrieved] = OrderedDict()
        self._retrieves_lock = threading.Lock()
        self.operations: dict[str, Callable[[Any, Call], Any]] = {
            "deploy": self.deploy,
            "checkDeployStatus": self.check_deploy_status,
            "cancelDeploy": self.cancel_deploy,
            "deployRecentValidation": self.deploy_recent_validation,
            "retrieve": self.retrieve,
            "checkRetrieveStatus": self.check_retrieve_status,
            "listMetadata": self.list_metadata,
            "readMetadata": self.read_metadata,
            "describeMetadata": self.describe_metadata,
        }

    def call(self, request: soap.Request, call: Call) -> bytes:
        op = self.operations.get(request.operation)
        if op is None:
            if request.operation in UNSUPPORTED:
                raise SoapFault("INVALID_OPERATION", f"The local org does not implement {request.operation}")
            raise SoapFault("INVALID_OPERATION", f"No operation available for request "
                            f"{{{soap.MD}}}{request.operation}, please check the WSDL for the service.", client_error=True)
        try:
            return soap.response(request.operation, op(request.body, call))
        except DeployError as err:
            raise SoapFault(err.code, str(err)) from None

    # --- deploy -----------------------------------------------------------------------------

    def deploy(self, body, call: Call) -> dict:
        zip_text = soap.text(body, "ZipFile") or ""
        opts = soap.child(body, "DeployOptions")
        options = Options(
            check_only=soap.boolean(opts, "checkOnly") if opts is not None else False,
            rollback_on_error=soap.boolean(opts, "rollbackOnError") if opts is not None else False,
            ignore_warnings=soap.boolean(opts, "ignoreWarnings") if opts is not None else False,
            single_package=soap.boolean(opts, "singlePackage") if opts is not None else False,
            test_level=(soap.text(opts, "testLevel") or None) if opts is not None else None,
            run_tests=[t for t in soap.texts(opts, "runTests") if t] if opts is not None else [],
        )
        call.detail.update(checkOnly=options.check_only, testLevel=options.test_level, runTests=list(options.run_tests),
                           rollbackOnError=options.rollback_on_error, singlePackage=options.single_package)
        try:
            data = base64.b64decode("".join(zip_text.split()), validate=True)
        except (binascii.Error, ValueError):
            data = b""  # judged like any unreadable zip: a failed deploy
        job = self._deploys.submit(data, options, self._faults.deploy_seconds)
        call.detail["id"] = job.id
        return {"done": False, "id": job.id, "state": "Queued"}

    def check_deploy_status(self, body, call: Call) -> dict:
        deploy_id = soap.text(body, "asyncProcessId") or ""
        call.detail["id"] = deploy_id
        return deploy_result(self._deploys.get(deploy_id), soap.boolean(body, "includeDetails"))

    def cancel_deploy(self, body, call: Call) -> dict:
        first = next(iter(elements(body)), None)  # <String> in the WSDL; jsforce (sf) sends <id>
        deploy_id = (first.text or "").strip() if first is not None else ""
        call.detail["id"] = deploy_id
        job = self._deploys.cancel(deploy_id)
        return {"done": job.done, "id": job.id}

    def deploy_recent_validation(self, body, call: Call) -> str:
        validation_id = soap.text(body, "validationId") or ""
        job = self._deploys.quick_deploy(validation_id, self._faults.deploy_seconds)
        call.detail.update(validationId=validation_id, id=job.id)
        return job.id

    # --- retrieve ---------------------------------------------------------------------------

    def retrieve(self, body, call: Call) -> dict:
        req = next(iter(elements(body)), None)  # retrieveRequest; jsforce (sf) calls it <request>
        if req is None:
            raise SoapFault("INVALID_XML", "retrieveRequest is required", client_error=True)
        version = soap.text(req, "apiVersion") or ""
        unpackaged = soap.child(req, "unpackaged")
        manifest = _manifest(unpackaged, version)
        single = soap.boolean(req, "singlePackage")
        result = retrieve(self._store, self._identity, manifest, single, soap.texts(req, "specificFiles"),
                          [n for n in soap.texts(req, "packageNames") if n])
        retrieve_id = _new_retrieve_id()
        if self._faults.take("retrieve_failures"):
            result.error = "UNKNOWN_EXCEPTION: An unexpected error occurred (injected fault)"
        if self._faults.retrieve_seconds:
            result.ready_at = time.time() + self._faults.retrieve_seconds
        with self._retrieves_lock:
            self._retrieves[retrieve_id] = result
            while len(self._retrieves) > KEEP_RETRIEVES:
                self._retrieves.popitem(last=False)
        call.detail.update(id=retrieve_id, types={t: list(m) for t, m in manifest.types.items()}, singlePackage=single)
        return {"done": False, "id": retrieve_id, "state": "Queued"}

    def check_retrieve_status(self, body, call: Call) -> dict:
        retrieve_id = soap.text(body, "asyncProcessId") or ""
        call.detail["id"] = retrieve_id
        result = self._retrieves.get(retrieve_id)
        if result is None:
            raise SoapFault("INVALID_ID_FIELD", "Retrieve result has been deleted.")
        include_zip = soap.boolean(body, "includeZip", True)
        if result.error is not None or time.time() < result.ready_at:
            failed = result.error is not None
            return {"done": failed, "errorMessage": result.error, "errorStatusCode": "UNKNOWN_EXCEPTION" if failed
                    else None, "fileProperties": [], "id": retrieve_id, "messages": [],
                    "status": "Failed" if failed else "InProgress", "success": False, "zipFile": None}
        return {
            "done": True,
            "fileProperties": result.file_properties,
            "id": retrieve_id,
            "messages": result.messages,
            "status": "Succeeded",
            "success": True,
            "zipFile": base64.b64encode(result.zip).decode() if include_zip else None,
        }

    # --- describe, list, read ---------------------------------------------------------------

    def list_metadata(self, body, call: Call) -> list[dict]:
        types = [soap.text(q, "type") or "" for q in (*body.findall(f"{{{soap.MD}}}queries"), *body.findall("queries"))]
        call.detail["types"] = types
        out = []
        for type_ in types:
            if type_ == "CustomObject":
                out.append(file_properties(self._store.get("CustomObject", "Lead"), type_, "Lead",
                                           file_name(type_, "Lead"), self._identity))
                continue
            if type_ not in TOP_LEVEL_TYPES and type_ not in CHILD_SUFFIX:
                continue
            for s in self._store.all(type_):
                out.append(file_properties(s, type_, s.full_name, file_name(type_, s.full_name), self._identity))
        return out

    def read_metadata(self, body, call: Call) -> dict:
        from lxml import etree

        type_ = soap.text(body, "type") or ""
        names = [n for n in soap.texts(body, "fullNames") if n]
        call.detail.update(type=type_, fullNames=names)
        records = []
        for name in names:
            if type_ == "CustomObject" and name == "Lead":
                kids = [s for s in self._store.all() if s.type in CHILD_SUFFIX and s.full_name.startswith("Lead.")]
                source = parse_xml(name, object_document(self._store.get(type_, name), kids))
            elif type_.endswith("Settings") and type_ != "Settings":  # FlowSettings "Flow", LeadConfigSettings...
                stored = self._store.get("Settings", name)
                if stored is not None:
                    source = parse_xml(name, stored.content)
                elif type_ == "FlowSettings" and name == "Flow":
                    source = parse_xml(name, _FLOW_SETTINGS)  # Salesforce's default: flows deploy inactive
                else:
                    continue
            else:
                stored = self._store.get(type_, name) if _xml_type(type_) else None
                if stored is None:
                    continue
                source = parse_xml(name, stored.content)
            record = etree.Element(f"{{{soap.MD}}}records")
            record.set(f"{{{soap.XSI}}}type", type_)
            etree.SubElement(record, f"{{{soap.MD}}}fullName").text = name
            for el in elements(source):
                if local_name(el) != "fullName":
                    record.append(copy.deepcopy(el))
            records.append(record)
        return {"records": records}

    def describe_metadata(self, body, call: Call) -> dict:
        objects = []
        for type_, (folder, suffix, is_xml) in sorted(TOP_LEVEL_TYPES.items()):
            objects.append({
                "childXmlNames": sorted(CHILD_SUFFIX) if type_ == "CustomObject" else None,
                "directoryName": folder,
                "inFolder": False,
                "metaFile": not is_xml,
                "suffix": suffix,
                "xmlName": type_,
            })
        return {"metadataObjects": objects, "organizationNamespace": "", "partialSaveAllowed": not self._production,
                "testRequired": self._production}


def deploy_result(job: Job, include_details: bool) -> dict:
    """A DeployResult, its elements in the WSDL's order."""
    now = time.time()
    status = job.phase(now)
    failed = {(f.component_type, f.full_name) for f in job.failures}
    deployed = [s for s in job.successes if s.full_name != "package.xml" or s.component_type]
    details: dict[str, Any] = {}
    if include_details and job.done:
        details = {
            "componentFailures": [_message(m, job) for m in job.failures],
            "componentSuccesses": [_message(m, job) for m in job.successes],
            "runTestResult": {"numFailures": 0, "numTestsRun": 0, "totalTime": 0.0},
        }
    return {
        "canceledBy": job.canceled_by,
        "canceledByName": USER_NAME if job.canceled_by else None,
        "checkOnly": job.options.check_only,
        "completedDate": iso(job.completed) if job.done else None,
        "createdBy": job.user_id,
        "createdByName": USER_NAME,
        "createdDate": iso(job.created),
        "details": details,
        "done": job.done,
        "id": job.id,
        "ignoreWarnings": job.options.ignore_warnings,
        "lastModifiedDate": iso(job.completed or now),
        "numberComponentErrors": len(failed) if job.done else 0,
        "numberComponentsDeployed": len(deployed) if job.done else 0,
        "numberComponentsTotal": job.components_total if job.done else 0,
        "numberTestErrors": 0,
        "numberTestsCompleted": 0,
        "numberTestsTotal": 0,
        "rollbackOnError": job.options.rollback_on_error,
        "runTestsEnabled": job.run_tests_enabled,
        "startDate": iso(job.started) if status != "Pending" else None,
        "stateDetail": "Processing components" if status == "InProgress" else None,
        "status": status,
        "success": job.success,
    }


def _message(m: Message, job: Job) -> dict:
    """A DeployMessage, in the WSDL's order."""
    return {
        "changed": m.changed,
        "columnNumber": m.column,
        "componentType": m.component_type,
        "created": m.created,
        "createdDate": iso(job.completed),
        "deleted": getattr(m, "deleted", False),
        "fileName": m.file_name,
        "fullName": m.full_name,
        "id": m.id,
        "lineNumber": m.line,
        "problem": m.problem,
        "problemType": None if m.success else "Error",
        "success": m.success,
    }


def _manifest(unpackaged, version: str) -> Manifest:
    if unpackaged is None:
        return Manifest({}, version)
    types: dict[str, list[str]] = {}
    for t in elements(unpackaged):
        if local_name(t) != "types":
            continue
        name = next((c.text for c in elements(t) if local_name(c) == "name"), None)
        if name:
            types.setdefault(name.strip(), []).extend((c.text or "").strip() for c in elements(t) if local_name(c) == "members")
    own_version = next((c.text for c in elements(unpackaged) if local_name(c) == "version"), None)
    return Manifest({k: tuple(v) for k, v in types.items()}, (own_version or version).strip())


def _new_retrieve_id() -> str:
    return ids.new_id("Retrieve")


# FlowSettings of an org that never changed them: production deploys flows inactive (docs/local-org.md).
_FLOW_SETTINGS = (b'<FlowSettings xmlns="http://soap.sforce.com/2006/04/metadata">'
                  b"<enableFlowDeployAsActiveEnabled>false</enableFlowDeployAsActiveEnabled></FlowSettings>")


def _xml_type(type_: str) -> bool:
    return type_ in CHILD_SUFFIX or (type_ in TOP_LEVEL_TYPES and TOP_LEVEL_TYPES[type_][2])
