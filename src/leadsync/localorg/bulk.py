"""Bulk API 2.0 on Lead records, as Salesforce answers it to simple-salesforce's `sf.bulk2.Lead.*`.

Ingest (insert, update, delete):
  POST   jobs/ingest                     {"object": "Lead", "operation", "contentType": "CSV", "columnDelimiter", "lineEnding"}
                                         -> 200 JobInfo, state Open
  PUT    jobs/ingest/{id}/batches        text/csv -> 201 (more uploads append, while Open)
  PATCH  jobs/ingest/{id}                {"state": "UploadComplete"} (or "Aborted") -> 200 JobInfo
  GET    jobs/ingest/{id}                JobInfo: state (Open, UploadComplete, InProgress, JobComplete,
                                         Failed, Aborted), numberRecordsProcessed (failed ones included),
                                         numberRecordsFailed, errorMessage
  GET    jobs/ingest/{id}/successfulResults   "sf__Id","sf__Created", then the uploaded columns
  GET    jobs/ingest/{id}/failedResults       "sf__Id","sf__Error" (CODE:message:fields --), then the columns
  GET    jobs/ingest/{id}/unprocessedrecords  the uploaded columns of records never processed
  DELETE jobs/ingest/{id}                204
Query: POST jobs/query {"operation": "query", "query"} (no aggregates, as Salesforce), GET jobs/query/{id},
GET jobs/query/{id}/results?maxRecords=N&locator=L (CSV; Sforce-Locator, Sforce-NumberOfRecords).

A job runs in a background thread once UploadComplete, in chunks of 10,000 records: each chunk is one
`Leads.insert/update/delete` call (the record engine on every record, one store write per chunk).
Records fail alone, never the job. A CSV cell left empty leaves the field alone; `#N/A` empties it.
A header naming a field the org lacks fails the job (`InvalidBatch : Field name not found : X`).
Fault `org.faults.bulk_job_failures = N`: the next N ingest jobs stop after their first chunk
(committed), state Failed, the rest unprocessed, as an interrupted job leaves an org.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from leadsync.localorg import ids
from leadsync.localorg.engine.values import from_text

CHUNK = 10_000
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
OPERATIONS = ("insert", "update", "delete")
MAX_JOBS = 200


@dataclass
class Job:
    id: str
    kind: str  # "ingest" or "query"
    leads: Any
    info: dict
    data: list[bytes] = field(default_factory=list)
    success: list[list[str]] = field(default_factory=list)
    failed: list[list[str]] = field(default_factory=list)
    unprocessed: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # query results
    columns: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


class Jobs:
    """The Bulk API jobs of one org (LocalOrg.leads.bulk_jobs), the last MAX_JOBS finished ones kept."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def add(self, job: Job) -> None:
        with self._lock:
            while len(self._jobs) >= MAX_JOBS:
                oldest = next(iter(self._jobs))
                if not self._jobs[oldest].done.is_set():
                    break
                del self._jobs[oldest]
            self._jobs[job.id] = job

    def remove(self, job_id: str) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)


def handle(method: str, parts: list[str], params: dict, body: bytes, version: str, facts, reply):
    if not parts or parts[0] not in ("ingest", "query"):
        return None
    kind, rest = parts[0], parts[1:]
    if not rest:
        if method == "POST":
            return _create(kind, body, version, facts, reply)
        if method == "GET":
            jobs = [_info(j) for j in facts.leads.bulk_jobs.all() if j.kind == kind]
            return reply(200, {"done": True, "records": jobs, "nextRecordsUrl": None}, "bulk_jobs")
        return None
    job = facts.leads.bulk_jobs.get(rest[0])
    if job is None or job.kind != kind:
        return reply(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}], "bulk_job")
    if len(rest) == 1:
        if method == "GET":
            return reply(200, _info(job), "bulk_job")
        if method == "PATCH":
            return _set_state(job, body, facts, reply)
        if method == "DELETE":
            facts.leads.bulk_jobs.remove(job.id)
            return reply(204, None, "bulk_delete")
        return None
    what = rest[1]
    if kind == "ingest" and what == "batches" and method == "PUT":
        if job.info["state"] != "Open":
            return reply(400, [{"errorCode": "INVALIDJOBSTATE", "message": "Job is not in Open state"}], "bulk_upload")
        job.data.append(body)
        return reply(201, b"", "bulk_upload", "text/plain")
    if kind == "ingest" and method == "GET" and what.lower() in ("successfulresults", "failedresults", "unprocessedrecords"):
        return _results(job, what.lower(), reply)
    if kind == "query" and what == "results" and method == "GET":
        return _query_results(job, params, reply)
    return None


# --- creating and closing jobs ----------------------------------------------------------------


