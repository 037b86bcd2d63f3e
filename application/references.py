"""Checks that the ids a request names point at records it may use.

Every use case that links a record to a user, a company or a customer asks here, so a
reference is refused the same way (code, field and message) wherever it is named. Each
check comes as a ``*_refusal`` function that returns the error, for batches that report
rows one by one, and as a ``require_*`` function that raises it.
"""

from __future__ import annotations

from application.customers.lookup import CustomerStatus
from application.errors import NotFound
from application.principal import Principal
from application.unit_of_work import UnitOfWork
from application.visibility import is_visible
from domain.access.roles import Resource
from domain.customers import Customer
from domain.errors import DomainError, ErrorCode, RuleViolated

NO_ACTIVE_CUSTOMER = "no active customer has this id"


def user_refusal(
    uow: UnitOfWork, user_id: str, *, field: str = "ownerId", actor: Principal | None = None
) -> NotFound | None:
    """Why ``user_id`` names no user, or ``None`` when it does.

    The ``actor`` always counts as a user: it is the one asking, stored or not.
    """
    if actor is not None and user_id == actor.actor_id:
        return None
    if uow.users.get(user_id) is None:
        return NotFound(field, "no user has this id")
    return None


def require_user(
    uow: UnitOfWork, user_id: str, *, field: str = "ownerId", actor: Principal | None = None
) -> None:
    """Refuse a ``user_id`` that names no user (other than the ``actor``)."""
    if (refusal := user_refusal(uow, user_id, field=field, actor=actor)) is not None:
        raise refusal


def company_refusal(archived: bool | None, *, field: str = "companyId") -> DomainError | None:
    """Why a company may not be linked, given its archived flag (``None``: no such company)."""
    if archived is None:
        return NotFound(field, "no company has this id")
    if archived:
        return RuleViolated(field, ErrorCode.ARCHIVED, "the company is archived")
    return None


def require_active_company(
    uow: UnitOfWork,
    company_id: str | None,
    *,
    field: str = "companyId",
    actor: Principal | None = None,
) -> None:
    """Refuse a ``company_id`` that names no company or an archived one; ``None`` names none.

    Given the ``actor``, a company they may not see is refused as one that does not exist.
    """
    if company_id is None:
        return
    archived = uow.companies.archived_flags([company_id]).get(company_id)
    if archived is not None and actor is not None and not sees_company(uow, actor, company_id):
        archived = None
    if (refusal := company_refusal(archived, field=field)) is not None:
        raise refusal


def customer_refusal(
    status: CustomerStatus | None,
    *,
    field: str = "customerId",
    when_archived: str | None = None,
) -> DomainError | None:
    """Why a customer with this ``status`` (``None``: no such customer) takes no new links.

    An archived customer reads as missing, unless ``when_archived`` gives the reason to
    refuse it as archived; a missing one then reads as "no customer has this id".
    """
    if status is CustomerStatus.ACTIVE:
        return None
    if when_archived is None:
        return NotFound(field, NO_ACTIVE_CUSTOMER)
    if status is None:
        return NotFound(field, "no customer has this id")
    return RuleViolated(field, ErrorCode.ARCHIVED, when_archived)


def require_live_customer(
    uow: UnitOfWork,
    customer_id: str,
    *,
    field: str = "customerId",
    when_archived: str | None = None,
    actor: Principal | None = None,
) -> None:
    """Refuse a ``customer_id`` that names no customer or an archived one, without loading it
    (unless the ``actor``'s visibility is restricted: a customer they may not see is
    refused as one that does not exist)."""
    status = uow.customer_lookup.statuses([customer_id]).get(customer_id)
    if status is not None and actor is not None and not sees_customer(uow, actor, customer_id):
        status = None
    refusal = customer_refusal(status, field=field, when_archived=when_archived)
    if refusal is not None:
        raise refusal


def load_live_customer(
    uow: UnitOfWork,
    customer_id: str,
    *,
    field: str = "customerId",
    message: str = NO_ACTIVE_CUSTOMER,
    actor: Principal | None = None,
) -> Customer:
    """The customer ``customer_id`` names, for a use case that changes or reads it;
    a missing or archived one, or one the ``actor`` may not see, is refused with ``message``."""
    customer = uow.customers.get(customer_id)
    if customer is None or customer.is_archived:
        raise NotFound(field, message)
    if actor is not None and not is_visible(
        actor, Resource.CUSTOMERS, customer.owner_id, customer.id
    ):
        raise NotFound(field, message)
    return customer


def sees_customer(uow: UnitOfWork, actor: Principal, customer_id: str) -> bool:
    """Whether the actor may see the customer; loads it only when their scope is not ALL."""
    if actor.visibility(Resource.CUSTOMERS).unrestricted:
        return True
    customer = uow.customers.get(customer_id)
    owner_id = customer.owner_id if customer is not None else None
    return is_visible(actor, Resource.CUSTOMERS, owner_id, customer_id)


def sees_company(uow: UnitOfWork, actor: Principal, company_id: str) -> bool:
    """Whether the actor may see the company; loads it only when their scope is not ALL."""
    if actor.visibility(Resource.COMPANIES).unrestricted:
        return True
    company = uow.companies.get(company_id)
    owner_id = company.owner_id if company is not None else None
    return is_visible(actor, Resource.COMPANIES, owner_id, company_id)
