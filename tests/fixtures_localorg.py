"""Pytest fixtures for tests that need the local org: a real LocalOrg over real TLS on a free port.

Use them from any test folder (tests/ is on sys.path through tests/conftest.py):

    pytest_plugins = ["fixtures_localorg"]        # in tests/conftest.py, once for all tests
    from fixtures_localorg import local_org        # or: in one conftest.py / test module

`local_org`          a started sandbox org, state in tmp_path, deploys take 0.05 s; stopped afterwards.
`local_org_factory`  `make(**LocalOrg kwargs)` starts more (production=True, a jwt key, the same
                     state_dir again to test persistence); every org it started is stopped afterwards.
`sf_client`          `connect(org)` -> simple_salesforce.Salesforce on that org, session verified by its CA.
                     simple-salesforce parses its 1.5 MB WSDL (about a second) for every Salesforce
                     object's `mdapi`; `connect` parses it once per test session and gives each client
                     its own SfdcMetadataApi built from that parse, bound to its org and session, the
                     way SfdcMetadataApi.__init__ binds it. Every call still runs simple-salesforce's code.

Both org fixtures point REQUESTS_CA_BUNDLE at the org's CA (and drop CURL_CA_BUNDLE): requests lets
that variable override a session's `verify`, and zeep (simple-salesforce's listMetadata, readMetadata,
cancelDeploy, deployRecentValidation) builds its own session that only the environment configures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from leadsync.localorg.server import LocalOrg

FAST_DEPLOY_SECONDS = 0.05
_PARSED_WSDL: dict[str, object] = {}  # API version -> the first SfdcMetadataApi built (its zeep client)


@pytest.fixture
def local_org_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., LocalOrg]:
    started: list[LocalOrg] = []

    def make(**kwargs) -> LocalOrg:
        kwargs.setdefault("state_dir", tmp_path / f"org{len(started)}")
        kwargs.setdefault("deploy_seconds", FAST_DEPLOY_SECONDS)
        org = LocalOrg(**kwargs).start()
        started.append(org)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(org.ca_file))
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        return org

    yield make
    for org in reversed(started):
        org.stop()


@pytest.fixture
def local_org(local_org_factory) -> LocalOrg:
    return local_org_factory()


@pytest.fixture
def sf_client() -> Callable[..., object]:
    def connect(org: LocalOrg, token: str | None = None, version: str = "63.0"):
        import requests
        from simple_salesforce import Salesforce

        session = requests.Session()
        session.verify = str(org.ca_file)
        sf = Salesforce(instance_url=org.instance_url, session_id=token or org.access_token, session=session,
                        version=version)
        _bind_parsed_wsdl(sf)
        return sf

    return connect


def _bind_parsed_wsdl(sf) -> None:
    template = _PARSED_WSDL.get(sf.sf_version)
    if template is None:
        _PARSED_WSDL[sf.sf_version] = sf.mdapi  # the one full parse
        return
    api = object.__new__(type(template))  # not copy.copy: SfdcMetadataApi.__getattr__ would recurse
    api.__dict__.update(template.__dict__)
    api.session, api._session_id, api._instance = sf.session, sf.session_id, sf.sf_instance
    api.metadata_url, api.headers = sf.metadata_url, sf.headers
    api._service = api._client.create_service("{http://soap.sforce.com/2006/04/metadata}MetadataBinding",
                                              sf.metadata_url)
    api._session_header = api._client.get_element("ns0:SessionHeader")(sessionId=sf.session_id)
    sf._mdapi = api
