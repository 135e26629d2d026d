"""Lead data through simple-salesforce, behind one small interface: count, select ids, update.

`LeadRecords(client)` works on the org an `OrgClient` is logged in to:

- `count(group_by, where)`: `SELECT g1, g2, COUNT(Id) n FROM Lead [WHERE ...] GROUP BY g1, g2` as
  {(v1, v2): n}; one call.
- `select(fields, where, expected=N)`: the rows of a plain query, page by page: REST (`query_all_iter`,
  2,000 a call in Salesforce), or one Bulk API 2.0 query job (50,000 a call) when a count said there
  are more than `collection_limit`.
- `update(rows, on_progress)`: save `{"Id": ..., field: value}` rows. Up to `COLLECTION_LIMIT` rows go
  through sObject collections (`PATCH composite/sobjects`, 200 a call, allOrNone false); more through one
  Bulk API 2.0 ingest job (`sf.bulk2.Lead`: create, upload the CSV, close, poll, failed results). Both
  report each row that failed with Salesforce's error, never raise for a row.

Errors of the calls themselves (unreachable org, expired session, HTTP errors) come out as leadsync's
errors (`OrgClient._call`), with a renewed session where the login allows.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadsync.org.client import OrgClient

OBJECT = "Lead"
COLLECTION_SIZE = 200  # records per sObject collections call (Salesforce's limit)
COLLECTION_LIMIT = 2_000  # more rows than this go through Bulk API 2.0
BULK_FIRST_POLL = 0.2  # seconds before the first job status call, growing 1.5x to BULK_MAX_POLL
BULK_MAX_POLL = 2.0
BULK_TIMEOUT = 3600.0
BULK_PAGE = 50_000  # rows per Bulk API 2.0 query results call


@dataclass(frozen=True)
class RowFailure:
    id: str
    error: str


@dataclass
class UpdateResult:
    updated: int = 0
    failures: list[RowFailure] = field(default_factory=list)
    api: str = "none"  # "collections" | "bulk2" | "none"

    @property
    def failed(self) -> int:
        return len(self.failures)


def soql_literal(value: str) -> str:
    """A SOQL string literal: backslash and quote escaped, as Salesforce reads them."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{escaped}'"


def condition(field_name: str, value: str | bool | None) -> str:
    if value is None:
        return f"{field_name} = null"
    if isinstance(value, bool):
        return f"{field_name} = {'true' if value else 'false'}"
    return f"{field_name} = {soql_literal(value)}"


