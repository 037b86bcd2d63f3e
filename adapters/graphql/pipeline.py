"""Pipelines in the API: the pipeline and stage types, ids, and the list of pipelines."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

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
from domain.pipeline import DealField, Pipeline, PipelineStage


@strawberry.enum(description="A field of a deal that a stage may require before a deal enters.")
class OpportunityField(Enum):
    AMOUNT = strawberry.enum_value(DealField.AMOUNT.value, description="The deal's amount.")
    EXPECTED_CLOSE_DATE = strawberry.enum_value(
        DealField.EXPECTED_CLOSE_DATE.value, description="When the deal is expected to close."
    )
    NEXT_STEP = strawberry.enum_value(
        DealField.NEXT_STEP.value, description="What happens next, as text."
    )
    COMPANY = strawberry.enum_value(
        DealField.COMPANY.value, description="The company the deal is with."
    )
    LINE_ITEMS = strawberry.enum_value(
        DealField.LINE_ITEMS.value, description="At least one line item."
    )


@strawberry.type(name="PipelineStage", description="One step of a pipeline.")
class PipelineStageNode:
    id: strawberry.ID = strawberry.field(description="The stage's opaque global id.")
    key: str = strawberry.field(description="The stage's stable key, such as proposal.")
    label: str = strawberry.field(description="The stage's name as people read it.")
    probability: int = strawberry.field(description="Default chance of winning, in percent.")
    required_fields: list[OpportunityField] = strawberry.field(
        description="Deal fields that must be set before a deal may enter this stage."
    )
    position: int = strawberry.field(description="The stage's place in its pipeline, from 0.")

    @classmethod
    def from_stage(cls, stage: PipelineStage) -> PipelineStageNode:
        return cls(
            id=strawberry.ID(to_global_id(STAGE, stage.id)),
            key=stage.key,
            label=stage.label,
            probability=stage.probability,
            required_fields=[OpportunityField(field.value) for field in sorted(stage.required)],
            position=stage.position,
        )


@strawberry.type(name="Pipeline", description="A sales process: its stages in order.")
class PipelineNode(Node):
    name: str = strawberry.field(description="The pipeline's name.")
    is_default: bool = strawberry.field(
        description="Whether deals opened without a pipeline go into this one."
    )
    stale_after_days: int = strawberry.field(
        description="Open deals without activity for this many days are stale."
    )
    stages: list[PipelineStageNode] = strawberry.field(
        description="The pipeline's stages, in order; won and lost are outcomes, not stages."
    )

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


def fetch_pipeline(info: Info, pipeline_id: str) -> PipelineNode | None:
    found = info.context.loaders.pipelines().get(pipeline_id)
    return PipelineNode.from_pipeline(found) if found else None


@strawberry.type
class PipelineQuery:
    @strawberry.field(
        description="Every pipeline, the default first. A plain list: pipelines are a "
        "handful of configuration records, never a growing list.",
        extensions=[QueryErrors()],
    )
    def pipelines(self, info: Info) -> list[PipelineNode]:
        found = info.context.loaders.pipelines()
        return [PipelineNode.from_pipeline(p) for p in found.values()]

    @strawberry.field(
        description="One pipeline by id; null when there is none.", extensions=[QueryErrors()]
    )
    def pipeline(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The pipeline's id.")],
    ) -> PipelineNode | None:
        return fetch_pipeline(info, read_pipeline_id(id, "id"))


PART = SchemaPart(
    queries=(PipelineQuery,),
    nodes={PIPELINE: fetch_pipeline},
)
