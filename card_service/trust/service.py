"""What is current, and the documents readers fetch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from card_service.access import versioning
from card_service.errors import ConflictError, NotFoundError
from card_service.pki.authorities import latest_trust_bundle
from card_service.pki.models import CrlDocument, CrlState
from card_service.pki.revocations import latest_complete, latest_document
from reader_protocol.trust import TrustState


class IssuerUnknownError(NotFoundError):
    code = "issuer_not_found"
    title = "No revocation list for that issuer"


class DeltaUnavailableError(ConflictError):
    """The reader's list predates the current base: it must fetch the complete CRL."""

    code = "delta_unavailable"
    title = "Fetch the complete revocation list"


def crl_numbers(session: Session) -> dict[str, int]:
    return {row.issuer_key_id: row.number for row in session.scalars(select(CrlState))}


def trust_state(session: Session, *, now: datetime) -> TrustState:
    return TrustState(
        trust_bundle_sequence=latest_trust_bundle(session).sequence,
        crl_numbers=crl_numbers(session),
        config_version=versioning.current_version(session),
        at=now,
    )


def _known(session: Session, issuer_key_id: str) -> None:
    if session.get(CrlState, issuer_key_id) is None:
        raise IssuerUnknownError(f"no revocation list for issuer {issuer_key_id}")


def complete_crl(session: Session, issuer_key_id: str) -> CrlDocument:
    _known(session, issuer_key_id)
    return latest_complete(session, issuer_key_id)


def delta_since(session: Session, issuer_key_id: str, held_number: int) -> CrlDocument | None:
    """The newest list for a reader holding ``held_number``: None when it is current,
    the newest delta when that chains from what it holds, else DeltaUnavailableError."""
    _known(session, issuer_key_id)
    newest = latest_document(session, issuer_key_id)
    if held_number >= newest.number:
        return None
    if newest.base_number is None or newest.base_number > held_number:
        raise DeltaUnavailableError(
            f"the newest list (number {newest.number}) needs a complete CRL from "
            f"number {newest.base_number or newest.number}; fetch the complete list",
            complete_number=newest.base_number or newest.number,
        )
    return newest
