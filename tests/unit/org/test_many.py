"""org/many.py without an org: ORGS.yaml parsing, each org's environment and trust, the worst exit code;
org/wsdl.py: one parsed WSDL, each client its own zeep client and session."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadsync.errors import UsageError
from leadsync.org.many import OrgsFileError, _ca_file, load_orgs, org_environ, worst


def _orgs(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ORGS.yaml"
    path.write_text(text)
    return path


def test_entries_resolve_paths_against_the_file_and_keep_secrets_by_name(tmp_path: Path):
    path = _orgs(tmp_path, "orgs:\n  acme:\n    spec: clients/acme.yaml\n    instance_url: https://a.example\n"
                           "    access_token_env: ACME_TOKEN\n    ca_bundle: certs/ca.pem\n"
                           "  globex:\n    spec: g.yaml\n    sfdx_auth_url_env: GLOBEX_URL\n"
                           "  initech:\n    spec: i.yaml\n    target_org: initech-uat\n")
    acme, globex, initech = load_orgs(str(path))
    assert acme.spec == str(tmp_path / "clients" / "acme.yaml") and acme.ca_bundle == str(tmp_path / "certs" / "ca.pem")
    assert acme.options.instance_url == "https://a.example" and acme.env == {"SF_ACCESS_TOKEN": "ACME_TOKEN"}
    assert acme.options.from_command_line == {"instance_url"}
    assert globex.env == {"SFDX_AUTH_URL": "GLOBEX_URL"}
    assert initech.options.target_org == "initech-uat"
    assert "ACME" not in repr(acme)


def test_two_local_orgs_and_no_way_to_reach_an_org_are_refused(tmp_path: Path):
    path = _orgs(tmp_path, "orgs:\n  a:\n    spec: a.yaml\n    target_org: local\n"
                           "  b:\n    spec: b.yaml\n    target_org: local\n  c:\n    spec: c.yaml\n")
    with pytest.raises(OrgsFileError) as err:
        load_orgs(str(path))
    text = "\n".join(err.value.problems)
    assert "only one org may be `target_org: local`" in text and "c: say how to reach the org" in text


def test_a_quoted_secret_key_or_a_token_value_anywhere_is_refused(tmp_path: Path):
    token = "00D5g000004Xyz1!AQ0AQFakeTokenValueThatIsLongEnough1234567890"
    for line in (f'    "client_secret": abcdef\n', f"    username: {token}\n", "    refresh_token: x\n",
                 "    notes: {access_token: abcdef}\n", "    extra: [1, 'force://a:abcdef:b@c']\n"):
        path = _orgs(tmp_path, "orgs:\n  a:\n    spec: a.yaml\n    target_org: x\n" + line)
        with pytest.raises(OrgsFileError) as err:
            load_orgs(str(path))
        assert "secret" in str(err.value) and token not in str(err.value) and "abcdef" not in str(err.value)


def test_an_orgs_environment_has_its_own_variables_only(tmp_path: Path):
    path = _orgs(tmp_path, "orgs:\n  a:\n    spec: a.yaml\n    instance_url: https://a.example\n"
                           "    access_token_env: A_TOKEN\n")
    (entry,) = load_orgs(str(path))
    process = {"SF_TARGET_ORG": "prod", "SFDX_AUTH_URL": "force://x", "A_TOKEN": "tok", "PATH": "/bin"}
    env = org_environ(entry, process, None)
    assert env == {"A_TOKEN": "tok", "PATH": "/bin", "SF_ACCESS_TOKEN": "tok"}
    with pytest.raises(UsageError, match="A_TOKEN is not set"):
        org_environ(entry, {}, None)


def test_an_orgs_ca_bundle_is_combined_with_the_process_one(tmp_path: Path):
    (tmp_path / "proxy.pem").write_text("PROXY\n")
    (tmp_path / "org.pem").write_text("ORG\n")
    path = _orgs(tmp_path, f"orgs:\n  a:\n    spec: a.yaml\n    target_org: x\n    ca_bundle: org.pem\n"
                           "  b:\n    spec: b.yaml\n    target_org: y\n")
    a, b = load_orgs(str(path))
    made: list[str] = []
    combined = _ca_file(a, {"REQUESTS_CA_BUNDLE": str(tmp_path / "proxy.pem")}, made)
    assert Path(combined).read_text() == "PROXY\nORG\n" and made == [combined]
    assert _ca_file(a, {}, []) == str(tmp_path / "org.pem")
    assert _ca_file(b, {"REQUESTS_CA_BUNDLE": "/p.pem"}, []) == "/p.pem"
    assert _ca_file(b, {}, []) is None


def test_worst_exit_code():
    assert worst([0, 0]) == 0
    assert worst([0, 5, 1]) == 1
    assert worst([1, 4]) == 4
    assert worst([4, 3, 1]) == 3
    assert worst([3, 2]) == 2
    assert worst([]) == 0


def test_one_wsdl_parse_each_client_its_own_zeep_client_and_session():
    import requests
    from simple_salesforce import Salesforce

    from leadsync.org.wsdl import bind

    clients = []
    for n in range(2):
        session = requests.Session()
        sf = Salesforce(instance_url=f"https://org{n}.example", session_id=f"token{n}", session=session,
                        version="63.0")
        bind(sf)
        clients.append((sf, session))
    (a, sa), (b, sb) = clients
    assert a.mdapi._client.wsdl is b.mdapi._client.wsdl
    assert a.mdapi._client is not b.mdapi._client
    assert a.mdapi._client.transport.session is sa and b.mdapi._client.transport.session is sb
    assert a.mdapi.session is sa and a.mdapi._session_id == "token0" and b.mdapi._session_id == "token1"
    assert a.mdapi.metadata_url != b.mdapi.metadata_url
    assert "Zeep" not in sa.headers.get("User-Agent", "")
