"""At deploy, a flow naming a resource it does not have (in a condition, a value or an assignment) is
refused, as Salesforce refuses it; globals, the flow's own resources and elements (any letter case)
and record variables' fields are accepted (issue 8: "references to flow elements or resources that do
not exist")."""

from __future__ import annotations

import pytest

from localorg_pkg import assignment, deploy_and_wait, flow
from test_localorg_deploy import failures, package


def decision(left: str, right_ref: str) -> str:
    return ("<decisions><name>D</name><label>D</label><locationX>0</locationX><locationY>0</locationY>"
            "<defaultConnectorLabel>o</defaultConnectorLabel><rules><name>R</name><conditionLogic>and</conditionLogic>"
            f"<conditions><leftValueReference>{left}</leftValueReference><operator>EqualTo</operator>"
            f"<rightValue><elementReference>{right_ref}</elementReference></rightValue></conditions>"
            "<connector><targetReference>A</targetReference></connector><label>R</label></rules></decisions>")


FORMULA = ("<formulas><name>Company_Name</name><dataType>String</dataType>"
           "<expression>{!$Record.Company}</expression></formulas>")


@pytest.mark.parametrize("body, missing", [
    (decision("Missing_Var", "$Record.Company") + assignment("A", "Status", "New"), "Missing_Var"),
    (decision("$Record.Company", "No_Such_Formula") + assignment("A", "Status", "New"), "No_Such_Formula"),
    (assignment("A", "Status", "New").replace("$Record.Status", "Ghost_Var"), "Ghost_Var"),
])
def test_a_reference_to_a_resource_the_flow_lacks_is_refused(local_org, sf_client, body, missing):
    start = "D" if body.startswith("<decisions>") else "A"
    r = deploy_and_wait(sf_client(local_org), package(extra={"flows/F.flow": flow("F", start, body)}))
    owner = "D" if start == "D" else "A"
    assert failures(r) == [("Flow", "F", f'The "{owner}" element references "{missing}", which does not exist in this flow')]


def test_globals_resources_and_elements_are_references_that_exist(local_org, sf_client):
    body = (decision("company_name", "$Record__Prior.Company") + FORMULA
            + decision("$GlobalConstant.True", "R").replace("<name>D</name>", "<name>D2</name>")
              .replace("<name>R</name>", "<name>R2</name>")
            + assignment("A", "Status", "New"))
    r = deploy_and_wait(sf_client(local_org), package(extra={"flows/F.flow": flow("F", "D", body)}))
    assert r["status"] == "Succeeded", failures(r)
