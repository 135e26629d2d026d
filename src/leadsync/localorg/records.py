"""The org's data records, one JSON file per sObject (`records/Lead.json`), kept like the metadata store.

An insert takes a lock, re-reads the file (another process serving the same state dir may have added
records), appends and replaces the file atomically. Reads notice a newer file. Records are stored as
plain field dicts, without "attributes"; the REST layer adds those.
"""

from __future__ import annotations

import threading
from pathlib import Path

from leadsync.localorg.files import read_json, write_json


class RecordStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple[int, int], list[dict]]] = {}

    def all(self, sobject: str) -> list[dict]:
        """Every record of `sobject`, in insertion order (copies: changing them changes nothing)."""
        with self._lock:
            return [dict(r) for r in self._read(sobject)]

    def insert(self, sobject: str, records: list[dict]) -> None:
        """Add complete records (each with its Id) at once."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.root / ".insert.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            rows = [*self._read(sobject), *(dict(r) for r in records)]
            write_json(self._path(sobject), rows)
            self._cache.pop(sobject, None)

    def _read(self, sobject: str) -> list[dict]:
        path = self._path(sobject)
        try:
            st = path.stat()
        except FileNotFoundError:
            return []
        seen = (st.st_mtime_ns, st.st_ino)
        cached = self._cache.get(sobject)
        if cached is None or cached[0] != seen:
            cached = (seen, read_json(path, []))
            self._cache[sobject] = cached
        return cached[1]

    def _path(self, sobject: str) -> Path:
        return self.root / f"{sobject}.json"
