"""The state dir: what persists, what reset forgets, certificates, and secrets kept out of files and logs."""

from __future__ import annotations

import logging
import ssl
import stat
import socket

import pytest

from leadsync.localorg import state
from leadsync.localorg.server import LocalOrg
from leadsync.localorg.state import StateBusy


def test_reset_forgets_the_org(local_org_factory, tmp_path):
    org = local_org_factory(state_dir=tmp_path / "s")
    first_id = org.org_id
    org.stop()
    assert state.reset(tmp_path / "s") == tmp_path / "s"
    assert local_org_factory(state_dir=tmp_path / "s").org_id != first_id


def test_reset_is_refused_while_an_org_serves(local_org, tmp_path):
    with pytest.raises(StateBusy):
        state.reset(local_org.state_dir)


def test_reset_of_a_missing_dir_is_fine(tmp_path):
    assert state.reset(tmp_path / "never") == tmp_path / "never"


def test_default_state_dir_is_per_user():
    assert state.default_state_dir().parts[-2:] == ("leadsync", "local-org")


def test_tls_certificate_covers_both_names_and_is_reused(local_org_factory, tmp_path):
    org = local_org_factory(state_dir=tmp_path / "s")
    for host in ("127.0.0.1", "localhost"):
        ctx = ssl.create_default_context(cafile=str(org.ca_file))
        with socket.create_connection(("127.0.0.1", org.port)) as raw, ctx.wrap_socket(raw, server_hostname=host) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    cert = org.tls.cert_file.read_bytes()
    org.stop()
    assert local_org_factory(state_dir=tmp_path / "s").tls.cert_file.read_bytes() == cert


def test_secrets_are_owner_only_and_never_logged(local_org_factory, tmp_path, caplog, sf_client):
    caplog.set_level(logging.DEBUG, logger="leadsync.localorg")
    org = local_org_factory(state_dir=tmp_path / "s")
    sf_client(org).query("SELECT Id FROM Organization")
    for name in ("secrets.json", "tls/ca.key", "tls/server.key"):
        assert stat.S_IMODE((tmp_path / "s" / name).stat().st_mode) == 0o600, name
    assert org.access_token not in (tmp_path / "s" / "org.json").read_text()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/services/data/v63.0/query" in logged
    for secret in (org.access_token, org.refresh_token, org.client_secret, org.password):
        assert secret not in logged and secret not in repr(org.state.secrets)


def test_connect_info(local_org):
    info = local_org.connect_info()
    assert info == {"instance_url": local_org.instance_url, "access_token": local_org.access_token,
                    "username": local_org.username, "ca_file": str(local_org.ca_file)}
    assert info["instance_url"].startswith("https://127.0.0.1:")


def test_context_manager(tmp_path):
    with LocalOrg(tmp_path / "s") as org:
        assert org.port > 0


def test_stop_ends_open_connections(local_org_factory):
    import requests

    org = local_org_factory()
    session = requests.Session()
    session.verify = str(org.ca_file)
    assert session.get(f"{org.instance_url}/services/data").status_code == 200  # kept alive
    org.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(f"{org.instance_url}/services/data")
