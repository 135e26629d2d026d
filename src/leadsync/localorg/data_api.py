"""The REST data resources on Lead records, as Salesforce answers them (simple-salesforce works unmodified):

  GET    sobjects/Lead/{id}[?fields=a,b]     200 the record                         (sf.Lead.get)
  PATCH  sobjects/Lead/{id}                  204, or 400 [{message, errorCode, fields}] (sf.Lead.update)
  DELETE sobjects/Lead/{id}                  204                                    (sf.Lead.delete)
  DELETE sobjects/{Account|Contact|Opportunity}/{id}  204: the records a conversion created
  POST   composite/sobjects                  {"allOrNone", "records": [...]} create, up to 200 records
  PATCH  composite/sobjects                  the same for updates (each record with its Id)
  DELETE composite/sobjects?ids=a,b[&allOrNone=true]
         -> 200 [{"id", "success", "errors": [{"statusCode", "message", "fields"}]}] in request order
  GET    query/{cursor}-{offset}             the next page of a query (nextRecordsUrl; 2,000 rows a page)
  jobs/ingest, jobs/query                    Bulk API 2.0 (bulk.py)

A missing or unknown Lead id is 404 NOT_FOUND, as Salesforce answers it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import Any

from leadsync.localorg.engine.errors import RecordError

NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
CONVERTED_TO = {"account": "Account", "contact": "Contact", "opportunity": "Opportunity"}  # what convert stores
MAX_COLLECTION = 200
PAGE_SIZE = 2000
CURSOR_SECONDS = 15 * 60  # Salesforce keeps a query cursor 15 minutes after its last use
MAX_CURSORS = 50


def handle(method: str, parts: list[str], params: dict, body: bytes, version: str, facts, reply):
    """A Reply for the data resources, or None when `parts` is not one of them."""
    leads = facts.leads
    if leads is None:
        return None
    if len(parts) == 3 and parts[0] == "sobjects" and parts[1].lower() == "lead":
        return _one(method, parts[2], params, body, version, leads, reply)
    if len(parts) == 3 and parts[0] == "sobjects" and parts[1].lower() in CONVERTED_TO and method == "DELETE":
        return _delete_converted_record(CONVERTED_TO[parts[1].lower()], parts[2], leads, reply)
    if parts == ["composite", "sobjects"]:
        return _collection(method, params, body, leads, reply)
    if len(parts) == 2 and parts[0] in ("query", "queryAll") and method == "GET":
        return _next_page(parts[1], leads.cursors, reply)
    if parts and parts[0] == "jobs":
        from leadsync.localorg import bulk

        return bulk.handle(method, parts[1:], params, body, version, facts, reply)
    return None


# --- one record -------------------------------------------------------------------------------


def _delete_converted_record(sobject: str, record_id: str, leads, reply):
    """Conversion's account, contact and opportunity can be deleted (a test cleans up after itself)."""
    if leads.store.get(sobject, record_id) is None:
        return reply(404, NOT_FOUND, "delete")
    leads.store.write(sobject, deletes=[record_id])
    return reply(204, None, "delete")



