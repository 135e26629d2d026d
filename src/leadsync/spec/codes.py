"""The catalogue of diagnostic codes: one place says what each code means and what to do about it.

Severity lives here, not at the call site, so a code is always an error or always a warning.
docs/diagnostics.md is `render_markdown()` written out (a test keeps the two equal).
"""

from __future__ import annotations

from leadsync.diagnostics import Diagnostic, Severity, Span

E, W = Severity.ERROR, Severity.WARNING


class Code:
    __slots__ = ("code", "title", "severity", "help")

    def __init__(self, code: str, title: str, severity: Severity, help: str):
        self.code, self.title, self.severity, self.help = code, title, severity, help


_ALL = (
    # --- reading the file -------------------------------------------------------------------
    Code("LS001", "cannot read the spec file", E,
         "The path does not exist, is a folder, or cannot be opened. Check the path you passed "
         "(it is relative to the current folder)."),
    Code("LS002", "spec file too large", E,
         "A spec is a small hand-written file; leadsync refuses files over 1 MB without reading "
         "them. Check that you passed the right file."),
    Code("LS003", "not UTF-8 text", E,
         "Save the file as UTF-8. The message gives the line and column of the first byte that is "
         "not UTF-8."),
    Code("LS004", "empty spec", E,
         "The file holds no YAML document. Start from a preset: `leadsync init --preset lifecycle`."),
    Code("LS005", "YAML syntax error", E,
         "Fix the YAML at the given line and column (an unclosed quote or bracket, a missing `:`, "
         "a wrongly indented line, an undefined alias...)."),
    Code("LS006", "tab used for indentation", E,
         "YAML indents with spaces only. Replace the tab at the given place with spaces."),
    Code("LS007", "duplicate key", E,
         "A key appears twice in the same mapping; YAML would silently keep only one of them. "
         "Remove or merge one of the two."),
    Code("LS008", "YAML too complex", E,
         "The document nests too deeply or its anchors and aliases expand to too many nodes (an "
         "'alias bomb'). Write the values out; a spec needs neither."),
    Code("LS009", "unsupported YAML", E,
         "The spec is one YAML document of plain mappings, lists and scalars: keys are text, and "
         "tags other than the standard ones (`!!str`, `!!int`...) are refused."),
    # --- shape (the model) ------------------------------------------------------------------
    Code("LS010", "unknown key", E,
         "The key is not part of the spec format at this place; usually a typo. The message "
         "suggests the closest known key."),
    Code("LS011", "wrong type", E,
         "The value has the wrong type (text, number, true/false, list or mapping). Text that "
         "looks like a number must be quoted, e.g. `api_version: \"63.0\"`. Specs are read as YAML "
         "1.2: only `true` and `false` are booleans; `yes`, `no`, `on` and `off` are text."),
    Code("LS012", "missing required key", E,
         "Add the key the message names (see docs/spec.md for every key)."),
    Code("LS013", "invalid value", E,
         "The value is of the right type but not allowed here: not one of the listed choices, a "
         "list with too few items, an unsupported format version, a condition or step of no known "
         "kind."),
    # --- extends ----------------------------------------------------------------------------
    Code("LS015", "base spec not found", E,
         "`extends` names a file that does not exist or cannot be read. The path is relative to "
         "the file that contains `extends`."),
    Code("LS016", "extends cycle", E,
         "The chain of `extends` comes back to a file already in it, or is deeper than 10 files. "
         "Remove one `extends`."),
    Code("LS017", "overlay target not found", E,
         "`after:`, `before:` or `remove: true` names an item the base does not declare. Use a "
         "`value` (stages, statuses) or `name` (lead_processes, transitions) of the base."),
    Code("LS018", "conflicting overlay placement", E,
         "An item has both `after:` and `before:`; keep one."),
    # --- lint rules -------------------------------------------------------------------------
    Code("LS020", "duplicate value or name", E,
         "Stage and status values, process, transition and scenario names, unqualified reasons "
         "and record types must be unique. Picklist values (stages, statuses, unqualified reasons) that "
         "differ only in letter case (`MQL` / `mql`) are one value to Salesforce, so they are duplicates "
         "too. Remove or rename one."),
    Code("LS021", "default status", E,
         "Exactly one status has `default: true`: the status a new lead gets."),
    Code("LS022", "no converted status", E,
         "Salesforce converts leads into a status with `converted: true`; mark at least one."),
    Code("LS023", "more than one default stage", E,
         "At most one stage has `default: true` (without one, the first stage is the default)."),
    Code("LS024", "undeclared reference", E,
         "A transition, process, guard or scenario names a status, stage or process that the spec "
         "does not declare (or a process default that is not among its statuses). Fix the spelling "
         "or declare it."),
    Code("LS025", "renamed_from is a declared value", E,
         "`renamed_from` names an old org value that leads move away from; it cannot also be a "
         "value the spec declares. Remove `renamed_from` or the other value."),
    Code("LS026", "invalid API name", E,
         "API names match `^[A-Za-z][A-Za-z0-9_]*$`, have no double underscore except the `__c` "
         "suffix, and have at most 40 characters before `__c`."),
    Code("LS027", "custom field without __c", E,
         "Fields that leadsync creates (`stage_field.name`, `unqualified_reasons.field`) are custom "
         "fields; their API names end with `__c`."),
    Code("LS028", "text too long", E,
         "Picklist values and labels, process and transition names have at most 255 characters in "
         "Salesforce. Shorten it; put the details in `description`."),
    Code("LS029", "transition moves a stage backward", E,
         "The transition only runs when the stage is later than the stage it sets; stages never "
         "move backward, so it would do nothing. Remove it, or set a status instead."),
    Code("LS030", "too many statuses", W,
         "More than 8 statuses slows sales down (decision paralysis). Consider merging some; a "
         "warning, not an error."),
    Code("LS031", "requires_reason without unqualified_reasons", E,
         "A status with `requires_reason: true` needs the reason picklist: declare "
         "`unqualified_reasons` with its `values`."),
    Code("LS032", "invalid api_version", E,
         "`api_version` is a Metadata API version like \"63.0\" (quoted)."),
    Code("LS033", "description too long", W,
         "Salesforce keeps at most 1000 characters of a field or rule description; the rest would "
         "be cut."),
    Code("LS034", "unknown HubSpot lifecycle stage", W,
         "`hubspot` names one of HubSpot's lifecycle stages: subscriber, lead, "
         "marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, other."),
    Code("LS035", "duplicate label", W,
         "Two stages or two statuses show the same label; users could not tell them apart."),
    Code("LS036", "transition sets nothing", W,
         "The transition's `set` has no status, stage or fields; it does nothing."),
    Code("LS037", "unusable lead process name", E,
         "A lead process becomes a Salesforce BusinessProcess and, in the source layout, a file: its "
         "name has at most 80 characters, no leading or trailing space, and none of / \\ : * ? \" < > |. "
         "Without `lead_processes` the default process is `<name> Lead Process`, so `name` must fit too."),
    Code("LS038", "character XML cannot hold", E,
         "Every text of a spec is written into a metadata file, and XML 1.0 cannot hold control "
         "characters (other than tab and line breaks) or U+FFFE/U+FFFF. Remove the character."),
    Code("LS039", "stage and reason fields share a name", E,
         "The stage picklist and the unqualified-reason picklist are two fields and need two API names "
         "(Salesforce compares field names without case)."),
    Code("LS040", "set.fields writes the stage or the status", E,
         "Write the stage with `set: {stage: ...}` (which never moves it backward) and the status with "
         "`set: {status: ...}` (checked against the declared statuses), not through `fields`."),
    Code("LS041", "picklist value with leading or trailing spaces", E,
         "Salesforce trims picklist values, so the deployed value would not be the one the spec and its "
         "flow name. Remove the spaces (quote the value if it needs other punctuation)."),
    Code("LS042", "not a standard Lead field", E,
         "`set.fields`, `when: [{field: ...}]`, `changed:` and scenario steps name Lead fields by API name. "
         "A name without `__c` must be a standard Lead field (`Rating`, `LeadSource`, `AnnualRevenue`...); "
         "the message suggests the closest one. Custom fields end with `__c`; deploy checks them against the org."),
    Code("LS043", "wrong value for a standard Lead field", E,
         "The value does not fit the field: a number field (`AnnualRevenue`, `NumberOfEmployees`) needs a "
         "number, a date field `YYYY-MM-DD`, a checkbox `true` or `false`, a picklist (`Rating`, "
         "`LeadSource`, `Industry`, `Salutation`) one of its standard values, and `Status` a declared status."),
    Code("LS044", "read-only standard Lead field", E,
         "Salesforce sets system fields (`CreatedDate`, `IsConverted`...) and compound fields (`Name`, "
         "`Address`) itself; neither a flow nor a scenario step can write them. Write the parts "
         "(`FirstName`, `Street`...) instead."),
    Code("LS045", "lead process without a converted status", E,
         "Users of a lead process convert leads into one of its statuses marked `converted: true`; add one "
         "to the process's `statuses`."),
    Code("LS046", "lead process without the default status", E,
         "A transition gives new leads the spec's default status; a lead process without that status would "
         "refuse them. Add the default status to the process's `statuses`."),
    # --- the lifecycle itself (spec/lint/lifecycle.py) ----------------------------------------
    Code("LS050", "transition keyed on a converted status", W,
         "A lead holds a converted status only once it is converted, and by default Salesforce converts "
         "without running the Lead's flows: the transition fires at most during conversion. Key it on "
         "`{converted: true}` (leadsync then renders the Lead setting that runs the flow during conversion), "
         "or on a status sales sets before converting."),
    Code("LS051", "transition that can never fire", W,
         "Its conditions contradict each other (two statuses at once, on create and converted, a field both "
         "blank and filled, a converted lead with a status that is not converted) or name only statuses no "
         "lead process offers. Fix the conditions or remove the transition."),
    Code("LS052", "transitions that fire together set different stages", W,
         "Whenever one fires the other fires too, so one of the two stages never shows (the flow keeps the "
         "later one). Merge the transitions, or add a condition that tells them apart."),
    Code("LS053", "status a guard makes unreachable", W,
         "`guards.status_requires_stage` refuses the status below that stage, and no transition lifts the lead "
         "when the status is set (the flow runs before the guard): leads there cannot get it (a junk lead at "
         "stage Lead cannot be disqualified). Add a transition on that status that sets the stage, or lower "
         "or drop the guard."),
    Code("LS054", "stage nothing can reach", W,
         "A transition without conditions lifts every new lead (or every lead) to its stage, and stages only "
         "move forward, so the earlier stages can never be held. Drop the transition (the stage picklist's "
         "default already applies to new leads) or give it a condition."),
    Code("LS055", "create transition overwrites the status", W,
         "A transition `on: create` that sets `status` replaces the status a web-to-lead form, an import or an "
         "integration gave the lead. Drop `status` (the default status applies when none is given) or restrict "
         "the transition with `when: [{status: DEFAULT}]`."),
    Code("LS056", "create transition whose leads a guard refuses", E,
         "The transition gives new leads a status that a guard refuses on create (a status that requires a "
         "reason the transition does not set, or one `guards.status_requires_stage` refuses below a stage new "
         "leads do not reach), so every lead it fires on fails to save. Set the reason or the stage in the same "
         "`set`, or choose another status."),
    # --- rendering (raised by render/, listed here so every code has one page) ---------------
    Code("LS900", "rendered metadata breaks the Metadata API schema", E,
         "A rendered file does not match the Metadata API schema (XSD). This is a leadsync bug or a "
         "broken template override (`--templates`); the message names the file, line, element and "
         "template."),
    Code("LS901", "template error", E,
         "A template failed while rendering (a syntax error, an undefined name, an extends or include of "
         "a template that does not exist, printing nothing). "
         "Fix the template override named in the message, or report a leadsync bug."),
    Code("LS902", "formula over Salesforce's length limit", E,
         "Salesforce refuses a validation rule or flow formula over 3,900 characters. leadsync already "
         "renders the shortest formula it can; the guard or transition named has too many or too long "
         "stage or status values to fit. Shorten the values (labels may stay long) or use fewer of them."),
)

CODES: dict[str, Code] = {c.code: c for c in _ALL}


def diag(code: str, message: str, span: Span) -> Diagnostic:
    """A diagnostic with the catalogue's severity for `code`."""
    return Diagnostic(code, CODES[code].severity, message, span)


def render_markdown() -> str:
    """docs/diagnostics.md: every code with its severity and what to do."""
    lines = [
        "# Diagnostics",
        "",
        "`leadsync validate` reports each finding as `PATH:LINE:COL: error|warning CODE: message`.",
        "Errors fail validation (exit code 1); warnings do not. Line and column are 1-based and point",
        "at the file that set the value (a base spec or its overlay). A problem with the whole file (empty,",
        "unreadable, not found) is reported at `1:1`.",
        "",
        "This page is generated from `src/leadsync/spec/codes.py`.",
        "",
    ]
    for c in _ALL:
        lines += [f"## {c.code}: {c.title}", "", f"*{c.severity.value}*. {c.help}", ""]
    return "\n".join(lines)
