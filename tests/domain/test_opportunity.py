"""The opportunity aggregate: stays in stages, required fields, closing, exact money."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import DomainError, ErrorCode
from domain.orders.money import Currency, Money
from domain.pipeline import DealTerms, LineItem, Opportunity, Outcome, default_pipeline
from domain.pipeline.events import OpportunityUpdated

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PIPELINE = default_pipeline()
Q, D, P, N = (stage.id for stage in PIPELINE.stages)
EUR = Currency("EUR")


def deal(stage: str | None = None, **terms: object) -> Opportunity:
    fields: dict[str, object] = {"currency": EUR, "amount": Money.of("100", EUR)}
    fields.update(terms)
    return Opportunity.open(
        id="o1",
        pipeline=PIPELINE,
        stage_id=stage,
        name="Deal",
        customer_id="c1",
        company_id=None,
        owner_id="u1",
        terms=DealTerms.of(**fields),  # type: ignore[arg-type]
        entry_id="e0",
        at=T0,
        by="u1",
    )


def test_each_stay_records_its_time_and_whether_it_is_the_first() -> None:
    opportunity = deal(expected_close_date=date(2026, 3, 1))
    for n, stage in enumerate([D, P, D], start=1):
        assert opportunity.advance(
            PIPELINE, stage, entry_id=f"e{n}", at=T0 + timedelta(days=n), by="u"
        )
    assert not opportunity.advance(PIPELINE, D, entry_id="same", at=T0, by="u")
    assert [(e.stage_id, e.first_entry, e.seconds) for e in opportunity.entries] == [
        (Q, True, 86_400),
        (D, True, 86_400),
        (P, True, 86_400),
        (D, False, None),
    ]
    opportunity.close(Outcome.LOST, "budget cut", at=T0 + timedelta(days=5), by="u")
    assert opportunity.entries[-1].seconds == 2 * 86_400
    assert opportunity.cycle_seconds == 5 * 86_400
    assert [type(e).__name__ for e in opportunity.events][-1] == "OpportunityClosed"


def test_a_stage_refuses_entry_until_its_fields_are_set() -> None:
    with pytest.raises(DomainError) as error:
        deal(N, amount=None)
    assert [(p.field, p.code) for p in error.value.problems] == [
        ("amount", ErrorCode.REQUIRED),
        ("expectedCloseDate", ErrorCode.REQUIRED),
        ("nextStep", ErrorCode.REQUIRED),
    ]


def test_money_is_exact_and_in_one_currency() -> None:
    usd = Currency("USD")
    items = [
        LineItem.of(
            product="A", quantity=3, unit_price=Money.of("0.10", EUR), discount=None, index=0
        ),
        LineItem.of(
            product="B",
            quantity=1,
            unit_price=Money.of("0.20", EUR),
            discount=Money.of("0.05", EUR),
            index=1,
        ),
    ]
    terms = DealTerms.of(currency=EUR, amount=None, line_items=items)
    assert terms.amount == Money(Decimal("0.45"), EUR)
    with pytest.raises(DomainError) as error:
        DealTerms.of(currency=usd, amount=Money.of("-1", usd), line_items=items)
    assert [p.code for p in error.value.problems] == [
        ErrorCode.NEGATIVE,
        ErrorCode.CURRENCY_MISMATCH,
        ErrorCode.CURRENCY_MISMATCH,
    ]


def test_staleness_counts_days_since_the_last_activity() -> None:
    opportunity = deal()
    assert not opportunity.is_stale(T0 + timedelta(days=29, hours=23), 30)
    assert opportunity.is_stale(T0 + timedelta(days=30), 30)
    opportunity.close(Outcome.WON, "signed", at=T0 + timedelta(days=1), by="u")
    assert not opportunity.is_stale(T0 + timedelta(days=90), 30)


def test_a_revision_keeps_what_the_current_stage_requires() -> None:
    opportunity = deal(amount=None)
    worth = DealTerms.of(
        currency=EUR,
        amount=Money.of("900", EUR),
        expected_close_date=date(2026, 6, 1),
        next_step="sign",
    )
    assert opportunity.revise(PIPELINE, terms=worth, name=" Bigger deal ", at=T0, by="rep")
    assert (opportunity.name, opportunity.version) == ("Bigger deal", 2)
    (edited,) = [e for e in opportunity.events if isinstance(e, OpportunityUpdated)]
    assert (edited.actor_id, edited.amount, edited.currency) == ("rep", "900.00", "EUR")
    assert not opportunity.revise(PIPELINE, terms=worth, at=T0, by="rep")
    assert len([e for e in opportunity.events if isinstance(e, OpportunityUpdated)]) == 1
    assert opportunity.advance(PIPELINE, N, entry_id="e1", at=T0, by="u")
    with pytest.raises(DomainError) as error:
        opportunity.revise(PIPELINE, terms=DealTerms.of(currency=EUR, amount=None), at=T0, by="rep")
    assert [(p.field, p.code) for p in error.value.problems] == [
        ("amount", ErrorCode.REQUIRED),
        ("expectedCloseDate", ErrorCode.REQUIRED),
        ("nextStep", ErrorCode.REQUIRED),
    ]
    assert opportunity.terms == worth and opportunity.version == 3
    opportunity.close(Outcome.WON, "signed", at=T0, by="u")
    with pytest.raises(DomainError):
        opportunity.revise(PIPELINE, name="Late", at=T0, by="rep")
