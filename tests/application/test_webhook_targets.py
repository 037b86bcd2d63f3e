"""Subscription URLs: refused when ambiguous, and in production when they name a private host."""

from __future__ import annotations

import pytest

from application.errors import InvalidInput
from application.events.webhooks import check_target
from domain.errors import ErrorCode

BOTH_PROFILES = pytest.mark.parametrize("allow_private", [False, True])


def _refusal(url: str, *, allow_private: bool) -> str:
    with pytest.raises(InvalidInput) as caught:
        check_target(url, allow_private=allow_private)
    (problem,) = caught.value.problems
    assert (problem.field, problem.code) == ("url", ErrorCode.INVALID)
    return problem.message


@BOTH_PROFILES
def test_a_backslash_before_userinfo_is_refused(allow_private: bool) -> None:
    # urllib reads the host as example.com, http.client as 127.0.0.1 with a broken port.
    message = _refusal("http://127.0.0.1:8898\\@example.com/", allow_private=allow_private)
    assert "backslash" in message


@BOTH_PROFILES
@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@hooks.example.com/x",
        "http://@hooks.example.com/x",
        "http://hooks.example.com\\.evil.test/x",
        "http://hooks.example.com/x\\y",
        "http://hooks.exa mple.com/x",
        "http://hooks.example.com/a b",
        "http://hooks.exa\tmple.com/x",
        "http://hooks.example.com/x\r\nX-Injected: 1",
        "http://hooks.example.com\x00.evil.test/",
        "http://hooks.example.com\u00a0/x",
        "ftp://hooks.example.com/x",
        "javascript://hooks.example.com/%0aalert(1)",
        "http:/hooks.example.com/x",
        "http:hooks.example.com/x",
        "http:///x",
        "http://:8080/x",
        "http://hooks.example.com:/x",
        "http://hooks.example.com:0/x",
        "http://hooks.example.com:65536/x",
        "http://hooks.example.com:+80/x",
        "http://hooks.example.com:8_0/x",
        "http://hooks.example.com:\u0668\u0660/x",
        "http://hooks.example.com:80:80/x",
        "http://%68ooks.example.com/x",
        "http://hooks.example.com./x",
        "http://hooks..example.com/x",
        "http://127.1/x",
        "http://2130706433/x",
        "http://0x7f.0.0.1/x",
        "http://0177.0.0.1/x",
        "http://127.000.000.001/x",
        "http://::1/x",
        "http://[::1/x",
        "http://[::1]x/x",
        "http://[fe80::1%25eth0]/x",
        "http://[v1.fe80::1]/x",
        "http://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/x",
        "http://exa\u200bmple.com/x",
        "http://example\u3002com/x",
        "http://stra\u00dfe.example/x",
        "http://hooks.example.com/x#fragment",
        "http://hooks.example.com/%zz",
        "http://hooks.example.com/caf\u00e9",
    ],
)
def test_urls_two_parsers_could_read_differently_are_refused(url: str, allow_private: bool) -> None:
    _refusal(url, allow_private=allow_private)


def test_a_url_longer_than_storage_holds_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_target("https://hooks.example.com/" + "x" * 2000, allow_private=True)
    assert [problem.code for problem in caught.value.problems] == [ErrorCode.TOO_LONG]


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::7f00:1]/hook",
        "http://[64:ff9b::a00:5]/hook",
        "http://[64:ff9b:1::8.8.8.8]/hook",
        "http://[::127.0.0.1]/hook",
        "http://[::10.0.0.5]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::ffff:169.254.169.254]/hook",
        "http://[::ffff:0:127.0.0.1]/hook",
        "http://[2002:7f00:1::1]/hook",
        "http://[2002:c0a8:101::1]/hook",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
        "http://[ff02::1]/hook",
        "http://[ff0e::1]/hook",
        "http://224.0.0.251/hook",
        "http://100.64.0.1/hook",
        "http://LOCALHOST/hook",
        "http://hooks.localhost/hook",
        "http://printer.local/hook",
        "http://metadata.google.internal/hook",
    ],
)
def test_production_refuses_private_addresses_in_every_spelling(url: str) -> None:
    assert "private address" in _refusal(url, allow_private=False)
    check_target(url, allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/rapport",
        "https://HOOKS.Example.COM:8443/rapport?tenant=7&sig=%2Fa",
        "HTTPS://hooks.example.com",
        "http://hooks.example.com?only=query",
        "http://8.8.8.8/hook",
        "http://[2001:4860:4860::8888]:8080/hook",
        "http://[64:ff9b::808:808]/hook",
        "http://[::ffff:8.8.8.8]/hook",
        "http://[2002:808:808::1]/hook",
        "https://b\u00fccher.example/hook",
        "https://xn--bcher-kva.example/hook",
        "https://under_score.example.com/hook",
    ],
)
def test_production_accepts_public_urls(url: str) -> None:
    check_target(url, allow_private=False)
