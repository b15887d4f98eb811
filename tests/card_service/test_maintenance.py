"""The housekeeping round: expiry, fresh CRLs, purges of spent one-time values, checkpoints."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from card_service import maintenance
from card_service.audit.models import AuditCheckpoint
from card_service.auth.models import SignInFailure
from card_service.auth.signin import OBSERVATION_WINDOW, name_digest
from card_service.cards.models import Card, CardState
from card_service.pki.models import CrlState
from card_service.readers.models import Reader, ReaderState, ReaderTokenUse
from card_service.verification.models import VerificationChallenge
from reader_protocol.enrolment import ReaderMode
from tests.card_service.cards.certificates import certify


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_one_round(database, session, org, pki, audit_context, clock) -> None:
    holder_card = Card(
        serial="HUE-MAINT-0001",
        holder_id=_holder(session, org),
        technology="piv",
        state=CardState.ACTIVE,
        created_at=clock.now,
        updated_at=clock.now,
    )
    session.add(holder_card)
    session.flush()
    certify(session, pki, holder_card, now=clock.now)
    holder_card.valid_until = clock.now + timedelta(days=1)
    reader = Reader(
        name="r",
        site_unit_id=org.units["snv"].id,
        location="l",
        mode=ReaderMode.DOOR,
        state=ReaderState.ACTIVE,
        created_at=clock.now,
    )
    session.add(reader)
    session.flush()
    session.add_all(
        [
            ReaderTokenUse(
                jti="spent", reader_id=reader.id, expires_at=clock.now - timedelta(hours=1)
            ),
            ReaderTokenUse(
                jti="live", reader_id=reader.id, expires_at=clock.now + timedelta(days=3)
            ),
            VerificationChallenge(
                challenge=bytes(32),
                requested_by="x",
                issued_at=clock.now,
                expires_at=clock.now - timedelta(hours=2),
            ),
        ]
    )
    session.commit()
    crl_before = {s.issuer_key_id: s.number for s in session.scalars(select(CrlState))}

    clock.advance(days=2)  # the card's validity has ended, and the CRL is old
    maintenance.run_once(database, pki, audit_context, clock)
    session.expire_all()

    assert session.get(Card, holder_card.id).state is CardState.EXPIRED
    assert {s.issuer_key_id: s.number for s in session.scalars(select(CrlState))} == {
        issuer: number + 1 for issuer, number in crl_before.items()
    }
    assert [u.jti for u in session.scalars(select(ReaderTokenUse))] == ["live"]
    assert _count(session, VerificationChallenge) == 0
    assert _count(session, AuditCheckpoint) == 1


def test_stale_sign_in_failure_counters_are_forgotten(
    database, session, pki, audit_context, clock
) -> None:
    """A counter goes once its last failure is older than the observation window, unless
    its name is locked right now (a lock-out longer than the window)."""
    now = clock.now
    window = OBSERVATION_WINDOW
    rows = {
        # name: (last failure, locked until)
        "stale": (now - window - timedelta(seconds=1), None),
        "stale-lock-over": (now - window - timedelta(hours=1), now - timedelta(minutes=1)),
        "stale-but-locked": (now - window - timedelta(hours=1), now + timedelta(minutes=5)),
        "at-the-edge": (now - window, None),
        "recent": (now - timedelta(minutes=3), None),
        "recent-locked": (now - timedelta(minutes=3), now + timedelta(minutes=12)),
    }
    session.add_all(
        SignInFailure(
            name_digest=name_digest(name), failures=3, last_failed_at=last, locked_until=until
        )
        for name, (last, until) in rows.items()
    )
    session.commit()

    maintenance.run_once(database, pki, audit_context, clock)
    session.expire_all()

    kept = set(session.scalars(select(SignInFailure.name_digest)))
    assert kept == {
        name_digest(name) for name in ("stale-but-locked", "at-the-edge", "recent", "recent-locked")
    }


def _holder(session, org) -> uuid.UUID:
    from card_service.holders.models import Holder, HolderKind

    holder = Holder(
        kind=HolderKind.STAFF,
        staff_number="M1",
        full_name="Mai Văn Bảo",
        name_folded="mai van bao",
        unit_id=org.units["snv"].id,
        active=True,
    )
    session.add(holder)
    session.flush()
    return holder.id
