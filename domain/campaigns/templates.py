"""Message templates: a subject and bodies per channel, and the variables they may use.

A template is checked against the variables below when it is saved, never when it is sent;
every edit makes a new version, and a message names the version it was rendered from.
SMS and webhook templates have a text body only: a subject or HTML given for them is
refused rather than silently dropped, so what is saved is what goes out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from attrs import define, frozen

from domain.campaigns.channels import Channel
from domain.errors import ErrorCode, InvalidValue, Problem, ProblemCollector
from domain.text import clean_line, has_control_characters

MAX_NAME_LENGTH: Final = 100
MAX_SUBJECT_LENGTH: Final = 500
MAX_BODY_LENGTH: Final = 100_000

CUSTOM_FIELD_PREFIX: Final = "customer.custom."
"""``customer.custom.<key>``: a custom field of customers, by its key."""

TEMPLATE_VARIABLES: Final = frozenset(
    {
        "customer.first_name",
        "customer.last_name",
        "customer.display_name",
        "customer.email",
        "company.name",
        "last_order.total",
        "last_order.placed_at",
        "unsubscribe_url",
    }
)
"""The variables every template may use, besides ``customer.custom.<key>``. (The name
``recommendations`` is kept for the product recommendations of the analytics work.)"""


def allowed_variables(custom_field_keys: Iterable[str]) -> frozenset[str]:
    """The variables a template may use when customers have these custom fields."""
    return TEMPLATE_VARIABLES | {f"{CUSTOM_FIELD_PREFIX}{key}" for key in custom_field_keys}


def name_key(name: str) -> str:
    """What two template names must not share: the name, case and accents aside."""
    return unicodedata.normalize("NFKC", name).casefold()


def _name(raw: str) -> str:
    name = clean_line(raw, field="name", max_length=MAX_NAME_LENGTH)
    if not name:
        raise InvalidValue("name", ErrorCode.REQUIRED, "name the template")
    return name


def _source(raw: str, *, field: str, max_length: int, one_line: bool = False) -> str:
    """Template source as given, line breaks normalised; never trimmed, so the lines a
    problem is reported on are the lines the author wrote."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > max_length:
        raise InvalidValue(field, ErrorCode.TOO_LONG, f"must be at most {max_length} characters")
    if has_control_characters(text, allowed="" if one_line else "\n\t"):
        raise InvalidValue(field, ErrorCode.INVALID, "must not contain control characters")
    return text


@frozen
class TemplateContent:
    """What a template renders: ``subject`` and ``html`` are empty for SMS and webhooks."""

    subject: str
    html: str
    text: str

    @classmethod
    def of(cls, channel: Channel, *, subject: str, html: str, text: str) -> TemplateContent:
        """The content for ``channel``, or every problem with it at once."""
        problems = ProblemCollector()
        subject = (
            problems.check(
                lambda: _source(
                    subject, field="subject", max_length=MAX_SUBJECT_LENGTH, one_line=True
                )
            )
            or ""
        )
        html = problems.check(lambda: _source(html, field="html", max_length=MAX_BODY_LENGTH)) or ""
        text = problems.check(lambda: _source(text, field="text", max_length=MAX_BODY_LENGTH)) or ""
        refused = {problem.field for problem in problems.problems}
        problems.problems.extend(
            problem
            for problem in _channel_problems(channel, subject, html, text)
            if problem.field not in refused
        )
        problems.raise_if_any()
        return cls(subject=subject, html=html, text=text)


def _channel_problems(channel: Channel, subject: str, html: str, text: str) -> list[Problem]:
    if channel is Channel.EMAIL:
        found = []
        if not subject.strip():
            found.append(Problem("subject", ErrorCode.REQUIRED, "an email needs a subject"))
        if not html.strip() and not text.strip():
            found.append(Problem("text", ErrorCode.REQUIRED, "an email needs a text or HTML body"))
        return found
    found = [
        Problem(name, ErrorCode.INVALID, f"a {channel.value} message has no {name}")
        for name, value in (("subject", subject), ("html", html))
        if value
    ]
    if not text.strip():
        found.append(Problem("text", ErrorCode.REQUIRED, f"a {channel.value} message needs text"))
    return found


@define(slots=False, eq=False)
class Template:
    """A named message template for one channel; ``version`` grows with every edit."""

    id: str
    name: str
    channel: Channel
    subject: str
    html: str
    text: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    archived_at: datetime | None = None

    @classmethod
    def create(
        cls, *, id: str, name: str, channel: Channel, content: TemplateContent, at: datetime
    ) -> Template:
        return cls(
            id=id,
            name=_name(name),
            channel=channel,
            subject=content.subject,
            html=content.html,
            text=content.text,
            created_at=at,
            updated_at=at,
        )

    @property
    def content(self) -> TemplateContent:
        return TemplateContent(subject=self.subject, html=self.html, text=self.text)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def revise(self, *, name: str | None, content: TemplateContent, at: datetime) -> None:
        """A new version with this name (kept when ``None``) and content."""
        if self.archived:
            raise InvalidValue("id", ErrorCode.ARCHIVED, "an archived template cannot change")
        if name is not None:
            self.name = _name(name)
        self.subject, self.html, self.text = content.subject, content.html, content.text
        self.updated_at = at
        self.version += 1

    def archive(self, at: datetime) -> None:
        """No longer offered for new messages; messages made from it still render."""
        if self.archived:
            return
        self.archived_at = at
        self.updated_at = at
        self.version += 1
