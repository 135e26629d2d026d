"""JUnit XML: a generic builder (also used for deploys) and one test case per spec file."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from leadsync.diagnostics import Span, error, warning
from leadsync.report.junit import JUnitCase, junit_for_specs, to_junit

E1 = error("LS020", "statuses: 'Working' is declared twice", Span("bad.yaml", 10, 12))
E2 = error("LS022", "no status has `converted: true`", Span("bad.yaml", 6, 1))
W = warning("LS030", "9 statuses", Span("many.yaml", 6, 1))


def test_one_case_per_spec_failed_only_with_errors():
    root = ET.fromstring(junit_for_specs({"bad.yaml": [E2, E1], "many.yaml": [W], "good.yaml": []}))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "0")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["bad.yaml", "many.yaml", "good.yaml"]
    failure = cases["bad.yaml"].find("failure")
    assert failure.get("message") == "2 errors"
    assert failure.text.splitlines() == [
        "bad.yaml:6:1: error LS022: no status has `converted: true`",
        "bad.yaml:10:12: error LS020: statuses: 'Working' is declared twice",
    ]
    assert cases["many.yaml"].find("failure") is None
    assert cases["many.yaml"].find("system-out").text.strip() == "many.yaml:6:1: warning LS030: 9 statuses"
    assert list(cases["good.yaml"]) == []


def test_generic_cases_with_time_skips_and_output():
    xml = to_junit("leadsync deploy 0Af", [
        JUnitCase("Lead.Lead_Stage__c", classname="CustomField", time=0.25),
        JUnitCase("testConvert", classname="LeadLifecycleTest", failure="Assertion failed\nat line 3", time=1.5),
        JUnitCase("flow", classname="Flow", skipped="not deployed"),
    ])
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(xml.split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite.get("name") == "leadsync deploy 0Af"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("time")) == ("3", "1", "1", "1.750")
    failed = suite.findall("testcase")[1]
    assert failed.get("classname") == "LeadLifecycleTest" and failed.get("time") == "1.500"
    assert failed.find("failure").get("message") == "Assertion failed"
    assert failed.find("failure").text == "Assertion failed\nat line 3"
    assert suite.findall("testcase")[2].find("skipped").get("message") == "not deployed"


def test_text_that_xml_cannot_hold_is_replaced_not_fatal():
    xml = to_junit("s", [JUnitCase("a\x01b", failure="bad \x00 byte & <tag>")])
    case = ET.fromstring(xml.split("\n", 1)[1]).find("testsuite/testcase")
    assert case.get("name") == "a\ufffdb"
    assert case.find("failure").text == "bad \ufffd byte & <tag>"


def test_empty_suite_is_valid():
    suite = ET.fromstring(to_junit("nothing", []).split("\n", 1)[1]).find("testsuite")
    assert suite.get("tests") == "0" and suite.findall("testcase") == []
