"""Leads in the API: capture, the list, and conversion to a deal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry

from adapters.graphql.access import UserNode, load_user
from adapters.graphql.connections import Connection
from adapters.graphql.context import Info
from adapters.graphql.customers import Customer, load_customer
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.opportunities import OpportunityNode, load_opportunity
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import Node, local_id, local_ids_by_field, to_global_id
from adapters.graphql.type_names import COMPANY, LEAD, PIPELINE, TEAM, USER
from application.pipeline.bundle import Sales
from application.pipeline.leads import Conversion, NewLead
from application.pipeline.views import LeadFilter, LeadView
from domain.pipeline import Lead


@strawberry.enum(description="Where a lead stands.")
class LeadStatus(Enum):
    NEW = "new"
    QUALIFIED = "qualified"
    CONVERTED = "converted"


@strawberry.type(description="One UTM parameter the lead arrived with.")
class UtmParameter:
    key: str
    value: str


@strawberry.type(description="One change of a lead's score.")
class LeadScoreChange:
    at: datetime
    from_score: int
    to_score: int
    grade: str


@strawberry.type(name="Lead", description="Interest captured from a form or a person.")
class LeadNode(Node):
    email: str
    first_name: str
    last_name: str
    company_name: str
    title: str
    industry: str
    company_size: str
    region: str
    source: str
    utm: list[UtmParameter]
    status: LeadStatus
    score: int
    grade: str = strawberry.field(description="A, B or C by the scoring model's thresholds.")
    first_touch_due_at: datetime | None = strawberry.field(
        description="When the owner promised to make contact, in working hours."
    )
    contacted_at: datetime | None
    created_at: datetime
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
            company_size=view.company_size,
            region=view.region,
            source=view.source,
            utm=[UtmParameter(key=k, value=v) for k, v in view.utm],
            status=LeadStatus(view.status),
            score=view.score,
            grade=view.grade,
            first_touch_due_at=view.first_touch_due_at,
            contacted_at=view.contacted_at,
            created_at=view.created_at,
            view=view,
        )

    @classmethod
    def from_lead(cls, lead: Lead) -> LeadNode:
        return cls.from_view(LeadView.from_lead(lead))

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.view.customer_id)

    @strawberry.field
    async def owner(self, info: Info) -> UserNode | None:
        return await load_user(info, self.view.owner_id) if self.view.owner_id else None

    @strawberry.field(description="Every change of the score, oldest first.")
    def score_history(self) -> list[LeadScoreChange]:
        return [
            LeadScoreChange(at=c.at, from_score=c.from_score, to_score=c.to_score, grade=c.grade)
            for c in self.view.score_history
        ]

    @strawberry.field(description="The deal the lead was converted to.")
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.view.opportunity_id is None:
            return None
        return await load_opportunity(info, self.view.opportunity_id)


@strawberry.type(name="LeadConnection")
class LeadConnection(Connection[LeadNode]):
    where: strawberry.Private[LeadFilter]

    @strawberry.field
    def total_count(self, info: Info) -> int:
        context = info.context
        return context.services.use(Sales).read_leads.count(context.principal, self.where)


@strawberry.input
class LeadFilterInput:
    status: LeadStatus | None = None
    owner_id: strawberry.ID | None = None
    grade: str | None = None
    source: str | None = None


@strawberry.input
class CreateLeadInput:
    email: str
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    title: str = ""
    industry: str = ""
    company_size: str = ""
    region: str = ""
    source: str = "api"
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="The team whose rules assign the lead; the first when left out."
    )


@strawberry.type
class CreateLeadPayload:
    lead: LeadNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ConvertLeadInput:
    lead_id: strawberry.ID
    opportunity_name: str
    currency: str
    amount: Decimal | None = None
    pipeline_id: strawberry.ID | None = None
    company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Link this company; otherwise the customer's, or a new one named as the lead.",
    )
    expected_close_date: date | None = None


@strawberry.type
class ConvertLeadPayload:
    lead: LeadNode | None = None
    opportunity: OpportunityNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LeadQuery:
    @strawberry.field(
        description="Leads, newest first, a keyset page at a time.", extensions=[QueryErrors()]
    )
    def leads(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: LeadFilterInput | None = None,
    ) -> LeadConnection:
        context = info.context
        owner = None
        if filter and filter.owner_id is not None:
            owner = local_id(filter.owner_id, USER, field="filter.ownerId")
        where = LeadFilter(
            status=filter.status.value if filter and filter.status else None,
            owner_id=owner,
            grade=filter.grade if filter else None,
            source=filter.source if filter else None,
        )
        page = context.services.use(Sales).read_leads.page(
            context.principal, where, first=first, after=after
        )
        return LeadConnection.from_page(page, LeadNode.from_view, where=where)


@strawberry.type
class LeadMutation:
    @strawberry.mutation(
        description="Capture a lead: matched to a customer, scored, assigned.",
        extensions=[UserErrors()],
    )
    def create_lead(self, info: Info, input: CreateLeadInput) -> CreateLeadPayload:
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
            company_size=input.company_size,
            region=input.region,
            source=input.source,
            utm=utm,
            team_id=team,
        )
        lead = context.services.use(Sales).create_lead(context.principal, new)
        return CreateLeadPayload(lead=LeadNode.from_lead(lead))

    @strawberry.mutation(
        description="Record the first touch: the first-touch promise is kept.",
        extensions=[UserErrors()],
    )
    def mark_lead_contacted(self, info: Info, lead_id: strawberry.ID) -> CreateLeadPayload:
        context = info.context
        local = local_id(lead_id, LEAD, field="leadId")
        lead = context.services.use(Sales).mark_lead_contacted(context.principal, local)
        return CreateLeadPayload(lead=LeadNode.from_lead(lead))

    @strawberry.mutation(
        description="Customer, company and deal from a lead, in one step.",
        extensions=[UserErrors()],
    )
    async def convert_lead(self, info: Info, input: ConvertLeadInput) -> ConvertLeadPayload:
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
            amount=str(input.amount) if input.amount is not None else None,
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
)
