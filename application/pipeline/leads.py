"""Capturing leads (by API and by public form), scoring, assigning and converting them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from attrs import field, frozen

from application.errors import NotFound, StaleVersion
from application.field_security import require_writable_input
from application.lifecycle.commands import ChangeLifecycleStage, StageMove
from application.pipeline.opportunities import NewOpportunity, open_opportunity
from application.pipeline.ownership import owns_what_it_creates, require_visible
from application.pipeline.ports import BehaviourCounts
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import load_live_customer
from application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.access.roles import Permission, Resource
from domain.companies import Company, CompanySize
from domain.custom_fields import CustomFieldSchema
from domain.customers import Customer, CustomerChanges, EmailAddress
from domain.errors import DomainError, ErrorCode, InvalidValue, Problem
from domain.lifecycle.defaults import ACQUISITION
from domain.pipeline import Lead, LeadProfile, ScoringModel, WorkingHours
from domain.text import clean_line, starts_like_formula

NAME_FIELDS = ("firstName", "lastName", "companyName")
"""What a public form may not start like a formula: nobody's name starts with ``=``, and
these are the fields a spreadsheet export shows."""
NO_LEAD = "no lead has this id"
LEAD_STAGE = "lead"
QUALIFIED_STAGE = "marketing_qualified_lead"
SCORING_WINDOW_DAYS = 365


@frozen(kw_only=True)
class NewLead:
    email: str
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    title: str = ""
    industry: str = ""
    company_size: str = ""
    region: str = ""
    source: str = "api"
    utm: Mapping[str, str] = field(factory=dict)
    team_id: str | None = None


def _profile(new: NewLead) -> LeadProfile:
    def line(value: str, name: str) -> str:
        return clean_line(value, field=name, max_length=200)

    size = new.company_size.strip()
    if size and size not in set(CompanySize):
        raise InvalidValue(
            "companySize", ErrorCode.INVALID_CHOICE, f"one of {', '.join(CompanySize)}"
        )
    return LeadProfile(
        first_name=line(new.first_name, "firstName"),
        last_name=line(new.last_name, "lastName"),
        company_name=line(new.company_name, "companyName"),
        title=line(new.title, "title"),
        industry=line(new.industry, "industry"),
        company_size=size,
        region=line(new.region, "region"),
    )


def score_of(
    model: ScoringModel, lead: Lead, counts: BehaviourCounts, today: date
) -> tuple[int, str]:
    names = {rule.event for rule in model.behaviour}
    daily = (
        counts.daily_counts(lead.customer_id, names, today - timedelta(days=SCORING_WINDOW_DAYS))
        if names
        else ()
    )
    score = model.score(lead.profile.attributes(lead.source), daily, today)
    return score, model.grade(score)


@frozen
class CreateLead:
    """Match the lead's email to a customer (or create one), score it, and assign it.

    A new lead puts its customer on the ``lead`` stage and a qualified one on
    ``marketing_qualified_lead``, through the lifecycle use case, after the lead commits;
    a customer further along its track stays where it is.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    counts: BehaviourCounts
    lifecycle: ChangeLifecycleStage
    hours: WorkingHours = field(factory=WorkingHours)

    def __call__(self, actor: Principal, new: NewLead) -> Lead:
        actor.require(Permission.CREATE_LEADS)
        require_writable_input(actor, Resource.LEADS, new)
        if not new.email.strip():
            raise InvalidValue("email", ErrorCode.REQUIRED, "a lead needs an email")
        email = EmailAddress.parse(new.email, field_name="email")
        profile = _profile(new)
        now = self.clock.now()
        with self.uow() as uow:
            customer_id = self._customer_for(uow, email, profile, actor, now)
            lead = Lead.capture(
                id=self.ids.new_id(),
                customer_id=customer_id,
                email=email.value,
                profile=profile,
                source=clean_line(new.source, field="source", max_length=60),
                utm=new.utm,
                at=now,
                by=actor.actor_id,
            )
            self._assign(uow, lead, new.team_id, now, actor)
            model = uow.leads.scoring_model()
            score, grade = score_of(model, lead, self.counts, now.date())
            qualified = lead.rescore(
                score, grade, qualifying=model.qualifying_grades, at=now, by=actor.actor_id
            )
            uow.leads.add(lead)
            uow.timeline.record([lead.timeline_entry()])
            uow.commit()
        self._stage(actor, customer_id, LEAD_STAGE)
        if qualified:
            self._stage(actor, customer_id, QUALIFIED_STAGE)
        return lead

    def _customer_for(
        self,
        uow: UnitOfWork,
        email: EmailAddress,
        profile: LeadProfile,
        actor: Principal,
        now: datetime,
    ) -> str:
        """The active customer with this email, as tracking's "identify" finds one."""
        known = uow.customer_lookup.ids_by_email([email]).get(email)
        if known is not None:
            return known
        customer = Customer.register(
            id=self.ids.new_id(),
            first_name=profile.first_name,
            last_name=profile.last_name,
            email=email,
            phone=None,
            custom_fields={},
            schema=CustomFieldSchema(()),
            owner_id=actor.actor_id,
            at=now,
            by=actor.actor_id,
        )
        uow.customers.add(customer)
        return customer.id

    def _assign(
        self, uow: UnitOfWork, lead: Lead, team_id: str | None, now: datetime, actor: Principal
    ) -> None:
        """The team's next rep takes the lead; a rep who captures one (their scope is not
        every lead) keeps it, with the team's first-touch promise, so they can see it."""
        team = uow.sales_teams.get(team_id) if team_id else uow.sales_teams.default()
        if team_id and team is None:
            raise NotFound("teamId", "no team has this id")
        if owns_what_it_creates(actor, Resource.LEADS):
            due = self.hours.add(now, team.first_touch_hours) if team is not None else None
            lead.assign(actor.actor_id, due_at=due, at=now, by=actor.actor_id)
            return
        if team is None or not team.available:
            return
        load = uow.leads.open_counts([m.user_id for m in team.members])
        rep = team.next_rep(
            region=lead.profile.region, industry=lead.profile.industry, open_leads=load
        )
        due = self.hours.add(now, team.first_touch_hours)
        lead.assign(rep, due_at=due, at=now, by=actor.actor_id)

    def _stage(self, actor: Principal, customer_id: str, stage: str) -> None:
        move_customer(self.lifecycle, actor, customer_id, stage)


