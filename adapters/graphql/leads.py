"""Leads in the API: capture, the lists, corrections, and conversion to a deal."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import attrs
import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.companies import CompanySizeBand
from adapters.graphql.connections import Connection, Edge
from adapters.graphql.context import Info
from adapters.graphql.custom_fields import enum_value
from adapters.graphql.customers import Customer, load_customer
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.field_security import Guarded
from adapters.graphql.listing import DirectionInput
from adapters.graphql.money import CurrencyCode, MoneyInput
from adapters.graphql.opportunities import OpportunityNode, load_opportunity
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import (
    Node,
    local_id,
    local_ids,
    local_ids_by_field,
    to_global_id,
)
from adapters.graphql.sales_args import After, Before, First, Last, page_request
from adapters.graphql.type_names import COMPANY, CUSTOMER, LEAD, PIPELINE, TEAM, USER
from application.pagination import PageRequest
from application.pipeline.bundle import Sales
from application.pipeline.leads import Conversion, LeadPatch, NewLead
from application.pipeline.views import LeadFilter, LeadOrder, LeadSort, LeadView
from domain.access.roles import Resource
from domain.companies import CompanySize
from domain.pipeline import Lead


@strawberry.enum(description="Where a lead stands.")
class LeadStatus(Enum):
    NEW = strawberry.enum_value("new", description="Captured, not yet qualified.")
    QUALIFIED = strawberry.enum_value(
        "qualified", description="Its grade reached one the scoring model qualifies."
    )
    CONVERTED = strawberry.enum_value("converted", description="Turned into a deal.")


@strawberry.enum(description="How promising a lead is, by the scoring model's thresholds.")
class LeadGrade(Enum):
    A = strawberry.enum_value("A", description="The best leads.")
    B = strawberry.enum_value("B", description="Good leads.")
    C = strawberry.enum_value("C", description="Weak leads; the grade a new lead starts with.")
    D = strawberry.enum_value("D", description="The weakest leads, where a model uses it.")


@strawberry.type(description="One UTM parameter the lead arrived with.")
class UtmParameter:
    key: str = strawberry.field(description="The parameter, such as utm_source.")
    value: str = strawberry.field(description="Its value.")


@strawberry.type(description="One change of a lead's score.")
class LeadScoreChange:
    at: datetime = strawberry.field(description="When the score changed.")
    from_score: int = strawberry.field(description="The score before.")
    to_score: int = strawberry.field(description="The score after.")
    grade: LeadGrade = strawberry.field(description="The grade after.")


def _size(value: str) -> Any:
    return CompanySizeBand[CompanySize(value).name] if value in set(CompanySize) else None


@strawberry.type(name="Lead", description="Interest captured from a form or a person.")
class LeadNode(Node):
    email: str | None = strawberry.field(
        description="The address the lead gave; masked (j•••@example.com) or null with a "
        "FORBIDDEN_FIELD error when the caller's role may not read it.",
        extensions=[Guarded(Resource.LEADS, "email")],
    )
    first_name: str = strawberry.field(description="The given name; empty when unknown.")
    last_name: str = strawberry.field(description="The family name; empty when unknown.")
    company_name: str = strawberry.field(description="The company named; empty when unknown.")
    title: str = strawberry.field(description="The job title; empty when unknown.")
    industry: str = strawberry.field(description="The industry; empty when unknown.")
    company_size: CompanySizeBand | None = strawberry.field(
        description="How many people the lead's company employs; null when unknown."
    )
    region: str = strawberry.field(description="The region; empty when unknown.")
    source: str = strawberry.field(description="Where the lead came from: api, a form's source.")
    utm: list[UtmParameter] = strawberry.field(description="The UTM parameters it arrived with.")
    status: LeadStatus = strawberry.field(description="New, qualified or converted.")
    score: int = strawberry.field(description="Points by the scoring model, as last scored.")
    grade: LeadGrade = strawberry.field(description="The grade of the score.")
    first_touch_due_at: datetime | None = strawberry.field(
        description="When the owner promised to make contact, in working hours."
    )
    contacted_at: datetime | None = strawberry.field(description="When the first touch was made.")
    created_at: datetime = strawberry.field(description="When the lead was captured.")
    updated_at: datetime = strawberry.field(description="When the lead last changed.")
    version: int = strawberry.field(
        description="Grows with every change; send it back with an update so no change is lost."
    )
    view: strawberry.Private[LeadView]

    @classmethod
    def from_view(cls, view: LeadView) -> LeadNode:
        return cls(
            id=strawberry.ID(to_global_id(LEAD, view.id)),
            email=view.email,
            first_name=view.first_name,
            last_name=view.last_name,
            company_name=view.company_name,
            title=view.title,
            industry=view.industry,
            company_size=_size(view.company_size),
            region=view.region,
            source=view.source,
            utm=[UtmParameter(key=k, value=v) for k, v in view.utm],
            status=LeadStatus(view.status),
            score=view.score,
            grade=LeadGrade(view.grade),
            first_touch_due_at=view.first_touch_due_at,
            contacted_at=view.contacted_at,
            created_at=view.created_at,
            updated_at=view.updated_at,
            version=view.version,
            view=view,
        )

    @classmethod
    def from_lead(cls, lead: Lead) -> LeadNode:
        return cls.from_view(LeadView.from_lead(lead))

    @strawberry.field(description="The customer the lead's email matched or made.")
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.view.customer_id)

    @strawberry.field(description="The rep the lead is assigned to, if any.")
    async def owner(self, info: Info) -> UserNode | None:
        return await load_user(info, self.view.owner_id) if self.view.owner_id else None

    @strawberry.field(description="Every change of the score, oldest first.")
    def score_history(self) -> list[LeadScoreChange]:
        return [
            LeadScoreChange(
                at=c.at, from_score=c.from_score, to_score=c.to_score, grade=LeadGrade(c.grade)
            )
            for c in self.view.score_history
        ]

    @strawberry.field(description="The deal the lead was converted to.")
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.view.opportunity_id is None:
            return None
        return await load_opportunity(info, self.view.opportunity_id)


@strawberry.type(name="LeadEdge", description="One lead in a list, with its cursor.")
class LeadEdge(Edge[LeadNode]):
    pass


@strawberry.type(name="LeadConnection", description="A page of leads.")
class LeadConnection(Connection[LeadNode]):
    edges: list[LeadEdge] = strawberry.field(  # type: ignore[assignment]
        description="The leads of this page, in order."
    )
    edge_type = LeadEdge
    where: strawberry.Private[LeadFilter]
    customer_id: strawberry.Private[str | None] = None

    @strawberry.field(description="How many leads match the filter.")
    async def total_count(self, info: Info) -> int:
        context = info.context
        if self.customer_id is not None:
            return await context.loaders.sales.lead_counts.load(self.where, self.customer_id)
        return context.services.use(Sales).read_leads.count(context.principal, self.where)


@strawberry.input(name="LeadFilter", description="Which leads a list holds; all must hold.")
class LeadFilterInput:
    status: LeadStatus | None = strawberry.field(
        default=None, description="Only leads with this status."
    )
    owner_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only leads assigned to one of these users."
    )
    grade: LeadGrade | None = strawberry.field(
        default=None, description="Only leads of this grade."
    )
    source: str | None = strawberry.field(default=None, description="Only leads from this source.")
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the leads of this customer."
    )

    def resolve(self) -> LeadFilter:
        ids = local_ids_by_field({"customerId": (self.customer_id, CUSTOMER)}, within="filter.")
        return LeadFilter(
            customer_id=ids["customerId"],
            status=enum_value(self.status) if self.status else None,
            owner_ids=local_ids(self.owner_ids, USER, field="filter.ownerIds"),
            grade=enum_value(self.grade) if self.grade else None,
            source=self.source,
        )


@strawberry.enum(description="What a list of leads can be sorted by; ties go by id.")
class LeadOrderField(Enum):
    CREATED_AT = strawberry.enum_value(
        LeadSort.CREATED_AT.value, description="When the lead was captured."
    )
    UPDATED_AT = strawberry.enum_value(
        LeadSort.UPDATED_AT.value, description="When the lead last changed."
    )
    SCORE = strawberry.enum_value(LeadSort.SCORE.value, description="The lead's score.")
    EMAIL = strawberry.enum_value(LeadSort.EMAIL.value, description="The email, by code point.")


@strawberry.input(name="LeadOrder", description="The order of a list of leads.")
class LeadOrderInput(DirectionInput):
    field: LeadOrderField = strawberry.field(description="What to sort by.")


def _order(given: LeadOrderInput | None) -> LeadOrder:
    if given is None:
        return LeadOrder()
    return LeadOrder(LeadSort(enum_value(given.field)), descending=given.descending)


FilterArgument = Annotated[
    LeadFilterInput | None, strawberry.argument(description="Which leads to list.")
]
OrderArgument = Annotated[
    LeadOrderInput | None,
    strawberry.argument(description="The order; newest first when left out."),
]


@strawberry.input(description="A lead captured by hand or by an integration.")
class CreateLeadInput:
    email: str = strawberry.field(description="The lead's email; matched to a customer.")
    first_name: str = strawberry.field(default="", description="The given name.")
    last_name: str = strawberry.field(default="", description="The family name.")
    company_name: str = strawberry.field(default="", description="The company named.")
    title: str = strawberry.field(default="", description="The job title.")
    industry: str = strawberry.field(default="", description="The industry.")
    company_size: CompanySizeBand | None = strawberry.field(
        default=None, description="How many people the lead's company employs."
    )
    region: str = strawberry.field(default="", description="The region, for territories.")
    source: str = strawberry.field(default="api", description="Where the lead came from.")
    utm_source: str = strawberry.field(default="", description="The utm_source parameter.")
    utm_medium: str = strawberry.field(default="", description="The utm_medium parameter.")
    utm_campaign: str = strawberry.field(default="", description="The utm_campaign parameter.")
    utm_term: str = strawberry.field(default="", description="The utm_term parameter.")
    utm_content: str = strawberry.field(default="", description="The utm_content parameter.")
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="The team whose rules assign the lead; the first when left out."
    )


@strawberry.type(description="The lead captured, or why it was not.")
class CreateLeadPayload:
    lead: LeadNode | None = strawberry.field(
        default=None, description="The new lead; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the lead was not captured; empty on success."
    )


@strawberry.input(
    description="Corrections to what a lead told us; fields left out stay as they are. The "
    "score follows at the next rescoring."
)
class UpdateLeadInput:
    id: strawberry.ID = strawberry.field(description="The lead to change.")
    version: int = strawberry.field(
        description="The version you read; a lead changed since is refused with STALE_VERSION "
        "and nothing changes."
    )
    first_name: str | None = strawberry.field(default=None, description="The given name.")
    last_name: str | None = strawberry.field(default=None, description="The family name.")
    company_name: str | None = strawberry.field(default=None, description="The company named.")
    title: str | None = strawberry.field(default=None, description="The job title.")
    industry: str | None = strawberry.field(default=None, description="The industry.")
    company_size: CompanySizeBand | None = strawberry.field(
        default=None, description="How many people the lead's company employs."
    )
    region: str | None = strawberry.field(default=None, description="The region.")


@strawberry.type(description="The lead as changed, or why it was not.")
class UpdateLeadPayload:
    lead: LeadNode | None = strawberry.field(
        default=None, description="The lead after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.input(description="The first touch made with a lead.")
class MarkLeadContactedInput:
    lead_id: strawberry.ID = strawberry.field(description="The lead contacted.")


@strawberry.type(description="The lead contacted, or why it could not be marked.")
class MarkLeadContactedPayload:
    lead: LeadNode | None = strawberry.field(
        default=None, description="The lead, with contactedAt set; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the lead was not marked; empty on success."
    )


@strawberry.input(description="A lead made a customer, a company and a deal.")
class ConvertLeadInput:
    lead_id: strawberry.ID = strawberry.field(description="The lead to convert.")
    opportunity_name: str = strawberry.field(description="The name of the deal to open.")
    currency: CurrencyCode = strawberry.field(description="The deal's currency.")
    amount: MoneyInput | None = strawberry.field(
        default=None, description="What the deal is worth, in its currency."
    )
    pipeline_id: strawberry.ID | None = strawberry.field(
        default=None, description="The default pipeline when left out."
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Link this company; otherwise the customer's, or a new one named as the lead.",
    )
    expected_close_date: date | None = strawberry.field(
        default=None, description="When the deal is expected to close."
    )


@strawberry.type(description="The converted lead and its deal, or why it was not converted.")
class ConvertLeadPayload:
    lead: LeadNode | None = strawberry.field(
        default=None, description="The lead, now converted; null when refused."
    )
    opportunity: OpportunityNode | None = strawberry.field(
        default=None, description="The deal opened for it; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the lead was not converted; empty on success."
    )


def lead_page(info: Info, where: LeadFilter, page: PageRequest, order: LeadOrder) -> LeadConnection:
    context = info.context
    found = context.services.use(Sales).read_leads.page(context.principal, where, page, order)
    return LeadConnection.from_page(found, LeadNode.from_view, where=where)


def fetch_lead(info: Info, lead_id: str) -> LeadNode | None:
    context = info.context
    found = context.services.use(Sales).read_leads.get_many(context.principal, [lead_id])
    view = found.get(lead_id)
    return LeadNode.from_view(view) if view else None


@strawberry.type
class LeadQuery:
    @strawberry.field(
        description="Leads, newest first unless ordered otherwise, a keyset page at a time.",
        extensions=[QueryErrors()],
    )
    def leads(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FilterArgument = None,
        order_by: OrderArgument = None,
    ) -> LeadConnection:
        where = filter.resolve() if filter else LeadFilter()
        return lead_page(info, where, page_request(first, after, last, before), _order(order_by))

    @strawberry.field(
        description="One lead by id; null when there is none.", extensions=[QueryErrors()]
    )
    def lead(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The lead's id.")],
    ) -> LeadNode | None:
        return fetch_lead(info, local_id(id, LEAD, field="id"))


@strawberry.type
class CustomerLeads:
    """``Customer.leads``: read together for a page of customers."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="The leads captured for the customer (by its email), newest first unless "
        "ordered otherwise; for a page of customers, read in one query.",
        extensions=[QueryErrors()],
    )
    async def leads(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: FilterArgument = None,
        order_by: OrderArgument = None,
    ) -> LeadConnection:
        where = attrs.evolve(filter.resolve() if filter else LeadFilter(), customer_id=None)
        order = _order(order_by)
        page = page_request(first, after, last, before)
        found = await info.context.loaders.sales.lead_pages.load(
            (where, order, page), self.id_local
        )
        return LeadConnection.from_page(
            found, LeadNode.from_view, where=where, customer_id=self.id_local
        )


