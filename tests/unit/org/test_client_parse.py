"""DeployOptions validation and DeployResult parsing (the parts of OrgClient that need no org)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from leadsync.errors import UsageError
from leadsync.org.client import DeployOptions, OrgInfo, parse_deploy_result

RESULT = """<checkDeployStatusResponse xmlns="http://soap.sforce.com/2006/04/metadata"><result>
<checkOnly>false</checkOnly><completedDate>2026-01-01T00:00:04.000Z</completedDate>
<createdDate>2026-01-01T00:00:00.000Z</createdDate>
<details>
  <componentFailures>
    <changed>false</changed><componentType>CustomField</componentType><created>false</created>
    <deleted>false</deleted><fileName>objects/Lead.object</fileName><fullName>Lead.Lead_Stage__c</fullName>
    <lineNumber>12</lineNumber><columnNumber>5</columnNumber>
    <problem>Picklist value: MQL not found</problem><problemType>Error</problemType><success>false</success>
  </componentFailures>
  <componentSuccesses>
    <changed>true</changed><componentType>Flow</componentType><created>false</created><deleted>false</deleted>
    <fileName>flows/Lead_Lifecycle.flow</fileName><fullName>Lead_Lifecycle</fullName><success>true</success>
  </componentSuccesses>
  <componentSuccesses>
    <changed>true</changed><componentType></componentType><created>false</created><deleted>false</deleted>
    <fileName>package.xml</fileName><fullName>package.xml</fullName><success>true</success>
  </componentSuccesses>
  <runTestResult>
    <numFailures>1</numFailures><numTestsRun>2</numTestsRun><totalTime>120.0</totalTime>
    <failures><message>System.AssertException: Assertion Failed</message><methodName>testStage</methodName>
      <name>LeadLifecycleTest</name><stackTrace>Class.LeadLifecycleTest.testStage: line 9, column 1</stackTrace>
      <time>50.0</time></failures>
    <successes><methodName>testStatus</methodName><name>LeadLifecycleTest</name><time>70.0</time></successes>
  </runTestResult>
</details>
<done>true</done><id>0Af000000000001AAA</id><ignoreWarnings>false</ignoreWarnings>
<numberComponentErrors>1</numberComponentErrors><numberComponentsDeployed>1</numberComponentsDeployed>
<numberComponentsTotal>2</numberComponentsTotal><numberTestErrors>1</numberTestErrors>
<numberTestsCompleted>1</numberTestsCompleted><numberTestsTotal>2</numberTestsTotal>
<rollbackOnError>true</rollbackOnError><runTestsEnabled>true</runTestsEnabled>
<status>Failed</status><success>false</success>
</result></checkDeployStatusResponse>"""


def result_element(xml: str = RESULT) -> ET.Element:
    return ET.fromstring(xml).find("{http://soap.sforce.com/2006/04/metadata}result")


def test_parse_failed_deploy():
    status = parse_deploy_result(result_element())
    assert (status.id, status.status, status.done, status.success) == ("0Af000000000001AAA", "Failed", True, False)
    assert (status.components_total, status.components_deployed, status.component_errors) == (2, 1, 1)
    assert (status.tests_total, status.tests_completed, status.test_errors) == (2, 1, 1)
    failure = status.failures[0]
    assert (failure.type, failure.name, failure.file, failure.line, failure.column) == (
        "CustomField", "Lead.Lead_Stage__c", "objects/Lead.object", 12, 5)
    assert failure.problem == "Picklist value: MQL not found"
    assert [c.name for c in status.components] == ["Lead.Lead_Stage__c", "Lead_Lifecycle", "package.xml"]
    assert status.components[1].changed and status.components[1].success
    assert status.tests.run == 2
    assert status.tests.failures[0].method == "testStage"
    assert status.tests.failures[0].stack_trace.startswith("Class.LeadLifecycleTest")
    assert status.tests.successes[0].time_ms == 70.0


def test_parse_in_progress_without_details():
    xml = ("<r xmlns='http://soap.sforce.com/2006/04/metadata'><result><id>0Af1</id><done>false</done>"
           "<status>InProgress</status><stateDetail>Processing Type: CustomField</stateDetail>"
           "<numberComponentsTotal>9</numberComponentsTotal><numberComponentsDeployed>3</numberComponentsDeployed>"
           "<success>false</success></result></r>")
    status = parse_deploy_result(result_element(xml))
    assert (status.status, status.done, status.components_deployed, status.state_detail) == (
        "InProgress", False, 3, "Processing Type: CustomField")
    assert status.components == () and status.tests.run == 0


def test_progress_key_changes_only_with_what_is_shown():
    a = parse_deploy_result(result_element())
    assert a.progress_key() == parse_deploy_result(result_element()).progress_key()


@pytest.mark.parametrize("kw, message", [
    (dict(test_level="RunSpecifiedTests", tests=None), "needs --tests"),
    (dict(test_level="RunLocalTests", tests="A"), "RunSpecifiedTests only"),
    (dict(test_level=None, tests="A,B"), "RunSpecifiedTests only"),
    (dict(test_level="RunSpecifiedTests", tests=" , "), "at least one"),
    (dict(test_level="RunSpecifiedTests", tests="A,<x>"), "not an Apex test class name"),
    (dict(test_level="Everything", tests=None), "must be one of"),
])
def test_deploy_options_usage_errors(kw, message):
    with pytest.raises(UsageError, match=message):
        DeployOptions.parse(check_only=False, **kw)


def test_deploy_options_ok():
    o = DeployOptions.parse(check_only=True, test_level="RunSpecifiedTests", tests="LeadTest, ns.OtherTest")
    assert o == DeployOptions(check_only=True, test_level="RunSpecifiedTests", tests=("LeadTest", "ns.OtherTest"))


def test_any_non_sandbox_counts_as_production():
    org = OrgInfo("00D1", "Acme", False, "Developer Edition", "https://acme.my.salesforce.com")
    assert org.is_production
    assert not OrgInfo("00D1", "Acme UAT", True, "Enterprise Edition", "https://x").is_production
