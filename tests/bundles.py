"""Helpers over the metadata model shared by the render, metadata and local-org tests."""

from __future__ import annotations

from dataclasses import replace

from leadsync.metadata import model as m


def by_name(bundle: m.Bundle) -> m.Bundle:
    """Every list of components sorted by fullName: the order a retrieve or a second layout gives them."""
    def ordered(items):
        return tuple(sorted(items, key=lambda x: x.full_name))

    lead = bundle.lead
    return replace(
        bundle,
        lead=replace(lead, fields=ordered(lead.fields), business_processes=ordered(lead.business_processes),
                     record_types=ordered(lead.record_types), validation_rules=ordered(lead.validation_rules)),
        flows=ordered(bundle.flows),
        permission_sets=ordered(bundle.permission_sets),
    )


def walk(flow: m.Flow) -> list[str]:
    """Element names reachable from start, depth-first, every connector followed; a connector to a
    missing element fails the test."""
    seen, todo = [], [flow.start.connector]
    while todo:
        name = todo.pop()
        if name is None or name in seen:
            continue
        seen.append(name)
        element = flow.element(name)
        assert element is not None, f"connector to a missing element {name!r}"
        if isinstance(element, m.FlowDecision):
            todo += [element.default_connector, *(r.connector for r in element.rules)]
        else:
            todo.append(element.connector)
    return seen
