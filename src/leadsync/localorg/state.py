"""The local org's state dir, so that a second process (or a restart) sees what earlier ones did.

    org.json       who the org is: org and user ids, username, creation date (not secret)
    secrets.json   access and refresh tokens, client secret, password (owner-only file)
    tls/           the CA and server certificate (tls.py)
    metadata/      the org's metadata: index.json and one file per component (store.py)
    records/       data records, one SQLite file indexed by Id (records.py)
    deploys/       finished deploys, for status calls and quick deploys after a restart
    lock           held by the process serving this dir
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import string
from dataclasses import asdict, dataclass, field
from pathlib import Path

from leadsync.errors import LeadsyncError
from leadsync.localorg import ids
from leadsync.localorg.files import read_json, write_json

_ENTRIES = ("org.json", "secrets.json", "tls", "metadata", "records", "deploys", "lock")
_TOKEN_CHARS = string.ascii_letters + string.digits + "._"
MAX_ISSUED_TOKENS = 100


class StateBusy(LeadsyncError):
    """Another process serves this state dir."""


def default_state_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("leadsync")) / "local-org"


def reset(state_dir: Path | None = None) -> Path:
    """Forget everything: the next start makes a new org (new ids, tokens, CA). Refused while one serves.
    Returns the dir that was cleared (the default one when `state_dir` is None)."""
    state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
    if not state_dir.exists():
        return state_dir
    with StateLock(state_dir):
        for name in _ENTRIES:
            target = state_dir / name
            if target.is_dir():
                shutil.rmtree(target)
            elif name != "lock":
                target.unlink(missing_ok=True)
    (state_dir / "lock").unlink(missing_ok=True)
    return state_dir


@dataclass
class Identity:
    org_id: str
    user_id: str
    username: str
    org_name: str
    created_date: str  # ISO 8601, Salesforce style: 2025-01-31T12:00:00.000+0000

    @classmethod
    def new(cls) -> "Identity":
        now = dt.datetime.now(dt.timezone.utc)
        return cls(ids.new_id("Organization"), ids.new_id("User"), "admin@leadsync.local", "leadsync local org",
                   now.strftime("%Y-%m-%dT%H:%M:%S.000+0000"))


@dataclass
class Secrets:
    access_token: str
    refresh_token: str
    client_id: str
    client_secret: str
    password: str
    issued: list[str] = field(default_factory=list)  # access tokens issued by /services/oauth2/token

    @classmethod
    def new(cls, org_id: str) -> "Secrets":
        return cls(new_access_token(org_id), "5Aep861" + _random(80), "3MVG9" + _random(80),
                   secrets.token_hex(32).upper(), _random(16))

    def __repr__(self) -> str:
        return "Secrets(<hidden>)"


def new_access_token(org_id: str) -> str:
    """Shaped like a Salesforce session id (sf checks the `00D...!` form)."""
    return f"{org_id[:15]}!AQ" + _random(96)


def _random(n: int) -> str:
    return "".join(secrets.choice(_TOKEN_CHARS if ch else string.ascii_letters) for ch in range(n))


class StateLock:
    """A non-blocking POSIX advisory lock on `lock`: shared by every org serving the dir, exclusive for reset."""

    def __init__(self, state_dir: Path, shared: bool = False):
        self.path = Path(state_dir) / "lock"
        self.shared = shared
        self._fd = None

    def __enter__(self) -> "StateLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = open(self.path, "a+")
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            fd.close()
            busy = "is being reset" if self.shared else "is serving it"
            raise StateBusy(f"{self.path.parent}: a local org {busy}") from None
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            self._fd.close()
            self._fd = None


class State:
    """Identity and secrets, created on first use and persisted; the metadata store lives beside them."""

    def __init__(self, state_dir: Path):
        self.dir = Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        raw = read_json(self.dir / "org.json")
        self.identity = Identity(**raw) if raw else Identity.new()
        if not raw:
            write_json(self.dir / "org.json", asdict(self.identity))
        raw = read_json(self.dir / "secrets.json")
        self.secrets = Secrets(**raw) if raw else Secrets.new(self.identity.org_id)
        if not raw:
            self.save_secrets()

    @property
    def tls_dir(self) -> Path:
        return self.dir / "tls"

    @property
    def metadata_dir(self) -> Path:
        return self.dir / "metadata"

    @property
    def records_dir(self) -> Path:
        return self.dir / "records"

    @property
    def deploys_dir(self) -> Path:
        return self.dir / "deploys"

    def reload_secrets(self) -> None:
        raw = read_json(self.dir / "secrets.json")
        if raw:
            self.secrets = Secrets(**raw)

    def save_secrets(self) -> None:
        self.secrets.issued = self.secrets.issued[-MAX_ISSUED_TOKENS:]
        write_json(self.dir / "secrets.json", asdict(self.secrets), private=True)
