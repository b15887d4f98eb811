"""What the desk holds about the citizen in front of it, and what of it may leave.

``CitizenRead`` lives in memory only; its repr shows no personal data. ``summarise``
turns the verdict into ``reader_protocol.counter.VerdictSummary``: booleans and stable
reason codes, never the free-text reasons (they may quote what the chip said).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from reader_agent.emrtd.document import UnverifiedDocument
from reader_agent.emrtd.errors import EmrtdError
from reader_agent.emrtd.lds.dg1 import Mrz
from reader_agent.emrtd.lds.dg2 import FaceImage
from reader_agent.emrtd.verdict import CheckResult, CheckStatus, DocumentVerdict
from reader_agent.errors import MalformedResponseError
from reader_protocol.counter import (
    ChipAuth,
    DocumentType,
    VerdictReason,
    VerdictSummary,
    normalise_document_number,
)

CCCD_NUMBER_DIGITS = 12
T = TypeVar("T")
_PA_CODES = {reason.value: reason for reason in VerdictReason}
_CHECK_REASONS = {
    "mrz": VerdictReason.MRZ_INVALID,
    "chip_authentication": VerdictReason.CHIP_AUTHENTICATION_FAILED,
    "active_authentication": VerdictReason.ACTIVE_AUTHENTICATION_FAILED,
    "clone_detection": VerdictReason.NO_CLONE_DETECTION,
    "expiry": VerdictReason.EXPIRED,
}


@dataclass(frozen=True)
class CitizenRead:
    """One read of a chip ID card, with the desk's verdict. Everything ``unverified_``
    came from the chip and is trustworthy only when ``summary.accepted``."""

    read_at: datetime
    checks: tuple[CheckResult, ...]
    summary: VerdictSummary
    document_type: DocumentType | None
    issuing_state: str | None
    unverified_name: str | None = field(default=None, repr=False)
    unverified_face: FaceImage | None = field(default=None, repr=False)
    unverified_number: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"CitizenRead(accepted={self.summary.accepted}, at={self.read_at.isoformat()})"

    @property
    def verified_number(self) -> str | None:
        """The number to send for the citizen reference: only from an accepted verdict."""
        return self.unverified_number if self.summary.accepted else None

    def without_number(self) -> CitizenRead:
        return replace(self, unverified_number=None)


def citizen_read(
    document: UnverifiedDocument, verdict: DocumentVerdict, *, read_at: datetime
) -> CitizenRead:
    mrz = _quietly(document.mrz)
    return CitizenRead(
        read_at=read_at,
        checks=verdict.checks,
        summary=summarise(verdict),
        document_type=document_type_of(mrz),
        issuing_state=mrz.issuing_state if mrz is not None else None,
        unverified_name=_name(document, mrz),
        unverified_face=_face(document),
        unverified_number=_number(document, mrz),
    )


def summarise(verdict: DocumentVerdict) -> VerdictSummary:
    statuses = {check.name: check.status for check in verdict.checks}
    ca = statuses.get("chip_authentication")
    aa = statuses.get("active_authentication")
    if CheckStatus.FAILED in (ca, aa):
        chip_auth = ChipAuth.FAILED
    elif ca is CheckStatus.PASSED:
        chip_auth = ChipAuth.CA
    elif aa is CheckStatus.PASSED:
        chip_auth = ChipAuth.AA
    else:
        chip_auth = ChipAuth.NONE
    return VerdictSummary(
        pa_ok=statuses.get("passive_authentication") is CheckStatus.PASSED,
        chip_auth=chip_auth,
        not_expired=statuses.get("expiry") is CheckStatus.PASSED,
        accepted=verdict.accepted,
        reasons=[] if verdict.accepted else reason_codes(verdict),
    )


def reason_codes(verdict: DocumentVerdict) -> list[VerdictReason]:
    failed = [check for check in verdict.checks if check.status is CheckStatus.FAILED]
    chip_failed = any(
        check.name in ("chip_authentication", "active_authentication") for check in failed
    )
    codes: list[VerdictReason] = []
    for check in failed:
        if check.name == "passive_authentication":
            # The reason starts with crypto.emrtd's stable code: "<code>: <detail>".
            prefix = check.reason.split(":", 1)[0].strip()
            code = _PA_CODES.get(prefix, VerdictReason.PASSIVE_AUTHENTICATION_FAILED)
        elif check.name == "clone_detection" and chip_failed:
            continue  # the failed CA or AA is the reason already
        else:
            code = _CHECK_REASONS.get(check.name, VerdictReason.PASSIVE_AUTHENTICATION_FAILED)
        if code not in codes:
            codes.append(code)
    return codes


def document_type_of(mrz: Mrz | None) -> DocumentType | None:
    """A passport (P...), or a CCCD (a Vietnamese ID card); anything else is a document
    this desk does not record (the clerk checks it by hand)."""
    if mrz is None:
        return None
    if mrz.document_code.startswith("P"):
        return DocumentType.PASSPORT
    if mrz.document_code.startswith(("I", "A", "C")) and mrz.issuing_state == "VNM":
        return DocumentType.CCCD
    return None


def _number(document: UnverifiedDocument, mrz: Mrz | None) -> str | None:
    """For a CCCD the 12-digit personal identification number (it stays the same when the
    card is renewed); for a passport its document number."""
    if mrz is None:
        return None
    if document_type_of(mrz) is DocumentType.CCCD:
        details = _quietly(document.vietnam_details)
        if details is not None and _is_cccd_number(details.id_number):
            return details.id_number
        optional = mrz.optional_data[:CCCD_NUMBER_DIGITS]
        if _is_cccd_number(optional) and optional.endswith(mrz.document_number):
            return optional
    return normalise_document_number(mrz.document_number) or None


def _is_cccd_number(value: str | None) -> bool:
    return value is not None and len(value) == CCCD_NUMBER_DIGITS and value.isdigit()


def _name(document: UnverifiedDocument, mrz: Mrz | None) -> str | None:
    details = _quietly(document.vietnam_details)
    if details is not None and details.full_name:
        return details.full_name
    if mrz is None:
        return None
    return " ".join(part for part in (mrz.primary_identifier, mrz.secondary_identifier) if part)


def _face(document: UnverifiedDocument) -> FaceImage | None:
    faces = _quietly(document.faces)
    return faces[0] if faces else None


def _quietly(parse: Callable[[], T]) -> T | None:
    """A data group that does not parse shows as missing; the verdict says why."""
    try:
        return parse()
    except (EmrtdError, MalformedResponseError):
        return None
