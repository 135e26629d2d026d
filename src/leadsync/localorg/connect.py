"""Ready-to-use connection settings for a running local org (`local-org serve --print-env / --sf-alias`).

- `env_lines`: shell `export` lines, for leadsync (SF_INSTANCE_URL, SF_ACCESS_TOKEN, REQUESTS_CA_BUNDLE)
  and for the Salesforce CLI and other Node tools (NODE_EXTRA_CA_CERTS). `. FILE` them, then
  `leadsync deploy` needs no ORG-OPTIONS.
- `sf_login_command`: the `sf org login access-token` command that saves the org under an alias,
  after which `leadsync deploy --target-org ALIAS` (and `sf ... --target-org ALIAS`) reach it.

The values are shell-quoted. The access token is the local org's own, throwaway one (it is also in
serve's JSON line); these helpers are never used for a real org.
"""

from __future__ import annotations

import shlex


def env_values(info: dict) -> dict[str, str]:
    return {
        "SF_INSTANCE_URL": info["instance_url"],
        "SF_ACCESS_TOKEN": info["access_token"],
        "REQUESTS_CA_BUNDLE": info["ca_file"],
        "NODE_EXTRA_CA_CERTS": info["ca_file"],
    }


def env_lines(info: dict) -> str:
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env_values(info).items())


def sf_login_command(info: dict, alias: str) -> str:
    env = f"SF_ACCESS_TOKEN={shlex.quote(info['access_token'])} NODE_EXTRA_CA_CERTS={shlex.quote(info['ca_file'])}"
    command = shlex.join(["sf", "org", "login", "access-token", "--instance-url", info["instance_url"],
                          "--alias", alias, "--no-prompt"])
    return f"{env} {command}\n"