class LeadRecords:
    def __init__(self, client: OrgClient, *, collection_limit: int = COLLECTION_LIMIT,
                 sleep: Callable[[float], None] = time.sleep):
        self._client = client
        self.collection_limit = collection_limit
        self._sleep = sleep

    # -- reads

    def count(self, group_by: Sequence[str], where: Sequence[str] = ()) -> dict[tuple, int]:
        """Leads per combination of values of `group_by` (values as the org returns them, None for empty)."""
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        cols = ", ".join(group_by)
        rows = self._client.query(f"SELECT {cols}, COUNT(Id) n FROM {OBJECT}{clause} GROUP BY {cols}")
        out: dict[tuple, int] = {}
        for row in rows:
            key = tuple(_get(row, g) for g in group_by)
            out[key] = out.get(key, 0) + int(row.get("n") or row.get("expr0") or 0)
        return out

    def select(self, fields: Sequence[str], where: Sequence[str] = (), *, expected: int = 0) -> Iterator[dict]:
        """Rows of `SELECT fields FROM Lead WHERE ...`, as plain dicts of the fields asked for, page by page:
        REST (2,000 rows a call), or a Bulk API 2.0 query job (50,000 rows a call) when `expected` (the
        rows a count found) is above `collection_limit`."""
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        soql = f"SELECT {', '.join(fields)} FROM {OBJECT}{clause}"
        if expected > self.collection_limit:
            yield from self._bulk_select(soql, fields)
            return
        sf = self._client._sf
        pages = self._client._call("a SOQL query", lambda: iter(sf.query_all_iter(soql)))
        while True:
            row = self._client._call("a SOQL query", lambda: next(pages, None))
            if row is None:
                return
            yield {f: _get(row, f) for f in fields}

    def _bulk_select(self, soql: str, fields: Sequence[str]) -> Iterator[dict]:
        """A Bulk API 2.0 query job: create, wait, read the CSV pages, delete the job (its results are
        kept by the org otherwise)."""
        from leadsync.org.session import OrgFault

        client = self._client._sf.bulk2.Lead._client  # simple-salesforce's _Bulk2Client for Lead
        call = self._client._call
        job_id = call("a Bulk API 2.0 query", lambda: client.create_job("query", query=soql))["id"]
        try:
            info = self._poll(job_id, True)
            if info.get("state") != "JobComplete":
                raise OrgFault(f"the org's Bulk API 2.0 query {job_id} ended {info.get('state')}: "
                               f"{info.get('errorMessage') or 'no message'}")
            locator = ""
            while True:
                page = call("a Bulk API 2.0 query", lambda: client.get_query_results(job_id, locator, BULK_PAGE))
                for rec in csv.DictReader(io.StringIO(page["records"])):
                    yield {f: (_get(rec, f) or None) for f in fields}
                locator = page["locator"]
                if not locator:
                    break
        finally:
            self._delete_job("query", job_id)

    def _delete_job(self, kind: str, job_id: str) -> None:
        """Best effort: a job left behind costs the org storage until Salesforce drops it (7 days)."""
        try:
            self._client._call("a Bulk API 2.0 job", lambda: self._client._sf.restful(f"jobs/{kind}/{job_id}",
                                                                                      method="DELETE"))
        except Exception:  # noqa: BLE001 — the work is done; a job not deleted is not a failure
            pass

    def _poll(self, job_id: str, is_query: bool, on_progress: Callable[[int], None] = lambda n: None,
              total: int = 0) -> dict:
        from leadsync.org.session import OrgFault

        client = self._client._sf.bulk2.Lead._client
        delay, waited, reported = BULK_FIRST_POLL, 0.0, 0
        while True:
            self._sleep(delay)
            waited += delay
            info = self._client._call("a Bulk API 2.0 job", lambda: client.get_job(job_id, is_query))
            processed = min(int(info.get("numberRecordsProcessed") or 0), total)
            if processed > reported:
                on_progress(processed - reported)
                reported = processed
            if info.get("state") in ("JobComplete", "Failed", "Aborted"):
                if info.get("state") == "JobComplete" and reported < total:
                    on_progress(total - reported)
                return info
            if waited > BULK_TIMEOUT:
                raise OrgFault(f"Bulk API 2.0 job {job_id} did not finish within {BULK_TIMEOUT:.0f} s")
            delay = min(delay * 1.5, BULK_MAX_POLL)

    # -- writes

    def update(self, rows: list[dict], on_progress: Callable[[int], None] = lambda n: None) -> UpdateResult:
        """Save the rows (each `{"Id": ..., field: value, ...}`, every row the same fields); failures per row."""
        if not rows:
            return UpdateResult()
        if len(rows) <= self.collection_limit:
            return self._collections(rows, on_progress)
        return self._bulk(rows, on_progress)

    def update_column(self, field_name: str, pairs: list[tuple[str, str]],
                      on_progress: Callable[[int], None] = lambda n: None) -> UpdateResult:
        """Set one field: `pairs` of (Id, value). Like `update`, without a dict per row (50,000 leads)."""
        if not pairs:
            return UpdateResult()
        if len(pairs) <= self.collection_limit:
            return self._collections([{"Id": i, field_name: v} for i, v in pairs], on_progress)
        return self._bulk(_Column(field_name, pairs), on_progress)

    def _collections(self, rows: list[dict], on_progress: Callable[[int], None]) -> UpdateResult:
        result = UpdateResult(api="collections")
        sf = self._client._sf
        for start in range(0, len(rows), COLLECTION_SIZE):
            chunk = rows[start:start + COLLECTION_SIZE]
            body = {"allOrNone": False, "records": [{"attributes": {"type": OBJECT}, **r} for r in chunk]}
            answers = self._client._call(
                "an sObject collections update",
                lambda: sf.restful("composite/sobjects", method="PATCH", json=body),
            ) or []
            for row, answer in zip(chunk, answers):
                if answer.get("success"):
                    result.updated += 1
                else:
                    result.failures.append(RowFailure(row["Id"], _error_text(answer.get("errors"))))
            on_progress(len(chunk))
        return result

    def _bulk(self, rows: list[dict], on_progress: Callable[[int], None]) -> UpdateResult:
        """One Bulk API 2.0 update job for all rows (the CSV stays far below the 100 MB a job takes)."""
        from leadsync.org.session import OrgFault

        client = self._client._sf.bulk2.Lead._client  # simple-salesforce's _Bulk2Client for Lead
        call = self._client._call
        data = _csv(rows)
        job = call("a Bulk API 2.0 job", lambda: client.create_job("update"))
        job_id = job["id"]
        try:
            call("a Bulk API 2.0 upload", lambda: client.upload_job_data(job_id, data))
            del data
            call("a Bulk API 2.0 job", lambda: client.close_job(job_id))
            info = self._poll(job_id, False, on_progress, len(rows))
        except BaseException:
            try:
                state = call("a Bulk API 2.0 job", lambda: client.get_job(job_id, False)).get("state")
                if state in ("Open", "UploadComplete", "InProgress"):
                    call("a Bulk API 2.0 job", lambda: client.abort_job(job_id, False))
            except Exception:  # noqa: BLE001 — the first failure is the one to report
                pass
            raise
        if info.get("state") != "JobComplete":
            raise OrgFault(f"Bulk API 2.0 job {job_id} ended {info.get('state')}: "
                           f"{info.get('errorMessage') or 'no message'}")
        failed = int(info.get("numberRecordsFailed") or 0)
        result = UpdateResult(updated=int(info.get("numberRecordsProcessed") or 0) - failed, api="bulk2")
        if failed:
            text = call("a Bulk API 2.0 result", lambda: client.get_ingest_results(job_id, "failedResults"))
            for rec in csv.DictReader(io.StringIO(text)):
                result.failures.append(RowFailure(rec.get("sf__Id") or rec.get("Id") or "", rec.get("sf__Error") or ""))
        self._delete_job("ingest", job_id)
        return result


class _Column:
    """(Id, value) pairs of one field, written as a two-column CSV."""

    def __init__(self, field_name: str, pairs: list[tuple[str, str]]):
        self.field_name, self.pairs = field_name, pairs

    def __len__(self) -> int:
        return len(self.pairs)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("Id", self.field_name))
        writer.writerows(self.pairs)
        return out.getvalue()


def _csv(rows) -> str:
    if isinstance(rows, _Column):
        return rows.csv()
    out = io.StringIO()
    fields = list(rows[0])
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _get(row: dict, name: str):
    if name in row:
        return row[name]
    return next((v for k, v in row.items() if k.lower() == name.lower()), None)


def _error_text(errors) -> str:
    if not errors:
        return "unknown error"
    return "; ".join(f"{e.get('statusCode') or e.get('errorCode') or 'ERROR'}: {e.get('message', '')}".strip()
                     for e in errors)


__all__ = ["COLLECTION_LIMIT", "LeadRecords", "RowFailure", "UpdateResult", "condition", "soql_literal"]
