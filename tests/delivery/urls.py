"""URL strings for property tests: mostly plausible, each with the pieces parsers disagree on."""

from __future__ import annotations

from hypothesis import strategies as st

# Characters that have made one URL reader see another host than the next: separators,
# userinfo and escapes, whitespace and controls, and Unicode that IDNA folds or drops.
TRICKY = "%@:[]\\/?#& \t\r\n\x00\x7f\u00a0\u200b\u3002\uff41\u00fc\u00df\u0130"

_PLAIN_HOSTS = [
    *["hooks.example.com", "HOOKS.Example.com", "under_score.example.com", "a-b.example"],
    *["127.0.0.1", "8.8.8.8", "[::1]", "[::ffff:127.0.0.1]", "[64:ff9b::7f00:1]"],
    *["[::127.0.0.1]", "[2001:DB8::1]", "b\u00fccher.example", "xn--bcher-kva.example"],
]
_ODD_HOSTS = [
    # Spelled in ways a resolver reads as an IPv4 address.
    *["127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "1.2.3.04", "1.2.3.4."],
    # Broken or scoped IPv6 literals.
    *["[fe80::1%25eth0]", "[::1", "::1", "[v1.x]", "[::1]]", "[[::1]", "[::ffff:1.2.3.04]"],
    # Unicode that IDNA 2003 folds, drops or maps where IDNA 2008 does not.
    *["\uff45xample.com", "exa\u200bmple.com", "stra\u00dfe.example", "example\u3002com"],
    *["\u0130stanbul.example"],
    # Escapes, userinfo and separators inside what looks like the host.
    *["%68ooks.example.com", "127.0.0.1:8898\\@example.com", "example.com\\@127.0.0.1"],
    *["a.com#@b.com", "a.com?@b.com", "a.com\\.b.com", "localhost.", ""],
]


def _plain_host() -> st.SearchStrategy[str]:
    label = st.from_regex(r"[a-z0-9_-]{1,10}", fullmatch=True)
    named = st.lists(label, min_size=1, max_size=4).map(".".join)
    return st.one_of(st.sampled_from(_PLAIN_HOSTS), named)


def _plain_port() -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), st.integers(1, 65_535).map(lambda port: f":{port}"))


def _plain_path() -> st.SearchStrategy[str]:
    return st.from_regex(r"(/[a-zA-Z0-9._~%-]{0,6}){0,3}(\?[a-z0-9=&%+]{0,8})?", fullmatch=True)


def _plausible() -> st.SearchStrategy[str]:
    scheme = st.sampled_from(["http", "https", "HTTP", "hTTps"])
    pieces = st.tuples(scheme, st.just("://"), _plain_host(), _plain_port(), _plain_path())
    return pieces.map("".join)


def _with_one_tricky_character() -> st.SearchStrategy[str]:
    def insert(url: str, at: int, character: str) -> str:
        at %= len(url) + 1
        return url[:at] + character + url[at:]

    return st.builds(insert, _plausible(), st.integers(0, 200), st.sampled_from(TRICKY))


def _odd_pieces() -> st.SearchStrategy[str]:
    scheme = st.sampled_from(["http", "https", "ftp", "", "file", "http:"])
    separator = st.sampled_from(["://", ":/", ":", ":\\\\", ":///", "://\\"])
    userinfo = st.sampled_from(["", "user@", "u:p@", "@", "a%40b@", "\\@", "x\\:y@"])
    host = st.one_of(
        _plain_host(), st.sampled_from(_ODD_HOSTS), st.text(alphabet="a0." + TRICKY, max_size=8)
    )
    port = st.one_of(
        _plain_port(),
        st.integers(-1, 70_000).map(lambda port: f":{port}"),
        st.sampled_from([":", ":0", ":+80", ": 80", ":\u0668\u0660", ":8_0", ":80:80", ":0x50"]),
    )
    path = st.one_of(_plain_path(), st.text(alphabet="a/?=" + TRICKY, max_size=10))
    return st.tuples(scheme, separator, userinfo, host, port, path).map("".join)


def urls() -> st.SearchStrategy[str]:
    """Plausible URLs, the same with one tricky character anywhere, odd pieces, any text."""
    return st.one_of(
        _plausible(), _with_one_tricky_character(), _odd_pieces(), st.text(max_size=40)
    )
