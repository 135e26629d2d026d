"""`deploy --all ORGS.yaml`: many client specs to their orgs, concurrently. Data out, nothing printed.

- `load_orgs(path)` reads ORGS.yaml (docs/many-clients.md) into `OrgEntry`s, or raises `OrgsFileError`
  (exit 2) listing every problem at its line, before anything is deployed. A secret written in the file
  (an `access_token:`, a `password:`, an SFDX auth URL, a PEM key, a Salesforce session id) is one
  such problem; the message names the place, never the value.
- `deploy_all(entries, request, ...)` runs `deploy.deploy_spec` for each org on a pool of `jobs`
  threads. Each org has its own environment (its ORG-OPTIONS and the secrets it names, nothing from
  the process's own SF_* variables), its own login, HTTP session, trust bundle and redactor: one org's
  failure, exception or CA never reaches another. The result of each is an `OrgResult`.

Trust: every request an `OrgClient` makes, zeep's SOAP calls included, goes through its own
`VerifiedSession` (org/client.py hands zeep's transport that session), which verifies against certifi
+ REQUESTS_CA_BUNDLE + the org's `ca_bundle`. The process environment is never changed: with threads,
a per-org `REQUESTS_CA_BUNDLE` in `os.environ` would leak between orgs. A session built outside
leadsync's control would honour only the process's REQUESTS_CA_BUNDLE; none is used here.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from leadsync.errors import LeadsyncError, UsageError
from leadsync.exitcodes import ExitCode
from leadsync.org.auth import LOCAL, OrgOptions

DEFAULT_JOBS = 4

# ORG-OPTIONS by their long name with _ for -, and what else an org may say.
_OPTION_KEYS = ("target_org", "instance_url", "sfdx_url_file", "jwt_key_file", "client_id", "username", "login_url")
_FILE_KEYS = ("sfdx_url_file", "jwt_key_file", "ca_bundle")  # paths relative to ORGS.yaml
_ENV_KEYS = {"access_token_env": "SF_ACCESS_TOKEN", "sfdx_auth_url_env": "SFDX_AUTH_URL"}
ORG_KEYS = ("spec", *_OPTION_KEYS, *_ENV_KEYS, "ca_bundle")

# Variables that name or reach one org: never inherited from the process by an org of ORGS.yaml.
_ORG_ENV = ("SF_TARGET_ORG", "SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SFDX_AUTH_URL", "SF_JWT_KEY_FILE",
            "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")

_SECRET_KEY = re.compile(r"token|secret|passw|auth_?url|sfdx_?url$|private|(^|_)key$|session|credential|bearer",
                         re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"force://|-----BEGIN|(^|[^A-Za-z0-9])00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}|eyJ[A-Za-z0-9_-]{10,}\.eyJ")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class OrgsFileError(UsageError):
    """ORGS.yaml cannot be used; `problems` are `PATH:LINE:COL: message` lines (no secret in any)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem{'' if len(problems) == 1 else 's'} in the orgs file:\n"
                         + "\n".join(problems))


@dataclass(frozen=True, repr=False)
class OrgEntry:
    name: str
    spec: str  # path as shown: relative to the current folder when ORGS.yaml's path was
    options: OrgOptions
    env: Mapping[str, str] = field(default_factory=dict)  # names of variables to copy: {SF_ACCESS_TOKEN: "ACME_TOKEN"}
    ca_bundle: str | None = None
    where: str = ""  # ORGS.yaml:LINE:COL of the org's name

    def __repr__(self) -> str:
        return f"OrgEntry({self.name!r}, spec={self.spec!r})"


@dataclass
class OrgResult:
    name: str
    spec: str
    exit_code: int
    outcome: object | None = None  # leadsync.org.deploy.DeployOutcome when the use case returned one
    error: str | None = None  # the message (redacted) when it raised instead
    seconds: float = 0.0
    redact: Callable[[str], str] = field(default=lambda text: text, repr=False)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


