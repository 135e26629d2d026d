"""ORG-OPTIONS → a way to log in → an authenticated `OrgClient`.

Each way to log in (`Login`) knows how to get an access token and, when it can, a fresh one later:

| option | login | renews an expired session |
| --- | --- | --- |
| `--target-org ALIAS` | `sf org display --json` | yes (sf refreshes its token) |
| `--target-org local` | the local org, started in this process | yes (refresh-token grant) |
| `--instance-url` + `SF_ACCESS_TOKEN` | the token as given | no |
| `--sfdx-url-file` / `SFDX_AUTH_URL` | refresh-token grant at the URL's instance | yes |
| `--jwt-key-file --client-id --username` | JWT bearer grant at `--login-url` | yes |

simple-salesforce's own logins build `https://{domain}.salesforce.com` URLs; the two OAuth grants are
small POSTs written here so that any login URL (with a port, for the local org) works.

Nothing here prints. No message, repr or log line contains a token, refresh token, client secret,
key or auth URL; every secret learnt is handed to the `Redactor` so that `--debug` output masks it.
Module import is cheap (the CLI imports it); requests and friends are imported when used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from leadsync.errors import OrgUnreachable, UsageError

if TYPE_CHECKING:
    from leadsync.org.client import OrgClient
    from leadsync.org.session import Redactor

DEFAULT_LOGIN_URL = "https://test.salesforce.com"
LOCAL = "local"
TOKEN_PATH = "/services/oauth2/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME = 180  # seconds; Salesforce accepts at most 3 minutes


# --- the options --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgOptions:
    """ORG-OPTIONS as parsed (values from the command line or their environment variables)."""

    target_org: str | None = None
    instance_url: str | None = None
    sfdx_url_file: str | None = None
    jwt_key_file: str | None = None
    client_id: str | None = None
    username: str | None = None
    login_url: str | None = None
    from_command_line: frozenset[str] = frozenset()  # names of the fields given as options


# The four ways to name an org, by the field (or environment variable) that selects each.
_METHODS = {
    "target_org": "--target-org",
    "sfdx_url": "--sfdx-url-file",
    "jwt": "--jwt-key-file",
    "instance_url": "--instance-url",
}


def _chosen(options: OrgOptions, environ: Mapping[str, str]) -> str:
    present = {
        "target_org": bool(options.target_org),
        "sfdx_url": bool(options.sfdx_url_file or environ.get("SFDX_AUTH_URL")),
        "jwt": bool(options.jwt_key_file),
        "instance_url": bool(options.instance_url),
    }
    source_field = {"target_org": "target_org", "sfdx_url": "sfdx_url_file", "jwt": "jwt_key_file",
                    "instance_url": "instance_url"}
    on_command_line = [m for m, ok in present.items() if ok and source_field[m] in options.from_command_line]
    if len(on_command_line) > 1:
        names = " and ".join(_METHODS[m] for m in on_command_line)
        raise UsageError(f"choose one way to reach the org, not {names}")
    if on_command_line:
        return on_command_line[0]
    in_environment = [m for m, ok in present.items() if ok]
    if len(in_environment) > 1:
        names = ", ".join(_ENV_NAMES[m] for m in in_environment)
        raise UsageError(f"the environment names several orgs ({names}); choose one on the command line")
    if not in_environment:
        raise UsageError(
            "no org given: use --target-org ALIAS (or 'local'), --instance-url with SF_ACCESS_TOKEN, "
            "--sfdx-url-file FILE, or --jwt-key-file with --client-id and --username"
        )
    return in_environment[0]


_ENV_NAMES = {"target_org": "SF_TARGET_ORG", "sfdx_url": "SFDX_AUTH_URL or --sfdx-url-file",
              "jwt": "SF_JWT_KEY_FILE", "instance_url": "SF_INSTANCE_URL"}


# --- logins ---------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Token:
    access_token: str
    instance_url: str
    username: str | None = None

    def __repr__(self) -> str:
        return f"Token(instance_url={self.instance_url!r}, username={self.username!r}, access_token=***)"


class Login(Protocol):
    """A way to get an access token; `renewable` says whether `login` may be called again later."""

    renewable: bool
    ca_files: tuple[str, ...]

    def login(self, http) -> Token: ...

    def close(self) -> None: ...


@dataclass(frozen=True, repr=False)
class SfdxAuthUrl:
    """`force://clientId:clientSecret:refreshToken@instance` (the secret may be empty)."""

    client_id: str
    client_secret: str
    refresh_token: str
    instance_url: str

    def __repr__(self) -> str:
        return f"SfdxAuthUrl(client_id={self.client_id!r}, instance_url={self.instance_url!r}, secrets=***)"

    @classmethod
    def parse(cls, text: str, where: str) -> SfdxAuthUrl:
        """Parse an auth URL, or the JSON `sf org display --verbose --json` writes (result.sfdxAuthUrl)."""
        text = text.strip()
        if text.startswith("{"):
            try:
                doc = json.loads(text)
            except ValueError:
                doc = {}
            text = str((doc.get("result") or {}).get("sfdxAuthUrl") or doc.get("sfdxAuthUrl") or "")
        bad = UsageError(f"{where} does not hold an SFDX auth URL of the form "
                         "force://clientId:clientSecret:refreshToken@instance")
        if not text.startswith("force://") or "@" not in text:
            raise bad
        credentials, _, instance = text[len("force://"):].rpartition("@")
        parts = credentials.split(":", 2)
        if len(parts) != 3 or not parts[0] or not parts[2] or not instance:
            raise bad
        instance = instance.rstrip("/")
        if "://" not in instance:
            instance = "https://" + instance
        if urlsplit(instance).scheme != "https":
            raise UsageError(f"the instance in {where} must be https (TLS is always verified)")
        return cls(client_id=parts[0], client_secret=parts[1], refresh_token=parts[2], instance_url=instance)


class AccessTokenLogin:
    """--instance-url with SF_ACCESS_TOKEN: nothing to renew with."""

    renewable = False
    ca_files: tuple[str, ...] = ()

    def __init__(self, instance_url: str, token: str):
        self._token = Token(token, instance_url)

    def __repr__(self) -> str:
        return f"AccessTokenLogin({self._token.instance_url!r})"

    def login(self, http) -> Token:
        return self._token

    def close(self) -> None:
        pass


class RefreshTokenLogin:
    """The OAuth refresh-token grant at the auth URL's instance."""

    renewable = True
    ca_files: tuple[str, ...] = ()

    def __init__(self, auth: SfdxAuthUrl, username: str | None = None, first_token: str | None = None):
        self._auth = auth
        self._username = username
        self._first = first_token

    def __repr__(self) -> str:
        return f"RefreshTokenLogin({self._auth.instance_url!r})"

    def login(self, http) -> Token:
        if self._first:  # a token we were handed already (the local org's), used once
            token, self._first = self._first, None
            return Token(token, self._auth.instance_url, self._username)
        data = {"grant_type": "refresh_token", "client_id": self._auth.client_id,
                "refresh_token": self._auth.refresh_token}
        if self._auth.client_secret:
            data["client_secret"] = self._auth.client_secret
        token = _token_request(http, self._auth.instance_url + TOKEN_PATH, data,
                               check="check that the SFDX auth URL's refresh token is still valid")
        return Token(token.access_token, token.instance_url or self._auth.instance_url, self._username)

    def close(self) -> None:
        pass


