"""The pieces of `leadsync test` and of flow activation that need no org: the convertLead envelope and
answer, value comparison, the report formats, the activation findings and the default test level."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from leadsync.metadata import model as m
from leadsync.org.activation import FlowActivation, activation_findings, with_scenario_tests
from leadsync.org.client import DeployOptions
from leadsync.org.convert import ConvertResult, envelope, parse_response
from leadsync.org.scenarios import ScenarioResult, StepResult, ScenarioRun, same
from leadsync.org.session import OrgFault, SessionExpired
from leadsync.report import scenarios as report

P = "urn:partner.soap.sforce.com"


def test_the_envelope_is_the_partner_api_convertlead_with_escaped_values():
    root = ET.fromstring(envelope("tok<&>", "00Q1", "Won & <Big>"))
    convert = root.find(f".//{{{P}}}leadConverts")
    assert [c.tag.split("}")[1] for c in convert] == [
        "convertedStatus", "doNotCreateOpportunity", "leadId", "overwriteLeadSource", "sendNotificationEmail"]
    assert convert.findtext(f"{{{P}}}convertedStatus") == "Won & <Big>"
    assert root.find(f".//{{{P}}}sessionId").text == "tok<&>"


def _answer(result: str) -> bytes:
    return (f'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="{P}">'
            f"<soapenv:Body><convertLeadResponse><result>{result}</result></convertLeadResponse></soapenv:Body>"
            "</soapenv:Envelope>").encode()


def test_a_conversion_and_a_refusal_are_data():
    ok = parse_response(_answer("<accountId>001A</accountId><contactId>003C</contactId><leadId>00QL</leadId>"
                                '<opportunityId xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'
                                "<success>true</success>"))
    assert ok == ConvertResult(True, "00QL", "001A", "003C", None)
    refused = parse_response(_answer("<errors><fields>Status</fields><message>Pick a reason</message>"
                                     "<statusCode>FIELD_CUSTOM_VALIDATION_EXCEPTION</statusCode></errors>"
                                     "<leadId>00QL</leadId><success>false</success>"))
    assert not refused.success
    assert refused.errors[0].status_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert refused.errors[0].fields == ("Status",)


def test_soap_faults_raise():
    fault = (b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
             b"<soapenv:Fault><faultcode>sf:%s</faultcode><faultstring>no</faultstring></soapenv:Fault>"
             b"</soapenv:Body></soapenv:Envelope>")
    with pytest.raises(SessionExpired):
        parse_response(fault % b"INVALID_SESSION_ID")
    with pytest.raises(OrgFault, match="UNKNOWN_EXCEPTION"):
        parse_response(fault % b"UNKNOWN_EXCEPTION")
    with pytest.raises(OrgFault, match="not XML"):
        parse_response(b"<html")


@pytest.mark.parametrize("expected, actual, equal", [
    (50, 50.0, True), (50, "50", True), (2.5, 2.5, True), (50, 51, False), (50, True, False),
    (True, True, True), (True, "true", False), (None, None, True), (None, "", True), (None, "x", False),
    ("SQL", "SQL", True), ("SQL", "sql", False),
])
def test_values_compare_by_their_yaml_type(expected, actual, equal):
    assert same(expected, actual) is equal


def _run() -> ScenarioRun:
    ok = StepResult("S", 1, "create", {"LastName": "Doe"}, {"stage": "Lead"}, {"stage": "Lead", "status": "New"})
    bad = StepResult("S", 2, "update", {"Status": "Connected"}, {"stage": "SQL"}, {"stage": "Lead", "status": "Connected"},
                     ("stage: expected SQL, got Lead",))
    return ScenarioRun("spec", (ScenarioResult("S", (ok, bad), "00Q", ("Account 001: refused",)),), 0.5, "Org", "https://x")


def test_text_says_scenario_step_expected_and_actual():
    text = report.format_text(_run())
    assert text.splitlines() == [
        "Scenario: S",
        "  ok    1 create {LastName: Doe}: stage Lead, status New",
        "  FAIL  2 update {Status: Connected}",
        "        expected: stage SQL",
        "        actual:   stage Lead, status Connected",
        "        stage: expected SQL, got Lead",
        "  note: not cleaned up: Account 001: refused",
        "1 scenario, 2 steps against Org: 1 step failed (0.50 s)",
    ]


def test_json_and_junit():
    doc = report.to_json(_run(), exit_code=1)
    assert doc["ok"] is False and doc["exit_code"] == 1
    assert doc["scenarios"][0]["steps"][1]["problems"] == ["stage: expected SQL, got Lead"]
    json.dumps(doc)
    suite = ET.fromstring(report.to_junit_xml(_run()))
    failure = suite.find(".//testcase/failure")
    assert failure.get("message") == "step 2 (update): stage: expected SQL, got Lead"
    assert ET.fromstring(report.to_junit_xml(None, error="org down")).find(".//failure").text == "org down"


FLOW = m.Flow("X_Lead_Lifecycle", "X", "63.0", m.FlowStart("Lead", "RecordBeforeSave", "CreateAndUpdate"))
TEST = m.ApexClass("X_Lifecycle_Test", "", "63.0")


@pytest.mark.parametrize("activation, bundle, says", [
    (FlowActivation(False, None), m.Bundle("63.0", flows=(FLOW,)), None),
    (FlowActivation(True, False), m.Bundle("63.0", flows=(FLOW,)), "arrives inactive"),
    (FlowActivation(True, True), m.Bundle("63.0", flows=(FLOW,), apex_classes=(TEST,)), "which X_Lifecycle_Test"),
    (FlowActivation(True, True), m.Bundle("63.0", flows=(FLOW,)), "has no scenarios"),
    (FlowActivation(True, None), m.Bundle("63.0", flows=(FLOW,)), "could not read"),
    (FlowActivation(True, False), m.Bundle("63.0"), None),
])
def test_activation_findings_say_which_case_the_org_is_in(activation, bundle, says):
    found = activation_findings(activation, bundle)
    if says is None:
        assert found == []
    else:
        ((kind, message),) = found
        assert kind == "flow-activation" and says in message


def test_deploy_runs_the_scenarios_test_unless_a_level_is_chosen():
    with_test = m.Bundle("63.0", apex_classes=(TEST,))
    assert with_scenario_tests(DeployOptions(), with_test) == DeployOptions(
        test_level="RunSpecifiedTests", tests=("X_Lifecycle_Test",))
    chosen = DeployOptions(test_level="NoTestRun")
    assert with_scenario_tests(chosen, with_test) is chosen
    assert with_scenario_tests(DeployOptions(check_only=True), m.Bundle("63.0")) == DeployOptions(check_only=True)
