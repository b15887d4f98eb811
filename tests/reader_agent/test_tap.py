"""One tap through the real PIV card code (a virtual card in-process), the real crypto,
a real outbox: who gets in, who does not and why, and that the door only ever moves
after the event is committed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from reader_agent.outbox import OutboxError
from reader_agent.tap import TapOptions
from reader_agent.virtual.piv_card import PivCard, PivCardOptions
from reader_agent.virtual.piv_direct import DirectConnection
from reader_protocol.config import EmergencyAccess
from reader_protocol.events import Decision, TapKind
from tests.reader_agent.door_pki import DoorPki
from tests.reader_agent.world import World


def _world(tmp_path, pki: DoorPki, holder: uuid.UUID | None = None, **kwargs) -> World:
    holders = {holder: "Nguyễn Văn An"} if holder else {}
    return World.build(tmp_path, pki, holders=holders, **kwargs)


def test_a_known_card_is_granted_and_the_door_opens_after_the_commit(tmp_path, door_pki):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)
    result = world.tap(card.connection())
    assert result.decision.granted
    assert result.decision.reason == "ok"
    assert result.decision.card_id == card.card_id
    assert result.decision.holder_name == "Nguyễn Văn An"
    assert result.kind is TapKind.DOOR
    assert result.door_released
    assert world.door.releases == [(3.0, result.reader_seq)]  # committed before release
    (event,) = world.outbox.pending()
    assert event.id == result.event_id
    assert event.draft.decision is Decision.GRANTED
    assert event.draft.holder_id == card.holder_id
    assert "Được phép vào" in world.feedback.lines[0]
    assert "Nguyễn Văn An" in world.feedback.lines[0]


def test_the_event_id_carries_the_decision_time(tmp_path, door_pki):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)
    result = world.tap(card.connection())
    (event,) = world.outbox.pending()
    assert event.draft.occurred_at == door_pki.now
    assert event.to_message().occurred_at == result.at


def test_a_card_the_policy_does_not_know_is_denied_but_recorded(tmp_path, door_pki):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki)  # nobody is allowed
    result = world.tap(card.connection())
    assert not result.decision.granted
    assert result.decision.reason == "holder_not_allowed_here"
    assert result.decision.card_id == card.card_id
    assert world.door.releases == []
    (event,) = world.outbox.pending()
    assert event.draft.decision is Decision.DENIED
    assert "Từ chối" in world.feedback.lines[0]


def test_a_copied_certificate_with_another_key_is_denied(tmp_path, door_pki):
    genuine = door_pki.personalise()
    clone = PivCard(genuine.card.state, options=PivCardOptions(sign_with_other_key=True))
    world = _world(tmp_path, door_pki, genuine.holder_id)
    result = world.tap(DirectConnection(clone))
    assert not result.decision.granted
    assert result.decision.reason == "signature_invalid"
    assert world.door.releases == []


def test_an_expired_card_is_denied(tmp_path, door_pki):
    card = door_pki.personalise(
        not_before=door_pki.now - timedelta(days=20), validity=timedelta(days=10)
    )
    world = _world(tmp_path, door_pki, card.holder_id)
    result = world.tap(card.connection())
    assert (result.decision.granted, result.decision.reason) == (False, "card_expired")
    assert result.decision.card_id == card.card_id  # genuine, so the record names it


def test_a_card_from_an_unknown_issuer_is_denied_and_not_named(tmp_path, door_pki):
    stranger = DoorPki.create()
    card = stranger.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)
    result = world.tap(card.connection())
    assert (result.decision.granted, result.decision.reason) == (False, "issuer_unknown")
    assert result.decision.card_id is None  # its ids are only claims
    (event,) = world.outbox.pending()
    assert event.draft.card_id is None


def test_a_revoked_card_is_denied_and_a_suspended_one_says_so(tmp_path, door_pki):
    revoked = door_pki.personalise()
    held = door_pki.personalise()
    crl = door_pki.crl([revoked.serial], hold=[held.serial])
    world = _world(tmp_path, door_pki, revoked.holder_id, crl=crl)
    assert world.tap(revoked.connection()).decision.reason == "card_revoked"
    assert world.tap(held.connection()).decision.reason == "card_suspended"
    assert world.door.releases == []
    assert "thu hồi" in world.feedback.lines[0]


def test_a_revocation_list_older_than_the_doors_maximum_age_fails_closed(tmp_path, door_pki):
    card = door_pki.personalise()
    old = door_pki.crl(this_update=door_pki.now - timedelta(hours=2))
    config = door_pki.config({card.holder_id: "An"}, max_crl_age_seconds=3600)
    world = _world(tmp_path, door_pki, crl=old, config=config)
    result = world.tap(card.connection())
    assert (result.decision.granted, result.decision.reason) == (False, "revocation_list_stale")
    assert world.door.releases == []


def test_a_local_maximum_age_can_only_tighten(tmp_path, door_pki):
    card = door_pki.personalise()
    crl = door_pki.crl(this_update=door_pki.now - timedelta(minutes=10))
    options = TapOptions(max_crl_age=timedelta(minutes=5))
    world = _world(tmp_path, door_pki, card.holder_id, crl=crl, options=options)
    assert world.tap(card.connection()).decision.reason == "revocation_list_stale"
    world2 = _world(
        tmp_path / "2",
        door_pki,
        card.holder_id,
        crl=crl,
        options=TapOptions(max_crl_age=timedelta(days=365)),
        config=door_pki.config({card.holder_id: "An"}, max_crl_age_seconds=300),
    )
    assert world2.tap(card.connection()).decision.reason == "revocation_list_stale"


def test_a_blank_card_is_unknown(tmp_path, door_pki):
    world = _world(tmp_path, door_pki)
    result = world.tap(DirectConnection(PivCard.blank()))
    assert (result.decision.granted, result.decision.reason) == (False, "card_unknown")
    assert len(world.outbox.pending()) == 1


def test_a_repeat_inside_the_window_counts_once(tmp_path, door_pki):
    from reader_protocol.enrolment import ReaderMode

    card = door_pki.personalise()
    config = door_pki.config({card.holder_id: "An"}, mode=ReaderMode.ATTENDANCE)
    world = _world(tmp_path, door_pki, config=config, mode=ReaderMode.ATTENDANCE)  # 10 s
    first = world.tap(card.connection())
    world.later(5)
    second = world.tap(card.connection())
    world.later(6)
    third = world.tap(card.connection())
    assert [first.repeat, second.repeat, third.repeat] == [False, True, False]
    assert second.event_id is None
    assert not second.door_released
    assert len(world.outbox.pending()) == 2
    assert "đã ghi nhận" in world.feedback.lines[1]


def test_at_a_door_a_granted_repeat_counts_again_once_the_door_locked(tmp_path, door_pki):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)  # 10 s window, 3 s release
    first = world.tap(card.connection())
    world.later(1)
    while_open = world.tap(card.connection())
    world.later(3)
    after_locking = world.tap(card.connection())
    assert [first.repeat, while_open.repeat, after_locking.repeat] == [False, True, False]
    assert len(world.door.releases) == 2
    stranger = door_pki.personalise()  # a denial at a door keeps the whole window
    first_denial = world.tap(stranger.connection())
    world.later(5)
    second_denial = world.tap(stranger.connection())
    assert [first_denial.repeat, second_denial.repeat] == [False, True]


def test_a_local_debounce_window_overrides_the_services(tmp_path, door_pki):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id, options=TapOptions(debounce_seconds=0))
    results = [world.tap(card.connection()) for _ in range(3)]
    assert [r.repeat for r in results] == [False, False, False]
    assert len(world.outbox.pending()) == 3


def test_a_reader_without_configuration_refuses_everyone(tmp_path, door_pki):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)
    world.config.policy = None
    result = world.tap(card.connection())
    assert (result.decision.granted, result.decision.reason) == (False, "reader_not_configured")


def test_a_reader_without_trust_bundle_refuses_everyone(tmp_path, door_pki):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)
    world.trust.verifier = None
    result = world.tap(card.connection())
    assert (result.decision.granted, result.decision.reason) == (False, "reader_not_configured")
    assert result.decision.card_id is None


def test_an_outbox_that_cannot_store_keeps_the_door_shut(tmp_path, door_pki, monkeypatch):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)

    def broken(_draft):
        raise OutboxError("disk full")

    monkeypatch.setattr(world.outbox, "append", broken)
    result = world.tap(card.connection())
    assert not result.decision.granted
    assert result.decision.reason == "reader_error"
    assert result.event_id is None
    assert world.door.releases == []
    assert "lỗi đầu đọc" in world.feedback.lines[0]


def test_a_broken_door_or_display_does_not_stop_the_reader(tmp_path, door_pki, monkeypatch):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)

    def explode(*_args):
        raise RuntimeError("relay on fire")

    monkeypatch.setattr(world.door, "release", explode)
    monkeypatch.setattr(world.feedback, "show", explode)
    result = world.tap(card.connection())
    assert result.decision.granted
    assert not result.door_released
    assert len(world.outbox.pending()) == 1


@pytest.mark.parametrize(
    ("mode", "kinds"),
    [
        ("attendance", [TapKind.ATTENDANCE, TapKind.ATTENDANCE]),
        ("counter", [TapKind.COUNTER_SIGN_IN, TapKind.COUNTER_SIGN_OUT, TapKind.COUNTER_SIGN_IN]),
    ],
)
def test_modes_give_their_kinds(tmp_path, door_pki, mode, kinds):
    from reader_protocol.enrolment import ReaderMode

    card = door_pki.personalise()
    world = _world(
        tmp_path,
        door_pki,
        card.holder_id,
        mode=ReaderMode(mode),
        options=TapOptions(debounce_seconds=0),
        config=door_pki.config({card.holder_id: "An"}, mode=ReaderMode(mode)),
    )
    got = [world.tap(card.connection()).kind for _ in kinds]
    assert got == kinds


def test_timings_separate_card_decision_and_commit(tmp_path, door_pki):
    card = door_pki.personalise()
    world = _world(tmp_path, door_pki, card.holder_id)
    timings = world.tap(card.connection()).timings
    assert timings.card_ms > 0
    assert timings.decision_ms > 0
    assert timings.outbox_ms > 0
    assert timings.total_ms >= timings.card_ms + timings.decision_ms + timings.outbox_ms


def _stale_world(tmp_path, door_pki, card, *, emergency, list_age=timedelta(hours=5)):
    """The reader has been cut off: its list is older than the door's one hour."""
    old = door_pki.crl(this_update=door_pki.now - list_age)
    config = door_pki.config(
        {card.holder_id: "Bảo vệ Lê"}, max_crl_age_seconds=3600, emergency=emergency
    )
    return _world(tmp_path, door_pki, crl=old, config=config)


