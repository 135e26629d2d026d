"""OAuth 2.0 as Salesforce answers it: the token endpoint's grants, userinfo, the identity URL.

Grants: refresh_token (an SFDX auth URL's), password, JWT bearer (RS256, checked against the
configured public key: iss = client id, sub = username, aud = a login host or this org, exp in the
future) and client_credentials. Failures are Salesforce's 400 JSON (`invalid_grant` ...); no token,
secret or assertion ever appears in a message.

`Sessions` says which access tokens are valid: the org's own (persisted), those the token endpoint
issued (persisted, so a second process serving the same state accepts them), minus those a
session-expiry fault revoked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from leadsync.localorg.state import State, new_access_token

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LOGIN_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
JWT_LEEWAY_SECONDS = 180


class Sessions:
    def __init__(self, state: State):
        self._state = state
        self._revoked: set[str] = set()
        self._lock = threading.Lock()

    def valid(self, token: str | None) -> bool:
        if not token or token in self._revoked:
            return False
        if self._known(token):
            return True
        self._state.reload_secrets()  # another process may have issued it
        return self._known(token)

    def issue(self) -> str:
        with self._lock:
            token = new_access_token(self._state.identity.org_id)
            self._state.reload_secrets()
            self._state.secrets.issued.append(token)
            self._state.save_secrets()
            return token

    def revoke(self, token: str) -> None:
        with self._lock:
            self._revoked.add(token)

    def revoke_all(self) -> None:
        """Every token valid now stops working; tokens issued later work (a session-expiry fault)."""
        with self._lock:
            s = self._state.secrets
            self._revoked.update([s.access_token, *s.issued])

    def _known(self, token: str) -> bool:
        s = self._state.secrets
        return hmac.compare_digest(token, s.access_token) or token in s.issued


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict


def _error(error: str, description: str) -> Reply:
    return Reply(400, {"error": error, "error_description": description})


AUTH_FAILURE = ("invalid_grant", "authentication failure")


def token(form: dict[str, str], basic: tuple[str, str] | None, state: State, sessions: Sessions,
          instance_url: str, jwt_public_key_pem: bytes | None) -> Reply:
    """POST /services/oauth2/token."""
    s = state.secrets
    client_id, client_secret = basic if basic else (form.get("client_id"), form.get("client_secret"))
    grant = form.get("grant_type", "")
    if grant == JWT_GRANT:
        refusal = _check_jwt(form.get("assertion", ""), state, instance_url, jwt_public_key_pem)
        return _error(*refusal) if refusal else _granted(state, sessions, instance_url, scope="api web")
    if client_id != s.client_id:
        return _error("invalid_client_id", "client identifier invalid")
    if client_secret and not hmac.compare_digest(client_secret, s.client_secret):
        return _error("invalid_client", "invalid client credentials")
    if grant == "refresh_token":
        if not hmac.compare_digest(form.get("refresh_token", ""), s.refresh_token):
            return _error("invalid_grant", "expired access/refresh token")
        return _granted(state, sessions, instance_url, scope="refresh_token web api")
    if grant == "password":
        if form.get("username") != state.identity.username or not hmac.compare_digest(form.get("password", ""), s.password):
            return _error(*AUTH_FAILURE)
        return _granted(state, sessions, instance_url)
    if grant == "client_credentials":
        if not client_secret:
            return _error("invalid_client", "invalid client credentials")
        return _granted(state, sessions, instance_url, scope="api")
    return _error("unsupported_grant_type", "grant type not supported")


def _granted(state: State, sessions: Sessions, instance_url: str, scope: str | None = None) -> Reply:
    issued_at = str(int(time.time() * 1000))
    identity_url = f"{instance_url}/id/{state.identity.org_id}/{state.identity.user_id}"
    signature = hmac.new(state.secrets.client_secret.encode(), (identity_url + issued_at).encode(), hashlib.sha256)
    body = {
        "access_token": sessions.issue(),
        "instance_url": instance_url,
        "id": identity_url,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": base64.b64encode(signature.digest()).decode(),
    }
    if scope:
        body["scope"] = scope
    return Reply(200, body)


def _check_jwt(assertion: str, state: State, instance_url: str, public_key: bytes | None) -> tuple[str, str] | None:
    """None when the assertion is good, else Salesforce's (error, description)."""
    import jwt

    audiences = [*LOGIN_AUDIENCES, instance_url, instance_url.replace("127.0.0.1", "localhost")]
    try:
        if public_key is not None:
            claims = jwt.decode(assertion, public_key, algorithms=["RS256"], audience=audiences,
                                leeway=JWT_LEEWAY_SECONDS, options={"require": ["exp", "iss", "sub", "aud"]})
        else:
            claims = jwt.decode(assertion, options={"verify_signature": False, "require": ["exp", "iss", "sub", "aud"]},
                                audience=audiences, leeway=JWT_LEEWAY_SECONDS)
    except jwt.ExpiredSignatureError:
        return ("invalid_grant", "expired authorization code")
    except jwt.InvalidAudienceError:
        return ("invalid_grant", "audience is invalid")
    except jwt.PyJWTError:
        return ("invalid_grant", "invalid assertion")
    if claims.get("iss") != state.secrets.client_id:
        return ("invalid_client_id", "client identifier invalid")
    if claims.get("sub") != state.identity.username:
        return AUTH_FAILURE
    return None