class JwtLogin:
    """The OAuth JWT bearer grant: an RS256 assertion signed with the connected app's key."""

    renewable = True
    ca_files: tuple[str, ...] = ()

    def __init__(self, key_pem: bytes, client_id: str, username: str, login_url: str,
                 clock: Callable[[], float] = time.time):
        self._key = key_pem
        self._client_id = client_id
        self._username = username
        self._login_url = login_url.rstrip("/")
        self._clock = clock

    def __repr__(self) -> str:
        return f"JwtLogin(client_id={self._client_id!r}, username={self._username!r}, login_url={self._login_url!r})"

    def assertion(self) -> str:
        import jwt

        claims = {"iss": self._client_id, "sub": self._username, "aud": self._login_url,
                  "exp": int(self._clock()) + JWT_LIFETIME}
        try:
            return jwt.encode(claims, self._key, algorithm="RS256")
        except (ValueError, TypeError, jwt.exceptions.PyJWTError) as err:
            raise UsageError(
                "the JWT key file is not an unencrypted RSA private key in PEM form "
                f"({type(err).__name__})"
            ) from None

    def login(self, http) -> Token:
        token = _token_request(
            http, self._login_url + TOKEN_PATH, {"grant_type": JWT_GRANT, "assertion": self.assertion()},
            check=f"check --client-id, that {self._username} has approved the connected app, "
                  "that its certificate matches the key, and --login-url",
        )
        return Token(token.access_token, token.instance_url or self._login_url, self._username)

    def close(self) -> None:
        pass


