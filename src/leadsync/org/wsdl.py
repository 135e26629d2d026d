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
    """Give a simple_salesforce.Salesforce its `mdapi` (unless it has one), its zeep client built lazily.

    simple-salesforce's deploy, retrieve and their status calls post its own XML templates and never
    touch zeep: a plan or a deploy parses no WSDL at all. The zeep client (`_client`, `_service`,
    `_session_header`) is built from the shared parse the first time something asks for it (listMetadata
    through zeep, cancelDeploy, deployRecentValidation, readMetadata)."""
    if sf._mdapi is not None:
        return
    api = object.__new__(_lazy_class())
    api.__dict__.update(session=sf.session, _session_id=sf.session_id, _instance=sf.sf_instance,
                        metadata_url=sf.metadata_url, headers=sf.headers, _api_version=sf.sf_version,
                        _deploy_zip=None)
    sf._mdapi = api


def has_zeep(api) -> bool:
    """Whether `api`'s zeep client was built (a lazy one builds it on first use)."""
    return "_client" in api.__dict__


_LAZY: dict[str, type] = {}
_ZEEP_ATTRS = ("_client", "_service", "_session_header")


def _lazy_class() -> type:
    with _LOCK:
        if "class" not in _LAZY:
            from simple_salesforce.metadata import SfdcMetadataApi

            class LazyMetadataApi(SfdcMetadataApi):
                """SfdcMetadataApi whose zeep client is built on first use, from the one parsed WSDL."""

                def __getattr__(self, item):  # only called for attributes not set yet
                    if item in _ZEEP_ATTRS:
                        _build_zeep(self)
                        return self.__dict__[item]
                    if item.startswith("__"):
                        raise AttributeError(item)
                    return super().__getattr__(item)

            _LAZY["class"] = LazyMetadataApi
        return _LAZY["class"]


def _build_zeep(api) -> None:
    from zeep import Client
    from zeep.transports import Transport

    template = _template(api.__dict__["_api_version"])
    with _LOCK:
        if "_client" in api.__dict__:
            return
        transport = Transport()
        transport.session.close()
        transport.session = api.__dict__["session"]  # zeep's SOAP calls go through the org's own verified session
        client = Client(template._client.wsdl, transport=transport, settings=template._client.settings)
        api.__dict__["_service"] = client.create_service(_BINDING, api.__dict__["metadata_url"])
        api.__dict__["_session_header"] = client.get_element("ns0:SessionHeader")(
            sessionId=api.__dict__["_session_id"])
        api.__dict__["_client"] = client

