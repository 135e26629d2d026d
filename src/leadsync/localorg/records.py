"""The org's data records, in one SQLite file (`records/records.sqlite3`), indexed by Id.

Each record is a row: its sObject, its 18-character Id (and the 15-character prefix, so either form
finds it), an insertion sequence (queries answer in insertion order, as the old JSON file did) and the
fields as compact JSON. A write of many records is one transaction: a Bulk API job of 50,000 leads
writes once, not once per record, and a crash half-way leaves the org as it was before the batch.
Several processes may serve one state dir: SQLite's own locking orders their writes, and every read
sees the latest commit. Records are plain field dicts, without "attributes"; the REST layer adds those.

A state dir written by an older leadsync (`records/Lead.json`, a list of records) is imported once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Iterator

DB_NAME = "records.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sobject TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    id15 TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_sobject ON records (sobject, seq);
"""
_CHUNK = 500  # ids per IN (...) lookup (SQLite allows 999 parameters by default)


class RecordStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None

    # --- reading ------------------------------------------------------------------------------

    def all(self, sobject: str) -> list[dict]:
        """Every record of `sobject`, in insertion order (copies: changing them changes nothing)."""
        return list(self.iter(sobject))

    def iter(self, sobject: str) -> Iterator[dict]:
        """The records of `sobject` one at a time, in insertion order (a snapshot taken at the call)."""
        with self._lock:
            rows = self._conn().execute("SELECT data FROM records WHERE sobject = ? ORDER BY seq", (sobject,)).fetchall()
        for (data,) in rows:
            yield json.loads(data)

    def get_many(self, sobject: str, ids: Iterable[str]) -> dict[str, dict]:
        """The records of `sobject` among `ids` (15 or 18 characters), keyed by the id as given."""
        wanted = {i[:15]: i for i in ids if isinstance(i, str) and len(i) in (15, 18)}
        found: dict[str, dict] = {}
        keys = list(wanted)
        with self._lock:
            conn = self._conn()
            for start in range(0, len(keys), _CHUNK):
                part = keys[start:start + _CHUNK]
                marks = ",".join("?" * len(part))
                for id15, data in conn.execute(
                        f"SELECT id15, data FROM records WHERE sobject = ? AND id15 IN ({marks})", (sobject, *part)):
                    found[wanted[id15]] = json.loads(data)
        return found

    def get(self, sobject: str, record_id: str) -> dict | None:
        return self.get_many(sobject, [record_id]).get(record_id)

    def count(self, sobject: str) -> int:
        with self._lock:
            return self._conn().execute("SELECT COUNT(*) FROM records WHERE sobject = ?", (sobject,)).fetchone()[0]

    # --- writing ------------------------------------------------------------------------------

    def insert(self, sobject: str, records: list[dict]) -> None:
        """Add complete records (each with its Id) at once."""
        self.write(sobject, inserts=records)

    def write(self, sobject: str, inserts: Iterable[dict] = (), updates: Iterable[dict] = (),
              deletes: Iterable[str] = ()) -> None:
        """New records, replaced records (same Id, keeping their place) and deleted Ids: one transaction."""
        with self._lock:
            conn = self._conn()
            with conn:
                conn.executemany("INSERT INTO records (sobject, id, id15, data) VALUES (?, ?, ?, ?)",
                                 ((sobject, r["Id"], r["Id"][:15], _dump(r)) for r in inserts))
                conn.executemany("UPDATE records SET data = ? WHERE id15 = ? AND sobject = ?",
                                 ((_dump(r), r["Id"][:15], sobject) for r in updates))
                conn.executemany("DELETE FROM records WHERE id15 = ? AND sobject = ?",
                                 ((i[:15], sobject) for i in deletes))

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- the file -----------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.root.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.root / DB_NAME, timeout=30, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            db.isolation_level = ""  # `with conn:` opens and commits a transaction
            self._db = db
            self._import_json(db)
        return self._db

    def _import_json(self, db: sqlite3.Connection) -> None:
        """Records an older leadsync kept in `<sObject>.json` files, moved in once."""
        for path in sorted(self.root.glob("*.json")):
            try:
                rows = json.loads(path.read_bytes())
            except (OSError, ValueError):
                continue
            sobject = path.stem
            with db:
                db.executemany("INSERT OR IGNORE INTO records (sobject, id, id15, data) VALUES (?, ?, ?, ?)",
                               ((sobject, r["Id"], r["Id"][:15], _dump(r)) for r in rows if isinstance(r, dict) and "Id" in r))
            path.unlink(missing_ok=True)


def _dump(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)