# --- ORGS.yaml ----------------------------------------------------------------------------------


def _scrub(text: str) -> str:
    """A YAML error message may quote the file: cut anything that looks like a secret."""
    return _SECRET_VALUE.sub("***", text) if _SECRET_VALUE.search(text) else text


def load_orgs(path: str) -> list[OrgEntry]:
    from leadsync.spec.nodes import Map, Scalar
    from leadsync.spec.yamlload import read_file

    read = read_file(Path(path), path)
    problems = [_scrub(f"{d.span}: {d.message}") for d in read.diagnostics if d.is_error]
    root = read.root
    if problems or root is None:
        raise OrgsFileError(problems or [f"{path}: the file holds nothing"])
    if not isinstance(root, Map) or set(root.entries) - {"orgs"} or not isinstance(root.get("orgs"), Map):
        raise OrgsFileError([f"{root.span}: an orgs file is one mapping `orgs:` of org names, each with `spec:` "
                             "and how to reach its org (docs/many-clients.md)"])
    base = os.path.dirname(path)
    orgs: Map = root.get("orgs")  # type: ignore[assignment]
    entries: list[OrgEntry] = []
    locals_: list[str] = []
    # Secrets first, anywhere in the file (nested too): refused whatever else is wrong.
    for where, label in _secrets(orgs, "orgs"):
        problems.append(f"{where}: {label.removeprefix('orgs.')}: a secret written in the orgs file is refused; "
                        "keep it in an environment variable and name that variable "
                        "(access_token_env, sfdx_auth_url_env) or a file (sfdx_url_file, jwt_key_file)")
    if problems:
        raise OrgsFileError(problems)
    for name, entry in orgs.entries.items():
        where = str(entry.key_span)
        if not _NAME.match(name):
            problems.append(f"{where}: org name '{name[:40]}' may hold only letters, digits, '.', '_' and '-' "
                            "(it names the report files)")
            continue
        node = entry.node
        if not isinstance(node, Map):
            problems.append(f"{node.span}: {name}: expected a mapping with `spec:` and how to reach the org")
            continue
        values: dict[str, str] = {}
        for key, item in node.entries.items():
            if key not in ORG_KEYS:
                from leadsync.spec.suggest import closest

                hint = closest(key, ORG_KEYS)
                problems.append(f"{item.key_span}: {name}: unknown key '{key}'"
                                + (f"; did you mean '{hint}'?" if hint else f"; expected one of {', '.join(ORG_KEYS)}"))
                continue
            value = item.node.value if isinstance(item.node, Scalar) else None
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{item.node.span}: {name}.{key}: expected text")
                continue
            values[key] = value.strip()
        if "spec" not in values:
            problems.append(f"{where}: {name}: missing `spec:` (the client spec, relative to the orgs file)")
            continue
        env: dict[str, str] = {}
        for key, variable in _ENV_KEYS.items():
            if key in values:
                if not _ENV_NAME.match(values[key]):
                    problems.append(f"{node.entries[key].node.span}: {name}.{key}: expected the name of an "
                                    "environment variable")
                env[variable] = values[key]
        for key in _FILE_KEYS:
            if key in values:
                values[key] = os.path.normpath(os.path.join(base, values[key]))
        chosen = {k: values[k] for k in _OPTION_KEYS if k in values}
        if "access_token_env" in values and "instance_url" not in values:
            problems.append(f"{where}: {name}: access_token_env goes with instance_url")
        if "sfdx_auth_url_env" in values and "sfdx_url_file" in values:
            problems.append(f"{where}: {name}: give sfdx_auth_url_env or sfdx_url_file, not both")
        if not chosen and "sfdx_auth_url_env" not in values:
            problems.append(f"{where}: {name}: say how to reach the org: target_org, instance_url with "
                            "access_token_env, sfdx_url_file or sfdx_auth_url_env, or jwt_key_file with "
                            "client_id and username")
        if values.get("target_org") == LOCAL:
            locals_.append(where)
        entries.append(OrgEntry(
            name=name,
            spec=os.path.normpath(os.path.join(base, values["spec"])),
            options=OrgOptions(**chosen, from_command_line=frozenset(chosen)),
            env=env,
            ca_bundle=values.get("ca_bundle"),
            where=where,
        ))
    if len(locals_) > 1:
        problems.append(f"{locals_[1]}: only one org may be `target_org: local` (they would share one state "
                        "folder); run more local orgs with `leadsync local-org serve --state DIR` and use instance_url")
    if not orgs.entries:
        problems.append(f"{orgs.span}: `orgs:` lists no org")
    if problems:
        raise OrgsFileError(problems)
    return entries


