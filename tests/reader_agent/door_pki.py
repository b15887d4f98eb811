"""A reader's world without a service: a root and issuing CA, a signed trust bundle,
revocation lists, a configuration key and signed configurations, and PIV cards
personalised with certificates from this PKI (in-process or in a state file)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.card_certificates import CardCertificateProfile, issue_card_certificate
from crypto.documents import sign_document
from crypto.issuers import CertificateAuthority, create_root_ca, issue_issuing_ca
from crypto.keys import key_id
from crypto.revocation import (
    RevocationReason,
    RevokedCertificate,
    build_crl,
    build_delta_crl,
)
from crypto.signers import FileSigner
from crypto.trust import IssuerStatus, TrustBundleEntry, sign_trust_bundle
from reader_agent.piv import DEFAULT_MANAGEMENT_KEY, Chuid, PivClient, Slot
from reader_agent.virtual.piv_card import PivCard
from reader_agent.virtual.piv_direct import DirectConnection
from reader_protocol.config import (
    CONFIG_KIND,
    CONFIG_VERSION,
    AccessRule,
    EmergencyAccess,
    HolderInfo,
    ReaderConfig,
    RuleMember,
    TimeWindow,
)
from reader_protocol.enrolment import ReaderMode

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
ORG = "UBND Thành phố Huế"
PROFILE = CardCertificateProfile(crl_url="http://127.0.0.1/api/v1/trust/crls/x.crl")
ALL_DAY = [TimeWindow(weekday=d, start=time(0), end=time(0)) for d in range(7)]


@dataclass
class CardOnFile:
    """A personalised virtual card and what was written to it."""

    card: PivCard
    card_id: uuid.UUID
    holder_id: uuid.UUID
    certificate: bytes
    serial: int

    def connection(self) -> DirectConnection:
        return DirectConnection(self.card)


@dataclass
class DoorPki:
    root: CertificateAuthority
    issuing: CertificateAuthority
    config_signer: FileSigner
    now: datetime
    bundle_sequence: int = 1
    reader_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @classmethod
    def create(cls, now: datetime = NOW) -> DoorPki:
        root = create_root_ca(
            FileSigner.generate(),
            common_name="Huế e-card Root CA (test)",
            organization=ORG,
            now=now - timedelta(days=30),
        )
        return cls(root, cls._issuing(root, now), FileSigner.generate(), now)

    @staticmethod
    def _issuing(root: CertificateAuthority, now: datetime) -> CertificateAuthority:
        signer = FileSigner.generate()
        certificate = issue_issuing_ca(
            root,
            signer.public_key,
            common_name="Huế e-card Issuing CA (test)",
            organization=ORG,
            now=now - timedelta(days=30),
        )
        return CertificateAuthority(signer, certificate)

    @property
    def roots(self) -> list[x509.Certificate]:
        return [self.root.certificate]

    @property
    def issuer_key_id(self) -> str:
        return self.issuing.key_id

    @property
    def config_keys(self) -> dict[str, ec.EllipticCurvePublicKey]:
        return {key_id(self.config_signer.public_key): self.config_signer.public_key}

    def bundle(
        self, *, sequence: int = 1, issuers: list[CertificateAuthority] | None = None
    ) -> bytes:
        entries = [
            TrustBundleEntry(ca.certificate, IssuerStatus.TRUSTED, self.now - timedelta(days=30))
            for ca in (issuers or [self.issuing])
        ]
        return sign_trust_bundle(self.root, entries, sequence=sequence, now=self.now)

    def crl(
        self,
        revoked: list[int] | None = None,
        *,
        number: int = 1,
        this_update: datetime | None = None,
        hold: list[int] | None = None,
    ) -> bytes:
        this_update = this_update or self.now - timedelta(minutes=1)
        entries = [RevokedCertificate(serial, this_update) for serial in revoked or []]
        entries += [
            RevokedCertificate(serial, this_update, RevocationReason.CERTIFICATE_HOLD)
            for serial in hold or []
        ]
        return build_crl(
            self.issuing,
            entries,
            number=number,
            this_update=this_update,
            next_update=this_update + timedelta(days=1),
        )

    def delta(
        self,
        revoked: list[int],
        *,
        number: int,
        base: int,
        this_update: datetime | None = None,
    ) -> bytes:
        this_update = this_update or self.now - timedelta(seconds=30)
        return build_delta_crl(
            self.issuing,
            [RevokedCertificate(serial, this_update) for serial in revoked],
            number=number,
            base_number=base,
            this_update=this_update,
            next_update=this_update + timedelta(hours=1),
        )

    def config(
        self,
        holders: dict[uuid.UUID, str],
        *,
        version: int = 1,
        mode: ReaderMode = ReaderMode.DOOR,
        max_crl_age_seconds: int = 36 * 3600,
        debounce_seconds: int = 10,
        reader_id: uuid.UUID | None = None,
        signer: FileSigner | None = None,
        emergency: EmergencyAccess | None = None,
    ) -> bytes:
        config = ReaderConfig(
            version=version,
            reader_id=reader_id or self.reader_id,
            mode=mode,
            site_unit_id=uuid.uuid4(),
            location="Cổng chính",
            issued_at=self.now,
            max_crl_age_seconds=max_crl_age_seconds,
            debounce_seconds=debounce_seconds,
            door_release_ms=3000,
            rules=[
                AccessRule(
                    name="Luôn mở",
                    members=[RuleMember(holder_id=h) for h in holders],
                    windows=ALL_DAY,
                    closed_on_holidays=False,
                )
            ],
            holders=[HolderInfo(holder_id=h, display_name=n) for h, n in holders.items()],
            holidays=[],
            emergency=emergency,
        )
        return sign_document(
            signer or self.config_signer,
            kind=CONFIG_KIND,
            version=CONFIG_VERSION,
            content=config.model_dump(mode="json"),
        )

    def personalise(
        self,
        *,
        state: Path | None = None,
        issuing: CertificateAuthority | None = None,
        not_before: datetime | None = None,
        validity: timedelta | None = None,
        holder_id: uuid.UUID | None = None,
    ) -> CardOnFile:
        """A blank virtual PIV card given a 9E key and our certificate, as issuance does."""
        card = PivCard.open(state) if state is not None else PivCard.blank()
        client = PivClient(DirectConnection(card))
        client.select()
        public_key = client.generate_key(
            Slot.CARD_AUTHENTICATION, management_key=DEFAULT_MANAGEMENT_KEY
        )
        card_id, holder_id = uuid.uuid4(), holder_id or uuid.uuid4()
        certificate = issue_card_certificate(
            issuing or self.issuing,
            card_id=card_id,
            holder_id=holder_id,
            card_public_key=public_key,
            now=not_before or self.now - timedelta(days=1),
            profile=PROFILE,
            validity=validity,
        )
        client.put_certificate(
            Slot.CARD_AUTHENTICATION, certificate, management_key=DEFAULT_MANAGEMENT_KEY
        )
        client.put_chuid(
            Chuid(guid=card_id, expiration=date(2031, 12, 31)),
            management_key=DEFAULT_MANAGEMENT_KEY,
        )
        serial = x509.load_der_x509_certificate(certificate).serial_number
        return CardOnFile(card, card_id, holder_id, certificate, serial)
