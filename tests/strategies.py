"""Hypothesis strategies over the spec format, shared by the spec and render property tests."""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = ("Lead", "Mql", "Sales", "New", "Open", "Working", "Won", "Lost", "Nurture", "Bad Timing", "Customer",
         "Qualified", "True", "No", "Null", "On", "Yes", "Hot", "Cold", "Partner", "Inbound", "Evangelist")
NAME = st.sampled_from(WORDS)
API = st.sampled_from(("Rating", "Lead_Score__c", "Industry", "Became_Customer__c", "Status", "Region__c"))
SCALAR = st.one_of(st.booleans(), st.integers(-1000, 1000), NAME)
OPS = ["eq", "ne", "gt", "gte", "lt", "lte", "contains"]
FIELD_VALUES = {"Rating": st.sampled_from(("Hot", "Warm", "Cold")),
                "Industry": st.sampled_from(("Banking", "Retail", "Technology"))}


# --- strategies over the model --------------------------------------------------------------------


@st.composite
def conditions(draw, statuses, stages, api, depth=0):
    kinds = ["status", "statuses", "converted", "changed", "field", "null"] + (["stage"] if stages else [])
    kinds += ["any"] if depth < 2 else []
    kind = draw(st.sampled_from(kinds))
    if kind == "status":
        return {"status": draw(st.sampled_from(statuses))}
    if kind == "statuses":
        return {"status": draw(st.lists(st.sampled_from(statuses), min_size=1, max_size=3))}
    if kind == "stage":
        return {"stage": draw(st.sampled_from(stages))}
    if kind == "converted":
        return {"converted": draw(st.booleans())}
    if kind == "changed":
        return {"changed": draw(st.sampled_from(["status", "stage", draw(api)]))}
    if kind == "field":
        field = draw(api)
        # A standard field's value fits its type and picklist (LS043); a custom field takes any scalar.
        value = draw(st.sampled_from(statuses) if field == "Status" else FIELD_VALUES.get(field, SCALAR))
        return {"field": field, "op": draw(st.sampled_from(OPS)), "value": value}
    if kind == "null":
        return {"field": draw(api), "op": draw(st.sampled_from(["is_null", "not_null"]))}
    return {"any": draw(st.lists(conditions(statuses, stages, api, depth + 1), min_size=1, max_size=3))}


@st.composite
def valid_specs(draw) -> dict:
    """A spec that is right by construction: unique names, one default status, declared references."""
    stages = draw(st.lists(NAME, min_size=2, max_size=6, unique=True))
    statuses = draw(st.lists(NAME, min_size=2, max_size=8, unique=True))
    default = draw(st.integers(0, len(statuses) - 1))
    converted = draw(st.sets(st.integers(0, len(statuses) - 1), min_size=1))
    reasons = draw(st.booleans())
    spec: dict = {
        "leadsync": 1,
        "name": draw(NAME),
        "api_version": draw(st.sampled_from(["63.0", "61.0"])),
        "stages": [{"value": v} for v in stages],
        "statuses": [
            {"value": v, **({"default": True} if i == default else {}), **({"converted": True} if i in converted else {}),
             **({"requires_reason": True} if reasons and i != default and draw(st.booleans()) else {})}
            for i, v in enumerate(statuses)
        ],
    }
    if reasons:
        spec["unqualified_reasons"] = {"values": draw(st.lists(NAME, min_size=1, max_size=4, unique=True))}
    if draw(st.booleans()):
        spec["stages"][draw(st.integers(0, len(stages) - 1))]["default"] = True
    if draw(st.booleans()):
        spec["guards"] = {"status_requires_stage": draw(st.sampled_from(stages))}
    processes = []
    for name in draw(st.lists(NAME, max_size=3, unique=True)):
        own = draw(st.one_of(st.just("all"), st.lists(st.sampled_from(statuses), min_size=1, unique=True)))
        if own != "all":  # every process has a converted status (LS045) and the default status (LS046)
            own = [v for i, v in enumerate(statuses) if v in own or i == default or i == min(converted)]
        process = {"name": name, "statuses": own}
        if draw(st.booleans()):
            process["default"] = draw(st.sampled_from(statuses if own == "all" else own))
        processes.append(process)
    if processes:
        spec["lead_processes"] = processes
    transitions = []
    for name in draw(st.lists(NAME, max_size=4, unique=True)):
        action = {}
        if draw(st.booleans()):
            action["status"] = draw(st.sampled_from(statuses))
        if draw(st.booleans()) or not action:
            action["stage"] = draw(st.sampled_from(stages))
        # Stage conditions only where nothing sets the stage: a stage condition after a later
        # stage would be a (deliberate) backward move, LS029.
        when = draw(st.lists(conditions(statuses, [] if "stage" in action else stages, API), max_size=3))
        # No create transition sets a status: a guard may refuse every lead it fires on (LS056).
        on = draw(st.sampled_from(["update", "any"] if "status" in action else ["create", "update", "any"]))
        transitions.append({"name": name, "on": on, "when": when, "set": action})
    if transitions:
        spec["transitions"] = transitions
    scenarios = []
    for name in draw(st.lists(NAME, max_size=2, unique=True)):
        steps = [{"create": {"LastName": draw(NAME)}, "expect": {"status": draw(st.sampled_from(statuses))}},
                 {"update": {"Status": draw(st.sampled_from(statuses))}, "expect": {"stage": draw(st.sampled_from(stages))}}]
        scenarios.append({"name": name, "steps": steps})
    if scenarios:
        spec["scenarios"] = scenarios
    return spec
