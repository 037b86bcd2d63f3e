from datetime import timedelta

import pytest

from application.activities.commands import NewActivity
from application.behaviour.tracking import IncomingEvent
from application.customers.commands import NewCustomer
from application.customers.views import CustomerView
from application.errors import InvalidInput
from application.principal import Principal
from domain.activities import ActivityKind
from domain.errors import ErrorCode
from tests.application.conftest import App


@pytest.fixture
def ada(app: App, agent: Principal) -> CustomerView:
    return app.customers.create(agent, NewCustomer(first_name="Ada", email="ada@example.com"))


def note(app: App, actor: Principal, customer_id: str, text: str, *, ago: timedelta) -> str:
    return app.activities.log(
        actor,
        NewActivity(
            customer_id=customer_id,
            kind=ActivityKind.NOTE,
            body=text,
            occurred_at=app.clock.now() - ago,
        ),
    ).id


def track(app: App, actor: Principal, customer_id: str, name: str, *, ago: timedelta) -> None:
    result = app.behaviour.track(
        actor,
        [
            IncomingEvent(
                customer_id=customer_id,
                name=name,
                event_id=f"{name}-{app.clock.now().isoformat()}-{ago}",
                occurred_at=app.clock.now() - ago,
            )
        ],
    )
    assert result.accepted == 1


def test_activities_and_behaviour_events_merge_newest_first(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    note(app, agent, ada.id, "Met at the fair", ago=timedelta(days=3))
    track(app, agent, ada.id, "Signed Up", ago=timedelta(days=2))
    note(app, agent, ada.id, "Asked for a demo", ago=timedelta(days=1))
    track(app, agent, ada.id, "Started Trial", ago=timedelta(hours=1))
    page = app.timeline.get(agent, ada.id)
    assert [(e.node.kind, e.node.title) for e in page.edges] == [
        ("behaviour_event", "Started Trial"),
        ("note", "Asked for a demo"),
        ("behaviour_event", "Signed Up"),
        ("note", "Met at the fair"),
    ]
    notes = app.timeline.get(agent, ada.id, kinds={"note"})
    assert [e.node.title for e in notes.edges] == ["Asked for a demo", "Met at the fair"]
    assert app.timeline.get(agent, ada.id, kinds={"order"}).edges == ()


def test_pages_are_stable_while_entries_are_added_between_fetches(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    for n in range(12):
        note(app, agent, ada.id, f"note {n}", ago=timedelta(hours=n % 4))
    existing = {e.node.id for e in app.timeline.get(agent, ada.id, first=100).edges}
    seen: list[str] = []
    after: str | None = None
    fetches = 0
    while True:
        page = app.timeline.get(agent, ada.id, first=5, after=after)
        seen.extend(e.node.id for e in page.edges)
        fetches += 1
        if not page.has_next_page:
            break
        after = page.end_cursor
        # newer than everything, then back-dated: before the cursor and after it
        app.clock.advance(timedelta(seconds=1))
        note(app, agent, ada.id, f"new after page {fetches}", ago=timedelta(0))
        track(app, agent, ada.id, "Back-dated", ago=timedelta(days=fetches))
    assert len(seen) == len(set(seen)), "an entry already seen was repeated"
    assert existing <= set(seen), "an entry that existed at the first fetch was skipped"
    assert fetches >= 3


def test_a_cursor_of_another_list_is_a_typed_error(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    with pytest.raises(InvalidInput) as caught:
        app.timeline.get(agent, ada.id, after="bm90LWEtY3Vyc29y")
    assert (caught.value.problems[0].field, caught.value.problems[0].code) == (
        "after",
        ErrorCode.INVALID,
    )
    with pytest.raises(InvalidInput):
        app.timeline.get(agent, ada.id, first=101)


def test_the_timeline_of_an_unknown_customer_is_empty(app: App, agent: Principal) -> None:
    page = app.timeline.get(agent, "nobody")
    assert (page.edges, page.has_next_page) == ((), False)


def test_a_window_narrows_pages_first_pages_and_counts(
    app: App, agent: Principal, ada: CustomerView
) -> None:
    from application.timeline.ports import TimelineWindow

    for days in range(5):
        note(app, agent, ada.id, f"note {days}", ago=timedelta(days=days))
    now = app.clock.now()
    window = TimelineWindow(since=now - timedelta(days=3), until=now - timedelta(hours=12))
    page = app.timeline.get(agent, ada.id, window=window)
    assert [edge.node.summary for edge in page.edges] == ["note 1", "note 2", "note 3"]
    firsts = app.timeline.get.first_pages(agent, [ada.id], first=2, window=window)
    assert [edge.node.summary for edge in firsts[ada.id].edges] == ["note 1", "note 2"]
    assert firsts[ada.id].has_next_page
    assert app.timeline.get.counts(agent, [ada.id, "nobody"], window) == {ada.id: 3, "nobody": 0}
    oldest = app.timeline.get(agent, ada.id, first=2, oldest_first=True)
    assert [edge.node.summary for edge in oldest.edges] == ["note 4", "note 3"]
    with pytest.raises(InvalidInput) as refused:
        app.timeline.get(agent, ada.id, window=TimelineWindow(since=now, until=now))
    assert refused.value.problems[0].field == "to"
    with pytest.raises(InvalidInput):
        app.timeline.get(agent, ada.id, after=oldest.end_cursor)  # made for the other order
