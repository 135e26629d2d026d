"""The local org's own tests use the shared fixtures (tests/fixtures_localorg.py)."""

from fixtures_localorg import local_org, local_org_factory, sf_client  # noqa: F401
