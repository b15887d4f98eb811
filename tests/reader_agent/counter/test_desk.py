"""The desk's states and what leaves it: the number once, in the start request, and
nothing of the citizen after the session ends or the hold time passes."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from reader_agent.counter.desk import CounterDesk, DeskError, StartRequest
from reader_agent.emrtd.errors import AccessControlError, PasswordBlockedError
from reader_agent.emrtd.keys.access import CanKey
from reader_agent.errors import NoCardError
from reader_protocol.counter import LegalBasis
from tests.reader_agent.counter.conftest import Clock, FakeService

HOLD = timedelta(minutes=15)
KEY = CanKey("123456")
SERVE = StartRequest(service_code="HT-KS", legal_basis=LegalBasis.PUBLIC_TASK)


def _desk(read, service=None, clock=None):
    clock = clock or Clock()
    service = service or FakeService()

    def read_card(key, now):
        if isinstance(read, Exception):
            raise read
        return read

    return CounterDesk(read_card=read_card, api=service, clock=clock, hold=HOLD), service, clock


def test_a_verified_citizen_is_served_and_forgotten(reads, citizen, caplog) -> None:
    caplog.set_level(1)
    desk, service, clock = _desk(reads[None])
    desk.read(KEY)
    assert desk.state().read.verified_number == citizen.id_number
    started = desk.start(SERVE)
    (sent,) = service.started
    assert sent.document.document_number == citizen.id_number
    assert sent.document.verdict.accepted
    assert (sent.legal_basis, sent.consent_given_at, sent.manual_check) == (
        LegalBasis.PUBLIC_TASK,
        None,
        False,
    )
    held = desk.state()
    assert held.session == started
    assert held.read.unverified_number is None  # gone once the reference exists
    assert held.read.unverified_face is not None  # the face stays for the visual check
    clock.now += timedelta(minutes=4)
    desk.end()
    assert service.ended == [started.session_id]
    assert (desk.state().read, desk.state().session) == (None, None)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (citizen.id_number, citizen.full_name, citizen.can):
        assert secret not in logged


def test_consent_is_confirmed_and_timed(reads) -> None:
    desk, service, clock = _desk(reads[None])
    desk.read(KEY)
    consent = StartRequest(service_code="HT-KS", legal_basis=LegalBasis.CONSENT)
    with pytest.raises(DeskError) as refused:
        desk.start(consent)
    assert refused.value.code == "consent_missing"
    desk.start(StartRequest("HT-KS", LegalBasis.CONSENT, consent_confirmed=True))
    assert service.started[0].consent_given_at == clock.now


@pytest.mark.parametrize("misbehave", ["tampered-dg", "unknown-csca", "cloned"])
def test_a_refused_card_needs_a_manual_check_and_its_number_stays(reads, misbehave) -> None:
    desk, service, _ = _desk(reads[misbehave])
    desk.read(KEY)
    with pytest.raises(DeskError) as refused:
        desk.start(SERVE)
    assert refused.value.code == "manual_check_missing"
    assert service.started == []
    desk.start(StartRequest("HT-KS", LegalBasis.PUBLIC_TASK, manual_check=True))
    (sent,) = service.started
    assert sent.document.document_number is None
    assert not sent.document.verdict.accepted
    assert sent.manual_check


def test_without_a_read_only_a_manual_check_records_a_session() -> None:
    desk, service, _ = _desk(NoCardError("no card"))
    with pytest.raises(DeskError) as missing:
        desk.read(KEY)
    assert missing.value.code == "no_card"
    with pytest.raises(DeskError):
        desk.start(SERVE)
    desk.start(StartRequest("HT-KS", LegalBasis.LEGAL_OBLIGATION, manual_check=True))
    assert service.started[0].document is None


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (AccessControlError("wrong", retries_left=2), "wrong_can", "Còn 2 lần thử"),
        (PasswordBlockedError("blocked"), "password_blocked", "khóa"),
        (NoCardError("none"), "no_card", "Chưa đặt thẻ"),
    ],
)
def test_card_errors_become_messages_for_the_clerk(error, code, message) -> None:
    desk, _, _ = _desk(error)
    with pytest.raises(DeskError) as raised:
        desk.read(KEY)
    assert raised.value.code == code
    assert message in raised.value.message


def test_the_citizen_data_expires_after_the_hold_time(reads) -> None:
    desk, _, clock = _desk(reads[None])
    desk.read(KEY)
    clock.now += HOLD
    assert desk.state().read is not None
    clock.now += timedelta(seconds=1)
    desk.expire()
    state = desk.state()
    assert state.read is None
    assert "xóa" in state.notice


def test_the_data_expires_during_a_long_session_too(reads) -> None:
    desk, service, clock = _desk(reads[None])
    desk.read(KEY)
    desk.start(SERVE)
    clock.now += HOLD + timedelta(seconds=1)
    state = desk.state()
    assert state.read is None
    assert state.session is not None  # the session itself is still open
    desk.end()
    assert len(service.ended) == 1


def test_one_citizen_at_a_time(reads) -> None:
    desk, _, _ = _desk(reads[None])
    desk.read(KEY)
    desk.start(SERVE)
    for action in (lambda: desk.read(KEY), lambda: desk.start(SERVE)):
        with pytest.raises(DeskError) as busy:
            action()
        assert busy.value.code == "busy"


def test_service_refusals_and_outages_keep_the_desk_as_it_was(reads) -> None:
    desk, service, _ = _desk(reads[None])
    desk.read(KEY)
    service.refuse = "counter_not_signed_in"
    with pytest.raises(DeskError) as refused:
        desk.start(SERVE)
    assert "chạm thẻ cán bộ" in refused.value.message
    service.unavailable = True
    with pytest.raises(DeskError) as away:
        desk.start(SERVE)
    assert away.value.code == "service_unavailable"
    assert desk.state().read.verified_number is not None  # retry possible
    service.unavailable = False
    desk.start(SERVE)


def test_an_end_the_service_no_longer_knows_still_clears_the_desk(reads) -> None:
    desk, service, _ = _desk(reads[None])
    desk.read(KEY)
    desk.start(SERVE)
    service.refuse = "counter_session_ended"
    desk.end()
    assert desk.state().session is None


def test_clear_drops_the_citizen_now(reads, caplog) -> None:
    caplog.set_level(logging.INFO)
    desk, _, _ = _desk(reads[None])
    desk.read(KEY)
    desk.clear()
    assert desk.state().read is None
