"""Tracked links: every web link of a message through a signed click redirect, with UTM
parameters, and an open pixel at the end of its HTML.

Links are found with the standard library's HTML parser, never by pattern over the
markup, and only the ``href`` of each ``<a>`` changes: the text a reader sees is the same.
``mailto:``, ``tel:``, anchors and the unsubscribe link stay as they are (a client must
reach the unsubscribe URL it was given, RFC 8058).
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from attrs import frozen

from application.campaigns.links import LinkPurpose, LinkSigner, TamperedLink
from domain.campaigns.channels import Channel

MESSAGE_CLAIM: Final = "m"
URL_CLAIM: Final = "u"


@frozen
class Utm:
    """The UTM parameters a tracked link carries: ``utm_source`` is always ``rapport``."""

    medium: str
    campaign: str
    content: str = ""
    source: str = "rapport"

    @classmethod
    def of(cls, channel: Channel, campaign: str, content: str = "") -> Utm:
        """For a message of ``channel`` from the campaign or journey named ``campaign``
        (made a slug), and its variant or step as ``content``."""
        return cls(medium=channel.value, campaign=slug(campaign), content=slug(content))

    def parameters(self) -> list[tuple[str, str]]:
        given = [
            ("utm_source", self.source),
            ("utm_medium", self.medium),
            ("utm_campaign", self.campaign),
            ("utm_content", self.content),
        ]
        return [(key, value) for key, value in given if value]


def slug(text: str) -> str:
    """``Spring sale — 2026`` as ``spring-sale-2026``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", plain.lower()))


def with_utm(url: str, utm: Utm) -> str:
    """``url`` with the UTM parameters it lacks, after the query it has; a key it has
    already (``utm_campaign`` set by hand) is kept, never doubled."""
    parts = urlsplit(url)
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    missing = [(key, value) for key, value in utm.parameters() if key not in present]
    if not missing:
        return url
    query = f"{parts.query}&{urlencode(missing)}" if parts.query else urlencode(missing)
    return urlunsplit(parts._replace(query=query))


@frozen
class LinkTracking:
    """How one message's links are tracked."""

    signer: LinkSigner
    base_url: str
    """The public URL, ``RAPPORT_PUBLIC_URL``: redirects and the pixel are served there."""
    message_id: str
    utm: Utm
    unsubscribe_url: str | None = None

    @property
    def _base(self) -> str:
        return self.base_url.rstrip("/")

    def tracks(self, url: str) -> bool:
        """Whether ``url`` goes through a redirect: web links other than the unsubscribe
        link and those that are redirects already."""
        if url == self.unsubscribe_url or url.startswith(f"{self._base}/t/"):
            return False
        return urlsplit(url).scheme.lower() in ("http", "https") and bool(urlsplit(url).netloc)

    def click_url(self, url: str) -> str:
        claims = {MESSAGE_CLAIM: self.message_id, URL_CLAIM: with_utm(url, self.utm)}
        return f"{self._base}/t/c/{self.signer.sign(LinkPurpose.CLICK, claims)}"

    def open_pixel_url(self) -> str:
        token = self.signer.sign(LinkPurpose.OPEN, {MESSAGE_CLAIM: self.message_id})
        return f"{self._base}/t/o/{token}.gif"


class _Anchors(HTMLParser):
    """Where each tracked ``<a>`` start tag is, and where ``</body>`` is."""

    def __init__(self, tracking: LinkTracking) -> None:
        super().__init__(convert_charrefs=True)
        self.tracking = tracking
        self.rewrites: list[tuple[int, int, str]] = []
        self.body_end: int | None = None
        self._line_starts = [0]

    def read(self, source: str) -> None:
        self._line_starts = [0, *(i + 1 for i, char in enumerate(source) if char == "\n")]
        self.feed(source)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._anchor(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._anchor(tag, attrs, closed=True)

    def _anchor(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        if tag != "a":
            return
        href = next((value for name, value in attrs if name == "href"), None)
        if href is None or not self.tracking.tracks(href.strip()):
            return
        raw = self.get_starttag_text() or ""
        start = self._offset()
        rewritten = [
            (name, self.tracking.click_url(value.strip()) if name == "href" and value else value)
            for name, value in attrs
        ]
        self.rewrites.append((start, start + len(raw), _start_tag(tag, rewritten, closed)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "body":
            self.body_end = self._offset()


def _start_tag(tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> str:
    written = "".join(
        f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"'
        for name, value in attrs
    )
    return f"<{tag}{written}{' /' if closed else ''}>"


def track_html(source: str, tracking: LinkTracking) -> str:
    """``source`` with each web link's ``href`` a signed redirect, and an open pixel
    before ``</body>`` (or at the end)."""
    anchors = _Anchors(tracking)
    anchors.read(source)
    pixel = (
        f'<img src="{html.escape(tracking.open_pixel_url(), quote=True)}" width="1" '
        'height="1" alt="" style="border:0;width:1px;height:1px">'
    )
    inserts = [*anchors.rewrites]
    at = anchors.body_end if anchors.body_end is not None else len(source)
    inserts.append((at, at, pixel))
    pieces: list[str] = []
    position = 0
    for start, end, replacement in sorted(inserts, key=lambda item: (item[0], item[1])):
        pieces += [source[position:start], replacement]
        position = end
    pieces.append(source[position:])
    return "".join(pieces)


# A plain text body has no markup to parse: a web address there is a run of characters
# that are not spaces, without the punctuation that ends a sentence after it.
_BARE_URL: Final = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING: Final = ".,;:!?)]}"


def track_text(text: str, tracking: LinkTracking) -> str:
    """``text`` with each bare web address a signed redirect."""

    def rewritten(found: re.Match[str]) -> str:
        url = found.group(0)
        kept = url.rstrip(_TRAILING)
        tail = url[len(kept) :]
        return (tracking.click_url(kept) if tracking.tracks(kept) else kept) + tail

    return _BARE_URL.sub(rewritten, text)


@frozen
class Click:
    message_id: str
    url: str
    """Where to redirect: the original link with its UTM parameters."""


def verify_click(signer: LinkSigner, token: str) -> Click:
    """What a click token leads to; ``TamperedLink`` for a token we did not sign for a
    click, or one whose target is not a web address."""
    claims = signer.verify(LinkPurpose.CLICK, token)
    message_id, url = claims.get(MESSAGE_CLAIM), claims.get(URL_CLAIM)
    if not message_id or not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        raise TamperedLink()
    return Click(message_id=message_id, url=url)


def verify_open(signer: LinkSigner, token: str) -> str:
    """The message an open pixel's token (without ``.gif``) names."""
    message_id = signer.verify(LinkPurpose.OPEN, token.removesuffix(".gif")).get(MESSAGE_CLAIM)
    if not message_id:
        raise TamperedLink()
    return message_id
