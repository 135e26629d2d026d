"""The one per-user cache folder (schema, compiled templates, validate results) and safe writes to it.

A cache is an optimisation: when the folder cannot be made or written, callers go on without it.
`LEADSYNC_CACHE_DIR` moves it (tests, CI caches); `LEADSYNC_NO_CACHE=1` turns reuse of results off.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    base = os.environ.get("LEADSYNC_CACHE_DIR")
    if not base:
        from platformdirs import user_cache_dir

        base = user_cache_dir("leadsync")
    return Path(base, *parts)


def caching_disabled() -> bool:
    return os.environ.get("LEADSYNC_NO_CACHE", "").lower() in ("1", "true", "yes")


def write_quietly(path: Path, data: bytes) -> None:
    """Write atomically (readers never see half a file); a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
