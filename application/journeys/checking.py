"""What a journey names must exist: its segment, templates, tags, stages and fields, and
its rules must parse in the segment rule language."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from application.campaigns.template_ports import TemplateReader
from application.custom_fields.ports import CustomFieldDefinitionReader
from application.lifecycle.ports import LifecycleReader
from application.segments.ports import SegmentReader
from application.segments.rules import SegmentRules
from application.tags.ports import TagReader
from domain.campaigns.journeys import (
    BranchStep,
    JourneyVersion,
    SendStep,
    TriggerKind,
    UpdateKind,
    UpdateStep,
)
from domain.custom_fields import ObjectType
from domain.errors import DomainError, ErrorCode, Problem
from domain.lifecycle import Track
from domain.tags.tag import name_key


@frozen
class JourneyReferences:
    templates: TemplateReader
    segments: SegmentReader
    tags: TagReader
    lifecycle: LifecycleReader
    definitions: CustomFieldDefinitionReader
    rules: SegmentRules

    def problems(self, version: JourneyVersion) -> list[Problem]:
        """The definition's own problems, then each name that does not exist."""
        problems = version.problems()
        trigger = version.trigger
        if (
            trigger.kind is TriggerKind.SEGMENT_ENTERED
            and trigger.segment_id
            and trigger.segment_id not in self.segments.get_many([trigger.segment_id])
        ):
            problems.append(
                Problem("trigger.segmentId", ErrorCode.NOT_FOUND, "no segment has this id")
            )
        tracks = self.lifecycle.catalogue().tracks
        if trigger.kind is TriggerKind.STAGE_CHANGED and trigger.track:
            problems.extend(self._stage("trigger", trigger.track, trigger.stage, tracks))
        fields = {d.key for d in self.definitions.for_object(ObjectType.CUSTOMER)}
        if (
            trigger.kind is TriggerKind.DATE_FIELD
            and trigger.date_field
            and trigger.date_field not in fields
        ):
            problems.append(
                Problem("trigger.dateField", ErrorCode.NOT_FOUND, "no such custom field")
            )
        tags = {name_key(tag.name) for tag in self.tags.all()}
        for step in version.steps:
            path = f"steps.{step.id}"
            if isinstance(step, SendStep) and step.template_id:
                template = self.templates.get(step.template_id)
                if template is None or template.archived_at is not None:
                    problems.append(
                        Problem(f"{path}.templateId", ErrorCode.NOT_FOUND, "no such template")
                    )
                elif template.channel is not step.channel:
                    problems.append(
                        Problem(
                            f"{path}.channel",
                            ErrorCode.INVALID,
                            f"the template is for {template.channel.value}",
                        )
                    )
            if isinstance(step, UpdateStep):
                if (
                    step.kind in (UpdateKind.ADD_TAG, UpdateKind.REMOVE_TAG)
                    and step.tag
                    and name_key(step.tag) not in tags
                ):
                    problems.append(Problem(f"{path}.tag", ErrorCode.NOT_FOUND, "no such tag"))
                if step.kind is UpdateKind.SET_STAGE and step.track:
                    problems.extend(self._stage(path, step.track, step.stage, tracks))
                if (
                    step.kind is UpdateKind.SET_CUSTOM_FIELD
                    and step.field_key
                    and step.field_key not in fields
                ):
                    problems.append(
                        Problem(f"{path}.fieldKey", ErrorCode.NOT_FOUND, "no such custom field")
                    )
            if isinstance(step, BranchStep) and step.rule.strip():
                problems.extend(self._rule(f"{path}.rule", step.rule))
        if version.goal_rule and version.goal_rule.strip():
            problems.extend(self._rule("goalRule", version.goal_rule))
        for index, rule in enumerate(version.exit_rules):
            if rule.strip():
                problems.extend(self._rule(f"exitRules.{index}", rule))
        return problems

    def check(self, version: JourneyVersion) -> None:
        problems = self.problems(version)
        if problems:
            raise DomainError(problems)

    def _rule(self, field: str, text: str) -> list[Problem]:
        try:
            self.rules.resolve(self.rules.prepare(text).rule)
        except DomainError as error:
            return [
                Problem(field, problem.code, problem.message, line=problem.line)
                for problem in error.problems
            ]
        return []

    @staticmethod
    def _stage(
        path: str, track: str, stage: str | None, tracks: Mapping[str, Track]
    ) -> list[Problem]:
        known = tracks.get(track)
        if known is None:
            return [Problem(f"{path}.track", ErrorCode.NOT_FOUND, "no such lifecycle track")]
        if stage and stage not in known.stage_keys:
            return [Problem(f"{path}.stage", ErrorCode.NOT_FOUND, "no such stage on the track")]
        return []
