"""A stand-in identity provider: its own RSA and EC keys, a JWKS served over loopback HTTP
by a thread, and tokens minted as a real provider would."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from attrs import define, field
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://id.example.com/"
AUDIENCE = "rapport-api"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@define
class IdentityProvider:
    url: str
    rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey
    requests: list[str] = field(factory=list)
    """The path of every request the JWKS endpoint answered."""

    def token(
        self,
        email: str | None = "ada@example.com",
        *,
        algorithm: str = "RS256",
        kid: str | None = None,
        key: Any = None,
        lifetime: float = 300.0,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-123",
            "iat": now,
            "exp": now + int(lifetime),
        }
        if email is not None:
            payload["email"] = email
        payload.update(claims)
        signing = key or (self.ec_key if algorithm.startswith("ES") else self.rsa_key)
        default_kid = "ec-1" if algorithm.startswith("ES") else "rsa-1"
        return jwt.encode(
            payload, signing, algorithm=algorithm, headers={"kid": kid or default_kid}
        )

    def unsigned_token(self, header: dict[str, Any], signature: bytes = b"") -> str:
        """A token with the header given and a signature made by hand (or none)."""
        payload = {"iss": ISSUER, "aud": AUDIENCE, "email": "ada@example.com"}
        payload["exp"] = int(time.time()) + 300
        head = _b64(json.dumps(header).encode())
        body = _b64(json.dumps(payload).encode())
        return f"{head}.{body}.{_b64(signature)}"

    def hmac_with_public_key(self) -> str:
        """The classic confusion attack: HS256 keyed with the RSA public key's PEM."""
        public_pem = self.rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        header = {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "email": "ada@example.com",
            "exp": int(time.time()) + 300,
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"


def jwks(rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    rsa_jwk = RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)
    ec_jwk = ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True)
    return {
        "keys": [
            rsa_jwk | {"kid": "rsa-1", "use": "sig", "alg": "RS256"},
            ec_jwk | {"kid": "ec-1", "use": "sig"},
        ]
    }


@contextmanager
def identity_provider() -> Iterator[IdentityProvider]:
    """A provider whose JWKS is served at ``provider.url`` until the block ends."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    document = json.dumps(jwks(rsa_key, ec_key)).encode()
    requests: list[str] = []

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
        yield IdentityProvider(url, rsa_key, ec_key, requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
