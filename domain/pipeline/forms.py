"""Lead forms: what a website may post to ``/forms/{key}``, as data."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from domain.errors import DomainError, ErrorCode, Problem

STANDARD_FIELDS = frozenset(
    {
        "email",
        "firstName",
        "lastName",
        "companyName",
        "title",
        "industry",
        "companySize",
        "region",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
    }
)


@frozen(kw_only=True)
class LeadForm:
    key: str
    source: str
    """Recorded as the lead's source."""
    honeypot: str = "website"
    """A field hidden from people: a value in it means a bot filled the form."""
    team_id: str | None = None

    def read(self, posted: Mapping[str, str]) -> dict[str, str]:
        """The posted fields, once the honeypot is empty and every key is known."""
        if posted.get(self.honeypot, "").strip():
            raise DomainError([Problem(self.honeypot, ErrorCode.SPAM, "refused")])
        unknown = sorted(set(posted) - STANDARD_FIELDS - {self.honeypot})
        if unknown:
            raise DomainError(
                Problem(key, ErrorCode.UNKNOWN_FIELD, "this form has no such field")
                for key in unknown
            )
        return {key: value for key, value in posted.items() if key != self.honeypot}
