"""Pipelines in the API: the pipeline and stage types, ids, and the list of pipelines."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from adapters.graphql.context import Info
from adapters.graphql.errors import QueryErrors
from adapters.graphql.parts import SchemaPart
from adapters.graphql.relay import (
    Node,
    local_id,
    to_global_id,
)
from adapters.graphql.type_names import PIPELINE, STAGE
from application.pipeline.views import CurrencyAmount
from domain.pipeline import Pipeline, PipelineStage


@strawberry.type(description="A sum in one currency; sums are never converted.")
class MoneyTotal:
    currency: str
    amount: Decimal

    @classmethod
    def of(cls, total: CurrencyAmount) -> MoneyTotal:
        return cls(currency=total.currency, amount=total.amount)


@strawberry.type(name="PipelineStage", description="One step of a pipeline.")
class PipelineStageNode:
    id: strawberry.ID
    key: str
    label: str
    probability: int = strawberry.field(description="Default chance of winning, in percent.")
    required_fields: list[str] = strawberry.field(
        description="Deal fields that must be set before a deal may enter this stage."
    )
    position: int

    @classmethod
    def from_stage(cls, stage: PipelineStage) -> PipelineStageNode:
        return cls(
            id=strawberry.ID(to_global_id(STAGE, stage.id)),
            key=stage.key,
            label=stage.label,
            probability=stage.probability,
            required_fields=sorted(field.api_name for field in stage.required),
            position=stage.position,
        )


@strawberry.type(name="Pipeline", description="A sales process: its stages in order.")
class PipelineNode(Node):
    name: str
    is_default: bool
    stale_after_days: int = strawberry.field(
        description="Open deals without activity for this many days are stale."
    )
    stages: list[PipelineStageNode]

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> PipelineNode:
        return cls(
            id=strawberry.ID(to_global_id(PIPELINE, pipeline.id)),
            name=pipeline.name,
            is_default=pipeline.is_default,
            stale_after_days=pipeline.stale_after_days,
            stages=[PipelineStageNode.from_stage(stage) for stage in pipeline.stages],
        )


def stage_node(info: Info, pipeline_id: str, stage_id: str) -> PipelineStageNode | None:
    pipeline = info.context.loaders.pipelines().get(pipeline_id)
    for stage in pipeline.stages if pipeline else ():
        if stage.id == stage_id:
            return PipelineStageNode.from_stage(stage)
    return None


def read_pipeline_id(value: strawberry.ID, field: str = "pipelineId") -> str:
    return local_id(value, PIPELINE, field=field)


@strawberry.type
class PipelineQuery:
    @strawberry.field(description="Every pipeline, the default first.", extensions=[QueryErrors()])
    def pipelines(self, info: Info) -> list[PipelineNode]:
        found = info.context.loaders.pipelines()
        return [PipelineNode.from_pipeline(p) for p in found.values()]


PART = SchemaPart(
    queries=(PipelineQuery,),
)
