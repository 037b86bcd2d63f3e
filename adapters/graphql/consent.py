"""Consent: ``setConsent``, ``requestOptIn``, ``Customer.consents``, and the public pages
behind the links in mails (opt-in confirmation and one-click unsubscribe)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from adapters.graphql.channels import ChannelEnum as ChannelName
from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.guards import BodyTooLarge, client_address, read_body
from adapters.graphql.parts import PublicRouteContext, SchemaPart
from adapters.graphql.relay import local_id
from adapters.graphql.type_names import CUSTOMER
from application.campaigns.consent_bundle import Consents
from domain.access.roles import Permission
from domain.campaigns import channels, consent
from domain.errors import DomainError


@strawberry.enum(name="ConsentStatus", description="What a customer allows on one channel.")
class ConsentStatusName(Enum):
    OPTED_IN = strawberry.enum_value(
        "opted_in", description="Marketing messages may go out on the channel."
    )
    OPTED_OUT = strawberry.enum_value(
        "opted_out", description="The customer refused: no marketing message goes out."
    )
    UNKNOWN = strawberry.enum_value(
        "unknown", description="Never asked or never answered: no marketing message goes out."
    )


@strawberry.enum(name="LawfulBasis", description="The GDPR article 6(1) basis of a processing.")
class LawfulBasisName(Enum):
    CONSENT = strawberry.enum_value("consent", description="The person agreed (6(1)(a)).")
    CONTRACT = strawberry.enum_value("contract", description="A contract needs it (6(1)(b)).")
    LEGAL_OBLIGATION = strawberry.enum_value(
        "legal_obligation", description="A legal obligation needs it (6(1)(c))."
    )
    VITAL_INTERESTS = strawberry.enum_value(
        "vital_interests", description="Someone's vital interests need it (6(1)(d))."
    )
    PUBLIC_TASK = strawberry.enum_value(
        "public_task", description="A task in the public interest needs it (6(1)(e))."
    )
    LEGITIMATE_INTERESTS = strawberry.enum_value(
        "legitimate_interests", description="A legitimate interest needs it (6(1)(f))."
    )


@strawberry.enum(name="OptInRequestOutcome", description="What requestOptIn did.")
class OptInOutcomeName(Enum):
    SENT = strawberry.enum_value("sent", description="A confirmation mail went out.")
    RECENTLY_SENT = strawberry.enum_value(
        "recently_sent",
        description="A confirmation went to this address in the last 24 hours: none was sent.",
    )
    ALREADY_OPTED_IN = strawberry.enum_value(
        "already_opted_in", description="The customer has already opted in: none was sent."
    )
    NOT_SENT = strawberry.enum_value(
        "not_sent", description="The mail channel did not take the mail; try again later."
    )


@strawberry.type(description="One change of a customer's consent, kept for good as proof.")
class ConsentChange:
    status: ConsentStatusName = strawberry.field(description="The status it set.")
    lawful_basis: LawfulBasisName | None = strawberry.field(
        description="The lawful basis it gave, if any."
    )
    source: str = strawberry.field(
        description="Where it came from: signup_form, unsubscribe_link, double_opt_in, api …"
    )
    at: datetime = strawberry.field(description="When it was made.")


@strawberry.type(description="A customer's consent to marketing on one channel.")
class Consent:
    channel: ChannelName = strawberry.field(description="The channel.")
    status: ConsentStatusName = strawberry.field(description="What the customer allows.")
    lawful_basis: LawfulBasisName | None = strawberry.field(
        description="The lawful basis of the last change, if one was given."
    )
    source: str | None = strawberry.field(
        description="Where the last change came from; null when none was ever made."
    )
    updated_at: datetime | None = strawberry.field(
        description="When the last change was made; null when none was ever made."
    )
    awaiting_confirmation_since: datetime | None = strawberry.field(
        description="When a double opt-in mail went out that is not answered yet."
    )
    history: list[ConsentChange] = strawberry.field(
        description="Every change, oldest first: a plain list, as one customer's changes stay few."
    )

    @classmethod
    def of(cls, held: consent.Consent) -> Consent:
        return cls(
            channel=ChannelName(held.channel.value),
            status=ConsentStatusName(held.status.value),
            lawful_basis=_basis_name(held.lawful_basis),
            source=held.source,
            updated_at=held.updated_at,
            awaiting_confirmation_since=held.pending_opt_in_since,
            history=[
                ConsentChange(
                    status=ConsentStatusName(change.status.value),
                    lawful_basis=_basis_name(change.lawful_basis),
                    source=change.source,
                    at=change.at,
                )
                for change in held.history
            ],
        )


def _basis_name(basis: consent.LawfulBasis | None) -> LawfulBasisName | None:
    return LawfulBasisName(basis.value) if basis is not None else None


def _value(name: Enum) -> str:
    """The domain value a GraphQL enum member stands for."""
    return str(name.value)


@strawberry.type
class CustomerConsents:
    """``Customer.consents``: the consent module owns its field on the customer."""

    id_local: strawberry.Private[str]

    @strawberry.field(
        description="The customer's consent on every channel, in the order of the Channel "
        "enum; a channel never recorded is UNKNOWN. Needs the consent:read permission.",
        extensions=[QueryErrors()],
    )
    async def consents(self, info: Info) -> list[Consent]:
        context = info.context
        read = context.services.use(Consents).read_consents
        loader = context.loaders.batch(
            "consents", lambda ids: read.of_visible(context.principal, list(ids))
        )
        return [Consent.of(held) for held in await loader.load(self.id_local) or ()]


@strawberry.input(description="A customer's consent on one channel, as they gave it.")
class SetConsentInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's global id.")
    channel: ChannelName = strawberry.field(description="The channel.")
    status: ConsentStatusName = strawberry.field(description="What the customer allows.")
    source: str | None = strawberry.field(
        default=None,
        description="Where the wish came from (signup_form, phone, import …; at most 64 "
        'characters); "api" when left out.',
    )
    lawful_basis: LawfulBasisName | None = strawberry.field(
        default=None, description="The lawful basis, if one applies."
    )


@strawberry.type(description="The result of setConsent.")
class SetConsentPayload:
    consent: Consent | None = strawberry.field(
        default=None, description="The customer's consent on the channel; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.input(description="The customer to ask for a double opt-in.")
class RequestOptInInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's global id.")
    channel: ChannelName = strawberry.field(
        default=ChannelName.EMAIL, description="The channel to confirm; only EMAIL for now."
    )


@strawberry.type(description="The result of requestOptIn.")
class RequestOptInPayload:
    outcome: OptInOutcomeName | None = strawberry.field(
        default=None, description="What was done; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(
        description="Record a customer's consent or refusal on one channel; every change is "
        "kept. Emits rapport.consent.changed.v1; needs the consent:update permission.",
        extensions=[UserErrors(requires=(Permission.UPDATE_CONSENT,))],
    )
    def set_consent(
        self,
        info: Info,
        input: Annotated[SetConsentInput, strawberry.argument(description="The consent.")],
    ) -> SetConsentPayload:
        context = info.context
        customer_id = local_id(input.customer_id, CUSTOMER, field="customerId")
        held = context.services.use(Consents).set_consent(
            context.principal,
            customer_id,
            channels.Channel(_value(input.channel)),
            consent.ConsentStatus(_value(input.status)),
            source=input.source,
            lawful_basis=(
                consent.LawfulBasis(_value(input.lawful_basis)) if input.lawful_basis else None
            ),
        )
        return SetConsentPayload(consent=Consent.of(held))

    @strawberry.mutation(
        description="Double opt-in: send the customer one mail with a link that confirms "
        "with one click. At most one such mail goes to an address in 24 hours; the outcome "
        "says when none was sent. Needs the consent:update permission.",
        extensions=[UserErrors(requires=(Permission.UPDATE_CONSENT,))],
    )
    def request_opt_in(
        self,
        info: Info,
        input: Annotated[RequestOptInInput, strawberry.argument(description="The customer.")],
    ) -> RequestOptInPayload:
        context = info.context
        customer_id = local_id(input.customer_id, CUSTOMER, field="customerId")
        outcome = context.services.use(Consents).request_opt_in(
            context.principal, customer_id, channels.Channel(_value(input.channel))
        )
        return RequestOptInPayload(outcome=OptInOutcomeName(outcome.value))


# The public pages: plain HTML, no login, no script, nothing from the request echoed back.

MAX_FORM_BODY = 4_096

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
<h1>{title}</h1>
{body}
</body></html>
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=title, body=body), status_code=status)


def _refused(error: DomainError) -> HTMLResponse:
    # The messages are ours (the link is not valid, has expired): no input is in them.
    message = error.problems[0].message if error.problems else "this link is not valid"
    return _page("This link does not work", f"<p>{message.capitalize()}.</p>", 400)


UNSUBSCRIBE_FORM = """<p>Do you want to stop receiving these messages?</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>"""


class ConsentPages:
    """``GET /consent/confirm/{token}``, ``GET`` and ``POST /unsubscribe/{token}``."""

    def __init__(self, support: PublicRouteContext) -> None:
        self._support = support

    def _consents(self) -> Consents:
        return self._support.services.use(Consents)

    def _limited(self, request: Request) -> HTMLResponse | None:
        """Too many requests from one address: a page saying when to try again."""
        allowance = self._support.buckets.take(
            f"consent:{client_address(request.scope)}", 1, self._support.rate
        )
        if allowance.granted:
            return None
        wait = max(1, math.ceil(allowance.retry_after))
        response = _page("Too many requests", f"<p>Please try again in {wait} s.</p>", 429)
        response.headers["Retry-After"] = str(wait)
        return response

    async def confirm(self, request: Request) -> HTMLResponse:
        if (limited := self._limited(request)) is not None:
            return limited
        try:
            await run_in_threadpool(self._consents().confirm_opt_in, request.path_params["token"])
        except DomainError as error:
            return _refused(error)
        return _page("Thank you", "<p>Your subscription is confirmed.</p>")

    async def unsubscribe(self, request: Request) -> HTMLResponse:
        if (limited := self._limited(request)) is not None:
            return limited
        token = request.path_params["token"]
        consents = self._consents()
        if request.method == "GET":
            # A GET changes nothing: link scanners in mail filters follow every link.
            try:
                consents.unsubscribe.check(token)
            except DomainError as error:
                return _refused(error)
            return _page("Unsubscribe", UNSUBSCRIBE_FORM)
        # RFC 8058: a mail client posts List-Unsubscribe=One-Click; the page's button posts
        # the same. The body is read under a limit and needs nothing else.
        try:
            await read_body(request.receive, MAX_FORM_BODY)
        except BodyTooLarge:
            return _page("Unsubscribe", "<p>The request is too large.</p>", 413)
        try:
            await run_in_threadpool(consents.unsubscribe, token)
        except DomainError as error:
            return _refused(error)
        return _page("You are unsubscribed", "<p>You will receive no more of these messages.</p>")


def consent_routes(support: PublicRouteContext) -> Sequence[BaseRoute]:
    pages = ConsentPages(support)
    return [
        Route("/consent/confirm/{token}", pages.confirm, methods=["GET"]),
        Route("/unsubscribe/{token}", pages.unsubscribe, methods=["GET", "POST"]),
    ]


PART = SchemaPart(
    mutations=(ConsentMutation,),
    customer_fields=(CustomerConsents,),
    routes=(consent_routes,),
)
