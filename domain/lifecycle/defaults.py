"""The tracks and rules a new installation starts with; migration 0005 seeds the same data."""

from __future__ import annotations

from domain.lifecycle.catalogue import LifecycleCatalogue
from domain.lifecycle.rules import RuleTrigger, StageRule
from domain.lifecycle.tracks import NO_STAGE, Stage, Track

ACQUISITION = "acquisition"
ENGAGEMENT = "engagement"

_ACQUISITION_STAGES = (
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketing_qualified_lead", "Marketing qualified lead"),
    ("sales_qualified_lead", "Sales qualified lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
)
_ENGAGEMENT_STAGES = (
    ("new", "New"),
    ("active", "Active"),
    ("at_risk", "At risk"),
    ("dormant", "Dormant"),
    ("churned", "Churned"),
    ("won_back", "Won back"),
)


_ACQUISITION_MOVES = (
    # Anyone may enter at any stage (a buyer arrives as a customer) and move one step on.
    *((NO_STAGE, key) for key, _ in _ACQUISITION_STAGES),
    ("subscriber", "lead"),
    ("lead", "marketing_qualified_lead"),
    ("marketing_qualified_lead", "sales_qualified_lead"),
    ("sales_qualified_lead", "opportunity"),
    ("opportunity", "customer"),
    ("customer", "evangelist"),
    # Anyone may be set aside as "other"; leaving it needs an override.
    *((key, "other") for key, _ in _ACQUISITION_STAGES if key != "other"),
)
_ENGAGEMENT_MOVES = (
    (NO_STAGE, "new"),
    (NO_STAGE, "active"),
    ("new", "active"),
    ("new", "at_risk"),
    ("active", "at_risk"),
    ("at_risk", "active"),
    ("at_risk", "dormant"),
    ("dormant", "churned"),
    ("dormant", "won_back"),
    ("churned", "won_back"),
    ("won_back", "active"),
    ("won_back", "at_risk"),
)


def default_tracks() -> list[Track]:
    return [
        Track(
            key=ACQUISITION,
            label="Acquisition",
            stages=tuple(Stage(key, label) for key, label in _ACQUISITION_STAGES),
            transitions=frozenset(_ACQUISITION_MOVES),
            position=0,
        ),
        Track(
            key=ENGAGEMENT,
            label="Engagement",
            stages=tuple(Stage(key, label) for key, label in _ENGAGEMENT_STAGES),
            transitions=frozenset(_ENGAGEMENT_MOVES),
            position=1,
        ),
    ]


_BEFORE_CUSTOMER = frozenset(
    {NO_STAGE, "subscriber", "lead", "marketing_qualified_lead", "sales_qualified_lead"}
    | {"opportunity", "other"}
)
_ENGAGED = frozenset({NO_STAGE, "new", "active", "won_back"})


def default_rules() -> list[StageRule]:
    return [
        StageRule(
            key="first_paid_order",
            track=ACQUISITION,
            trigger=RuleTrigger.PAID_ORDER,
            to_stage="customer",
            from_stages=_BEFORE_CUSTOMER,
            priority=10,
        ),
        StageRule(
            key="no_order_90_days",
            track=ENGAGEMENT,
            trigger=RuleTrigger.INACTIVITY,
            to_stage="at_risk",
            from_stages=_ENGAGED,
            days=90,
            priority=10,
        ),
        StageRule(
            key="no_order_180_days",
            track=ENGAGEMENT,
            trigger=RuleTrigger.INACTIVITY,
            to_stage="dormant",
            from_stages=_ENGAGED | {"at_risk"},
            days=180,
            priority=20,
        ),
        StageRule(
            key="no_order_365_days",
            track=ENGAGEMENT,
            trigger=RuleTrigger.INACTIVITY,
            to_stage="churned",
            from_stages=_ENGAGED | {"at_risk", "dormant"},
            days=365,
            priority=30,
        ),
        StageRule(
            key="order_after_dormancy",
            track=ENGAGEMENT,
            trigger=RuleTrigger.ORDER_AFTER_STAGE,
            to_stage="won_back",
            from_stages=frozenset({"dormant", "churned"}),
            priority=100,
        ),
    ]


def default_catalogue() -> LifecycleCatalogue:
    return LifecycleCatalogue.of(default_tracks(), default_rules())
