"""Readers, holders, cards and tap events for ingest and attendance tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from card_service.cards.models import Card, CardState, CardTechnology
from card_service.holders.models import Holder, HolderKind
from card_service.orgunits.models import OrgUnit
from card_service.readers.models import Reader, ReaderState
from reader_protocol.enrolment import ReaderMode
from reader_protocol.events import Decision, EventBatch, TapEventMessage, TapKind

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_counter = itertools.count(1)


def uuid7(at: datetime, salt: int | None = None) -> uuid.UUID:
    """A UUIDv7 whose timestamp is ``at`` (milliseconds); ``salt`` fills the random bits."""
    millis = (at - EPOCH) // timedelta(milliseconds=1)
    rand = next(_counter) if salt is None else salt
    value = (millis << 80) | (0x7 << 76) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def at_ms(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def make_reader(
    session: Session, unit: OrgUnit, *, mode: ReaderMode = ReaderMode.ATTENDANCE
) -> Reader:
    reader = Reader(
        name=f"reader {next(_counter)}",
        site_unit_id=unit.id,
        location="main entrance",
        mode=mode,
        state=ReaderState.ACTIVE,
    )
    session.add(reader)
    session.flush()
    return reader


def make_holder(session: Session, unit: OrgUnit, name: str, staff_number: str) -> Holder:
    holder = Holder(
        kind=HolderKind.STAFF,
        staff_number=staff_number,
        full_name=name,
        name_folded=name.lower(),
        unit_id=unit.id,
    )
    session.add(holder)
    session.flush()
    return holder


def make_card(session: Session, holder: Holder) -> Card:
    card = Card(
        serial=f"C{next(_counter):08d}",
        holder_id=holder.id,
        technology=CardTechnology.PIV,
        state=CardState.ACTIVE,
    )
    session.add(card)
    session.flush()
    return card


def tap(
    at: datetime,
    *,
    holder: Holder | None = None,
    card: Card | None = None,
    kind: TapKind = TapKind.ATTENDANCE,
    decision: Decision = Decision.GRANTED,
    seq: int | None = None,
    event_id: uuid.UUID | None = None,
) -> TapEventMessage:
    at = at_ms(at)
    return TapEventMessage(
        id=event_id or uuid7(at),
        reader_seq=next(_counter) if seq is None else seq,
        occurred_at=at,
        card_id=card.id if card else None,
        holder_id=holder.id if holder else None,
        kind=kind,
        decision=decision,
        reason="ok" if decision is Decision.GRANTED else "revoked",
    )


def batch(events: list[TapEventMessage], *, sent_at: datetime) -> EventBatch:
    return EventBatch(sent_at=sent_at, events=events)