_PLAIN_KEYS = {"spec", "target_org", "instance_url", "client_id", "username", "login_url", *_ENV_KEYS, *_FILE_KEYS}


def _secrets(node, label: str):
    """(span, dotted key) of every place in the tree that holds a secret: a secret-like key (other than
    the keys that name one) or a value that looks like a token, an auth URL or a key. Never the value."""
    from leadsync.spec.nodes import Map, Scalar, Seq

    if isinstance(node, Map):
        for key, entry in node.entries.items():
            here = f"{label}.{key}"
            if (key not in _PLAIN_KEYS and _SECRET_KEY.search(key)) or _SECRET_VALUE.search(key):
                yield entry.key_span, here if not _SECRET_VALUE.search(key) else label
            elif isinstance(entry.node, Scalar):  # a secret value: point at its key
                if isinstance(entry.node.value, str) and _SECRET_VALUE.search(entry.node.value):
                    yield entry.key_span, here
            else:
                yield from _secrets(entry.node, here)
    elif isinstance(node, Seq):
        for i, item in enumerate(node.items):
            yield from _secrets(item, f"{label}[{i}]")
    elif isinstance(node, Scalar) and isinstance(node.value, str) and _SECRET_VALUE.search(node.value):
        yield node.span, label


# --- running ------------------------------------------------------------------------------------


# Worst last: a usage error (ORGS.yaml names an unset variable) > unreachable > refused > failed >
# still running > ok. Any other code ranks as a failure.
_RANK = {int(ExitCode.OK): 0, int(ExitCode.STILL_RUNNING): 1, int(ExitCode.FAILED): 2, int(ExitCode.REFUSED): 3,
         int(ExitCode.ORG_UNREACHABLE): 4, int(ExitCode.USAGE): 5}


def worst(codes) -> int:
    """The exit code of the whole run: the worst of the orgs' (2 > 3 > 4 > 1 > 5 > 0)."""
    return max((int(c) for c in codes), key=lambda c: _RANK.get(c, 2), default=0)


def _outcome_code(outcome) -> int:
    if outcome.spec_failed:
        return int(ExitCode.FAILED)
    if outcome.still_running:
        return int(ExitCode.STILL_RUNNING)
    return int(ExitCode.OK if outcome.success else ExitCode.FAILED)


def org_environ(entry: OrgEntry, environ: Mapping[str, str], ca_file: str | None) -> dict[str, str]:
    """The environment one org's login sees: the process's, less every org variable, plus its own.

    Raises UsageError when a variable the entry names is not set (the message names the variable).
    """
    env = {k: v for k, v in environ.items() if k not in _ORG_ENV}
    for variable, source in entry.env.items():
        value = environ.get(source)
        if not value:
            raise UsageError(f"the environment variable {source} is not set "
                             f"(ORGS.yaml names it for {variable})")
        env[variable] = value
    if ca_file:
        env["REQUESTS_CA_BUNDLE"] = ca_file
    return env


