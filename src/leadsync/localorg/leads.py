"""Lead records: saved through the record engine (`engine/save.py`, Salesforce's order of execution on
the deployed metadata), stored in `records.py` a batch at a time, read, deleted and converted.

Every write takes a list and writes the store once: a REST call, a 200-record collection and a
Bulk API job each cost one transaction, whatever their size. Results come back in the shape of an
sObject collection: `{"id", "success", "errors": [{"statusCode", "message", "fields"}]}` per record,
in the order given. With `all_or_none`, one failure fails them all and nothing is written; the
others answer ALL_OR_NONE_OPERATION_ROLLED_BACK, as Salesforce answers them.
"""

from __future__ import annotations

import datetime as dt
import threading

from leadsync.localorg.engine.errors import RecordError, UnsupportedAutomation
from leadsync.localorg.engine.save import SaveEngine
from leadsync.localorg.engine.schema import Schema
from leadsync.localorg.records import RecordStore
from leadsync.localorg.store import MetadataStore

__all__ = ["Leads", "RecordError", "UnsupportedAutomation"]

SOBJECT = "Lead"
ROLLED_BACK = RecordError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
                          "Record rolled back because not all records were valid and the request was using AllOrNone header")


class Leads:
    def __init__(self, records: RecordStore, metadata: MetadataStore, user_id: str):
        self._records, self._metadata, self._user_id = records, metadata, user_id
        self.schema = Schema(metadata)
        self.engine = SaveEngine(self.schema, user_id)
        self._write_lock = threading.Lock()  # read-modify-write of one process; SQLite orders processes
        from leadsync.localorg.bulk import Jobs
        from leadsync.localorg.data_api import Cursors

        self.cursors = Cursors()  # query answers being paged (nextRecordsUrl)
        self.bulk_jobs = Jobs()  # Bulk API 2.0 jobs

    @property
    def store(self) -> RecordStore:
        return self._records

    # --- reading ------------------------------------------------------------------------------

    def all(self) -> list[dict]:
        return self._records.all(SOBJECT)

    def iter(self):
        return self._records.iter(SOBJECT)

    def get(self, lead_id: str) -> dict | None:
        return self._records.get(SOBJECT, lead_id)

    def fields(self) -> dict[str, str]:
        """Every Lead field the org has: lower-cased name -> its own spelling."""
        return dict(self.schema.rules().fields)

    # --- writing ------------------------------------------------------------------------------

    def create(self, records: list[dict]) -> list[str]:
        """Check, run automation on and store new leads, all or none; their ids. Raises RecordError
        (the first bad record's) when any is refused."""
        rules, now = self.schema.rules(), _now()
        rows = [self.engine.insert(given, now, rules) for given in records]
        self._records.write(SOBJECT, inserts=rows)
        return [r["Id"] for r in rows]

    def seed(self, records: list[dict]) -> list[str]:
        """Store leads exactly as given (test setup, like a database restore): no checks, no defaults
        beyond Id, Name, IsConverted false and audit fields, no automation. Any field may be set,
        IsConverted and the Converted* fields included. Their ids."""
        from leadsync.localorg import ids
        from leadsync.localorg.engine.values import sf_datetime

        stamp = sf_datetime(_now())
        rows = []
        for given in records:
            row = {"Id": ids.new_id(SOBJECT), "IsConverted": False, "IsDeleted": False, "OwnerId": self._user_id,
                   "CreatedDate": stamp, "CreatedById": self._user_id, "LastModifiedDate": stamp,
                   "LastModifiedById": self._user_id, "SystemModstamp": stamp,
                   **{k: v for k, v in given.items() if k != "attributes"}}
            row.setdefault("Name", " ".join(str(row[f]) for f in ("FirstName", "LastName") if row.get(f)))
            rows.append(row)
        self._records.write(SOBJECT, inserts=rows)
        return [r["Id"] for r in rows]

    def insert(self, records: list[dict], all_or_none: bool = False) -> list[dict]:
        """New leads; a result per record."""
        rules, now = self.schema.rules(), _now()
        outcomes: list[dict | RecordError] = []
        for given in records:
            try:
                outcomes.append(self.engine.insert(given, now, rules))
            except RecordError as err:
                outcomes.append(err)
        return self._commit(outcomes, all_or_none, inserts=True)

    def update(self, rows: list[dict], all_or_none: bool = False) -> list[dict]:
        """Changes to stored leads, each row with its "Id"; a result per row."""
        with self._write_lock:
            rules, now = self.schema.rules(), _now()
            stored = self._records.get_many(SOBJECT, [r.get("Id") or r.get("id") for r in rows])
            outcomes: list[dict | RecordError] = []
            seen: dict[str, dict] = {}
            for given in rows:
                lead_id = given.get("Id") or given.get("id")
                current = seen.get(str(lead_id)[:15]) or stored.get(lead_id) if lead_id else None
                if current is None:
                    outcomes.append(_not_found(lead_id))
                    continue
                try:
                    saved = self.engine.update(current, {k: v for k, v in given.items() if k != "id"}, now, rules)
                except RecordError as err:
                    err.record_id = current["Id"]
                    outcomes.append(err)
                    continue
                seen[saved["Id"][:15]] = saved
                outcomes.append(saved)
            return self._commit(outcomes, all_or_none, inserts=False)

    def delete(self, ids: list[str], all_or_none: bool = False) -> list[dict]:
        with self._write_lock:
            stored = self._records.get_many(SOBJECT, ids)
            outcomes: list[dict | RecordError] = [stored[i] if i in stored else _not_found(i) for i in ids]
            results = _results(outcomes, ids)
            if all_or_none and any(not r["success"] for r in results):
                return _rolled_back(results)
            self._records.write(SOBJECT, deletes=[o["Id"] for o in outcomes if isinstance(o, dict)])
            return results

    def convert(self, requests: list[dict]) -> list[dict]:
        """Convert leads (engine/convert.py): one LeadConvertResult dict per request, in order:
        {"accountId", "contactId", "leadId", "opportunityId", "success", "errors"}."""
        from leadsync.localorg.engine.convert import convert

        return convert(self, requests)

    def save_converted(self, record: dict) -> None:
        """A conversion's result (convert.py): stored as is."""
        with self._write_lock:
            self._records.write(SOBJECT, updates=[record])

    def _commit(self, outcomes: list, all_or_none: bool, inserts: bool) -> list[dict]:
        results = _results(outcomes)
        if all_or_none and any(isinstance(o, RecordError) for o in outcomes):
            return _rolled_back(results)
        good = [o for o in outcomes if isinstance(o, dict)]
        if good:
            if inserts:
                self._records.write(SOBJECT, inserts=good)
            else:
                self._records.write(SOBJECT, updates=good)
        return results


def _results(outcomes: list, ids: list[str] | None = None) -> list[dict]:
    out = []
    for n, o in enumerate(outcomes):
        if isinstance(o, dict):
            out.append({"id": o["Id"], "success": True, "errors": []})
        else:
            given_id = getattr(o, "record_id", None) or (ids[n] if ids else None)
            out.append({"id": given_id, "success": False, "errors": [e.to_result_json() for e in o.all()]})
    return out


def _rolled_back(results: list[dict]) -> list[dict]:
    return [r if not r["success"] else {"id": None, "success": False, "errors": [ROLLED_BACK.to_result_json()]}
            for r in results]


def _not_found(lead_id) -> RecordError:
    if not isinstance(lead_id, str) or len(lead_id) not in (15, 18):
        err = RecordError("MALFORMED_ID", f"Lead ID: id value of incorrect type: {lead_id}", ("Id",))
    else:
        err = RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    err.record_id = lead_id if isinstance(lead_id, str) else None
    return err


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