def _one(method: str, lead_id: str, params: dict, body: bytes, version: str, leads, reply):
    record = leads.get(lead_id)
    if method == "GET":
        if record is None:
            return reply(404, NOT_FOUND, "sobject")
        from leadsync.localorg import soql

        every = dict.fromkeys(leads.schema.rules().types)  # GET answers every field, null when unset
        every.pop("Address", None)
        shown = {"attributes": attributes(record["Id"], version), **every, **record}
        wanted = [f.strip() for f in params.get("fields", "").split(",") if f.strip()]
        if wanted:
            shown = soql.run(soql.Query([soql.Column(f) for f in wanted], "Lead"), [shown])[0]
        return reply(200, shown, "sobject")
    if method == "PATCH":
        given, bad = _json_object(body, "update", reply)
        if bad:
            return bad
        if record is None:
            return reply(404, NOT_FOUND, "update")
        (result,) = leads.update([{**given, "Id": record["Id"]}], all_or_none=True)
        if not result["success"]:
            return reply(400, [_rest_error(e) for e in result["errors"]], "update")
        return reply(204, None, "update")
    if method == "DELETE":
        if record is None:
            return reply(404, NOT_FOUND, "delete")
        leads.delete([record["Id"]])
        return reply(204, None, "delete")
    return reply(405, [{"errorCode": "METHOD_NOT_ALLOWED",
                        "message": f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH,DELETE"}], "sobject")


def attributes(record_id: str, version: str) -> dict:
    return {"type": "Lead", "url": f"/services/data/v{version}/sobjects/Lead/{record_id}"}


# --- sObject collections ------------------------------------------------------------------------


def _collection(method: str, params: dict, body: bytes, leads, reply):
    if method == "DELETE":
        ids = [i for i in params.get("ids", "").split(",") if i]
        if len(ids) > MAX_COLLECTION:
            return reply(400, _too_many(), "collections")
        return reply(200, leads.delete(ids, params.get("allOrNone", "false").lower() == "true"), "collections")
    if method not in ("POST", "PATCH"):
        return reply(405, [{"errorCode": "METHOD_NOT_ALLOWED",
                            "message": f"HTTP Method '{method}' not allowed. Allowed are POST,PATCH,DELETE"}],
                     "collections")
    given, bad = _json_object(body, "collections", reply)
    if bad:
        return bad
    records = given.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        return reply(400, [{"errorCode": "JSON_PARSER_ERROR", "message": "records: a list of records is required"}],
                     "collections")
    if len(records) > MAX_COLLECTION:
        return reply(400, _too_many(), "collections")
    all_or_none = bool(given.get("allOrNone", False))
    kinds = {str((r.get("attributes") or {}).get("type", "")).lower() for r in records}
    if kinds - {"lead"}:
        message = "sObject type must be specified in attributes; the local org holds Lead records only"
        return reply(400, [{"errorCode": "INVALID_TYPE", "message": message}], "collections")
    rows = [{k: v for k, v in r.items() if k != "attributes"} for r in records]
    if method == "POST":
        if any("Id" in r or "id" in r for r in rows):
            results = [{"id": None, "success": False,
                        "errors": [RecordError("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call",
                                               ("Id",)).to_result_json()]} for _ in rows]
            return reply(200, results, "collections")
        return reply(200, leads.insert(rows, all_or_none), "collections")
    return reply(200, leads.update(rows, all_or_none), "collections")


def _too_many() -> list[dict]:
    return [{"errorCode": "EXCEEDED_ID_LIMIT", "message": f"record limit reached. cannot submit more than "
                                                          f"{MAX_COLLECTION} records into this call", "fields": []}]


def _json_object(body: bytes, name: str, reply) -> tuple[dict, Any]:
    try:
        given = json.loads(body or b"null")
    except ValueError as err:
        return {}, reply(400, [{"message": f"Unexpected character: {err}", "errorCode": "JSON_PARSER_ERROR"}], name)
    if not isinstance(given, dict):
        message = "Cannot deserialize instance of Lead from a value that is not a JSON object"
        return {}, reply(400, [{"message": message, "errorCode": "JSON_PARSER_ERROR"}], name)
    return given, None


def _rest_error(e: dict) -> dict:
    return {"message": e["message"], "errorCode": e["statusCode"], "fields": e["fields"]}


# --- query paging ---------------------------------------------------------------------------------

class Cursors:
    """The query answers still being paged (one per LocalOrg): cursor -> (last use, rows, base url)."""

    def __init__(self) -> None:
        self._kept: "OrderedDict[str, tuple[float, list[dict], str]]" = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, rows: list[dict], base: str) -> str:
        from leadsync.localorg import ids

        cursor = "0r8" + ids.new_id("QueryLocator")[3:15]
        now = time.monotonic()
        with self._lock:
            for key in [k for k, (t, _r, _b) in self._kept.items() if now - t > CURSOR_SECONDS]:
                del self._kept[key]
            while len(self._kept) >= MAX_CURSORS:
                self._kept.popitem(last=False)
            self._kept[cursor] = (now, rows, base)
        return cursor

    def take(self, cursor: str) -> tuple[list[dict], str] | None:
        with self._lock:
            kept = self._kept.get(cursor)
            if kept is None:
                return None
            self._kept[cursor] = (time.monotonic(), kept[1], kept[2])
            return kept[1], kept[2]

    def drop(self, cursor: str) -> None:
        with self._lock:
            self._kept.pop(cursor, None)


def page(rows: list[dict], version: str, endpoint: str = "query", cursors: Cursors | None = None) -> dict:
    """The first page of a query answer; the rest kept in `cursors` for nextRecordsUrl."""
    if len(rows) <= PAGE_SIZE or cursors is None:
        return {"totalSize": len(rows), "done": True, "records": rows}
    base = f"/services/data/v{version}/{endpoint}"
    return _page(cursors, cursors.keep(rows, base), rows, 0, base)


def _page(cursors: Cursors, cursor: str, rows: list[dict], offset: int, base: str) -> dict:
    end = offset + PAGE_SIZE
    answer = {"totalSize": len(rows), "done": end >= len(rows), "records": rows[offset:end]}
    if end < len(rows):
        answer["nextRecordsUrl"] = f"{base}/{cursor}-{end}"
    else:
        cursors.drop(cursor)
    return answer


def _next_page(locator: str, cursors: Cursors, reply):
    cursor, _, offset = locator.rpartition("-")
    kept = cursors.take(cursor)
    if kept is None or not offset.isdigit():
        return reply(400, [{"errorCode": "INVALID_QUERY_LOCATOR", "message": "invalid query locator"}], "query_more")
    return reply(200, _page(cursors, cursor, kept[0], int(offset), kept[1]), "query_more")
