"""100 mixed concurrent transitions at one card on PostgreSQL, each in its own committed
transaction: the outcome equals some serial order, and nothing follows a revocation."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from card_service.audit import service as audit
from card_service.cards.errors import ActiveCardExistsError, IllegalTransitionError
from card_service.cards.lifecycle import Action, next_state
from card_service.cards.models import Card, CardState, CardTransition, TransitionReason
from card_service.cards.service import apply_transition
from card_service.db import migrate
from card_service.db.engine import Database
from card_service.holders.models import Holder, HolderKind
from card_service.keystore import FileKeyCustody
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from card_service.pki.authorities import initialise
from card_service.pki.context import PkiContext
from card_service.pki.models import CrlState
from crypto.signers import FileSigner
from tests.card_service.cards.certificates import certify
from tests.support.databases import fresh_postgres_database

pytestmark = pytest.mark.postgresql

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
MOVES = {
    Action.SUSPEND: TransitionReason.SUSPENDED,
    Action.RESUME: TransitionReason.RESUMED,
    Action.REVOKE: TransitionReason.LOST,
}


@pytest.fixture
def committed_database(postgres_admin):
    """A database of its own: these transactions really commit, concurrently."""
    with fresh_postgres_database(postgres_admin) as url:
        database = Database.from_url(url)
        migrate.upgrade(database.engine)
        yield database
        database.dispose()


def test_concurrent_transitions_serialise(committed_database, tmp_path) -> None:
    pki = PkiContext(
        custody=FileKeyCustody(tmp_path, b"pw"),
        crl_validity=timedelta(days=1),
        crl_refresh=timedelta(hours=6),
        delta_limit=1000,
        public_base_url="http://t",
        organization="T",
    )
    with committed_database.transaction() as session:
        unit = create_unit(session, kind=UnitKind.PROVINCE, code="HUE", name="Huế")
        holder = Holder(
            kind=HolderKind.STAFF,
            staff_number="C1",
            full_name="Đỗ C",
            name_folded="do c",
            unit_id=unit.id,
            active=True,
        )
        session.add(holder)
        session.flush()
        initialise(session, pki, now=NOW)
        card = Card(
            serial="HUE-CONC-00001",
            holder_id=holder.id,
            technology="piv",
            state=CardState.ACTIVE,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(card)
        session.flush()
        certify(session, pki, card, now=NOW)
        card_id, issuer = card.id, card.issuer_key_id
        crl_before = session.get(CrlState, issuer).number

    rng = random.Random(20261124)
    # Mostly suspend/resume so the card lives a while; a few revokes end it.
    actions = [
        rng.choice([Action.SUSPEND] * 6 + [Action.RESUME] * 6 + [Action.REVOKE]) for _ in range(100)
    ]
    outcomes: Counter[str] = Counter()
    start = threading.Barrier(20)

    def fire(action: Action, index: int) -> None:
        if index < 20:
            start.wait()  # the first twenty really collide
        try:
            with committed_database.transaction() as tx:
                locked = tx.scalar(select(Card).where(Card.id == card_id).with_for_update())
                assert locked is not None
                apply_transition(
                    tx,
                    pki,
                    locked,
                    action,
                    reason=MOVES[action],
                    comment=None,
                    actor=f"thread:{index}",
                    now=NOW + timedelta(seconds=index),
                )
            outcomes["applied"] += 1
        except (IllegalTransitionError, ActiveCardExistsError):
            outcomes["refused"] += 1

    threads = [threading.Thread(target=fire, args=(a, i)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(outcomes.values()) == 100

    with committed_database.transaction() as session:
        history = session.scalars(
            select(CardTransition)
            .where(CardTransition.card_id == card_id)
            .order_by(CardTransition.id)
        ).all()
        final = session.get(Card, card_id)
        assert final is not None
        # Replaying the recorded transitions serially is legal step by step...
        state = CardState.ACTIVE
        for transition in history:
            action = {"suspended": Action.SUSPEND, "resumed": Action.RESUME}.get(
                transition.reason.value, Action.REVOKE
            )
            assert transition.from_state is state
            assert next_state(state, action) is transition.to_state
            state = transition.to_state
        # ...and ends exactly where the card is.
        assert state is final.state
        assert len(history) == outcomes["applied"]
        revoked_at = [i for i, t in enumerate(history) if t.to_state is CardState.REVOKED]
        assert revoked_at in ([], [len(history) - 1])
        # Every applied change published exactly one CRL, in the same transaction.
        assert session.get(CrlState, issuer).number == crl_before + len(history)
        # And the audit chain stayed a chain.
        signer = FileSigner.generate()
        audit.checkpoint(session, signer, now=NOW + timedelta(hours=1))
        verified = audit.verify(session, keys={signer.key_id: signer.public_key})
        assert verified.count >= len(history)
