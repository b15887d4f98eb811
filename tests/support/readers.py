"""A test reader: its own P-256 key, and the request tokens it signs (reader_protocol.auth)."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reader_protocol import auth as spec


@dataclass
class ReaderKey:
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    reader_id: uuid.UUID | None = None

    @property
    def spki_b64(self) -> str:
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def token(
        self,
        now: datetime,
        *,
        lifetime: timedelta = timedelta(seconds=30),
        jti: str | None = None,
        signing_key: ec.EllipticCurvePrivateKey | None = None,
        **claims: object,
    ) -> str:
        assert self.reader_id is not None, "enrol first"
        body = {
            "iss": spec.issuer_for(str(self.reader_id)),
            "sub": str(self.reader_id),
            "aud": spec.READER_AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "jti": jti or uuid.uuid4().hex,
        }
        body.update(claims)
        return jwt.encode(
            body, signing_key or self.key, algorithm="ES256", headers={"kid": str(self.reader_id)}
        )

    def headers(self, now: datetime, **kwargs: object) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(now, **kwargs)}"}  # type: ignore[arg-type]
