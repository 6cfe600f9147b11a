"""Standard objects about selling: Campaign, CampaignMember, Task, Opportunity, roles, lead history."""

from __future__ import annotations

from .fields import (
    area,
    boolean,
    date,
    datetime,
    integer,
    number,
    owner,
    pick,
    ref,
    text,
)
from .picklists import LEAD_SOURCE, MEMBER_STATUS, STAGES, TASK_STATUS
from .sobject import standard

CAMPAIGN = standard(
    "Campaign",
    "Campaign",
    "Campaigns",
    [
        text("Name", 80, "Campaign Name", required=True, name_field=True),
        ref("ParentId", "Campaign", "Parent Campaign ID", relationship="Parent"),
        pick(
            "Type",
            (
                "Conference",
                "Webinar",
                "Trade Show",
                "Public Relations",
                "Partners",
                "Referral Program",
                "Advertisement",
                "Banner Ads",
                "Direct Mail",
                "Email",
                "Telemarketing",
                "Other",
            ),
        ),
        pick("Status", ("Planned", "In Progress", "Completed", "Aborted")),
        date("StartDate", "Start Date"),
        date("EndDate", "End Date"),
        number("ExpectedRevenue", 18, 0, "Expected Revenue in Campaign", type_="currency"),
        number("BudgetedCost", 18, 0, "Budgeted Cost in Campaign", type_="currency"),
        number("ActualCost", 18, 0, "Actual Cost in Campaign", type_="currency"),
        boolean("IsActive", "Active"),
        area("Description", 32000),
        integer("NumberOfLeads", "Leads in Campaign", readonly=True),
        integer("NumberOfContacts", "Contacts in Campaign", readonly=True),
        integer("NumberOfResponses", "Responses in Campaign", readonly=True),
        owner(("User",)),
    ],
)

CAMPAIGN_MEMBER = standard(
    "CampaignMember",
    "Campaign Member",
    "Campaign Members",
    [
        ref("CampaignId", "Campaign", "Campaign ID", required=True, updateable=False),
        ref("LeadId", "Lead", "Lead ID", updateable=False),
        ref("ContactId", "Contact", "Contact ID", updateable=False),
        pick("Status", MEMBER_STATUS, default="Sent"),
        boolean("HasResponded", "Responded", readonly=True),
        date("FirstRespondedDate", "First Responded Date", readonly=True),
        pick("Type", ("Lead", "Contact"), readonly=True),
    ],
)

TASK = standard(
    "Task",
    "Task",
    "Tasks",
    [
        ref("WhoId", ("Contact", "Lead"), "Name ID", relationship="Who"),
        ref("WhatId", ("Account", "Opportunity", "Campaign"), "Related To ID", relationship="What"),
        text("Subject", 255, type_="combobox", values=("Call", "Send Letter", "Send Quote", "Other")),
        date("ActivityDate", "Due Date Only"),
        pick("Status", TASK_STATUS, restricted=True, required=True, default="Not Started"),
        pick("Priority", ("High", "Normal", "Low"), restricted=True, required=True, default="Normal"),
        owner(("User",)),
        area("Description", 32000),
        pick("Type", ("Call", "Email", "Meeting", "Other")),
        pick(
            "TaskSubtype",
            ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
            "Task Subtype",
            restricted=True,
            updateable=False,
        ),
        boolean("IsClosed", "Closed", readonly=True),
        datetime("CompletedDateTime", "Completed Date/Time", readonly=True),
        ref("AccountId", "Account", "Account ID", readonly=True),
        integer("CallDurationInSeconds", "Call Duration"),
        pick("CallType", ("Internal", "Inbound", "Outbound"), "Call Type"),
    ],
)

OPPORTUNITY = standard(
    "Opportunity",
    "Opportunity",
    "Opportunities",
    [
        ref("AccountId", "Account", "Account ID"),
        text("Name", 120, required=True, name_field=True),
        area("Description", 32000),
        pick("StageName", STAGES, "Stage", restricted=True, required=True),
        number("Amount", 18, 2, type_="currency"),
        number("Probability", 3, 0, "Probability (%)", type_="percent"),
        date("CloseDate", "Close Date", required=True),
        pick(
            "Type",
            (
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
                "New Customer",
            ),
            "Opportunity Type",
        ),
        pick("LeadSource", LEAD_SOURCE, "Lead Source"),
        boolean("IsClosed", "Closed", readonly=True),
        boolean("IsWon", "Won", readonly=True),
        pick(
            "ForecastCategoryName",
            ("Omitted", "Pipeline", "Best Case", "Commit", "Closed"),
            "Forecast Category",
        ),
        ref("CampaignId", "Campaign", "Campaign ID"),
        owner(("User",)),
    ],
)

OPPORTUNITY_CONTACT_ROLE = standard(
    "OpportunityContactRole",
    "Opportunity Contact Role",
    "Opportunity Contact Role",
    [
        ref("OpportunityId", "Opportunity", "Opportunity ID", required=True, updateable=False),
        ref("ContactId", "Contact", "Contact ID", required=True),
        pick(
            "Role",
            (
                "Business User",
                "Decision Maker",
                "Economic Buyer",
                "Economic Decision Maker",
                "Evaluator",
                "Executive Sponsor",
                "Influencer",
                "Technical Buyer",
                "Other",
            ),
        ),
        boolean("IsPrimary", "Primary"),
    ],
)

LEAD_HISTORY = standard(
    "LeadHistory",
    "Lead History",
    "Lead History",
    [
        ref("LeadId", "Lead", "Lead ID", readonly=True, required=True),
        pick(
            "Field",
            ("Status", "Owner", "Rating", "created", "leadConverted", "leadMerged"),
            "Changed Field",
            readonly=True,
            required=True,
        ),
        pick(
            "DataType", ("Text", "EntityId", "DynamicEnum", "Boolean", "DateOnly"), "Data Type", readonly=True
        ),
        text("OldValue", 255, "Old Value", readonly=True, type_="string"),
        text("NewValue", 255, "New Value", readonly=True, type_="string"),
    ],
    createable=False,
    updateable=False,
    deletable=False,
    history=True,
)
