"""Salesforce's standard Lead page layout, `Lead-Lead Layout`, as a new Enterprise Edition org has it.

Written from the shape Salesforce retrieves for it (sections Lead Information, Address Information,
Additional Information, System Information, Description Information and the Custom Links area; quick
actions; related lists), with only standard fields: a fresh org has no custom ones. The local org
starts with it (`store.py`), so leadsync's layout patching meets what a real org holds.
"""

from __future__ import annotations

NAME = "Lead-Lead Layout"


def _items(behavior_fields: list[tuple[str, str]], indent: str = "            ") -> str:
    return "".join(
        f"{indent}<layoutItems>\n{indent}    <behavior>{b}</behavior>\n{indent}    <field>{f}</field>\n"
        f"{indent}</layoutItems>\n"
        for b, f in behavior_fields
    )


def _section(label: str, columns: list[list[tuple[str, str]]], style: str, edit_heading: bool = True) -> str:
    cols = "".join(
        f"        <layoutColumns>\n{_items(c)}        </layoutColumns>\n" if c else "        <layoutColumns/>\n"
        for c in columns
    )
    heading = "true" if edit_heading else "false"
    label_el = f"        <label>{label}</label>\n" if label else ""
    return (f"    <layoutSections>\n        <customLabel>false</customLabel>\n        <detailHeading>false</detailHeading>\n"
            f"        <editHeading>{heading}</editHeading>\n{label_el}{cols}        <style>{style}</style>\n"
            f"    </layoutSections>\n")


def _related(name: str, fields: list[str]) -> str:
    inner = "".join(f"        <fields>{f}</fields>\n" for f in fields)
    return f"    <relatedLists>\n{inner}        <relatedList>{name}</relatedList>\n    </relatedLists>\n"


QUICK_ACTIONS = ("FeedItem.TextPost", "FeedItem.ContentPost", "NewTask", "LogACall", "NewCase", "NewNote",
                 "NewEvent", "FeedItem.RypplePost", "FeedItem.LinkPost", "FeedItem.PollPost",
                 "FeedItem.QuestionPost", "SendEmail")


def layout_xml() -> bytes:
    sections = (
        _section("Lead Information", [
            [("Edit", "OwnerId"), ("Required", "Name"), ("Required", "Company"), ("Edit", "Title"),
             ("Edit", "LeadSource"), ("Edit", "Industry"), ("Edit", "AnnualRevenue")],
            [("Edit", "Phone"), ("Edit", "MobilePhone"), ("Edit", "Fax"), ("Edit", "Email"), ("Edit", "Website"),
             ("Required", "Status"), ("Edit", "Rating"), ("Edit", "NumberOfEmployees")],
        ], "TwoColumnsTopToBottom")
        + _section("Address Information", [[("Edit", "Address")], []], "TwoColumnsTopToBottom")
        + _section("Additional Information", [[], []], "TwoColumnsTopToBottom")
        + _section("System Information", [[("Readonly", "CreatedById")], [("Readonly", "LastModifiedById")]],
                   "TwoColumnsTopToBottom")
        + _section("Description Information", [[("Edit", "Description")]], "OneColumn")
        + _section("", [[]], "CustomLinks", edit_heading=False)
    )
    actions = "".join(
        f"        <quickActionListItems>\n            <quickActionName>{a}</quickActionName>\n"
        f"        </quickActionListItems>\n" for a in QUICK_ACTIONS
    )
    related = (
        _related("RelatedActivityList", ["TASK.SUBJECT", "TASK.WHO_NAME", "ACTIVITY.TASK", "TASK.DUE_DATE",
                                         "TASK.STATUS", "TASK.PRIORITY", "CORE.USERS.FULL_NAME"])
        + _related("RelatedHistoryList", ["TASK.SUBJECT", "TASK.WHO_NAME", "ACTIVITY.TASK", "TASK.DUE_DATE",
                                          "CORE.USERS.FULL_NAME", "TASK.LAST_UPDATE"])
        + _related("RelatedCampaignList", ["CAMPAIGN.NAME", "CAMPAIGN.START_DATE", "CAMPAIGN.CAMPAIGN_TYPE",
                                           "CM.STATUS", "CM.RESPONDED", "CM.LAST_UPDATE"])
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Layout xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <emailDefault>false</emailDefault>\n"
        "    <headers>PersonalTagging</headers>\n"
        "    <headers>PublicTagging</headers>\n"
        f"{sections}"
        f"    <quickActionList>\n{actions}    </quickActionList>\n"
        f"{related}"
        "    <runAssignmentRulesDefault>false</runAssignmentRulesDefault>\n"
        "    <showEmailCheckbox>true</showEmailCheckbox>\n"
        "    <showHighlightsPanel>false</showHighlightsPanel>\n"
        "    <showInteractionLogPanel>false</showInteractionLogPanel>\n"
        "    <showRunAssignmentRulesCheckbox>true</showRunAssignmentRulesCheckbox>\n"
        "    <showSubmitAndAttachButton>false</showSubmitAndAttachButton>\n"
        "</Layout>\n"
    )
    return text.encode("utf-8")