class SfCliLogin:
    """`sf org display --json --target-org ALIAS`: the Salesforce CLI's stored (and refreshed) token."""

    renewable = True
    ca_files: tuple[str, ...] = ()

    def __init__(self, alias: str, environ: Mapping[str, str]):
        self._alias = alias
        self._environ = environ

    def __repr__(self) -> str:
        return f"SfCliLogin({self._alias!r})"

    def login(self, http) -> Token:
        exe = shutil.which("sf", path=self._environ.get("PATH"))
        if exe is None:
            raise OrgUnreachable(
                f"--target-org {self._alias} needs the Salesforce CLI (sf), which is not installed or not on "
                "PATH; install it (npm install -g @salesforce/cli), or use --target-org local, "
                "--sfdx-url-file, --jwt-key-file or --instance-url"
            )
        try:
            done = subprocess.run(
                [exe, "org", "display", "--json", "--target-org", self._alias],
                capture_output=True, text=True, timeout=120, env={**self._environ, "SF_JSON_TO_STDOUT": "true"},
            )
        except subprocess.TimeoutExpired:
            raise OrgUnreachable(f"sf org display --target-org {self._alias} did not answer within 120 s") from None
        except OSError as err:
            raise OrgUnreachable(f"cannot run the Salesforce CLI ({exe}): {err.strerror}") from None
        try:
            doc = json.loads(done.stdout or "{}")
        except ValueError:
            doc = {}
        result = doc.get("result") if isinstance(doc, dict) else None
        if done.returncode != 0 or not isinstance(result, dict) or not result.get("accessToken"):
            name = doc.get("name") if isinstance(doc, dict) else None
            why = f" ({name})" if name else ""
            raise OrgUnreachable(
                f"the Salesforce CLI does not know an org '{self._alias}'{why}; "
                f"check `sf org list`, or log in with `sf org login web --alias {self._alias}`"
            )
        instance = str(result.get("instanceUrl") or "")
        if urlsplit(instance).scheme != "https":
            raise OrgUnreachable(f"the Salesforce CLI gave no https instance URL for '{self._alias}'")
        return Token(str(result["accessToken"]), instance, result.get("username"))

    def close(self) -> None:
        pass


class LocalOrgLogin:
    """`--target-org local`: start the local org in this process, trust its CA, use its token."""

    renewable = True

    def __init__(self, environ: Mapping[str, str]):
        from leadsync.localorg.server import LocalOrg
        from leadsync.localorg.state import default_state_dir

        state = environ.get("LEADSYNC_LOCAL_ORG_STATE")
        self._org = LocalOrg(Path(state) if state else default_state_dir())
        self._org.start()
        self.ca_files = (str(self._org.ca_file),)
        auth = SfdxAuthUrl(self._org.client_id, "", self._org.refresh_token, self._org.instance_url)
        self._refresh = RefreshTokenLogin(auth, self._org.username, first_token=self._org.access_token)

    def __repr__(self) -> str:
        return f"LocalOrgLogin({self._org.instance_url!r})"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._org.access_token, self._org.refresh_token)

    def login(self, http) -> Token:
        return self._refresh.login(http)

    def close(self) -> None:
        self._org.stop()


