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
    name: str = "Lead_Stage__c"
    label: str = "Lead Stage"
    description: str | None = None
    track_history: StrictBool = True
    stamp_dates: StrictBool = False
    # status -> stage for existing leads without a stage (deploy runs it; docs/spec.md says which issue)
    backfill: dict[str, str] = Field(default_factory=dict)


class Stage(_Strict):
    value: Text
    label: Text | None = None
    description: str | None = None
    hubspot: str | None = None
    default: StrictBool = False

    @property
    def display_label(self) -> str:
        return self.label or self.value


class Status(_Strict):
    value: Text
    label: Text | None = None
    description: str | None = None
    default: StrictBool = False
    converted: StrictBool = False
    requires_reason: StrictBool = False
    renamed_from: str | None = None

    @property
    def display_label(self) -> str:
        return self.label or self.value


class UnqualifiedReasons(_Strict):
    field: str = "Unqualified_Reason__c"
    label: str = "Unqualified Reason"
    description: str | None = None
    values: Values


class LeadProcess(_Strict):
    name: Text
    description: str | None = None
    statuses: Literal["all"] | Values = "all"
    default: str | None = None
    record_type: str | None = None


class Guards(_Strict):
    forward_only_stages: StrictBool = True
    status_requires_stage: str | None = None
    bypass_permission: str | None = None  # a custom permission's API name: its holders pass every guard


# --- transition conditions (`when`) -------------------------------------------------------------

Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "is_null", "not_null", "contains"]


class StatusIs(_Strict):
    status: Text | Values


class StageIs(_Strict):
    stage: Text | Values


class Converted(_Strict):
    converted: StrictBool


class Changed(_Strict):
    changed: str


class FieldCompare(_Strict):
    field: str
    op: Op
    value: Scalar | None = None

    @model_validator(mode="after")
    def _value_needed(self) -> "FieldCompare":
        if self.value is None and self.op not in ("is_null", "not_null"):
            raise ValueError(f"op '{self.op}' needs a value")
        return self


class AnyOf(_Strict):
    any: list["Condition"] = Field(min_length=1)


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
    status: str | None = None
    stage: str | None = None
    fields: dict[str, Scalar | None] = Field(default_factory=dict)


class Transition(_Strict):
    name: Text
    description: str | None = None
    on: Literal["create", "update", "any"] = "any"
    when: list[Condition] = Field(default_factory=list)
    set: SetAction


# --- scenarios --------------------------------------------------------------------------------


class Expect(_Strict):
    stage: str | None = None
    status: str | None = None
    fields: dict[str, Scalar | None] = Field(default_factory=dict)
    error: StrictBool | str | None = None


class Step(_Strict):
    create: dict[str, Scalar | None] | None = None
    update: dict[str, Scalar | None] | None = None
    convert: dict[str, Scalar | None] | None = None
    expect: Expect = Field(default_factory=Expect)

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
    name: Text
    description: str | None = None
    steps: list[Step] = Field(min_length=1)


# --- the spec ---------------------------------------------------------------------------------


class Spec(_Strict):
    leadsync: Literal[1]
    name: Text
    description: str | None = None
    api_version: str = "63.0"
    stage_field: StageField = Field(default_factory=StageField)
    stages: list[Stage] = Field(min_length=2)
    statuses: list[Status] = Field(min_length=2)
    unqualified_reasons: UnqualifiedReasons | None = None
    lead_processes: list[LeadProcess] = Field(default_factory=list)
    guards: Guards = Field(default_factory=Guards)
    layouts: Literal["all", "none"] | Values = "all"  # Lead page layouts that show the generated fields
    transitions: list[Transition] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)

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
