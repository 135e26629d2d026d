"""JUnit XML, the format CI systems show as test results.

`to_junit` is generic (deploy reports use it for components and Apex tests); `junit_for_specs`
makes one test case per spec file, failed when the file has errors, with the diagnostics as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from leadsync.diagnostics import Diagnostic
from leadsync.report.text import format_text

# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class JUnitCase:
    name: str
    classname: str = ""
    time: float = 0.0
    failure: str | None = None  # the failure's full text; None when the case passed
    failure_message: str | None = None  # a one-line summary; default: the failure's first line
    system_out: str | None = None
    skipped: str | None = None


def to_junit(suite_name: str, cases: Iterable[JUnitCase]) -> str:
    cases = list(cases)
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for c in cases if c.failure is not None)),
        "errors": "0",
        "skipped": str(sum(1 for c in cases if c.skipped is not None and c.failure is None)),
        "time": f"{sum(c.time for c in cases):.3f}",
    }
    root = ET.Element("testsuites", {"name": _clean(suite_name), **counts})
    suite = ET.SubElement(root, "testsuite", {"name": _clean(suite_name), **counts})
    for case in cases:
        element = ET.SubElement(suite, "testcase", {"name": _clean(case.name), "classname": _clean(case.classname),
                                                    "time": f"{case.time:.3f}"})
        if case.failure is not None:
            message = case.failure_message or (case.failure.splitlines() or [""])[0]
            failure = ET.SubElement(element, "failure", {"message": _clean(message), "type": "failure"})
            failure.text = _clean(case.failure)
        elif case.skipped is not None:
            ET.SubElement(element, "skipped", {"message": _clean(case.skipped)})
        if case.system_out:
            ET.SubElement(element, "system-out").text = _clean(case.system_out)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def junit_for_specs(per_file: Mapping[str, list[Diagnostic]], suite_name: str = "leadsync validate") -> str:
    cases = []
    for path, diagnostics in per_file.items():
        errors = [d for d in diagnostics if d.is_error]
        text = format_text(diagnostics)
        cases.append(JUnitCase(
            name=str(path),
            classname="leadsync.spec",
            failure=text if errors else None,
            failure_message=f"{len(errors)} error{'' if len(errors) == 1 else 's'}" if errors else None,
            system_out=text if diagnostics and not errors else None,
        ))
    return to_junit(suite_name, cases)


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
