"""Assignment: round-robin stays within one lead between available reps, whatever happens."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.pipeline import SalesTeam, Strategy, TeamMember

REPS = ["ana", "ben", "cho", "dev", "eli"]

# A step is a lead arriving (None) or a rep going away (True) or coming back (False).
steps = st.lists(
    st.one_of(st.none(), st.tuples(st.sampled_from(REPS), st.booleans())), max_size=200
)


def team(strategy: Strategy = Strategy.ROUND_ROBIN, size: int = 3) -> SalesTeam:
    return SalesTeam(
        id="t",
        name="Inside",
        strategy=strategy,
        members=[TeamMember(user_id=rep) for rep in REPS[:size]],
    )


@settings(max_examples=400)
@given(size=st.integers(min_value=1, max_value=5), steps=steps)
# Found by this test: a rep back from leave used to be followed by roster order among
# equals, handing the first rep a second lead before the second rep had one.
@example(size=3, steps=[None] * 5 + [("ana", True), ("ana", False)] + [None] * 3)
def test_round_robin_never_puts_available_reps_more_than_one_lead_apart(
    size: int, steps: list[tuple[str, bool] | None]
) -> None:
    rotation = team(size=size)
    roster = set(REPS[:size])
    since_change: Counter[str] = Counter()
    for step in steps:
        if step is None:
            if not rotation.available:
                with pytest.raises(DomainError):
                    rotation.next_rep()
                continue
            rep = rotation.next_rep()
            assert rep in {m.user_id for m in rotation.available}
            since_change[rep] += 1
        else:
            rep, away = step
            if rep not in roster:
                continue
            rotation.set_away(rep, away)
            since_change.clear()
        available = [m.user_id for m in rotation.available]
        # The leads each available rep was handed since availability last changed...
        handed = [since_change[rep] for rep in available]
        assert not handed or max(handed) - min(handed) <= 1
        # ...and their places in the rotation.
        turns = [m.turns for m in rotation.available]
        assert not turns or max(turns) - min(turns) <= 1


def test_round_robin_takes_reps_in_roster_order() -> None:
    rotation = team()
    assert [rotation.next_rep() for _ in range(7)] == ["ana", "ben", "cho"] * 2 + ["ana"]


def test_a_rep_back_from_leave_is_not_flooded() -> None:
    rotation = team()
    rotation.set_away("cho", True)
    for _ in range(10):
        rotation.next_rep()
    rotation.set_away("cho", False)
    assert sorted(rotation.next_rep() for _ in range(3)) == ["ana", "ben", "cho"]


def test_territory_prefers_reps_covering_the_lead() -> None:
    rotation = SalesTeam(
        id="t",
        name="Field",
        strategy=Strategy.TERRITORY,
        members=[
            TeamMember(user_id="ana", regions=frozenset({"emea"})),
            TeamMember(user_id="ben", industries=frozenset({"retail"})),
            TeamMember(user_id="cho"),
        ],
    )
    assert rotation.next_rep(region="EMEA") == "ana"
    assert rotation.next_rep(industry="Retail") == "ben"
    assert rotation.next_rep(region="APAC") == "cho"  # nobody covers it: everyone's turn


def test_least_loaded_goes_to_the_rep_with_fewest_open_leads() -> None:
    rotation = team(Strategy.LEAST_LOADED)
    assert rotation.next_rep(open_leads={"ana": 4, "ben": 1, "cho": 2}) == "ben"
    rotation.set_away("ben", True)
    assert rotation.next_rep(open_leads={"ana": 4, "ben": 1, "cho": 2}) == "cho"
