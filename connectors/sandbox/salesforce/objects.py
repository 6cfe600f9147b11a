"""The standard objects of a fresh org, as a Salesforce describe lists them."""

from __future__ import annotations

from .event import EVENT
from .people import ACCOUNT, CONTACT, LEAD, USER
from .picklists import CLOSED_TASK_STATUS, RESPONDED_STATUS, STAGES
from .sales import CAMPAIGN, CAMPAIGN_MEMBER, LEAD_HISTORY, OPPORTUNITY, OPPORTUNITY_CONTACT_ROLE, TASK
from .sobject import SObject

STANDARD: dict[str, SObject] = {
    o.name: o
    for o in (USER, ACCOUNT, LEAD, CONTACT, CAMPAIGN, CAMPAIGN_MEMBER, TASK, EVENT, OPPORTUNITY,
              OPPORTUNITY_CONTACT_ROLE, LEAD_HISTORY)
}  # fmt: skip

__all__ = ["CLOSED_TASK_STATUS", "RESPONDED_STATUS", "STAGES", "STANDARD", "SObject"]
