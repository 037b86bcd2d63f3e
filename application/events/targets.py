"""Webhook targets: the one reading of a subscription URL, both to check it and to send to it.

A URL is read here once into the scheme, host, port and request target that the sender
connects to and asks for. Anything two URL parsers could read differently (backslashes,
userinfo, whitespace and control characters, loose port or IPv4 spellings, percent-encoded
or disguised host names) is refused rather than guessed at, so the host that was checked is
the host that is connected to.
"""

from __future__ import annotations

import ipaddress
import re

from attrs import frozen

DEFAULT_PORTS = {"http": 80, "https": 443}

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Origin = tuple[str, str, int]
"""Scheme, host and port: what one kept-alive connection serves."""

# Anything whitespace or control (C0, DEL, C1, Unicode spaces), and the backslash, which
# browsers and urllib read differently (a path separator for one, a plain character for the
# other). No URL Rapport accepts contains one, so no reader has to guess.
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\]|\s")
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_PORT = re.compile(r"[0-9]{1,5}")
_IPV6_TEXT = re.compile(r"[0-9a-f:.]+")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

# IPv6 ranges whose last 32 bits are an IPv4 address the packet ends up at.
_CARRY_IPV4_IN_LOW_BITS = (
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated)
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix
)
# Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the operator's prefix
# length, and the range is never global, so the whole of it is refused.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class UnusableTarget(ValueError):
    """A URL Rapport does not send to; the message says what is wrong with it."""


@frozen
class Target:
    """Where a delivery goes: exactly what the sender connects to and requests."""

    scheme: str
    host: str
    """ASCII: a host name (IDNA-encoded), a dotted-quad IPv4 or an IPv6 without brackets."""
    port: int
    path: str
    """The request target: path and query, always starting with ``/``."""

    @property
    def origin(self) -> Origin:
        return (self.scheme, self.host, self.port)

    @property
    def address(self) -> IpAddress | None:
        """The host as an IP address when it is a literal one."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


def parse_target(url: str) -> Target:
    """The target ``url`` names; raises :class:`UnusableTarget` if it is not unambiguous."""
    if _UNSAFE.search(url):
        raise UnusableTarget("must not contain whitespace, control characters or backslashes")
    scheme, separator, rest = url.partition("://")
    scheme = scheme.lower()
    if not separator or scheme not in DEFAULT_PORTS:
        raise UnusableTarget("must be an http or https URL")
    authority, path = _split_authority(rest)
    if "@" in authority:
        raise UnusableTarget("must not contain a user name or password")
    host, port = _split_port(authority, DEFAULT_PORTS[scheme])
    return Target(scheme, host, port, _request_target(path))


def is_public(address: IpAddress) -> bool:
    """Whether ``address`` reaches the public internet only, whatever IPv4 it may carry.

    IPv6 forms that carry an IPv4 address (mapped, compatible, translated, NAT64, 6to4,
    Teredo) are public only if that IPv4 address is too: ``64:ff9b::7f00:1`` is loopback.
    """
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return True
    if address in _LOCAL_NAT64:
        return False
    return all(is_public(carried) for carried in _carried_ipv4(address))


def _carried_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    carried = [
        ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
        for network in _CARRY_IPV4_IN_LOW_BITS
        if address in network
    ]
    if address.ipv4_mapped is not None:
        carried.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        carried.append(address.sixtofour)
    if address.teredo is not None:
        carried.append(address.teredo[1])  # the client; ipaddress undoes the XOR
    return carried


def _split_authority(rest: str) -> tuple[str, str]:
    end = len(rest)
    for delimiter in "/?#":
        found = rest.find(delimiter)
        if found != -1:
            end = min(end, found)
    return rest[:end], rest[end:]


def _split_port(authority: str, default: int) -> tuple[str, int]:
    if authority.startswith("["):
        literal, bracket, after = authority[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise UnusableTarget("must close an IPv6 address with ] before the port")
        return _ipv6_host(literal), _port(after[1:]) if after else default
    if authority.count(":") > 1:
        raise UnusableTarget("must put an IPv6 address in brackets")
    host, colon, port = authority.partition(":")
    return _name_or_ipv4_host(host), _port(port) if colon else default


def _ipv6_host(literal: str) -> str:
    # Zone ids (%25eth0) and IPvFuture forms name nothing a public endpoint can be.
    literal = literal.lower()
    if not _IPV6_TEXT.fullmatch(literal):
        raise UnusableTarget("must have a plain IPv6 address between the brackets")
    try:
        return ipaddress.IPv6Address(literal).compressed
    except ValueError:
        raise UnusableTarget("must have a valid IPv6 address between the brackets") from None


def _name_or_ipv4_host(text: str) -> str:
    if not text:
        raise UnusableTarget("must name a host")
    if "%" in text:
        raise UnusableTarget("must not percent-encode the host")
    host = _ascii_host(text.lower())
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise UnusableTarget("must have a host name of letters, digits, hyphens and dots")
    # Resolvers read 127.1, 2130706433 and 0x7f.0.0.1 as IPv4 addresses; only the one
    # spelling every reader agrees on is accepted, so the address checked is the one used.
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise UnusableTarget("must write an IPv4 address as four decimal numbers") from None
    return host


def _ascii_host(host: str) -> str:
    """The host as IDNA has it, if that spells the same name back and is not a disguise."""
    if host.isascii():
        return host
    try:
        encoded = host.encode("idna").decode("ascii")
        round_trip = encoded.encode("ascii").decode("idna")
    except UnicodeError:
        raise UnusableTarget("must have a host name that IDNA can encode") from None
    # IDNA 2003 folds full-width letters, drops zero-width characters and maps ß to ss,
    # where IDNA 2008 resolvers do not: a name that does not survive the trip is refused.
    if round_trip != host:
        raise UnusableTarget("must have a host name that IDNA encodes without changing it")
    return encoded


def _port(text: str) -> int:
    if not _PORT.fullmatch(text) or not 1 <= int(text) <= 65535:
        raise UnusableTarget("must have a port from 1 to 65535")
    return int(text)


def _request_target(path: str) -> str:
    if "#" in path:
        raise UnusableTarget("must not have a fragment, which is never sent")
    if not path.isascii():
        raise UnusableTarget("must percent-encode characters outside ASCII in the path")
    if _BAD_ESCAPE.search(path):
        raise UnusableTarget("must follow each % in the path with two hex digits")
    return path if path.startswith("/") else f"/{path}"