def _create(kind: str, body: bytes, version: str, facts, reply):
    try:
        given = json.loads(body or b"{}")
    except ValueError as err:
        return reply(400, [{"errorCode": "JSON_PARSER_ERROR", "message": str(err)}], "bulk_create")
    operation = given.get("operation")
    now = _stamp()
    job_id = "750" + ids.new_id("BulkJob")[3:]  # 750: Bulk API job ids
    info = {
        "id": job_id, "operation": operation, "createdById": facts.identity.user_id, "createdDate": now,
        "systemModstamp": now, "state": "Open", "concurrencyMode": "Parallel", "contentType": "CSV",
        "apiVersion": float(version), "lineEnding": given.get("lineEnding", "LF"),
        "columnDelimiter": given.get("columnDelimiter", "COMMA"),
    }
    if kind == "query":
        return _create_query(job_id, info, given, version, facts, reply)
    if given.get("object", "").lower() != "lead":
        return reply(400, [{"errorCode": "INVALIDENTITY",
                            "message": f"Entity '{given.get('object')}' is not supported by the local org's Bulk API"}],
                     "bulk_create")
    if operation not in OPERATIONS:
        return reply(400, [{"errorCode": "FEATURENOTENABLED",
                            "message": f"The local org's Bulk API does not support the {operation} operation"}],
                     "bulk_create")
    if info["columnDelimiter"] not in DELIMITERS or info["lineEnding"] not in LINE_ENDINGS:
        return reply(400, [{"errorCode": "INVALIDJOB", "message": "Invalid columnDelimiter or lineEnding"}], "bulk_create")
    info.update(object="Lead", externalIdFieldName=given.get("externalIdFieldName"),
                contentUrl=f"services/data/v{version}/jobs/ingest/{job_id}/batches")
    facts.leads.bulk_jobs.add(Job(job_id, "ingest", facts.leads, info))
    return reply(200, info, "bulk_create")


def _set_state(job: Job, body: bytes, facts, reply):
    try:
        state = json.loads(body or b"{}").get("state")
    except (ValueError, AttributeError):
        state = None
    if job.kind == "ingest" and state == "UploadComplete" and job.info["state"] == "Open":
        job.info["state"] = "UploadComplete"
        fail_early = bool(facts.faults is not None and facts.faults.take("bulk_job_failures"))
        threading.Thread(target=_run, args=(job, fail_early), name=f"bulk-{job.id}", daemon=True).start()
        return reply(200, _info(job), "bulk_state")
    if state == "Aborted" and job.info["state"] in ("Open", "UploadComplete", "InProgress"):
        job.info["state"] = "Aborted"
        return reply(200, _info(job), "bulk_state")
    return reply(400, [{"errorCode": "INVALIDJOBSTATE",
                        "message": f"Cannot change the state of a job in state {job.info['state']} to {state}"}],
                 "bulk_state")


# --- running an ingest job ----------------------------------------------------------------------


def _run(job: Job, fail_early: bool) -> None:
    started = time.monotonic()
    info = job.info
    info["state"] = "InProgress"
    try:
        _process(job, fail_early)
    except Exception as err:  # a bug must fail the job, not leave it InProgress for ever
        info["state"], info["errorMessage"] = "Failed", f"InternalServerError : {err}"
    finally:
        elapsed = int((time.monotonic() - started) * 1000)
        info.update(totalProcessingTime=elapsed, apiActiveProcessingTime=elapsed, apexProcessingTime=0,
                    systemModstamp=_stamp())
        job.data = []
        job.done.set()


def _process(job: Job, fail_early: bool) -> None:
    info = job.info
    text = b"".join(job.data).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[info["columnDelimiter"]])
    header = next(reader, None)
    if not header:
        info["state"], info["errorMessage"] = "Failed", "InvalidBatch : Empty batch"
        return
    header = [h.strip() for h in header]
    job.header = header
    rules = job.leads.schema.rules()
    fields = []
    for name in header:
        spelled = rules.spelling(name)
        if spelled is None:
            info["state"], info["errorMessage"] = "Failed", f"InvalidBatch : Field name not found : {name}"
            return
        fields.append(spelled)
    operation = info["operation"]
    if operation in ("update", "delete") and "Id" not in fields:
        info["state"], info["errorMessage"] = "Failed", "InvalidBatch : Field name not found : Id"
        return
    lines = list(reader)
    stop = len(lines) // 2 if fail_early else len(lines)
    for start in range(0, stop, CHUNK):
        if info["state"] == "Aborted":
            job.unprocessed.extend(lines[start:])
            return
        _chunk(job, lines[start:min(start + CHUNK, stop)], fields, rules, operation)
    if fail_early:
        job.unprocessed.extend(lines[stop:])
        info["state"] = "Failed"
        info["errorMessage"] = "InternalServerError : the job was interrupted (fault injected by the local org)"
        return
    info["state"] = "JobComplete"


