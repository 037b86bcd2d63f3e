"""Tracked links: what a reader sees is unchanged, and every redirect leads where the link
did, with the UTM parameters."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.links.signed import SignedLinks
from application.campaigns.links import LinkPurpose, TamperedLink
from application.campaigns.tracking import (
    LinkTracking,
    Utm,
    slug,
    track_html,
    track_text,
    verify_click,
    verify_open,
    with_utm,
)
from domain.campaigns.channels import Channel

SIGNER = SignedLinks("a signing key for the tests")
BASE = "https://crm.example.com"
UNSUBSCRIBE = f"{BASE}/unsubscribe/token-of-c-1"
UTM = Utm.of(Channel.EMAIL, "Spring Sale 2026", "Variant B")
TRACKING = LinkTracking(SIGNER, BASE + "/", "msg-1", UTM, UNSUBSCRIBE)


class _Reader(HTMLParser):
    """The visible text of a document, and its links and images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.hrefs: list[str] = []
        self.images: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href") is not None:
            self.hrefs.append(found["href"] or "")
        if tag == "img":
            self.images.append(found.get("src") or "")


def _read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def _target(redirect: str) -> str:
    assert redirect.startswith(f"{BASE}/t/c/")
    click = verify_click(SIGNER, redirect.removeprefix(f"{BASE}/t/c/"))
    assert click.message_id == "msg-1"
    return click.url


def test_utm_parameters_follow_the_query_and_never_double_a_key() -> None:
    assert with_utm("https://shop.example.com/p?id=7&utm_campaign=own", UTM) == (
        "https://shop.example.com/p?id=7&utm_campaign=own&utm_source=rapport"
        "&utm_medium=email&utm_content=variant-b"
    )
    assert with_utm("https://shop.example.com/", UTM).endswith(
        "/?utm_source=rapport&utm_medium=email&utm_campaign=spring-sale-2026&utm_content=variant-b"
    )


def test_slugs_are_plain_lower_case_words() -> None:
    assert slug("Été — Spring Sale!") == "ete-spring-sale"


def test_web_links_become_redirects_and_the_others_stay() -> None:
    html = (
        "<html><body><p>Hello</p>"
        '<a class="cta" href="https://shop.example.com/p?id=1&amp;x=2">Shop &amp; save</a>'
        '<a href="mailto:help@example.com">mail</a><a href="tel:+4420">call</a>'
        f'<a href="#top">top</a><A HREF="{UNSUBSCRIBE}">unsubscribe</A>'
        "</body></html>"
    )
    tracked = track_html(html, TRACKING)
    read = _read(tracked)
    assert read.text == _read(html).text
    assert read.hrefs[1:] == ["mailto:help@example.com", "tel:+4420", "#top", UNSUBSCRIBE]
    assert _target(read.hrefs[0]) == (
        "https://shop.example.com/p?id=1&x=2&utm_source=rapport&utm_medium=email"
        "&utm_campaign=spring-sale-2026&utm_content=variant-b"
    )
    assert 'class="cta"' in tracked
    # The open pixel goes in before the end of the body, and names the message.
    assert tracked.endswith("</body></html>")
    (pixel,) = read.images
    assert verify_open(SIGNER, pixel.removeprefix(f"{BASE}/t/o/")) == "msg-1"


def test_without_a_body_the_pixel_goes_at_the_end() -> None:
    tracked = track_html("<p>Hi</p>", TRACKING)
    assert tracked.startswith("<p>Hi</p><img ")


def test_bare_links_in_text_become_redirects() -> None:
    text = f"See https://shop.example.com/a?b=1. Or (http://x.example.com/y).\n{UNSUBSCRIBE}"
    tracked = track_text(text, TRACKING)
    first, second = (word.strip("().") for word in tracked.split() if "/t/c/" in word)
    assert _target(first).startswith("https://shop.example.com/a?b=1&utm_source=rapport")
    assert _target(second).startswith("http://x.example.com/y?utm_source=rapport")
    assert tracked.endswith(f").\n{UNSUBSCRIBE}")
    assert tracked.startswith("See ") and ". Or (" in tracked


def test_a_tampered_click_token_is_refused() -> None:
    redirect = TRACKING.click_url("https://shop.example.com/")
    token = redirect.removeprefix(f"{BASE}/t/c/")
    with pytest.raises(TamperedLink):
        verify_click(SIGNER, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(TamperedLink):
        # A token signed for another purpose does not open the redirect.
        verify_click(SIGNER, SIGNER.sign(LinkPurpose.OPEN, {"m": "msg-1", "u": "https://x.io"}))
    with pytest.raises(TamperedLink):
        verify_click(SIGNER, SIGNER.sign(LinkPurpose.CLICK, {"m": "msg-1", "u": "javascript:x"}))


_WORDS = st.text(
    alphabet=st.characters(whitelist_categories=["L", "N"], whitelist_characters=" &<>\"'"),
    max_size=12,
)
_HOSTS = st.sampled_from(["shop.example.com", "example.org", "a.b.example.net"])
_PATHS = st.lists(st.text(alphabet="abcxyz019-_", min_size=1, max_size=6), max_size=3)
_QUERIES = st.lists(
    st.tuples(
        st.sampled_from(["id", "q", "utm_source", "utm_campaign", "ref"]),
        st.text(alphabet="abc123 &=é", max_size=5),
    ),
    max_size=3,
)


@st.composite
def _urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https"]))
    path = "/".join(draw(_PATHS))
    query = urlencode(draw(_QUERIES))
    return f"{scheme}://{draw(_HOSTS)}/{path}" + (f"?{query}" if query else "")


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, list[str]]:
    pieces, urls = ["<html><body>"], []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["text", "link", "mail", "unsubscribe", "anchor"]))
        words = escape(draw(_WORDS))
        if kind == "text":
            pieces.append(f"<p>{words}</p>")
        elif kind == "link":
            url = draw(_urls())
            urls.append(url)
            pieces.append(f'<a title="{words}" href="{escape(url)}">{words}</a>')
        elif kind == "mail":
            pieces.append(f'<a href="mailto:someone@example.com">{words}</a>')
        elif kind == "unsubscribe":
            pieces.append(f"<a href='{UNSUBSCRIBE}'>{words}</a>")
        else:
            pieces.append(f'<a href="#part">{words}</a><br/>')
    pieces.append("</body></html>")
    return "\n".join(pieces), urls


@given(_documents())
def test_visible_text_stays_and_every_link_leads_to_its_url_with_utm(
    document: tuple[str, list[str]],
) -> None:
    html, urls = document
    tracked = track_html(html, TRACKING)
    before, after = _read(html), _read(tracked)
    assert after.text == before.text
    redirects = [href for href in after.hrefs if href.startswith(f"{BASE}/t/c/")]
    assert len(redirects) == len(urls)
    for redirect, url in zip(redirects, urls, strict=True):
        target = _target(redirect)
        assert target.startswith(url)
        original = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        query = parse_qsl(urlsplit(target).query, keep_blank_values=True)
        # The link's own parameters first, as they were; then each UTM key it lacked, once.
        assert query[: len(original)] == original
        added = query[len(original) :]
        had = {key for key, _ in original}
        assert added == [(key, value) for key, value in UTM.parameters() if key not in had]
        assert {key for key, _ in query} >= {key for key, _ in UTM.parameters()}
    kept = [href for href in before.hrefs if not href.startswith("http") or href == UNSUBSCRIBE]
    assert [href for href in after.hrefs if not href.startswith(f"{BASE}/t/c/")] == kept
