"""The audit log's signing key for checkpoints, loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import ec

from card_service.keystore import KeyCustody, get_or_create
from crypto.signers import Signer

CHECKPOINT_KEY_NAME = "audit-checkpoint"


@dataclass(frozen=True)
class AuditContext:
    signer: Signer
    interval: timedelta

    @classmethod
    def from_custody(cls, custody: KeyCustody, *, interval: timedelta) -> AuditContext:
        return cls(signer=get_or_create(custody, CHECKPOINT_KEY_NAME), interval=interval)

    @property
    def verification_keys(self) -> dict[str, ec.EllipticCurvePublicKey]:
        return {self.signer.key_id: self.signer.public_key}
