"""Does a flow deployed to this org arrive active? And which Apex tests does a deploy run by default?

Salesforce deploys a flow to a production org inactive, whatever its `<status>`, unless the org's
flow settings allow active deploys (Setup > Process Automation Settings > "Deploy processes and flows
as active": `FlowSettings.enableFlowDeployAsActiveEnabled`); an org that allows them then requires
flow test coverage: Apex tests in the deploy must run the flow. Sandboxes and scratch orgs deploy flows
as written. The setting is read with readMetadata (FlowSettings "Flow") through the OrgClient's
simple-salesforce Metadata API.

`activation_findings` turns the answer into the plan's preflight findings (plan and deploy print them);
`with_scenario_tests` makes a deploy run the spec's generated Apex test class (render/apex.py) with
RunSpecifiedTests unless the user chose a test level.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadsync.metadata.model import Bundle
    from leadsync.org.client import DeployOptions, OrgClient, OrgInfo

SETTING = "'Deploy processes and flows as active' (FlowSettings.enableFlowDeployAsActiveEnabled)"


@dataclass(frozen=True)
class FlowActivation:
    production: bool
    deploy_as_active: bool | None  # None: the setting could not be read

    @property
    def flows_arrive_active(self) -> bool | None:
        if not self.production:
            return True
        return self.deploy_as_active


def read_deploy_as_active(org: OrgClient) -> bool | None:
    """FlowSettings.enableFlowDeployAsActiveEnabled, or None when the org does not say."""
    from leadsync.errors import LeadsyncError
    from leadsync.org.session import OrgUnreachable

    def call():
        md = org._mdapi()
        return md._service.readMetadata("FlowSettings", ["Flow"], _soapheaders=[md._session_header])

    try:
        result = org._call("readMetadata FlowSettings", call)
    except OrgUnreachable:
        raise
    except LeadsyncError:
        return None
    records = result if isinstance(result, list) else getattr(result, "records", None) or []  # zeep unwraps it
    if not records:
        return False  # no FlowSettings record: the setting was never turned on
    value = getattr(records[0], "enableFlowDeployAsActiveEnabled", None)
    return None if value is None else bool(value)


def flow_activation(org: OrgClient, info: OrgInfo) -> FlowActivation:
    if not info.is_production:
        return FlowActivation(production=False, deploy_as_active=None)
    return FlowActivation(production=True, deploy_as_active=read_deploy_as_active(org))


def activation_findings(activation: FlowActivation, bundle: Bundle) -> list[tuple[str, str]]:
    """(kind, message) findings for the plan: which case the org is in, for the flows the spec renders."""
    if not bundle.flows or not activation.production:
        return []
    names = ", ".join(f.full_name for f in bundle.flows)
    tests = ", ".join(c.full_name for c in bundle.apex_classes)
    if activation.deploy_as_active is None:
        return [("flow-activation", f"could not read this production org's flow settings: flow {names} arrives "
                 f"inactive unless {SETTING} is on, and then needs Apex test coverage")]
    if not activation.deploy_as_active:
        return [("flow-activation", f"flow {names} arrives inactive: this production org does not deploy flows as "
                 f"active ({SETTING} is off); activate it in Setup after the deploy, or turn the setting on")]
    if tests:
        return [("flow-activation", f"flow {names} deploys active: this production org allows it ({SETTING} is on) "
                 f"and requires flow test coverage, which {tests} (the spec's scenarios) provides")]
    return [("flow-activation", f"flow {names} deploys active ({SETTING} is on) and needs flow test coverage, but the "
             "spec has no scenarios to render a test from: add scenarios, or the deploy fails for coverage")]


def with_scenario_tests(options: DeployOptions, bundle: Bundle) -> DeployOptions:
    """RunSpecifiedTests with the spec's test class when the user chose no test level."""
    if options.test_level is not None or not bundle.apex_classes:
        return options
    return replace(options, test_level="RunSpecifiedTests", tests=tuple(c.full_name for c in bundle.apex_classes))
