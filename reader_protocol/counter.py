"""A citizen at a service counter: what a counter station and the service exchange.

The counter reads the citizen's chip ID card (ICAO 9303) and verifies it itself; the
service records the *session* (the service given, the verdict, the legal basis) and
never the person: no name, photo, birth date or document number is stored. The
document number crosses the wire once, in ``CitizenSessionStart``, so that the service
can turn it into a keyed, non-reversible reference with a key only it holds (repeat
visits stay countable; a stolen counter PC yields no key to enumerate the 10^12
possible ID numbers with). It is never echoed back, logged or stored.

Endpoints (reader-authenticated, counter-mode readers; the reader's site is its counter):

    GET  /reader/counter/catalogue             -> CounterCatalogue
    GET  /reader/counter/status                -> CounterStatus
    POST /reader/counter/sessions              CitizenSessionStart -> CitizenSessionStarted
    POST /reader/counter/sessions/{id}/end     -> CitizenSessionEnded
    GET  /reader/csca                          -> a signed document (CSCA_LIST_KIND) of CscaList

A verdict the counter refused (``accepted = false``) is still recorded when the clerk
confirms a manual check of the paper document (``manual_check``); its document number
is then *not* sent: an unauthenticated number is a claim, and linking visits by a
claim would attribute them to whoever's number a forger chose.
"""

from __future__ import annotations

import enum
import re
import uuid

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from reader_protocol.common import STRICT, Base64Bytes

CSCA_LIST_KIND = "hue-ecard/csca-list"
CSCA_LIST_VERSION = 1
MAX_REASONS = 16
DOCUMENT_NUMBER_PATTERN = r"^[0-9A-Z]{5,20}$"
_NOT_NUMBER = re.compile(r"[\s<]")


def normalise_document_number(raw: str) -> str:
    """Upper case without spaces or MRZ fillers: the form the reference is computed on."""
    return _NOT_NUMBER.sub("", raw).upper()


class DocumentType(enum.StrEnum):
    CCCD = "cccd"  # Vietnam's chip citizen ID card (TD1)
    PASSPORT = "passport"


class ChipAuth(enum.StrEnum):
    """How the chip proved it is not a copy."""

    CA = "ca"  # Chip Authentication passed
    AA = "aa"  # Active Authentication passed (CA not available)
    NONE = "none"  # the chip offers neither
    FAILED = "failed"  # CA or AA failed: a clone, or a chip that lost its key


class LegalBasis(enum.StrEnum):
    """Why the citizen's data may be processed (Law 91/2025/QH15, Decree 356/2025)."""

    CONSENT = "consent"  # the citizen agreed; the time is recorded
    LEGAL_OBLIGATION = "legal_obligation"  # a law requires the identity check
    PUBLIC_TASK = "public_task"  # needed for the administrative procedure itself


class VerdictReason(enum.StrEnum):
    """Stable codes for a refused document. Free text stays on the counter's screen:
    a message could quote what the chip said (a date, a name)."""

    SOD_MALFORMED = "sod_malformed"
    SOD_SIGNATURE_INVALID = "sod_signature_invalid"
    DOCUMENT_SIGNER_UNTRUSTED = "document_signer_untrusted"
    CERTIFICATE_NOT_VALID = "certificate_not_valid"
    DOCUMENT_SIGNER_REVOKED = "document_signer_revoked"
    DATA_GROUP_HASH_MISMATCH = "data_group_hash_mismatch"
    ISSUING_STATE_MISMATCH = "issuing_state_mismatch"
    PASSIVE_AUTHENTICATION_FAILED = "passive_authentication_failed"
    MRZ_INVALID = "mrz_invalid"
    CHIP_AUTHENTICATION_FAILED = "chip_authentication_failed"
    ACTIVE_AUTHENTICATION_FAILED = "active_authentication_failed"
    NO_CLONE_DETECTION = "no_clone_detection"
    EXPIRED = "expired"


