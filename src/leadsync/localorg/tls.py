"""The local org's own certificate authority and server certificate, kept in the state dir.

Clients verify TLS against `ca_file` (requests' `verify=`, `NODE_EXTRA_CA_CERTS` for sf), so the CA
must survive restarts: it is reused while valid; the server certificate (127.0.0.1 and localhost) is
reissued from it shortly before it expires. Private keys are written owner-only.
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

from leadsync.localorg.files import write_atomic

HOSTS = ("127.0.0.1", "localhost")
SERVER_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=7)


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    ca_key: Path
    cert_file: Path
    key_file: Path


def ensure_certificates(tls_dir: Path) -> TlsFiles:
    """Reuse valid files, reissue an expiring server certificate, or make a new CA when it is unusable."""
    import trustme

    files = TlsFiles(tls_dir / "ca.pem", tls_dir / "ca.key", tls_dir / "server.pem", tls_dir / "server.key")
    ca = _load_ca(files) if _valid(files.ca_file) else None
    if ca is not None and _valid(files.cert_file) and files.key_file.exists():
        return files
    tls_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if ca is None:
        ca = trustme.CA(organization_name="leadsync local org")
        write_atomic(files.ca_key, ca.private_key_pem.bytes(), private=True)
        write_atomic(files.ca_file, ca.cert_pem.bytes())
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    leaf = ca.issue_cert(*HOSTS, not_before=now - dt.timedelta(days=1), not_after=now + dt.timedelta(days=SERVER_DAYS))
    write_atomic(files.key_file, leaf.private_key_pem.bytes(), private=True)
    write_atomic(files.cert_file, b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(files.cert_file), str(files.key_file))
    return ctx


def _valid(cert_file: Path) -> bool:
    """Exists, parses, and does not expire within RENEW_BEFORE."""
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc - dt.datetime.now(dt.timezone.utc) > RENEW_BEFORE


def _load_ca(files: TlsFiles):
    import trustme

    try:
        return trustme.CA.from_pem(files.ca_file.read_bytes(), files.ca_key.read_bytes())
    except (OSError, ValueError):
        return None
