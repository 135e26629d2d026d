"""Small Metadata API packages for the local org's tests, and a deploy-and-wait through simple-salesforce."""

from __future__ import annotations

import io
import time
import xml.etree.ElementTree as ET
import zipfile

NS = "http://soap.sforce.com/2006/04/metadata"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_MT = f"{{{NS}}}"


def lead_status(*values: tuple[str, bool, bool]) -> str:
    """(name, default, converted) each."""
    body = "".join(
        f"<standardValue><fullName>{n}</fullName><default>{str(d).lower()}</default><label>{n}</label>"
        f"<converted>{str(c).lower()}</converted></standardValue>"
        for n, d, c in values
    )
    return f'{HEAD}<StandardValueSet xmlns="{NS}"><sorted>false</sorted>{body}</StandardValueSet>'


STATUSES = lead_status(("New", True, False), ("Working", False, False), ("Qualified", False, True))


def business_process(name: str, *values: tuple[str, bool]) -> str:
    body = "".join(f"<values><fullName>{v}</fullName><default>{str(d).lower()}</default></values>" for v, d in values)
    return f"<businessProcesses><fullName>{name}</fullName><isActive>true</isActive>{body}</businessProcesses>"


def record_type(name: str, process: str) -> str:
    return (f"<recordTypes><fullName>{name}</fullName><active>true</active><businessProcess>{process}"
            f"</businessProcess><label>{name}</label></recordTypes>")


def picklist_field(name: str, *values: str) -> str:
    body = "".join(f"<value><fullName>{v}</fullName><default>false</default><label>{v}</label></value>" for v in values)
    return (f"<fields><fullName>{name}</fullName><label>{name}</label><type>Picklist</type><valueSet>"
            f"<restricted>true</restricted><valueSetDefinition><sorted>false</sorted>{body}</valueSetDefinition>"
            f"</valueSet></fields>")


def validation_rule(name: str, formula: str) -> str:
    return (f"<validationRules><fullName>{name}</fullName><active>true</active>"
            f"<errorConditionFormula>{formula}</errorConditionFormula><errorMessage>No</errorMessage></validationRules>")


def lead_object(*children: str) -> str:
    return f'{HEAD}<CustomObject xmlns="{NS}">{"".join(children)}</CustomObject>'


def flow(name: str, start_target: str, elements: str) -> str:
    return (f'{HEAD}<Flow xmlns="{NS}"><apiVersion>63.0</apiVersion>{elements}<label>{name}</label>'
            f"<processType>AutoLaunchedFlow</processType><start><locationX>0</locationX><locationY>0</locationY>"
            f"<connector><targetReference>{start_target}</targetReference></connector><object>Lead</object>"
            f"<recordTriggerType>CreateAndUpdate</recordTriggerType><triggerType>RecordBeforeSave</triggerType>"
            f"</start><status>Active</status></Flow>")


def assignment(name: str, field: str, value: str, connector: str | None = None) -> str:
    nxt = f"<connector><targetReference>{connector}</targetReference></connector>" if connector else ""
    return (f"<assignments><name>{name}</name><label>{name}</label><locationX>0</locationX><locationY>0</locationY>"
            f"<assignmentItems><assignToReference>$Record.{field}</assignToReference><operator>Assign</operator>"
            f"<value><stringValue>{value}</stringValue></value></assignmentItems>{nxt}</assignments>")


def manifest(types: dict[str, list[str]], version: str = "63.0") -> str:
    body = "".join(
        "<types>" + "".join(f"<members>{m}</members>" for m in members) + f"<name>{name}</name></types>"
        for name, members in sorted(types.items())
    )
    return f'{HEAD}<Package xmlns="{NS}">{body}<version>{version}</version></Package>'


def zipped(files: dict[str, str | bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    buf.seek(0)
    return buf


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def deploy(sf, files: dict[str, str | bytes], **options) -> str:
    options.setdefault("rollbackOnError", True)
    deploy_id, state = sf.mdapi.deploy(zipped(files), sandbox=True, **options)
    assert state == "Queued"
    return deploy_id


def result(sf, deploy_id: str) -> dict:
    """checkDeployStatus with details, as a dict; failures and successes as lists of dicts."""
    el = sf.mdapi._retrieve_deploy_result(deploy_id)

    def flat(node) -> dict:
        return {c.tag.removeprefix(_MT): c.text for c in node}

    out = flat(el)
    out["failures"] = [flat(f) for f in el.findall(f"{_MT}details/{_MT}componentFailures")]
    out["successes"] = [flat(s) for s in el.findall(f"{_MT}details/{_MT}componentSuccesses")]
    return out


def wait(sf, deploy_id: str, seconds: float = 10) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r = result(sf, deploy_id)
        if r["done"] == "true":
            return r
        time.sleep(0.02)
    raise AssertionError(f"deploy {deploy_id} did not finish")


def deploy_and_wait(sf, files: dict[str, str | bytes], **options) -> dict:
    return wait(sf, deploy(sf, files, **options))


def retrieve(sf, types: dict[str, list[str]]) -> tuple[dict[str, bytes], list[dict]]:
    retrieve_id, _ = sf.mdapi.retrieve("unused", unpackaged=types, single_package=True)
    state, _, messages, data = sf.mdapi.retrieve_zip(retrieve_id)
    assert state == "Succeeded"
    return unzipped(data), messages


def element_text(xml: bytes, path: str) -> list[str]:
    return [e.text for e in ET.fromstring(xml).iterfind(path.replace("m:", _MT))]
