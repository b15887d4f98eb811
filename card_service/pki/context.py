"""What the PKI functions need at run time: key custody and CRL policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from card_service.keystore import KeyCustody
from card_service.settings import Settings


@dataclass(frozen=True)
class PkiContext:
    custody: KeyCustody
    crl_validity: timedelta  # nextUpdate - thisUpdate of every CRL we sign
    crl_refresh: timedelta  # re-sign a complete CRL when the newest is older than this
    delta_limit: int  # start a new complete CRL when a delta would list more changes
    public_base_url: str  # where readers fetch CRLs (goes into certificates)
    organization: str

    @classmethod
    def from_settings(cls, settings: Settings, custody: KeyCustody) -> PkiContext:
        return cls(
            custody=custody,
            crl_validity=timedelta(hours=settings.crl_validity_hours),
            crl_refresh=timedelta(hours=settings.crl_refresh_hours),
            delta_limit=settings.crl_delta_limit,
            public_base_url=settings.public_base_url.rstrip("/"),
            organization=settings.pki_organization,
        )

    def crl_url(self, issuer_key_id: str) -> str:
        return f"{self.public_base_url}/api/v1/trust/crls/{issuer_key_id}.crl"