def test_the_emergency_section_lets_its_holders_through_a_stale_list(tmp_path, door_pki):
    guard = door_pki.personalise()
    emergency = EmergencyAccess(holder_ids=[guard.holder_id], extra_age_seconds=24 * 3600)
    world = _stale_world(tmp_path, door_pki, guard, emergency=emergency)
    result = world.tap(guard.connection())
    assert (result.decision.granted, result.decision.reason) == (
        True,
        "granted_emergency_stale_list",
    )
    assert world.outbox.pending(10)[0].draft.reason == "granted_emergency_stale_list"


def test_the_emergency_section_has_its_own_age_limit(tmp_path, door_pki):
    guard = door_pki.personalise()
    emergency = EmergencyAccess(holder_ids=[guard.holder_id], extra_age_seconds=3600)
    world = _stale_world(tmp_path, door_pki, guard, emergency=emergency)  # 5 h > 1 h + 1 h
    assert world.tap(guard.connection()).decision.reason == "revocation_list_stale"


def test_others_still_fail_closed_and_copies_never_pass(tmp_path, door_pki):
    guard, clerk = door_pki.personalise(), door_pki.personalise()
    emergency = EmergencyAccess(holder_ids=[guard.holder_id], extra_age_seconds=24 * 3600)
    world = _stale_world(tmp_path, door_pki, clerk, emergency=emergency)
    assert world.tap(clerk.connection()).decision.reason == "revocation_list_stale"
    # The guard's genuine certificate on a card without the guard's key:
    copy = PivCard(guard.card.state, options=PivCardOptions(sign_with_other_key=True))
    denied = world.tap(DirectConnection(copy))
    assert (denied.decision.granted, denied.decision.reason) == (False, "signature_invalid")
    assert world.door.releases == []
