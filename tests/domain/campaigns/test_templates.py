"""The template aggregate: what each channel needs, names, and versions that only grow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.channels import Channel
from domain.campaigns.templates import (
    TEMPLATE_VARIABLES,
    Template,
    TemplateContent,
    allowed_variables,
    name_key,
)
from domain.errors import DomainError, ErrorCode

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _codes(error: pytest.ExceptionInfo[DomainError]) -> set[tuple[str, ErrorCode]]:
    return {(problem.field, problem.code) for problem in error.value.problems}


def _email(text: str = "Hello") -> TemplateContent:
    return TemplateContent.of(Channel.EMAIL, subject="Hi", html="", text=text)


def test_an_email_needs_a_subject_and_a_body() -> None:
    with pytest.raises(DomainError) as refused:
        TemplateContent.of(Channel.EMAIL, subject=" ", html="", text="")
    assert _codes(refused) == {("subject", ErrorCode.REQUIRED), ("text", ErrorCode.REQUIRED)}


def test_an_email_with_html_only_is_complete() -> None:
    content = TemplateContent.of(Channel.EMAIL, subject="Hi", html="<p>Hi</p>", text="")
    assert (content.html, content.text) == ("<p>Hi</p>", "")


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WEBHOOK])
def test_sms_and_webhooks_refuse_a_subject_and_html(channel: Channel) -> None:
    with pytest.raises(DomainError) as refused:
        TemplateContent.of(channel, subject="Hi", html="<p>x</p>", text="")
    assert _codes(refused) == {
        ("subject", ErrorCode.INVALID),
        ("html", ErrorCode.INVALID),
        ("text", ErrorCode.REQUIRED),
    }


def test_source_keeps_its_lines_so_problems_are_reported_where_written() -> None:
    content = TemplateContent.of(Channel.SMS, subject="", html="", text="\r\n\nHi {{ x }}\r\n")
    assert content.text == "\n\nHi {{ x }}\n"


def test_a_subject_is_one_line() -> None:
    with pytest.raises(DomainError) as refused:
        TemplateContent.of(Channel.EMAIL, subject="Hi\nthere", html="", text="x")
    assert _codes(refused) == {("subject", ErrorCode.INVALID)}


def test_a_body_too_long_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        TemplateContent.of(Channel.SMS, subject="", html="", text="x" * 100_001)
    assert _codes(refused) == {("text", ErrorCode.TOO_LONG)}


def test_a_template_needs_a_name() -> None:
    with pytest.raises(DomainError) as refused:
        Template.create(id="t-1", name="  ", channel=Channel.EMAIL, content=_email(), at=AT)
    assert _codes(refused) == {("name", ErrorCode.REQUIRED)}


def test_names_are_compared_without_case() -> None:
    assert name_key("Welcome Mail") == name_key("WELCOME mail")
    assert name_key("Straße") == name_key("STRASSE")


def test_an_edit_is_a_new_version_and_archiving_stops_edits() -> None:
    template = Template.create(
        id="t-1", name="Welcome", channel=Channel.EMAIL, content=_email(), at=AT
    )
    template.revise(name=None, content=_email("Hello again"), at=AT + timedelta(hours=1))
    assert (template.version, template.name, template.text) == (2, "Welcome", "Hello again")
    template.archive(AT + timedelta(hours=2))
    assert template.version == 3 and template.archived
    template.archive(AT + timedelta(hours=3))
    assert template.version == 3
    with pytest.raises(DomainError) as refused:
        template.revise(name="Other", content=_email(), at=AT + timedelta(hours=4))
    assert _codes(refused) == {("id", ErrorCode.ARCHIVED)}


@given(st.lists(st.sampled_from(["revise", "archive"]), max_size=20))
def test_versions_only_grow(steps: list[str]) -> None:
    template = Template.create(
        id="t-1", name="Welcome", channel=Channel.EMAIL, content=_email(), at=AT
    )
    versions = [template.version]
    for step in steps:
        if step == "archive":
            template.archive(AT)
        elif not template.archived:
            template.revise(name=None, content=_email(), at=AT)
        versions.append(template.version)
    # Each edit is one version more; archiving is one more, then nothing changes it.
    assert all(later - earlier in (0, 1) for earlier, later in pairwise(versions))
    archived_at = steps.index("archive") if "archive" in steps else len(steps)
    edits = steps[:archived_at].count("revise") + (archived_at < len(steps))
    assert versions[-1] == 1 + edits


def test_custom_fields_of_customers_are_variables_by_their_key() -> None:
    allowed = allowed_variables(["plan", "tier"])
    assert allowed == TEMPLATE_VARIABLES | {"customer.custom.plan", "customer.custom.tier"}
    assert "recommendations" not in allowed
