"""How card states map to revocation-list entries (called inside each transition).

Only cards that carry a certificate are listed. A suspension puts the certificate on
hold (certificateHold), a resumption takes it off again, and a revocation lists it
with the RFC 5280 reason that matches why; an expired card needs no entry, since its
certificate is no longer valid anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from card_service.cards.models import Card, CardState, TransitionReason
from card_service.pki import revocations
from card_service.pki.authorities import authority
from card_service.pki.context import PkiContext
from crypto.revocation import RevocationReason

REASON_CODES: dict[TransitionReason, RevocationReason] = {
    TransitionReason.LOST: RevocationReason.KEY_COMPROMISE,
    TransitionReason.STOLEN: RevocationReason.KEY_COMPROMISE,
    TransitionReason.DAMAGED: RevocationReason.SUPERSEDED,
    TransitionReason.HOLDER_LEFT: RevocationReason.AFFILIATION_CHANGED,
    TransitionReason.ADMINISTRATIVE: RevocationReason.PRIVILEGE_WITHDRAWN,
    TransitionReason.ISSUANCE_CANCELLED: RevocationReason.CESSATION_OF_OPERATION,
    TransitionReason.SUSPENDED: RevocationReason.CERTIFICATE_HOLD,
}


def on_transition(  # noqa: PLR0917 - one call site, each argument a distinct fact
    session: Session,
    pki: PkiContext,
    card: Card,
    old: CardState,
    new: CardState,
    reason: TransitionReason,
    *,
    now: datetime,
) -> None:
    if card.certificate_serial is None or card.issuer_key_id is None:
        return
    if new is CardState.SUSPENDED:
        code: RevocationReason | None = RevocationReason.CERTIFICATE_HOLD
    elif new is CardState.REVOKED:
        code = REASON_CODES.get(reason, RevocationReason.UNSPECIFIED)
    elif old is CardState.SUSPENDED and new is CardState.ACTIVE:
        code = None
    else:
        return
    revocations.record_change(
        session,
        pki,
        authority(session, pki, card.issuer_key_id),
        card_id=card.id,
        serial=int(card.certificate_serial, 16),
        reason=code,
        now=now,
    )
