"""Pipelines: ordered stages as data, each with a win probability and the fields it needs."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from attrs import frozen

from domain.errors import ErrorCode, InvalidValue, RuleViolated
from domain.text import clean_line


class DealField(StrEnum):
    """Fields of an opportunity that a stage may require before it can be entered."""

    AMOUNT = "amount"
    EXPECTED_CLOSE_DATE = "expected_close_date"
    NEXT_STEP = "next_step"
    COMPANY = "company_id"
    LINE_ITEMS = "line_items"

    @property
    def api_name(self) -> str:
        """The input field that provides it, as the API spells it."""
        head, *rest = self.value.split("_")
        return head + "".join(part.capitalize() for part in rest)


@frozen(kw_only=True)
class PipelineStage:
    id: str
    key: str
    label: str
    probability: int
    """The default chance, in percent, that an opportunity at this stage is won."""
    required: frozenset[DealField] = frozenset()
    position: int = 0

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.probability <= 100:
            raise InvalidValue("probability", ErrorCode.INVALID, "must be between 0 and 100")
        clean_line(self.label, field="label", max_length=100)


@frozen(kw_only=True)
class Pipeline:
    """A sales process: stages in order. Won and lost are outcomes of closing, not stages."""

    id: str
    name: str
    stages: tuple[PipelineStage, ...]
    is_default: bool = False
    stale_after_days: int = 30
    """An open opportunity with no activity for this many days is flagged as stale."""

    def __attrs_post_init__(self) -> None:
        ids = [stage.id for stage in self.stages]
        if not ids or len(set(ids)) != len(ids):
            raise InvalidValue("stages", ErrorCode.INVALID, "a pipeline has distinct stages")
        if self.stale_after_days < 1:
            raise InvalidValue("staleAfterDays", ErrorCode.INVALID, "must be at least 1")

    @property
    def first_stage(self) -> PipelineStage:
        return self.stages[0]

    def stage(self, stage_id: str, *, field_name: str = "stageId") -> PipelineStage:
        """The stage with this id; a stage of another pipeline is ``WRONG_PIPELINE``."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise RuleViolated(
            field_name, ErrorCode.WRONG_PIPELINE, f"the {self.name} pipeline has no such stage"
        )


def default_pipeline(stage_ids: Iterable[str] | None = None) -> Pipeline:
    """The pipeline a new installation starts with; migration 0009 seeds the same one."""
    needs_deal = frozenset({DealField.AMOUNT, DealField.EXPECTED_CLOSE_DATE})
    stages = (
        ("qualification", "Qualification", 10, frozenset[DealField]()),
        ("discovery", "Discovery", 25, frozenset[DealField]()),
        ("proposal", "Proposal", 50, needs_deal),
        ("negotiation", "Negotiation", 75, needs_deal | {DealField.NEXT_STEP}),
    )
    ids = list(stage_ids) if stage_ids is not None else [f"sales-{key}" for key, *_ in stages]
    return Pipeline(
        id="sales",
        name="Sales",
        is_default=True,
        stages=tuple(
            PipelineStage(
                id=stage_id, key=key, label=label, probability=chance, required=needs, position=i
            )
            for i, (stage_id, (key, label, chance, needs)) in enumerate(
                zip(ids, stages, strict=True)
            )
        ),
    )
