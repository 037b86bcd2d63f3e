"""What the earlier rows of one imported file named, so that no later row names it again.

Two rows of one file that name one customer would both be applied, the later undoing the
earlier, on every run of the file: counts that lie and versions that never settle. So the
first row to name an email, an external id or a stored customer has it, and a later row
that names it again is reported, naming the row that came first.
"""

from __future__ import annotations

from collections.abc import Collection

from attrs import define, field

from domain.customers import EmailAddress, ExternalId
from domain.errors import ErrorCode, Problem


@define
class FileKeys:
    """Every email, external id and stored customer named so far, with the row that named it.

    One import keeps one across all its batches; the keys it holds already exist in the
    rows, so it costs a dictionary entry per key.
    """

    _emails: dict[str, int] = field(factory=dict)
    _external_ids: dict[ExternalId, int] = field(factory=dict)
    _customers: dict[str, int] = field(factory=dict)

    def claim(
        self, row: int, email: EmailAddress | None, external_ids: Collection[ExternalId]
    ) -> Problem | None:
        """Claim a row's keys, or the problem of one an earlier row has (then claim none)."""
        if email is not None and (earlier := self._emails.get(email.value)) is not None:
            return _duplicate("email", f"row {earlier} of this file has this email already")
        for identity in external_ids:
            if (earlier := self._external_ids.get(identity)) is not None:
                return _duplicate(
                    "externalIds",
                    f"row {earlier} of this file has the external id {identity} already",
                )
        if email is not None:
            self._emails[email.value] = row
        for identity in external_ids:
            self._external_ids.setdefault(identity, row)
        return None

    def claim_customers(
        self, row: int, customer_ids: Collection[str], *, field: str
    ) -> Problem | None:
        """Claim the stored customers a row matched, or the problem of one an earlier row did."""
        for customer_id in customer_ids:
            if (earlier := self._customers.get(customer_id)) is not None:
                return _duplicate(field, f"row {earlier} of this file names the same customer")
        for customer_id in customer_ids:
            self._customers[customer_id] = row
        return None


def _duplicate(field: str, message: str) -> Problem:
    return Problem(field, ErrorCode.DUPLICATE_IN_FILE, message)
