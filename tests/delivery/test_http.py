"""The webhook sender refuses internal addresses by what a name resolves to, not its spelling."""

from __future__ import annotations

import json

import pytest

from adapters.delivery.http import KeepAliveSender
from tests.delivery.partner import Partner, serving

EVENT = json.dumps(
    {"specversion": "1.0", "id": "e-1", "source": "urn:test", "type": "t", "data": {}}
).encode()
HEADERS = {"content-type": "application/cloudevents+json"}


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_production_refuses_hosts_that_resolve_to_internal_addresses(host: str) -> None:
    partner = Partner()
    with serving(partner) as url:
        sender = KeepAliveSender(allow_private=False)
        try:
            outcome = sender(url.replace("127.0.0.1", host), EVENT, HEADERS)
        finally:
            sender.close()
    assert outcome.status is None
    assert "resolves to a private address" in outcome.excerpt
    assert partner.attempts == 0


def test_the_embedded_profile_may_post_to_this_machine() -> None:
    partner = Partner()
    with serving(partner) as url:
        sender = KeepAliveSender(allow_private=True)
        try:
            outcome = sender(url.replace("127.0.0.1", "localhost"), EVENT, HEADERS)
        finally:
            sender.close()
    assert outcome.status == 204
    assert partner.attempts == 1