def _token_request(http, url: str, data: dict[str, str], *, check: str) -> Token:
    """POST an OAuth grant; the token, or OrgUnreachable saying what to check (never what was sent)."""
    from leadsync.org.session import classify, host_of

    host = host_of(url)
    try:
        response = http.post(url, data=data, headers={"Accept": "application/json"})
    except Exception as exc:  # noqa: BLE001 — classify decides
        err = classify(exc, what="the OAuth token request", host=host)
        if err is None:
            raise
        raise OrgUnreachable(str(err)) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not body.get("access_token"):
        error = body.get("error") or f"HTTP {response.status_code}"
        description = body.get("error_description")
        detail = f"{error}: {description}" if description else error
        raise OrgUnreachable(f"authentication failed at {host} ({detail}); {check}")
    return Token(str(body["access_token"]), str(body.get("instance_url") or "").rstrip("/"))


# --- choosing and connecting ------------------------------------------------------------------


def select_login(options: OrgOptions, environ: Mapping[str, str], redactor: Redactor | None = None) -> Login:
    """The login ORG-OPTIONS ask for; UsageError (exit 2) for missing or conflicting options.

    `--target-org local` starts the local org here, since its CA must be trusted before any request.
    """
    remember = redactor.add if redactor is not None else (lambda *s: None)
    method = _chosen(options, environ)
    if method == "target_org":
        if options.target_org == LOCAL:
            login = LocalOrgLogin(environ)
            remember(*login.secrets)
            return login
        return SfCliLogin(options.target_org, environ)
    if method == "instance_url":
        url = _https(options.instance_url, "--instance-url")
        token = environ.get("SF_ACCESS_TOKEN")
        if not token:
            raise UsageError("--instance-url needs the access token in the environment variable SF_ACCESS_TOKEN "
                             "(it is never taken from the command line)")
        remember(token)
        return AccessTokenLogin(url, token)
    if method == "sfdx_url":
        if options.sfdx_url_file:
            where = f"the file {options.sfdx_url_file}"
            try:
                text = Path(options.sfdx_url_file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise UsageError(f"cannot read {where}: {getattr(err, 'strerror', None) or 'not text'}") from None
        else:
            where, text = "SFDX_AUTH_URL", environ.get("SFDX_AUTH_URL", "")
        remember(text.strip())
        auth = SfdxAuthUrl.parse(text, where)
        remember(auth.refresh_token, auth.client_secret)
        return RefreshTokenLogin(auth)
    # jwt
    missing = [name for name, value in (("--client-id (SF_CLIENT_ID)", options.client_id),
                                        ("--username (SF_USERNAME)", options.username)) if not value]
    if missing:
        raise UsageError(f"the JWT bearer flow needs {' and '.join(missing)}")
    try:
        key = Path(options.jwt_key_file).read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read the JWT key file {options.jwt_key_file}: {err.strerror}") from None
    remember(key.decode("utf-8", "replace"))
    login_url = _https(options.login_url or DEFAULT_LOGIN_URL, "--login-url")
    return JwtLogin(key, options.client_id, options.username, login_url)


def _https(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise UsageError(f"{option} must be an https:// URL (TLS is always verified)")
    return url.rstrip("/")


def connect(
    options: OrgOptions,
    *,
    api_version: str | None = None,
    redactor: Redactor | None = None,
    environ: Mapping[str, str] | None = None,
) -> OrgClient:
    """Log in as ORG-OPTIONS say and return the client. Raises UsageError (2) or OrgUnreachable (3)."""
    from leadsync.org.client import DEFAULT_API_VERSION, OrgClient
    from leadsync.org.session import Redactor, TrustBundle, VerifiedSession

    environ = os.environ if environ is None else environ
    redactor = redactor if redactor is not None else Redactor()
    with ExitStack() as undo:  # on failure: close what was opened; on success the client owns it
        login = select_login(options, environ, redactor)
        undo.callback(login.close)
        bundle = TrustBundle(list(login.ca_files), environ)
        undo.callback(bundle.close)
        http = VerifiedSession(bundle.verify)
        undo.callback(http.close)
        token = login.login(http)
        redactor.add(token.access_token)

        def renew() -> str:
            fresh = login.login(http)
            redactor.add(fresh.access_token)
            return fresh.access_token

        client = OrgClient(
            instance_url=token.instance_url,
            access_token=token.access_token,
            http_session=http,
            api_version=api_version or DEFAULT_API_VERSION,
            username=token.username or options.username,
            renew=renew if login.renewable else None,
            on_close=(bundle.close, login.close),  # after the client has closed its session
        )
        undo.pop_all()
        return client
