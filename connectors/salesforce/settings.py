"""What leadflow reads from Salesforce and the fields it writes back."""

from __future__ import annotations

from dataclasses import dataclass, field

API_VERSION = "59.0"
COLLECTION_SIZE = 200  # sObject Collections: at most 200 records per call
OVERLAP_MINUTES = 5  # re-read this much before the watermark: clock skew, late commits


@dataclass(frozen=True)
class SalesforceObject:
    """An object to extract: its raw table and the field its incremental cursor reads."""

    name: str
    table: str
    cursor: str = "SystemModstamp"


OBJECTS: dict[str, SalesforceObject] = {
    o.name: o
    for o in (
        SalesforceObject("User", "user"),
        SalesforceObject("Account", "account"),
        SalesforceObject("Lead", "lead"),
        SalesforceObject("Contact", "contact"),
        SalesforceObject("Campaign", "campaign"),
        SalesforceObject("CampaignMember", "campaign_member"),
        SalesforceObject("Task", "task"),
        SalesforceObject("Event", "event"),
        SalesforceObject("Opportunity", "opportunity"),
        SalesforceObject("OpportunityContactRole", "opportunity_contact_role"),
        # Field history is never updated, only added to: its creation time is its cursor.
        SalesforceObject("LeadHistory", "lead_history", cursor="CreatedDate"),
    )
}


@dataclass(frozen=True)
class CustomField:
    """A field leadflow writes, created through the Tooling API when the org lacks it."""

    name: str
    label: str
    type: str  # Number | Picklist | Date
    values: tuple[str, ...] = field(default_factory=tuple)

    def metadata(self, obj: str) -> dict:
        meta: dict = {"label": self.label, "type": self.type, "description": "Set by leadflow."}
        if self.type == "Number":
            meta.update(precision=5, scale=0)
        if self.type == "Picklist":
            meta["valueSet"] = {
                "restricted": True,
                "valueSetDefinition": {
                    "sorted": False,
                    "value": [{"fullName": v, "label": v, "default": False} for v in self.values],
                },
            }
        return {"FullName": f"{obj}.{self.name}", "Metadata": meta}


WRITEBACK_OBJECTS = ("Lead", "Contact")
WRITEBACK_FIELDS: tuple[CustomField, ...] = (
    CustomField("Lead_Score__c", "Lead Score", "Number"),
    CustomField("Fit_Score__c", "Fit Score", "Number"),
    CustomField("Engagement_Score__c", "Engagement Score", "Number"),
    CustomField("Lead_Tier__c", "Lead Tier", "Picklist", ("Cold", "Warm", "Hot")),
    CustomField(
        "Lifecycle_Stage__c",
        "Lifecycle Stage",
        "Picklist",
        ("Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"),
    ),
    CustomField("MQL_Date__c", "MQL Date", "Date"),
    CustomField("SQL_Date__c", "SQL Date", "Date"),
)
# The only fields write-back may touch: the custom fields above and the record owner.
WRITABLE_FIELDS = frozenset({f.name for f in WRITEBACK_FIELDS} | {"OwnerId"})
NUMBER_FIELDS = frozenset(f.name for f in WRITEBACK_FIELDS if f.type == "Number")