def _chunk(job: Job, lines: list[list[str]], fields: list[str], rules, operation: str) -> None:
    rows: list[dict | None] = []
    bad: dict[int, str] = {}
    for n, line in enumerate(lines):
        row: dict = {}
        for name, cell in zip(fields, line):
            if cell == "":
                continue
            if cell == "#N/A":
                row[name] = None
                continue
            try:
                row[name] = from_text(cell, rules.types.get(name, "Text"))
            except ValueError as err:
                bad[n] = f"INVALID_FIELD:{name}: {err}:{name} --"
                break
        rows.append(row)
    good = [r for n, r in enumerate(rows) if n not in bad]
    if operation == "insert":
        results = job.leads.insert(good)
    elif operation == "update":
        results = job.leads.update(good)
    else:
        results = job.leads.delete([r.get("Id") for r in good])
    it = iter(results)
    for n, line in enumerate(lines):
        if n in bad:
            job.failed.append(["", bad[n], *line])
            continue
        result = next(it)
        if result["success"]:
            job.success.append([result["id"], "true" if operation == "insert" else "false", *line])
        else:
            e = result["errors"][0]
            job.failed.append([result.get("id") or "", f"{e['statusCode']}:{e['message']}:{','.join(e['fields'])} --", *line])
    info = job.info
    info["numberRecordsProcessed"] = len(job.success) + len(job.failed)
    info["numberRecordsFailed"] = len(job.failed)


def _results(job: Job, what: str, reply):
    if what == "successfulresults":
        header, rows = ["sf__Id", "sf__Created", *job.header], job.success
    elif what == "failedresults":
        header, rows = ["sf__Id", "sf__Error", *job.header], job.failed
    else:
        header, rows = list(job.header), job.unprocessed
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return reply(200, out.getvalue().encode(), "bulk_results", "text/csv")


# --- query jobs -------------------------------------------------------------------------------------


def _create_query(job_id: str, info: dict, given: dict, version: str, facts, reply):
    from leadsync.localorg import soql

    if given.get("operation") not in ("query", "queryAll"):
        return reply(400, [{"errorCode": "INVALIDJOB", "message": "operation must be query or queryAll"}], "bulk_query")
    try:
        query = soql.parse(given.get("query") or "")
    except soql.SoqlError as err:
        return reply(400, [{"errorCode": "INVALIDJOB", "message": str(err)}], "bulk_query")
    if any(c.aggregate for c in query.columns) or query.group_by:
        return reply(400, [{"errorCode": "INVALIDJOB",
                            "message": "Aggregate queries are not supported by Bulk API 2.0"}], "bulk_query")
    if query.sobject.lower() != "lead":
        return reply(400, [{"errorCode": "INVALIDJOB", "message": f"sObject type '{query.sobject}' is not supported."}],
                     "bulk_query")
    rows = soql.run(query, facts.leads.iter(), lambda r: {})
    info.update(object="Lead", query=given.get("query"), state="JobComplete", jobType="V2Query",
                numberRecordsProcessed=len(rows))
    job = Job(job_id, "query", facts.leads, info, rows=rows, columns=[c.expr for c in query.columns])
    job.done.set()
    facts.leads.bulk_jobs.add(job)
    return reply(200, info, "bulk_query")


def _query_results(job: Job, params: dict, reply):
    try:
        size = max(1, int(params.get("maxRecords") or 50_000))
        start = int(params.get("locator") or 0)
    except ValueError:
        return reply(400, [{"errorCode": "INVALIDLOCATOR", "message": "invalid locator"}], "bulk_query_results")
    part = job.rows[start:start + size]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_ENDINGS.get(job.info["lineEnding"], "\n"),
                        delimiter=DELIMITERS.get(job.info["columnDelimiter"], ","), quoting=csv.QUOTE_ALL)
    writer.writerow(job.columns)
    for row in part:
        values = [v for k, v in row.items() if k != "attributes"]
        writer.writerow(["" if v is None else ("true" if v is True else "false" if v is False else v) for v in values])
    end = start + len(part)
    locator = str(end) if end < len(job.rows) else "null"
    headers = (("Sforce-Locator", locator), ("Sforce-NumberOfRecords", str(len(part))))
    return reply(200, out.getvalue().encode(), "bulk_query_results", "text/csv", headers)


# --- bookkeeping ---------------------------------------------------------------------------------------


def _info(job: Job) -> dict:
    info = dict(job.info)
    if job.kind == "ingest":
        info.setdefault("numberRecordsProcessed", 0)
        info.setdefault("numberRecordsFailed", 0)
        info.setdefault("retries", 0)
        info.setdefault("jobType", "V2Ingest")
        for key in ("totalProcessingTime", "apiActiveProcessingTime", "apexProcessingTime"):
            info.setdefault(key, 0)
    return info


def _stamp() -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"