def _ca_file(entry: OrgEntry, environ: Mapping[str, str], made: list[str]) -> str | None:
    """The extra CAs one org trusts: the process's REQUESTS_CA_BUNDLE and the org's `ca_bundle`, in one file."""
    named = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE")
    if not entry.ca_bundle:
        return named
    if not named:
        return entry.ca_bundle
    parts = []
    for source in (named, entry.ca_bundle):
        p = Path(source)
        files = sorted(x for x in p.iterdir() if x.suffix in (".pem", ".crt")) if p.is_dir() else [p]
        for f in files:
            try:
                parts.append(f.read_bytes().rstrip() + b"\n")
            except OSError as err:
                raise UsageError(f"{entry.name}: cannot read the CA file {f}: {err.strerror}") from None
    fd, combined = tempfile.mkstemp(prefix=f"leadsync-ca-{entry.name}-", suffix=".pem")
    with os.fdopen(fd, "wb") as out:
        out.write(b"".join(parts))
    made.append(combined)
    return combined


def deploy_one(entry: OrgEntry, request, *, environ: Mapping[str, str], template_dir: Path | None = None,
               progress=None) -> OrgResult:
    """One org, start to end; never raises (a failure is the result's exit code and message)."""
    from leadsync.org import auth, deploy
    from leadsync.org.session import Redactor

    redactor = Redactor()
    for source in entry.env.values():
        redactor.add(environ.get(source))
    started = time.perf_counter()
    made: list[str] = []
    result = OrgResult(entry.name, entry.spec, int(ExitCode.FAILED), redact=redactor)
    try:
        if entry.ca_bundle and not Path(entry.ca_bundle).is_file():
            raise UsageError(f"ca_bundle {entry.ca_bundle} is not a file")
        env = org_environ(entry, environ, _ca_file(entry, environ, made))

        def connect(api_version):
            return auth.connect(entry.options, api_version=api_version, redactor=redactor, environ=env)

        outcome = deploy.deploy_spec(entry.spec, connect, request, template_dir=template_dir,
                                     progress=progress or deploy.NO_PROGRESS)
        result.outcome, result.exit_code = outcome, _outcome_code(outcome)
    except LeadsyncError as err:
        # In ORGS.yaml an org's extra CAs are its `ca_bundle`, not the process's REQUESTS_CA_BUNDLE.
        message = str(err).replace("set REQUESTS_CA_BUNDLE to that file", "name that file as this org's ca_bundle")
        result.exit_code, result.error = int(err.exit_code), redactor(message)
    except Exception as err:  # noqa: BLE001 — one org's bug is that org's failure, not the run's
        result.error = redactor(f"internal error: {type(err).__name__}: {err}")
    finally:
        for path in made:
            try:
                os.unlink(path)
            except OSError:
                pass
    result.seconds = time.perf_counter() - started
    return result


def deploy_all(entries: list[OrgEntry], request, *, jobs: int = DEFAULT_JOBS, template_dir: Path | None = None,
               environ: Mapping[str, str] | None = None, progress_for: Callable[[str], object] | None = None,
               on_done: Callable[[OrgResult], None] | None = None) -> list[OrgResult]:
    """Deploy every entry, at most `jobs` at a time; results in the entries' order."""
    environ = dict(os.environ if environ is None else environ)
    _warm_shared_caches(entries, template_dir)

    def one(entry: OrgEntry) -> OrgResult:
        result = deploy_one(entry, request, environ=environ, template_dir=template_dir,
                            progress=progress_for(entry.name) if progress_for else None)
        if on_done is not None:
            on_done(result)
        return result

    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="leadsync-org")
    try:
        futures = [pool.submit(one, entry) for entry in entries]
        return [future.result() for future in futures]
    except BaseException:  # Ctrl-C: start no other org; deploys already submitted go on in their orgs
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=False)


def _warm_shared_caches(entries: list[OrgEntry], template_dir: Path | None) -> None:
    """Build the process-wide caches (templates, reduced XSD) once, before threads race to build them."""
    from leadsync.build import build

    for entry in entries[:1]:
        try:
            build(entry.spec, layout="mdapi", template_dir=template_dir)
        except Exception:  # noqa: BLE001 — the org's own run reports it
            pass
