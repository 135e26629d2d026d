"""The REST form of Metadata API deploys: `/services/data/vXX.X/metadata/deployRequest[/ID]`.

sf uses it when `org-metadata-rest-deploy` is set: a multipart POST (an `entity_content` JSON part with
`deployOptions`, a `file` part with the zip) starts a deploy, a JSON POST with
`validatedDeployRequestId` quick-deploys a validation, GET reads the DeployResult as JSON, PATCH with
`{"deployResult": {"status": "Canceling"}}` cancels. Same deploys as the SOAP calls (deploys.py).
"""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP

from leadsync.localorg.deploys import DeployError, Deploys, Job, Options
from leadsync.localorg.metadata_api import deploy_result

BAD_REQUEST = [{"errorCode": "INVALID_INPUT", "message": "The request body is not a deploy request"}]


def operation(method: str, rest: str, content_type: str) -> str:
    """The SOAP operation a REST call stands for (the call log's name for it)."""
    with_id = rest.strip("/").count("/") == 2  # metadata/deployRequest/ID
    if method == "POST" and not with_id:
        return "deployRecentValidation" if content_type.startswith("application/json") else "deploy"
    return {("GET", True): "checkDeployStatus", ("PATCH", True): "cancelDeploy"}.get((method, with_id), "not_found")


def handle(method: str, rest: str, params: dict, headers, body: bytes, deploys: Deploys, version: str,
           deploy_seconds: float | None) -> tuple[int, object]:
    """(status, JSON body) for a path under /metadata/deployRequest."""
    parts = rest.strip("/").split("/")  # ["metadata", "deployRequest", ID?]
    base = f"/services/data/v{version}/metadata/deployRequest"
    try:
        if len(parts) == 2 and method == "POST":
            return _post(headers, body, deploys, base, deploy_seconds)
        if len(parts) == 3 and method == "GET":
            return 200, _document(deploys.get(parts[2]), base, params.get("includeDetails") == "true")
        if len(parts) == 3 and method == "PATCH":
            return 202, _document(deploys.cancel(parts[2]), base, False)
    except DeployError as err:
        return 400, [{"errorCode": err.code, "message": str(err)}]
    return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def _post(headers, body: bytes, deploys: Deploys, base: str, deploy_seconds: float | None) -> tuple[int, object]:
    content_type = headers.get("Content-Type") or ""
    if content_type.startswith("application/json"):
        try:
            validation = (json.loads(body or b"{}") or {}).get("validatedDeployRequestId")
        except (ValueError, AttributeError):
            validation = None
        if not validation:
            return 400, BAD_REQUEST
        return 201, _document(deploys.quick_deploy(validation, deploy_seconds), base, False)
    parts = _multipart(content_type, body)
    if "file" not in parts:
        return 400, BAD_REQUEST
    raw = json.loads(parts.get("entity_content") or parts.get("json") or b"{}").get("deployOptions") or {}
    options = Options(
        check_only=bool(raw.get("checkOnly", False)),
        rollback_on_error=bool(raw.get("rollbackOnError", True)),
        ignore_warnings=bool(raw.get("ignoreWarnings", False)),
        single_package=bool(raw.get("singlePackage", True)),
        test_level=raw.get("testLevel") or None,
        run_tests=list(raw.get("runTests") or []),
    )
    return 201, _document(deploys.submit(parts["file"], options, deploy_seconds), base, False)


def _document(job: Job, base: str, details: bool) -> dict:
    o = job.options
    return {
        "id": job.id,
        "validatedDeployRequestId": job.validation_of,
        "url": f"{base}/{job.id}",
        "deployOptions": {"checkOnly": o.check_only, "rollbackOnError": o.rollback_on_error,
                          "ignoreWarnings": o.ignore_warnings, "singlePackage": o.single_package,
                          "testLevel": o.test_level, "runTests": o.run_tests},
        "deployResult": deploy_result(job, details),
    }


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    if not message.is_multipart():
        return {}
    return {p.get_param("name", header="content-disposition"): p.get_payload(decode=True) for p in message.iter_parts()}
