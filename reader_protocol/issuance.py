"""Personalising a blank card at an issuance station, together with the service.

1. ``begin``: the station names the card; the service puts it in personalising and
   answers a one-time nonce (and, when resuming, the certificate already issued).
2. The station generates the card's key in slot 9E, has the card sign the nonce, and
   sends ``CertificateRequest``; the service checks the proof of possession, issues the
   certificate and answers it with the CHUID to write.
3. The station writes both, then asks for an activation challenge, has the card sign
   it with the written key, and sends ``ActivationRequest``; only a valid signature
   under the certified key makes the card active.
A nonce is accepted once and expires; an interrupted issuance can be resumed (1 again)
or cancelled.
"""

from __future__ import annotations

import uuid

from pydantic import AwareDatetime, BaseModel, Field

from reader_protocol.common import STRICT, Base64Bytes


class IssuanceBegin(BaseModel):
    model_config = STRICT

    card_id: uuid.UUID


class IssuanceStarted(BaseModel):
    model_config = STRICT

    session_id: uuid.UUID
    card_id: uuid.UUID
    holder_id: uuid.UUID
    holder_name: str
    card_serial: str
    nonce: Base64Bytes = Field(description="32 bytes for the card to sign with its new key")
    expires_at: AwareDatetime
    certificate: Base64Bytes | None = Field(
        default=None, description="When resuming: the certificate already issued (DER)"
    )


class CertificateRequest(BaseModel):
    model_config = STRICT

    public_key: Base64Bytes = Field(description="The card's new key, SubjectPublicKeyInfo DER")
    signature: Base64Bytes = Field(description="The card's ECDSA signature over the nonce")


class CertificateIssued(BaseModel):
    model_config = STRICT

    certificate: Base64Bytes
    chuid_guid: uuid.UUID = Field(description="GUID for the CHUID (the card id)")


class ActivationChallenge(BaseModel):
    model_config = STRICT

    nonce: Base64Bytes
    expires_at: AwareDatetime


class ActivationRequest(BaseModel):
    model_config = STRICT

    signature: Base64Bytes


class IssuanceFinished(BaseModel):
    model_config = STRICT

    card_id: uuid.UUID
    state: str
