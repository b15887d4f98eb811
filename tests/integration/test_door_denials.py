"""Who a door refuses, through pyscard + pcscd + vpcd + the virtual card process, with
the reader's own components in-process (a PKI of the test's own; no service needed):
a copied certificate on a card with another key, an expired card, an unknown issuer,
a revoked card, a revocation list older than the door's maximum age, and an older
list offered after a newer one (also after a restart). And the real reader loop taps
a card once per insertion."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from crypto.errors import RevocationListRollbackError
from reader_agent.loop import ReaderLoop
from reader_agent.outbox import Outbox
from reader_agent.pcsc import PcscConnection
from reader_agent.state.trust_store import TrustStore
from reader_agent.tap import TapOptions
from reader_agent.virtual.launcher import exclusive_slot, inserted_card, vpcd_reader_name
from reader_agent.virtual.vpcd import SLOT_PORTS
from tests.reader_agent.door_pki import DoorPki
from tests.reader_agent.world import World

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("pcscd")]
PORT = SLOT_PORTS[0]


@pytest.fixture(scope="module")
def pki() -> DoorPki:
    return DoorPki.create()


def _tap(world: World, state, *extra: str):
    with (
        exclusive_slot(PORT),
        inserted_card(["--state", str(state), *extra], port=PORT) as card,
        PcscConnection(card.reader_name) as connection,
    ):
        return world.tap(connection)


def _card(pki: DoorPki, tmp_path, name="card.json", **kwargs):
    return pki.personalise(state=tmp_path / name, **kwargs)


def test_the_genuine_card_passes(tmp_path, pki):
    card = _card(pki, tmp_path)
    world = World.build(tmp_path / "r", pki, holders={card.holder_id: "Hồ Văn Lâm"})
    result = _tap(world, tmp_path / "card.json")
    assert (result.decision.granted, result.decision.reason) == (True, "ok")
    assert world.door.releases == [(3.0, 1)]


def test_a_genuine_certificate_copied_onto_a_card_with_another_key(tmp_path, pki):
    card = _card(pki, tmp_path)
    world = World.build(tmp_path / "r", pki, holders={card.holder_id: "Hồ Văn Lâm"})
    result = _tap(world, tmp_path / "card.json", "--sign-with-other-key")
    assert (result.decision.granted, result.decision.reason) == (False, "signature_invalid")
    assert world.door.releases == []


def test_an_expired_card(tmp_path, pki):
    card = _card(pki, tmp_path, not_before=pki.now - timedelta(days=9), validity=timedelta(days=3))
    world = World.build(tmp_path / "r", pki, holders={card.holder_id: "An"})
    assert _tap(world, tmp_path / "card.json").decision.reason == "card_expired"


def test_a_card_of_an_unknown_issuer(tmp_path, pki):
    card = _card(DoorPki.create(), tmp_path)
    world = World.build(tmp_path / "r", pki, holders={card.holder_id: "An"})
    assert _tap(world, tmp_path / "card.json").decision.reason == "issuer_unknown"


def test_a_revoked_card(tmp_path, pki):
    card = _card(pki, tmp_path)
    world = World.build(
        tmp_path / "r", pki, holders={card.holder_id: "An"}, crl=pki.crl([card.serial])
    )
    assert _tap(world, tmp_path / "card.json").decision.reason == "card_revoked"


def test_a_list_older_than_the_doors_maximum_age(tmp_path, pki):
    card = _card(pki, tmp_path)
    world = World.build(
        tmp_path / "r",
        pki,
        crl=pki.crl(this_update=pki.now - timedelta(hours=3)),
        config=pki.config({card.holder_id: "An"}, max_crl_age_seconds=2 * 3600),
    )
    result = _tap(world, tmp_path / "card.json")
    assert (result.decision.granted, result.decision.reason) == (False, "revocation_list_stale")


def test_an_older_list_offered_after_a_newer_one_changes_nothing(tmp_path, pki):
    card = _card(pki, tmp_path)
    newer = pki.crl([card.serial], number=10)
    world = World.build(tmp_path / "r", pki, holders={card.holder_id: "An"}, crl=newer)
    older = pki.crl([], number=9)  # a genuine list from before the revocation
    with pytest.raises(RevocationListRollbackError):
        world.trust.offer_crl(older, now=pki.now)
    assert _tap(world, tmp_path / "card.json").decision.reason == "card_revoked"
    restarted = TrustStore(tmp_path / "r" / "trust", roots=pki.roots)
    restarted.restore(now=pki.now)
    with pytest.raises(RevocationListRollbackError):
        restarted.offer_crl(older, now=pki.now)
    world.trust = restarted
    world._processor = None
    assert _tap(world, tmp_path / "card.json").decision.reason == "card_revoked"


def test_the_reader_loop_taps_once_per_insertion(tmp_path, pki):
    """Two insertions, each left on the reader for a second: two events, each card read
    once (no read failed: the launcher's presence checks never touch the card, and the
    loop's exclusive connection keeps every other program off it during a tap)."""
    card = _card(pki, tmp_path)
    stop = threading.Event()
    reads: list[int] = []

    def reader() -> None:  # the reader's components live in the loop's thread
        world = World.build(
            tmp_path / "r",
            pki,
            holders={card.holder_id: "An"},
            options=TapOptions(debounce_seconds=0),
        )
        loop = ReaderLoop(vpcd_reader_name(PORT), world.processor, stop=stop, poll_seconds=0.1)
        loop.run()
        reads.append(loop.reads)

    def recorded() -> list[tuple[str, str]]:
        with Outbox.open(tmp_path / "r" / "outbox.sqlite3") as outbox:
            return [(e.draft.decision.value, e.draft.reason) for e in outbox.pending()]

    thread = threading.Thread(target=reader, daemon=True)
    with exclusive_slot(PORT):
        thread.start()
        try:
            for taps in (1, 2):
                with inserted_card(["--state", str(tmp_path / "card.json")], port=PORT):
                    _wait(lambda taps=taps: len(recorded()) >= taps)
                    time.sleep(1.0)  # the card stays on the reader: still one tap
        finally:
            stop.set()
            thread.join(timeout=5)
        decided = recorded()
    assert decided == [("granted", "ok"), ("granted", "ok")]
    assert reads == [2]


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