def move_customer(
    lifecycle: ChangeLifecycleStage, actor: Principal, customer_id: str, stage: str
) -> None:
    """Put the customer on an acquisition stage, unless it is further along already."""
    try:
        lifecycle(actor, StageMove(customer_id=customer_id, track=ACQUISITION, stage=stage))
    except DomainError as error:
        if error.problems[0].code is not ErrorCode.TRANSITION_NOT_ALLOWED:
            raise


@frozen
class RescoreLeads:
    """Score every lead not yet converted again: behaviour comes in and points decay.

    Newly qualified leads make their customers marketing qualified leads, as at capture.
    A page of leads per transaction; returns how many scores changed.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    counts: BehaviourCounts
    lifecycle: ChangeLifecycleStage
    batch_size: int = 500

    def __call__(self, actor: Principal) -> int:
        actor.require(Permission.MANAGE_PIPELINE)
        now = self.clock.now()
        changed = 0
        after: str | None = None
        while True:
            qualified: list[str] = []
            with self.uow() as uow:
                ids = uow.leads.unconverted_ids(after=after, limit=self.batch_size)
                if not ids:
                    break
                after = ids[-1]
                model = uow.leads.scoring_model()
                for lead_id in ids:
                    lead = uow.leads.get(lead_id)
                    if lead is None:
                        continue
                    before = lead.score, lead.grade
                    score, grade = score_of(model, lead, self.counts, now.date())
                    if lead.rescore(
                        score, grade, qualifying=model.qualifying_grades, at=now, by=actor.actor_id
                    ):
                        qualified.append(lead.customer_id)
                    changed += (score, grade) != before
                uow.commit()
            for customer_id in qualified:
                move_customer(self.lifecycle, actor, customer_id, QUALIFIED_STAGE)
        return changed


def load_lead(uow: UnitOfWork, actor: Principal, lead_id: str, *, field: str) -> Lead:
    """The lead, for change; one the actor may not see is as missing as one never made."""
    lead = uow.leads.get(lead_id)
    if lead is None:
        raise NotFound(field, NO_LEAD)
    require_visible(actor, Resource.LEADS, lead.owner_id, lead.id, field=field, message=NO_LEAD)
    return lead


@frozen
class MarkLeadContacted:
    """The owner made the first touch: the first-touch promise is kept."""

    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, lead_id: str) -> Lead:
        actor.require(Permission.UPDATE_LEADS)
        with self.uow() as uow:
            lead = load_lead(uow, actor, lead_id, field="leadId")
            lead.mark_contacted(self.clock.now())
            uow.commit()
        return lead


@frozen(kw_only=True)
class LeadPatch:
    """Corrections to what a lead told us; ``None`` leaves a field alone."""

    lead_id: str
    expected_version: int
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    title: str | None = None
    industry: str | None = None
    company_size: str | None = None
    region: str | None = None


@frozen
class UpdateLead:
    uow: UnitOfWorkFactory
    clock: Clock

    def __call__(self, actor: Principal, patch: LeadPatch) -> Lead:
        actor.require(Permission.UPDATE_LEADS)
        require_writable_input(actor, Resource.LEADS, patch)
        with self.uow() as uow:
            lead = load_lead(uow, actor, patch.lead_id, field="id")
            if lead.version != patch.expected_version:
                raise StaleVersion(patch.expected_version, lead.version)
            p = lead.profile

            def pick(given: str | None, current: str) -> str:
                return current if given is None else given

            profile = _profile(
                NewLead(
                    email=lead.email,
                    first_name=pick(patch.first_name, p.first_name),
                    last_name=pick(patch.last_name, p.last_name),
                    company_name=pick(patch.company_name, p.company_name),
                    title=pick(patch.title, p.title),
                    industry=pick(patch.industry, p.industry),
                    company_size=pick(patch.company_size, p.company_size),
                    region=pick(patch.region, p.region),
                )
            )
            if lead.revise(profile, at=self.clock.now()):
                uow.commit()
        return lead


@frozen
class CaptureFormLead:
    """A lead posted by a website to ``/forms/{key}``: the form says what it may carry."""

    uow: UnitOfWorkFactory
    create: CreateLead

    def __call__(self, form_key: str, posted: Mapping[str, str]) -> Lead:
        with self.uow() as uow:
            form = uow.leads.form(form_key)
        if form is None:
            raise NotFound("formKey", "there is no form with this key")
        fields = form.read(posted)
        _refuse_formulas(fields)
        return self.create(
            Principal.system(),
            NewLead(
                email=fields.get("email", ""),
                first_name=fields.get("firstName", ""),
                last_name=fields.get("lastName", ""),
                company_name=fields.get("companyName", ""),
                title=fields.get("title", ""),
                industry=fields.get("industry", ""),
                company_size=fields.get("companySize", ""),
                region=fields.get("region", ""),
                source=form.source,
                utm={key: value for key, value in fields.items() if key.startswith("utm_")},
                team_id=form.team_id,
            ),
        )


def _refuse_formulas(fields: Mapping[str, str]) -> None:
    problems = [
        Problem(name, ErrorCode.INVALID, "must not start with =, +, - or @")
        # Leading spaces, tabs and returns are trimmed when the lead is stored.
        for name in NAME_FIELDS
        if starts_like_formula(fields.get(name, "").strip())
    ]
    if problems:
        raise DomainError(problems)


@frozen(kw_only=True)
class Conversion:
    lead_id: str
    opportunity_name: str
    currency: str
    amount: str | None = None
    amount_currency: str | None = None
    pipeline_id: str | None = None
    company_id: str | None = None
    expected_close_date: date | None = None


@frozen
class ConvertLead:
    """One step: the lead's customer, a company (linked, or made from the lead's company
    name), and an opportunity for them, all in one transaction."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, conversion: Conversion) -> tuple[Lead, str]:
        actor.require(Permission.UPDATE_LEADS)
        actor.require(Permission.CREATE_DEALS)
        now = self.clock.now()
        with self.uow() as uow:
            lead = load_lead(uow, actor, conversion.lead_id, field="leadId")
            # What the conversion makes is the lead owner's, unless the converting user
            # could not then see it: a rep converting a lead shared with them owns the deal.
            owner_id = (
                actor.actor_id
                if owns_what_it_creates(actor, Resource.DEALS)
                else lead.owner_id or actor.actor_id
            )
            customer = load_live_customer(
                uow, lead.customer_id, field="leadId", message="the lead's customer is gone"
            )
            company_id = conversion.company_id or customer.company_id
            if company_id is None and lead.profile.company_name:
                company = Company.register(
                    id=self.ids.new_id(),
                    name=lead.profile.company_name,
                    industry=lead.profile.industry or None,
                    custom_fields={},
                    schema=CustomFieldSchema(()),
                    owner_id=owner_id,
                    at=now,
                    by=actor.actor_id,
                )
                uow.companies.add(company)
                uow.flush()
                company_id = company.id
            if company_id is not None and customer.company_id is None:
                customer.update(CustomerChanges(company_id=company_id), at=now, by=actor.actor_id)
            opportunity = open_opportunity(
                uow,
                actor,
                NewOpportunity(
                    name=conversion.opportunity_name,
                    customer_id=customer.id,
                    pipeline_id=conversion.pipeline_id,
                    company_id=company_id,
                    owner_id=owner_id,
                    currency=conversion.currency,
                    amount=conversion.amount,
                    amount_currency=conversion.amount_currency,
                    expected_close_date=conversion.expected_close_date,
                ),
                ids=self.ids,
                clock=self.clock,
            )
            lead.convert(opportunity.id, at=now, by=actor.actor_id)
            uow.commit()
        return lead, opportunity.id
