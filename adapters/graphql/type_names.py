"""The GraphQL names of the types that global ids name, in one place."""

from __future__ import annotations

from domain.activities.activity import SUBJECT_TYPE as ACTIVITY_SUBJECT
from domain.behaviour.event import SUBJECT_TYPE as BEHAVIOUR_EVENT_SUBJECT

# Activities and behaviour events are timeline subjects too: the domain names them once.
ACTIVITY = ACTIVITY_SUBJECT
ACCESS_TEAM = "Team"
API_KEY = "ApiKey"
AUTO_TAG_RULE = "AutoTagRule"
CAMPAIGN = "Campaign"
BEHAVIOUR_EVENT = BEHAVIOUR_EVENT_SUBJECT
COMPANY = "Company"
CUSTOM_FIELD_DEFINITION = "CustomFieldDefinition"
CUSTOMER = "Customer"
DELIVERY = "WebhookDelivery"
JOURNEY = "Journey"
LEAD = "Lead"
MESSAGE = "Message"
OPPORTUNITY = "Opportunity"
ORDER = "Order"
PIPELINE = "Pipeline"
SEGMENT = "Segment"
STAGE = "PipelineStage"
STAGE_CHANGE = "StageChange"
SUBSCRIPTION = "WebhookSubscription"
TAG = "Tag"
TASK = "Task"
TEMPLATE = "Template"
TEAM = "SalesTeam"
TIMELINE_ENTRY = "TimelineEntry"
USER = "User"
