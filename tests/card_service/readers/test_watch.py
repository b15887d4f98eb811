"""readers.watch: one query per tick for every open stream; a stream learns that its
reader stopped being active. The live feed: tests/integration/test_trust_feed_deregistration.py."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection

from sqlalchemy.exc import OperationalError

from card_service.readers.models import Reader, ReaderState
from card_service.readers.watch import ReaderWatch, active_among
from reader_protocol.enrolment import ReaderMode


def test_streams_of_a_reader_that_stops_being_active_are_told_and_no_others() -> None:
    gone, staying = uuid.uuid4(), uuid.uuid4()
    active = {gone, staying}
    queries: list[frozenset[uuid.UUID]] = []

    def load(reader_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        queries.append(frozenset(reader_ids))
        return active & set(reader_ids)

    async def scenario() -> tuple[bool, bool, bool]:
        watch = ReaderWatch(load, poll_seconds=0.01)
        with (
            watch.watching(gone) as first,
            watch.watching(gone) as second,
            watch.watching(staying) as other,
        ):
            await asyncio.sleep(0.05)
            assert [event.is_set() for event in (first, second, other)] == [False] * 3
            active.discard(gone)
            await asyncio.wait_for(asyncio.gather(first.wait(), second.wait()), 1)
            await asyncio.sleep(0.05)
            told = first.is_set(), second.is_set(), other.is_set()
        await asyncio.sleep(0.05)  # a check already under way finishes
        queries.clear()
        await asyncio.sleep(0.05)  # nothing watched: no queries
        await watch.close()
        return told

    assert asyncio.run(scenario()) == (True, True, False)
    assert queries == []


def test_a_failed_check_leaves_streams_open_and_is_retried() -> None:
    reader = uuid.uuid4()
    calls = 0

    def load(reader_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("SELECT", {}, Exception("database away"))
        return set()

    async def scenario() -> bool:
        watch = ReaderWatch(load, poll_seconds=0.01)
        with watch.watching(reader) as locked_out:
            await asyncio.wait_for(locked_out.wait(), 1)
        await watch.close()
        return locked_out.is_set()

    assert asyncio.run(scenario())
    assert calls >= 2


def test_active_among_names_only_active_readers(database, session, org, clock) -> None:
    readers = {
        state: Reader(
            name=state.value,
            site_unit_id=org.units["snv"].id,
            location="Cổng",
            mode=ReaderMode.DOOR,
            state=state,
            created_at=clock.now,
        )
        for state in ReaderState
    }
    session.add_all(readers.values())
    session.commit()
    unknown = uuid.uuid4()
    asked = [reader.id for reader in readers.values()] + [unknown]
    assert active_among(database, asked) == {readers[ReaderState.ACTIVE].id}
