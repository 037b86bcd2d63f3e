"""Privacy: ``exportCustomerData`` and ``eraseCustomer``."""

from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors, UserError, UserErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import local_id, to_global_id
from adapters.graphql.type_names import CUSTOMER
from application.privacy.bundle import Privacy


@strawberry.type(description="Everything Rapport holds about one person, as JSON.")
class CustomerDataExport:
    customer_id: strawberry.ID = strawberry.field(description="The customer's global id.")
    generated_at: datetime = strawberry.field(description="When the export was taken.")
    data: JSON = strawberry.field(
        description=(
            "The records held about the person, by table: `customers` (with custom fields), "
            "`companies`, `orders` (with lines), `tracked_events`, `activities`, "
            "`timeline_entries`, `customer_tags`, `tag_history`, `tags`, `customer_stages`, "
            "`stage_changes`, `leads`, `opportunities`, `tasks`, `segment_members` and what "
            "later modules declare. Customers merged into this one are included."
        )
    )


@strawberry.input(description="The customer to erase.")
class EraseCustomerInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's global id.")


@strawberry.type(description="The result of eraseCustomer.")
class EraseCustomerPayload:
    erased_customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of the customer erased; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the input was refused; empty on success."
    )


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        description=(
            "Everything held about a customer and those merged into them (GDPR article 15, "
            "PIPL article 45); needs the customers:export permission."
        ),
        extensions=[QueryErrors()],
    )
    def export_customer_data(
        self,
        info: Info,
        customer_id: Annotated[
            strawberry.ID, strawberry.argument(description="The customer's global id.")
        ],
    ) -> CustomerDataExport:
        context = info.context
        local = local_id(customer_id, CUSTOMER, field="customerId")
        export = context.services.use(Privacy).export(context.principal, local)
        return CustomerDataExport(
            customer_id=strawberry.ID(to_global_id(CUSTOMER, export.customer_id)),
            generated_at=export.generated_at,
            data=cast(JSON, export.data),
        )


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description=(
            "Erase a customer and every customer merged into them: personal data leaves every "
            "table, the outbox, webhook deliveries, timers and segments, in one transaction. "
            "Orders and deals stay, anonymous, so revenue is unchanged. Emits "
            "rapport.customer.erased.v1; needs the customers:erase permission. Irreversible."
        ),
        extensions=[UserErrors()],
    )
    def erase_customer(
        self,
        info: Info,
        input: Annotated[EraseCustomerInput, strawberry.argument(description="The customer.")],
    ) -> EraseCustomerPayload:
        context = info.context
        local = local_id(input.customer_id, CUSTOMER, field="customerId")
        erased = context.services.use(Privacy).erase(context.principal, local)
        return EraseCustomerPayload(
            erased_customer_id=strawberry.ID(to_global_id(CUSTOMER, erased))
        )


PART = SchemaPart(queries=(PrivacyQuery,), mutations=(PrivacyMutation,))
