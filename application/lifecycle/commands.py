"""Moving a customer to another stage by hand."""

from __future__ import annotations

from attrs import frozen

from application.lifecycle.views import StageView
from application.ports import Clock, IdGenerator
from application.principal import Principal
from application.references import require_live_customer
from application.unit_of_work import UnitOfWorkFactory
from domain.access.roles import Permission


@frozen(kw_only=True)
class StageMove:
    customer_id: str
    track: str
    stage: str
    reason: str = ""
    override: bool = False


@frozen
class ChangeLifecycleStage:
    """Put a customer on a stage; a move the track does not allow needs an override."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    def __call__(self, actor: Principal, move: StageMove) -> list[StageView]:
        actor.require(Permission.UPDATE_CUSTOMERS)
        with self.uow() as uow:
            require_live_customer(uow, move.customer_id, actor=actor)
            track = uow.lifecycle.catalogue().track(move.track)
            lifecycle = uow.lifecycle.get_many([move.customer_id])[move.customer_id]
            change = lifecycle.move(
                track,
                move.stage,
                change_id=self.ids.new_id(),
                at=self.clock.now(),
                by=actor.actor_id,
                reason=move.reason,
                override=move.override,
            )
            if change is not None:
                uow.timeline.record([change.timeline_entry()])
                uow.commit()
        return [
            StageView(move.customer_id, key, assignment.stage, assignment.entered_at)
            for key, assignment in sorted(lifecycle.stages.items())
        ]
