"""OAuth against the local org over real TLS: every grant, its refusals, and who the token belongs to."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

AUTH_FAILURE = {"error": "invalid_grant", "error_description": "authentication failure"}


def token(org, **form):
    return requests.post(f"{org.instance_url}/services/oauth2/token", data=form, verify=str(org.ca_file))


def works(org, access_token: str) -> bool:
    r = requests.get(f"{org.instance_url}/services/data/v63.0/query", params={"q": "SELECT Id FROM Organization"},
                     headers={"Authorization": f"Bearer {access_token}"}, verify=str(org.ca_file))
    return r.status_code == 200


def test_refresh_token_grant(local_org):
    r = token(local_org, grant_type="refresh_token", client_id=local_org.client_id, refresh_token=local_org.refresh_token)
    assert r.status_code == 200
    body = r.json()
    assert body["instance_url"] == local_org.instance_url and body["token_type"] == "Bearer"
    assert body["id"] == f"{local_org.instance_url}/id/{local_org.org_id}/{local_org.user_id}"
    assert body["access_token"].startswith(local_org.org_id[:15] + "!") and body["issued_at"].isdigit()
    assert works(local_org, body["access_token"])


@pytest.mark.parametrize(
    "form, answer",
    [
        ({"client_id": "nope"}, {"error": "invalid_client_id", "error_description": "client identifier invalid"}),
        ({"refresh_token": "nope"}, {"error": "invalid_grant", "error_description": "expired access/refresh token"}),
        ({"client_secret": "nope"}, {"error": "invalid_client", "error_description": "invalid client credentials"}),
    ],
)
def test_refresh_token_grant_refusals(local_org, form, answer):
    good = {"grant_type": "refresh_token", "client_id": local_org.client_id, "refresh_token": local_org.refresh_token}
    r = token(local_org, **{**good, **form})
    assert (r.status_code, r.json()) == (400, answer)


def test_password_grant(local_org):
    common = {"grant_type": "password", "client_id": local_org.client_id, "client_secret": local_org.client_secret,
              "username": local_org.username}
    assert works(local_org, token(local_org, **common, password=local_org.password).json()["access_token"])
    r = token(local_org, **common, password="wrong")
    assert (r.status_code, r.json()) == (400, AUTH_FAILURE)


def test_client_credentials_grant(local_org):
    r = requests.post(f"{local_org.instance_url}/services/oauth2/token", data={"grant_type": "client_credentials"},
                      auth=(local_org.client_id, local_org.client_secret), verify=str(local_org.ca_file))
    assert r.status_code == 200 and works(local_org, r.json()["access_token"])
    r = token(local_org, grant_type="client_credentials", client_id=local_org.client_id, client_secret="wrong")
    assert r.status_code == 400


def test_unknown_grant(local_org):
    r = token(local_org, grant_type="authorization_code", client_id=local_org.client_id)
    assert r.json() == {"error": "unsupported_grant_type", "error_description": "grant type not supported"}


@pytest.fixture(scope="module")
def rsa_keys():
    def pair():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return private, public

    return pair(), pair()


def assertion(org, private: bytes, **claims) -> str:
    payload = {"iss": org.client_id, "sub": org.username, "aud": "https://test.salesforce.com",
               "exp": int(time.time()) + 180, **claims}
    return jwt.encode(payload, private, algorithm="RS256")


def jwt_grant(org, signed: str):
    return token(org, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=signed)


def test_jwt_bearer_grant(local_org_factory, rsa_keys):
    (private, public), _ = rsa_keys
    org = local_org_factory(jwt_public_key_pem=public)
    r = jwt_grant(org, assertion(org, private))
    assert r.status_code == 200 and works(org, r.json()["access_token"])
    assert jwt_grant(org, assertion(org, private, aud=org.instance_url)).status_code == 200


@pytest.mark.parametrize(
    "claims, answer",
    [
        ({"iss": "someone-else"}, ("invalid_client_id", "client identifier invalid")),
        ({"sub": "nobody@example.com"}, ("invalid_grant", "authentication failure")),
        ({"aud": "https://evil.example.com"}, ("invalid_grant", "audience is invalid")),
        ({"exp": int(time.time()) - 3600}, ("invalid_grant", "expired authorization code")),
    ],
)
def test_jwt_bearer_claims_are_checked(local_org_factory, rsa_keys, claims, answer):
    (private, public), _ = rsa_keys
    org = local_org_factory(jwt_public_key_pem=public)
    r = jwt_grant(org, assertion(org, private, **claims))
    assert (r.status_code, (r.json()["error"], r.json()["error_description"])) == (400, answer)


def test_jwt_bearer_signature_is_checked(local_org_factory, rsa_keys):
    (_, public), (other_private, _) = rsa_keys
    org = local_org_factory(jwt_public_key_pem=public)
    r = jwt_grant(org, assertion(org, other_private))
    assert r.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


def test_userinfo_and_identity(local_org):
    auth = {"Authorization": f"Bearer {local_org.access_token}"}
    info = requests.get(f"{local_org.instance_url}/services/oauth2/userinfo", headers=auth, verify=str(local_org.ca_file)).json()
    assert (info["preferred_username"], info["organization_id"], info["user_id"]) == (
        local_org.username, local_org.org_id, local_org.user_id)
    ident = requests.get(f"{local_org.instance_url}/id/{local_org.org_id}/{local_org.user_id}", headers=auth,
                         verify=str(local_org.ca_file)).json()
    assert ident["username"] == local_org.username
    assert ident["urls"]["metadata"].startswith(f"{local_org.instance_url}/services/Soap/m/{{version}}/")


def test_bad_token_is_401_invalid_session(local_org):
    r = requests.get(f"{local_org.instance_url}/services/data/v63.0/query", params={"q": "SELECT Id FROM User"},
                     headers={"Authorization": "Bearer 00Dxx!nope"}, verify=str(local_org.ca_file))
    assert (r.status_code, r.json()) == (401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    r = requests.get(f"{local_org.instance_url}/services/oauth2/userinfo", verify=str(local_org.ca_file))
    assert r.status_code == 401


def test_revoked_token_stops_working(local_org):
    issued = token(local_org, grant_type="refresh_token", client_id=local_org.client_id,
                   refresh_token=local_org.refresh_token).json()["access_token"]
    requests.post(f"{local_org.instance_url}/services/oauth2/revoke", data={"token": issued}, verify=str(local_org.ca_file))
    assert not works(local_org, issued) and works(local_org, local_org.access_token)


def test_tokens_issued_by_one_process_work_in_another(local_org_factory, tmp_path):
    first = local_org_factory(state_dir=tmp_path / "shared")
    second = local_org_factory(state_dir=tmp_path / "shared")  # e.g. `serve` and a `--target-org local` run
    issued = token(first, grant_type="refresh_token", client_id=first.client_id,
                   refresh_token=first.refresh_token).json()["access_token"]
    assert works(second, issued)