@strawberry.type
class LeadMutation:
    @strawberry.mutation(
        description="Capture a lead: matched to a customer, scored, assigned.",
        extensions=[UserErrors()],
    )
    def create_lead(
        self,
        info: Info,
        input: Annotated[CreateLeadInput, strawberry.argument(description="The lead to capture.")],
    ) -> CreateLeadPayload:
        context = info.context
        team = local_id(input.team_id, TEAM, field="teamId") if input.team_id is not None else None
        utm = {
            "utm_source": input.utm_source,
            "utm_medium": input.utm_medium,
            "utm_campaign": input.utm_campaign,
            "utm_term": input.utm_term,
            "utm_content": input.utm_content,
        }
        new = NewLead(
            email=input.email,
            first_name=input.first_name,
            last_name=input.last_name,
            company_name=input.company_name,
            title=input.title,
            industry=input.industry,
            company_size=enum_value(input.company_size) if input.company_size else "",
            region=input.region,
            source=input.source,
            utm=utm,
            team_id=team,
        )
        lead = context.services.use(Sales).create_lead(context.principal, new)
        return CreateLeadPayload(lead=LeadNode.from_lead(lead))

    @strawberry.mutation(
        description="Correct what a lead told us: names, title, company, size, region.",
        extensions=[UserErrors()],
    )
    def update_lead(
        self,
        info: Info,
        input: Annotated[
            UpdateLeadInput,
            strawberry.argument(description="The lead, the version read, and the corrections."),
        ],
    ) -> UpdateLeadPayload:
        context = info.context
        patch = LeadPatch(
            lead_id=local_id(input.id, LEAD, field="id"),
            expected_version=input.version,
            first_name=input.first_name,
            last_name=input.last_name,
            company_name=input.company_name,
            title=input.title,
            industry=input.industry,
            company_size=enum_value(input.company_size) if input.company_size else None,
            region=input.region,
        )
        lead = context.services.use(Sales).update_lead(context.principal, patch)
        return UpdateLeadPayload(lead=LeadNode.from_lead(lead))

    @strawberry.mutation(
        description="Record the first touch: the first-touch promise is kept.",
        extensions=[UserErrors()],
    )
    def mark_lead_contacted(
        self,
        info: Info,
        input: Annotated[
            MarkLeadContactedInput, strawberry.argument(description="The lead contacted.")
        ],
    ) -> MarkLeadContactedPayload:
        context = info.context
        local = local_id(input.lead_id, LEAD, field="leadId")
        lead = context.services.use(Sales).mark_lead_contacted(context.principal, local)
        return MarkLeadContactedPayload(lead=LeadNode.from_lead(lead))

    @strawberry.mutation(
        description="Customer, company and deal from a lead, in one step.",
        extensions=[UserErrors()],
    )
    async def convert_lead(
        self,
        info: Info,
        input: Annotated[
            ConvertLeadInput,
            strawberry.argument(description="The lead and the deal to open for it."),
        ],
    ) -> ConvertLeadPayload:
        context = info.context
        lead_id = local_id(input.lead_id, LEAD, field="leadId")
        ids = local_ids_by_field(
            {
                "pipelineId": (input.pipeline_id, PIPELINE),
                "companyId": (input.company_id, COMPANY),
            }
        )
        conversion = Conversion(
            lead_id=lead_id,
            opportunity_name=input.opportunity_name,
            currency=input.currency,
            amount=str(input.amount.amount) if input.amount is not None else None,
            amount_currency=input.amount.currency if input.amount is not None else None,
            pipeline_id=ids["pipelineId"],
            company_id=ids["companyId"],
            expected_close_date=input.expected_close_date,
        )
        lead, opportunity_id = context.services.use(Sales).convert_lead(
            context.principal, conversion
        )
        return ConvertLeadPayload(
            lead=LeadNode.from_lead(lead), opportunity=await load_opportunity(info, opportunity_id)
        )


PART = SchemaPart(
    queries=(LeadQuery,),
    mutations=(LeadMutation,),
    customer_fields=(CustomerLeads,),
    nodes={LEAD: fetch_lead},
)
