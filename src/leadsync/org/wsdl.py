"""The Metadata API WSDL, parsed once per process and shared by every `OrgClient`.

simple-salesforce parses its 1.5 MB metadata WSDL (about 0.6 s of CPU and tens of MB) each time a
`Salesforce` object first touches `.mdapi`. `deploy --all` connects to many orgs at once; under the GIL
those parses would run one after another. `bind(sf)` gives `sf` its own `SfdcMetadataApi`, bound to
its session, token and URL the way `SfdcMetadataApi.__init__` binds them, and its own zeep `Client`
(own transport, so its own HTTP session and trust), built on the one parsed WSDL `Document`.
Every call still runs simple-salesforce's and zeep's code.
"""

from __future__ import annotations

import threading

_LOCK = threading.Lock()
_PARSED: dict[str, object] = {}  # API version -> an SfdcMetadataApi built once, bound to no org

_BINDING = "{http://soap.sforce.com/2006/04/metadata}MetadataBinding"


def _template(version: str):
    with _LOCK:
        template = _PARSED.get(version)
        if template is None:
            import requests
            from simple_salesforce.metadata import SfdcMetadataApi

            template = SfdcMetadataApi(session=requests.Session(), session_id="-", instance="localhost",
                                       metadata_url="https://localhost/", headers={}, api_version=version)
            _PARSED[version] = template
        return template


def bind(sf) -> None:
    """Give a simple_salesforce.Salesforce its `mdapi` from the shared parse (unless it has one)."""
    if sf._mdapi is not None:
        return
    from zeep import Client
    from zeep.transports import Transport

    template = _template(sf.sf_version)
    api = object.__new__(type(template))  # not copy.copy: SfdcMetadataApi.__getattr__ would recurse
    api.__dict__.update(template.__dict__)
    api.session, api._session_id, api._instance = sf.session, sf.session_id, sf.sf_instance
    api.metadata_url, api.headers, api._deploy_zip = sf.metadata_url, sf.headers, None
    transport = Transport()
    transport.session.close()
    transport.session = sf.session  # zeep's SOAP calls go through the org's own verified session
    api._client = Client(template._client.wsdl, transport=transport, settings=template._client.settings)
    api._service = api._client.create_service(_BINDING, sf.metadata_url)
    api._session_header = api._client.get_element("ns0:SessionHeader")(sessionId=sf.session_id)
    sf._mdapi = api


def prepare(version: str) -> None:
    """Start parsing the WSDL for `version` in the background, once per process: a command calls it
    before it builds the spec, so the parse overlaps the build and the login instead of following them."""
    with _LOCK:
        if version in _PARSED or version in _STARTED:
            return
        _STARTED.add(version)

    def parse() -> None:
        try:
            _template(version)
        except Exception:  # noqa: BLE001 — the first real call parses it again and reports the failure
            pass

    threading.Thread(target=parse, name=f"leadsync-wsdl-{version}", daemon=True).start()


_STARTED: set[str] = set()
