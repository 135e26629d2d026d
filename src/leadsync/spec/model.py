"""The spec as a typed model: every key of ../shared/spec-format.md with its defaults.

The model checks shape and types only. Cross-references (a transition naming an undeclared status,
duplicate values, API names...) are lint rules in `spec/lint/`, because they need the spans of the
YAML nodes to report `file:line:col`. Unknown keys are errors (`extra="forbid"`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StrictBool, Tag, field_validator, model_validator

Scalar = Union[StrictBool, int, float, str]
Text = Annotated[str, Field(min_length=1)]  # names, values and labels: an empty one renders empty XML
Values = Annotated[list[Text], Field(min_length=1)]  # "one of these": an empty list could never match


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class StageField(_Strict):
    name: str = Field("Lead_Stage__c", description='API name of the stage picklist on Lead.')
    label: str = Field("Lead Stage", description="The field's label in Salesforce.")
    description: str | None = Field(None, description="The field's description in Setup.")
    track_history: StrictBool = Field(
        True, description="Track the field's history (counts toward Salesforce's 20 tracked fields per object).",
    )
    stamp_dates: StrictBool = Field(
        False, description='One DateTime field per stage, set the first time a lead enters that stage.',
    )
    # status -> stage for existing leads without a stage (deploy runs it; docs/spec.md says which issue)
    backfill: dict[str, str] = Field(
        default_factory=dict, description='At deploy, existing leads with no stage get one: status value -> stage value; other statuses get the default stage.',
    )


class Stage(_Strict):
    value: Text = Field(description="The picklist value's API name (fullName); at most 255 characters.")
    label: Text | None = Field(None, description='What users see; defaults to the value.')
    description: str | None = Field(None, description='What the stage means, for the handbook and Setup.')
    hubspot: str | None = Field(None, description='The HubSpot lifecycle stage this stage mirrors.')
    default: StrictBool = Field(
        False, description='The stage a new lead gets (at most one; default: the first stage).',
    )

    @property
    def display_label(self) -> str:
        return self.label or self.value


class Status(_Strict):
    value: Text = Field(description="The LeadStatus value's API name (fullName); at most 255 characters.")
    label: Text | None = Field(None, description='What users see; defaults to the value.')
    description: str | None = Field(None, description='What the status means, for the handbook and Setup.')
    default: StrictBool = Field(False, description='The status a new lead gets; exactly one status is the default.')
    converted: StrictBool = Field(
        False, description='A converted status (lead conversion sets it); at least one is required.',
    )
    requires_reason: StrictBool = Field(
        False, description='The unqualified reason is required while a lead has this status.',
    )
    renamed_from: str | None = Field(
        None, description='An existing org value: at deploy, leads holding it move to this value, then it is deactivated.',
    )

    @property
    def display_label(self) -> str:
        return self.label or self.value


class UnqualifiedReasons(_Strict):
    field: str = Field("Unqualified_Reason__c", description='API name of the reason picklist on Lead.')
    label: str = Field("Unqualified Reason", description="The field's label in Salesforce.")
    description: str | None = Field(None, description="The field's description in Setup.")
    values: Values = Field(description='The reasons, in picklist order (an overlay replaces the list whole).')


class LeadProcess(_Strict):
    name: Text = Field(description='The lead process (BusinessProcess) name.')
    description: str | None = Field(None, description="The process's description in Setup.")
    statuses: Literal["all"] | Values = Field("all", description='`all`, or the status values this process offers.')
    default: str | None = Field(None, description="The process's default status; one of its statuses.")
    record_type: str | None = Field(
        None, description='A Lead record type that uses this process (created by leadsync).',
    )


class Guards(_Strict):
    forward_only_stages: StrictBool = Field(
        True, description='A validation rule: the stage never moves to an earlier stage.',
    )
    status_requires_stage: str | None = Field(
        None, description='A validation rule: any status other than the default needs this stage or later.',
    )
    bypass_permission: str | None = Field(
        None, description='A custom permission whose holders (admins, integrations) pass every guard; rendered with a permission set granting it.',
    )


# --- transition conditions (`when`) -------------------------------------------------------------

Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "is_null", "not_null", "contains"]


class StatusIs(_Strict):
    status: Text | Values = Field(description='Lead.Status is this value (or one of these values).')


class StageIs(_Strict):
    stage: Text | Values = Field(description='The stage field is this value (or one of these values).')


class Converted(_Strict):
    converted: StrictBool = Field(description='The lead is being converted (Lead.IsConverted).')


class Changed(_Strict):
    changed: str = Field(description='`status`, `stage` or any Lead field API name: the field changed in this save.')


class FieldCompare(_Strict):
    field: str = Field(description="Any Lead field's API name.")
    op: Op = Field(description='The comparison.')
    value: Scalar | None = Field(
        None, description='What to compare with; its YAML type decides the comparison (not needed for is_null, not_null).',
    )

    @model_validator(mode="after")
    def _value_needed(self) -> "FieldCompare":
        if self.value is None and self.op not in ("is_null", "not_null"):
            raise ValueError(f"op '{self.op}' needs a value")
        return self


class AnyOf(_Strict):
    any: list["Condition"] = Field(min_length=1, description='At least one of these conditions holds.')


_CONDITION_KEYS: dict[str, type[_Strict]] = {
    "status": StatusIs,
    "stage": StageIs,
    "converted": Converted,
    "changed": Changed,
    "field": FieldCompare,
    "any": AnyOf,
}


def _pick_condition(data: Any) -> str | None:
    """Discriminate a condition mapping by the key that names its kind."""
    if isinstance(data, BaseModel):
        for key, cls in _CONDITION_KEYS.items():
            if isinstance(data, cls):
                return key
        return None
    if isinstance(data, dict):
        for key in _CONDITION_KEYS:
            if key in data:
                return key
    return None


Condition = Annotated[
    Union[
        Annotated[StatusIs, Tag("status")],
        Annotated[StageIs, Tag("stage")],
        Annotated[Converted, Tag("converted")],
        Annotated[Changed, Tag("changed")],
        Annotated[FieldCompare, Tag("field")],
        Annotated[AnyOf, Tag("any")],
    ],
    Discriminator(
        _pick_condition,
        custom_error_type="condition",
        custom_error_message="a condition is one of {status}, {stage}, {converted}, {changed}, "
        "{field, op, value} or {any: [...]}",
    ),
]
AnyOf.model_rebuild()


class SetAction(_Strict):
    status: str | None = Field(None, description='The status to set.')
    stage: str | None = Field(None, description='The stage to set; automation never moves a stage backward.')
    fields: dict[str, Scalar | None] = Field(
        default_factory=dict, description='Literal values for other Lead fields (field API name -> value).',
    )


class Transition(_Strict):
    name: Text = Field(description="Unique; the flow decision's label.")
    description: str | None = Field(None, description='What the transition is for (the handbook shows it).')
    on: Literal["create", "update", "any"] = Field(
        "any", description='When it runs: on create, on update, or on any save.',
    )
    when: list[Condition] = Field(
        default_factory=list, description='Conditions that must all hold (AND; use `any:` for OR); none: always.',
    )
    set: SetAction = Field(description='What the transition sets.')


# --- scenarios --------------------------------------------------------------------------------


class Expect(_Strict):
    stage: str | None = Field(None, description='The stage the lead must have after the step.')
    status: str | None = Field(None, description='The status the lead must have after the step.')
    fields: dict[str, Scalar | None] = Field(
        default_factory=dict, description='Other field values the lead must have (field API name -> value).',
    )
    error: StrictBool | str | None = Field(
        None, description='`true`: the save must fail with a validation error; a text: one whose rule name or message contains it.',
    )


class Step(_Strict):
    create: dict[str, Scalar | None] | None = Field(
        None, description="Create the scenario's lead with these field values.",
    )
    update: dict[str, Scalar | None] | None = Field(None, description='Update the lead with these field values.')
    convert: dict[str, Scalar | None] | None = Field(
        None, description='Convert the lead (with the first converted status).',
    )
    expect: Expect = Field(default_factory=Expect, description='What must hold after the step.')

    @model_validator(mode="after")
    def _exactly_one_action(self) -> "Step":
        given = [k for k in ("create", "update", "convert") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a step is exactly one of create, update or convert")
        return self

    @property
    def action(self) -> str:
        return next(k for k in ("create", "update", "convert") if getattr(self, k) is not None)


class Scenario(_Strict):
    name: Text = Field(description='Unique; names the test.')
    description: str | None = Field(None, description='What the scenario shows.')
    steps: list[Step] = Field(min_length=1, description='The steps, in order, on one lead.')


# --- the spec ---------------------------------------------------------------------------------


class Spec(_Strict):
    leadsync: Literal[1] = Field(description='The format version: 1.')
    name: Text = Field(description='A short name; prefixes generated API names where needed.')
    description: str | None = Field(None, description='What this lifecycle is for.')
    api_version: str = Field("63.0", description='The Metadata API version of the rendered package.')
    stage_field: StageField = Field(default_factory=StageField, description='The stage picklist on Lead.')
    stages: list[Stage] = Field(min_length=2, description='The stages, first to last (at least 2).')
    statuses: list[Status] = Field(min_length=2, description='The LeadStatus values, in picklist order (at least 2).')
    unqualified_reasons: UnqualifiedReasons | None = Field(None, description='The unqualified reason picklist.')
    lead_processes: list[LeadProcess] = Field(
        default_factory=list, description='Lead processes (BusinessProcess on Lead); default: one process with every status.',
    )
    guards: Guards = Field(default_factory=Guards, description='Validation rules.')
    layouts: Literal["all", "none"] | Values = Field(
        "all", description='Lead page layouts that show the generated fields: `all`, `none`, or layout names; existing layouts are patched, never replaced.',
    )
    transitions: list[Transition] = Field(
        default_factory=list, description='The automation, compiled into one before-save record-triggered flow on Lead; runs in the order written.',
    )
    scenarios: list[Scenario] = Field(
        default_factory=list, description='Lifecycle tests: run by `leadsync test`, rendered as an Apex test class.',
    )

    @field_validator("leadsync", mode="before")
    @classmethod
    def _format_version_is_a_number(cls, value: Any) -> Any:
        if isinstance(value, bool):  # `Literal[1]` alone lets `true` through, since True == 1
            raise ValueError("the format version is the number 1 (write `leadsync: 1`)")
        return value

    # Derived views used by rendering, docs and the local org's interpreter.

    @property
    def default_stage(self) -> Stage:
        return next((s for s in self.stages if s.default), self.stages[0])

    @property
    def default_status(self) -> Status:
        return next(s for s in self.statuses if s.default)

    @property
    def converted_statuses(self) -> list[Status]:
        return [s for s in self.statuses if s.converted]

    def stage_rank(self, value: str) -> int:
        """1-based position of a stage; 0 for an unknown value (matches the rendered formulas)."""
        for i, s in enumerate(self.stages, start=1):
            if s.value == value:
                return i
        return 0

    @property
    def effective_lead_processes(self) -> list[LeadProcess]:
        """The declared processes, or the one default process with every status."""
        if self.lead_processes:
            return list(self.lead_processes)
        return [LeadProcess(name=f"{self.name} Lead Process", statuses="all")]

    def process_statuses(self, process: LeadProcess) -> list[Status]:
        if process.statuses == "all":
            return list(self.statuses)
        wanted = set(process.statuses)
        return [s for s in self.statuses if s.value in wanted]