# --- who am I --------------------------------------------------------------------------------


def identity(state: State, instance_url: str, version: str = "{version}") -> dict:
    """GET /id/ORGID/USERID: the identity service's answer (urls keep Salesforce's {version} placeholder)."""
    i = state.identity
    base = f"{instance_url}/services"
    return {
        "id": f"{instance_url}/id/{i.org_id}/{i.user_id}",
        "asserted_user": True,
        "user_id": i.user_id,
        "organization_id": i.org_id,
        "username": i.username,
        "nick_name": "admin",
        "display_name": "Admin User",
        "email": i.username,
        "email_verified": True,
        "first_name": "Admin",
        "last_name": "User",
        "timezone": "America/Los_Angeles",
        "photos": {"picture": f"{instance_url}/profilephoto/005/F", "thumbnail": f"{instance_url}/profilephoto/005/T"},
        "addr_street": None, "addr_city": None, "addr_state": None, "addr_country": "US", "addr_zip": None,
        "mobile_phone": None,
        "mobile_phone_verified": False,
        "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None},
        "urls": {
            "enterprise": f"{base}/Soap/c/{version}/{i.org_id[:15]}",
            "metadata": f"{base}/Soap/m/{version}/{i.org_id[:15]}",
            "partner": f"{base}/Soap/u/{version}/{i.org_id[:15]}",
            "rest": f"{base}/data/v{version}/",
            "sobjects": f"{base}/data/v{version}/sobjects/",
            "search": f"{base}/data/v{version}/search/",
            "query": f"{base}/data/v{version}/query/",
            "recent": f"{base}/data/v{version}/recent/",
            "tooling_soap": f"{base}/Soap/T/{version}/{i.org_id[:15]}",
            "tooling_rest": f"{base}/data/v{version}/tooling/",
            "profile": f"{instance_url}/{i.user_id[:15]}",
            "feeds": f"{base}/data/v{version}/chatter/feeds",
            "groups": f"{base}/data/v{version}/chatter/groups",
            "users": f"{base}/data/v{version}/chatter/users",
            "feed_items": f"{base}/data/v{version}/chatter/feed-items",
            "custom_domain": instance_url,
        },
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "last_modified_date": i.created_date,
        "is_app_installed": True,
    }


def userinfo(state: State, instance_url: str) -> dict:
    """GET /services/oauth2/userinfo: the OpenID Connect form of the same."""
    ident = identity(state, instance_url)
    i = state.identity
    return {
        "sub": ident["id"],
        "user_id": i.user_id,
        "organization_id": i.org_id,
        "preferred_username": i.username,
        "nickname": "admin",
        "name": "Admin User",
        "email": i.username,
        "email_verified": True,
        "given_name": "Admin",
        "family_name": "User",
        "zoneinfo": "America/Los_Angeles",
        "photos": ident["photos"],
        "profile": ident["urls"]["profile"],
        "picture": ident["photos"]["picture"],
        "address": {"country": "US"},
        "is_salesforce_integration_user": False,
        "urls": ident["urls"],
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "updated_at": i.created_date,
        "is_app_installed": True,
    }
