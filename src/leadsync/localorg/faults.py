"""Failures tests switch on at runtime, to prove that clients retry, re-authenticate and time out well.

`org.faults` is shared by the request threads; counters are taken under a lock so that "the next N
calls" means exactly N, whatever the concurrency.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Faults:
    status_503: int = 0  # answer the next N status calls (checkDeployStatus/checkRetrieveStatus) with HTTP 503
    drop_connections: int = 0  # close the next N status connections without any response
    expire_session_after: int | None = None  # tokens valid now stop working after N more authenticated calls
    deploy_seconds: float | None = None  # overrides the org's deploy duration for new deploys
    retrieve_failures: int = 0  # the next N retrieves end Failed (checkRetrieveStatus status Failed)
    retrieve_seconds: float | None = None  # new retrieves stay InProgress this long
    bulk_job_failures: int = 0  # the next N Bulk API ingest jobs stop half-way (the first half committed), Failed
    # The calls status_503 and drop_connections apply to; ("checkDeployStatus",) spares a retrieve's polling.
    status_calls: tuple[str, ...] = ("checkDeployStatus", "checkRetrieveStatus")
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self, name: str) -> bool:
        """Use up one of the counter `name`; True when the fault applies to this call."""
        with self._lock:
            left = getattr(self, name)
            if not left or left <= 0:
                return False
            setattr(self, name, left - 1)
            return True

    def session_expires_now(self) -> bool:
        """Count one authenticated call; True when it was the last the current tokens allow."""
        with self._lock:
            if self.expire_session_after is None:
                return False
            self.expire_session_after -= 1
            if self.expire_session_after > 0:
                return False
            self.expire_session_after = None
            return True
