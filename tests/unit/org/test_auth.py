"""ORG-OPTIONS → a login: auth URL parsing, choosing a method, JWT claims, and secrets kept out of reprs."""

from __future__ import annotations

import json

import pytest

from leadsync.errors import OrgUnreachable, UsageError
from leadsync.org.auth import (
    AccessTokenLogin,
    JwtLogin,
    OrgOptions,
    RefreshTokenLogin,
    SfCliLogin,
    SfdxAuthUrl,
    select_login,
)
from leadsync.org.session import Redactor

REFRESH = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrB.cGJuQhjTcuEOvo7rl7Dm7qV2MYp2SRLo8yoXKOGTgQZ7aQ"
SECRET = "F1A2B3C4D5E6SECRET"
URL = f"force://PlatformCLI:{SECRET}:{REFRESH}@acme--uat.sandbox.my.salesforce.com"


def test_auth_url_parts():
    auth = SfdxAuthUrl.parse(URL + "\n", "SFDX_AUTH_URL")
    assert auth.client_id == "PlatformCLI"
    assert auth.client_secret == SECRET
    assert auth.refresh_token == REFRESH
    assert auth.instance_url == "https://acme--uat.sandbox.my.salesforce.com"


def test_auth_url_with_empty_secret_scheme_and_port():
    auth = SfdxAuthUrl.parse(f"force://PlatformCLI::{REFRESH}@https://127.0.0.1:8443/", "f")
    assert auth.client_secret == ""
    assert auth.instance_url == "https://127.0.0.1:8443"


def test_auth_url_from_sf_org_display_json():
    doc = json.dumps({"status": 0, "result": {"sfdxAuthUrl": URL, "username": "a@b.c"}})
    assert SfdxAuthUrl.parse(doc, "f").refresh_token == REFRESH


@pytest.mark.parametrize("bad", ["", "https://x", "force://only@host", f"force://id:{SECRET}@host",
                                 f"force://id:s:{REFRESH}@", f"force://id:s:{REFRESH}@http://host"])
def test_malformed_auth_urls_are_usage_errors_that_do_not_echo_them(bad):
    with pytest.raises(UsageError) as raised:
        SfdxAuthUrl.parse(bad, "the file auth.txt")
    assert SECRET not in str(raised.value) and REFRESH not in str(raised.value)


def test_reprs_hide_secrets():
    auth = SfdxAuthUrl.parse(URL, "x")
    for obj in (auth, RefreshTokenLogin(auth), AccessTokenLogin("https://x.my.salesforce.com", REFRESH)):
        assert REFRESH not in repr(obj) and SECRET not in repr(obj)


def opts(**kw) -> OrgOptions:
    typed = kw.pop("typed", ())
    return OrgOptions(**kw, from_command_line=frozenset(typed))


def test_instance_url_needs_the_token_from_the_environment():
    with pytest.raises(UsageError, match="SF_ACCESS_TOKEN"):
        select_login(opts(instance_url="https://x.my.salesforce.com", typed={"instance_url"}), {})
    login = select_login(opts(instance_url="https://x.my.salesforce.com"), {"SF_ACCESS_TOKEN": "00Dx!tok"})
    assert isinstance(login, AccessTokenLogin) and not login.renewable


def test_instance_url_must_be_https():
    with pytest.raises(UsageError, match="https"):
        select_login(opts(instance_url="http://x.my.salesforce.com"), {"SF_ACCESS_TOKEN": "t" * 10})


def test_sfdx_auth_url_from_env_and_the_redactor_learns_its_secrets():
    redactor = Redactor()
    login = select_login(opts(), {"SFDX_AUTH_URL": URL}, redactor)
    assert isinstance(login, RefreshTokenLogin) and login.renewable
    assert redactor(f"x {URL} y {REFRESH} z {SECRET}") == "x *** y *** z ***"


def test_sfdx_url_file(tmp_path):
    f = tmp_path / "auth.txt"
    f.write_text(URL)
    assert isinstance(select_login(opts(sfdx_url_file=str(f)), {}), RefreshTokenLogin)


def test_command_line_wins_over_the_environment():
    login = select_login(opts(target_org="uat", typed={"target_org"}), {"SFDX_AUTH_URL": URL})
    assert isinstance(login, SfCliLogin)


def test_two_methods_on_the_command_line_are_a_usage_error():
    with pytest.raises(UsageError, match="--target-org and --instance-url"):
        select_login(opts(target_org="uat", instance_url="https://x.my.salesforce.com",
                          typed={"target_org", "instance_url"}), {})


def test_two_methods_in_the_environment_are_a_usage_error():
    with pytest.raises(UsageError, match="several orgs"):
        select_login(opts(target_org="uat"), {"SFDX_AUTH_URL": URL})


def test_no_method_is_a_usage_error():
    with pytest.raises(UsageError, match="no org given"):
        select_login(opts(), {})


def test_jwt_needs_client_id_and_username(tmp_path):
    key = tmp_path / "k.pem"
    key.write_text("x")
    with pytest.raises(UsageError, match="--client-id .* and --username"):
        select_login(opts(jwt_key_file=str(key)), {})


def rsa_key() -> tuple[bytes, object]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, key.public_key()


def test_jwt_assertion_claims():
    import jwt

    pem, public = rsa_key()
    login = JwtLogin(pem, "3MVG9client", "ci@acme.com", "https://test.salesforce.com", clock=lambda: 1_700_000_000)
    claims = jwt.decode(login.assertion(), public, algorithms=["RS256"], audience="https://test.salesforce.com",
                        options={"verify_exp": False})
    assert claims == {"iss": "3MVG9client", "sub": "ci@acme.com", "aud": "https://test.salesforce.com",
                      "exp": 1_700_000_180}
    assert pem.decode() not in repr(login)


def test_jwt_with_a_key_that_is_not_one_is_a_usage_error(tmp_path):
    login = JwtLogin(b"-----BEGIN NOTHING-----", "id", "u@x", "https://test.salesforce.com")
    with pytest.raises(UsageError, match="RSA private key"):
        login.assertion()


def test_jwt_key_file_is_remembered_by_the_redactor(tmp_path):
    pem, _ = rsa_key()
    key = tmp_path / "server.key"
    key.write_bytes(pem)
    redactor = Redactor()
    login = select_login(opts(jwt_key_file=str(key), client_id="id", username="u@x"), {}, redactor)
    assert isinstance(login, JwtLogin)
    body_line = pem.decode().splitlines()[3]
    assert body_line not in redactor(pem.decode())


def test_target_org_without_sf_says_so_clearly(tmp_path):
    login = select_login(opts(target_org="my-uat"), {"PATH": str(tmp_path)})
    with pytest.raises(OrgUnreachable, match=r"needs the Salesforce CLI \(sf\), which is not installed"):
        login.login(None)


def test_target_org_unknown_to_sf(tmp_path):
    sf = tmp_path / "sf"
    sf.write_text("#!/bin/sh\necho '{\"status\": 1, \"name\": \"NoAuthInfoFound\", \"message\": \"No auth\"}'\nexit 1\n")
    sf.chmod(0o755)
    login = select_login(opts(target_org="nope"), {"PATH": str(tmp_path)})
    with pytest.raises(OrgUnreachable, match="does not know an org 'nope' \\(NoAuthInfoFound\\)"):
        login.login(None)
