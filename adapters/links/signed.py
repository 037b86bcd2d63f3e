"""``LinkSigner`` over itsdangerous: HMAC-SHA256 tokens, one salt per purpose."""

from __future__ import annotations

from collections.abc import Mapping

from itsdangerous import BadData, URLSafeSerializer

from application.campaigns.links import LinkPurpose, TamperedLink


class SignedLinks:
    """Tokens that never expire on their own: an unsubscribe link in a mail from last year
    must still work (RFC 8058 asks for it); what a token allows is checked when it is used."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 16:
            raise ValueError("the signing key must be at least 16 characters")
        self._serializers = {
            purpose: URLSafeSerializer(secret_key, salt=f"rapport.{purpose.value}")
            for purpose in LinkPurpose
        }

    def sign(self, purpose: LinkPurpose, claims: Mapping[str, str]) -> str:
        return str(self._serializers[purpose].dumps(dict(claims)))

    def verify(self, purpose: LinkPurpose, token: str) -> dict[str, str]:
        try:
            claims = self._serializers[purpose].loads(token)
        except BadData:
            raise TamperedLink() from None
        if not isinstance(claims, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in claims.items()
        ):
            raise TamperedLink()
        return claims
