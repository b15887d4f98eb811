"""Sync against a fake service: the outbox drains exactly once whatever is re-sent,
the follower takes deltas or complete lists and refuses what does not verify, and a
heartbeat catches a reader up and corrects its token clock."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from reader_agent.backoff import Backoff
from reader_agent.client import ReaderTokenSigner, ServiceClient
from reader_agent.outbox import Outbox, TapEventDraft
from reader_agent.state.config_store import ConfigStore
from reader_agent.state.trust_store import TrustStore
from reader_agent.sync import Heartbeater, TrustFollower, Uploader
from reader_protocol.events import Decision, TapKind
from reader_protocol.status import Heartbeat
from tests.reader_agent.fake_service import FakeService


def _fast() -> Backoff:
    return Backoff(initial=0.001, maximum=0.002)


@pytest.fixture
def service(door_pki) -> FakeService:
    return FakeService(door_pki, clock=lambda: door_pki.now)


def _client(service: FakeService, skew: timedelta = timedelta(0)) -> ServiceClient:
    key = ec.generate_private_key(ec.SECP256R1())
    service.reader_key = key.public_key()
    signer = ReaderTokenSigner(service.pki.reader_id, key, clock=lambda: service.pki.now + skew)
    return ServiceClient("http://service", signer=signer, transport=service.transport())


def _append(outbox: Outbox, count: int, now) -> list[uuid.UUID]:
    ids = []
    for index in range(count):
        draft = TapEventDraft.decided(
            now=now + timedelta(milliseconds=index),
            kind=TapKind.DOOR,
            decision=Decision.GRANTED,
            reason="ok",
        )
        outbox.append(draft)
        ids.append(draft.id)
    return ids


def _uploader(path, client, door_pki, stop=None, batch_size=3) -> Uploader:
    return Uploader(
        path,
        client,
        clock=lambda: door_pki.now,
        stop=stop or threading.Event(),
        wake=threading.Event(),
        batch_size=batch_size,
        backoff=_fast(),
    )


def test_the_outbox_drains_in_batches_and_each_event_is_stored_once(tmp_path, service, door_pki):
    path = tmp_path / "outbox.sqlite3"
    with Outbox.open(path) as outbox:
        ids = _append(outbox, 7, door_pki.now)
        uploader = _uploader(path, _client(service), door_pki)
        uploader.drain(outbox)
        assert set(service.stored) == set(ids)
        assert outbox.counts().pending == 0
        assert uploader.uploaded == 7
        # The answer was lost and everything is sent again: nothing is stored twice.
        outbox._connection.execute("UPDATE tap_events SET state = 'pending'")
        uploader.drain(outbox)
        assert len(service.stored) == 7
        assert outbox.counts().sent == 7


def test_refused_events_are_set_aside_and_never_resent(tmp_path, service, door_pki):
    path = tmp_path / "outbox.sqlite3"
    with Outbox.open(path) as outbox:
        ids = _append(outbox, 3, door_pki.now)
        service.refuse_ids = {ids[1]}
        _uploader(path, _client(service), door_pki).drain(outbox)
        counts = outbox.counts()
        assert (counts.pending, counts.sent, counts.refused) == (0, 2, 1)
        assert ids[1] not in service.stored


def test_a_refusal_without_an_id_is_matched_by_its_position(tmp_path, service, door_pki):
    path = tmp_path / "outbox.sqlite3"
    with Outbox.open(path) as outbox:
        ids = _append(outbox, 3, door_pki.now)
        service.refuse_ids = {ids[2]}
        service.refuse_by_position = True
        _uploader(path, _client(service), door_pki).drain(outbox)
        counts = outbox.counts()
        assert (counts.pending, counts.sent, counts.refused) == (0, 2, 1)
        assert ids[2] not in service.stored


def test_the_uploader_waits_out_an_outage(tmp_path, service, door_pki):
    path = tmp_path / "outbox.sqlite3"
    stop = threading.Event()
    with Outbox.open(path) as outbox:
        _append(outbox, 2, door_pki.now)
        service.down = True
        uploader = _uploader(path, _client(service), door_pki, stop=stop)
        attempts = []
        original = service.handle

        def flaky(request):
            attempts.append(1)
            if len(attempts) == 3:
                service.down = False
            return original(request)

        service.handle = flaky
        uploader.drain(outbox)
        assert len(attempts) == 3  # two refused connections, then the upload
        assert len(service.stored) == 2


def _stores(tmp_path, door_pki) -> tuple[TrustStore, ConfigStore]:
    trust = TrustStore(tmp_path / "trust", roots=door_pki.roots)
    config = ConfigStore(tmp_path, keys=door_pki.config_keys, reader_id=door_pki.reader_id)
    return trust, config


def _follower(client, trust, config, door_pki) -> TrustFollower:
    return TrustFollower(client, trust, config, clock=lambda: door_pki.now, stop=threading.Event())


def test_a_new_reader_catches_up_with_everything(tmp_path, service, door_pki):
    trust, config = _stores(tmp_path, door_pki)
    follower = _follower(_client(service), trust, config, door_pki)
    follower.catch_up(service.state)
    assert trust.bundle_sequence == 1
    assert trust.crl_numbers() == {door_pki.issuer_key_id: 1}
    assert config.version == 1


def test_a_delta_when_it_chains_the_complete_list_when_not(tmp_path, service, door_pki):
    trust, config = _stores(tmp_path, door_pki)
    follower = _follower(_client(service), trust, config, door_pki)
    follower.catch_up(service.state)
    card = door_pki.personalise()
    service.delta = door_pki.delta([card.serial], number=2, base=1)
    service.delta_number, service.delta_base = 2, 1
    follower.catch_up(service.state)
    assert trust.crl_numbers() == {door_pki.issuer_key_id: 2}
    assert service.requests[-1] == f"GET /api/v1/trust/crls/{door_pki.issuer_key_id}/delta"
    # The service starts a new complete list; the reader holding 2 cannot chain a delta
    # based on 5, so it takes the complete list.
    service.complete = door_pki.crl([card.serial], number=5)
    service.complete_number = 5
    service.delta = door_pki.delta([card.serial], number=6, base=5)
    service.delta_number, service.delta_base = 6, 5
    follower.catch_up(service.state)
    assert service.requests[-2:] == [
        f"GET /api/v1/trust/crls/{door_pki.issuer_key_id}/delta",
        f"GET /api/v1/trust/crls/{door_pki.issuer_key_id}.crl",
    ]
    assert trust.crl_numbers() == {door_pki.issuer_key_id: 5}
    follower.catch_up(service.state)  # and then the delta on top
    assert trust.crl_numbers() == {door_pki.issuer_key_id: 6}


def test_material_that_does_not_verify_is_refused_and_the_old_kept(
    tmp_path, service, door_pki, caplog
):
    trust, config = _stores(tmp_path, door_pki)
    follower = _follower(_client(service), trust, config, door_pki)
    follower.catch_up(service.state)
    # A service (or someone in the middle) offers an older list under a newer number.
    service.complete_number = 9
    service.complete = door_pki.crl(number=0 + 1)
    follower.catch_up(service.state)
    assert trust.crl_numbers() == {door_pki.issuer_key_id: 1}
    assert "refused the revocation list" in caplog.text
    service.config_version = 2
    service.config = b'{"body":"x","signature":"y"}'
    follower.catch_up(service.state)
    assert config.version == 1
    assert "refused the configuration" in caplog.text


def test_the_change_feed_drives_catch_up(tmp_path, service, door_pki):
    trust, config = _stores(tmp_path, door_pki)
    stop = threading.Event()
    follower = TrustFollower(
        _client(service),
        trust,
        config,
        clock=lambda: door_pki.now,
        stop=stop,
        backoff=_fast(),
    )
    original = service.handle

    def stop_after_second_feed(request):
        if (
            request.url.path.endswith("trust-events")
            and service.requests.count("GET /api/v1/reader/trust-events") >= 1
        ):
            stop.set()
        return original(request)

    service.handle = stop_after_second_feed
    follower.run_feed()  # the fake closes the feed after one event; it reconnects once
    assert trust.crl_numbers() == {door_pki.issuer_key_id: 1}
    assert config.version == 1


def test_a_heartbeat_reports_catches_up_and_corrects_the_token_clock(tmp_path, service, door_pki):
    trust, config = _stores(tmp_path, door_pki)
    client = _client(service, skew=timedelta(minutes=-10))
    follower = _follower(client, trust, config, door_pki)
    beats = Heartbeater(
        client,
        follower,
        lambda: Heartbeat(sent_at=door_pki.now, queue_depth=4, failing_closed=True),
        clock=lambda: door_pki.now - timedelta(minutes=10),
        interval=15,
        stop=threading.Event(),
    )
    beats.beat()
    assert service.heartbeats[0].queue_depth == 4
    assert service.heartbeats[0].failing_closed
    assert trust.bundle_sequence == 1
    assert config.version == 1
    assert client.signer is not None
    assert abs(client.signer.offset - timedelta(minutes=10)) < timedelta(seconds=2)


def test_sent_events_are_forgotten_after_thirty_days_pending_ones_never(
    tmp_path, service, door_pki
):
    path = tmp_path / "outbox.sqlite3"
    with Outbox.open(path) as outbox:
        old = _append(outbox, 2, door_pki.now - timedelta(days=40))
        _append(outbox, 1, door_pki.now - timedelta(days=40))  # stays pending
        recent = _append(outbox, 1, door_pki.now - timedelta(days=1))
        outbox.mark_sent([*old, *recent])
        uploader = _uploader(path, _client(service), door_pki)
        assert uploader.prune(outbox) == 2
        assert uploader.prune(outbox) == 0  # not again within the hour
        counts = outbox.counts()
        assert (counts.pending, counts.sent) == (1, 1)
        assert outbox.last_reader_seq() == 4  # numbers are never reused
