"""The org's metadata as files: one file per component plus `index.json`, which alone says what is current.

A commit writes the new component files first, then replaces `index.json` atomically, then removes
files no index names. So a deploy is all or nothing even if the process dies half-way, and another
process reading the dir sees either the old org or the new one. Several processes may serve one state
dir (`local-org serve` and a `--target-org local` run): reads notice a newer index, commits take a lock.

Components are stored in the form the Metadata API's readMetadata returns them: children of an object
(fields, business processes, ...) as documents of their own (`<CustomField>`), everything else as the
deployed file. Files whose content is not XML (Apex) keep their `-meta.xml` beside them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

from leadsync.localorg import ids
from leadsync.localorg.catalog import standard_lead_status_xml
from leadsync.localorg.files import read_json, write_atomic, write_json

Key = tuple[str, str]  # (metadata type, fullName as package.xml names it)


@dataclass(frozen=True)
class Content:
    content: bytes
    meta: bytes | None = None


@dataclass(frozen=True)
class Stored:
    type: str
    full_name: str
    content: bytes
    meta: bytes | None
    id: str
    created_date: str
    last_modified_date: str


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class MetadataStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._entries: dict[Key, dict] = {}
        self.generation = 0
        self._seen: tuple[int, int] | None = None
        self._refresh()
        if self.generation == 0:
            from leadsync.localorg import standard_layout

            self.commit({("StandardValueSet", "LeadStatus"): Content(standard_lead_status_xml()),
                         ("Layout", standard_layout.NAME): Content(standard_layout.layout_xml())},
                        expect_generation=0)

    def get(self, type_: str, full_name: str) -> Stored | None:
        self._refresh()
        entry = self._entries.get((type_, full_name))
        try:
            return self._load(entry) if entry else None
        except FileNotFoundError:  # another process committed (and collected) meanwhile
            self._seen = None
            self._refresh()
            entry = self._entries.get((type_, full_name))
            return self._load(entry) if entry else None

    def keys(self, type_: str | None = None) -> list[Key]:
        self._refresh()
        return sorted(k for k in self._entries if type_ is None or k[0] == type_)

    def all(self, type_: str | None = None) -> list[Stored]:
        return [s for s in (self.get(*k) for k in self.keys(type_)) if s is not None]

    def commit(self, changes: Mapping[Key, Content | None], expect_generation: int | None = None) -> bool:
        """Apply creates, updates (Content) and deletes (None) at once; False (nothing written) when
        `expect_generation` is given and the org has moved on since."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.root / ".commit.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._refresh()
            if expect_generation is not None and expect_generation != self.generation:
                return False
            entries = dict(self._entries)
            stamp = now_iso()
            for (type_, name), change in changes.items():
                old = entries.get((type_, name))
                if change is None:
                    entries.pop((type_, name), None)
                    continue
                entries[(type_, name)] = {
                    "type": type_,
                    "fullName": name,
                    "id": old["id"] if old else ids.new_id(type_),
                    "createdDate": old["createdDate"] if old else stamp,
                    "lastModifiedDate": stamp,
                    "content": self._write_blob(type_, name, change.content),
                    "meta": self._write_blob(type_, name, change.meta, ".meta") if change.meta is not None else None,
                }
            generation = self.generation + 1
            write_json(self.root / "index.json", {"generation": generation, "components": list(entries.values())})
            self._collect_garbage(entries)
            self._refresh()
            return True

    def _refresh(self) -> None:
        """Reload index.json when another process (or a commit) replaced it."""
        index = self.root / "index.json"
        try:
            st = index.stat()
        except FileNotFoundError:
            return
        if self._seen == (st.st_mtime_ns, st.st_ino):
            return
        raw = read_json(index)
        self._entries = {(e["type"], e["fullName"]): e for e in raw["components"]}
        self.generation = raw["generation"]
        self._seen = (st.st_mtime_ns, st.st_ino)

    def _write_blob(self, type_: str, name: str, data: bytes, suffix: str = "") -> str:
        digest = hashlib.sha256(data).hexdigest()[:16]
        rel = f"blobs/{type_}/{quote(name, safe=' .-_()')}.{digest}{suffix}"
        path = self.root / rel
        if not path.exists():
            write_atomic(path, data)
        return rel

    def _collect_garbage(self, entries: dict[Key, dict]) -> None:
        live = {e[f] for e in entries.values() for f in ("content", "meta") if e.get(f)}
        for path in (self.root / "blobs").glob("*/*"):
            if path.relative_to(self.root).as_posix() not in live:
                path.unlink(missing_ok=True)

    def _load(self, e: dict) -> Stored:
        meta = (self.root / e["meta"]).read_bytes() if e.get("meta") else None
        return Stored(e["type"], e["fullName"], (self.root / e["content"]).read_bytes(), meta, e["id"],
                      e["createdDate"], e["lastModifiedDate"])