class VerdictSummary(BaseModel):
    """What the counter's verification concluded, without anything read from the chip."""

    model_config = STRICT

    pa_ok: bool = Field(description="Passive Authentication passed (SOD, DS, CSCA, hashes)")
    chip_auth: ChipAuth
    not_expired: bool
    accepted: bool
    reasons: list[VerdictReason] = Field(default_factory=list, max_length=MAX_REASONS)

    @model_validator(mode="after")
    def _consistent(self) -> VerdictSummary:
        # Messages never quote values: validation errors go back to the caller.
        if self.accepted:
            if self.reasons:
                raise ValueError("an accepted verdict carries no reasons")
            if not (self.pa_ok and self.not_expired) or self.chip_auth is ChipAuth.FAILED:
                raise ValueError("a verdict cannot be accepted with a failed check")
        elif not self.reasons:
            raise ValueError("a refused verdict names at least one reason")
        return self


class DocumentEvidence(BaseModel):
    """The document read at the counter. ``document_number`` is transient: the service
    computes its keyed reference and forgets it."""

    model_config = STRICT

    document_type: DocumentType
    issuing_state: str = Field(
        pattern=r"^[A-Z]{1,3}$", description="The MRZ's issuing state without fillers: VNM, D"
    )
    document_number: str | None = Field(
        default=None,
        pattern=DOCUMENT_NUMBER_PATTERN,
        repr=False,
        description="Normalised (normalise_document_number); only for an accepted verdict. "
        "For a CCCD the 12-digit personal identification number",
    )
    verdict: VerdictSummary

    @model_validator(mode="after")
    def _number_only_when_verified(self) -> DocumentEvidence:
        if self.verdict.accepted and self.document_number is None:
            raise ValueError("an accepted document needs its number for the reference")
        if not self.verdict.accepted and self.document_number is not None:
            raise ValueError("a refused document's number is a claim and is not sent")
        return self


class CitizenSessionStart(BaseModel):
    """Start serving a citizen at the calling reader's counter."""

    model_config = STRICT

    service_code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    document: DocumentEvidence | None = Field(
        default=None, description="None: no chip was read (the clerk checked the paper document)"
    )
    legal_basis: LegalBasis
    consent_given_at: AwareDatetime | None = None
    manual_check: bool = Field(
        default=False,
        description="The clerk checked the paper document by eye; required when no chip "
        "verdict was accepted",
    )

    @model_validator(mode="after")
    def _basis_and_check(self) -> CitizenSessionStart:
        if self.legal_basis is LegalBasis.CONSENT and self.consent_given_at is None:
            raise ValueError("consent as the legal basis needs consent_given_at")
        if self.legal_basis is not LegalBasis.CONSENT and self.consent_given_at is not None:
            raise ValueError("consent_given_at belongs to consent as the legal basis")
        verified = self.document is not None and self.document.verdict.accepted
        if not verified and not self.manual_check:
            raise ValueError("without an accepted chip verdict a manual check is required")
        return self


class CitizenSessionStarted(BaseModel):
    model_config = STRICT

    session_id: uuid.UUID
    service_code: str
    service_name: str
    started_at: AwareDatetime


class CitizenSessionEnded(BaseModel):
    model_config = STRICT

    session_id: uuid.UUID
    started_at: AwareDatetime
    ended_at: AwareDatetime


class CounterService(BaseModel):
    model_config = STRICT

    code: str
    name: str


class CounterCatalogue(BaseModel):
    model_config = STRICT

    services: list[CounterService]


class OpenSession(BaseModel):
    model_config = STRICT

    session_id: uuid.UUID
    service_code: str
    started_at: AwareDatetime


class CounterStatus(BaseModel):
    """Who is signed in at the reader's counter (their own card tap), and whether a
    session is open there."""

    model_config = STRICT

    counter_unit_id: uuid.UUID
    counter_name: str
    staff_holder_id: uuid.UUID | None = None
    staff_name: str | None = None
    open_session: OpenSession | None = None


class CscaEntry(BaseModel):
    model_config = STRICT

    certificate: Base64Bytes = Field(description="A CSCA certificate, DER")
    source: str = Field(description="'master_list' or 'certificate' (an operator's import)")


class CscaList(BaseModel):
    """Content of the signed CSCA list (kind CSCA_LIST_KIND, signed with the key that
    signs reader configurations). ``sequence`` grows with every import, so a counter
    refuses an older list than the one it holds."""

    model_config = STRICT

    sequence: int = Field(ge=0)
    issued_at: AwareDatetime
    cscas: list[CscaEntry]
    crls: list[Base64Bytes] = Field(default_factory=list, description="CSCA CRLs, DER")
