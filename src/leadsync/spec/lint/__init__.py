"""Lint rules over a valid-shaped spec: one rule per module, each with its code, a docstring
showing a bad and a good example, and `check(spec, locator)` yielding diagnostics.

The registry is this explicit tuple (yamllint's `rules/__init__.py`): adding a rule is one line here.
"""

from __future__ import annotations

from importlib import import_module

from leadsync.diagnostics import Diagnostic
from leadsync.spec.locate import Locator
from leadsync.spec.model import Spec

_RULE_MODULES = (
    "ls020_duplicates",
    "ls021_default_status",
    "ls022_converted_status",
    "ls023_default_stage",
    "ls024_undeclared_reference",
    "ls025_renamed_from",
    "ls026_api_name",
    "ls027_custom_field_suffix",
    "ls028_text_length",
    "ls029_backward_stage",
    "ls030_too_many_statuses",
    "ls031_reason_without_reasons",
    "ls032_api_version",
    "ls033_description_length",
    "ls034_hubspot_stage",
    "ls035_duplicate_label",
    "ls036_empty_transition",
    "ls037_process_name",
    "ls038_xml_characters",
    "ls039_field_name_clash",
    "ls040_set_managed_field",
    "ls041_value_spaces",
    "ls042_unknown_lead_field",
    "ls043_lead_field_value",
    "ls044_read_only_lead_field",
    "ls045_process_converted_status",
    "ls046_process_default_status",
    "ls050_converted_status_transition",
    "ls051_never_fires",
    "ls052_conflicting_stages",
    "ls053_guard_blocks_status",
    "ls054_unreachable_stage",
    "ls055_create_overwrites_status",
    "ls056_create_refused",
)
RULES = tuple(import_module(f"{__name__}.{name}") for name in _RULE_MODULES)


def run(spec: Spec, locator: Locator) -> list[Diagnostic]:
    return [d for rule in RULES for d in rule.check(spec, locator)]
